"""Derived views over the index: the board, what to do next, what is blocked, the agenda.

Pure functions of the index (and, for `next`, an optional schedule); the
CLI formats what they return. Scores and orders are documented in
docs/query.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from workspace_tool import blocking
from workspace_tool.errors import NotFoundError, UsageError, did_you_mean
from workspace_tool.index import Index
from workspace_tool.model import PRIORITY_RANK, Document, Task

# Urgency coefficients, after Taskwarrior's published defaults (priority H 6 / M 3.9 / L 1.8,
# due 12 ramping over 21 days, blocking 8, age 2 over a year); critical path as its `next` tag would.
PRIORITY_POINTS = {"critical": 9.0, "high": 6.0, "medium": 3.9, "low": 1.8}
DUE_POINTS = 12.0
CRITICAL_POINTS = 5.0
BLOCKING_POINTS = 8.0
AGE_POINTS = 2.0


def unfinished_dependencies(task: Task, index: Index) -> list[Document]:
    """The documents `task` depends on that exist and are not done (`blocking.blockers`, kept for existing importers)."""
    return blocking.blockers(task, index)


def _open_tasks(index: Index) -> list[Task]:
    return [t for t in index.of_type(Task) if not index.is_done(t)]


def check_person(index: Index, who: str | None) -> str | None:
    """The person `who` names, in any case (as query values are matched); NotFoundError (exit 1, as for an unknown
    ID) with the nearest person and naming the people if none."""
    if who is None:
        return None
    people = sorted(p.id for p in index.people())
    found = _match(who, people)
    if found is None:
        raise NotFoundError(f"no person {who!r}{did_you_mean(who, people)}; valid people: {', '.join(people) or '(none)'}")
    return found


def check_project(index: Index, project: str | None) -> str | None:
    """The project `project` names, in any case: a project's ID or the project of any task; NotFoundError (exit 1)
    with the nearest project if none."""
    if project is None:
        return None
    projects = sorted(p.id for p in index.projects())
    found = _match(project, sorted(set(projects) | {t.project for t in index.of_type(Task) if t.project is not None}))
    if found is None:
        valid = ", ".join(projects)
        raise NotFoundError(f"no project {project!r}{did_you_mean(project, projects)}; valid projects: {valid or '(none)'}")
    return found


def _match(name: str, ids: list[str]) -> str | None:
    """`name` itself if it is one of `ids`, else the one ID equal to it ignoring case."""
    if name in ids:
        return name
    folded = [i for i in ids if i.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def _same(value: str | None, wanted: str | None) -> bool:
    """A `--who`/`--project` filter: no filter, or equal ignoring case."""
    return wanted is None or (value is not None and value.casefold() == wanted.casefold())


def _card_order(task: Task) -> tuple[Any, ...]:
    return (PRIORITY_RANK.get(task.priority, 9), task.due or dt.date.max, task.id)


# -- board ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A status of the board and its cards; with the workflow's WIP limit of the status (`wip:`), if it has one, and
    the tasks in that status across the workspace (`load`: what the limit counts, more than `cards` on one project's board)."""

    status: str
    done: bool
    cards: tuple[Task, ...]
    limit: int | None = None
    load: int = 0

    @property
    def over(self) -> bool:
        """More tasks in this status than its WIP limit allows."""
        return self.limit is not None and self.load > self.limit

    @property
    def heading(self) -> str:
        """`doing (2)`; with a WIP limit `doing 3/3` (`doing 4/3 over` past it), and on a board that shows only some
        of the workspace's tasks in the status (one project's), its cards before the limit: `doing (1) WIP 3/3`."""
        if self.limit is None:
            return f"{self.status} ({len(self.cards)})"
        usage = f"{self.load}/{self.limit}{' over' if self.over else ''}"
        return f"{self.status} {usage}" if self.load == len(self.cards) else f"{self.status} ({len(self.cards)}) WIP {usage}"


def board(index: Index, project: str | None = None, include_done: bool = True) -> list[Column]:
    """One column per task workflow status (in workflow order; unknown statuses after), cards by priority, due, ID."""
    workflow = index.settings.workflow("task")
    statuses = list(workflow.statuses) if workflow else []
    every = index.of_type(Task)
    tasks = [t for t in every if _same(t.project, project)]
    for task in tasks:
        if task.status not in statuses:
            statuses.append(task.status)
    limits = workflow.wip if workflow is not None else {}
    load = {status: sum(1 for t in every if t.status == status) for status in limits}
    columns = []
    for status in statuses:
        done = workflow is not None and workflow.is_done(status)
        if done and not include_done:
            continue
        cards = sorted((t for t in tasks if t.status == status), key=_card_order)
        columns.append(Column(status, done, tuple(cards), limits.get(status), load.get(status, len(cards))))
    return columns


# -- next ----------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One component of an urgency score: its name, its points, and why."""

    name: str
    points: float
    reason: str


@dataclass(frozen=True)
class Ranked:
    task: Task
    score: float
    parts: tuple[Part, ...]


def due_factor(due: dt.date, today: dt.date) -> float:
    """0.2 two weeks or more before due, rising linearly to 1.0 at seven days overdue."""
    overdue_days = (today - due).days
    if overdue_days >= 7:
        return 1.0
    if overdue_days >= -14:
        return (overdue_days + 14) * 0.8 / 21 + 0.2
    return 0.2


