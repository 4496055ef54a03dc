"""From a workspace index to the scheduler's input types."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from workspace_tool.config import WEEKDAYS, Calendar
from workspace_tool.effort import overrun, remaining_effort
from workspace_tool.index import Index
from workspace_tool.model import PRIORITY_RANK, Document, Person, Project, Task
from workspace_tool.scheduling.calendar import WorkCalendar
from workspace_tool.scheduling.types import PlanWarning, Resource, SchedInput, SchedProject, SchedTask

HOLD_STATUSES = frozenset({"on-hold"})
"""Project statuses whose open tasks are paused: they book nothing, and what needs them cannot be scheduled."""

TASK_KEYS: Mapping[str, str] = {
    "depends_on": "planned without any of its dependencies",
    "assignee": "planned unassigned",
    "start": "planned without a start date",
    "due": "planned without a due date",
    "estimate": "planned from `remaining`",
    "remaining": "planned from its estimate",
    "parent": "planned as a top-level task",
    "priority": "planned at its parent's or project's priority",
    "milestone": "planned as a task",
}
"""A task's scheduling keys, each with what the plan does when its value does not parse."""

KEPT_ITEMS: Mapping[str, str] = {"depends_on": "planned with its other dependencies"}
"""A task's list keys that keep their valid items when some are refused (`fields._each`), with what the plan does then."""

PROJECT_KEYS: Mapping[str, str] = {
    "start": "its tasks are planned without it",
    "due": "planned without a due date",
    "priority": "its tasks are planned at medium priority",
    "status": "its tasks are planned",
}


def plan_start(index: Index, start: dt.date | None = None) -> dt.date:
    """`--from`, else `schedule.start` in workspace.yml, else today."""
    return start or index.settings.schedule_start or index.today


def work_calendar(calendar: Calendar) -> WorkCalendar:
    weekdays = frozenset(WEEKDAYS.index(d) for d in calendar.workdays)
    return WorkCalendar(calendar.hours_per_day, weekdays, frozenset(calendar.holidays), calendar.day_start)


def build_input(index: Index, start: dt.date | None = None, done_dates: Mapping[str, dt.date] | None = None) -> SchedInput:
    """Every task of the index (done ones included, to anchor dates), people and projects.

    `done_dates` (from git history) dates done tasks that have no `done:` key.
    It reads tasks, people, projects and time logs (logged hours): the site's
    kept plan is trusted while their files are unchanged, so a new input
    type must be added to `site.sources.SCHEDULED_FROM` too.
    """
    history = done_dates or {}
    documents = sorted(index.of_type(Task), key=lambda t: t.id)
    stopped = {p.id: p.status for p in index.projects() if p.status in HOLD_STATUSES or index.is_done(p)}
    priority = Priorities(index)
    tasks = tuple(sched_task(index, t, history.get(t.id), stopped.get(t.project or ""), priority.of(t)) for t in documents)
    people = {p.id: resource(p) for p in index.people()}
    # an assignee with no person file is one person at the calendar's hours, not an unlimited crew
    resources = {**people, **{t.assignee: Resource(t.assignee) for t in tasks if t.assignee and not t.closed and t.assignee not in people}}
    projects = tuple(SchedProject(p.id, p.due, p.start) for p in sorted(index.projects(), key=lambda p: p.id))
    return SchedInput(
        start=plan_start(index, start),
        calendar=work_calendar(index.settings.calendar),
        tasks=tasks,
        resources=resources,
        projects=projects,
        at_risk_ratio=index.settings.at_risk_ratio,
        warnings=input_warnings(index, documents, tasks, people, stopped),
    )


