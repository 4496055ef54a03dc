"""Process templates: `templates/processes/NAME.md` describes tasks to instantiate with `wm apply`.

Format (frontmatter):

    title: Client onboarding
    description: one line
    tasks:
      - {id: kickoff, title: Kickoff workshop, estimate: 1d, offset_days: 5,
         depends_on: [contract], role: pm, priority: high, due_days: 2}

`offset_days` counts working days from the start date (the task's `start:`;
negative: before it), `due_days` (optional) the working days from its start to
its `due:`, `role` is filled with a person by `--assignee role=person`. A
step's `title` and `description` are Jinja2 text, rendered as `wm new`'s
templates are (`create.render_text`), with the run's variables
(`{{ project }}`, `{{ start }}`, ... and `--var NAME=VALUE`). IDs become
`<project>-<id>`; a later run of the template in the same project (`--again`)
names its tasks after their titles when those are new to the project, else
after the step and the run's start date (`<project>-<id>-<start>`; a random
suffix only when that is taken too). Each task records its run (`process:`,
`run:`), and `depends_on` is rewired to the new IDs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workspace_tool.create import month_name, render_template, render_text, slugify, text_variables, unique_path
from workspace_tool.edit import Source, checked_write, set_keys
from workspace_tool.edit_ops import Change, Result
from workspace_tool.edit_values import require_doc
from workspace_tool.errors import NotFoundError, UsageError, WorkspaceError
from workspace_tool.gitops import author as git_author
from workspace_tool.index import Index
from workspace_tool.parse import parse_document, split_frontmatter
from workspace_tool.validate import find_cycles
from workspace_tool.values import parse_duration
from workspace_tool.yamlload import item_lines, load_yaml_mapping

FOLDER = "templates/processes"
TASK_KEYS = frozenset({"id", "title", "estimate", "offset_days", "due_days", "depends_on", "role", "priority", "tags", "milestone", "description"})
RUN_VARIABLES = ("process", "project", "start", "date", "month", "month_name", "author")
"""The variables wm sets for a step's title and description (besides `--var`s), documented in docs/editing.md."""
PROCESS_KEY, RUN_KEY = "process", "run"
"""The keys that record, in each task `wm apply` makes, the template and the run (its start date) it came from."""
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class StepSpec:
    """One task of a process template."""

    key: str
    title: str
    line: int
    estimate: str | None = None
    offset_days: int = 0
    due_days: int | None = None
    depends_on: tuple[str, ...] = ()
    role: str | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()
    milestone: bool = False
    description: str = ""


@dataclass(frozen=True)
class ProcessTemplate:
    name: str
    path: str
    title: str
    description: str
    steps: tuple[StepSpec, ...]

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.role for s in self.steps if s.role))


def template_names(root: Path) -> list[str]:
    folder = root / FOLDER
    return sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []


def _fail(path: str, line: int, message: str) -> WorkspaceError:
    return WorkspaceError(f"{path}:{line}: {message}")


def parse_process(text: str, path: str, name: str, hours_per_day: float = 8.0) -> ProcessTemplate:
    """Read a process template; any problem is one `WorkspaceError` naming file and line."""
    split = split_frontmatter(text.replace("\r\n", "\n"), path)
    if split.error or split.frontmatter is None:
        raise _fail(path, 1, "a process template needs frontmatter with 'title' and a 'tasks' list")
    data, lines, problems = load_yaml_mapping(split.frontmatter, path, split.fm_line - 1)
    if data is None:
        raise WorkspaceError(str(problems[0]))
    raw_tasks = data.get("tasks")
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise _fail(path, lines.get("tasks", 1), "'tasks' must be a non-empty list of {id, title, estimate, offset_days, depends_on, role}")
    item_at = item_lines(split.frontmatter, "tasks", split.fm_line - 1)
    steps = [_step(item, item_at[i] if i < len(item_at) else lines.get("tasks", 1), path, hours_per_day) for i, item in enumerate(raw_tasks)]
    _check_steps(steps, path)
    title = str(data.get("title") or name)
    return ProcessTemplate(name, path, title, str(data.get("description") or ""), tuple(steps))


