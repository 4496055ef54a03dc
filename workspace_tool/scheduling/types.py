"""The scheduler's own input and output types (no dependency on the index).

Build a `SchedInput` by hand (tests) or from an index (`adapter.build_input`),
hand it to `engine.schedule`, and read the `Plan`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from workspace_tool.scheduling.calendar import WorkCalendar


@dataclass(frozen=True)
class Resource:
    """A person: at most `capacity` hours per working day (None: the whole day), on `weekdays` (None: all)."""

    id: str
    capacity: float | None = None
    weekdays: frozenset[int] | None = None
    leave: tuple[tuple[dt.date, dt.date], ...] = ()

    def on_leave(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.leave)


@dataclass(frozen=True)
class SchedTask:
    """One task to place. `effort` is in working hours; `priority` is a rank (0 = critical ... 3 = low).

    `closed`: books nothing (done, cancelled, or of a done, cancelled or on-hold project). `on_hold`: closed because
    its project is on hold; unlike a done task, what depends on it cannot be scheduled.
    """

    id: str
    effort: float = 0.0
    project: str | None = None
    assignee: str | None = None
    priority: int = 2
    depends_on: tuple[str, ...] = ()
    start: dt.date | None = None
    due: dt.date | None = None
    parent: str | None = None
    milestone: bool = False
    closed: bool = False
    cancelled: bool = False
    done: dt.date | None = None
    has_estimate: bool = True
    on_hold: bool = False


@dataclass(frozen=True)
class SchedProject:
    """A project: its `start` is a start-no-earlier-than for its tasks (as a TaskJuggler container's start)."""

    id: str
    due: dt.date | None = None
    start: dt.date | None = None


@dataclass(frozen=True)
class PlanWarning:
    """Something the plan could not do as asked, about one task (`about`: its ID, or a milestone's)."""

    about: str
    message: str

    def __str__(self) -> str:
        return f"{self.about}: {self.message}"


@dataclass(frozen=True)
class SchedInput:
    """Everything the engine needs: the plan start, the calendar, tasks, people and projects."""

    start: dt.date
    calendar: WorkCalendar
    tasks: tuple[SchedTask, ...]
    resources: Mapping[str, Resource] = field(default_factory=dict)
    projects: tuple[SchedProject, ...] = ()
    at_risk_ratio: float = 0.1
    warnings: tuple[PlanWarning, ...] = ()


@dataclass(frozen=True)
class Booking:
    date: dt.date
    hours: float


@dataclass(frozen=True)
class Cause:
    """What fixed a task's start: `plan-start`, `start` (its own date), `project-start` (its project's `start`; `ref`:
    the project), `predecessor`, `resource` (a competing task), `subtask` (a parent's: its first subtask's start),
    `done`.

    `via`: the parent whose start date or predecessor it is (subtasks wait for their parent's). `calendar`: the
    person could not work on it from then until its start (capacity used up that day, leave, a day off).
    """

    kind: str
    ref: str | None = None
    via: str | None = None
    calendar: bool = False


@dataclass(frozen=True)
class ScheduledTask:
    id: str
    project: str | None
    assignee: str | None
    start: dt.date
    end: dt.date
    start_at: dt.datetime
    end_at: dt.datetime
    effort_hours: float
    slack_hours: float
    critical: bool
    late: bool
    bookings: tuple[Booking, ...]
    milestone: bool = False
    summary: bool = False
    closed: bool = False
    due: dt.date | None = None
    cause: Cause = Cause("plan-start")


@dataclass(frozen=True)
class ProjectForecast:
    id: str
    start: dt.date | None
    end: dt.date | None
    due: dt.date | None
    status: str
    remaining_hours: float
    slack_to_due_hours: float | None


@dataclass(frozen=True)
class Plan:
    """A levelled plan.

    `links` maps a task to the tasks whose start it constrains (dependencies and
    the person's next task); `binding` maps a task to the one successor that
    sets its latest finish (None: the end of its project).
    """

    start: dt.date
    tasks: Mapping[str, ScheduledTask]
    projects: Mapping[str, ProjectForecast]
    warnings: tuple[PlanWarning, ...]
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    binding: Mapping[str, str | None] = field(default_factory=dict)
    end: dt.date | None = None
