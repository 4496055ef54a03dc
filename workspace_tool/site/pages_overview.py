"""Site-wide pages: dashboard, overdue/blocked work, decision log, people, clients, goals, time, activity, data quality, search."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any, Callable, TypedDict

from workspace_tool.model import PRIORITY_RANK, Client, Decision, Goal, Person, Project, Task, TimeEntry
from workspace_tool.output import runs
from workspace_tool.site import charts
from workspace_tool.site.context import SiteData, by_currency, fmt_amounts, fmt_hours, hours_by, week_of
from workspace_tool.site.contexts import (
    ActivityContext,
    AnyContext,
    AttentionContext,
    ClientMoney,
    ClientRow,
    ClientsContext,
    DashboardContext,
    DecisionRow,
    DecisionsContext,
    DiagnosticRow,
    Event,
    GoalRow,
    GoalsContext,
    PeopleContext,
    PersonHours,
    PersonRow,
    QualityContext,
    Ref,
    SearchContext,
    TaskRow,
    TimeContext,
)
from workspace_tool.site.deps import EVENTS
from workspace_tool.site.pages import Page, PageSpec, is_blocked, iso, task_row
from workspace_tool.site.pages_project import project_summary


def specs(data: SiteData) -> list[PageSpec]:
    """The site-wide pages; clients and goals only when there are any."""
    wanted = [(path, make) for path, make in PAGES if not (path == "clients.html" and not data.docs(Client)) and not (path == "goals.html" and not data.docs(Goal))]
    return [PageSpec(path, functools.partial(make, data)) for path, make in wanted]


def collect(data: SiteData) -> list[Page[AnyContext]]:
    return [spec.make() for spec in specs(data)]


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


DASHBOARD_ROWS = 20
"""Tasks the dashboard lists per table (overdue, blocked, due this week), most urgent first; `attention.html` lists them all."""


ATTENTION = ("overdue", "blocked", "due_week")


def attention_lists(data: SiteData) -> dict[str, list[TaskRow]]:
    """The open tasks that are overdue, blocked, and due this week (to Sunday) as rows, each list most urgent first
    (`sort_tasks`' order); from one memo per project (`_attention_chunk`), so a status change in one project makes
    that project's rows again and sorts the others' kept ones in."""
    projects = sorted({t.project for t in data.tasks() if t.project is not None})
    keyed: dict[str, list[Any]] = {name: [] for name in ATTENTION}
    for project in [*projects, None]:
        chunk = data.memo(f"attention:{project or ''}:{data.today.isoformat()}", functools.partial(_attention_chunk, data, project))
        for name in ATTENTION:
            keyed[name].extend(chunk[name])
    return {name: [row for _, row in sorted(keyed[name], key=lambda pair: pair[0])] for name in ATTENTION}


def _attention_chunk(data: SiteData, project: str | None) -> dict[str, list[Any]]:
    """Of one project's open tasks (None: those in no project), the overdue, blocked and due-this-week ones as
    [sort key, row] pairs (`sort_tasks`' order), reading only that project's tasks and what their rows read."""
    today = data.today
    sunday = week_start(today) + dt.timedelta(days=6)
    found: dict[str, list[Any]] = {name: [] for name in ATTENTION}
    for task in data.where(Task, "project", project):
        if data.is_done(task):
            continue
        lists = [name for name, hit in (
            ("overdue", bool(task.due and task.due < today)),
            ("blocked", is_blocked(data, task)),
            ("due_week", bool(task.due and today <= task.due <= sunday)),
        ) if hit]
        if lists:
            key = [(task.due or dt.date.max).isoformat(), PRIORITY_RANK.get(task.priority, 9), task.id]
            row = task_row(data, task)
            for name in lists:
                found[name].append([key, row])
    return found


def dashboard(data: SiteData) -> Page[DashboardContext]:
    today = data.today
    monday = week_start(today)
    attention = data.memo("dashboard:attention", functools.partial(_attention_rows, data, DASHBOARD_ROWS))
    entries = data.entries()
    week_entries = [e for e in entries if monday <= e.date <= today]
    month_entries = [e for e in entries if (e.date.year, e.date.month) == (today.year, today.month) and e.date <= today]
    context: DashboardContext = {
        "projects": [project_summary(data, p) for p in data.projects() if not data.is_done(p)],
        "closed_projects": [project_summary(data, p) for p in data.projects() if data.is_done(p)],
        **attention,
        "hours_week": fmt_hours(sum(e.hours for e in week_entries)),
        "hours_month": fmt_hours(sum(e.hours for e in month_entries)),
        "people_hours": _people_hours(data, week_entries, month_entries),
        "activity": latest_activity(activity_events(data), DASHBOARD_EVENTS),
        "week": week_of(today),
        "month": today.strftime("%B %Y"),
    }
    return Page("index.html", "dashboard.html", "Dashboard", context, section="dashboard")


class AttentionRows(TypedDict):
    """The dashboard's overdue, blocked and due-this-week rows and their counts (`_attention_rows`)."""

    overdue: list[TaskRow]
    blocked: list[TaskRow]
    due_week: list[TaskRow]
    counts: dict[str, int]


def _attention_rows(data: SiteData, limit: int) -> AttentionRows:
    """The first `limit` rows of each of `attention_lists`, and how many there are (a memo: it reads every open task)."""
    lists = attention_lists(data)
    return {
        "overdue": lists["overdue"][:limit],
        "blocked": lists["blocked"][:limit],
        "due_week": lists["due_week"][:limit],
        "counts": {name: len(lists[name]) for name in ATTENTION},
    }


def attention_page(data: SiteData) -> Page[AttentionContext]:
    """Every overdue, blocked and due-this-week task (the dashboard lists the first `DASHBOARD_ROWS` of each)."""
    lists = attention_lists(data)
    context: AttentionContext = {
        "overdue": lists["overdue"],
        "blocked": lists["blocked"],
        "due_week": lists["due_week"],
        "week": week_of(data.today),
    }
    return Page("attention.html", "attention.html", "Overdue, blocked and due this week", context, section="dashboard")


def _people_hours(data: SiteData, week: list[TimeEntry], month: list[TimeEntry]) -> list[PersonHours]:
    by_week = hours_by(week, lambda e: e.person)
    by_month = hours_by(month, lambda e: e.person)
    rows: list[PersonHours] = []
    for person in sorted(set(by_week) | set(by_month)):
        rows.append({"person": data.ref(person), "week": fmt_hours(by_week.get(person, 0)), "month": fmt_hours(by_month.get(person, 0))})
    return rows


def decision_log(data: SiteData) -> Page[DecisionsContext]:
    rows: list[DecisionRow] = []
    for decision in sorted(data.docs(Decision), key=lambda d: (d.date or d.created or dt.date.min, d.id), reverse=True):
        successors = [data.ref(s) for s in data.superseded_by(decision.id) if s in data.vis]
        rows.append({
            "ref": data.ref(decision.id),
            "status": data.status(decision),
            "date": iso(decision.date or decision.created),
            "deciders": [data.ref(p) for p in decision.deciders],
            "supersedes": [data.ref(s) for s in decision.supersedes],
            "superseded_by": successors,
            "project": data.ref(decision.project) if decision.project else None,
            "tags": list(decision.tags),
        })
    statuses = sorted({r["status"].get("name") or "" for r in rows})
    return Page("decisions.html", "decisions.html", "Decision log", {"decisions": rows, "statuses": statuses}, section="decisions")


def person_capacity(data: SiteData, person: Person, monday: dt.date, start: dt.date | None = None) -> float:
    """Working hours of a person in the week starting `monday` (their capacity per day on their workdays, minus leave),
    from `start` on when given (the plan's first day)."""
    calendar = data.settings.calendar
    per_day = person.capacity if person.capacity is not None else calendar.hours_per_day
    days = person.workdays or calendar.workdays
    total = 0.0
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        if start is not None and day < start:
            continue
        if day.strftime("%a").lower()[:3] in days and day not in calendar.holidays and not person.on_leave(day):
            total += per_day
    return total


def workload_chart(data: SiteData, person: Person, chart_id: str) -> str:
    """Booked (scheduled) hours vs capacity for the next 8 weeks when there is a plan, else logged vs capacity for the last 8.

    A memo (`SiteData.memo`): an edit that leaves the person, their booked
    work and their time alone (most status changes) keeps the chart, so the
    People page does not go through every person's plan again.
    """
    kind = "booked" if data.sources.plan is not None else "logged"
    return data.memo(f"workload:{person.id}:{chart_id}:{kind}", functools.partial(_workload_chart, data, person, chart_id))


def _workload_chart(data: SiteData, person: Person, chart_id: str) -> str:
    data.read(f"d:{person.id}")  # the title, capacity, workdays and leave
    plan = data.sources.plan
    monday = week_start(data.today)
    if plan is not None:
        weeks = [monday + dt.timedelta(weeks=i) for i in range(8)]
        end = monday + dt.timedelta(weeks=8)
        booked: dict[dt.date, float] = defaultdict(float)
        for task in data.booked(person.id):
            for booking in task.bookings:
                if monday <= booking.date < end:
                    booked[week_start(booking.date)] += booking.hours
        values, title, name = [booked.get(w, 0.0) for w in weeks], f"Workload of {person.title}: booked vs capacity", "booked"
    else:
        weeks = [monday - dt.timedelta(weeks=i) for i in range(7, -1, -1)]
        logged: dict[dt.date, float] = defaultdict(float)
        for entry in data.entries_by("person", person.id):
            logged[week_start(entry.date)] += entry.hours
        values, title, name = [logged.get(w, 0.0) for w in weeks], f"Hours of {person.title}: logged vs capacity", "logged"
    labels = [week_of(w) for w in weeks]
    if not data.vis.audience.internal:  # capacity tells leave and part-time hours: the team's own business
        title = title.replace(" vs capacity", "")
        return charts.bars(chart_id, title, labels, [charts.Series(name, tuple(values))], "Hours", "Week")
    # the plan books from its first day on: this week's capacity counts from there, as `wm workload` does
    start = plan.start if plan is not None else None
    capacity = [person_capacity(data, person, w, start) for w in weeks]
    return charts.bars(chart_id, title, labels, [charts.Series(name, tuple(values))], "Hours", "Week", charts.Series("capacity", tuple(capacity)))


def _remaining(data: SiteData, task: Task) -> float:
    """The effort left as the scheduler counts it (`effort.remaining_effort`: `remaining`, else the estimate,
    less the time logged while the task is under way); reads the task's logged hours, so logging time remakes it."""
    from workspace_tool.effort import remaining_effort

    if task.remaining is None and task.estimate is not None:
        data.logged(task.id)
    return remaining_effort(data.index, task) or 0.0


def people_page(data: SiteData) -> Page[PeopleContext]:
    today = data.today
    month = [e for e in data.entries() if (e.date.year, e.date.month) == (today.year, today.month) and e.date <= today]  # as the dashboard
    rows: list[PersonRow] = []
    for number, person in enumerate(data.people()):
        open_tasks = [t for t in data.where(Task, "assignee", person.id) if not data.is_done(t) and not data.subtasks(t.id)]  # as the report
        rows.append({
            "ref": data.ref(person.id),
            "role": person.role or "",
            "team": person.team or "",
            "open": len(open_tasks),
            "remaining": fmt_hours(sum(_remaining(data, t) for t in open_tasks)),
            "month": fmt_hours(sum(e.hours for e in month if e.person == person.id)),
            "chart": workload_chart(data, person, f"wl{number}"),
        })
    return Page("people.html", "people.html", "People", {"people": rows}, section="people")


def _month(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def client_money(data: SiteData, client_id: str) -> ClientMoney:
    """Billable hours and amounts by month, and the unbilled total, for one client (internal sites).

    Amounts are in the currency each entry was priced in (the client's, as
    `wm report time` and `wm invoice` give them), kept apart per currency.
    """
    client = data.doc(client_id)
    currency = client.currency if isinstance(client, Client) and client.currency else data.currency  # of no amount
    priced = [p for p in data.priced("client", client_id) if p.billable]
    months: dict[str, list[Any]] = {}
    for p in sorted(priced, key=lambda p: p.entry.date):
        months.setdefault(_month(p.entry.date), []).append(p)
    unbilled = [p for p in priced if not p.invoiced]
    return {
        "months": [
            {"month": month, "hours": fmt_hours(sum(p.hours for p in rows)), "amount": fmt_amounts(by_currency(rows, _amount), currency)}
            for month, rows in months.items()
        ],
        "unbilled": fmt_amounts(by_currency(unbilled, _amount), currency),
        "unbilled_hours": fmt_hours(sum(p.hours for p in unbilled)),
    }


def _amount(priced: Any) -> Decimal | None:
    """A priced entry's amount (None: not billable, or no rate)."""
    return priced.amount  # type: ignore[no-any-return]


def clients_page(data: SiteData) -> Page[ClientsContext]:
    rows: list[ClientRow] = []
    for client in data.docs(Client):
        projects = data.where(Project, "client", client.id)
        hours = sum(e.hours for p in projects for e in data.entries_by("project", p.id))
        row: ClientRow = {"ref": data.ref(client.id), "projects": [data.ref(p.id) for p in projects], "hours": fmt_hours(hours)}
        if data.money:
            row.update(client_money(data, client.id))
        rows.append(row)
    return Page("clients.html", "clients.html", "Clients", {"clients": rows, "money": data.money}, section="clients")


def goal_rows(data: SiteData, goal: Goal) -> GoalRow:
    return {
        "ref": data.ref(goal.id),
        "owner": data.ref(goal.owner) if goal.owner else None,
        "due": iso(goal.due),
        "key_results": [
            {
                "title": kr.title, "current": kr.current, "target": kr.target, "start": kr.start,
                "pct": None if kr.progress is None else round(100 * kr.progress),
            }
            for kr in goal.key_results
        ],
        "projects": [data.ref(p.id) for p in data.where(Project, "goals", goal.id)],
    }


def goals_page(data: SiteData) -> Page[GoalsContext]:
    return Page("goals.html", "goals.html", "Goals", {"goals": [goal_rows(data, g) for g in data.docs(Goal)]}, section="goals")


def time_page(data: SiteData) -> Page[TimeContext]:
    entries = data.entries()
    by_week = hours_by(entries, lambda e: week_of(e.date))
    weeks = list(by_week)[-16:]
    chart = charts.bars("time-weeks", "Hours logged per week", weeks, [charts.Series("hours", tuple(by_week[w] for w in weeks))], "Hours", "Week") if weeks else ""
    by_project = hours_by(entries, lambda e: data.project_of_entry(e) or "")
    clients: dict[str, float] = defaultdict(float)
    for project_id, hours in by_project.items():
        project = data.visible(project_id)
        if isinstance(project, Project) and project.client:
            clients[project.client] += hours
    context: TimeContext = {
        "chart": chart,
        "weeks": [{"week": w, "hours": fmt_hours(by_week[w])} for w in reversed(list(by_week))],
        "people": [{"ref": data.ref(p), "hours": fmt_hours(h)} for p, h in hours_by(entries, lambda e: e.person).items()],
        "projects": [{"ref": data.ref(p) if p else None, "hours": fmt_hours(h)} for p, h in by_project.items()],
        "clients": [{"ref": data.ref(c), "hours": fmt_hours(h)} for c, h in sorted(clients.items())],
        "total": fmt_hours(sum(e.hours for e in entries)),
    }
    return Page("time.html", "time.html", "Time", context, section="time")


def activity_events(data: SiteData, project: str | None = None) -> list[Event]:
    """Dated events, newest first: from the git history when available, else from document dates."""
    data.read(EVENTS)
    if data.history is not None and data.history.events:
        from workspace_tool.site.history_view import history_events

        return history_events(data, project)
    events: list[tuple[dt.date, str, Ref, str]] = []  # date, kind, ref, type
    for doc in data.docs():
        if project is not None and doc.project != project and doc.id != project:
            continue
        if doc.type == "timelog":
            continue
        if doc.created:
            events.append((doc.created, "created", data.ref(doc.id), doc.type))
        if isinstance(doc, Task) and doc.done:
            events.append((doc.done, "done", data.ref(doc.id), doc.type))
        if isinstance(doc, Decision) and doc.date and doc.status:
            events.append((doc.date, doc.status, data.ref(doc.id), doc.type))
    events = [e for e in events if e[0] <= data.today]
    events.sort(key=lambda e: (e[0], e[2]["id"]), reverse=True)
    return [{"date": day.isoformat(), "kind": kind, "ref": ref, "type": doc_type} for day, kind, ref, doc_type in events]


DASHBOARD_EVENTS = 12
"""Lines of the dashboard's latest activity."""
RUN_SHOWN = 3
"""Events of one change (a commit) the dashboard lists before saying how many more it made."""


def latest_activity(events: list[Event], limit: int, run_shown: int = RUN_SHOWN) -> list[Event]:
    """The dashboard's newest `limit` lines of `events` (newest first). Of a change that made more than `run_shown`
    events (one commit: the same author and instant), its first `run_shown - 1` and a line saying how many more,
    so a commit that touched thirty files leaves room for the other news."""
    lines: list[Event] = []
    for run in runs(events, lambda event: (event["instant"], event.get("author")) if "instant" in event else None):
        if len(lines) >= limit:
            break
        if len(run) > run_shown:
            lines.extend(run[: run_shown - 1])
            lines.append({**run[run_shown - 1], "more": len(run) - run_shown + 1})
        else:
            lines.extend(run)
    return lines[:limit]


def activity_page(data: SiteData) -> Page[ActivityContext]:
    days: dict[str, list[Event]] = {}
    for event in activity_events(data)[:400]:
        days.setdefault(event["date"], []).append(event)
    return Page("activity.html", "activity.html", "Activity", {"days": [{"date": d, "events": e} for d, e in days.items()]}, section="activity")


def quality_page(data: SiteData) -> Page[QualityContext]:
    """The diagnostics of the documents this site shows (on the internal site, of files that are no document too),
    less those that name a document it hides (`naming_hidden`)."""
    rows: list[DiagnosticRow] = []
    diagnostics = data.diagnostics()
    hidden = naming_hidden(data, [d.message for d in diagnostics])
    for diagnostic in diagnostics:
        doc = data.doc_at(diagnostic.path)
        if doc is not None and doc.id not in data.vis:
            continue
        if doc is None and not data.vis.audience.internal:
            continue
        if diagnostic.message in hidden:
            continue
        rows.append({**diagnostic.as_json(), "ref": data.ref(doc.id) if doc is not None else None})
    errors = sum(r["severity"] == "error" for r in rows)
    return Page("quality.html", "quality.html", "Data quality", {"diagnostics": rows, "errors": errors, "warnings": len(rows) - errors}, section="quality")


_WORD = re.compile(r"[\w/-]+")
"""A run of the characters an ID or path is bounded by in the export's pattern (`Shown.names_hidden_in`)."""


def naming_hidden(data: SiteData, messages: list[str]) -> set[str]:
    """The messages that name a document this site does not show, by its ID or its file: the rule by which an export
    leaves out a diagnostic (`export.shown.Shown.diagnostics`), with this site's hidden documents (private ones on the
    internal site, everything outside the audience's view on a client's or a team's). An ambiguous `[[stem]]` lists
    every note of that stem, private ones too; a "did you mean" may name one.

    Only the names whose first word is a word of some message go into the pattern: the pattern bounds a name as a
    word is bounded, so no other name can match, and an audience site of a large workspace hides thousands."""
    from workspace_tool.export.shown import Shown

    hidden = {path: doc.id for path, doc in data.index.by_path.items() if doc.id not in data.vis.ids}
    if not hidden or not messages:
        return set()
    words = {word for message in messages for word in _WORD.findall(message)}

    def may_be_named(name: str) -> bool:
        first = _WORD.match(name)
        return first is None or first.group() in words

    view = Shown((), (), frozenset(filter(may_be_named, hidden.values())), frozenset(filter(may_be_named, hidden)))
    if not view.hidden and not view.hidden_paths:
        return set()
    return {message for message in messages if view.names_hidden_in(message)}


def search_page(data: SiteData) -> Page[SearchContext]:
    return Page("search.html", "search.html", "Search", {}, section="search")


PAGES: tuple[tuple[str, Callable[[SiteData], Page[AnyContext]]], ...] = (
    ("index.html", dashboard),
    ("attention.html", attention_page),
    ("decisions.html", decision_log),
    ("people.html", people_page),
    ("time.html", time_page),
    ("activity.html", activity_page),
    ("quality.html", quality_page),
    ("search.html", search_page),
    ("clients.html", clients_page),
    ("goals.html", goals_page),
)
