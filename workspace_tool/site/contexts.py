"""The shapes of page contexts: one `TypedDict` per page kind, and the rows they share.

Contexts stay plain dicts at runtime (they are hashed with `json.dumps`,
sent to worker processes and read by the Jinja2 templates in
`site_templates/`); these types only let mypy check the builders in
`pages*.py`, `context.py` and `history_view.py`. Charts are pre-drawn SVG
strings; `str` dates are ISO dates, `str` hours are formatted (`fmt_hours`).
"""

from __future__ import annotations

from typing import Any, NotRequired, TypeAlias, TypedDict

from workspace_tool.errors import DiagnosticJson

# -- shared rows ------------------------------------------------------------


class Ref(TypedDict):
    """A reference (`SiteData.ref`), read by the `link` and `links` filters (render.py) in every template."""

    id: str
    title: str  # the bare ID when hidden
    url: str | None
    type: NotRequired[str]  # visible documents only
    visible: bool


class Status(TypedDict, total=False):
    """A status chip (`SiteData.status`), read by the `chip` filter; empty for a document without a status."""

    name: str
    done: bool


class TaskRow(TypedDict):
    """A task as a table row or board card (`pages.task_row`), read by `_macros.html` `task_table` and `project.html`."""

    ref: Ref
    status: Status
    assignee: Ref | None
    project: Ref | None
    priority: str
    due: str
    overdue: bool
    estimate: str
    logged: str  # internal sites only, else ""
    tags: list[str]
    milestone: bool
    blocked_by: list[Ref]
    end: str  # the plan's forecast end
    critical: bool


class Progress(TypedDict):
    """Done of all tasks and estimate hours (`pages.progress`), read by `dashboard.html`, `project.html` and `document.html`."""

    done: int
    total: int
    pct: int  # the bar's width: whole percents, rounded down (0 when unknown)
    label: str  # "40%", "50% by tasks", "10% by tasks (9 unestimated)" (`Progress.label`), "—" (no tasks, open)
    hours_done: str
    hours_total: str


class Money(TypedDict, total=False):
    """A project's cost and budget burn (`pages_project._money`; internal sites with pricing), read by `dashboard.html` and `project.html`."""

    cost: str  # per currency, in the one it was priced in (`context.fmt_amounts`)
    budget: str  # in the workspace currency; set when the project has one (0 included)
    burn_pct: int  # cost / budget in whole percents rounded down (a bar's width; 100 for a budget of 0 exceeded): only when both are in one currency
    burn_label: str  # `health.burn_percent`: the burn as words that never contradict the health colour (`100.5%`, `∞`)
    burn_note: str  # why there is no burn when the cost is in another currency than the budget


class ProjectSummary(Money):
    """A project's header and health (`pages_project.project_summary`), read by `dashboard.html`, `project.html`, `document.html`."""

    ref: Ref
    status: Status
    owner: Ref | None
    client: Ref | None
    start: str
    due: str
    forecast: str
    health: str  # green, amber, red or grey
    why: list[str]
    progress: Progress
    hours: str


class Event(TypedDict):
    """An activity event (`pages_overview.activity_events`), read by `dashboard.html`, `activity.html` and `feeds.atom`."""

    date: str
    kind: str
    author: NotRequired[str]  # events from the git history only
    ref: Ref
    type: str
    project: NotRequired[str | None]  # events from the git history only
    instant: NotRequired[float]  # committed events only: the commit's time (`pages_overview.latest_activity` groups by it)
    more: NotRequired[int]  # the dashboard's line for a large change (`pages_overview.latest_activity`): how many more events it made


class Change(TypedDict):
    """A field changed by a version, read by `_macros.html` `history`."""

    field: str
    old: str
    new: str


class VersionRow(TypedDict):
    """A version of a document (`history_view.versions`), read by `_macros.html` `history`."""

    commit: str
    author: str
    date: str
    message: str
    changes: list[Change]
    diff: str  # made by the render stage from `texts`
    diff_of: NotRequired[list[Any]]  # [old blob, blob, old path, path, uncommitted, deleted]
    texts: NotRequired[list[Any]]  # [old text, new text, old path, path], attached before rendering


