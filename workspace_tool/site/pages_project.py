"""Project pages: header, health, progress, milestones, Gantt, board, burn-up, flow, tasks, decisions, time, risks."""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import replace

from workspace_tool.health import HealthFacts, budget_burn, burn_percent, plan_gaps, project_health
from workspace_tool.model import Decision, Project, Risk, Task
from workspace_tool.output import counted
from workspace_tool.show import checklist_text
from workspace_tool.site import charts
from workspace_tool.site.context import SiteData, doc_page, fmt_amounts, fmt_hours, fmt_money, hours_by
from workspace_tool.site.contexts import AnyContext, BoardCard, BoardColumn, Money, ProjectContext, ProjectSummary
from workspace_tool.site.markdown import relative_url
from workspace_tool.site.pages import Page, PageSpec, body_source, is_held_up, iso, progress, sort_tasks, task_row


def specs(data: SiteData) -> list[PageSpec]:
    return [PageSpec(doc_page(p), functools.partial(project_page, data, p, n)) for n, p in enumerate(data.projects())]


def collect(data: SiteData) -> list[Page[AnyContext]]:
    return [spec.make() for spec in specs(data)]


def health(data: SiteData, project: Project, tasks: list[Task]) -> tuple[str, list[str]]:
    """`workspace_tool.health` (the rule of `wm report projects`) from facts read through `data`; grey once closed."""
    counted = [t for t in tasks if not data.index.is_cancelled(t) and not data.subtasks(t.id)]  # the report's tasks: no parents
    open_tasks = [t for t in counted if not data.is_done(t)]
    if data.is_done(project):
        left = f"closed with {len(open_tasks)} open task{'s' * (len(open_tasks) != 1)}"
        return "grey", [f"project is {project.status}", *([left] if open_tasks else [])]
    forecast = data.forecast(project.id)
    burn, unpriced, currencies = _burn(data, project)
    unscheduled, unestimated = plan_gaps(data.plan_warnings(t.id for t in open_tasks), [t.id for t in open_tasks])
    facts = HealthFacts(
        closed=False,
        due=project.due,
        today=data.today,
        burn=burn,
        forecast_status=getattr(forecast, "status", None),
        forecast_end=getattr(forecast, "end", None),
        overdue=sum(1 for t in open_tasks if t.due and t.due < data.today),
        held_up=sum(1 for t in open_tasks if is_held_up(data, t)),
        high_risks=sum(1 for r in data.where(Risk, "project", project.id) if r.impact == "high" and not data.is_done(r)),
        unpriced_hours=unpriced,
        currencies=currencies,
        unscheduled=unscheduled,
        unestimated=len(unestimated),
    )
    level, reasons = project_health(facts)
    return level, list(reasons) or ["on track"]


def _burn(data: SiteData, project: Project) -> tuple[float | None, float, tuple[str, str] | None]:
    """Cost over budget (`health.budget_burn`), the hours without a rate, and (the cost's currency, the budget's)
    when they differ (no burn then), as the report computes them (None, 0 and None on sites without money)."""
    if not data.money:
        return None, 0.0, None
    from workspace_tool.reports.billing import cents

    priced = data.priced("project", project.id)
    unpriced = sum(p.hours for p in priced if p.rate is None)
    with_rate = [p for p in priced if p.rate is not None]
    if project.budget is None or not with_rate:
        return None, unpriced, None
    foreign = sorted({p.currency for p in with_rate} - {data.currency})
    if foreign:
        return None, unpriced, (", ".join(foreign), data.currency)
    return budget_burn(float(cents(data.cost(with_rate))), project.budget), unpriced, None