def input_warnings(index: Index, documents: list[Task], tasks: tuple[SchedTask, ...], people: Mapping[str, Resource], stopped: Mapping[str, str]) -> tuple[PlanWarning, ...]:
    """What the plan cannot take as written: keys that did not parse, missing estimates, unknown people, estimates
    overrun, and the open tasks of stopped projects (one warning per project)."""
    hours = index.settings.calendar.hours_per_day
    found: list[PlanWarning] = []
    for doc, task in zip(documents, tasks):
        if task.closed:
            continue
        bad = _bad_keys(index, doc, TASK_KEYS)
        if "estimate" in bad and task.effort == 0 and doc.remaining is None:
            bad["estimate"] = bad["estimate"].replace(TASK_KEYS["estimate"], "scheduled as zero effort")
        found.extend(PlanWarning(task.id, message) for message in bad.values())
        if not task.has_estimate and "estimate" not in bad:
            found.append(PlanWarning(task.id, "no estimate; scheduled as zero effort"))
        if task.assignee and task.assignee not in people:
            found.append(PlanWarning(task.id, f"assignee {task.assignee!r} has no person document; planned at {hours:g}h a day (wm report people counts no capacity)"))
        if (over := overrun(index, doc)) is not None:
            found.append(PlanWarning(task.id, f"{over[0]:g}h logged of a {over[1]:g}h estimate: set remaining: to plan the work left"))
    for project in sorted(index.projects(), key=lambda p: p.id):
        found.extend(PlanWarning(project.id, message) for message in _bad_keys(index, project, PROJECT_KEYS).values())
    found.extend(_stopped_warnings(index, documents, stopped))
    return tuple(found)


def _bad_keys(index: Index, doc: Document, keys: Mapping[str, str]) -> dict[str, str]:
    """Per scheduling key whose value did not parse, the warning: `KEY ignored: PATH:LINE: why; what the plan does`;
    for a list that kept some items (`KEPT_ITEMS`), one per refused item (`KEY item ignored: ...`, keyed `KEY:LINE`)."""
    found: dict[str, str] = {}
    for problem in index.file_diagnostics.get(doc.path, ()):
        if problem.code != "bad-value":
            continue
        key, _, why = problem.message.partition(": ")
        if key not in keys:
            continue
        if key in KEPT_ITEMS and getattr(doc, key, None):  # some items were read: each refused one is said
            found[f"{key}:{problem.line}"] = f"{key} item ignored: {problem.path}:{problem.line}: {why}; {KEPT_ITEMS[key]}"
        elif key not in found:
            found[key] = f"{key} ignored: {problem.path}:{problem.line}: {why}; {keys[key]}"
    return found


def _stopped_warnings(index: Index, documents: list[Task], stopped: Mapping[str, str]) -> list[PlanWarning]:
    """One warning per done, cancelled or on-hold project that still has open tasks (which book nothing)."""
    left: dict[str, list[str]] = {}
    for doc in documents:
        if doc.project is not None and doc.project in stopped and not index.is_done(doc):
            left.setdefault(doc.project, []).append(doc.id)
    found = []
    for pid in sorted(left):
        ids = left[pid]
        named = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        plural = "s" if len(ids) != 1 else ""
        verb = "are" if len(ids) != 1 else "is"
        then = "; what depends on them is not scheduled" if stopped[pid] in HOLD_STATUSES else ""
        found.append(PlanWarning(pid, f"{len(ids)} open task{plural} of {stopped[pid]} project {pid} {verb} not planned: {named}{then}"))
    return found


def undated_done_tasks(index: Index) -> list[str]:
    """Done or cancelled tasks with no `done:` key: history can date them."""
    return [t.id for t in index.of_type(Task) if t.done is None and index.is_done(t)]


def history_done_dates(index: Index) -> dict[str, dt.date]:
    """The `done_dates` argument of `build_input`, read from git history (`done_dates_from`).

    Outside a git repository a document's one version is its file as it is,
    dated by its modification time (`wm history`): those dates are read from
    the undated tasks' files alone, not by loading the workspace's history,
    which would read and parse every file again (6 s at 50,000 documents).
    """
    from workspace_tool.history import load_history
    from workspace_tool.history.read import in_git

    undated = undated_done_tasks(index)
    if not undated:
        return {}
    if not in_git(index.root):
        return modified_dates(index, undated)
    return done_dates_from(index, load_history(index))


def modified_dates(index: Index, ids: list[str]) -> dict[str, dt.date]:
    """Each task's file's modification date (local time), as `wm history` dates a version outside git (or uncommitted)."""
    found: dict[str, dt.date] = {}
    for task_id in ids:
        try:
            mtime = (index.root / index.docs[task_id].path).stat().st_mtime
        except OSError:
            continue
        found[task_id] = dt.datetime.fromtimestamp(mtime).astimezone().date()
    return found


