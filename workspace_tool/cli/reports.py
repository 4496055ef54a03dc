"""Commands: `report` (time, projects, people, estimates, goals), `invoice`, `export`, `import`.

Each command parses its options, makes one library call, and prints a table,
JSON or CSV. The library modules do the work (`workspace_tool.reports`,
`workspace_tool.export`, `workspace_tool.invoice`, `workspace_tool.imports`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import sys
from typing import Any, Callable, Iterable, Iterator, Sequence

import click

from workspace_tool.cli.app import App, date_range, now_for
from workspace_tool.errors import UsageError
from workspace_tool.model import TimeEntry
from workspace_tool.output import cell, counted, csv_text, dumps, table
from workspace_tool.reports.time import TimeQuery, TimeReport, parse_group_by, time_report

PROGRESS_MIN_DAYS = 92
"""Reports spanning more than about three months show a progress bar (on a terminal)."""



def warn(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(f"wm: warning: {line}", err=True)


def _emit(text: str) -> None:
    click.echo(text.rstrip("\n"))


def _format_choice(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise UsageError("--json and --csv cannot be used together")
    return "json" if as_json else "csv" if as_csv else "table"


def _say_empty(message: str) -> None:
    """An empty report is said in words on stderr (as `wm list` says "no documents match"), not printed as a table of
    headers alone; --json and --csv still print their empty shapes."""
    click.echo(message, err=True)


def _between(start: Any, end: Any) -> str:
    if start and end:
        return f" from {start} to {end}"
    return f" from {start}" if start else (f" up to {end}" if end else "")


def _money(value: Any, plain: bool = False) -> str:
    """Money with cents; thousands separated in tables, `plain` (no separator) for CSV."""
    if value is None:
        return ""
    return f"{value:.2f}" if plain else f"{value:,.2f}"


def _progress_for(span_days: Callable[[], int]) -> Any:
    """A wrapper showing click's progress bar over entries, only when stderr is a terminal and the span is long."""
    if not sys.stderr.isatty() or span_days() <= PROGRESS_MIN_DAYS:
        return None

    def wrap(entries: Sequence[TimeEntry]) -> Iterator[TimeEntry]:
        with click.progressbar(entries, label="Reading time entries", file=sys.stderr) as bar:
            yield from bar

    return wrap


def _span_days(app: App, start: dt.date | None, end: dt.date | None) -> int:
    entries = app.index().entries
    if not entries:
        return 0
    first = start or min(e.date for e in entries)
    last = end or max(e.date for e in entries)
    return (last - first).days


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (documented in docs/reports.md).")
csv_option = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")


class ReportGroup(click.Group):
    """The `report` group. `report flow` comes from the history module and is only imported when
    something looks past the report commands of this module (running or listing `flow`, help, or
    `commands` itself): importing the history engine cost every `wm report time` ~10 ms."""

    _flow_checked = False

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        if not self._flow_checked:
            self._flow_checked = True
            _attach_flow(self._own)
        return self._own

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._own = value

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        checked, self._flow_checked = self._flow_checked, True  # the decorators below call this: no `flow` yet
        try:
            super().add_command(cmd, name)
        finally:
            self._flow_checked = checked

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        own = self._own.get(cmd_name)
        return own if own is not None else self.commands.get(cmd_name)


@click.group("report", cls=ReportGroup)
def report_group() -> None:
    """Reports: time and money, project health, people, estimates, goals.

    \b
    Example:
      wm report time --by client,project --from 2026-11-01
    """


@report_group.command("time")
@click.option("--from", "start", metavar="DATE", help="First day (inclusive): YYYY-MM-DD, or a period's first (2026-11, last-month); default: all time.")
@click.option("--to", "end", metavar="DATE", help="Last day (inclusive): YYYY-MM-DD, or a period's last (2026-11, last-month); default: all time.")
@click.option("--by", "group_by", default="project", show_default=True, metavar="GROUP[,GROUP]",
              help="person, project, client, task, tag, day, week or month; two levels with a comma.")
