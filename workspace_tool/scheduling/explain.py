"""`--why`: what fixed a task's start, and its chain of successors to the end of its project."""

from __future__ import annotations

import datetime as dt

from workspace_tool.scheduling.types import Plan, ScheduledTask

MAX_CHAIN = 200


def _at(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _hours(value: float) -> str:
    return f"{value:g}h"


def explain(plan: Plan, task_id: str) -> list[str] | None:
    """Lines explaining a task's place in the plan; None when the plan knows nothing about it."""
    record = plan.tasks.get(task_id)
    problems = [w.message for w in plan.warnings if w.about == task_id]
    if record is None:
        return [f"{task_id} is not in the plan:", *(f"  {problem}" for problem in problems)] if problems else None
    lines = [_summary(record), f"  start set by: {_cause(plan, record)}"]
    lines.extend(f"  warning: {problem}" for problem in problems)
    if not record.closed:
        lines.extend(_chain(plan, record))
    return lines


def _summary(t: ScheduledTask) -> str:
    if t.closed:
        return f"{t.id}: closed on {t.end}; books nothing"
    flags = ", critical" if t.critical else ""
    flags += ", late" if t.late else ""
    who = f" ({t.assignee})" if t.assignee else " (unassigned)"
    return f"{t.id}{who}: {_at(t.start_at)} -> {_at(t.end_at)}, {_hours(t.effort_hours)} of work, slack {_hours(t.slack_hours)}{flags}"


def _cause(plan: Plan, t: ScheduledTask) -> str:
    cause = t.cause
    other = plan.tasks.get(cause.ref) if cause.ref else None
    if cause.kind == "start":
        return f"its own start date ({t.start})"
    if cause.kind == "predecessor" and other is not None:
        return f"predecessor {other.id}, which ends {_at(other.end_at)}"
    if cause.kind == "resource" and other is not None:
        return f"{t.assignee} is busy with {other.id} (until {_at(other.end_at)}), which went first"
    if cause.kind == "resource":
        return f"{t.assignee} is fully booked by higher-priority work until then"
    if cause.kind == "subtask" and other is not None:
        return f"its first subtask, {other.id}, which starts {_at(other.start_at)}; its start set by: {_cause(plan, other)}"
    if cause.kind == "done":
        return "nothing: the task is closed"
    return f"the plan start ({plan.start})"


def _chain(plan: Plan, t: ScheduledTask) -> list[str]:
    target = f"project {t.project}" if t.project else "the plan"
    project = plan.projects.get(t.project) if t.project else None
    end = project.end if project is not None else plan.end
    lines = [f"  chain to the end of {target} ({end}):"]
    current: str | None = plan.binding.get(t.id)
    seen = {t.id}
    while current is not None and current not in seen and len(seen) < MAX_CHAIN:
        seen.add(current)
        step = plan.tasks.get(current)
        if step is not None:
            lines.append(f"    -> {step.id} ({step.assignee or 'unassigned'}): {_at(step.start_at)} -> {_at(step.end_at)}, slack {_hours(step.slack_hours)}")
        current = plan.binding.get(current)
    lines.append(f"    -> end of {target} ({end})")
    return lines


def critical_chain(plan: Plan, project_id: str) -> list[str]:
    """The IDs of the chain that decides a project's end: its earliest critical task, then what it binds."""
    critical = sorted(
        (t for t in plan.tasks.values() if t.project == project_id and t.critical and not t.closed),
        key=lambda t: (t.start_at, t.id),
    )
    if not critical:
        return []
    chain = [critical[0].id]
    current = plan.binding.get(critical[0].id)
    while current is not None and current not in chain and len(chain) < MAX_CHAIN:
        if current in plan.tasks:
            chain.append(current)
        current = plan.binding.get(current)
    return chain
