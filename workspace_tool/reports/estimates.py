"""`wm report estimates`: estimate versus logged time of done tasks, and its distribution.

Pure. The ratio of a task is logged / estimate (1.0: spot on, 2.0: took
twice as long). Distributions per person (assignee) and per project give
n, median, p85, min and max; the workspace's accuracy is total logged over
total estimate of the done tasks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

from workspace_tool.index import Index
from workspace_tool.model import Task
from workspace_tool.reports.billing import Pricer


@dataclass(frozen=True)
class TaskEstimate:
    id: str
    title: str
    project: str | None
    assignee: str | None
    estimate: float
    logged: float

    @property
    def ratio(self) -> float:
        return self.logged / self.estimate


@dataclass(frozen=True)
class Distribution:
    key: str | None
    n: int
    median: float
    p85: float
    min: float
    max: float
    accuracy: float

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "n": self.n, "median": _r(self.median), "p85": _r(self.p85), "min": _r(self.min), "max": _r(self.max), "accuracy": _r(self.accuracy)}


@dataclass(frozen=True)
class EstimatesReport:
    tasks: tuple[TaskEstimate, ...]
    by_person: tuple[Distribution, ...]
    by_project: tuple[Distribution, ...]
    overall: Distribution | None
    unestimated: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "tasks": [
                {"id": t.id, "project": t.project, "assignee": t.assignee, "estimate": _r(t.estimate), "logged": _r(t.logged), "ratio": _r(t.ratio)}
                for t in self.tasks
            ],
            "by_person": [d.as_json() for d in self.by_person],
            "by_project": [d.as_json() for d in self.by_project],
            "overall": self.overall.as_json() if self.overall else None,
            "unestimated_done_tasks": list(self.unestimated),
        }


def _r(value: float) -> float | int:
    rounded = round(value, 4)
    return int(rounded) if rounded.is_integer() else rounded


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default), `share` in [0, 1]."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of nothing")
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(key: str | None, items: Sequence[TaskEstimate]) -> Distribution:
    ratios = [t.ratio for t in items]
    accuracy = sum(t.logged for t in items) / sum(t.estimate for t in items)
    return Distribution(key, len(items), percentile(ratios, 0.5), percentile(ratios, 0.85), min(ratios), max(ratios), accuracy)


def estimates_report(index: Index, now: dt.datetime | None = None) -> EstimatesReport:
    pricer = Pricer(index, now)
    logged: dict[str, float] = defaultdict(float)
    for entry in index.entries:
        logged[entry.ref] += pricer.price(entry).hours
    tasks: list[TaskEstimate] = []
    unestimated: list[str] = []
    for task in sorted(index.of_type(Task), key=lambda t: t.id):
        if not index.is_done(task) or task.status == "cancelled":
            continue
        if task.estimate is None or task.estimate.hours <= 0:
            unestimated.append(task.id)
            continue
        total = logged.get(task.id, 0.0) + sum(logged.get(s, 0.0) for s in index.subtasks.get(task.id, ()))
        tasks.append(TaskEstimate(task.id, task.title, task.project, task.assignee, task.estimate.hours, total))
    return EstimatesReport(
        tuple(tasks), _grouped(tasks, "assignee"), _grouped(tasks, "project"),
        distribution(None, tasks) if tasks else None, tuple(unestimated),
    )


def _grouped(tasks: Sequence[TaskEstimate], attribute: str) -> tuple[Distribution, ...]:
    groups: dict[str | None, list[TaskEstimate]] = defaultdict(list)
    for task in tasks:
        groups[getattr(task, attribute)].append(task)
    ordered = sorted(groups, key=lambda k: (k is None, k or ""))
    return tuple(distribution(k, groups[k]) for k in ordered)
