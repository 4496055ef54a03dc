"""`wm report people`: utilisation, billable ratio, open effort and scheduled load per person.

Pure: index (+ plan) in, rows out. Capacity is the person's `capacity`
(hours per working day; default the calendar's `hours_per_day`) on their
working days, less holidays and leave. Someone with no person document
(left, renamed, or never added) who logged time in the period or has open
tasks still shows, marked unknown, with no capacity over the period (it is
not known; a note says so); the plan books their tasks at the default
capacity, as `wm workload` shows, so their scheduled load is of that.
Open effort is `effort.remaining_effort`, what the plan books.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from workspace_tool.config import WEEKDAYS
from workspace_tool.effort import remaining_effort
from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.model import Document, Person, Task
from workspace_tool.reports.billing import Pricer

DEFAULT_WEEKS = 4


@dataclass(frozen=True)
class Week:
    week: str
    hours: float
    capacity: float

    @property
    def utilisation(self) -> float | None:
        return self.hours / self.capacity if self.capacity else None


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    known: bool
    weeks: tuple[Week, ...]
    hours: float
    billable_hours: float
    capacity: float
    open_effort: float
    open_tasks: int
    scheduled: tuple[Week, ...]

    @property
    def utilisation(self) -> float | None:
        return self.hours / self.capacity if self.capacity else None

    @property
    def billable_ratio(self) -> float | None:
        return self.billable_hours / self.hours if self.hours else None

    days: int = 0  # of the report's period

    @property
    def per_week(self) -> float:
        """Hours per seven days of the period: a period of November (30 days, six ISO weeks) divides by 30/7, not 6."""
        if self.days:
            return self.hours * 7 / self.days
        return self.hours / len(self.weeks) if self.weeks else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "known": self.known,
            "hours": _r(self.hours), "hours_per_week": _r(self.per_week), "capacity_hours": _r(self.capacity),
            "utilisation": _r(self.utilisation), "billable_hours": _r(self.billable_hours),
            "billable_ratio": _r(self.billable_ratio), "open_effort_hours": _r(self.open_effort),
            "open_tasks": self.open_tasks,
            "weeks": [{"week": w.week, "hours": _r(w.hours), "capacity": _r(w.capacity), "utilisation": _r(w.utilisation)} for w in self.weeks],
            "scheduled": [{"week": w.week, "hours": _r(w.hours), "capacity": _r(w.capacity), "utilisation": _r(w.utilisation)} for w in self.scheduled],
        }


@dataclass(frozen=True)
class PeopleReport:
    start: dt.date
    end: dt.date
    rows: tuple[PersonRow, ...]
    schedule: bool
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(), "schedule": self.schedule,
            "people": [r.as_json() for r in self.rows], "notes": list(self.notes),
        }


def _r(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, 4)
    return int(rounded) if float(rounded).is_integer() else rounded


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def default_window(today: dt.date, weeks: int = DEFAULT_WEEKS) -> tuple[dt.date, dt.date]:
    """The last `weeks` ISO weeks up to and including the current one."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=weeks - 1), monday + dt.timedelta(days=6)


def period(today: dt.date, start: dt.date | None, end: dt.date | None, weeks: int = DEFAULT_WEEKS) -> tuple[dt.date, dt.date]:
    """The report's period: `default_window` for an end not given, unless that would put the period the wrong
    way round; then `weeks` weeks from `start`, or up to `end`. A usage error when the ends given are reversed."""
    default_start, default_end = default_window(today, weeks)
    span = dt.timedelta(weeks=weeks, days=-1)
    if start is not None and end is None:
        end = default_end if default_end >= start else start + span
    elif end is not None and start is None:
        start = default_start if default_start <= end else end - span
    first, last = start or default_start, end or default_end
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    return first, last


def day_capacity(index: Index, person: Person | None, day: dt.date) -> float:
    calendar = index.settings.calendar
    workdays = (person.workdays if person and person.workdays else None) or calendar.workdays
    if WEEKDAYS[day.weekday()] not in workdays or day in calendar.holidays:
        return 0.0
    if person is not None and person.on_leave(day):
        return 0.0
    return person.capacity if person and person.capacity is not None else calendar.hours_per_day


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def read_documents(index: Index) -> list[Document]:
    """The documents whose values make the report's figures: people, and the open tasks assigned (their effort)."""
    return [*index.people(), *(t for t in index.of_type(Task) if t.assignee and not index.is_done(t))]


