"""Commands: schedule, workload."""

from __future__ import annotations

import datetime as dt
import json

import click

from workspace_tool.cli.app import App, check_range, date_option
from workspace_tool.errors import NotFoundError, UsageError, WorkspaceError, nearest_name
from workspace_tool.index import Index
from workspace_tool.output import printable_lines, table, utf8_safe
from workspace_tool.scheduling import Plan
from workspace_tool.scheduling.adapter import build_input
from workspace_tool.scheduling.baseline import baseline_path, load_baseline, save_baseline, slips
from workspace_tool.scheduling.explain import explain
from workspace_tool.scheduling.gantt import SCALES, Span, baseline_spans, gantt
from workspace_tool.scheduling.plan_cache import cached_schedule
from workspace_tool.scheduling.render import dumps_plan, plan_json, project_rows, shown_tasks, shown_warnings, task_rows
from workspace_tool.scheduling.workload import workload

WARNINGS_SHOWN = 20
"""Warnings `wm schedule` prints before saying how many more there are (a large workspace can have hundreds)."""


@click.command("schedule")
@click.option("--project", "project", metavar="P", help="Show only this project's tasks (the plan still levels everyone's work).")
@click.option("--from", "start", metavar="DATE", help="Plan start (default: schedule.start in workspace.yml, else today).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (shape in docs/scheduling.md).")
@click.option(
    "--gantt", "as_gantt", is_flag=True,
    help="Print a text Gantt chart (by day up to six weeks, by week up to 26, else by month; with --baseline, a ~ bar under each task for its saved dates).",
)
@click.option("--scale", type=click.Choice(SCALES), help="The Gantt chart's columns: days, weeks or months (implies --gantt).")
@click.option("--why", "why", metavar="ID", help="Explain what fixed a task's start and its chain to the project end.")
@click.option("--save-baseline", "save_name", metavar="NAME", help="Save the planned dates to baselines/NAME.yml (after comparing with --baseline).")
@click.option("--force", is_flag=True, help="Only with --save-baseline NAME: replace baselines/NAME.yml when it exists (else refused).")
@click.option("--baseline", "baseline_name", metavar="NAME", help="Show each task's and project's slip against a saved baseline.")
@click.option("--all-warnings", is_flag=True, help=f"List every warning (default: the first {WARNINGS_SHOWN}, then how many more).")
@click.pass_obj
def schedule_cmd(
    app: App, project: str | None, start: str | None, as_json: bool, as_gantt: bool, scale: str | None, why: str | None, save_name: str | None,
    force: bool, baseline_name: str | None, all_warnings: bool,
) -> None:
    """Level the open tasks over people's time: dates, slack, critical path, forecasts.

    \b
    Examples:
      wm schedule --project studio-website --gantt --scale week
      wm schedule --json --from 2024-06-03
      wm schedule --why website-visual-design
      wm schedule --save-baseline kickoff && wm schedule --gantt --baseline kickoff
      wm schedule --save-baseline weekly
      wm schedule --baseline weekly --save-baseline weekly --force

    With both, the plan is compared with --baseline first, then saved; an
    existing baseline is replaced only with --force.
    """
    from workspace_tool.views import check_project

    if force and save_name is None:
        raise UsageError("--force only replaces a baseline saved with --save-baseline NAME: add --save-baseline NAME, or leave out --force")
    index = app.index()
    project = check_project(index, project)  # in any case, as `wm board --project`; else not found, with a hint
    replacing = save_name is not None and _check_replace(app, save_name, force)
    inp = build_input(index, date_option(start, "--from", app.today), _history_done_dates(index))
    plan = cached_schedule(app.root, inp)
    if why is not None:
        written = {t.id: t.start for t in inp.tasks if t.start is not None}
        written.update({p.id: p.start for p in inp.projects if p.start is not None})  # (a project's start: cause "project-start")
        lines = explain(plan, why, written, {t.id: t.parent for t in inp.tasks if t.parent is not None})
        if lines is None:
            near = nearest_name(why, plan.tasks)
            raise NotFoundError(f"no task with ID {why!r}" + (f" — did you mean {near!r}?" if near else ""))
        click.echo(printable_lines("\n".join(lines)))
        return
    task_slips = project_slips = spans = None
    if baseline_name is not None:  # before saving: `--baseline X --save-baseline X --force` compares with the old X
        record = load_baseline(app.root, baseline_name)
        task_slips, project_slips = slips(plan, record)
        spans = baseline_spans(record)
    if save_name is not None:
        path = save_baseline(app.root, save_name, plan)
        click.echo(f"{'replaced' if replacing else 'saved'} baseline {save_name!r} {'in' if replacing else 'to'} {path.relative_to(app.root)}", err=True)
    if as_json:
        click.echo(utf8_safe(dumps_plan(plan_json(plan, project, task_slips, project_slips))))
        return
    _print_human(plan, project, as_gantt or scale is not None, scale, task_slips, project_slips, spans)
    _echo_warnings(plan, project, None if all_warnings else WARNINGS_SHOWN)


