"""`--why`: what fixed a task's start, and its chain of successors to the end of its project."""

from __future__ import annotations

import datetime as dt
from typing import Mapping

from workspace_tool.scheduling.types import Plan, ScheduledTask

MAX_CHAIN = 200


def _at(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _hours(value: float) -> str:
    return f"{value:g}h"


def explain(
    plan: Plan, task_id: str, starts: Mapping[str, dt.date] | None = None, parents: Mapping[str, str] | None = None
) -> list[str] | None:
    """Lines explaining a task's place in the plan; None when the plan knows nothing about it.

    `starts`: the `start:` dates as the tasks' files give them (the plan has only the first working hour they
    became), quoted when a task's own or an ancestor's start date fixed its start. `parents`: each subtask's
    parent, to name the ancestor whose start date or predecessor it waits for by its relation ("its parent's
    parent"); without it, "its ancestor".
    """
    record = plan.tasks.get(task_id)
    problems = [w.message for w in plan.warnings if w.about == task_id]
    if record is None:
        return [f"{task_id} is not in the plan:", *(f"  {problem}" for problem in problems)] if problems else None
    lines = [_summary(record), f"  start set by: {_cause(plan, record, starts or {}, parents)}"]
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


def _cause(plan: Plan, t: ScheduledTask, starts: Mapping[str, dt.date], parents: Mapping[str, str] | None) -> str:
    text = _what(plan, t, starts, parents)
    if t.cause.calendar and t.assignee:
        text += f"; {t.assignee} could not work on it before {_at(t.start_at)} (capacity used up that day, leave or a day off)"
    return text


def _what(plan: Plan, t: ScheduledTask, starts: Mapping[str, dt.date], parents: Mapping[str, str] | None) -> str:
    cause = t.cause
    other = plan.tasks.get(cause.ref) if cause.ref else None
    ancestor = _relation(t.id, cause.via, parents) if cause.via else ""
    parent = f" of {ancestor}" if cause.via else ""
    if cause.kind == "start":
        whose = f"the start date of {ancestor}" if cause.via else "its own start date"
        return f"{whose} ({_start_date(t, starts.get(cause.via or t.id))})"
    if cause.kind == "predecessor" and other is not None:
        return f"predecessor {other.id}{parent}, which ends {_at(other.end_at)}"
    if cause.kind == "resource" and other is not None:
        return f"{t.assignee} is busy with {other.id} (until {_at(other.end_at)}), which went first"
    if cause.kind == "resource":
        return f"{t.assignee} is fully booked by higher-priority work until then"
    if cause.kind == "subtask" and other is not None:
        return f"its first subtask, {other.id}, which starts {_at(other.start_at)}; its start set by: {_cause(plan, other, starts, parents)}"
    if cause.kind == "done":
        return "nothing: the task is closed"
    if cause.kind == "project-start":
        via = f" (via {ancestor})" if cause.via else ""
        return f"the start date of its project {cause.ref}{via} ({_start_date(t, starts.get(cause.ref or ''))})"
    return f"the plan start ({plan.start})"


def _relation(task_id: str, ancestor: str, parents: Mapping[str, str] | None) -> str:
    """`ancestor` named by how far up from `task_id` it is: "its parent X", "its parent's parent X", "its parent's
    ancestor X (3 levels up)"; "its ancestor X" when `parents` does not lead there."""
    current, levels = task_id, 0
    while parents is not None and current in parents and levels < MAX_CHAIN:
        current, levels = parents[current], levels + 1
        if current == ancestor:
            break
    if current != ancestor or levels == 0:
        return f"its ancestor {ancestor}"
    if levels == 1:
        return f"its parent {ancestor}"
    if levels == 2:
        return f"its parent's parent {ancestor}"
    return f"its parent's ancestor {ancestor} ({levels} levels up)"


def _start_date(t: ScheduledTask, written: dt.date | None) -> str:
    """The start date as written, and the first working hour it became when that is on a later day (a weekend,
    a holiday); the planned start when the date is not known."""
    if written is None or written == t.start:
        return f"{t.start}"
    return f"{written}; first working hour {_at(t.start_at)}"


def _chain(plan: Plan, t: ScheduledTask) -> list[str]:
    """The successors that set the task's latest finish, one after the other, to the end of the last one's project
    (which may be another project's end: a person's next task can be in another project)."""
    steps: list[ScheduledTask] = []
    current: str | None = plan.binding.get(t.id)
    seen = {t.id}
    while current is not None and current not in seen and len(seen) < MAX_CHAIN:
        seen.add(current)
        step = plan.tasks.get(current)
        if step is not None:
            steps.append(step)
        current = plan.binding.get(current)
    last = steps[-1] if steps else t
    target = f"project {last.project}" if last.project else "the plan"
    project = plan.projects.get(last.project) if last.project else None
    end = project.end if project is not None else plan.end
    lines = [f"  chain to the end of {target} ({end}):"]
    for step in steps:
        where = f", {step.project}" if step.project != t.project and step.project else ""
        lines.append(f"    -> {step.id} ({step.assignee or 'unassigned'}{where}): {_at(step.start_at)} -> {_at(step.end_at)}, slack {_hours(step.slack_hours)}")
    lines.append(f"    -> end of {target} ({end})")
    return lines


def critical_chain(plan: Plan, project_id: str) -> list[str]:
    """The IDs of the chain that decides a project's end: its earliest critical task, then what it binds, as long as
    the chain stays in the project."""
    critical = sorted(
        (t for t in plan.tasks.values() if t.project == project_id and t.critical and not t.closed),
        key=lambda t: (t.start_at, t.id),
    )
    if not critical:
        return []
    chain = [critical[0].id]
    current = plan.binding.get(critical[0].id)
    while current is not None and current not in chain and len(chain) < MAX_CHAIN:
        step = plan.tasks.get(current)
        if step is not None:
            if step.project != project_id:
                break
            chain.append(current)
        current = plan.binding.get(current)
    return chain