def _step(item: Any, line: int, path: str, hours_per_day: float) -> StepSpec:
    if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
        raise _fail(path, line, "each task needs at least 'id' and 'title'")
    unknown = sorted(set(map(str, item)) - TASK_KEYS)
    if unknown:
        raise _fail(path, line, f"unknown task key {unknown[0]!r} (use {', '.join(sorted(TASK_KEYS))})")
    estimate = item.get("estimate")
    if isinstance(estimate, (int, float)) and not isinstance(estimate, bool):
        estimate = f"{estimate:g}h"  # a bare number is hours, as in a document and `wm new -e 4`
    if estimate is not None:
        try:
            parse_duration(estimate, hours_per_day)
        except ValueError as exc:
            raise _fail(path, line, f"estimate: {exc}") from None
    if not isinstance(item.get("milestone", False), bool):
        raise _fail(path, line, f"milestone: expected true or false, got {item['milestone']!r}")
    for key in ("role", "priority", "title", "id"):
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise _fail(path, line, f"{key}: expected one word or text, got {value!r}")
    offsets = {}
    for key in ("offset_days", "due_days"):
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or (value < 0 and key == "due_days")):
            kind = "a whole number of working days (negative: before the start date)" if key == "offset_days" else "a whole number of working days, 0 or more"
            raise _fail(path, line, f"{key}: expected {kind}, got {value!r}")
        offsets[key] = value
    depends = item.get("depends_on") or []
    if isinstance(depends, str):
        depends = [depends]
    return StepSpec(
        str(item["id"]), str(item["title"]), line, None if estimate is None else str(estimate), offsets["offset_days"] or 0,
        offsets["due_days"], tuple(str(d) for d in depends), str(item["role"]) if item.get("role") else None,
        str(item["priority"]) if item.get("priority") else None, tuple(str(t) for t in item.get("tags") or ()),
        bool(item.get("milestone", False)), str(item.get("description") or ""),
    )


def _check_steps(steps: list[StepSpec], path: str) -> None:
    keys = [s.key for s in steps]
    for step in steps:
        if keys.count(step.key) > 1:
            raise _fail(path, step.line, f"duplicate task id {step.key!r}")
        for dep in step.depends_on:
            if dep not in keys:
                raise _fail(path, step.line, f"depends_on: {dep!r} is not a task of this template")
    cycles = find_cycles({s.key: list(s.depends_on) for s in steps})
    if cycles:
        raise _fail(path, steps[keys.index(cycles[0][0])].line, f"depends_on cycle: {' -> '.join(cycles[0])}")


def load_process(index: Index, name: str) -> ProcessTemplate:
    names = template_names(index.root)
    relpath = f"{FOLDER}/{name}.md"
    if name not in names:
        from workspace_tool.edit_values import nearest

        hint = nearest(name, names)
        listed = f" (have: {', '.join(names)})" if names else f" (none in {FOLDER}/)"
        raise NotFoundError(f"no process template {name!r}{' — did you mean ' + repr(hint) + '?' if hint else listed}")
    text = (index.root / relpath).read_bytes().decode("utf-8-sig")
    return parse_process(text, relpath, name, index.settings.calendar.hours_per_day)


def add_workdays(day: dt.date, count: int, index: Index) -> dt.date:
    """`count` working days after `day` (0: `day` itself, moved on to a working day; negative: that many working
    days before that day)."""
    cal = index.settings.calendar
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    step = dt.timedelta(days=1 if count >= 0 else -1)
    for _ in range(abs(count)):
        day += step
        while not cal.is_workday(day):
            day += step
    return day


@dataclass(frozen=True)
class StepText:
    """A step's title and description, rendered for one run."""

    title: str
    description: str


def parse_variables(items: Sequence[str]) -> list[tuple[str, str]]:
    """`--var NAME=VALUE` texts as (name, value) pairs, in order; one without `=` is a UsageError."""
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item}: expected NAME=VALUE (e.g. --var hire=\"Dana Ruiz\")")
        pairs.append((name.strip(), value.strip()))
    return pairs