@click.option("--billable", "billable_only", is_flag=True, help="Only billable time.")
@click.option("--unbilled", is_flag=True, help="Only billable time not invoiced yet.")
@json_option
@csv_option
@click.pass_obj
def time_cmd(app: App, start: str | None, end: str | None, group_by: str, billable_only: bool, unbilled: bool, as_json: bool, as_csv: bool) -> None:
    """Hours (and money where a rate applies) per group, with totals.

    A running timer counts up to now and is marked with `*`.

    \b
    Example:
      wm report time --by client,project --from 2026-11-01 --to 2026-11-30
      wm report time --by person --from last-month --to last-month
      wm report time --unbilled --by client --json
    """
    fmt = _format_choice(as_json, as_csv)
    query = TimeQuery(*date_range(start, end, app.today), parse_group_by(group_by), billable_only, unbilled)
    progress = _progress_for(lambda: _span_days(app, query.start, query.end))
    report = time_report(app.index(), query, now=now_for(app), progress=progress)
    if fmt == "json":
        _emit(dumps(report.as_json()))
        return
    headers, rows = _time_rows(report, mark=fmt == "table")  # mark: the table (CSV stays plain)
    if fmt == "csv":
        _emit(csv_text(headers, rows))
        warn(report.warnings)
        return
    if not rows:
        _say_empty("no time logged" + _between(report.query.start, report.query.end))
        warn(report.warnings)
        return
    right = range(len(report.query.group_by), len(headers))
    total = ["total", *[""] * (len(report.query.group_by) - 1), report.total_hours, report.total_billable_hours]
    total += [_money(report.totals.get(c)) for c in report.currencies]
    _emit(table(headers, [*rows, total], right=tuple(right)))
    if "tag" in report.query.group_by and round(sum(row.hours for row in report.rows), 4) > round(report.total_hours, 4):
        click.echo("an entry with several tags counts under each of them, so the rows add up to more than the total", err=True)
    if report.running:
        click.echo("* includes a running timer, counted up to now", err=True)
    warn(report.warnings)


def _time_rows(report: TimeReport, mark: bool = False) -> tuple[list[str], list[list[Any]]]:
    headers = [*report.query.group_by, "hours", "billable"]
    headers += [f"amount {c}" for c in report.currencies]
    rows: list[list[Any]] = []
    for row in report.rows:
        values: list[Any] = [k if k is not None else (f"(no {group})" if mark else "") for k, group in zip(row.key, report.query.group_by)]
        hours: Any = round(row.hours, 4) if mark else _plain(row.hours)
        if mark and row.running:
            hours = f"{cell(hours)}*"  # rounded as every other cell of the table
        values += [hours, round(row.billable_hours, 4) if mark else _plain(row.billable_hours)]
        values += [_money(row.amounts.get(c), plain=not mark) for c in report.currencies]
        rows.append(values)
    return headers, rows


@click.command("invoice")
@click.argument("client")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to invoice.")
@click.option("--partial", is_flag=True, help="Invoice a month that has not ended yet (what is logged so far).")
@click.option("--dry-run", is_flag=True, help="Print the invoice instead of writing it.")
@click.pass_obj
def invoice_cmd(app: App, client: str, month: str, partial: bool, dry_run: bool) -> None:
    """Write invoices/CLIENT-YYYY-MM.md for a client's billable, uninvoiced time of a month.

    Its entries count as invoiced from then on (see `wm report time --unbilled`).
    A month is invoiced once it has ended (or with --partial). Time logged into
    an invoiced month later goes on a follow-up invoice, CLIENT-YYYY-MM-2.md;
    the same time is never invoiced twice. Refused while a time log of the
    month, or a document the invoice prices from, has errors (wm validate).

    \b
    Example:
      wm invoice greenleaf-clinics --month 2026-10 --dry-run
      wm invoice greenleaf-clinics --month 2026-11 --partial
    """
    from workspace_tool.invoice import build_invoice, write_invoice

    index = app.index()
    invoice = build_invoice(index, client, month, partial=partial)
    if dry_run:
        _emit(invoice.text)
        return
    write_invoice(index, invoice)
    click.echo(f"{invoice.relpath}: {len(invoice.entries)} entries, {invoice.hours:g}h, {invoice.amount:,.2f} {invoice.currency}")



