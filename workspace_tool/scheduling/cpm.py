"""Total slack and the critical path, after levelling.

A backward pass over the levelled plan. What follows a task: its dependents,
and the first task its person starts after it ends (levelling fixed that
order); and at most the end of its project (of the whole plan for a task
with no project).

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
"""

from __future__ import annotations

import bisect

from workspace_tool.scheduling.engine import Levelled
from workspace_tool.scheduling.lines import Line, Lines


def successors(run: Levelled) -> list[list[int]]:
    """Dependency successors plus, for each task, the first task its person starts after it ends, by node index.

    Tasks split around each other are not ordered; a task that others are
    split around still precedes what its person starts after it.
    """
    graph = run.graph
    succs = [list(s) for s in graph.succs]
    for person in run.people.values():
        seq = sorted((graph.node_of[t] for t in person.sequence), key=lambda n: (run.start[n], run.end[n]))
        starts = [run.start[n] for n in seq]
        for a in seq:
            k = bisect.bisect_left(starts, run.end[a])
            if k < len(seq) and seq[k] != a:
                succs[a].append(seq[k])
    return succs


Need = tuple[Line, int, int, int]
"""What a node asks of the tasks before it: (its line, a deadline, the minutes of work on that line due by then
starting with its own, its latest start). A task on the same line must leave room for that work before the
deadline, since it shares the person's days; a task on another line must end by the latest start."""


def total_slack(run: Levelled, horizon: list[int], succs: list[list[int]]) -> tuple[list[int], list[int | None]]:
    """(slack in working minutes of each node's own line, the successor that binds each node's latest finish) per node."""
    rank = {node: k for k, node in enumerate(run.graph.order)}
    placed = [i for i in run.graph.order if run.done[i]]
    placed.sort(key=lambda i: (run.start[i], rank[i]))
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
            needs[i], binding[i], slack[i] = _measure(run, i, horizon[i], succs[i], needs, line)
    return slack, binding


def _pass_on(run: Levelled, i: int, horizon: int, succs: list[int], needs: list[Need | None], workspace: Line) -> tuple[Need, int | None, int]:
    """A zero-effort node passes on the need of the successor that must start first; its slack is measured on that line."""
    need: Need = (workspace, horizon, 0, horizon)
    bind = None
    for s in succs:
        other = needs[s]
        if run.done[s] and other is not None and other[3] < need[3]:
            need, bind = other, s
    return need, bind, need[0].workable(run.end[i], need[3], run.end[i])


def _measure(run: Levelled, i: int, horizon: int, succs: list[int], needs: list[Need | None], line: Line) -> tuple[Need, int | None, int]:
    """A task's need, binding successor and slack: the least room it leaves any successor (or its project's end)."""
    end, start = run.end[i], run.start[i]
    minutes = sum([m for _, _, m in run.spans[i]])
    deadline = horizon
    shared: tuple[int, int, int] | None = None  # the tightest (deadline, work, room before the deadline) on this line
    found: list[tuple[int, Need]] = [(s, other) for s in succs if run.done[s] and (other := needs[s]) is not None]
    # on the same line a successor's work due by its deadline shares the person's days with this task's;
    # on another, the successor has to be able to start by its latest start
    ends = [horizon] + [other[1] if other[0] is line else other[3] for _, other in found]
    rooms = line.fits(end, end, ends)
    least, bind = rooms[0], None
    for (s, other), room in zip(found, rooms[1:]):
        if other[0] is line:
            room -= other[2]
            spare = line.reach(other[1]) - other[2]
            if shared is None or spare < shared[2]:
                shared = (other[1], other[2], spare)
        else:
            deadline = min(deadline, other[3])
        if room < least or (room == least and bind is None):
            least, bind = room, s
    need: Need = (line, deadline, minutes, line.latest(minutes, start, deadline))
    if shared is not None:
        work = minutes + shared[1]
        latest = min(need[3], line.latest(work, start, shared[0]))
        if shared[2] < line.reach(deadline):
            need = (line, shared[0], work, latest)
        else:
            need = (line, deadline, minutes, latest)
    return need, bind, least
