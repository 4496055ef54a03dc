"""Working lines: how much work fits between two moments, for one person or for nobody in particular.

Slack is measured on the line of the task's own person (`cpm.total_slack`): a
gap in which that person cannot work (their capacity for the day is used up,
they are on leave, it is not one of their workdays) holds no work, so it is
no slack. A person works at most their capacity in a working day, in any of
its hours: from moment `a`, what is left of `a`'s day (the capacity less what
they booked before `a`, at most the hours left in the day), then each later
day's capacity, then on the last day at most the hours up to `b`.

The workspace line (unassigned tasks, and anyone who works every working
hour of the workspace calendar) holds one minute of work per working minute.
"""

from __future__ import annotations

import bisect
import datetime as dt
from itertools import accumulate

from workspace_tool.scheduling.booking import Person
from workspace_tool.scheduling.engine import Levelled


class Line:
    """The workspace line: every working minute of the workspace calendar holds a minute of work."""

    def workable(self, a: int, b: int, since: int) -> int:
        """The minutes of work that fit from moment `a` to `b` (bookings that begin before `since` use up `a`'s day)."""
        return max(0, b - a)

    def fits(self, a: int, since: int, ends: list[int]) -> list[int]:
        """`workable(a, b, since)` for each `b` of `ends`."""
        return [b - a if b > a else 0 for b in ends]

    def reach(self, x: int) -> int:
        """The minutes of work the line holds from the plan start to moment `x`, ignoring bookings."""
        return x

    def latest(self, minutes: int, lo: int, hi: int) -> int:
        """The latest start in [lo, hi] from which `minutes` of work end by `hi` (bookings from `lo` on left out)."""
        return max(lo, hi - minutes)


class PersonLine(Line):
    """One person's line: their capacity per working day (none on leave or days off), and their bookings."""

    def __init__(self, person: Person, cums: list[int] | None) -> None:
        self.person = person
        self.dm = person.timeline.day_minutes
        self.daily = person.daily
        self.cums = cums

    def capacity(self, d: int) -> int:
        """The person's working minutes on day `d`."""
        cums = self.cums
        if cums is None:
            return self.daily
        if d + 1 < len(cums):
            return cums[d + 1] - cums[d]
        return self.cum(d + 1) - self.cum(d)

    def cum(self, d: int) -> int:
        """The person's working minutes on the days before day `d`."""
        cums = self.cums
        if cums is None:
            return self.daily * d
        if d >= len(cums):  # past the plan's end (a search overshooting it)
            total, capacity = cums[-1], self.person.capacity
            for k in range(len(cums) - 1, d):
                total += capacity(k)
                cums.append(total)
        return cums[d]

    def _left(self, d: int, o: int, since: int) -> int:
        """The minutes the person could still work on day `d` from offset `o`."""
        cap = self.capacity(d)
        base = d * self.dm
        if cap > 0 and base < since:
            for begin, end, _ in self.person.slots.get(d, ()):
                if begin >= o:
                    break
                if base + begin < since:
                    cap -= min(end, o) - begin
        return max(0, min(cap, self.dm - o))

    def workable(self, a: int, b: int, since: int) -> int:
        if b <= a:
            return 0
        da, oa = divmod(a, self.dm)
        db, ob = divmod(b, self.dm)
        first = self._left(da, oa, since)
        if da == db:
            return min(first, ob - oa)
        return first + self.cum(db) - self.cum(da + 1) + min(self.capacity(db), ob)

    def fits(self, a: int, since: int, ends: list[int]) -> list[int]:
        dm = self.dm
        da, oa = divmod(a, dm)
        first = self._left(da, oa, since)
        base = first - self.cum(da + 1)
        found = []
        for b in ends:
            db, ob = divmod(b, dm)
            if b <= a:
                found.append(0)
            elif da == db:
                found.append(min(first, ob - oa))
            else:
                found.append(base + self.cum(db) + min(self.capacity(db), ob))
        return found

    def reach(self, x: int) -> int:
        d, o = divmod(x, self.dm)
        return self.cum(d) + min(self.capacity(d), o)

    def latest(self, minutes: int, lo: int, hi: int) -> int:
        if minutes <= 0:
            return hi
        dm = self.dm
        dlo = lo // dm
        db, ob = divmod(hi, dm)
        last = min(self.capacity(db), ob)
        if last >= minutes:
            return max(lo, hi - minutes)
        d = self._last_day(self.cum(db) + last - minutes, dlo, db)  # the last day on which the work can start
        if d is None:
            return lo
        need = minutes - (self.cum(db) - self.cum(d + 1) + last)  # what that day has to hold
        if d == dlo and self._left(d, lo % dm, lo) < need:
            return lo
        return max(lo, min(hi, d * dm + dm - need))

    def _last_day(self, target: int, low: int, high: int) -> int | None:
        """The last day in [low, high] that begins with at most `target` working minutes behind it (None: not even `low`)."""
        if self.cum(low) > target:
            return None
        if self.cums is None:
            return min(high, target // self.daily)
        self.cum(high)
        return bisect.bisect_right(self.cums, target, low, high + 1) - 1


class Lines:
    """The line of each node of a levelled pass (None: a node with no work), for moments up to `until`."""

    def __init__(self, run: Levelled, until: int) -> None:
        self.run = run
        self.workspace = Line()
        self.days = until // run.timeline.day_minutes + 2
        self._weekdays: list[tuple[int, dt.date]] | None = None
        self._people: dict[str, Line] = {}

    def of(self, i: int) -> Line | None:
        run = self.run
        task = run.graph.task[i]
        if not run.spans[i] or task is None:
            return None
        if task.assignee is None or task.assignee not in run.people:
            return self.workspace
        line = self._people.get(task.assignee)
        if line is None:
            line = self._people[task.assignee] = self._person_line(run.people[task.assignee])
        return line

    def _person_line(self, person: Person) -> Line:
        tl = person.timeline
        weekdays = person.resource.weekdays
        every_day = weekdays is None or tl.calendar.weekdays <= weekdays
        if every_day and not person.resource.leave:
            return self.workspace if person.daily == tl.day_minutes else PersonLine(person, None)
        return PersonLine(person, list(accumulate(self._capacities(person), initial=0)))

    def _capacities(self, person: Person) -> list[int]:
        """The person's minutes on each working day up to `days` (what `Person.capacity` says, day by day, but faster)."""
        leave = person.leave_days
        if leave is None:
            return [person.capacity(d) for d in range(self.days)]
        if self._weekdays is None:
            date = self.run.timeline.date
            self._weekdays = [(day.weekday(), day) for day in map(date, range(self.days))]
        weekdays, daily = person.resource.weekdays, person.daily
        if weekdays is None:
            return [0 if day in leave else daily for _, day in self._weekdays]
        return [0 if wd not in weekdays or day in leave else daily for wd, day in self._weekdays]