def plan_for(index: Any) -> tuple[Any, tuple[str, ...]]:
    """The scheduler's plan, as `wm schedule` and the site make it (done tasks without `done:` dated from git
    history), or None with a note when the scheduler is not available."""
    try:
        module = importlib.import_module("workspace_tool.scheduling")
        schedule_index = module.schedule_index
        from workspace_tool.cli.schedule import _history_done_dates  # the one reader of done dates, `wm schedule`'s
    except (ImportError, AttributeError):
        return None, ("the scheduler (workspace_tool.scheduling) is not available: forecasts and scheduled load are omitted",)
    return schedule_index(index, None, _history_done_dates(index)), ()


@contextlib.contextmanager
def _values_warned(index: Any, documents: Iterable[Any]) -> Iterator[None]:
    """Warn (stderr), once the report is printed, about the invalid values of the documents it reads: each counts
    as not set, so the figures differ from what the files say (stdout and JSON stay as they are)."""
    from workspace_tool.reports.problems import value_problems, value_warnings

    lines = value_warnings(value_problems(index, documents))
    yield
    warn(lines)


def _whole(value: Any) -> str:
    return "" if value is None else f"{value:,.0f}"


def _plain(value: float | None) -> str:
    """A number for CSV: up to 4 decimals, no separators (a table cell would show 2)."""
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _burn(value: float | None, plain: bool = False) -> str:
    """A burn: in a table as `health.burn_percent` words it (never contradicting the colour), in CSV a fraction
    (blank when a budget of 0 is exceeded, as JSON's null)."""
    from workspace_tool.health import burn_percent

    if value is None or (plain and value == float("inf")):
        return ""
    return _plain(value) if plain else burn_percent(value)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"


@report_group.command("projects")
@json_option
@csv_option
@click.pass_obj
def projects_cmd(app: App, as_json: bool, as_csv: bool) -> None:
    """The portfolio: progress, hours, burn, estimate accuracy, forecast and health per project.

    Ranked by priority, then health (red first), then due date.

    \b
    Example:
      wm report projects
      wm report projects --json | jq '.projects[] | select(.health == "red")'
    """
    from workspace_tool.reports.projects import project_report, read_documents

    fmt = _format_choice(as_json, as_csv)
    index = app.index()
    plan, notes = plan_for(index)
    report = project_report(index, plan, now=now_for(app), notes=notes)
    with _values_warned(index, read_documents(index)):  # after the report, as `report time` warns
        if fmt == "json":
            _emit(dumps(report.as_json()))
            return
        headers = ["project", "status", "progress", "tasks", "hours", "cost", "budget", "burn", "accuracy", "due", "forecast", "health", "reasons"]
        rows = [
            [r.id, r.status, _pct(r.progress) + r.progress_basis_text, f"{r.done_tasks}/{r.tasks}", round(r.hours, 2), _whole(r.cost), _whole(r.budget),
             _burn(r.burn), _pct(r.accuracy), r.due, r.forecast_end, r.health, "; ".join(r.reasons)]
            for r in report.rows
        ]
        if fmt == "csv":
            csv_headers = ["project", "status", "priority", "owner", "client", "progress_effort", "done_tasks", "tasks", "hours", "cost",
                           "currency", "budget", "burn", "accuracy", "due", "forecast_end", "health", "reasons",
                           "forecast_status", "overdue", "blocked", "progress", "progress_by"]
            csv_rows = [
                [r.id, r.status, r.priority, r.owner, r.client, _plain(r.progress_effort), r.done_tasks, r.tasks, _plain(r.hours),
                 _money(r.cost, plain=True), r.currency, r.budget, _burn(r.burn, plain=True), _plain(r.accuracy), r.due, r.forecast_end, r.health,
                 "; ".join(r.reasons), r.forecast_status, ";".join(r.overdue), ";".join(r.blocked), _plain(r.progress), r.progress_by]
                for r in report.rows
            ]
            _emit(csv_text(csv_headers, csv_rows))
            return
        if not rows:
            _say_empty("no projects (wm new project TITLE makes one)")
            return
        progress_width = max(len(str(row[2])) for row in rows)  # "50% by tasks" is a figure: never cut
        _emit(table(headers, rows, right=(2, 3, 4, 5, 6, 7, 8), keep=(0, 0, progress_width), wrap={12: "; "}))  # each reason whole
        warn(report.notes)


