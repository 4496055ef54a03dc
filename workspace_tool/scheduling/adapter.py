"""From a workspace index to the scheduler's input types."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from workspace_tool.config import WEEKDAYS, Calendar
from workspace_tool.effort import remaining_effort
from workspace_tool.index import Index
from workspace_tool.model import PRIORITY_RANK, Person, Task
from workspace_tool.scheduling.calendar import WorkCalendar
from workspace_tool.scheduling.types import PlanWarning, Resource, SchedInput, SchedProject, SchedTask


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
    tasks = tuple(sched_task(index, t, history.get(t.id)) for t in sorted(index.of_type(Task), key=lambda t: t.id))
    people = {p.id: resource(p) for p in index.people()}
    hours = index.settings.calendar.hours_per_day
    warnings = tuple(PlanWarning(t.id, "no estimate; scheduled as zero effort") for t in tasks if not t.has_estimate) + tuple(
        PlanWarning(t.id, f"assignee {t.assignee!r} has no person document; planned at {hours:g}h a day (wm report people counts no capacity)")
        for t in tasks if t.assignee and not t.closed and t.assignee not in people
    )
    projects = tuple(SchedProject(p.id, p.due) for p in sorted(index.projects(), key=lambda p: p.id))
    return SchedInput(
        start=plan_start(index, start),
        calendar=work_calendar(index.settings.calendar),
        tasks=tasks,
        resources=people,
        projects=projects,
        at_risk_ratio=index.settings.at_risk_ratio,
        warnings=warnings,
    )


def undated_done_tasks(index: Index) -> list[str]:
    """Done or cancelled tasks with no `done:` key: history can date them."""
    return [t.id for t in index.of_type(Task) if t.done is None and index.is_done(t)]


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


def sched_task(index: Index, task: Task, done_in_history: dt.date | None = None) -> SchedTask:
    closed = index.is_done(task)
    effort = remaining_effort(index, task)  # the one definition, shared with `wm report people` and the site
    is_parent = bool(index.subtasks.get(task.id))
    return SchedTask(
        id=task.id,
        effort=effort or 0.0,
        project=task.project,
        assignee=task.assignee,
        priority=PRIORITY_RANK.get(task.priority, 2),
        depends_on=task.depends_on,
        start=task.start,
        due=task.due,
        parent=task.parent,
        milestone=task.milestone,
        closed=closed,
        cancelled=closed and index.is_cancelled(task),
        done=task.done or (done_in_history if closed else None),
        has_estimate=effort is not None or task.milestone or closed or is_parent,
    )


def resource(person: Person) -> Resource:
    weekdays = None if person.workdays is None else frozenset(WEEKDAYS.index(d) for d in person.workdays if d in WEEKDAYS)
    return Resource(person.id, person.capacity, weekdays, tuple((r.start, r.end) for r in person.leave))