def done_dates_from(index: Index, history: Any) -> dict[str, dt.date]:
    """The `done_dates` argument of `build_input`: `history.done_dates(ids)` of the done tasks without `done:`.

    Committed documents' dates are kept between runs (`history.done_cache`).
    """
    from workspace_tool.history import done_cache

    undated = undated_done_tasks(index)
    if not undated:
        return {}
    kept = done_cache.load(index.root, history)
    before = dict(kept) if kept else None
    found: Mapping[str, dt.datetime] = history.done_dates(frozenset(undated), kept)
    if kept is not None and kept != before:
        done_cache.save(index.root, history, kept)
    return {task_id: found[task_id].date() for task_id in undated if task_id in found}


def sched_task(index: Index, task: Task, done_in_history: dt.date | None = None, project_status: str | None = None, priority: str | None = None) -> SchedTask:
    """The scheduler's view of a task. `project_status`: its project's when that is done, cancelled or on hold (its
    open tasks then book nothing); `priority`: the inherited one (`Priorities.of`), else the task's own."""
    own_closed = index.is_done(task)
    closed = own_closed or project_status is not None
    effort = remaining_effort(index, task)  # the one definition, shared with `wm report people` and the site
    is_parent = bool(index.subtasks.get(task.id))
    return SchedTask(
        id=task.id,
        effort=effort or 0.0,
        project=task.project,
        assignee=task.assignee,
        priority=PRIORITY_RANK.get(priority or task.priority, 2),
        depends_on=task.depends_on,
        start=task.start,
        due=task.due,
        parent=task.parent,
        milestone=task.milestone,
        closed=closed,
        cancelled=index.is_cancelled(task) if own_closed else project_status is not None and _cancelled_status(index, project_status),
        done=task.done or (done_in_history if own_closed else None),
        has_estimate=effort is not None or task.milestone or closed or is_parent,
        on_hold=not own_closed and project_status in HOLD_STATUSES,
    )


def _cancelled_status(index: Index, status: str) -> bool:
    workflow = index.settings.workflow("project")
    return workflow is not None and workflow.is_cancelled(status)


def own_priority(doc: Document) -> str | None:
    """The `priority:` written in a document's frontmatter, when it is a valid one (`Task.priority` defaults to
    medium, so "not set" is read from the raw frontmatter)."""
    raw = doc.raw.get("priority")
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    return text if text in PRIORITY_RANK else None


class Priorities:
    """Inherited priorities: a task's own `priority:`, else its parent's (recursively), else its project's, else
    medium (TaskJuggler: "inherited by subtasks"). Memoised per task."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.found: dict[str, str | None] = {}

    def of(self, task: Task) -> str:
        return self._inherited(task) or "medium"

    def _inherited(self, task: Task) -> str | None:
        """Own priority, else the parent's inherited one, else the project's: None when none is set."""
        chain: list[Task] = []
        value: str | None = None
        current: Task | None = task
        while current is not None and current.id not in self.found and current not in chain:
            value = own_priority(current)
            if value is not None:
                break
            chain.append(current)
            parent = self.index.docs.get(current.parent) if current.parent else None
            current = parent if isinstance(parent, Task) else None
        if value is None and current is not None and current.id in self.found:
            value = self.found[current.id]
        if current is not None and current.id not in self.found:
            self.found[current.id] = value
        for step in reversed(chain):  # from the top: a task with nothing above it takes its project's
            value = value or self._project(step)
            self.found[step.id] = value
        return self.found[task.id]

    def _project(self, task: Task) -> str | None:
        project = self.index.docs.get(task.project) if task.project else None
        return own_priority(project) if isinstance(project, Project) else None


def resource(person: Person) -> Resource:
    weekdays = None if person.workdays is None else frozenset(WEEKDAYS.index(d) for d in person.workdays if d in WEEKDAYS)
    return Resource(person.id, person.capacity, weekdays, tuple((r.start, r.end) for r in person.leave))