def _check_replace(app: App, name: str, force: bool) -> bool:
    """Whether saving baseline `name` replaces one; without `force` that is refused before anything is planned."""
    path = baseline_path(app.root, name)
    if not path.exists():
        return False
    if not force:
        raise WorkspaceError(
            f"{path.relative_to(app.root)}: error: baseline {name!r} already exists; add --force to replace it "
            f"(with --baseline {name} it is compared first), or save under another name; nothing was saved"
        )
    return True


def _echo_warnings(plan: Plan, project: str | None, limit: int | None) -> None:
    """The plan's warnings on stderr: with `project`, those of its tasks (and those of no task); the first `limit`."""
    found = shown_warnings(plan, project)
    for warning in found if limit is None else found[:limit]:
        click.echo(f"wm: warning: {warning}", err=True)
    if limit is not None and len(found) > limit:
        click.echo(f"wm: {len(found) - limit} more warnings (wm schedule --all-warnings lists every one; --json has them too)", err=True)


def _print_human(
    plan: Plan, project: str | None, as_gantt: bool, scale: str | None, task_slips: dict | None, project_slips: dict | None,
    spans: dict[str, Span] | None = None,
) -> None:
    tasks = shown_tasks(plan, project)
    if not tasks:
        click.echo("nothing to schedule: no open tasks" + (f" in {project}" if project else ""), err=True)
        return
    if as_gantt:
        click.echo(printable_lines(gantt(tasks, scale, spans)))
    else:
        headers, rows = task_rows(tasks, task_slips)
        click.echo(table(headers, rows))
    headers, rows = project_rows(plan, project, project_slips)
    if rows:
        click.echo("")
        click.echo(table(headers, rows))
        _echo_critical_chains(plan, project)


def _history_done_dates(index: Index) -> dict[str, dt.date]:
    """Done dates from git history, read only when some done task lacks a `done:` key."""
    from workspace_tool.scheduling.adapter import history_done_dates

    try:
        return history_done_dates(index)
    except Exception as exc:  # history is optional here: the plan stands without it
        click.echo(f"warning: no done dates from git history ({type(exc).__name__}: {exc})", err=True)
        return {}


def _echo_critical_chains(plan: Plan, project: str | None) -> None:
    """Name the chain that decides the end of each late or at-risk project."""
    from workspace_tool.scheduling.explain import critical_chain

    for forecast in sorted(plan.projects.values(), key=lambda p: p.id):
        if (project and forecast.id != project) or forecast.status == "on-track":
            continue
        chain = critical_chain(plan, forecast.id)
        if chain:
            click.echo(f"{forecast.id} is {forecast.status}: critical chain {' -> '.join(chain)}")


@click.command("workload")
@click.option("--from", "start", metavar="DATE", help="First day shown (default: the plan start); the plan is the same.")
@click.option("--to", "end", metavar="DATE", help="Last day shown (default: the end of the plan).")
@click.option("--by", type=click.Choice(["week", "day", "month"]), default="week", show_default=True, help="Period length.")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_obj
def workload_cmd(app: App, start: str | None, end: str | None, by: str, as_json: bool) -> None:
    """Per person: booked hours against capacity per period, over-allocation and idle time.

    \b
    Example:
      wm workload --from 2026-12-07 --to 2027-01-03 --by week
      wm workload --by month --to 2027-06-30
    """
    index = app.index()
    first = date_option(start, "--from", app.today)
    inp = build_input(index, None)  # the plan as it is: --from and --to choose the periods shown, they do not re-plan
    plan = cached_schedule(app.root, inp)
    first = first or inp.start
    last = date_option(end, "--to", app.today) or max(plan.end or first, first)
    check_range(first, last)
    rows = workload(plan, inp.resources, inp.calendar, first, last, by)
    if as_json:
        data = [{"person": r.person, "period": r.period.isoformat(), "capacity_hours": r.capacity, "booked_hours": r.booked, "over_hours": r.over, "idle_hours": r.idle} for r in rows]
        click.echo(json.dumps(data, indent=2))
        return
    if not rows:
        click.echo("no people to book (wm new person NAME makes one)", err=True)
        return
    headers = ["person", by, "capacity", "booked", "over", "idle"]
    shown = _month if by == "month" else _week if by == "week" else (lambda day: day)
    click.echo(table(headers, [[r.person, shown(r.period), r.capacity, r.booked, r.over or "", r.idle] for r in rows], right=(2, 3, 4, 5)))


def _month(day: dt.date) -> str:
    """A month as `2026-12`, not its 1st."""
    return f"{day:%Y-%m}"


def _week(monday: dt.date) -> str:
    """A week as `wm report time --by week` and the site name it, with its Monday: `2026-W48 (11-23)`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d} ({monday:%m-%d})"


COMMANDS: list[click.Command] = [schedule_cmd, workload_cmd]
