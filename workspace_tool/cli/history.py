"""Commands: history, diff, activity, digest, flow (history read from git)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import click

from workspace_tool.cli.app import App
from workspace_tool.errors import NotFoundError, UsageError, nearest_name
from workspace_tool.history import History, Version
from workspace_tool.history.activity import RUN_SHOWN, DueItem, Event, events, people_by_key, render_days, render_digest, select
from workspace_tool.history.diff import version_diffs
from workspace_tool.history.flow import flow_report
from workspace_tool.history.snapshot import display
from workspace_tool.index import Index
from workspace_tool.model import Person
from workspace_tool.output import dumps, printable, printable_lines, table, utf8_safe

_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")


def parse_since(text: str, today: dt.date) -> dt.date:
    """`YYYY-MM-DD`, a span back from today (`3d`, `2w`, `6m`, `1y`), a date word as `wm set due=` takes it
    (`yesterday`, `-1w`), or a period as `wm list` takes one (`2026-11`: its first day)."""
    match = _RELATIVE.match(text.strip().lower())
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if unit == "d":
            return today - dt.timedelta(days=count)
        if unit == "w":
            return today - dt.timedelta(weeks=count)
        months = count * (12 if unit == "y" else 1)
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        return dt.date(year, month + 1, min(today.day, 28))
    from workspace_tool.relative_dates import bound

    try:
        return bound(text, today)
    except ValueError:
        raise UsageError(
            f"bad date {text!r}: use YYYY-MM-DD, a month (2026-11, last-month: its first day), a span back such as 3d, 2w, "
            "6m, 1y, or yesterday"
        ) from None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0)).astimezone()


def _now(app: App) -> dt.datetime:
    now = dt.datetime.now().astimezone()
    if app.today != now.date():  # a pinned --today: count up to the end of that day
        return dt.datetime.combine(app.today, dt.time(23, 59, 59)).astimezone()
    return now


def _until(app: App) -> dt.datetime:
    """The last moment `activity` and `digest` show: the end of today (pinned or not), so a commit dated a few
    minutes ahead by a fast clock is shown, as `wm history` and the site show it."""
    return dt.datetime.combine(app.today, dt.time(23, 59, 59)).astimezone()


def version_record(version: Version) -> dict[str, Any]:
    """One version in `wm history --json`."""
    return {
        "commit": version.commit,
        "author": version.author,
        "email": version.email,
        "date": version.date.isoformat(),
        "message": version.message,
        "path": version.path,
        "old_path": version.old_path,
        "deleted": version.deleted,
        "unparseable": version.unparseable,
        "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in version.changes],
    }


def _describe(version: Version) -> list[str]:
    lines = []
    if version.old_path is not None:
        lines.append(f"moved: {version.old_path} -> {version.path}")
    if version.deleted:
        lines.append("deleted")
    elif version.unparseable:
        lines.append("frontmatter cannot be read in this version")
    elif version.created:
        lines.append("created")
    elif version.copied_from is not None:
        lines.append(f"copied from {version.copied_from}")
    lines.extend(f"{c.field}: {display(c.old)} -> {display(c.new)}" for c in version.changes if not version.created)
    return [printable(line) for line in lines]


def _header(version: Version) -> str:
    commit = version.commit[:10] if version.commit else "working copy"
    who = f"{version.author} <{version.email}>" if version.email else version.author
    return printable(f"{version.date.strftime('%Y-%m-%d %H:%M %z')}  {commit}  {who}  {version.message.splitlines()[0] if version.message else ''}")


def _find(history: History, doc_id: str) -> tuple[str, list[Version]]:
    doc = history.document(doc_id)
    if doc is None:
        near = nearest_name(doc_id, (d.id for d in history.documents))
        hint = f" — did you mean {near!r}?" if near else ""  # as `wm show` says it
        raise NotFoundError(f"no history for {doc_id!r}: no document with that ID now or in any commit{hint}")
    return doc.path, list(reversed(doc.versions))


@click.command("history")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@click.option("--diff", "with_diff", is_flag=True, help="Add the unified diff of each version.")
@click.pass_obj
def history_cmd(app: App, doc_id: str, as_json: bool, with_diff: bool) -> None:
    """Show a document's versions, newest first, with the fields each changed.

    Renames, deletions and uncommitted changes (the "working copy") are versions too.

    \b
    Example:
      wm history website-visual-design --diff
    """
    index, history = app.index_and_history()
    path, versions = _find(history, doc_id)
    doc = history.document(doc_id)
    diffs = version_diffs(index.root, versions) if with_diff else None
    if as_json:
        records = [version_record(v) for v in versions]
        if diffs is not None:
            for record, text in zip(records, diffs):
                record["diff"] = text
        click.echo(dumps({"id": doc.id if doc else doc_id, "path": path, "complete": history.complete, "versions": records}))
        return
    click.echo(printable(f"{doc.id if doc else doc_id}  {path}"))
    for number, version in enumerate(versions):
        click.echo("")
        click.echo(_header(version))
        for line in _describe(version):
            click.echo(f"    {line}")
        if diffs is not None and diffs[number]:
            click.echo(diffs[number].rstrip("\n"))


@click.command("diff")
@click.argument("doc_id")
@click.argument("rev", required=False)
@click.pass_obj
def diff_cmd(app: App, doc_id: str, rev: str | None) -> None:
    """Show the diff one version of a document made (default: the newest).

    REV is a commit (any unique prefix, or what git calls it: HEAD~2, main, a tag), or `working` for
    uncommitted changes; at a commit that did not touch the document, the version it had then.

    \b
    Example:
      wm diff website-visual-design HEAD
    """
    index, history = app.index_and_history()
    _path, versions = _find(history, doc_id)
    chosen: Version | None = versions[0]
    if rev in ("working", "working-copy"):
        chosen = next((v for v in versions if v.commit is None), None)
        if chosen is None:
            raise NotFoundError(f"{doc_id} has no uncommitted changes")
    elif rev is not None:
        matches = [v for v in versions if v.commit and v.commit.startswith(rev.lower())]
        if not matches:
            matches = _as_of(index.root, versions, rev, doc_id)
        chosen = matches[0]
    assert chosen is not None
    click.echo(_header(chosen))
    for line in _describe(chosen):
        click.echo(f"    {line}")
    click.echo(version_diffs(index.root, [chosen])[0].rstrip("\n"))


def _as_of(root: Path, versions: list[Version], rev: str, doc_id: str) -> list[Version]:
    """The version a document had at a commit git names (`HEAD~2`, `main`, a tag): the newest of its versions made
    in that commit or before it."""
    from workspace_tool.gitops import commit_of, is_ancestor

    commit = commit_of(root, rev)
    if commit is None:
        raise NotFoundError(f"{doc_id} has no version at {rev!r} (no commit git knows by that name); see 'wm history {doc_id}'")
    found = [v for v in versions if v.commit and is_ancestor(root, v.commit, commit)][:1]
    if not found:
        raise NotFoundError(f"{doc_id} did not exist yet at {rev!r} ({commit[:7]}); see 'wm history {doc_id}'")
    return found


@click.command("activity")
@click.option("--since", default="1w", show_default=True, metavar="DATE|3d|2w|6m|1y", help="From this date, or this long ago.")
@click.option("--who", metavar="PERSON", help="Only changes by PERSON or to what PERSON owns or is assigned.")
@click.option("--project", metavar="P", help="Only changes in project P.")
@click.option("--all", "every", is_flag=True, help="List every change of a large commit (default: its first 3, then how many more).")
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
@click.pass_obj
def activity_cmd(app: App, since: str, who: str | None, project: str | None, every: bool, as_json: bool) -> None:
    """Show what changed, grouped by day, in words ("alice moved website-visual-design to review").

    \b
    Example:
      wm activity --since 2w --project studio-website
    """
    index, history = app.index_and_history()
    start = parse_since(since, app.today)
    end = _until(app)  # with a pinned --today, what happened after it is not shown (as on the site)
    every_event = events(history.documents, people_by_key(index.of_type(Person)), _start_of(start))
    project = _check_filters(index, every_event, who, project)
    found = [e for e in select(every_event, who, project) if e.date <= end]
    if as_json:
        click.echo(dumps({"since": start.isoformat(), "complete": history.complete, "events": [e.as_json() for e in found]}))
    elif found:
        click.echo(printable_lines(render_days(found, None if every else RUN_SHOWN)))
    else:
        click.echo(f"no changes since {start.isoformat()}", err=True)


def _due_for(index: Index, who: str) -> list[DueItem]:
    """What is overdue or due in the next seven days for `who`: the items of `wm agenda --who` that are due dates
    (their tasks, and the risks, projects and goals they own), so the digest and the agenda agree."""
    from workspace_tool.views import agenda

    if who not in {p.id for p in index.people()}:
        return []
    found = agenda(index, who, 7)
    items = [*found.overdue, *(item for _, items in found.days for item in items if item.kind == "due")]
    return [DueItem(i.doc.id, i.doc.title, str(getattr(i.doc, "status", "")), i.date, i.date < index.today) for i in items]


def _check_filters(index: Index, found: list[Event], who: str | None, project: str | None) -> str | None:
    """A `--who` or `--project` that names nothing the workspace knows is a mistake (a typo gave "no changes" or
    an empty report): refused, naming the valid ones. An actor or project of the events counts too, so a git
    author who is no person document, or a project whose documents are gone, can still be asked about."""
    from workspace_tool.views import check_person, check_project

    if who is not None and not any(who.lower() == e.actor.lower() or who.lower() in e.people for e in found):
        check_person(index, who)
    if project is not None and not any(e.project == project for e in found):
        named = next((e.project for e in found if e.project and e.project.lower() == project.lower()), None)
        return named or check_project(index, project)  # in any case, as query values: the project's own ID
    return project


@click.command("digest")
@click.option("--who", required=True, metavar="PERSON", help="The person the digest is for.")
@click.option("--since", default="1w", show_default=True, metavar="DATE|3d|2w|6m|1y", help="From this date, or this long ago.")
@click.option("--all", "every", is_flag=True, help=f"List every change of a large commit (default: its first {RUN_SHOWN}, then how many more).")
@click.pass_obj
def digest_cmd(app: App, who: str, since: str, every: bool) -> None:
    """Print a Markdown digest for one person: changes to their work by project, decisions, what is due.

    \b
    Example:
      wm digest --who alice --since 1w > digest.md
    """
    index, history = app.index_and_history()
    start = parse_since(since, app.today)
    end = _until(app)
    everything = [e for e in events(history.documents, people_by_key(index.of_type(Person)), _start_of(start)) if e.date <= end]
    _check_filters(index, everything, who, None)
    person = who.lower()
    theirs = [e for e in everything if person in e.people]
    decisions = [e for e in everything if e.doc_type == "decision"]
    due = _due_for(index, who)
    titles = {project.id: project.title for project in index.projects()}
    click.echo(printable_lines(render_digest(who, start, app.today, theirs, decisions, due, titles, None if every else RUN_SHOWN)), nl=False)


@click.command("flow")
@click.option("--project", metavar="P", help="Only project P's tasks.")
@click.option("--from", "start", metavar="DATE|3d|2w|6m|1y", help="Series from this date (default: the first task).")
@click.option("--json", "as_json", is_flag=True, help="Print tasks and series as JSON.")
@click.pass_obj
def flow_cmd(app: App, project: str | None, start: str | None, as_json: bool) -> None:
    """Flow metrics from status history: lead and cycle time, throughput, WIP, cumulative flow, burn-down.

    \b
    Example:
      wm flow --project studio-website --from 2026-01-01 --json
    """
    index, history = app.index_and_history()
    begin = parse_since(start, app.today) if start else None
    report = flow_report(history, app.today, _now(app), project, begin)
    if not report["tasks"]:
        _check_filters(index, [], None, project)
    if as_json:
        click.echo(utf8_safe(json.dumps(report, indent=2, ensure_ascii=False)))
        return
    if not report["tasks"]:
        click.echo("no task in the history yet" + (f" of {project}" if project else "") + " (flow is read from committed versions)", err=True)
        return
    click.echo(_flow_text(report))


def _days_text(days: float) -> str:
    """Days as the table shows them: whole days whole, else to a tenth."""
    return f"{days:.0f}" if float(days).is_integer() else f"{days:.1f}"


def _flow_text(report: dict[str, Any]) -> str:
    rows = [
        (
            t["id"],
            t["project"] or "",
            t["status"],
            (t["created_at"] or "")[:10],
            (t["started_at"] or "")[:10],
            (t["done_at"] or "")[:10],
            "" if t["lead_days"] is None else _days_text(t["lead_days"]),
            "" if t["cycle_days"] is None else _days_text(t["cycle_days"]),
        )
        for t in report["tasks"]
    ]
    parts = [table(["id", "project", "status", "created", "started", "done", "lead d", "cycle d"], rows, right=(6, 7))]
    block = report["workspace"] or next(iter(report["projects"].values()), None)
    if block:
        cycle = block["cycle_time_days"]
        if cycle["count"]:
            parts.append(
                f"\ncycle time (days): {cycle['count']} done, average {_days_text(cycle['average'])}, median {_days_text(cycle['median'])},"
                f" 85th percentile {_days_text(cycle['p85'])}"
            )
        else:
            parts.append("\ncycle time (days): no task has gone from started to done yet")
        weeks = ", ".join(f"{week}: {count}" for week, count in list(block["throughput"].items())[-8:])
        parts.append(f"throughput per week: {weeks or 'none'}")
        if block["wip"]:
            parts.append(f"work in progress now: {block['wip'][-1]['count']}")
        if block["burndown"]:
            last = block["burndown"][-1]
            parts.append(f"scope {last['scope_hours']} h, remaining {last['remaining_hours']} h, done {last['done_hours']} h")
    return "\n".join(parts)


def _as_report_flow(command: click.Command) -> click.Command:
    """`command` as `wm report flow`: the same options and callback (a shallow copy), with its own help, whose
    examples name it as it is run there."""
    attached = copy.copy(command)
    attached.help = (command.help or "").replace("wm flow ", "wm report flow ")
    return attached


FLOW_COMMAND = _as_report_flow(flow_cmd)
"""`wm flow` for the `report` group to attach as `report flow` (its help's example says `wm report flow`)."""

COMMANDS = [history_cmd, diff_cmd, activity_cmd, digest_cmd, flow_cmd]