def urgency(task: Task, index: Index, critical: frozenset[str] | None, blocking: int) -> Ranked:
    """The score of one task and its parts (see docs/query.md)."""
    parts = [Part("priority", PRIORITY_POINTS.get(task.priority, 0.0), f"priority {task.priority}")]
    if task.due is not None:
        days = (task.due - index.today).days
        when = "due today" if days == 0 else f"due in {_days(days)}" if days > 0 else f"{_days(-days)} overdue"
        parts.append(Part("due", DUE_POINTS * due_factor(task.due, index.today), when))
    if critical is not None and task.id in critical:
        parts.append(Part("critical", CRITICAL_POINTS, "on the critical path"))
    if blocking:
        parts.append(Part("blocking", BLOCKING_POINTS, f"{blocking} open task{'s wait' if blocking != 1 else ' waits'} for it"))
    if task.created is not None:
        age = max((index.today - task.created).days, 0)
        parts.append(Part("age", AGE_POINTS * min(age / 365, 1.0), f"created {_days(age)} ago"))
    score = round(sum(p.points for p in parts), 3)
    return Ranked(task, score, tuple(Part(p.name, round(p.points, 3), p.reason) for p in parts))


def _days(count: int) -> str:
    return f"{count} day{'s' * (count != 1)}"


def next_tasks(index: Index, who: str | None = None, limit: int | None = 10, plan: Any = None) -> list[Ranked]:
    """Open, unblocked, startable leaf tasks (not milestones), most urgent first.

    Blocked means `blocking.is_blocked` (a blocked ancestor blocks its
    subtasks); startable, that neither the task nor an open ancestor has a
    `start` after today, as the schedule has it. `plan` is the schedule
    (`Plan.tasks[id].critical`); without it the critical-path part is left out.
    """
    who = check_person(index, who)
    critical = frozenset(i for i, t in plan.tasks.items() if t.critical) if plan is not None else None
    open_tasks = _open_tasks(index)
    open_ids = {t.id for t in open_tasks}
    waiting: dict[str, int] = {}
    for task in open_tasks:
        for dep in set(task.depends_on):
            waiting[dep] = waiting.get(dep, 0) + 1
    ranked = []
    for task in open_tasks:
        if not _same(task.assignee, who):
            continue
        if task.milestone or (task.start is not None and task.start > index.today):
            continue
        if any(s in open_ids for s in index.subtasks.get(task.id, ())) or blocking.is_blocked(task, index):
            continue
        if task.parent is not None and blocking.later_ancestor(task, index) is not None:
            continue
        ranked.append(urgency(task, index, critical, waiting.get(task.id, 0)))
    ranked.sort(key=lambda r: (-r.score, r.task.due or dt.date.max, r.task.id))
    return ranked[:limit] if limit is not None else ranked


def schedule_or_none(index: Index) -> tuple[Any, str | None]:
    """The schedule if the scheduler is available and succeeds, else None and why."""
    try:
        from workspace_tool.scheduling import schedule_index
    except ImportError:
        return None, "the scheduler is not available, so the critical path is not counted"
    try:
        return schedule_index(index), None
    except Exception as exc:  # a plan that cannot be made must not stop `wm next`
        return None, f"no schedule ({exc}), so the critical path is not counted"


# -- blocked -------------------------------------------------------------


@dataclass(frozen=True)
class Blocked:
    """A blocked task (`blocking.is_blocked`): whether its status is `blocked`, and its unfinished dependencies."""

    task: Task
    blockers: tuple[Document, ...]
    marked: bool = False


def blocked_tasks(index: Index, who: str | None = None, project: str | None = None) -> list[Blocked]:
    """Blocked tasks (`blocking.is_blocked`: open, and marked `blocked` or with blockers), by task ID.

    `blockers` lists unfinished dependencies, stand-ins for unreadable ones
    (status `unreadable: PATH`) and the nearest blocked ancestor.
    """
    who = check_person(index, who)
    found = []
    for task in sorted(_open_tasks(index), key=lambda t: t.id):
        if not (_same(task.assignee, who) and _same(task.project, project)):
            continue
        waits = blocking.blockers(task, index)
        if waits or blocking.marked_blocked(task):
            found.append(Blocked(task, tuple(waits), blocking.marked_blocked(task)))
    return found


# -- agenda --------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # "due" or "start"
    date: dt.date
    doc: Document


@dataclass(frozen=True)
class Agenda:
    start: dt.date
    end: dt.date
    overdue: tuple[AgendaItem, ...]
    days: tuple[tuple[dt.date, tuple[AgendaItem, ...]], ...]


def _belongs_to(doc: Document, who: str) -> bool:
    return _same(getattr(doc, "assignee", None), who) or _same(getattr(doc, "owner", None), who)


def agenda(index: Index, who: str | None = None, days: int = 7) -> Agenda:
    """Open items due or starting from today for `days` days, by day; earlier open due dates are overdue."""
    if days < 1:
        raise UsageError(f"--days must be at least 1, got {days}")
    who = check_person(index, who)
    start = index.today
    end = start + dt.timedelta(days=days - 1)
    by_day: dict[dt.date, list[AgendaItem]] = {}
    overdue = []
    for doc in index.docs.values():
        if index.is_done(doc) or (who is not None and not _belongs_to(doc, who)):
            continue
        for kind in ("due", "start"):
            day = getattr(doc, kind, None)
            if not isinstance(day, dt.date):
                continue
            if start <= day <= end:
                by_day.setdefault(day, []).append(AgendaItem(kind, day, doc))
            elif kind == "due" and day < start:
                overdue.append(AgendaItem(kind, day, doc))
    order = _agenda_order
    return Agenda(
        start,
        end,
        tuple(sorted(overdue, key=order)),
        tuple((day, tuple(sorted(items, key=order))) for day, items in sorted(by_day.items())),
    )


def _agenda_order(item: AgendaItem) -> tuple[Any, ...]:
    return (item.date, item.kind != "due", PRIORITY_RANK.get(getattr(item.doc, "priority", ""), 9), item.doc.id)