def people_report(
    index: Index, start: dt.date | None = None, end: dt.date | None = None, plan: Any = None,
    now: dt.datetime | None = None, ahead_weeks: int = DEFAULT_WEEKS, notes: tuple[str, ...] = (),
) -> PeopleReport:
    start, end = period(index.today, start, end)
    pricer = Pricer(index, now)
    logged: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    billable: dict[str, float] = defaultdict(float)
    for entry in index.entries:
        if start <= entry.date <= end:
            p = pricer.price(entry)
            logged[entry.person][week_of(entry.date)] += p.hours
            if p.billable:
                billable[entry.person] += p.hours
    people = {p.id: p for p in index.people()}
    open_tasks: dict[str, list[Task]] = defaultdict(list)
    for task in index.of_type(Task):
        if task.assignee and not index.is_done(task) and task.id not in index.subtasks:
            open_tasks[task.assignee].append(task)
    ids = sorted(set(people) | set(logged) | set(open_tasks))
    first = getattr(plan, "start", None) or index.today  # the plan's first day: what `wm workload` counts from
    load = _scheduled(plan, first, ahead_weeks)
    rows = tuple(
        _row(index, pid, people.get(pid), start, end, logged.get(pid, {}), billable.get(pid, 0.0), open_tasks.get(pid, []), load.get(pid, {}),
             ahead_weeks, plan is not None, first)
        for pid in ids
    )
    unknown = [r.id for r in rows if not r.known]
    if unknown:
        notes = (*notes, unknown_note(unknown))
    return PeopleReport(start, end, rows, plan is not None, notes)


def unknown_note(ids: list[str]) -> str:
    many = len(ids) != 1
    return (
        f"{', '.join(ids)} {'have' if many else 'has'} no person document: no capacity is counted for them over "
        "the period (wm new person ID adds one; until then the plan books their open tasks at the default capacity)"
    )


def _row(
    index: Index, pid: str, person: Person | None, start: dt.date, end: dt.date, weeks_logged: dict[str, float],
    billable: float, open_tasks: list[Task], load: dict[str, float], ahead_weeks: int, has_plan: bool, first: dt.date,
) -> PersonRow:
    capacity_by_week: dict[str, float] = defaultdict(float)
    for day in _days(start, end):
        capacity_by_week[week_of(day)] += day_capacity(index, person, day) if person is not None else 0.0  # unknown: none counted
    weeks = tuple(Week(w, weeks_logged.get(w, 0.0), capacity_by_week[w]) for w in sorted(capacity_by_week))
    effort = sum(remaining_effort(index, t) or 0.0 for t in open_tasks)
    scheduled: tuple[Week, ...] = ()
    if has_plan:
        monday = first - dt.timedelta(days=first.weekday())
        ahead = _days(first, monday + dt.timedelta(weeks=ahead_weeks, days=-1))  # this week's capacity: what is left of it
        cap: dict[str, float] = defaultdict(float)
        for day in ahead:
            cap[week_of(day)] += day_capacity(index, person, day)  # an unknown person's: the default the plan books them at
        scheduled = tuple(Week(w, load.get(w, 0.0), cap[w]) for w in sorted(cap))
    name = (person.name or person.title) if person else pid
    return PersonRow(
        pid, name, person is not None, weeks, sum(weeks_logged.values()), billable,
        sum(w.capacity for w in weeks), effort, len(open_tasks), scheduled, (end - start).days + 1,
    )


def _scheduled(plan: Any, today: dt.date, ahead_weeks: int) -> dict[str, dict[str, float]]:
    """Booked hours per person per week from `today` (the plan's first day) on, read from the plan's task bookings."""
    load: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if plan is None:
        return load
    last = today + dt.timedelta(weeks=ahead_weeks)
    for task in plan.tasks.values():
        assignee = getattr(task, "assignee", None)
        if not assignee or getattr(task, "summary", False):  # a summary task repeats its subtasks' bookings
            continue
        for booking in getattr(task, "bookings", ()):
            if today <= booking.date < last:
                load[assignee][week_of(booking.date)] += booking.hours
    return load
