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

`Lines.booked` counts what a person booked between two moments: inside a
task's span, its own work and the work it was split around. `Lines.fixed`
counts only the work of the tasks levelling placed before a given one: a
task that grows goes around that work, which stays where it is.
"""

from __future__ import annotations

import bisect
import datetime as dt
from itertools import accumulate, compress

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
        self._booked: dict[str, Booked] = {}

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

    def booked(self, i: int, a: int, b: int) -> int:
        """The minutes node `i`'s person booked from moment `a` to `b`, by any task (0 for a node with no person)."""
        task = self.run.graph.task[i]
        if task is None or task.assignee is None or task.assignee not in self.run.people:
            return 0
        return self._bookings(task.assignee).minutes(a, b)

    def spanned(self, i: int) -> int:
        """The minutes of work in node `i`'s span: its own, and any it was split around."""
        run = self.run
        own = sum([m for _, _, m in run.spans[i]])
        task = run.graph.task[i]
        if task is None or task.assignee is None or task.assignee not in run.people:
            return own
        booked = self._bookings(task.assignee)
        if booked.count(run.start[i], run.end[i]) <= len(run.spans[i]):
            return own
        return max(own, booked.minutes(run.start[i], run.end[i]))

    def fixed(self, i: int, a: int) -> Fixed | None:
        """The work node `i`'s person booked from moment `a` on for tasks placed before node `i`'s (None for a node
        with no person): a grown task goes around that work, which stays where it is."""
        task = self.run.graph.task[i]
        if task is None or task.assignee is None or task.assignee not in self.run.people:
            return None
        return self._bookings(task.assignee).before(task.id, a)

    def evictable(self, i: int) -> list[str]:
        """The tasks placed after node `i`'s that its person booked on the day node `i` ends, before it ends: grown
        past that day, node `i` takes the day's whole capacity, and they have to move."""
        task = self.run.graph.task[i]
        if task is None or task.assignee is None or task.assignee not in self.run.people:
            return []
        return self._bookings(task.assignee).later_before(task.id, self.run.end[i])

    def _bookings(self, person: str) -> Booked:
        found = self._booked.get(person)
        if found is None:
            found = self._booked[person] = Booked(self.run, self.run.people[person])
        return found

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


class Booked:
    """One person's booked intervals as moments, in order, each with the rank of its task in the levelled order."""

    def __init__(self, run: Levelled, person: Person) -> None:
        self.person = person
        self.dm = dm = person.timeline.day_minutes
        self.rank = rank = {tid: k for k, tid in enumerate(person.sequence)}
        # the latest end of the tasks placed before each one (none of their work lies after it)
        node_of, ends = run.graph.node_of, run.end
        self.reach = list(accumulate((ends[node_of[tid]] for tid in person.sequence), max, initial=0))
        slots = person.slots
        flat = [(d * dm + begin, d * dm + end, rank.get(tid, -1)) for d in sorted(slots) for begin, end, tid in slots[d]]
        self.starts = [f[0] for f in flat]
        self.ends = [f[1] for f in flat]
        self.ranks = [f[2] for f in flat]
        self.lengths = [f[1] - f[0] for f in flat]
        self.upto = list(accumulate(self.ends, max))  # the running latest end (pinned work may overlap)

    def _window(self, a: int, b: int) -> tuple[int, int]:
        """The positions of the intervals that may overlap moments `a` to `b`."""
        return bisect.bisect_right(self.upto, a), bisect.bisect_left(self.starts, b)

    def minutes(self, a: int, b: int) -> int:
        """The minutes booked from moment `a` to `b`, by any task."""
        lo, hi = self._window(a, b)
        return sum([max(0, min(e, b) - max(s, a)) for s, e in zip(self.starts[lo:hi], self.ends[lo:hi])])

    def count(self, a: int, b: int) -> int:
        """At least the number of intervals that overlap moments `a` to `b` (exactly, when no work overlaps)."""
        lo, hi = self._window(a, b)
        return hi - lo

    def before(self, task: str, a: int) -> Fixed:
        """The work booked from moment `a` on for tasks placed before `task`."""
        k = self.rank.get(task)
        if k is None or self.reach[k] <= a:
            return Fixed(self, -1, 0, a)
        return Fixed(self, k, bisect.bisect_right(self.upto, a), a)

    def later_before(self, task: str, moment: int) -> list[str]:
        """The tasks placed after `task` with work on `moment`'s day before `moment`."""
        k = self.rank.get(task)
        d, offset = divmod(moment, self.dm)
        if k is None or offset == 0:
            return []
        rank = self.rank
        return list(dict.fromkeys(tid for begin, _, tid in self.person.slots.get(d, ()) if begin < offset and rank.get(tid, -1) > k))


class Fixed:
    """The work a person booked from moment `a` on for the tasks placed before the `k`-th they were given."""

    def __init__(self, booked: Booked, k: int, lo: int, a: int) -> None:
        self.booked, self.k, self.lo, self.a = booked, k, lo, a

    def upto(self, b: int) -> int:
        """The minutes of it up to the end of moment `b`'s day (to `b` when a day begins there). Those tasks' work
        ends by the latest of their ends, and no interval crosses a day's end, so only the first may need cutting."""
        k, lo, a, booked = self.k, self.lo, self.a, self.booked
        if k < 0:
            return 0
        dm = booked.dm
        last = min(-(-b // dm) * dm, booked.reach[k])
        if last <= a:
            return 0
        hi = bisect.bisect_left(booked.starts, last)
        total = sum(compress(booked.lengths[lo:hi], map(k.__gt__, booked.ranks[lo:hi])))
        starts, ranks = booked.starts, booked.ranks
        j = lo
        while j < hi and starts[j] < a:  # begun before `a`: only its part after `a` counts
            if ranks[j] < k:
                total -= min(booked.lengths[j], a - starts[j])
            j += 1
        return total
