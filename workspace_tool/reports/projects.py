"""`wm report projects`: the portfolio — progress, hours, burn, accuracy, forecast and health.

Pure: index (+ the scheduler's plan, when there is one) in, rows out.
Health (`workspace_tool.health`, the rule the status site uses too) is red
when a project is over budget or late, amber when it is close to its
budget, at risk, or has overdue or blocked tasks or open high-impact
risks, else green; every colour comes with its reasons.

The `blocked` tasks of a row are those *held up* now
(`blocking.is_held_up`): blocked, and marked `blocked`, started, or at
their start or due date. Tasks merely waiting for predecessors in a future
plan are blocked in `wm blocked`'s sense but not counted here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from workspace_tool.blocking import is_held_up
from workspace_tool.health import HealthFacts, project_health
from workspace_tool.index import Index
from workspace_tool.model import PRIORITY_RANK, Project, Risk, Task
from workspace_tool.reports.billing import Priced, Pricer, cents, exact_hours

HEALTH_RANK = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class ProjectRow:
    id: str
    title: str
    status: str
    priority: str
    owner: str | None
    client: str | None
    due: dt.date | None
    tasks: int
    done_tasks: int
    effort: float
    done_effort: float
    hours: float
    cost: Decimal | None
    currency: str
    unpriced_hours: float
    budget: float | None
    accuracy: float | None
    forecast_end: dt.date | None
    forecast_status: str | None
    overdue: tuple[str, ...]
    blocked: tuple[str, ...]
    open_risks: tuple[str, ...]
    health: str
    reasons: tuple[str, ...]

    @property
    def progress_effort(self) -> float | None:
        return self.done_effort / self.effort if self.effort else None

    @property
    def progress_tasks(self) -> float | None:
        return self.done_tasks / self.tasks if self.tasks else None

    @property
    def burn(self) -> float | None:
        if self.budget is None or self.budget == 0 or self.cost is None:
            return None
        return float(self.cost) / self.budget

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "status": self.status, "priority": self.priority,
            "owner": self.owner, "client": self.client, "due": _iso(self.due),
            "tasks": self.tasks, "done_tasks": self.done_tasks,
            "effort_hours": _round(self.effort), "done_effort_hours": _round(self.done_effort),
            "progress_effort": _round(self.progress_effort), "progress_tasks": _round(self.progress_tasks),
            "hours": _round(self.hours), "cost": None if self.cost is None else float(self.cost),
            "currency": self.currency, "unpriced_hours": _round(self.unpriced_hours),
            "budget": self.budget, "burn": _round(self.burn), "accuracy": _round(self.accuracy),
            "forecast_end": _iso(self.forecast_end), "forecast_status": self.forecast_status,
            "overdue": list(self.overdue), "blocked": list(self.blocked), "open_risks": list(self.open_risks),
            "health": self.health, "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class PortfolioReport:
    rows: tuple[ProjectRow, ...]
    forecast: bool
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"projects": [r.as_json() for r in self.rows], "forecast": self.forecast, "notes": list(self.notes)}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _round(value: float | None, digits: int = 4) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, digits)
    return int(rounded) if float(rounded).is_integer() else rounded


def _cancelled(task: Task) -> bool:
    return task.status == "cancelled"


def project_report(index: Index, plan: Any = None, now: dt.datetime | None = None, notes: Sequence[str] = ()) -> PortfolioReport:
    """Every project, ranked by priority, then health (red first), then due date."""
    priced = Pricer(index, now).price_all(index.entries)
    by_project: dict[str | None, list[Priced]] = defaultdict(list)
    by_task: dict[str, float] = defaultdict(float)
    for p in priced:
        by_project[p.project].append(p)
        if p.task:
            by_task[p.task] += p.hours
    rows = [_row(index, project, by_project.get(project.id, []), by_task, plan) for project in index.projects()]
    rows.sort(key=lambda r: (PRIORITY_RANK.get(r.priority, 9), HEALTH_RANK[r.health], r.due or dt.date.max, r.id))
    return PortfolioReport(tuple(rows), plan is not None, tuple(notes))


def _row(index: Index, project: Project, priced: list[Priced], by_task: dict[str, float], plan: Any) -> ProjectRow:
    tasks = [t for t in index.tasks_of(project.id) if not _cancelled(t) and t.id not in index.subtasks]
    done = [t for t in tasks if index.is_done(t)]
    effort = sum(t.estimate.hours for t in tasks if t.estimate)
    done_effort = sum(t.estimate.hours for t in done if t.estimate)
    estimated_done = [t for t in done if t.estimate and t.estimate.hours > 0]
    accuracy = None
    if estimated_done:
        estimate = sum(t.estimate.hours for t in estimated_done if t.estimate)
        accuracy = sum(by_task.get(t.id, 0.0) for t in estimated_done) / estimate
    hours = sum(p.hours for p in priced)
    with_rate = [p for p in priced if p.rate is not None]
    cost = cents(sum((exact_hours(p.hours) * (p.rate or Decimal(0)) for p in with_rate), Decimal(0))) if with_rate else None
    unpriced = sum(p.hours for p in priced if p.rate is None)
    currency = priced[0].currency if priced else index.settings.currency
    open_tasks = [t for t in tasks if not index.is_done(t)]
    overdue = tuple(t.id for t in open_tasks if t.due and t.due < index.today)
    blocked = tuple(t.id for t in open_tasks if is_held_up(t, index))  # held up now, not merely blocked: see `blocking`
    risks = tuple(r.id for r in index.of_type(Risk) if r.project == project.id and not index.is_done(r))
    forecast = plan.projects.get(project.id) if plan is not None else None
    row = ProjectRow(
        project.id, project.title, project.status, project.priority, project.owner, project.client, project.due,
        len(tasks), len(done), effort, done_effort, hours, cost, currency, unpriced, project.budget, accuracy,
        getattr(forecast, "end", None), getattr(forecast, "status", None), overdue, blocked, risks, "green", (),
    )
    health, reasons = _health(index, project, row)
    return _with_health(row, health, reasons)


def _health(index: Index, project: Project, row: ProjectRow) -> tuple[str, tuple[str, ...]]:
    high = [r for r in row.open_risks if getattr(index.get(r), "impact", None) == "high"]
    facts = HealthFacts(
        index.is_done(project), project.due, index.today, row.burn, row.forecast_status, row.forecast_end,
        len(row.overdue), len(row.blocked), len(high), row.unpriced_hours, row.tasks - row.done_tasks,
    )
    return project_health(facts)


def _with_health(row: ProjectRow, health: str, reasons: tuple[str, ...]) -> ProjectRow:
    from dataclasses import replace

    return replace(row, health=health, reasons=reasons)
