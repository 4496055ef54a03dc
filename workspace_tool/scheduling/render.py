"""The plan as documented JSON and as table rows (see docs/scheduling.md)."""

from __future__ import annotations

import json
from typing import Any, Mapping

from workspace_tool.scheduling.baseline import Slip
from workspace_tool.scheduling.types import Plan, ProjectForecast, ScheduledTask


def shown_tasks(plan: Plan, project: str | None = None) -> list[ScheduledTask]:
    """Open tasks (optionally of one project), by start then ID."""
    tasks = [t for t in plan.tasks.values() if not t.closed and (project is None or t.project == project)]
    return sorted(tasks, key=lambda t: (t.start_at, t.end_at, t.id))


def shown_warnings(plan: Plan, project: str | None = None) -> list[str]:
    """The plan's warnings as text; with `project`, those about it, its tasks, and tasks the plan does not hold."""
    return [
        str(w) for w in plan.warnings
        if project is None or w.about == project
        or (w.about not in plan.projects and ((task := plan.tasks.get(w.about)) is None or task.project == project))
    ]


def task_json(t: ScheduledTask, slip: Slip | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": t.id,
        "project": t.project,
        "assignee": t.assignee,
        "start": t.start.isoformat(),
        "end": t.end.isoformat(),
        "start_at": t.start_at.isoformat(),
        "end_at": t.end_at.isoformat(),
        "effort_hours": t.effort_hours,
        "slack_hours": t.slack_hours,
        "critical": t.critical,
        "late": t.late,
        "bookings": [{"date": b.date.isoformat(), "hours": b.hours} for b in t.bookings],
    }
    if slip is not None:
        data["baseline_end"] = slip.baseline_end.isoformat() if slip.baseline_end else None
        data["slip_days"] = slip.days
    return data


def project_json(p: ProjectForecast, slip: Slip | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": p.id,
        "start": p.start.isoformat() if p.start else None,
        "end": p.end.isoformat() if p.end else None,
        "due": p.due.isoformat() if p.due else None,
        "status": p.status,
    }
    if slip is not None:
        data["baseline_end"] = slip.baseline_end.isoformat() if slip.baseline_end else None
        data["slip_days"] = slip.days
    return data


def plan_json(
    plan: Plan,
    project: str | None = None,
    task_slips: Mapping[str, Slip] | None = None,
    project_slips: Mapping[str, Slip] | None = None,
) -> dict[str, Any]:
    """The `wm schedule --json` document."""
    tasks = shown_tasks(plan, project)
    projects = [p for p in plan.projects.values() if project is None or p.id == project]
    return {
        "start": plan.start.isoformat(),
        "tasks": [task_json(t, task_slips.get(t.id) if task_slips is not None else None) for t in tasks],
        "projects": [project_json(p, project_slips.get(p.id) if project_slips is not None else None) for p in projects],
        "warnings": shown_warnings(plan, project),
    }


def task_rows(tasks: list[ScheduledTask], task_slips: Mapping[str, Slip] | None = None) -> tuple[list[str], list[list[Any]]]:
    headers = ["task", "assignee", "start", "end", "slack", "critical", "late"]
    if task_slips is not None:
        headers.append("slip")
    rows = []
    for t in tasks:
        row: list[Any] = [t.id, t.assignee or "", t.start, t.end, f"{t.slack_hours:g}h", t.critical, t.late]
        if task_slips is not None:
            slip = task_slips.get(t.id)
            row.append("new" if slip is None or slip.days is None else f"{slip.days:+d}d")
        rows.append(row)
    return headers, rows


def project_rows(plan: Plan, project: str | None, project_slips: Mapping[str, Slip] | None = None) -> tuple[list[str], list[list[Any]]]:
    headers = ["project", "start", "end", "due", "status"]
    if project_slips is not None:
        headers.append("slip")
    rows = []
    for p in plan.projects.values():
        if project is not None and p.id != project:
            continue
        row: list[Any] = [p.id, p.start, p.end, p.due, p.status]
        if project_slips is not None:
            slip = project_slips.get(p.id)
            row.append("new" if slip is None or slip.days is None else f"{slip.days:+d}d")
        rows.append(row)
    return headers, rows


def dumps_plan(data: Mapping[str, Any]) -> str:
    """The `--json` document as text: one object per line inside `tasks` and `projects`.

    Compact rows keep the C JSON encoder (an indented dump of 10,000 tasks is
    several times slower) while staying readable and diff-friendly.
    """
    lines = ["{", f'  "start": {json.dumps(data["start"])},']
    for key in ("tasks", "projects"):
        rows = [json.dumps(item, ensure_ascii=False) for item in data[key]]
        lines.append(f'  "{key}": [' + ("" if rows else "],"))
        if rows:
            lines.append(",\n".join(f"    {row}" for row in rows))
            lines.append("  ],")
    lines.append(f'  "warnings": {json.dumps(data["warnings"], ensure_ascii=False)}')
    lines.append("}")
    return "\n".join(lines)
