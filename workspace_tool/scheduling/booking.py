"""Booking working time in whole-day spans.

Per person and working day: the minutes booked and the booked intervals. A
task takes the person's earliest free time from the moment it may start:
day by day, the free gaps of each day up to the person's capacity that day
(TaskJuggler's `dailymax`). Full days are skipped in near-constant time
(a union-find "next open day" map), so nothing is booked hour by hour.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

from workspace_tool.scheduling.calendar import HORIZON_DAYS, Timeline
from workspace_tool.scheduling.types import Resource

Span = tuple[int, int, int]
"""One booked piece: (day index, offset in minutes, minutes)."""

Slot = tuple[int, int, str]
"""A booked interval in a day: (begin offset, end offset, task ID)."""


@dataclass
class Person:
    """A resource's bookings."""

    resource: Resource
    timeline: Timeline
    used: dict[int, int] = field(default_factory=dict)
    slots: dict[int, list[Slot]] = field(default_factory=dict)
    sequence: list[str] = field(default_factory=list)
    _caps: dict[int, int] = field(default_factory=dict)
    _skip: dict[int, int] = field(default_factory=dict)
    daily: int = field(init=False)
    _leave: frozenset[dt.date] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        total = sum((end - start).days + 1 for start, end in self.resource.leave)
        if total <= 20000:
            self._leave = frozenset(start + dt.timedelta(days=k) for start, end in self.resource.leave for k in range((end - start).days + 1))
        day = self.timeline.day_minutes
        cap = self.resource.capacity
        self.daily = day if cap is None else max(0, min(day, round(cap * 60)))

    @property
    def leave_days(self) -> frozenset[dt.date] | None:
        """Every day of the person's leave (None when there are too many to list)."""
        return self._leave

    @property
    def never_works(self) -> bool:
        weekdays = self.resource.weekdays
        usable = self.timeline.calendar.weekdays if weekdays is None else weekdays & self.timeline.calendar.weekdays
        return self.daily <= 0 or not usable

    def capacity(self, i: int) -> int:
        """Minutes this person can work on working day `i`."""
        cap = self._caps.get(i)
        if cap is None:
            day = self.timeline.date(i)
            weekdays = self.resource.weekdays
            away = day in self._leave if self._leave is not None else self.resource.on_leave(day)
            off = (weekdays is not None and day.weekday() not in weekdays) or away
            cap = 0 if off else self.daily
            self._caps[i] = cap
        return cap

    def open_day(self, i: int) -> int:
        """The first day at or after `i` with capacity left (HORIZON_DAYS + 1 if none)."""
        path = []
        while i <= HORIZON_DAYS:
            nxt = self._skip.get(i)
            if nxt is None:
                if self.used.get(i, 0) < self.capacity(i):
                    break
                nxt = i + 1
            path.append(i)
            i = nxt
        for p in path:
            self._skip[p] = i
        return i

    def gaps(self, i: int, offset: int) -> Iterator[tuple[int, int]]:
        """Free intervals of day `i` from `offset`."""
        cur = offset
        for begin, end, _ in self.slots.get(i, ()):
            if end <= cur:
                continue
            if begin > cur:
                yield cur, begin
            cur = max(cur, end)
        if cur < self.timeline.day_minutes:
            yield cur, self.timeline.day_minutes

    def book(self, task: str, t: int, minutes: int, pinned: bool = False) -> list[Span] | None:
        """Book `minutes` from moment `t` in the earliest free time (None past the horizon).

        A `pinned` task (fixed start) ignores other tasks' bookings: it may over-allocate the day.
        """
        dm = self.timeline.day_minutes
        i, offset = divmod(t, dm)
        spans: list[Span] = []
        while minutes > 0:
            if not pinned:
                day = self.open_day(i)
                if day != i:
                    i, offset = day, 0
            if i > HORIZON_DAYS:
                return None
            minutes -= self._fill_day(task, i, offset, minutes, pinned, spans)
            i, offset = i + 1, 0
        self.sequence.append(task)
        return spans

    def _fill_day(self, task: str, i: int, offset: int, minutes: int, pinned: bool, spans: list[Span]) -> int:
        left = self.capacity(i) - (0 if pinned else self.used.get(i, 0))
        taken = 0
        free = [(offset, self.timeline.day_minutes)] if pinned else self.gaps(i, offset)
        for begin, end in free:
            if left <= 0 or taken >= minutes:
                break
            take = min(end - begin, left, minutes - taken)
            spans.append((i, begin, take))
            bisect.insort(self.slots.setdefault(i, []), (begin, begin + take, task))
            self.used[i] = self.used.get(i, 0) + take
            left -= take
            taken += take
        return taken

    def over_days(self) -> list[tuple[int, int]]:
        """(day, minutes booked beyond capacity) of every over-allocated day, in order (only pinned tasks cause it)."""
        return [(i, used - self.capacity(i)) for i, used in sorted(self.used.items()) if used > self.capacity(i)]

    def blocker(self, t: int, ready: int) -> str | None:
        """The task booked last between moments `ready` and `t` (what kept this person from starting at `ready`);
        None when nothing was (their capacity that day was used up, or they do not work then)."""
        dm = self.timeline.day_minutes
        i, offset = divmod(t, dm)
        first = max(ready // dm, i - 31)
        while i >= first:
            before = [s for s in self.slots.get(i, ()) if s[1] <= offset and i * dm + s[1] > ready]
            if before:
                return max(before, key=lambda s: s[1])[2]
            i, offset = i - 1, dm
        return None


def book_free(t: int, minutes: int, day_minutes: int) -> list[Span]:
    """Book an unassigned task: whole working days from `t`, no resource limit."""
    i, offset = divmod(t, day_minutes)
    spans: list[Span] = []
    while minutes > 0:
        take = min(day_minutes - offset, minutes)
        spans.append((i, offset, take))
        minutes -= take
        i, offset = i + 1, 0
    return spans


def span_bounds(spans: list[Span], day_minutes: int) -> tuple[int, int]:
    """The first and last moment of a booking."""
    i, offset, _ = spans[0]
    j, end_offset, minutes = spans[-1]
    return i * day_minutes + offset, j * day_minutes + end_offset + minutes
