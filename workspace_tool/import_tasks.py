"""Tasks from another tracker (Taskwarrior, Jira, Asana, any CSV) as task, project and person documents.

Each tracker's reader (`import_taskwarrior`, `import_jira`, `import_asana`, `import_generic`) is pure: the export's text in,
`ForeignTask`s out, or an `ImportFormatError` naming the file and line. `plan_task_import` turns them into new
documents, from the workspace's templates as `wm new` writes them:

- a task file per task, under its project's folder; a project document for a project the workspace does not
  have (matched by ID, key or title), a person document for an assignee it does not have (matched by the
  `--person` map, e-mail, name or ID);
- its status: the tracker's own status when the task workflow has it in other words (Jira's "In Progress",
  "To Do") or `--status` maps it, else by what the tracker says of it (open, started, done, cancelled);
- its dates, priority, tags, estimate, parent, dependencies, description (under `## Notes`) and comments (as
  the `## Log` entries `wm comment` writes);
- the tracker's ID of the task in a key of its own (`taskwarrior:`, `jira:`, `asana:`), so importing the same
  export again adds only what is new (and Jira's `Issue id` in `jira_id:`, so a later export's sub-task finds its
  parent by it).

A task imported before is not made again. What the export says of it otherwise is said (`import_update.differ_note`);
with `--update` (`baselines` given) each field the team has not changed in wm since the import is brought up to
date with the export, and a field both changed is a conflict, kept as wm has it and said (`import_update`).

A dependency or parent that would close a loop, or a parent in another project, is left out and said; a task
whose first document is there but broken is not made again. Every document is checked before anything is written;
`apply_task_import` writes them, each a new file (never over one), all or nothing, then the updates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from workspace_tool.config import STATUS_SYNONYMS, Workflow
from workspace_tool.create import RESERVED_NAMES, month_name, render_template, slugify, unique_path
from workspace_tool.edit import add_log_entry, log_entry, set_keys
from workspace_tool.edit_ops import Change
from workspace_tool.edit_values import require_doc
from workspace_tool.errors import Diagnostic, UsageError, WorkspaceError
from workspace_tool.export.files import write_document
from workspace_tool.import_baseline import Baselines
from workspace_tool.import_update import (
    FIELDS,
    Conflict,
    Field,
    NewPerson,
    TaskUpdate,
    Value,
    check_updates,
    differing,
    id_field,
    labels,
    notes,
    number_of,
    review,
    task_update,
    text_of,
    write_updates,
)
from workspace_tool.index import Index
from workspace_tool.model import Person, Task
from workspace_tool.parse import parse_document

STATES = ("open", "started", "done", "cancelled", "template", "unresolved", "unknown")
"""What a tracker says of a task, whatever its statuses are called: not started, started, finished, given up,
a recurring task's template (left out: its instances are imported), not marked finished (`unresolved`: an empty
done date or resolution, which many exports leave empty for finished work too: a status whose name means done or
cancelled wins, and the import says so), or nothing (an export without a status category or completion column:
the status's name alone tells)."""


@dataclass(frozen=True)
class Source:
    """A tracker tasks are imported from."""

    key: str  # the frontmatter key that keeps the tracker's ID of a task: `jira: DI-12`
    name: str  # as the user knows it: "Jira"
    author: str  # who wrote a document or comment the tracker does not name
    id_key: str | None = None  # the key that keeps a second ID of a task (Jira's `Issue id`), by which a later export may name it


@dataclass(frozen=True)
class Comment:
    day: dt.date | None
    author: str | None  # a name as the tracker gives it, or None
    text: str


@dataclass(frozen=True)
class ForeignTask:
    """One task of another tracker, as much of it as wm keeps."""

    where: str  # FILE:LINE, or FILE: task N
    key: str  # the tracker's ID of the task
    title: str
    state: str  # one of STATES
    status: str | None = None  # the tracker's own name for its status ("In Review"), mapped by name first
    section: str | None = None  # a board column or list section: the status when it names one, else a tag
    project: str | None = None  # the project's name
    project_key: str | None = None  # the project's short key (Jira's "DI"), also matched against IDs
    created: dt.date | None = None
    due: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None  # when it was finished
    priority: str | None = None  # a wm priority
    tags: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()  # keys of tasks this one waits for
    parent: str | None = None  # the key of the task this one is a subtask of
    assignee: str | None = None  # a name or login as the tracker gives it
    assignee_email: str | None = None
    estimate_hours: float | None = None
    remaining_hours: float | None = None
    body: str = ""  # Markdown
    comments: tuple[Comment, ...] = ()
    recur: str | None = None  # a recurring task's period as the tracker writes it (`weekly`, `2w`, `P1M`)
    keys: tuple[tuple[str, Any], ...] = ()  # keys of the team's own to keep (`sprint`, `story_points`): queryable, not read
    notes: tuple[str, ...] = ()  # what the reader left out or guessed, said with the import's warnings
    series: str | None = None  # a recurring task's instance: the key of its template


@dataclass(frozen=True)
class NewFile:
    relpath: str
    doc_id: str
    doc_type: str
    title: str
    status: str


@dataclass
class TaskImportPlan:
    """What an import would write: new files (path -> text), described; what it leaves out or guessed, and why."""

    files: dict[str, str] = field(default_factory=dict)
    made: list[NewFile] = field(default_factory=list)
    already: int = 0  # tasks whose tracker ID a document already carries
    skipped: list[str] = field(default_factory=list)
    updates: list[TaskUpdate] = field(default_factory=list)  # with --update: already-imported tasks brought up to date
    conflicts: list[Conflict] = field(default_factory=list)  # fields changed in wm and in the tracker: kept as wm has them

    @property
    def updated_fields(self) -> int:
        return sum(len(u.said) for u in self.updates)


@dataclass(frozen=True)
class ImportOptions:
    assignee: str | None = None  # the person of tasks whose export names none (Taskwarrior's are one person's)
    people: Mapping[str, str] = field(default_factory=dict)  # a tracker's name, login or e-mail -> person ID
    statuses: Mapping[str, str] = field(default_factory=dict)  # a tracker's status -> task workflow status
    project: str | None = None  # put every task in this project, whatever the export says


def plan_task_import(
    index: Index, tasks: list[ForeignTask], source: Source, options: ImportOptions = ImportOptions(),
    baselines: Callable[[list[str]], Baselines] | None = None,
) -> TaskImportPlan:
    """The documents `tasks` become, and with `baselines` (`--update`: what the import wrote of the files named, as
    `import_baseline.read_baselines` reads it) the already-imported tasks' updates (see the module's docstring);
    nothing is written."""
    workflow = index.settings.workflow("task")
    if workflow is None:
        raise WorkspaceError("workspace.yml has no task workflow")
    default = require_doc(index, options.assignee, ("person",)).id if options.assignee else None
    into = require_doc(index, options.project, ("project",)).id if options.project else None
    status_map = _status_map(options.statuses, workflow)
    _check_keys(tasks)
    known = _known(index, source.key)
    broken = _keys_in_unreadable_files(index, source.key)
    plan = TaskImportPlan()
    todo: list[tuple[ForeignTask, str]] = []
    left_out: set[str] = set()  # cancelled tasks a workflow without `cancelled` cannot hold
    unmapped: Counter[tuple[str, str]] = Counter()
    undated: Counter[tuple[str, str]] = Counter()  # finished by their status's name alone (see `_status`)
    existing: list[tuple[ForeignTask, str]] = []  # already imported: compared with the export below
    for task in tasks:
        if task.key.lower() in known:
            plan.already += 1
            existing.append((task, known[task.key.lower()]))
        elif task.key.lower() in broken:
            plan.skipped.append(
                f"{task.where}: {task.key} was imported into {broken[task.key.lower()]}, which cannot be read now: fix it (wm validate says how)"
                " and import again; it is not imported twice"
            )
        elif task.state == "template":
            plan.skipped.append(f"{task.where}: {task.title!r} is a recurring task's template; its instances are imported, not it")
        elif (status := _status(task, workflow, status_map, unmapped, undated)) is None:
            plan.skipped.append(f"{task.where}: {task.title!r} was cancelled in {source.name}, and the task workflow has no 'cancelled' status; it is left out")
            left_out.add(task.key.lower())
        else:
            todo.append((task, status))
    for (theirs, ours), count in sorted(unmapped.items()):
        plan.skipped.append(
            f"{count} {'task has' if count == 1 else 'tasks have'} the status {theirs!r}, which the task workflow has not: "
            f"imported as {ours!r} (map it with --status {_quoted(theirs + '=STATUS')})"
        )
    for (theirs, ours), count in sorted(undated.items()):
        plan.skipped.append(
            f"{count} {'task has' if count == 1 else 'tasks have'} the status {theirs!r} but no done date or resolution in the export: imported as"
            f" {ours!r}, without a done date (to keep {'it' if count == 1 else 'them'} open: --status {_quoted(theirs + '=' + workflow.statuses[0])})"
        )
    latest: dict[str, ForeignTask] = {}  # per series, its open instance due last: the one `wm recur` goes on from
    for task, status in todo:
        if task.series and task.recur and not workflow.is_done(status):
            if task.series not in latest or (task.due or dt.date.min) >= (latest[task.series].due or dt.date.min):
                latest[task.series] = task
    reserved: set[str] = set()
    projects = {name: into for name in {t.project for t, _ in todo}} if into else _projects(index, [t for t, _ in todo], plan, reserved, source)
    people = _People(index, options.people, plan, reserved)
    assignees = {task.key: people.resolve(task.assignee, task.assignee_email) for task, _ in todo if task.assignee or task.assignee_email}
    ids: dict[str, str] = {**_known(index, source.id_key), **known}  # a parent by its other ID: one an earlier import made
    places: list[tuple[ForeignTask, str, str, str, str | None]] = []
    for task, status in todo:
        project = projects.get(task.project) if task.project else into
        relpath, doc_id = unique_path(index, "task", name_for(task.title, task.key, "task"), project, frozenset(reserved), seed=f"{source.key}:{task.key}")
        reserved.add(doc_id)
        ids[task.key.lower()] = doc_id
        places.append((task, status, relpath, doc_id, project))
    projects_of = {doc_id: project for _, _, _, doc_id, project in places}
    waits = {t.id: set(t.depends_on) for t in index.of_type(Task)}  # the workspace's dependencies, and the import's as taken
    above = {t.id: t.parent for t in index.of_type(Task) if t.parent}
    said: dict[str, str] = {}  # why a task's parent is left out, said with its other warnings
    parents: dict[str, str | None] = {}
    older = _older_imports(index, source)
    for task, _, _, doc_id, project in places:  # parents first: a dependency that would loop through one is left out, not the parent
        parent, reason = _parent(task, doc_id, project, ids, projects_of, index, above)
        parents[doc_id] = parent
        if reason:
            said[doc_id] = f"{task.where}: {doc_id}'s parent {reason}"
            if parent is None and older and task.parent and task.parent.isdigit():
                said[doc_id] += f" ({older})"
        if parent is not None:
            above[doc_id] = parent
    below: dict[str, set[str]] = {}
    for child, parent_id in above.items():
        below.setdefault(parent_id, set()).add(child)
    for task, status, relpath, doc_id, project in places:
        plan.skipped.extend(f"{task.where}: {doc_id}: {note}" for note in task.notes)
        missing = [d for d in task.depends if d.lower() not in ids and d.lower() not in left_out]
        if missing:
            plan.skipped.append(f"{task.where}: {doc_id} depends on {', '.join(missing)}, which is not in the export; that dependency is left out")
        dropped = [d for d in task.depends if d.lower() in left_out]
        if dropped:
            plan.skipped.append(f"{task.where}: {doc_id} depends on {', '.join(dropped)}, cancelled and left out (above); that dependency is left out")
        depends: list[str] = []
        for other in dict.fromkeys(ids[d.lower()] for d in task.depends if d.lower() in ids):
            if other == doc_id or _reaches(waits, above, below, other, doc_id):
                plan.skipped.append(f"{task.where}: {doc_id} depends on {other}, which {_why_loop(above, doc_id, other)}; that dependency is left out (a cycle)")
                continue
            waits.setdefault(doc_id, set()).add(other)
            depends.append(other)
        if doc_id in said:
            plan.skipped.append(said[doc_id])
        parent = parents[doc_id]
        assignee = assignees.get(task.key, default)
        finished = workflow.is_done(status) and not workflow.is_cancelled(status)
        repeats = None
        if task.series and task.recur and latest.get(task.series) is task:
            repeats = recurrence(task.recur)
            if repeats is None:
                plan.skipped.append(f"{task.where}: {doc_id} repeats {task.recur!r}, which wm has no rule for; it is imported without one")
        values: dict[str, Any] = {
            "assignee": assignee,
            "priority": task.priority,
            "estimate": _hours(task.estimate_hours) if task.estimate_hours else None,  # a done task's too: progress and estimate accuracy count it
            "remaining": _hours(task.remaining_hours) if task.remaining_hours is not None and _remaining(task, finished) else None,
            "start": task.start,
            "due": task.due,
            "done": task.end if finished else None,
            "parent": parent,
            "tags": list(_tags(task, status, status_map, workflow)) or None,
            "depends_on": depends or None,
            "recurrence": repeats,
            **dict(task.keys),
            source.key: task.key,
        }
        text = _document(index, "task", task.title, doc_id, status, project, task.created, values, source)
        if task.body.strip():
            text = add_log_entry(text, task.body.strip("\n"), heading="## Notes")
        for comment in task.comments:
            author = people.known(comment.author) if comment.author else None
            text = add_log_entry(text, log_entry(comment.day, author or comment.author or default or source.author, comment.text))
        _add(index, plan, NewFile(relpath, doc_id, "task", task.title, status), text)

    def parent_of(task: ForeignTask, doc: Task) -> str | None:
        """An imported task's parent as the export names it, when found and no loop (else nothing is said of it)."""
        parent, reason = _parent(task, doc.id, doc.project, ids, projects_of, index, above) if task.parent else (None, None)
        if parent is not None and reason is None:
            above[doc.id] = parent  # as if taken, so a second update cannot close a loop with it
            below.setdefault(parent, set()).add(doc.id)
            return parent
        return None

    def depends_of(task: ForeignTask, doc: Task) -> list[str] | None:
        """An imported task's dependencies as the export names them, as IDs: those not found, or that would close a
        loop, left out as the import leaves them out; None when none is left (the export says nothing of them). One
        the task has already is in the workspace's graph: only a new one is searched for a loop."""
        found = [
            other for other in dict.fromkeys(ids[d.lower()] for d in task.depends if d.lower() in ids)
            if other in doc.depends_on or (other != doc.id and not _reaches(waits, above, below, other, doc.id))
        ]
        waits.setdefault(doc.id, set()).update(found)  # as if taken, so a second update cannot close a loop with them
        return found or None

    _compare(index, existing, source, status_map, people, (parent_of, depends_of), plan, baselines)
    return plan


def _older_imports(index: Index, source: Source) -> str | None:
    """Why a parent named by its second ID (Jira's `Issue id`) may not be found though it was imported: tasks an
    older wm imported without that key (`jira_id:`), and the fix; None when there are none."""
    if source.id_key is None or not any(source.key in d.extra and source.id_key not in d.extra for d in index.of_type(Task)):
        return None
    return (
        f"tasks imported before wm kept {source.id_key}: are not found by it: import an export that has the parent too with --update"
        f" (which adds their {source.id_key}: and this task's parent), or set it with wm set"
    )


_PERIODS = {
    "daily": "daily", "day": "daily", "weekdays": "weekdays", "weekly": "weekly", "week": "weekly", "biweekly": "every 2 weeks",
    "fortnight": "every 2 weeks", "monthly": "monthly", "month": "monthly", "bimonthly": "every 2 months", "quarterly": "every 3 months",
    "semiannual": "every 6 months", "annual": "yearly", "yearly": "yearly", "year": "yearly", "biannual": "every 2 years", "biyearly": "every 2 years",
}
_COUNTED = re.compile(r"^(\d+)\s*(d|days?|w|wks?|weeks?|mo|mos|months?|q|qtrs?|quarters?|y|yrs?|years?)$")
_ISO = re.compile(r"^p(\d+)([dwmy])$")  # ISO 8601, as Taskwarrior also writes periods: P1M is a month (PT1M, a minute, is not here)
_UNITS = {"d": "day", "w": "week", "m": "month", "q": "quarter", "y": "year"}


def recurrence(period: str) -> str | None:
    """A tracker's period as a wm `recurrence` (`weekly`, `every 2 weeks`); None for one wm has no rule for (hours)."""
    text = period.strip().lower()
    if text in _PERIODS:
        return _PERIODS[text]
    match = _COUNTED.match(text) or _ISO.match(text)
    if match is None:
        return None
    count, unit = int(match.group(1)), _UNITS[match.group(2)[0]]
    if unit == "quarter":
        count, unit = count * 3, "month"
    if count < 1:
        return None
    if count == 1:
        return {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[unit]
    return f"every {count} {unit}s"


_TAG_UNSAFE = re.compile(r"[^\w+#-]+")


def tags_of(names: Iterable[str]) -> tuple[str, ...]:
    """A tracker's tags or labels as wm tags: lower case, runs of other characters as one `-` (`+` and `#` kept
    inside a tag, so `c++` and `C#` stay apart), each once."""
    return tuple(dict.fromkeys(t for t in (_TAG_UNSAFE.sub("-", name).strip("-").lstrip("#").strip("-").lower() for name in names) if t))


def _quoted(text: str) -> str:
    return f"'{text}'" if any(c in text for c in " '\"$&;|<>()") else text


def _hours(hours: float) -> str:
    """Hours as a duration wm reads back: `6h`, `1.5h`, never an exponent (`1e+09h`)."""
    return f"{round(hours, 4):f}".rstrip("0").rstrip(".") + "h"


def _compare(
    index: Index, existing: list[tuple[ForeignTask, str]], source: Source, status_map: dict[str, str], people: _People,
    links: tuple[Callable[[ForeignTask, Task], str | None], Callable[[ForeignTask, Task], list[str] | None]], plan: TaskImportPlan,
    baselines: Callable[[list[str]], Baselines] | None,
) -> None:
    """The already-imported tasks against the export: what differs is said; with `baselines` (`--update`), each field
    the team has not changed since the import is updated, and one both changed is a conflict (`import_update`).
    `links` are the task's parent and dependencies as the export names them, mapped to IDs (or None)."""
    parent_of, depends_of = links
    workflow = index.settings.workflow("task")
    assert workflow is not None
    fields = (*FIELDS, *((id_field(source.id_key),) if source.id_key else ()))
    noted = [f for f in fields if f.key != source.id_key]  # a `jira_id:` an older import did not write is no news to the team
    changed: dict[str, list[str]] = {}  # what differs -> the tasks it differs in
    unbased: dict[str, list[str]] = {}  # why a differing task has no baseline -> its files
    kept = 0
    differ: list[tuple[ForeignTask, Task, dict[str, Value], list[Field]]] = []
    for task, doc_id in existing:
        doc = index.get(doc_id)
        if not isinstance(doc, Task):
            continue
        said = _said(task, workflow, status_map, people, source)
        if (parent := parent_of(task, doc)) is not None:
            said["parent"] = Value(parent, parent, parent)
        if (depends := depends_of(task, doc)) is not None:
            said["depends_on"] = Value(frozenset(depends), depends, ", ".join(depends))
        if not (found := differing(doc, said, fields)):
            continue
        if baselines is None:
            for what in labels(doc, said, noted, workflow):
                changed.setdefault(what, []).append(doc_id)
            continue
        differ.append((task, doc, said, found))
    read = baselines([doc.path for _, doc, _, _ in differ]) if baselines is not None and differ else Baselines()
    for task, doc, said, found in differ:
        baseline = read.task(doc.path, index.settings)
        if baseline is None:
            unbased.setdefault(read.reason(doc.path), []).append(doc.path)
            continue
        verdict = review(doc, baseline, said, found)
        plan.conflicts.extend(verdict.conflicts)
        kept += verdict.kept
        if verdict.changes:
            plan.updates.append(task_update(index, doc, verdict.changes, task.end, lambda p: people.resolve(p.name, p.email)))
    plan.skipped.extend(notes(changed, plan.conflicts, kept, unbased, f"the {source.name} export"))


def _said(task: ForeignTask, workflow: Workflow, status_map: dict[str, str], people: _People, source: Source) -> dict[str, Value]:
    """What the export says of an already-imported task, field by field, as the import writes it (an empty cell says nothing)."""
    said = {"title": Value(task.title, task.title, task.title)}
    status = _status(task, workflow, status_map, Counter(), Counter())
    if status is not None and (task.state != "unknown" or any(n and _named(n, task.state, status_map, workflow) for n in (task.status, task.section))):
        said["status"] = Value(status, status, status)  # not when the status is a guess: its name unknown, the task's state too
    if task.due is not None:
        said["due"] = Value(task.due, task.due, task.due.isoformat())
    if task.start is not None:
        said["start"] = Value(task.start, task.start, task.start.isoformat())
    if task.estimate_hours:
        said["estimate"] = Value(round(task.estimate_hours, 4), _hours(task.estimate_hours), _hours(task.estimate_hours))
    finished = status is not None and workflow.is_done(status) and not workflow.is_cancelled(status)
    if task.remaining_hours is not None and _remaining(task, finished):  # as the import keeps it: below the estimate, on open work
        said["remaining"] = Value(round(task.remaining_hours, 4), _hours(task.remaining_hours), _hours(task.remaining_hours))
    own = dict(task.keys)
    if own.get("sprint") is not None:
        said["sprint"] = Value(text_of(own["sprint"]), own["sprint"], str(own["sprint"]))
    if own.get("story_points") is not None:
        said["story_points"] = Value(number_of(own["story_points"]), own["story_points"], str(own["story_points"]))
    if task.priority:
        said["priority"] = Value(task.priority, task.priority, task.priority)
    tags = _tags(task, status, status_map, workflow) if status is not None else task.tags
    if tags:
        said["tags"] = Value(frozenset(tags), list(tags), ", ".join(tags))
    if task.assignee or task.assignee_email:
        person = next((found for alias in (task.assignee_email, task.assignee) if alias and (found := people.known(alias))), None)
        name = task.assignee or task.assignee_email or ""
        said["assignee"] = Value(person, person, person) if person else Value(NewPerson(task.assignee, task.assignee_email), None, f"{name} (new person)")
    other = own.get(source.id_key) if source.id_key else None
    if source.id_key and other is not None:
        said[source.id_key] = Value(str(other), other, str(other))
    return said


def _known(index: Index, key: str | None) -> dict[str, str]:
    """The tracker's IDs (lower case) under `key` -> the document that keeps them."""
    if key is None:
        return {}
    return {str(doc.extra[key]).lower(): doc.id for doc in index.docs.values() if isinstance(doc.extra.get(key), (str, int))}


def _keys_in_unreadable_files(index: Index, key: str) -> dict[str, str]:
    """Tracker IDs (lower case) -> the file that holds them, of files the index could not read: an import must not
    make a second document for a task whose first one is only broken."""
    found: dict[str, str] = {}
    line = re.compile(rf"^{re.escape(key)}:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.M)
    for path, problems in index.file_diagnostics.items():
        if path in index.by_path or not any(p.is_error for p in problems):
            continue
        try:
            text = (index.root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for match in line.finditer(text):
            found.setdefault(match.group(1).strip().lower(), path)
    return found


def name_for(title: str, hint: str, kind: str) -> str:
    """A file name for an imported document: its title's slug; for a title with no letters wm can use (`佐藤 花子`,
    `🚀`) the tracker's key or e-mail name, else its kind; a name Windows or wm keeps for itself (`con`, `aux`,
    `index`) gets its kind after it (`con-person`), as `wm new` refuses those."""
    slug = slugify(title) or slugify(hint) or kind
    return f"{slug}-{kind}" if slug in RESERVED_NAMES else slug


def _parent(
    task: ForeignTask, doc_id: str, project: str | None, ids: Mapping[str, str], projects_of: Mapping[str, str | None], index: Index,
    above: Mapping[str, str],
) -> tuple[str | None, str | None]:
    """The task's parent's ID, or None and why it is left out (None when there is nothing to say)."""
    parent = ids.get(task.parent.lower()) if task.parent else None
    if task.parent and parent is None:
        return None, f"{task.parent} is not in the export; it is imported without one"
    if parent is not None and (elsewhere := projects_of.get(parent, getattr(index.docs.get(parent), "project", None))) != project:
        return None, f"{parent} is in {elsewhere or 'no project'}, not {project or 'no project'} (a subtask is in its parent's project); it is imported without one"
    if parent is not None and (parent == doc_id or _is_above(above, doc_id, parent)):
        return None, f"{parent} {'is itself' if parent == doc_id else 'is below it'}; it is imported without one (a cycle)"
    return parent, None


def _reaches(waits: Mapping[str, set[str]], above: Mapping[str, str], below: Mapping[str, set[str]], other: str, doc_id: str) -> bool:
    """Whether `doc_id` waiting for `other` closes a loop, as `wm schedule` sees one: a task starts after what it
    depends on ends, a subtask starts after its parent starts, and a parent ends after its subtasks end. Searched
    backwards from `other`'s end for `doc_id`'s start."""
    goal = (doc_id, "start")
    seen, todo = {(other, "end")}, [(other, "end")]
    while todo:
        task, point = todo.pop()
        if point == "end":
            before = [(task, "start"), *((child, "end") for child in below.get(task, ()))]
        else:
            before = [*((d, "end") for d in waits.get(task, ())), *([(above[task], "start")] if task in above else [])]
        for node in before:
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return False


def _why_loop(above: Mapping[str, str], doc_id: str, other: str) -> str:
    if other == doc_id:
        return "is itself"
    if _is_above(above, other, doc_id):
        return "is above it (a parent ends after its subtasks)"
    if _is_above(above, doc_id, other):
        return "is below it (a parent starts before its subtasks)"
    return "waits for it"


def _is_above(above: Mapping[str, str], doc_id: str, parent: str) -> bool:
    """Whether `doc_id` is among `parent`'s parents (so making it `parent`'s child would close a loop)."""
    seen: set[str] = set()
    current: str | None = parent
    while current is not None and current not in seen:
        if current == doc_id:
            return True
        seen.add(current)
        current = above.get(current)
    return False


def _remaining(task: ForeignTask, finished: bool) -> bool:
    """Whether to keep a task's remaining work: when it says something its estimate does not."""
    if finished or task.remaining_hours is None:
        return False
    return task.estimate_hours is None or task.remaining_hours < task.estimate_hours


def _tags(task: ForeignTask, status: str, status_map: dict[str, str], workflow: Workflow) -> tuple[str, ...]:
    """The task's tags, and its section's name when the section did not give its status."""
    if task.section and _named(task.section, task.state, status_map, workflow) != status:
        return tags_of([*task.tags, task.section])
    return task.tags


def _named(name: str, state: str, status_map: dict[str, str], workflow: Workflow) -> str | None:
    """The status a tracker's name for one stands for: by `--status`, else in other words (`In Progress`,
    `Doing`) unless the tracker says otherwise of the task (see `_agrees`)."""
    words = " ".join(name.lower().split())
    if words in status_map:
        return status_map[words]
    meant = workflow.means(name)
    return meant if meant is not None and _agrees(meant, state, workflow) else None


def _check_keys(tasks: list[ForeignTask]) -> None:
    seen: dict[str, str] = {}
    for task in tasks:
        first = seen.setdefault(task.key.lower(), task.where)
        if first != task.where:
            raise WorkspaceError(f"{task.where}: the ID {task.key!r} is also at {first}; an export names each task once (nothing was written)")


def _status_map(given: Mapping[str, str], workflow: Workflow) -> dict[str, str]:
    mapped = {}
    for theirs, ours in given.items():
        if ours not in workflow.statuses:
            raise UsageError(f"--status {_quoted(theirs + '=' + ours)}: {ours!r} is not a status of the task workflow ({', '.join(workflow.statuses)})")
        mapped[" ".join(theirs.lower().split())] = ours
    return mapped


def _status(
    task: ForeignTask, workflow: Workflow, status_map: dict[str, str], unmapped: Counter[tuple[str, str]], undated: Counter[tuple[str, str]],
) -> str | None:
    """The task's status in the task workflow (see the module's docstring); None for a cancelled task when the
    workflow has no `cancelled`. A status the workflow has not (counted in `unmapped`) is said even when the task's
    section names one; an `unresolved` task finished by its status's name alone is counted in `undated`."""
    statuses = workflow.statuses
    known = task.status is None or " ".join(task.status.lower().split()) in status_map or workflow.means(task.status) is not None
    for name in (task.status, task.section):
        if name and (named := _named(name, task.state, status_map, workflow)):
            if task.state == "unresolved" and workflow.is_done(named) and " ".join(name.lower().split()) not in status_map:
                undated[(name, named)] += 1
            if not known and task.status:
                unmapped[(task.status, named)] += 1
            return named
    status: str | None
    if task.state == "done":
        status = "done" if "done" in statuses else (workflow.done[0] if workflow.done else statuses[-1])
    elif task.state == "cancelled":
        status = next(iter(workflow.cancelled_statuses), None)
    elif task.state == "started":
        status = _started(workflow)
    else:
        status = statuses[0]
    if not known and task.status and status is not None:
        unmapped[(task.status, status)] += 1
    return status


def _started(workflow: Workflow) -> str:
    """The status a started task takes: `in-progress`, else the workflow's status of that meaning (`doing`,
    `active`), else its first."""
    if "in-progress" in workflow.statuses:
        return "in-progress"
    meaning = (STATUS_SYNONYMS.get(" ".join(s.lower().replace("-", " ").replace("_", " ").split())) for s in workflow.statuses)
    return next((s for s, meant in zip(workflow.statuses, meaning) if meant == "in-progress" and not workflow.is_done(s)), workflow.statuses[0])


def _agrees(status: str, state: str, workflow: Workflow) -> bool:
    """A status named in other words is taken unless the tracker says otherwise of the task: a "Done" the tracker
    resolved as "Won't Do" is cancelled, not done; an open issue called "Done" is not done. A finished one may be
    called "Cancelled" (a team-managed Jira project resolves nothing), and a tracker that says nothing of the task
    (`unknown`), or only that it was not marked finished (`unresolved`), leaves the name to tell."""
    if state in ("unknown", "unresolved"):
        return True
    if state == "cancelled":
        return workflow.is_cancelled(status)
    if state == "done":
        return workflow.is_done(status)
    return not workflow.is_done(status)


def _projects(index: Index, tasks: list[ForeignTask], plan: TaskImportPlan, reserved: set[str], source: Source) -> dict[str, str]:
    """A tracker's project name -> wm project ID: the workspace's project of that ID, key or title, else a new one."""
    found: dict[str, str] = {}
    existing = {**{p.title.lower(): p.id for p in index.projects()}, **{p.id: p.id for p in index.projects()}}
    workflow = index.settings.workflow("project")
    for name in dict.fromkeys(t.project for t in tasks if t.project):
        mine = [t for t in tasks if t.project == name]
        keys = [t.project_key.lower() for t in mine if t.project_key]
        match = next((existing[k] for k in (slugify(name), name.lower(), *keys) if k in existing), None)
        if match is not None:
            found[name] = match
            continue
        relpath, doc_id = unique_path(index, "project", name_for(name, keys[0] if keys else "", "project"), None, frozenset(reserved))
        reserved.add(doc_id)
        found[name] = doc_id
        status = None
        if workflow is not None:
            if all(t.state in ("done", "cancelled") for t in mine):
                status = "done" if "done" in workflow.statuses else workflow.default
            else:
                status = "active" if "active" in workflow.statuses else workflow.default
        created = min((t.created for t in mine if t.created), default=None)
        text = _document(index, "project", name, doc_id, status, None, created, {}, source)
        _add(index, plan, NewFile(relpath, doc_id, "project", name, status or ""), text)
    return found


class _People:
    """A tracker's assignees as person IDs: by the `--person` map, e-mail, name or ID; a person document is made
    for one the workspace does not have."""

    def __init__(self, index: Index, mapped: Mapping[str, str], plan: TaskImportPlan, reserved: set[str]) -> None:
        self.index, self.plan, self.reserved = index, plan, reserved
        self.names: dict[str, str] = {}
        for person in index.docs.values():
            if isinstance(person, Person):
                for alias in (person.id, person.title, person.name, person.email):
                    if alias:
                        self.names.setdefault(" ".join(alias.split()).lower(), person.id)
        for theirs, ours in mapped.items():
            self.names[" ".join(theirs.split()).lower()] = require_doc(index, ours, ("person",)).id

    def known(self, name: str) -> str | None:
        words = " ".join(name.split()).lower()
        return self.names.get(words) or self.names.get(slugify(name))

    def resolve(self, name: str | None, email: str | None) -> str:
        for alias in (email, name):
            if alias and (found := self.known(alias)):
                return found
        title = " ".join((name or (email or "").split("@")[0]).split())
        relpath, doc_id = unique_path(self.index, "person", name_for(title, (email or "").split("@")[0], "person"), None, frozenset(self.reserved))
        self.reserved.add(doc_id)
        context: dict[str, Any] = {"title": title, "id": doc_id, "type": "person", "fields": {}, "status": None, "project": None}
        text = set_keys(render_template(self.index.root, "person", context), {"email": email} if email else {})
        _add(self.index, self.plan, NewFile(relpath, doc_id, "person", title, ""), text)
        for alias in (name, email):
            if alias:
                self.names[" ".join(alias.split()).lower()] = doc_id
        return doc_id


def _document(
    index: Index, doc_type: str, title: str, doc_id: str, status: str | None, project: str | None, created: dt.date | None,
    values: dict[str, Any], source: Source,
) -> str:
    """The new document's text from the workspace's template for its type, as `wm new` writes it."""
    day = created or index.today
    context: dict[str, Any] = {
        "title": title, "id": doc_id, "type": doc_type, "date": day.isoformat(), "month": f"{day:%Y-%m}", "month_name": month_name(day),
        "author": source.author, "project": project, "fields": {}, "status": status,
    }
    return set_keys(render_template(index.root, doc_type, context), {k: v for k, v in values.items() if v is not None})


def _add(index: Index, plan: TaskImportPlan, made: NewFile, text: str) -> None:
    parsed = parse_document(text, made.relpath, index.settings)
    errors: list[Diagnostic] = [d for d in parsed.diagnostics if d.is_error]
    if parsed.document is None or errors:
        raise WorkspaceError(f"importing {made.title!r} made an invalid document: {(errors or parsed.diagnostics)[0]}; nothing was written")
    plan.files[made.relpath] = text
    plan.made.append(made)


def apply_task_import(index: Index, plan: TaskImportPlan) -> list[Change]:
    """Write the plan: every update checked first (nothing is written when one would not be), then the new files,
    each atomically and refused if the file appeared meanwhile, all or nothing (when one cannot be written, the ones
    written before it are removed again: they are new files, which nobody else can have edited yet), then the
    updates, each refused if its file changed since it was read."""
    checked = check_updates(index, plan.updates)
    written: list[str] = []
    try:
        for relpath, text in plan.files.items():
            write_document(index.root, relpath, text, None)
            written.append(relpath)
    except BaseException:
        for relpath in reversed(written):
            path = index.root / relpath
            path.unlink(missing_ok=True)
            for folder in path.parents:  # the folders the import made for them, if nothing else is there
                if folder == index.root or any(folder.iterdir()):
                    break
                folder.rmdir()
        raise
    made = [Change(m.relpath, f"{m.doc_type} {m.doc_id}: imported", created=True) for m in plan.made]
    return [*made, *write_updates(checked)]
