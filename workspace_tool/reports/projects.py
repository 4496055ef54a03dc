"""`wm report projects`: the portfolio — progress, hours, burn, accuracy, forecast and health.

Pure: index (+ the scheduler's plan, when there is one) in, rows out.
Health (`workspace_tool.health`, the rule the status site uses too) is red
when a project is over budget or late, amber when it is close to its
budget, at risk, or has overdue or blocked tasks, open high-impact risks,
open tasks the plan could not schedule or open tasks it counts as zero
effort for want of an estimate (the forecast leaves their work out: the
report's notes name them), else green; every colour comes with its
reasons. Progress is `reports.progress`'s (by effort only when every
counted task has an estimate, else by tasks) and accuracy is
`reports.estimates.done_tasks`'s (the rules of the site, `wm report goals`
and `wm report estimates`).

The `blocked` tasks of a row are those *held up* now
(`blocking.is_held_up`): blocked, and marked `blocked`, started, or at
their start or due date. Tasks merely waiting for predecessors in a future
plan are blocked in `wm blocked`'s sense but not counted here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from workspace_tool.blocking import is_held_up
from workspace_tool.health import HealthFacts, budget_burn, named, open_tasks_text, plan_gaps, project_health
from workspace_tool.index import Index
from workspace_tool.model import PRIORITY_RANK, Client, Document, Project, Risk, Task
from workspace_tool.reports.billing import Priced, Pricer, cents, exact_hours
from workspace_tool.reports.estimates import TaskEstimate, accuracy, done_tasks
from workspace_tool.reports.progress import Progress, basis_text, counted_tasks, progress_of

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
    closed: bool = False  # the project is in a done status
    budget_currency: str | None = None  # the workspace's: a budget is in it (None: the cost's)
    unestimated: tuple[str, ...] = ()  # open tasks the plan counts as zero effort (no estimate)
    unestimated_tasks: int = 0  # counted tasks, done or open, without an estimate: progress is by tasks when any

    @property
    def progress_effort(self) -> float | None:
        return self.done_effort / self.effort if self.effort else None

    @property
    def progress_tasks(self) -> float | None:
        return self.done_tasks / self.tasks if self.tasks else None

    def _progress(self) -> Progress:
        return Progress(self.tasks, self.done_tasks, self.effort, self.done_effort, self.closed, self.unestimated_tasks)

    @property
    def progress(self) -> float | None:
        """By effort when every counted task has an estimate, else by tasks (`reports.progress`: the rule of `wm
        report goals` and the site)."""
        return self._progress().share

    @property
    def progress_by(self) -> str | None:
        """"effort", "tasks", "status" (closed, no tasks) or None."""
        return self._progress().basis

    @property
    def progress_basis_text(self) -> str:
        """What follows the progress percent in a table, as on the site: "", " by tasks" or " by tasks (9 unestimated)"."""
        return basis_text(self.progress_by, self.unestimated_tasks)

    @property
    def currencies(self) -> tuple[str, str] | None:
        """(the cost's currency, the budget's) when there are a budget and a cost in another currency than it."""
        other = self.budget is not None and self.cost is not None and self.budget_currency not in (None, self.currency)
        return (self.currency, self.budget_currency or "") if other else None

    @property
    def burn(self) -> float | None:
        """cost / budget (`health.budget_burn`; inf: a budget of 0 exceeded); None across currencies."""
        if self.currencies is not None:
            return None
        return budget_burn(None if self.cost is None else float(self.cost), self.budget)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "status": self.status, "priority": self.priority,
            "owner": self.owner, "client": self.client, "due": _iso(self.due),
            "tasks": self.tasks, "done_tasks": self.done_tasks,
            "effort_hours": _round(self.effort), "done_effort_hours": _round(self.done_effort),
            "progress_effort": _round(self.progress_effort), "progress_tasks": _round(self.progress_tasks),
            "progress": _round(self.progress), "progress_by": self.progress_by, "unestimated_tasks": self.unestimated_tasks,
            "hours": _round(self.hours), "cost": None if self.cost is None else float(self.cost),
            "currency": self.currency, "unpriced_hours": _round(self.unpriced_hours),
            "budget": self.budget, "burn": None if self.burn == math.inf else _round(self.burn), "accuracy": _round(self.accuracy),
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


def read_documents(index: Index) -> list[Document]:
    """The documents whose values make the report's figures: projects, their tasks and their clients."""
    projects = index.projects()
    ids = {p.id for p in projects}
    clients = {p.client for p in projects if p.client}
    return [*projects, *(t for t in index.of_type(Task) if t.project in ids), *(c for c in index.of_type(Client) if c.id in clients)]


