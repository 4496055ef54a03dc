"""The levelling list scheduler: a pure function from `SchedInput` to `Plan`.

A serial list-scheduling pass, as TaskJuggler does it: among the tasks whose
predecessors are all placed, the one with the highest priority, then the
longest chain of work after it, then the lowest ID, is placed next, in full.
It takes its person's earliest free time from the moment it may start,
around what is already booked; so a task placed later can still use the
gaps before a higher-priority task (nobody is held back for work that is not
ready), and a task may be split around other bookings.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace

from workspace_tool.scheduling.booking import Person, Span, book_free, span_bounds
from workspace_tool.scheduling.calendar import Timeline
from workspace_tool.scheduling.graph import START_GATE, Graph, build_graph
from workspace_tool.scheduling.types import Cause, PlanWarning, SchedInput, SchedTask


@dataclass
class Levelled:
    """The raw outcome of the pass, by node index."""

    graph: Graph
    timeline: Timeline
    start: list[int]
    end: list[int]
    spans: list[list[Span]]
    cause: list[Cause]
    done: list[bool]
    people: dict[str, Person]
    warnings: list[PlanWarning] = field(default_factory=list)
    project_start: dict[str, int] = field(default_factory=dict)
    pinned: set[str] = field(default_factory=set)


def level(inp: SchedInput) -> Levelled:
    """Place every open task; unplaceable ones are reported in `warnings` and left undone."""
    graph, warnings = build_graph(inp)
    timeline = Timeline(inp.calendar, inp.start)
    n = len(graph.ids)
    run = Levelled(graph, timeline, [0] * n, [0] * n, [[] for _ in range(n)], [Cause("plan-start")] * n, [False] * n, {}, warnings)
    for rid, res in inp.resources.items():
        run.people[rid] = Person(res, timeline)
    for project in inp.projects:
        if project.start is not None and project.start > timeline.origin:
            run.project_start[project.id] = timeline.moment(project.start)
    _hold_dependents(run, inp)
    _pass(run, _tails(graph))
    _over_allocation(run)
    return run


def _hold_dependents(run: Levelled, inp: SchedInput) -> None:
    """Open tasks that need a task of an on-hold project (a dependency, or their parent) cannot be scheduled."""
    held = {t.id: t for t in inp.tasks if t.on_hold}
    if not held:
        return
    graph = run.graph
    for i, task in enumerate(graph.task):
        if task is None or i in graph.blocked:
            continue
        waits = [d for d in dict.fromkeys(task.depends_on) if d in held]
        if task.parent in held:
            waits.append(task.parent)
        if waits:
            other = held[waits[0]]
            what = "its parent" if waits[0] == task.parent else "depends on"
            why = f"{what} {other.id!r}, whose project {other.project} is on hold"
            entry = graph.node_of.get(task.id + START_GATE, i)
            if entry != i:  # a parent: its start gate, so that its subtasks wait too; the parent is warned when it ends
                graph.blocked[entry] = why
            else:
                _fail(run, i, why)


def _tails(graph: Graph) -> list[int]:
    """Minutes of work on the longest chain from each node to the end (itself included)."""
    tail = [0] * len(graph.ids)
    for i in reversed(graph.order):
        own = _minutes(graph.task[i]) if not graph.summary[i] else 0
        tail[i] = own + max((tail[s] for s in graph.succs[i]), default=0)
    return tail


def _minutes(task: SchedTask | None) -> int:
    if task is None or task.milestone:
        return 0
    return max(0, round(task.effort * 60))


Entry = tuple[int, int, str, int]
"""(priority rank, -chain, ID, node): the order in which ready tasks are placed."""


def _pass(run: Levelled, tail: list[int]) -> None:
    graph = run.graph
    waiting = [len(p) for p in graph.preds]
    ready = [0] * len(graph.ids)
    heap: list[Entry] = []
    for i in graph.order:
        if waiting[i] == 0:
            ready[i] = _own_start(run, i)
            heapq.heappush(heap, _key(graph, tail, i))
    while heap:
        i = heapq.heappop(heap)[3]
        if i not in graph.blocked:
            _place(run, i, ready[i])
        for s in graph.succs[i]:
            _release(run, i, s, ready, waiting, heap, tail)


def _key(graph: Graph, tail: list[int], i: int) -> Entry:
    """Zero-effort nodes (milestones, parents' gates) compete for nothing: they go as soon as they are ready."""
    task = graph.task[i]
    if graph.summary[i] or _minutes(task) == 0:
        return (-1, -tail[i], graph.ids[i], i)
    assert task is not None
    return (task.priority, -tail[i], graph.ids[i], i)


def _task_of(graph: Graph, i: int) -> SchedTask | None:
    """A node's task; a parent's start gate stands for the parent."""
    task = graph.task[i]
    if task is None and graph.owner(i) != graph.ids[i]:
        task = graph.task[graph.node_of[graph.owner(i)]]
    return task


def _own_start(run: Levelled, i: int) -> int:
    """When a node may start by its own date: the later of a task's `start` and its project's; a parent's start
    gate, the parent's (its subtasks wait for it, as they wait for its `depends_on`)."""
    task = _task_of(run.graph, i)
    if task is None:
        return 0
    own = run.timeline.moment(task.start) if task.start is not None and task.start > run.timeline.origin else 0
    project = run.project_start.get(task.project, 0) if task.project is not None else 0
    if own > 0 and own >= project:
        run.cause[i] = Cause("start")
        return own
    if project > 0:
        run.cause[i] = Cause("project-start", task.project)
        return project
    return 0


def _release(run: Levelled, i: int, s: int, ready: list[int], waiting: list[int], heap: list[Entry], tail: list[int]) -> None:
    graph = run.graph
    if not run.done[i] and s not in graph.blocked:
        owner = graph.owner(i)
        # a parent whose start gate is blocked: why the gate is; a task of an on-hold project: its project's warning
        why = graph.blocked.get(i, "") if graph.owner(s) == owner else f"depends on {owner!r}, which could not be scheduled"
        graph.blocked[s] = why
        task = graph.task[s]
        if task is not None and not task.on_hold:
            run.warnings.append(PlanWarning(graph.owner(s), f"not scheduled: {why}"))
    if waiting[s] == len(graph.preds[s]):
        ready[s] = _own_start(run, s)
    if run.end[i] > ready[s] or (run.end[i] == ready[s] and run.end[i] > 0 and run.cause[s].kind == "plan-start"):
        ready[s] = run.end[i]
        run.cause[s] = _passed_on(run, i)
    waiting[s] -= 1
    if waiting[s] == 0:
        heapq.heappush(heap, _key(graph, tail, s))


def _passed_on(run: Levelled, i: int) -> Cause:
    """The cause node `i`'s end gives its successor: it is the predecessor, unless it is a parent's start gate, which
    passes on what set it (the parent's start date or predecessor), naming the parent (for a grandchild, the ancestor
    whose date or predecessor it is, not the parent it was passed through)."""
    graph = run.graph
    gate = run.cause[i]
    if graph.task[i] is None and gate.kind in ("start", "project-start", "predecessor"):
        return replace(gate, via=gate.via or graph.owner(i), calendar=False)
    return Cause("predecessor", graph.owner(i))


def _place(run: Levelled, i: int, ready: int) -> None:
    """Book node `i` from the moment it is ready, in its person's earliest free time."""
    task = run.graph.task[i]
    minutes = 0 if run.graph.summary[i] else _minutes(task)
    if task is None or minutes == 0:
        _finish(run, i, ready, ready, [])
        return
    if task.assignee is None or task.assignee not in run.people:
        _finish_spans(run, i, book_free(ready, minutes, run.timeline.day_minutes))
        return
    person = run.people[task.assignee]
    if person.never_works:
        _fail(run, i, f"assignee {task.assignee!r} has no working time (capacity 0 or no workdays)")
        return
    cause = run.cause[i]
    pinned = cause.kind == "start" and cause.via is None
    if pinned:
        run.pinned.add(task.id)
    spans = person.book(task.id, ready, minutes, pinned=pinned)
    _finish_spans(run, i, spans)
    if spans and run.start[i] > ready:
        other = person.blocker(run.start[i], ready)
        run.cause[i] = Cause("resource", other) if other is not None else replace(cause, calendar=True)


def _finish_spans(run: Levelled, i: int, spans: list[Span] | None) -> None:
    if spans is None:
        _fail(run, i, "no free time within the planning horizon")
        return
    start, end = span_bounds(spans, run.timeline.day_minutes)
    _finish(run, i, start, end, spans)


def _finish(run: Levelled, i: int, start: int, end: int, spans: list[Span]) -> None:
    run.start[i], run.end[i], run.spans[i], run.done[i] = start, end, spans, True


def _over_allocation(run: Levelled) -> None:
    """A warning for every day a pinned task (its own `start`) books its person beyond their capacity."""
    if not run.pinned:
        return
    tl = run.timeline
    for pid in sorted(run.people):
        person = run.people[pid]
        for i, over in person.over_days():
            names = [task for _, _, task in person.slots[i] if task in run.pinned]
            if not names:
                continue
            task = run.graph.task[run.graph.node_of[names[0]]]
            pin = f"start: {task.start}" if task is not None else "start:"
            run.warnings.append(PlanWarning(
                names[0],
                f"{pid} is over-allocated on {tl.date(i)}: {_h(person.used[i])} booked of {_h(person.capacity(i))}"
                f" ({_h(over)} over): {pin} pins this task there (move start: or reassign it)",
            ))


def _h(minutes: int) -> str:
    return f"{round(minutes / 60, 2):g}h"


def _fail(run: Levelled, i: int, message: str) -> None:
    run.graph.blocked[i] = message
    run.warnings.append(PlanWarning(run.graph.owner(i), f"not scheduled: {message}"))
