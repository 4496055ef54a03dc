"""Turning the levelled pass into a `Plan`: dates, bookings, slack, lateness and project forecasts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from workspace_tool.scheduling.calendar import Timeline
from workspace_tool.scheduling.cpm import successors, total_slack
from workspace_tool.scheduling.engine import Levelled
from workspace_tool.scheduling.types import Booking, Cause, Plan, ProjectForecast, SchedInput, SchedTask, ScheduledTask


def build_plan(inp: SchedInput, run: Levelled) -> Plan:
    """Assemble the plan from a levelled pass."""
    graph, tl = run.graph, run.timeline
    ends = _project_ends(run)
    plan_end = max(ends.values(), default=0)
    horizon = [ends.get(_project(run, i), plan_end) if _project(run, i) is not None else plan_end for i in range(len(graph.ids))]
    succs = successors(run)
    slack, binding = total_slack(run, horizon, succs)
    tasks: dict[str, ScheduledTask] = {}
    for task in inp.tasks:
        i = graph.node_of.get(task.id)
        if i is None:
            tasks[task.id] = _closed(task, tl)
        elif run.done[i] and not graph.summary[i]:
            tasks[task.id] = _leaf(run, i, task, slack[i])
    _add_summaries(inp, run, tasks, slack)
    links = {graph.ids[i]: tuple(graph.owner(s) for s in succs[i]) for i in range(len(graph.ids)) if run.done[i]}
    bind = {graph.ids[i]: (graph.owner(b) if b is not None else None) for i, b in enumerate(binding) if run.done[i]}
    projects = _forecasts(inp, tasks, run)
    return Plan(inp.start, tasks, projects, tuple(inp.warnings) + tuple(run.warnings), links, bind, tl.end_date(plan_end) if plan_end else inp.start)


def _project(run: Levelled, i: int) -> str | None:
    task = run.graph.task[i] or run.graph.task[run.graph.node_of[run.graph.owner(i)]]
    return task.project if task else None


def _project_ends(run: Levelled) -> dict[str | None, int]:
    ends: dict[str | None, int] = {}
    for i, task in enumerate(run.graph.task):
        if task is not None and run.done[i]:
            ends[task.project] = max(ends.get(task.project, 0), run.end[i])
    return ends


def _hours(minutes: int) -> float:
    found = _HOURS.get(minutes)
    if found is None:
        found = round(minutes / 60, 4)
        if len(_HOURS) < 100_000:
            _HOURS[minutes] = found
    return found


_HOURS: dict[int, float] = {}
"""Minutes -> hours, as `_hours` rounds them: a plan of 10,000 tasks rounds 100,000 bookings of a few hundred values."""


def _leaf(run: Levelled, i: int, task: SchedTask, slack: int) -> ScheduledTask:
    tl = run.timeline
    spans = run.spans[i]
    cause = run.cause[i]
    if spans:
        start_at, end_at = tl.start_datetime(run.start[i]), tl.end_datetime(run.end[i])
    else:
        at = tl.end_datetime(run.start[i]) if cause.kind == "predecessor" else tl.start_datetime(run.start[i])
        start_at = end_at = at
    per_day: dict[int, int] = {}
    for d, _, m in spans:
        per_day[d] = per_day.get(d, 0) + m
    date, hours = tl.date, _hours
    bookings = tuple([Booking(date(d), hours(m)) for d, m in per_day.items()])
    end = end_at.date()
    return ScheduledTask(
        id=task.id,
        project=task.project,
        assignee=task.assignee,
        start=start_at.date(),
        end=end,
        start_at=start_at,
        end_at=end_at,
        effort_hours=_hours(sum(m for _, _, m in spans)),
        slack_hours=_hours(slack),
        critical=slack <= 0,
        late=task.due is not None and end > task.due,
        bookings=bookings,
        milestone=task.milestone,
        due=task.due,
        cause=cause,
    )


def _closed(task: SchedTask, tl: Timeline) -> ScheduledTask:
    day = task.done or task.start or tl.origin
    at = dt.datetime.combine(day, tl.calendar.day_start)
    return ScheduledTask(task.id, task.project, task.assignee, min(task.start or day, day), day, at, at, 0.0, 0.0, False, False, (), task.milestone, closed=True, due=task.due, cause=Cause("done"))


def _add_summaries(inp: SchedInput, run: Levelled, tasks: dict[str, ScheduledTask], slack: list[int]) -> None:
    children: dict[str, list[str]] = defaultdict(list)
    for task in inp.tasks:
        if task.parent is not None:
            children[task.parent].append(task.id)
    by_id = {t.id: t for t in inp.tasks}
    for task in inp.tasks:
        i = run.graph.node_of.get(task.id)
        if i is not None and run.graph.summary[i] and run.done[i]:
            _summary(task.id, by_id, children, run, tasks, slack)


def _summary(tid: str, by_id: dict[str, SchedTask], children: dict[str, list[str]], run: Levelled, tasks: dict[str, ScheduledTask], slack: list[int]) -> ScheduledTask | None:
    """The summary record of parent `tid` (kept in `tasks`), built from its subtasks' records after theirs; None when
    none of its subtasks has one. Walked with a stack, not recursion: a `parent:` chain may be thousands deep."""
    if tid in tasks:
        return tasks[tid]
    empty: set[str] = set()  # parents without a record (no subtask has one), and a parent met again inside itself
    entered: set[str] = set()
    stack: list[tuple[str, bool]] = [(tid, False)]
    while stack:
        node, ready = stack.pop()
        if node in tasks or node in empty:
            continue
        if not ready:
            if node in entered:  # a `parent:` cycle (validate reports it): no record through it
                empty.add(node)
                continue
            entered.add(node)
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(children[node]) if c not in tasks and c not in empty)
            continue
        parts = [tasks[c] for c in children[node] if c in tasks]
        if parts:
            tasks[node] = _summary_record(node, parts, by_id, run, slack)
        else:
            empty.add(node)
    return tasks.get(tid)


def _summary_record(tid: str, parts: list[ScheduledTask], by_id: dict[str, SchedTask], run: Levelled, slack: list[int]) -> ScheduledTask:
    """A parent's record spanning its subtasks' records (`parts`)."""
    task, i = by_id[tid], run.graph.node_of[tid]
    booked: dict[dt.date, float] = defaultdict(float)
    for part in parts:
        for b in part.bookings:
            booked[b.date] += b.hours
    start_at, end_at = min(p.start_at for p in parts), max(p.end_at for p in parts)
    gate = run.cause[run.graph.node_of.get(tid + "#start", i)]
    first = min(parts, key=lambda p: (p.start_at, p.id))
    # a parent spans its subtasks: its start is its first subtask's, unless its own start date or predecessor set both
    cause = gate if gate.kind in ("start", "predecessor") and first.cause.via == tid else Cause("subtask", first.id)
    return ScheduledTask(
        tid, task.project, task.assignee, start_at.date(), end_at.date(), start_at, end_at,
        round(sum(p.effort_hours for p in parts), 4), _hours(slack[i]), slack[i] <= 0,
        task.due is not None and end_at.date() > task.due,
        tuple(Booking(d, round(h, 4)) for d, h in sorted(booked.items())), task.milestone, summary=True,
        due=task.due, cause=cause,
    )


def _forecasts(inp: SchedInput, tasks: dict[str, ScheduledTask], run: Levelled) -> dict[str, ProjectForecast]:
    members: dict[str, list[ScheduledTask]] = defaultdict(list)
    for record in tasks.values():
        if record.project is not None:
            members[record.project].append(record)
    dues = {p.id: p.due for p in inp.projects}
    return {pid: _forecast(pid, dues.get(pid), members.get(pid, []), inp, run) for pid in sorted(set(dues) | set(members))}


def _forecast(pid: str, due: dt.date | None, records: list[ScheduledTask], inp: SchedInput, run: Levelled) -> ProjectForecast:
    open_ = [r for r in records if not r.closed]
    pool = open_ or records
    start = min((r.start for r in pool), default=None)
    end = max((r.end for r in pool), default=None)
    end_at = max((r.end_at for r in pool), default=None)
    remaining = round(sum(r.effort_hours for r in open_ if not r.summary), 4)
    if due is None or end is None or end_at is None:
        return ProjectForecast(pid, start, end, due, "on-track", remaining, None)
    slack = _hours(_working_minutes(run.timeline, end_at, due)) if open_ else 0.0
    if end > due:
        status = "late"
    elif open_ and slack < inp.at_risk_ratio * remaining:
        status = "at-risk"
    else:
        status = "on-track"
    return ProjectForecast(pid, start, end, due, status, remaining, slack)


def _working_minutes(tl: Timeline, end_at: dt.datetime, due: dt.date) -> int:
    """Working minutes from `end_at` to the end of the `due` day (negative when past it)."""
    dm = tl.day_minutes
    start_of_day = dt.datetime.combine(end_at.date(), tl.calendar.day_start)
    at = tl.index(end_at.date()) * dm + round((end_at - start_of_day).total_seconds() / 60)
    return tl.moment(due + dt.timedelta(days=1)) - at
