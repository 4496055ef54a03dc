"""Total slack and the critical path, after levelling.

A backward pass over the levelled plan. What follows a task: its dependents,
the first task its person starts after it ends and any work that task was
split around (levelling fixed that order), the task of its person that was
split around it; and at most the end of its project (of the whole plan for
a task with no project).

Slack is counted on the task's own person's line (`lines.py`): the minutes
of work that still fit, after their capacity, workdays and leave, between
the task's end and the latest moment its successors allow. A gap its person
cannot work in (capacity used up that day, leave, a day off) is no slack, so
a one-person chain is critical from end to end. What each node asks of its
predecessors (`Need`) is its latest start, found on its own line (a
part-time successor may start late in its first day and still end on time),
and, for a predecessor of the same person, the work due on that line by a
deadline, since the two share the person's days. A milestone or parent's
gate has no work: it passes on the need of the successor that must start
first, and its slack is counted on that successor's line.

Slack assumes the levelled order stays, and nothing placed before a task
moves when it grows: such work stays where it is and the task goes around
it. So the work a task was split around counts in its need (started later,
it must still leave room for it); the split task's part after that work
waits for it (the work's task has it as a successor, due only what is left
of it); work placed before a task and booked after it is no room for it; a
task grown past the day it ends takes the day's whole capacity, moving the
work placed after it earlier that day; and a task pinned by its own start
date stays pinned only while its predecessors end by that date. The measure
errs on the safe side: a task never shows more slack than it has while the
levelled order stays.
"""

from __future__ import annotations

import bisect
import heapq

from workspace_tool.scheduling.engine import Levelled
from workspace_tool.scheduling.lines import Line, Lines


def successors(run: Levelled) -> list[list[int]]:
    """Dependency successors plus, for each task, by node index: the first task its person starts after it ends and
    the tasks that one was split around (they start before it ends), and every task of theirs that was split around
    it (began before its end and goes on after it)."""
    graph = run.graph
    succs = [list(s) for s in graph.succs]
    for person in run.people.values():
        seq = sorted((graph.node_of[t] for t in person.sequence), key=lambda n: (run.start[n], run.end[n]))
        starts = [run.start[n] for n in seq]
        for a in seq:
            k = bisect.bisect_left(starts, run.end[a])
            if k < len(seq) and seq[k] != a:
                # the first task after it, and any that task was split around: a grown task runs into them all
                last = run.end[seq[k]]
                while k < len(seq) and starts[k] < last:
                    succs[a].append(seq[k])
                    k += 1
        for a, b in _around(seq, run.start, run.end):
            succs[a].append(b)
    return succs


def _around(by_start: list[int], start: list[int], end: list[int]) -> list[tuple[int, int]]:
    """Pairs (a, b) of one person's tasks (`by_start`: sorted by start) where b began before a's end and ends after it."""
    pairs: list[tuple[int, int]] = []
    begun: list[tuple[int, int]] = []  # (end, node) of the tasks begun before the moment looked at, still open
    k = 0
    for a in sorted(by_start, key=lambda n: end[n]):
        moment = end[a]
        while k < len(by_start) and start[by_start[k]] < moment:
            heapq.heappush(begun, (end[by_start[k]], by_start[k]))
            k += 1
        while begun and begun[0][0] <= moment:
            heapq.heappop(begun)
        pairs.extend((a, b) for _, b in begun if b != a)
    return pairs


Need = tuple[Line, int, int, int]
"""What a node asks of the tasks before it: (its line, a deadline, the minutes of work on that line due by then
starting with its own, its latest start). A task on the same line must leave room for that work before the
deadline, since it shares the person's days; a task on another line must end by the latest start."""


def total_slack(run: Levelled, horizon: list[int], succs: list[list[int]]) -> tuple[list[int], list[int | None]]:
    """(slack in working minutes of each node's own line, the successor that binds each node's latest finish) per node."""
    rank = {node: k for k, node in enumerate(run.graph.order)}
    placed = [i for i in run.graph.order if run.done[i]]
    # every successor ends after its predecessor (a zero-effort one may end with it, later in topological order)
    placed.sort(key=lambda i: (run.end[i], rank[i]))
    lines = Lines(run, max(horizon, default=0))
    n = len(horizon)
    slack = [0] * n
    binding: list[int | None] = [None] * n
    needs: list[Need | None] = [None] * n
    for i in reversed(placed):
        line = lines.of(i)
        if line is None:
            needs[i], binding[i], slack[i] = _pass_on(run, i, horizon[i], succs[i], needs, lines.workspace)
        else:
            need, binding[i], slack[i] = _measure(run, i, horizon[i], _found(run, i, succs[i], needs, lines), line, lines)
            needs[i] = _pinned(run, i, need)
    for i in placed:
        line = lines.of(i)
        if line is not None and slack[i] > 0:
            _evicting(run, i, line, lines, needs, slack, binding)
    return slack, binding


