"""`wm report estimates`: estimate versus logged time of done tasks, and its distribution.

Pure. The ratio of a task is logged / estimate (1.0: spot on, 2.0: took
twice as long). Distributions per person (assignee) and per project give
n, median, p85, min and max; the workspace's accuracy is total logged over
total estimate of the done tasks.

The tasks measured (`done_tasks`, which `wm report projects` counts its
accuracy from too) are the done, not cancelled tasks that are not parents
of subtasks (a parent's estimate is its subtasks' work again, as progress
counts it), with an estimate and time logged against them. Done tasks with
no estimate, an invalid one, or nothing logged are listed apart: a task
nobody logged time on would count as a ratio of 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

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
    invalid: tuple[str, ...] = ()  # done tasks whose estimate is not valid (wm validate says why)
    unlogged: tuple[str, ...] = ()  # done tasks with an estimate and no time logged: left out of the ratios

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
            "invalid_estimate_done_tasks": list(self.invalid),
            "unlogged_done_tasks": list(self.unlogged),
        }


@dataclass(frozen=True)
class DoneTasks:
    """The done tasks an estimate is checked on (`measured`), and those left out, by why."""

    measured: tuple[TaskEstimate, ...]
    unestimated: tuple[str, ...]
    invalid: tuple[str, ...]
    unlogged: tuple[str, ...]


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


def accuracy(items: Sequence[TaskEstimate]) -> float | None:
    """Total logged over total estimate (None: nothing measured)."""
    estimate = sum(t.estimate for t in items)
    return sum(t.logged for t in items) / estimate if estimate else None


def distribution(key: str | None, items: Sequence[TaskEstimate]) -> Distribution:
    ratios = [t.ratio for t in items]
    return Distribution(key, len(items), percentile(ratios, 0.5), percentile(ratios, 0.85), min(ratios), max(ratios), accuracy(items) or 0.0)


def done_tasks(index: Index, logged: Mapping[str, float]) -> DoneTasks:
    """Done leaf tasks (`logged`: hours per task ID), sorted by ID: measured, or left out as unestimated (no
    estimate, or 0), invalid (an estimate that does not parse) or unlogged (nothing logged)."""
    measured: list[TaskEstimate] = []
    unestimated: list[str] = []
    invalid: list[str] = []
    unlogged: list[str] = []
    for task in sorted(index.of_type(Task), key=lambda t: t.id):
        if not index.is_done(task) or index.is_cancelled(task) or task.id in index.subtasks:
            continue
        if task.estimate is None and task.raw.get("estimate") is not None:
            invalid.append(task.id)
        elif task.estimate is None or task.estimate.hours <= 0:
            unestimated.append(task.id)
        elif logged.get(task.id, 0.0) <= 0:
            unlogged.append(task.id)
        else:
            measured.append(TaskEstimate(task.id, task.title, task.project, task.assignee, task.estimate.hours, logged[task.id]))
    return DoneTasks(tuple(measured), tuple(unestimated), tuple(invalid), tuple(unlogged))


def estimates_report(index: Index, now: dt.datetime | None = None) -> EstimatesReport:
    pricer = Pricer(index, now)
    logged: dict[str, float] = defaultdict(float)
    for entry in index.entries:
        logged[entry.ref] += pricer.price(entry).hours
    done = done_tasks(index, logged)
    tasks = done.measured
    return EstimatesReport(
        tasks, _grouped(tasks, "assignee"), _grouped(tasks, "project"),
        distribution(None, tasks) if tasks else None, done.unestimated, done.invalid, done.unlogged,
    )


def _grouped(tasks: Sequence[TaskEstimate], attribute: str) -> tuple[Distribution, ...]:
    groups: dict[str | None, list[TaskEstimate]] = defaultdict(list)
    for task in tasks:
        groups[getattr(task, attribute)].append(task)
    ordered = sorted(groups, key=lambda k: (k is None, k or ""))
    return tuple(distribution(k, groups[k]) for k in ordered)
