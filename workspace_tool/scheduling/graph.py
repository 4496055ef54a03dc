"""The precedence graph: tasks as nodes, finish-to-start edges, parents as gates.

A parent task becomes two zero-effort gates: `ID#start` (after the parent's
own predecessors and its own parent's start gate, before each child or, for
a child that is a parent too, before that child's start gate: so every
descendant waits for every ancestor) and `ID` (after every child). Done and
cancelled tasks are left out of the graph: they constrain nothing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from workspace_tool.scheduling.types import PlanWarning, SchedInput, SchedTask

START_GATE = "#start"


@dataclass
class Graph:
    """Nodes by integer index. `task[i]` is None for a parent's start gate."""

    ids: list[str] = field(default_factory=list)
    task: list[SchedTask | None] = field(default_factory=list)
    summary: list[bool] = field(default_factory=list)
    preds: list[list[int]] = field(default_factory=list)
    succs: list[list[int]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    blocked: dict[int, str] = field(default_factory=dict)
    node_of: dict[str, int] = field(default_factory=dict)

    def add(self, node_id: str, task: SchedTask | None, summary: bool) -> int:
        self.node_of[node_id] = len(self.ids)
        self.ids.append(node_id)
        self.task.append(task)
        self.summary.append(summary)
        self.preds.append([])
        self.succs.append([])
        return len(self.ids) - 1

    def link(self, a: int, b: int) -> None:
        self.preds[b].append(a)
        self.succs[a].append(b)

    def owner(self, i: int) -> str:
        """The task ID a node stands for (a start gate stands for its parent)."""
        return self.ids[i].removesuffix(START_GATE)


def build_graph(inp: SchedInput) -> tuple[Graph, list[PlanWarning]]:
    """The graph of the open tasks, in topological order, and a warning per dropped edge or blocked task."""
    by_id = {t.id: t for t in inp.tasks}
    parents = {t.parent for t in inp.tasks if t.parent in by_id and not t.closed}
    graph = Graph()
    warnings: list[PlanWarning] = []
    for task in inp.tasks:
        if task.closed and task.id not in parents:
            continue
        graph.add(task.id, task, task.id in parents)
        if task.id in parents:
            graph.add(task.id + START_GATE, None, True)
    for task in inp.tasks:
        if task.id in graph.node_of:
            _link_task(graph, task, by_id, warnings)
    _sort(graph, warnings)
    return graph, warnings


def _link_task(graph: Graph, task: SchedTask, by_id: dict[str, SchedTask], warnings: list[PlanWarning]) -> None:
    node = graph.node_of[task.id]
    entry = graph.node_of.get(task.id + START_GATE, node)
    for dep in dict.fromkeys(task.depends_on):
        other = by_id.get(dep)
        if other is None:
            warnings.append(PlanWarning(task.id, f"depends on unknown task {dep!r}; ignored"))
        elif other.cancelled:
            warnings.append(PlanWarning(task.id, f"depends on cancelled task {dep!r}; scheduled as if that dependency were met"))
        elif dep in graph.node_of:
            graph.link(graph.node_of[dep], entry)
    if task.parent is not None and task.parent + START_GATE in graph.node_of:
        # the parent's start gate comes before the child's own start (its start gate when it is a parent too,
        # so that grandchildren wait for every ancestor's start and predecessors); its end before the parent's end
        graph.link(graph.node_of[task.parent + START_GATE], entry)
        graph.link(node, graph.node_of[task.parent])
    if entry != node:
        graph.link(entry, node)


def _sort(graph: Graph, warnings: list[PlanWarning]) -> None:
    """Kahn's algorithm; nodes left over are in (or behind) a dependency cycle and are blocked."""
    indegree = [len(p) for p in graph.preds]
    queue = deque(i for i, d in enumerate(indegree) if d == 0)
    while queue:
        i = queue.popleft()
        graph.order.append(i)
        for s in graph.succs[i]:
            indegree[s] -= 1
            if indegree[s] == 0:
                queue.append(s)
    left = [i for i, d in enumerate(indegree) if d > 0]
    if left:
        _report_cycles(graph, set(left), warnings)


def _report_cycles(graph: Graph, left: set[int], warnings: list[PlanWarning]) -> None:
    reported: set[str] = set()
    for i in sorted(left):
        cycle = _cycle_through(graph, i, left) if len(left) <= 5000 else None
        if cycle:
            path = " -> ".join(graph.owner(n) for n in cycle)
            message = f"dependency cycle {path}; not scheduled"
        else:
            message = "depends on a task in a dependency cycle; not scheduled"
        graph.blocked[i] = message
        owner = graph.owner(i)
        if owner not in reported:
            reported.add(owner)
            warnings.append(PlanWarning(owner, message))


def _cycle_through(graph: Graph, start: int, left: set[int]) -> list[int] | None:
    """A path start -> ... -> start within `left`, by breadth-first search, or None."""
    came: dict[int, int] = {}
    queue = deque([start])
    while queue:
        i = queue.popleft()
        for s in graph.succs[i]:
            if s not in left or s in came:
                continue
            came[s] = i
            if s == start:
                path = [start]
                node = i
                while node != start:
                    path.append(node)
                    node = came[node]
                path.append(start)
                return path[::-1]
            queue.append(s)
    return None
