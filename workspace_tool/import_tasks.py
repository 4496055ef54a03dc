"""`wm import taskwarrior FILE`: Taskwarrior's tasks (`task export`) as task and project documents.

Parsing is pure (`parse_taskwarrior`: JSON text in, `TwTask`s out, or an
`ImportFormatError` naming the file and line or task). `plan_task_import`
turns them into new documents: a task file per task, under its project's
folder (a project document is made for a Taskwarrior project the workspace
does not have), with its status mapped onto the task workflow, its dates,
priority, tags, dependencies and annotations (as the `## Log` entries `wm
comment` writes), and its Taskwarrior UUID in `taskwarrior:`. A task whose
UUID a document already carries is skipped, so importing the same export
again adds only what is new. Every document is checked before anything is
written; `apply_task_import` writes them, each a new file (never over one).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from workspace_tool.create import month_name, render_template, slugify, unique_path
from workspace_tool.edit import add_log_entry, set_keys
from workspace_tool.edit_values import require_doc
from workspace_tool.errors import Diagnostic, WorkspaceError
from workspace_tool.export.files import write_document
from workspace_tool.imports import ImportFormatError, object_lines, tw_time
from workspace_tool.index import Index
from workspace_tool.parse import parse_document

UUID_KEY = "taskwarrior"
"""The frontmatter key that keeps an imported task's Taskwarrior UUID (an unknown key to wm: kept, never checked)."""

PRIORITIES = {"H": "high", "M": "medium", "L": "low"}

_TAG_UNSAFE = re.compile(r"[^\w-]+")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class TwTask:
    """One task of `task export`, as much of it as wm keeps."""

    where: str  # FILE:LINE, or FILE: task N
    uuid: str
    description: str
    status: str  # pending, waiting, completed, deleted, recurring
    started: bool
    project: str | None = None
    entry: dt.date | None = None
    due: dt.date | None = None
    scheduled: dt.date | None = None
    end: dt.date | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()
    annotations: tuple[tuple[dt.date, str], ...] = ()
    recur: str | None = None  # Taskwarrior's period (`weekly`, `2w`, `P1M`), on a recurring task's template and instances
    parent: str | None = None  # an instance's template


