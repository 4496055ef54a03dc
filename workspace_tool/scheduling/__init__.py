"""Scheduling: a levelled plan of the open tasks, with slack, critical path and forecasts.

The public API:

- `schedule(inp: SchedInput) -> Plan` (pure: no I/O): place tasks described by
  the scheduler's own types (`SchedTask`, `Resource`, `SchedProject`, `WorkCalendar`).
- `schedule_index(index, start=None) -> Plan`: the same for a loaded workspace
  index; `start` defaults to `schedule.start` in `workspace.yml`, else today. The
  plan of an input planned before is read from `.wm/plans/` (`plan_cache`).

`Plan.tasks` maps a task ID to a `ScheduledTask` (`start`/`end` dates,
`start_at`/`end_at` datetimes, `effort_hours`, `slack_hours`, `critical`,
`late`, `bookings`); `Plan.projects` maps a project ID to a `ProjectForecast`;
`Plan.warnings` lists what could not be planned, task by task (`PlanWarning`: the ID it is about, the message).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Mapping

from workspace_tool.gcpause import paused
from workspace_tool.scheduling.calendar import WorkCalendar
from workspace_tool.scheduling.engine import level
from workspace_tool.scheduling.plan import build_plan
from workspace_tool.scheduling.types import (
    Booking,
    Cause,
    Plan,
    PlanWarning,
    ProjectForecast,
    Resource,
    SchedInput,
    SchedProject,
    SchedTask,
    ScheduledTask,
)

if TYPE_CHECKING:
    from workspace_tool.index import Index

__all__ = [
    "Booking",
    "Cause",
    "Plan",
    "PlanWarning",
    "ProjectForecast",
    "Resource",
    "SchedInput",
    "SchedProject",
    "SchedTask",
    "ScheduledTask",
    "WorkCalendar",
    "schedule",
    "schedule_index",
]


def schedule(inp: SchedInput) -> Plan:
    """Level the tasks of `inp` and return the plan.

    The collector is paused meanwhile: a plan of 10,000 tasks is 100,000
    bookings, none of them cyclic garbage, and collections took 0.2 s of
    `wm schedule` at that size.
    """
    with paused(freeze=False):
        return build_plan(inp, level(inp))


def schedule_index(index: Index, start: dt.date | None = None, done_dates: Mapping[str, dt.date] | None = None) -> Plan:
    """The plan of every open task in the workspace index, from `start` (else the configured start, else today).

    `done_dates` (e.g. `History.done_dates()`) dates done tasks that have no `done:` key. The plan of an input
    planned before by this code is read from `.wm/plans/` (`plan_cache`), not made again.
    """
    from workspace_tool.scheduling.adapter import build_input
    from workspace_tool.scheduling.plan_cache import cached_schedule

    return cached_schedule(index.root, build_input(index, start, done_dates))
