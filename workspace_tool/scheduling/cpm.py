"""Total slack and the critical path, after levelling.

A backward pass over the levelled plan: each task's latest finish is the
earliest latest start of what follows it (its dependents, and the next task
its person works on, since levelling fixed that order), and at most the end
of its project (of the whole plan for a task with no project). Slack is the
latest finish minus the scheduled finish, on the workspace's working-time
line; a task with zero slack is critical.
"""

from __future__ import annotations

from workspace_tool.scheduling.engine import Levelled


def successors(run: Levelled) -> list[list[int]]:
    """Dependency successors plus each person's next task, by node index.

    Only a task that finishes before its person's next one starts is linked to
    it; tasks split around each other are not ordered.
    """
    graph = run.graph
    succs = [list(s) for s in graph.succs]
    for person in run.people.values():
        seq = sorted((graph.node_of[t] for t in person.sequence), key=lambda n: (run.start[n], run.end[n]))
        for a, b in zip(seq, seq[1:]):
            if run.end[a] <= run.start[b]:
                succs[a].append(b)
    return succs


def total_slack(run: Levelled, horizon: list[int], succs: list[list[int]]) -> tuple[list[int], list[int | None]]:
    """(slack in minutes, the successor that binds each node's latest finish) per node."""
    rank = {node: k for k, node in enumerate(run.graph.order)}
    placed = [i for i in run.graph.order if run.done[i]]
    placed.sort(key=lambda i: (run.start[i], rank[i]))
    latest = list(horizon)
    binding: list[int | None] = [None] * len(horizon)
    for i in reversed(placed):
        for s in succs[i]:
            if not run.done[s]:
                continue
            latest_start = latest[s] - (run.end[s] - run.start[s])
            if latest_start < latest[i] or (latest_start == latest[i] and binding[i] is None):
                latest[i] = latest_start
                binding[i] = s
    return [latest[i] - run.end[i] for i in range(len(horizon))], binding