def project_report(index: Index, plan: Any = None, now: dt.datetime | None = None, notes: Sequence[str] = ()) -> PortfolioReport:
    """Every project, ranked by priority, then health (red first), then due date."""
    priced = Pricer(index, now).price_all(index.entries)
    by_project: dict[str | None, list[Priced]] = defaultdict(list)
    by_task: dict[str, float] = defaultdict(float)
    for p in priced:
        by_project[p.project].append(p)
        if p.task:
            by_task[p.task] += p.hours
    measured: dict[str | None, list[TaskEstimate]] = defaultdict(list)
    for task in done_tasks(index, by_task).measured:
        measured[task.project].append(task)
    rows = [_row(index, project, by_project.get(project.id, []), measured.get(project.id, []), plan) for project in index.projects()]
    rows.sort(key=lambda r: (PRIORITY_RANK.get(r.priority, 9), HEALTH_RANK[r.health], r.due or dt.date.max, r.id))
    unestimated = [unestimated_note(r) for r in rows if r.unestimated and not r.closed]
    return PortfolioReport(tuple(rows), plan is not None, (*notes, *unestimated))


def unestimated_note(row: ProjectRow) -> str:
    return f"{row.id}: {open_tasks_text(len(row.unestimated))} without an estimate, left out of the forecast: {named(row.unestimated)}"


def _row(index: Index, project: Project, priced: list[Priced], measured: list[TaskEstimate], plan: Any) -> ProjectRow:
    tasks = counted_tasks(index.tasks_of(project.id), index.subtasks, index.is_cancelled)
    progress = progress_of(tasks, index.is_done, index.is_done(project))
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
        progress.tasks, progress.done_tasks, progress.effort, progress.done_effort, hours, cost, currency, unpriced, project.budget,
        accuracy(measured), getattr(forecast, "end", None), getattr(forecast, "status", None), overdue, blocked, risks, "green", (),
        progress.closed, index.settings.currency, unestimated_tasks=progress.unestimated,
    )
    unscheduled, unestimated = plan_gaps(getattr(plan, "warnings", ()), [t.id for t in open_tasks])
    health, reasons = _health(index, project, row, unscheduled, unestimated)
    return _with_health(row, health, reasons, unestimated)


def _health(index: Index, project: Project, row: ProjectRow, unscheduled: tuple[str, ...], unestimated: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    high = [r for r in row.open_risks if getattr(index.get(r), "impact", None) == "high"]
    facts = HealthFacts(
        closed=index.is_done(project), due=project.due, today=index.today, burn=row.burn,
        forecast_status=row.forecast_status, forecast_end=row.forecast_end, overdue=len(row.overdue), held_up=len(row.blocked),
        high_risks=len(high), unpriced_hours=row.unpriced_hours, open_tasks=row.tasks - row.done_tasks,
        currencies=row.currencies, unscheduled=unscheduled, unestimated=len(unestimated),
    )
    return project_health(facts)


def _with_health(row: ProjectRow, health: str, reasons: tuple[str, ...], unestimated: tuple[str, ...]) -> ProjectRow:
    from dataclasses import replace

    return replace(row, health=health, reasons=reasons, unestimated=unestimated)