def _money(data: SiteData, project: Project) -> Money:
    """The cost in the currency it was priced in (the client's), and the budget (in the workspace currency, set
    or not: a budget of 0 is one); the burn only when both are in one currency."""
    if not data.money:
        return {}
    costs = data.costs(data.priced("project", project.id))
    result: Money = {"cost": fmt_amounts(costs, data.currency)}
    if project.budget is None:
        return result
    result["budget"] = fmt_money(project.budget, data.currency)
    foreign = sorted(name for name in costs if name != data.currency)
    if foreign:
        result["burn_note"] = f"burn not comparable: cost in {', '.join(foreign)}, budget in {data.currency}"
    elif (burn := budget_burn(float(costs.get(data.currency, 0)), project.budget)) is not None:
        result["burn_pct"] = 100 if math.isinf(burn) else math.floor(round(burn * 100, 6))
        result["burn_label"] = burn_percent(burn)
    return result


def project_summary(data: SiteData, project: Project) -> ProjectSummary:
    """A project's header and health (a memo: the dashboard lists every project's, and is remade by every change of the activity)."""
    return data.memo(f"summary:{project.id}", functools.partial(_project_summary, data, project))


def _project_summary(data: SiteData, project: Project) -> ProjectSummary:
    tasks = data.tasks(project.id)
    money = _money(data, project)
    level, reasons = health(data, project, tasks)
    forecast = data.forecast(project.id)
    return {
        "ref": data.ref(project.id),
        "status": data.status(project),
        "owner": data.ref(project.owner) if project.owner else None,
        "client": data.ref(project.client) if project.client else None,
        "start": iso(project.start),
        "due": iso(project.due),
        "forecast": iso(forecast.end) if forecast is not None and forecast.end else "",
        "health": level,
        "why": reasons,
        "progress": progress(data, tasks, data.is_done(project)),
        "hours": fmt_hours(sum(e.hours for e in data.entries_by("project", project.id))),
        **money,
    }


def gantt_bars(data: SiteData, tasks: list[Task], page: str) -> tuple[list[charts.Bar], str]:
    """Bars from the scheduler's plan when there is one, else from the tasks' own start and due dates."""
    bars = []
    source = "plan" if data.sources.plan is not None else "dates"
    for task in tasks:
        target = data.page_of(task)
        url = relative_url(target, page) if target else None
        scheduled = data.scheduled(task.id)
        if scheduled is not None:
            start, end = scheduled.start, scheduled.end
            bars.append(charts.Bar(task.title, start, max(end, start), scheduled.critical and not scheduled.closed, task.milestone, scheduled.late, scheduled.closed, url, f"slack {fmt_hours(scheduled.slack_hours)}"))
        elif source == "dates" and task.due and (task.start or task.created):
            start = task.start or task.created
            assert start is not None
            bars.append(charts.Bar(task.title, min(start, task.due), task.due, False, task.milestone, bool(task.due < data.today and not data.is_done(task)), data.is_done(task), url))
    bars.sort(key=lambda b: (b.start, b.end, b.label))
    return bars, source


def board(data: SiteData, project: Project, tasks: list[Task]) -> list[BoardColumn]:
    """The workflow's columns with their cards; an open task's card says how long it has been in its column (as the
    history tells: the last time it entered its status, in a commit or in the working copy). A status with a WIP limit
    (`wip:`) shows the workspace's tasks in it against the limit, as `wm board` heads its column."""
    from workspace_tool.site.history_view import entered_status

    workflow = data.settings.workflow("task")
    statuses = list(workflow.statuses if workflow else ())
    for task in tasks:
        if task.status not in statuses:
            statuses.append(task.status)
    entered = entered_status(data, project.id)
    limits = workflow.wip if workflow is not None else {}
    load: dict[str, int] = {}
    if limits:  # the limit counts the whole workspace: read every task (only then, so other boards stay incremental)
        for task in data.docs(Task):
            load[task.status] = load.get(task.status, 0) + 1
    return [_column(s, [board_card(data, t, entered.get(t.id)) for t in sort_tasks([t for t in tasks if t.status == s])], limits.get(s), load.get(s, 0)) for s in statuses]


def _column(status: str, cards: list[BoardCard], limit: int | None, load: int) -> BoardColumn:
    """A board column; `wip` is "3/3" (the workspace's tasks in the status against its WIP limit, "" without one)
    and `over` says the limit is passed."""
    wip = f"{load}/{limit}" if limit is not None else ""
    return {"status": status, "cards": cards, "wip": wip, "over": limit is not None and load > limit}


