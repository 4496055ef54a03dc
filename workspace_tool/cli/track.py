"""Commands: log, start, stop, status (time tracking)."""

from __future__ import annotations

import datetime as dt

import click

from workspace_tool.cli.app import App, now_for
from workspace_tool.cli.edit import COMMIT_HELP, run_edit
from workspace_tool.errors import UsageError
from workspace_tool.index import Index

PERSON_HELP = "Whose time (default: WM_PERSON, else the person whose email is git's user.email)."


def _me(app: App, index: Index, person: str | None) -> str:
    from workspace_tool.tracking import find_me

    return find_me(index, person)


def _now(app: App, at: str | None) -> dt.datetime:
    """Today's date (WM_TODAY / --today) with the clock time `--at HH:MM`, else the current time."""
    if at is None:
        pinned = now_for(app)  # WM_NOW, as the reports read it
        clock = (pinned or dt.datetime.now()).time().replace(second=0, microsecond=0)
    else:
        day, _, time = at.strip().replace("T", " ").rpartition(" ")
        try:
            clock = dt.time.fromisoformat(time.zfill(5))
            date = dt.date.fromisoformat(day) if day else app.today
        except ValueError:
            raise UsageError(f"--at: expected HH:MM, or YYYY-MM-DD HH:MM for another day, got {at!r}") from None
        return dt.datetime.combine(date, clock)
    return dt.datetime.combine(app.today, clock)


@click.command("log")
@click.argument("ref")
@click.argument("when", metavar="DURATION|HH:MM-HH:MM")
@click.argument("note", nargs=-1)
@click.option("--date", "day", metavar="DATE", help="The day worked (default: today).")
@click.option("--person", metavar="ID", help=PERSON_HELP)
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def log_cmd(app: App, ref: str, when: str, note: tuple[str, ...], day: str | None, person: str | None, commit: bool) -> None:
    """Log time on a task or project in timelogs/<person>/<YYYY-MM>.md.

    A clock range that overlaps one of your entries is refused. One the local
    clocks changed in (daylight saving time, TZ) is logged as the time that
    passed, as a duration; a time the clocks skipped is refused.

    \b
    Example:
      wm log website-visual-design 1h30m "Second variant" --date 2026-11-25
      wm log website-visual-design 14:00-15:30
    """
    from workspace_tool.edit_values import parse_date
    from workspace_tool.tracking import log_time

    index = app.index()
    who = _me(app, index, person)
    date = parse_date(day, app.today, "--date") if day else None
    result = run_edit(app, commit, lambda idx: log_time(idx, who, ref, when, " ".join(note), date))
    for change in result.changes:
        click.echo(f"{change.relpath}: {change.message.split(': ', 1)[1]}")


@click.command("start")
@click.argument("ref")
@click.argument("note", nargs=-1)
@click.option("--at", metavar="[DATE] HH:MM", help="Start time, today or 'YYYY-MM-DD HH:MM' (default: now).")
@click.option("--parallel", is_flag=True, help="Keep other running timers running.")
@click.option("--person", metavar="ID", help=PERSON_HELP)
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def start_cmd(app: App, ref: str, note: tuple[str, ...], at: str | None, parallel: bool, person: str | None, commit: bool) -> None:
    """Start a timer on a task or project (a running entry in your time log).

    A timer already running is stopped first, unless --parallel.

    \b
    Example:
      wm start website-visual-design "Hero section"
    """
    from workspace_tool.tracking import start_timer

    index = app.index()
    who = _me(app, index, person)
    now = _now(app, at)
    clock = now_for(app) or dt.datetime.now()
    if at is not None and now.date() == clock.date() and now > clock + dt.timedelta(minutes=1):
        raise UsageError(f"--at {at} is later than now ({clock:%H:%M}): a timer starts when the work does; nothing was started")
    run_edit(app, commit, lambda idx: start_timer(idx, who, ref, " ".join(note), now, parallel))
    click.echo(f"started {ref} at {now:%H:%M} for {who}")


@click.command("stop")
@click.option("--at", metavar="[DATE] HH:MM", help="Stop time, today or 'YYYY-MM-DD HH:MM' (default: now).")
@click.option("--person", metavar="ID", help=PERSON_HELP)
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def stop_cmd(app: App, at: str | None, person: str | None, commit: bool) -> None:
    """Stop your running timer, writing its end time.

    When the local clocks changed while it ran (daylight saving time, TZ),
    the time that passed is written as a duration instead.

    \b
    Example:
      wm stop --at 17:30
    """
    from workspace_tool.tracking import stop_timer

    index = app.index()
    who = _me(app, index, person)
    now = _now(app, at)
    result = run_edit(app, commit, lambda idx: stop_timer(idx, who, now))
    for change in result.changes:
        click.echo(f"{change.relpath}: {change.message.split(': ', 1)[1]}")


@click.command("status")
@click.option("--at", metavar="[DATE] HH:MM", help="The time to count running timers up to, today or 'YYYY-MM-DD HH:MM' (default: now).")
@click.option("--person", metavar="ID", help=PERSON_HELP)
@click.pass_obj
def status_cmd(app: App, at: str | None, person: str | None) -> None:
    """Show your running timer and the time logged today.

    \b
    Example:
      wm status
    """
    from workspace_tool.tracking import render_status, status

    index = app.index()
    who = _me(app, index, person)
    click.echo(render_status(status(index, who, _now(app, at))))


COMMANDS = [log_cmd, start_cmd, stop_cmd, status_cmd]