class MonthMoney(TypedDict):
    """Billable hours and amount of a month, read by `clients.html` and `document.html`."""

    month: str
    hours: str
    amount: str


class ClientMoney(TypedDict):
    """A client's billing (`pages_overview.client_money`), read by `clients.html` and `document.html` (`billing`)."""

    months: list[MonthMoney]
    unbilled: str
    unbilled_hours: str


class KeyResultRow(TypedDict):
    """A key result of a goal, read by `goals.html` and `document.html`."""

    title: str
    current: float | None  # None: not given yet (at `start`)
    target: float | None
    start: float | None  # the baseline (None: 0)
    pct: int | None


class GoalRow(TypedDict):
    """A goal (`pages_overview.goal_rows`), read by `goals.html` and `document.html` (`goal`)."""

    ref: Ref
    owner: Ref | None
    due: str
    key_results: list[KeyResultRow]
    projects: list[Ref]


# -- site-wide pages --------------------------------------------------------


class PersonHours(TypedDict):
    """Hours of a person this week and month, read by `dashboard.html`."""

    person: Ref
    week: str
    month: str


class DashboardContext(TypedDict):
    """The dashboard, read by `dashboard.html`."""

    projects: list[ProjectSummary]
    closed_projects: list[ProjectSummary]
    overdue: list[TaskRow]  # the first `DASHBOARD_ROWS` of each, most urgent first
    blocked: list[TaskRow]
    due_week: list[TaskRow]
    counts: dict[str, int]  # "overdue", "blocked", "due_week": how many there are in all
    hours_week: str
    hours_month: str
    people_hours: list[PersonHours]
    activity: list[Event]
    week: str
    month: str


class AttentionContext(TypedDict):
    """Every overdue, blocked and due-this-week task, read by `attention.html`."""

    overdue: list[TaskRow]
    blocked: list[TaskRow]
    due_week: list[TaskRow]
    week: str


class DecisionRow(TypedDict):
    """A decision in the log, read by `decisions.html`."""

    ref: Ref
    status: Status
    date: str
    deciders: list[Ref]
    supersedes: list[Ref]
    superseded_by: list[Ref]
    project: Ref | None
    tags: list[str]


class DecisionsContext(TypedDict):
    """The decision log, read by `decisions.html`."""

    decisions: list[DecisionRow]
    statuses: list[str]


class PersonRow(TypedDict):
    """A person with their open work and workload chart, read by `people.html`."""

    ref: Ref
    role: str
    team: str
    open: int
    remaining: str
    month: str
    chart: str


class PeopleContext(TypedDict):
    """The people page, read by `people.html`."""

    people: list[PersonRow]


class ClientRow(TypedDict):
    """A client with its projects (and billing on internal sites with pricing), read by `clients.html`."""

    ref: Ref
    projects: list[Ref]
    hours: str
    months: NotRequired[list[MonthMoney]]
    unbilled: NotRequired[str]
    unbilled_hours: NotRequired[str]


class ClientsContext(TypedDict):
    """The clients page, read by `clients.html`."""

    clients: list[ClientRow]
    money: bool


class GoalsContext(TypedDict):
    """The goals page, read by `goals.html`."""

    goals: list[GoalRow]


class WeekHours(TypedDict):
    """Hours logged in an ISO week, read by `time.html`."""

    week: str
    hours: str


class RefHours(TypedDict):
    """Hours logged by a person or for a project or client, read by `time.html` (`ref` None: no project)."""

    ref: Ref | None
    hours: str


class TimeContext(TypedDict):
    """The time page, read by `time.html`."""

    chart: str
    weeks: list[WeekHours]
    people: list[RefHours]
    projects: list[RefHours]
    clients: list[RefHours]
    total: str


class ActivityDay(TypedDict):
    """The events of one day, read by `activity.html`."""

    date: str
    events: list[Event]


class ActivityContext(TypedDict):
    """The activity page, read by `activity.html`."""

    days: list[ActivityDay]


class DiagnosticRow(DiagnosticJson):
    """A validation diagnostic with its document, read by `quality.html`."""

    ref: Ref | None


class QualityContext(TypedDict):
    """The data quality page, read by `quality.html`."""

    diagnostics: list[DiagnosticRow]
    errors: int
    warnings: int