def parse_taskwarrior(text: str, name: str) -> list[TwTask]:
    """`task export` JSON: a list of tasks (Taskwarrior 2.6 and 3), or one task object per line (older versions)."""
    if not text.lstrip().startswith("["):
        return [_task(_json(line, name, number), f"{name}:{number}") for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    data = _json(text, name, 1)
    if not isinstance(data, list):
        raise ImportFormatError(f"{name}:1: expected a JSON list of tasks (the output of 'task export')")
    lines: list[int | None] = list(object_lines(text))
    if len(lines) != len(data):  # not one task per line: name the task by its place instead
        lines = [None] * len(data)
    return [_task(item, f"{name}:{found}" if found else f"{name}: task {number}") for number, (item, found) in enumerate(zip(data, lines), start=1)]


def _json(text: str, name: str, first_line: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name}:{first_line + exc.lineno - 1}: not valid JSON: {exc.msg} (expected the output of 'task export')") from None


def _task(item: Any, where: str) -> TwTask:
    if not isinstance(item, dict):
        raise ImportFormatError(f"{where}: a task must be a JSON object")
    uuid, description, status = item.get("uuid"), item.get("description"), item.get("status")
    if not isinstance(uuid, str) or not _UUID.match(uuid):
        raise ImportFormatError(f"{where}: a task needs its 'uuid' (got {uuid!r})")
    if not isinstance(description, str) or not description.strip():
        raise ImportFormatError(f"{where}: task {uuid} has no 'description'")
    if status not in ("pending", "waiting", "completed", "deleted", "recurring"):
        raise ImportFormatError(f"{where}: task {uuid} has an unknown status {status!r}")
    project = item.get("project")
    if project is not None and (not isinstance(project, str) or not slugify(project)):
        raise ImportFormatError(f"{where}: task {uuid} has a project wm cannot name: {project!r}")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ImportFormatError(f"{where}: task {uuid}: 'tags' must be a list of strings")
    depends = item.get("depends") or []
    if isinstance(depends, str):  # Taskwarrior before 2.6 exported a comma-separated string
        depends = [d for d in depends.split(",") if d]
    if not isinstance(depends, list) or not all(isinstance(d, str) and _UUID.match(d) for d in depends):
        raise ImportFormatError(f"{where}: task {uuid}: 'depends' must list task UUIDs")
    annotations = []
    for note in item.get("annotations") or []:
        if not isinstance(note, dict) or not isinstance(note.get("description"), str):
            raise ImportFormatError(f"{where}: task {uuid}: an annotation needs its 'description'")
        annotations.append((_day(note.get("entry"), where) or dt.date.min, " ".join(note["description"].split())))
    priority = item.get("priority")
    recur, parent = item.get("recur"), item.get("parent")
    return TwTask(
        where, uuid.lower(), " ".join(description.split()), status, "start" in item, project,
        _day(item.get("entry"), where), _day(item.get("due"), where), _day(item.get("scheduled"), where), _day(item.get("end"), where),
        PRIORITIES.get(priority) if isinstance(priority, str) else None,
        tuple(dict.fromkeys(t for t in (_TAG_UNSAFE.sub("-", tag).strip("-").lower() for tag in tags) if t)),
        tuple(d.lower() for d in depends), tuple(annotations),
        recur if isinstance(recur, str) else None, parent.lower() if isinstance(parent, str) else None,
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
    """A Taskwarrior period as a wm `recurrence` (`weekly`, `every 2 weeks`); None for one wm has no rule for (hours)."""
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


def _day(value: object, where: str) -> dt.date | None:
    return None if value is None else tw_time(value, where).date()


@dataclass(frozen=True)
class NewFile:
    relpath: str
    doc_id: str
    doc_type: str
    title: str
    status: str


@dataclass
class TaskImportPlan:
    """What an import would write: new files (path -> text), described; what it leaves out, and why."""

    files: dict[str, str] = field(default_factory=dict)
    made: list[NewFile] = field(default_factory=list)
    already: int = 0  # tasks whose UUID a document already carries
    skipped: list[str] = field(default_factory=list)


def plan_task_import(index: Index, tasks: list[TwTask], assignee: str | None = None) -> TaskImportPlan:
    """The documents `tasks` become (see the module's docstring); nothing is written. Annotations are logged as
    written by `assignee` (Taskwarrior's are its one user's), else by "taskwarrior"."""
    person = require_doc(index, assignee, ("person",)).id if assignee else None
    author = person or "taskwarrior"
    workflow = index.settings.workflow("task")
    if workflow is None:
        raise WorkspaceError("workspace.yml has no task workflow")
    known = {str(doc.extra[UUID_KEY]).lower(): doc.id for doc in index.docs.values() if isinstance(doc.extra.get(UUID_KEY), str)}
    plan = TaskImportPlan()
    todo: list[tuple[TwTask, str]] = []
    for task in tasks:
        if task.uuid in known:
            plan.already += 1
        elif task.status == "recurring":
            plan.skipped.append(f"{task.where}: {task.description!r} is a recurring task's template; its instances are imported, not it")
        elif (status := _status(task, workflow.statuses, workflow.done)) is None:
            plan.skipped.append(f"{task.where}: {task.description!r} was deleted, and the task workflow has no 'cancelled' status")
        else:
            todo.append((task, status))
    latest: dict[str, TwTask] = {}  # per template, its pending instance due last: the one `wm recur` goes on from
    for task, status in todo:
        if task.parent and task.recur and not workflow.is_done(status):
            if task.parent not in latest or (task.due or dt.date.min) >= (latest[task.parent].due or dt.date.min):
                latest[task.parent] = task
    reserved: set[str] = set()
    projects = _projects(index, [task for task, _ in todo], plan, reserved)
    ids: dict[str, str] = dict(known)
    places: list[tuple[TwTask, str, str, str]] = []
    for task, status in todo:
        project = projects.get(task.project) if task.project else None
        relpath, doc_id = unique_path(index, "task", slugify(task.description) or "task", project, frozenset(reserved))
        reserved.add(doc_id)
        ids[task.uuid] = doc_id
        places.append((task, status, relpath, doc_id))
    for task, status, relpath, doc_id in places:
        missing = [d for d in task.depends if d not in ids]
        if missing:
            plan.skipped.append(f"{task.where}: {doc_id} depends on {', '.join(missing)}, which is not in the export; that dependency is left out")
        values: dict[str, Any] = {
            "assignee": person,
            "priority": task.priority,
            "due": task.due,
            "start": task.scheduled,
            "done": task.end if workflow.is_done(status) and status != "cancelled" and task.end else None,
            "tags": list(task.tags) or None,
            "depends_on": [ids[d] for d in task.depends if d in ids] or None,
            "recurrence": None,
            UUID_KEY: task.uuid,
        }
        if task.parent and latest.get(task.parent) is task and task.recur:
            values["recurrence"] = recurrence(task.recur)
            if values["recurrence"] is None:
                plan.skipped.append(f"{task.where}: {doc_id} repeats {task.recur!r}, which wm has no rule for; it is imported without one")
        project = projects.get(task.project) if task.project else None
        text = _document(index, "task", task.description, doc_id, status, project, task.entry, values)
        for day, note in task.annotations:
            when = "" if day == dt.date.min else f"{day.isoformat()} "
            text = add_log_entry(text, f"- {when}{author}: {note}")
        _add(index, plan, NewFile(relpath, doc_id, "task", task.description, status), text)
    return plan


def _status(task: TwTask, statuses: tuple[str, ...], done: tuple[str, ...]) -> str | None:
    """Taskwarrior's status in the task workflow: pending and waiting are its first status (a started task its
    `in-progress`), completed its `done`, deleted its `cancelled` (None without one)."""
    if task.status == "completed":
        return "done" if "done" in statuses else (done[0] if done else statuses[-1])
    if task.status == "deleted":
        return "cancelled" if "cancelled" in statuses else None
    return "in-progress" if task.started and "in-progress" in statuses else statuses[0]


def _projects(index: Index, tasks: list[TwTask], plan: TaskImportPlan, reserved: set[str]) -> dict[str, str]:
    """Taskwarrior project name -> wm project ID: the workspace's project of that ID or title, else a new one."""
    found: dict[str, str] = {}
    existing = {**{p.title.lower(): p.id for p in index.projects()}, **{p.id: p.id for p in index.projects()}}
    workflow = index.settings.workflow("project")
    for name in dict.fromkeys(t.project for t in tasks if t.project):
        slug = slugify(name)
        if slug in existing or name.lower() in existing:
            found[name] = existing.get(slug) or existing[name.lower()]
            continue
        relpath, doc_id = unique_path(index, "project", slug, None, frozenset(reserved))
        reserved.add(doc_id)
        found[name] = doc_id
        mine = [t for t in tasks if t.project == name]
        status = None
        if workflow is not None:
            if all(t.status in ("completed", "deleted") for t in mine):
                status = "done" if "done" in workflow.statuses else workflow.default
            else:
                status = "active" if "active" in workflow.statuses else workflow.default
        entry = min((t.entry for t in mine if t.entry), default=None)
        text = _document(index, "project", name, doc_id, status, None, entry, {})
        _add(index, plan, NewFile(relpath, doc_id, "project", name, status or ""), text)
    return found


def _document(index: Index, doc_type: str, title: str, doc_id: str, status: str | None, project: str | None, created: dt.date | None, values: dict[str, Any]) -> str:
    """The new document's text from the workspace's template for its type, as `wm new` writes it."""
    day = created or index.today
    context: dict[str, Any] = {
        "title": title, "id": doc_id, "type": doc_type, "date": day.isoformat(), "month": f"{day:%Y-%m}", "month_name": month_name(day),
        "author": "taskwarrior", "project": project, "fields": {}, "status": status,
    }
    return set_keys(render_template(index.root, doc_type, context), {k: v for k, v in values.items() if v is not None})


def _add(index: Index, plan: TaskImportPlan, made: NewFile, text: str) -> None:
    parsed = parse_document(text, made.relpath, index.settings)
    errors: list[Diagnostic] = [d for d in parsed.diagnostics if d.is_error]
    if parsed.document is None or errors:
        raise WorkspaceError(f"importing {made.title!r} made an invalid document: {(errors or parsed.diagnostics)[0]}; nothing was written")
    plan.files[made.relpath] = text
    plan.made.append(made)


def apply_task_import(index: Index, plan: TaskImportPlan) -> list[str]:
    """Write every new file of the plan (each atomically; refused if the file appeared meanwhile)."""
    for relpath, text in plan.files.items():
        write_document(index.root, relpath, text, None)
    return list(plan.files)