@report_group.command("people")
@click.option("--from", "start", metavar="DATE", help="First day (inclusive; of a period such as 2026-11, its first); default: 4 weeks ago, or 4 weeks before --to when that is earlier.")
@click.option("--to", "end", metavar="DATE", help="Last day (inclusive; of a period such as 2026-11, its last); default: the end of this week, or 4 weeks after --from when that is later.")
@json_option
@csv_option
@click.pass_obj
def people_cmd(app: App, start: str | None, end: str | None, as_json: bool, as_csv: bool) -> None:
    """Per person: hours per week versus capacity, billable ratio, open effort, scheduled load.

    \b
    Example:
      wm report people --from 2026-11-02 --to 2026-11-29
    """
    from workspace_tool.reports.people import people_report, read_documents

    fmt = _format_choice(as_json, as_csv)
    index = app.index()
    first, last = date_range(start, end, app.today)
    plan, notes = plan_for(index)
    report = people_report(index, first, last, plan, now=now_for(app), notes=notes)
    with _values_warned(index, read_documents(index)):  # after the report, as `report time` warns
        if fmt == "json":
            _emit(dumps(report.as_json()))
            return
        if fmt == "csv":
            csv_headers = ["person", "name", "known", "hours", "hours_per_week", "capacity", "utilisation", "billable_ratio", "open_tasks", "open_effort"]
            csv_rows = [
                [r.id, r.name, r.known, _plain(r.hours), _plain(r.per_week), _plain(r.capacity), _plain(r.utilisation),
                 _plain(r.billable_ratio), r.open_tasks, _plain(r.open_effort)]
                for r in report.rows
            ]
            _emit(csv_text(csv_headers, csv_rows))
            return
        headers = ["person", "name", "hours", "per week", "capacity", "utilisation", "billable", "open tasks", "open effort", "next 4 weeks"]
        rows = [
            [r.id + ("" if r.known else " (unknown)"), r.name, round(r.hours, 2), round(r.per_week, 2), round(r.capacity, 2), _pct(r.utilisation),
             _pct(r.billable_ratio), r.open_tasks, round(r.open_effort, 2),
             " ".join(f"{_pct(w.utilisation) or '-'}" for w in r.scheduled) if report.schedule else ""]
            for r in report.rows
        ]
        if not rows:
            _say_empty("no people and no time logged" + _between(report.start, report.end) + " (wm new person NAME makes a person)")
            return
        click.echo(f"{report.start} – {report.end}", err=True)
        _emit(table(headers, rows, right=(2, 3, 4, 5, 6, 7, 8)))
        warn(report.notes)


@report_group.command("estimates")
@json_option
@csv_option
@click.pass_obj
def estimates_cmd(app: App, as_json: bool, as_csv: bool) -> None:
    """Estimate versus logged per done task; the ratio's distribution per person and project.

    A ratio of 1 is spot on, 2 took twice the estimate.

    \b
    Example:
      wm report estimates --json
    """
    from workspace_tool.reports.estimates import estimates_report

    fmt = _format_choice(as_json, as_csv)
    report = estimates_report(app.index(), now_for(app))
    if fmt == "json":
        _emit(dumps(report.as_json()))
        return
    task_headers = ["task", "project", "assignee", "estimate", "logged", "ratio"]
    if fmt == "csv":
        _emit(csv_text(task_headers, [[t.id, t.project, t.assignee, _plain(t.estimate), _plain(t.logged), _plain(t.ratio)] for t in report.tasks]))
        return
    if not report.tasks:
        _say_empty("no finished task has an estimate and time logged against it yet")
        warn(_left_out(report))
        return
    task_rows = [[t.id, t.project, t.assignee, round(t.estimate, 2), round(t.logged, 2), round(t.ratio, 2)] for t in report.tasks]
    _emit(table(["task", "project", "assignee", "estimate h", "logged h", "ratio"], task_rows, right=(3, 4, 5)))  # (the CSV's names stay)
    dist_headers = ["group", "key", "n", "median", "p85", "min", "max", "accuracy"]
    dist_rows = [["person", d.key, d.n, round(d.median, 2), round(d.p85, 2), round(d.min, 2), round(d.max, 2), _pct(d.accuracy)] for d in report.by_person]
    dist_rows += [["project", d.key, d.n, round(d.median, 2), round(d.p85, 2), round(d.min, 2), round(d.max, 2), _pct(d.accuracy)] for d in report.by_project]
    if report.overall:
        d = report.overall
        dist_rows.append(["overall", "", d.n, round(d.median, 2), round(d.p85, 2), round(d.min, 2), round(d.max, 2), _pct(d.accuracy)])
    click.echo("")
    _emit(table(dist_headers, dist_rows, right=(2, 3, 4, 5, 6, 7)))
    warn(_left_out(report))


