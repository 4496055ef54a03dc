"""The domain: typed, frozen dataclasses for every document type.

This module imports nothing of ours except the small value types in
`values`. Derived state lives in properties; parsing lives in `parse`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from workspace_tool.values import DateRange, Duration, KeyResult

DOC_TYPES: tuple[str, ...] = (
    "project",
    "task",
    "decision",
    "risk",
    "person",
    "client",
    "goal",
    "timelog",
    "note",
)

PRIORITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
PRIORITY_RANK: Mapping[str, int] = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True)
class Checklist:
    """Task-list checkboxes found in a body (`- [ ]` / `- [x]`)."""

    total: int = 0
    checked: int = 0


@dataclass(frozen=True)
class Link:
    """A `[[id]]` wiki link in a body, with its 1-based line in the file."""

    target: str
    line: int


@dataclass(frozen=True)
class Document:
    """Fields every document has.

    `path` is relative to the workspace root with `/` separators.
    `lines` maps each frontmatter key to its 1-based line in the file.
    `fields` holds the typed value of every known frontmatter key that was
    present; `extra` holds unknown keys, untouched.
    """

    TYPE: ClassVar[str] = "note"

    id: str
    path: str
    title: str
    body: str = ""
    body_line: int = 1
    tags: tuple[str, ...] = ()
    created: dt.date | None = None
    visibility: str = "public"
    project: str | None = None
    links: tuple[Link, ...] = ()
    checklist: Checklist = Checklist()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.TYPE

    @property
    def is_private(self) -> bool:
        return self.visibility == "private"

    def line_of(self, key: str) -> int:
        """The line of a frontmatter key, else the first line of the file."""
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Note(Document):
    TYPE: ClassVar[str] = "note"


@dataclass(frozen=True)
class Project(Document):
    TYPE: ClassVar[str] = "project"

    status: str = "proposed"
    owner: str | None = None
    client: str | None = None
    goals: tuple[str, ...] = ()
    start: dt.date | None = None
    due: dt.date | None = None
    budget: float | None = None
    rate: float | None = None
    billable: bool | None = None
    priority: str = "medium"


@dataclass(frozen=True)
class Task(Document):
    TYPE: ClassVar[str] = "task"

    status: str = "todo"
    assignee: str | None = None
    priority: str = "medium"
    estimate: Duration | None = None
    remaining: Duration | None = None
    start: dt.date | None = None
    due: dt.date | None = None
    depends_on: tuple[str, ...] = ()
    parent: str | None = None
    milestone: bool = False
    done: dt.date | None = None
    billable: bool | None = None
    rate: float | None = None
    recurrence: str | None = None
    until: dt.date | None = None  # the last day a recurring series may have an instance


@dataclass(frozen=True)
class Decision(Document):
    TYPE: ClassVar[str] = "decision"

    status: str = "proposed"
    date: dt.date | None = None
    deciders: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Risk(Document):
    TYPE: ClassVar[str] = "risk"

    owner: str | None = None
    status: str = "open"
    probability: str | None = None
    impact: str | None = None
    due: dt.date | None = None


@dataclass(frozen=True)
class Person(Document):
    TYPE: ClassVar[str] = "person"

    name: str | None = None
    email: str | None = None
    role: str | None = None
    team: str | None = None
    capacity: float | None = None
    rate: float | None = None
    workdays: tuple[str, ...] | None = None
    leave: tuple[DateRange, ...] = ()

    def on_leave(self, day: dt.date) -> bool:
        return any(r.contains(day) for r in self.leave)


@dataclass(frozen=True)
class Client(Document):
    TYPE: ClassVar[str] = "client"

    name: str | None = None
    contact: str | None = None
    email: str | None = None
    rate: float | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Goal(Document):
    TYPE: ClassVar[str] = "goal"

    owner: str | None = None
    due: dt.date | None = None
    key_results: tuple[KeyResult, ...] = ()


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """One line of a timelog body.

    `start`/`end` are clock times for a clock range (`end` is None for a
    running timer); `hours` is the logged duration (for a running timer,
    0 here: reports count it up to now).

    Slotted (no instance dict): a warm `wm report time` over 100,000 entries
    rebuilds them all from the cache, field by field for all of a timelog's
    entries at once (see `cache._timelog`), and reads a few fields of each.
    """

    person: str
    date: dt.date
    ref: str
    hours: float
    line: int
    path: str
    start: dt.time | None = None
    end: dt.time | None = None
    note: str = ""
    tags: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.start is not None and self.end is None

    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The clock range as datetimes (an end before the start runs past midnight)."""
        if self.start is None or self.end is None:
            return None
        begin = dt.datetime.combine(self.date, self.start)
        finish = dt.datetime.combine(self.date, self.end)
        if finish <= begin:
            finish += dt.timedelta(days=1)
        return begin, finish


@dataclass(frozen=True)
class TimeLog(Document):
    TYPE: ClassVar[str] = "timelog"

    person: str | None = None
    entries: tuple[TimeEntry, ...] = ()


DOCUMENT_CLASSES: Mapping[str, type[Document]] = {
    cls.TYPE: cls
    for cls in (Project, Task, Decision, Risk, Person, Client, Goal, TimeLog, Note)
}
