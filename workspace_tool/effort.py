"""A task's remaining effort: one definition for the scheduler, `wm report people` and the status site.

Pure. `remaining` when it is set; else the estimate, less the time logged
so far while the task is under way (in progress or in review: a task not
started yet has done none of its work, whatever was logged on it); else
unknown (None).
"""

from __future__ import annotations

from workspace_tool.index import Index
from workspace_tool.model import Task

UNDER_WAY = frozenset({"in-progress", "review"})
"""The statuses in which logged time counts as work done on the estimate."""


def remaining_effort(index: Index, task: Task) -> float | None:
    """`remaining`, else `estimate` minus logged time for a task under way, else `estimate` (None: no estimate)."""
    if task.remaining is not None:
        return task.remaining.hours
    if task.estimate is None:
        return None
    if task.status in UNDER_WAY:
        return max(0.0, task.estimate.hours - index.logged_hours(task.id))
    return task.estimate.hours


def overrun(index: Index, task: Task) -> tuple[float, float] | None:
    """(logged, estimate) hours of a task under way, with no `remaining`, that has logged all of its estimate or more:
    `remaining_effort` leaves it no work, which is seldom true of an open task. None otherwise."""
    if task.remaining is not None or task.estimate is None or task.status not in UNDER_WAY:
        return None
    logged = index.logged_hours(task.id)
    if logged <= 0 or logged < task.estimate.hours:
        return None
    return logged, task.estimate.hours