def check_variables(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """`--var NAME=VALUE` pairs as a run's variables; a name that is no template name, one wm sets itself, or one given
    twice is a UsageError."""
    variables: dict[str, str] = {}
    for name, value in pairs:
        if not _VARIABLE.fullmatch(name):
            raise UsageError(f"--var {name}={value}: a variable's name is letters, digits and '_', not starting with a digit (e.g. --var hire=\"Dana Ruiz\")")
        if name in RUN_VARIABLES:
            raise UsageError(f"--var {name}: wm sets {{{{ {name} }}}} itself (the variables it sets: {', '.join(RUN_VARIABLES)}); give yours another name")
        if name in variables:
            raise UsageError(f"--var {name} is given twice ({variables[name]!r} and {value!r})")
        variables[name] = value
    return variables


def run_context(index: Index, template: ProcessTemplate, project: str, start: dt.date, variables: Mapping[str, str]) -> dict[str, Any]:
    """The variables of a step's title and description in one run: `RUN_VARIABLES`, then the `--var`s."""
    today = index.today
    return {
        "process": template.name, "project": project, "start": start.isoformat(), "date": today.isoformat(),
        "month": f"{today:%Y-%m}", "month_name": month_name(today), "author": git_author(index.root), **variables,
    }


def render_steps(root: Path, template: ProcessTemplate, context: dict[str, Any]) -> list[StepText]:
    """Every step's title and description rendered with `context`, as `wm new` renders a template; an unknown
    variable, a syntax error or a title left empty is refused, naming the template's file and the step's line."""
    hint = "; give it with --var {name}=VALUE"
    texts = []
    for step in template.steps:
        where = f"{template.path}:{step.line}"
        title = " ".join(render_text(root, step.title, context, where, hint).split())
        if not title:
            raise WorkspaceError(f"{where}: the title of step {step.key!r} is empty once rendered ({step.title!r})")
        description = render_text(root, step.description, context, where, hint) if step.description else ""
        texts.append(StepText(title, description))
    return texts


def _check_used(root: Path, template: ProcessTemplate, variables: Mapping[str, str]) -> None:
    """A `--var` no step uses is refused (a misspelt name would otherwise be lost without a word)."""
    used: set[str] = set()
    for step in template.steps:
        for text in (step.title, step.description):
            if text:
                used |= text_variables(root, text)
    unused = sorted(set(variables) - used)
    if unused:
        own = sorted(used - set(RUN_VARIABLES))
        uses = f"it uses {', '.join(own)}" if own else "it uses none of its own"
        raise UsageError(f"--var {unused[0]}: no step of the process {template.name!r} ({template.path}) uses {{{{ {unused[0]} }}}} ({uses})")


def plan(
    index: Index, template: ProcessTemplate, project: str, start: dt.date, roles: dict[str, str], variables: Mapping[str, str] | None = None,
) -> list[tuple[str, str, str]]:
    """(relpath, id, text) of every task to create, checked; nothing is written."""
    unknown_roles = sorted(set(roles) - set(template.roles))
    if unknown_roles:
        raise UsageError(f"the process {template.name!r} has no role {unknown_roles[0]!r} (roles: {', '.join(template.roles) or 'none'})")
    people = {role: require_doc(index, who, ("person",)).id for role, who in roles.items()}
    variables = dict(variables or {})
    context = run_context(index, template, project, start, variables)
    texts = render_steps(index.root, template, context)
    _check_used(index.root, template, variables)
    named = _names(index, template, project, start, texts)
    ids = {step.key: doc_id for step, (_, doc_id, _) in zip(template.steps, named)}
    workflow = index.settings.workflow("task")
    result = []
    for step, rendered, (relpath, doc_id, title) in zip(template.steps, texts, named):
        values = _values(index, step, start, people, ids)
        values[PROCESS_KEY], values[RUN_KEY] = template.name, start
        doc_context = {"title": title, "id": doc_id, "type": "task", "date": context["date"], "author": context["author"],
                       "month": context["month"], "month_name": context["month_name"],  # the variables `wm new` gives
                       "project": project, "fields": values, "status": workflow.default if workflow else "todo"}
        text = set_keys(render_template(index.root, "task", doc_context), values)
        note = f"Created from the process template `{template.name}` ({template.title}), step `{step.key}`, run of {start.isoformat()}."
        description = rendered.description.strip()
        text = text.rstrip("\n") + "\n\n" + (description + "\n\n" if description else "") + note + "\n"
        parsed = parse_document(text, relpath, index.settings)
        errors = [d for d in parsed.diagnostics if d.is_error]
        if parsed.document is None or errors:
            raise WorkspaceError(f"{template.path}:{step.line}: makes an invalid task: {(errors or list(parsed.diagnostics))[0].message}")
        result.append((relpath, doc_id, text))
    return result


def _names(index: Index, template: ProcessTemplate, project: str, start: dt.date, texts: list[StepText]) -> list[tuple[str, str, str]]:
    """(relpath, id, title) of each step's task: `<project>-<step>` when free (a first run). In a later run, a title
    new to the project's tasks from this template (`Order laptop for {{ hire }}`) names the task; a title they have
    gets the run's start date, as the ID does (`<project>-<step>-<start>`); a random suffix only when that is taken."""
    earlier = {doc.title for doc in (index.get(i) for i in applied(index, template, project)) if doc is not None}
    day = start.isoformat()
    taken: set[str] = set()
    named = []
    for step, text in zip(template.steps, texts):
        first = slugify(f"{project}-{step.key}")
        if text.title in earlier:
            title, candidates = f"{text.title} ({day})", [first, f"{first}-{day}"]
        else:
            title, candidates = text.title, [first, slugify(f"{project}-{text.title}"), f"{first}-{day}"]
        relpath, doc_id = _first_free(index, project, candidates, frozenset(taken))
        taken.add(doc_id)
        named.append((relpath, doc_id, title))
    return named


def _first_free(index: Index, project: str, candidates: list[str], taken: frozenset[str]) -> tuple[str, str]:
    """(relpath, id) of the first candidate ID that is free, else the last with a random suffix (`unique_path`)."""
    for slug in candidates:
        relpath, doc_id = unique_path(index, "task", slug, project, taken)
        if doc_id == slug:
            return relpath, doc_id
    return unique_path(index, "task", candidates[-1], project, taken)


def applied(index: Index, template: ProcessTemplate, project: str) -> list[str]:
    """The tasks of `project` an earlier `wm apply` made from `template`: those recording it (`process: NAME`), and
    those made before wm recorded it, named after a step and saying so in the body."""
    found = {task.id for task in index.tasks_of(project) if str(task.extra.get(PROCESS_KEY)) == template.name}
    mark = f"process template `{template.name}`"
    for step in template.steps:
        doc = index.get(slugify(f"{project}-{step.key}"))
        if doc is not None and getattr(doc, "project", None) == project and mark in doc.body:
            found.add(doc.id)
    return sorted(found)


def _values(index: Index, step: StepSpec, start: dt.date, people: dict[str, str], ids: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    begin = add_workdays(start, step.offset_days, index)
    if step.role and step.role in people:
        values["assignee"] = people[step.role]
    if step.priority:
        values["priority"] = step.priority
    if step.estimate:
        values["estimate"] = step.estimate
    values["start"] = begin
    if step.due_days is not None:
        values["due"] = add_workdays(begin, step.due_days, index)
    if step.depends_on:
        values["depends_on"] = [ids[d] for d in step.depends_on]
    if step.milestone:
        values["milestone"] = True
    if step.tags:
        values["tags"] = list(step.tags)
    return values


def apply_process(
    index: Index, name: str, project: str, start: dt.date | None, roles: dict[str, str], again: bool = False,
    variables: Sequence[tuple[str, str]] = (),
) -> Result:
    """`wm apply`: write every task of the template into the project (all checked before the first write); a
    template already applied to the project is refused unless `again` (its tasks would be made twice).
    `variables`: the `--var NAME=VALUE` pairs, in order."""
    given = check_variables(variables)
    template = load_process(index, name)
    project_id = require_doc(index, project, ("project",)).id
    made = applied(index, template, project_id)
    if made and not again:
        tasks = f"{len(made)} of its tasks are there ({made[0]}, …)" if len(made) > 1 else f"its task {made[0]} is there"
        raise UsageError(
            f"the process {name!r} was applied to {project_id} already: {tasks}; pass --again to make its tasks a second time "
            f"(named after their titles where those are new, else with the start date), or give each run a project "
            f"of its own (wm new project TITLE, then wm apply {name} --project ID)"
        )
    planned = plan(index, template, project_id, start or index.today, roles, given)
    changes = []
    for relpath, doc_id, text in planned:
        checked_write(Source(index.root / relpath, relpath, None, ""), text)
        changes.append(Change(relpath, f"task {doc_id}: created from process {name}", created=True))
    missing = [r for r in template.roles if r not in roles]
    notes = [f"unassigned roles: {', '.join(missing)} (pass --assignee ROLE=PERSON)"] if missing else []
    owner = index.get(project_id)
    if owner is not None and index.is_done(owner):
        status = getattr(owner, "status", "done")
        notes.append(f"{project_id} is {status}: its new tasks are open work in a finished project (reopen it with 'wm move {project_id} active')")
    return Result(tuple(changes), tuple(notes))