def board_card(data: SiteData, task: Task, since: dt.date | None) -> BoardCard:
    """A card: the task's row, how long it has been in its column, and its checklist's progress ("2/3", "" without one)."""
    checklist = checklist_text(task)
    if since is None or data.is_done(task) or since > data.today:
        return {**task_row(data, task), "age": "", "since": "", "checklist": checklist}
    days = (data.today - since).days
    age = "entered this column today" if days == 0 else f"{counted(days, 'day')} in this column"
    return {**task_row(data, task), "age": age, "since": since.isoformat(), "checklist": checklist}


def burnup(data: SiteData, tasks: list[Task], chart_id: str) -> str:
    """Burn-up from the tasks' created and done dates: scope and completed work (estimate hours) per week."""
    dated = [t for t in tasks if not data.index.is_cancelled(t) and t.created]
    if len(dated) < 2:
        return ""
    first = min(t.created for t in dated if t.created)
    first -= dt.timedelta(days=first.weekday())
    days = [first + dt.timedelta(weeks=i) for i in range((data.today - first).days // 7 + 2)]
    days = [d for d in days if d <= data.today + dt.timedelta(days=6)][-26:]
    if len(days) < 2:
        return ""

    def weight(t: Task) -> float:
        return t.estimate.hours if t.estimate else 1.0

    unit = "Estimated hours" if any(t.estimate for t in dated) else "Tasks"
    scope = tuple(sum(weight(t) for t in dated if t.created and t.created <= d) for d in days)
    done = tuple(sum(weight(t) for t in dated if t.done and t.done <= d and data.is_done(t)) for d in days)
    labels = [d.isoformat() for d in days]
    return charts.line_chart(chart_id, "Burn-up: scope and completed work", labels, [charts.Series("scope", scope), charts.Series("completed", done)], unit, "Week")


def project_page(data: SiteData, project: Project, number: int) -> Page[ProjectContext]:
    page = doc_page(project)
    tasks = data.tasks(project.id)
    bars, source = gantt_bars(data, [t for t in tasks if not data.index.is_cancelled(t)], page)
    title = "Schedule (critical path outlined)" if source == "plan" else "Timeline from task dates"
    decisions = sorted(data.where(Decision, "project", project.id), key=lambda d: (d.date or dt.date.min, d.id), reverse=True)
    risks = data.where(Risk, "project", project.id)
    by_person = hours_by(data.entries_by("project", project.id), lambda e: e.person)
    milestones = [t for t in tasks if t.milestone]
    body, attachments = body_source(data, project)
    if body is not None:
        body = replace(body, below=1)  # under the page's "About": the body's `##` is an h3 there
    from workspace_tool.site.history_view import burn_chart, flow_chart, versions

    context: ProjectContext = {
        "summary": project_summary(data, project),
        "milestones": [task_row(data, t) for t in sort_tasks(milestones)],
        "gantt": charts.gantt(f"gantt{number}", title, bars, data.today) if bars else "",
        "board": board(data, project, tasks),
        "burnup": burn_chart(data, project, f"burn{number}") or burnup(data, tasks, f"burn{number}"),
        "flow": flow_chart(data, project, f"flow{number}"),
        "tasks": [task_row(data, t) for t in sort_tasks(tasks)],
        "decisions": [{"ref": data.ref(d.id), "status": data.status(d), "date": iso(d.date)} for d in decisions],
        "time": [{"person": data.ref(p), "hours": fmt_hours(h)} for p, h in by_person.items()],
        "risks": [{"ref": data.ref(r.id), "status": data.status(r), "probability": r.probability or "", "impact": r.impact or "", "owner": data.ref(r.owner) if r.owner else None} for r in risks],
        "history": versions(data, project.id),
        "feed": f"feeds/{page.removeprefix('projects/').removesuffix('.html')}.xml",
    }
    return Page(page, "project.html", project.title, context, body, attachments, section="projects")
