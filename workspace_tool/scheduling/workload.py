"""Workload: per person and period, booked hours against capacity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator, Mapping

from workspace_tool.scheduling.calendar import WorkCalendar
from workspace_tool.scheduling.types import Plan, Resource


@dataclass(frozen=True)
class Load:
    """One person in one period. `over` is booked time beyond capacity (forced by fixed starts); `idle` is unbooked capacity."""

    person: str
    period: dt.date
    capacity: float
    booked: float
    over: float
    idle: float


def daily_capacity(resource: Resource, calendar: WorkCalendar, day: dt.date) -> float:
    """Hours a person can work on a day."""
    if not calendar.is_workday(day) or resource.on_leave(day):
        return 0.0
    if resource.weekdays is not None and day.weekday() not in resource.weekdays:
        return 0.0
    cap = calendar.hours_per_day if resource.capacity is None else min(resource.capacity, calendar.hours_per_day)
    return max(0.0, cap)


def booked_by_day(plan: Plan) -> dict[str, dict[dt.date, float]]:
    """Hours booked per person per day, from the plan's leaf tasks."""
    booked: dict[str, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    for task in plan.tasks.values():
        if task.assignee and not task.summary:
            for b in task.bookings:
                booked[task.assignee][b.date] += b.hours
    return booked


def period_of(day: dt.date, by: str) -> dt.date:
    """The first day of the period (`day`, `week`: its Monday, `month`: its 1st) that holds `day`."""
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if by == "month" else day


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def workload(plan: Plan, resources: Mapping[str, Resource], calendar: WorkCalendar, start: dt.date, end: dt.date, by: str = "week") -> list[Load]:
    """Per person (everyone in `resources` or booked in the plan) and period between `start` and `end`."""
    booked = booked_by_day(plan)
    people = sorted(set(resources) | set(booked))
    rows: list[Load] = []
    for person in people:
        resource = resources.get(person, Resource(person))
        totals: dict[dt.date, list[float]] = {}
        for day in _days(start, end):
            cap = daily_capacity(resource, calendar, day)
            got = booked.get(person, {}).get(day, 0.0)
            acc = totals.setdefault(period_of(day, by), [0.0, 0.0, 0.0, 0.0])
            acc[0] += cap
            acc[1] += got
            acc[2] += max(0.0, got - cap)
            acc[3] += max(0.0, cap - got)
        rows.extend(Load(person, period, *(round(v, 2) for v in acc)) for period, acc in totals.items())
    return rows
