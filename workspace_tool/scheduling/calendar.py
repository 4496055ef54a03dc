"""Working-time arithmetic on whole working days.

A *moment* is an integer number of working minutes since the start of the
plan's first working day: day index `i` (the i-th workspace working day on or
after the plan start) times the minutes of a working day, plus an offset in
that day. Integer minutes keep the arithmetic exact.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

HORIZON_DAYS = 260 * 60
"""Working days the plan may reach (about 60 years) before a task is reported as unschedulable."""


@dataclass(frozen=True)
class WorkCalendar:
    """The workspace calendar: `hours_per_day` from `day_start` on each working weekday (0 = Monday)."""

    hours_per_day: float = 8.0
    weekdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[dt.date] = frozenset()
    day_start: dt.time = dt.time(9, 0)

    @cached_property
    def day_minutes(self) -> int:
        return max(1, round(self.hours_per_day * 60))

    def is_workday(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays


@dataclass
class Timeline:
    """Maps working-day indexes to dates and back, growing lazily from the plan start."""

    calendar: WorkCalendar
    origin: dt.date
    _days: list[dt.date] = field(default_factory=list)
    _cursor: dt.date | None = None
    day_minutes: int = field(init=False)

    def __post_init__(self) -> None:
        self.day_minutes = self.calendar.day_minutes

    def date(self, i: int) -> dt.date:
        """The date of working day `i` (negative indexes clamp to the first day)."""
        if 0 <= i < len(self._days):
            return self._days[i]
        self._grow(i)
        return self._days[max(i, 0)]

    def index(self, day: dt.date) -> int:
        """The index of the first working day on or after `day` (0 for days before the plan)."""
        if day <= self.origin:
            return 0
        while not self._days or self._days[-1] < day:
            if len(self._days) > HORIZON_DAYS:
                return len(self._days)
            self._grow(len(self._days))
        return bisect.bisect_left(self._days, day)

    def moment(self, day: dt.date) -> int:
        """The moment at the start of `day` (or of the next working day)."""
        return self.index(day) * self.day_minutes

    def start_datetime(self, t: int) -> dt.datetime:
        """The clock time at which a booking starting at moment `t` begins."""
        i, off = divmod(t, self.day_minutes)
        return dt.datetime.combine(self.date(i), self.calendar.day_start) + dt.timedelta(minutes=off)

    def end_datetime(self, t: int) -> dt.datetime:
        """The clock time at which a booking ending at moment `t` ends (a day's end, not the next morning)."""
        if t <= 0:
            return self.start_datetime(0)
        i, off = divmod(t - 1, self.day_minutes)
        return dt.datetime.combine(self.date(i), self.calendar.day_start) + dt.timedelta(minutes=off + 1)

    def end_date(self, t: int) -> dt.date:
        return self.end_datetime(t).date() if t > 0 else self.date(0)

    def _grow(self, i: int) -> None:
        day = self._cursor or self.origin
        while len(self._days) <= i:
            if self.calendar.is_workday(day):
                self._days.append(day)
            day += dt.timedelta(days=1)
            if day.year > 9998:
                raise OverflowError("calendar has no working days")
        self._cursor = day