PINNED = Line()
"""The line of a pinned task's need: no task's own, so every predecessor must end by its latest start."""


def _pinned(run: Levelled, i: int, need: Need) -> Need:
    """A task its own start date pinned (booked from it, busy or not) stays pinned only while its predecessors end
    by that date: later, it waits for its person's free time like any task. Its need says so."""
    task, cause = run.graph.task[i], run.cause[i]
    if task is None or task.start is None or cause.kind != "start" or cause.via is not None:
        return need
    pin = run.timeline.moment(task.start)
    return (PINNED, need[1], need[2], min(need[3], max(0, pin)))


def _evicting(run: Levelled, i: int, line: Line, lines: Lines, needs: list[Need | None], slack: list[int], binding: list[int | None]) -> None:
    """Cap node `i`'s slack by the work placed after it earlier on the day it ends: grown past the room left that day,
    it takes the day's whole capacity, and that work moves after it and has to fit before its own deadline."""
    end = run.end[i]
    day_end = (end // run.timeline.day_minutes + 1) * run.timeline.day_minutes
    for tid in lines.evictable(i):
        e = run.graph.node_of[tid]
        other = needs[e]
        if other is None or not run.done[e]:
            continue
        rest, after = line.fits(end, end, [day_end, other[1] if other[0] is line else other[3]])
        room = max(rest, after - (other[2] if other[0] is line else 0))
        if room < slack[i]:
            slack[i], binding[i] = room, e


def _found(run: Levelled, i: int, succs: list[int], needs: list[Need | None], lines: Lines) -> list[tuple[int, Need]]:
    """The needs of node `i`'s placed successors; one split around `i` is due only the work it has left after `i`."""
    end = run.end[i]
    found: list[tuple[int, Need]] = []
    for s in succs:
        other = needs[s]
        if not run.done[s] or other is None:
            continue
        if run.start[s] < end:
            line, deadline, work, latest = other
            other = (line, deadline, max(0, work - lines.booked(s, run.start[s], end)), latest)
        found.append((s, other))
    return found


def _pass_on(run: Levelled, i: int, horizon: int, succs: list[int], needs: list[Need | None], workspace: Line) -> tuple[Need, int | None, int]:
    """A zero-effort node passes on the need of the successor that must start first; its slack is measured on that line."""
    need: Need = (workspace, horizon, 0, horizon)
    bind = None
    for s in succs:
        other = needs[s]
        if run.done[s] and other is not None and other[3] < need[3]:
            need, bind = other, s
    return need, bind, need[0].workable(run.end[i], need[3], run.end[i])


def _nothing(b: int) -> int:
    return 0


def _measure(run: Levelled, i: int, horizon: int, found: list[tuple[int, Need]], line: Line, lines: Lines) -> tuple[Need, int | None, int]:
    """A task's need, binding successor and slack: the least room it leaves any successor (or its project's end)."""
    end, start = run.end[i], run.start[i]
    # its own work, and the work it was split around (booked first, that stays where it is)
    minutes = lines.spanned(i)
    deadline = horizon
    shared: tuple[int, int, int] | None = None  # the tightest (deadline, work, room before the deadline) on this line
    # on the same line a successor's work due by its deadline shares the person's days with this task's;
    # on another, the successor has to be able to start by its latest start
    ends = [horizon] + [other[1] if other[0] is line else other[3] for _, other in found]
    rooms = line.fits(end, end, ends)
    # what the person booked after this task for tasks placed before it is no room: grown, it goes around that work
    fixed = lines.fixed(i, end)
    upto = fixed.upto if fixed is not None else _nothing
    least, bind = rooms[0] - upto(horizon), None
    for (s, other), room in zip(found, rooms[1:]):
        if other[0] is line:
            room -= other[2]
            spare = line.reach(other[1]) - other[2]
            if shared is None or spare < shared[2]:
                shared = (other[1], other[2], spare)
        else:
            room -= upto(other[3])
            deadline = min(deadline, other[3])
        if room < least or (room == least and bind is None):
            least, bind = room, s
    work = minutes + upto(deadline)
    need: Need = (line, deadline, work, line.latest(work, start, deadline))
    if shared is not None:
        more = minutes + shared[1]
        latest = min(need[3], line.latest(more, start, shared[0]))
        if shared[2] < line.reach(deadline) - (work - minutes):  # the pair that leaves less spare time binds
            need = (line, shared[0], more, latest)
        else:
            need = (line, deadline, work, latest)
    return need, bind, max(0, least)