class SearchContext(TypedDict):
    """The search page (its index is `search-index.js`), read by `search.html`."""


# -- project pages ----------------------------------------------------------


class BoardCard(TaskRow):
    """A task on the board (`pages_project.board`): a row, and how long it has been in its column."""

    age: str  # "12 days in this column" ("" when done, or when no history tells)
    since: str  # the day it entered its status (ISO; "" likewise)
    checklist: str  # "2/3" ("" without a checklist)


class BoardColumn(TypedDict):
    """A status column of the board, read by `project.html`."""

    status: str
    cards: list[BoardCard]
    wip: str  # "3/3" ("" without a WIP limit)
    over: bool  # past its WIP limit


class DecisionItem(TypedDict):
    """A decision of a project, read by `project.html`."""

    ref: Ref
    status: Status
    date: str


class PersonTime(TypedDict):
    """Hours a person logged on a project, read by `project.html`."""

    person: Ref
    hours: str


class RiskRow(TypedDict):
    """A risk of a project, read by `project.html`."""

    ref: Ref
    status: Status
    probability: str
    impact: str
    owner: Ref | None


class ProjectContext(TypedDict):
    """A project page, read by `project.html`."""

    summary: ProjectSummary
    milestones: list[TaskRow]
    gantt: str
    board: list[BoardColumn]
    burnup: str
    flow: str
    tasks: list[TaskRow]
    decisions: list[DecisionItem]
    time: list[PersonTime]
    risks: list[RiskRow]
    history: list[VersionRow]
    feed: str


# -- document pages ---------------------------------------------------------


class DocInfo(TypedDict):
    """A document's identity, read by `document.html` (`doc`)."""

    id: str
    type: str
    type_label: str
    path: str
    private: bool


class FieldRow(TypedDict):
    """A set field as references or as text (a key of your own's with its web address, by `links:`), read by
    `document.html`."""

    name: str
    refs: NotRequired[list[Ref]]
    text: NotRequired[str]
    url: NotRequired[str]


class Backlink(TypedDict):
    """A document referring to this one, and by which field, read by `document.html`."""

    ref: Ref
    field: str


class Schedule(TypedDict):
    """A task's planned dates, read by `document.html`."""

    start: str
    end: str
    slack: str
    critical: bool
    late: bool
    closed: bool
    started: bool  # open and past its workflow's first status: the dates are those of the work left


class EntryRow(TypedDict):
    """A time entry, read by `document.html` (`render._entry_rows`); no `person` on a person's page or a one-person time
    log, no `ref` on a task's page (every row would name the page's own document)."""

    date: str
    person: NotRequired[Ref]
    ref: NotRequired[Ref]
    hours: str
    note: str
    tags: list[str]


class InStatus(TypedDict):
    """How long an open task has been in its status (`history_view.status_since`), read by `document.html`."""

    text: str  # "In review for 12 days, since 2026-11-15", "In review since today"
    since: str  # the day it entered the status (ISO)


class DocumentExtras(TypedDict):
    """What a document page shows for its type (`pages_doc._extras`), read by `document.html`."""

    assigned: NotRequired[list[TaskRow]]  # person
    workload: NotRequired[str]  # person
    projects: NotRequired[list[ProjectSummary]]  # client
    billing: NotRequired[ClientMoney]  # client
    goal: NotRequired[GoalRow]  # goal
    superseded_by: NotRequired[list[Ref]]  # decision
    subtasks: NotRequired[list[TaskRow]]  # task
    row: NotRequired[TaskRow]  # task
    in_status: NotRequired[InStatus]  # an open task whose history tells when it entered its status


class DocumentContext(DocumentExtras):
    """A document page (not a project), read by `document.html`."""

    doc: DocInfo
    status: Status
    tags: list[str]
    fields: list[FieldRow]
    backlinks: list[Backlink]
    schedule: Schedule | None
    entries: list[EntryRow]
    logged: str
    history: list[VersionRow]


AnyContext: TypeAlias = (
    DashboardContext | AttentionContext | DecisionsContext | PeopleContext | ClientsContext | GoalsContext | TimeContext
    | ActivityContext | QualityContext | SearchContext | ProjectContext | DocumentContext
)
"""The context of any page (`pages.Page.context`)."""