def _left_out(report: Any) -> list[str]:
    """The done tasks `wm report estimates` leaves out, by why (the first ten of each)."""
    def named(ids: Sequence[str]) -> str:
        return ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")

    lines = []
    if report.unestimated:
        lines.append(f"{counted(len(report.unestimated), 'done task')} {_has(report.unestimated)} no estimate: {named(report.unestimated)}")
    if report.invalid:
        lines.append(f"{counted(len(report.invalid), 'done task')} {_has(report.invalid)} an invalid estimate (wm validate says why), "
                     f"left out: {named(report.invalid)}")
    if report.unlogged:
        lines.append(f"{counted(len(report.unlogged), 'done task')} {_has(report.unlogged)} no time logged, left out of the ratios: "
                     f"{named(report.unlogged)}")
    return lines


def _has(items: Sequence[str]) -> str:
    return "has" if len(items) == 1 else "have"


@report_group.command("goals")
@json_option
@csv_option
@click.pass_obj
def goals_cmd(app: App, as_json: bool, as_csv: bool) -> None:
    """Each goal's key results (current / target) and the progress of its projects.

    \b
    Example:
      wm report goals
    """
    from workspace_tool.reports.goals import goals_report, read_documents

    fmt = _format_choice(as_json, as_csv)
    index = app.index()
    goals = goals_report(index)
    with _values_warned(index, read_documents(index)):  # after the report, as `report time` warns
        if fmt == "json":
            _emit(dumps({"goals": [g.as_json() for g in goals]}))
            return
        headers = ["goal", "item", "current", "target", "progress"]
        rows: list[list[Any]] = []
        for g in goals:
            rows.append([g.id, g.title, "", "", _pct(g.progress)])
            rows += [["", f"KR: {k.title}", k.current, k.target, _pct(k.progress)] for k in g.key_results]
            rows += [["", f"project {p.id} ({p.status})", "", "", p.progress_text] for p in g.projects]
        if fmt == "csv":  # data, as the other reports' CSV: the goal on every row, progress as a fraction
            data: list[list[Any]] = []
            for g in goals:
                data.append([g.id, "goal", g.title, "", "", _plain(g.progress)])
                data += [[g.id, "key_result", k.title, k.current, k.target, _plain(k.progress)] for k in g.key_results]
                data += [[g.id, "project", p.id, "", "", _plain(p.progress)] for p in g.projects]
            _emit(csv_text(["goal", "kind", "item", "current", "target", "progress"], data))
            return
        if not rows:
            _say_empty("no goals (wm new goal TITLE makes one)")
            return
        _emit(table(headers, rows, right=(2, 3, 4), keep=(0, 0, 0, 0, max(len(str(row[4])) for row in rows))))  # progress: never cut


def _attach_flow(commands: dict[str, click.Command]) -> None:
    """`report flow`, from the history engineer's module, when it is there."""
    try:
        module = importlib.import_module("workspace_tool.cli.history")
    except ImportError:
        return
    flow = getattr(module, "FLOW_COMMAND", None)
    if isinstance(flow, click.Command):
        commands.setdefault("flow", flow)


COMMANDS: list[click.Command] = [report_group, invoice_cmd]
