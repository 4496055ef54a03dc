"""Commands: export (json, csv, sqlite, ical, timeclock) and import (taskwarrior, jira, asana, csv, timeclock, timewarrior)."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from workspace_tool.cli.app import App, date_range, now_for
from workspace_tool.cli.reports import plan_for, warn
from workspace_tool.errors import UsageError, WorkspaceError
from workspace_tool.output import counted, dumps

if TYPE_CHECKING:
    from workspace_tool.edit_ops import Result
    from workspace_tool.import_tasks import ForeignTask, ImportOptions, Source, TaskImportPlan
    from workspace_tool.index import Index


def _write_or_print(text: str, output: str | None) -> None:
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from workspace_tool.export.files import replace_file

    path = Path(output)
    reason = _unwritable(path)
    try:
        if reason is None:
            replace_file(path, text)  # whatever the file held: an export's output is replaced (in one step)
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
    if reason is not None:
        raise WorkspaceError(f"{output}: cannot write: {reason}; nothing was written")
    click.echo(f"wrote {output}", err=True)


def _unwritable(path: Path) -> str | None:
    """Why `path` cannot be a file, when what stands in the way is a folder or a file: said plainly (the system's
    "File exists" for a file where a folder should be says nothing); None otherwise."""
    if path.is_dir():
        return "it is a folder"
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is a file, not a folder"
    return None


output_option = click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")


@click.group("export")
def export_group() -> None:
    """Export the workspace: json, csv, sqlite, ical, timeclock.

    \b
    Example:
      wm export sqlite work.db && datasette work.db
    """


PRIVATE_HELP = "Include private documents (visibility: private) and the time logged against them."


@export_group.command("json")
@output_option
@click.option("--private", "include_private", is_flag=True, help=PRIVATE_HELP)
@click.pass_obj
def export_json_cmd(app: App, output: str | None, include_private: bool) -> None:
    """The whole index as JSON: documents, time entries (priced), diagnostics; private ones only with --private.

    \b
    Example:
      wm export json -o workspace.json
    """
    from workspace_tool.export.tables import export_json

    _write_or_print(dumps(export_json(app.index(), now_for(app), include_private)) + "\n", output)


@export_group.command("csv")
@click.option("--type", "doc_type", required=True, metavar="TYPE", help="A document type (task, project, ...) or 'entry' for time entries.")
@output_option
@click.option("--private", "include_private", is_flag=True, help=PRIVATE_HELP)
@click.pass_obj
def export_csv_cmd(app: App, doc_type: str, output: str | None, include_private: bool) -> None:
    """One document type (or the time entries) as CSV, one row each; private ones only with --private.

    \b
    Example:
      wm export csv --type task -o tasks.csv
      wm export csv --type entry
    """
    from workspace_tool.export.tables import export_csv

    _write_or_print(export_csv(app.index(), doc_type.lower(), now_for(app), include_private), output)


@export_group.command("sqlite")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--private", "include_private", is_flag=True, help=PRIVATE_HELP)
@click.pass_obj
def export_sqlite_cmd(app: App, file: str, include_private: bool) -> None:
    """A SQLite database: a table per type, time_entries, dependencies, references (schema in docs/reports.md).

    The file is replaced. Private documents are left out unless --private.

    \b
    Example:
      wm export sqlite work.db
      sqlite3 work.db "select client, sum(hours) from time_entries group by client"
    """
    import sqlite3

    from workspace_tool.export.sqlite import export_sqlite

    reason = _unwritable(Path(file))
    try:
        if reason is None:
            Path(file).parent.mkdir(parents=True, exist_ok=True)  # as -o makes the folder of the other exports
        counts = {} if reason else export_sqlite(app.index(), Path(file), now_for(app), include_private)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
    if reason is not None:
        raise WorkspaceError(f"{file}: cannot write the database: {reason}; nothing was written")
    click.echo(f"wrote {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n), err=True)


@export_group.command("ical")
@output_option
@click.option("--private", "include_private", is_flag=True, help="Include private documents.")
@click.pass_obj
def export_ical_cmd(app: App, output: str | None, include_private: bool) -> None:
    """Due dates, milestones and scheduled task spans as an iCalendar (.ics) file.

    \b
    Example:
      wm export ical -o work.ics
    """
    from workspace_tool.export.ical import ical_text

    index = app.index()
    plan, notes = plan_for(index)
    warn(notes)
    _write_or_print(ical_text(index, plan, include_private), output)


@export_group.command("timeclock")
@output_option
@click.option("--from", "start", metavar="DATE", help="First day (inclusive).")
@click.option("--to", "end", metavar="DATE", help="Last day (inclusive).")
@click.pass_obj
def export_timeclock_cmd(app: App, output: str | None, start: str | None, end: str | None) -> None:
    """Time entries in hledger/ledger timeclock format (accounts CLIENT:PROJECT).

    \b
    Example:
      wm export timeclock -o work.timeclock && hledger -f work.timeclock bal
    """
    from workspace_tool.export.timeclock import timeclock_text

    first, last = date_range(start, end, app.today)
    _write_or_print(timeclock_text(app.index(), now_for(app), start=first, end=last), output)


@click.group("import")
def import_group() -> None:
    """Import tasks (taskwarrior, jira, asana, any CSV) and time logged (timeclock, timewarrior) in other tools.

    \b
    Examples:
      task export | wm import taskwarrior - --assignee alice
      wm import jira jira.csv --dry-run
      wm import jira newer.csv --update --commit
      timew export | wm import timewarrior - --person alice
    """


COMMIT_IMPORT_HELP = (
    "Commit exactly the files the import wrote or changed (refused before anything is written on a detached HEAD, during a rebase or"
    " merge, with other changes staged, or without a git identity)."
)
UPDATE_HELP = (
    "Bring tasks imported before up to date with the export: each field (status, due, title, estimate, assignee, priority, tags, parent) the"
    " team has not changed in wm since the import; one both changed is kept and said. Needs the import committed to git."
)
DRY_RUN_HELP = "List what would be created (and updated) instead of writing it."


def _importing(app: App, commit: bool, dry_run: bool, action: Callable[[Index], Result]) -> None:
    """Run an import: with --commit through `run_edit`, as the editing commands commit (git's state checked before
    anything is written, exactly the files written committed); without it nothing is committed, even under
    `git.autocommit` (said: an import's files are for the team to review)."""
    from workspace_tool.cli.edit import run_edit
    from workspace_tool.gitops import commit_blocker
    from workspace_tool.imports import NOT_COMMITTED

    if commit and not dry_run:
        run_edit(app, True, action)
        return
    index = app.index()
    if commit and (blocker := commit_blocker(app.root)):  # --dry-run --commit: nothing is written, but what would refuse the commit is said now
        warn([f"--commit would be refused: {blocker}"])
    result = action(index)
    if result.changes and index.settings.autocommit:
        warn([NOT_COMMITTED])


def _read_input(file: str) -> tuple[str, str]:
    """(name, text) of FILE, or of standard input for `-`."""
    name = "<stdin>" if file == "-" else file
    try:  # bytes, decoded strictly: standard input's own decoding lets bad bytes through as surrogates
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        return name, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(_not_utf8(name, data, exc.start)) from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot read: {exc.strerror or exc}") from None


def _not_utf8(name: str, data: bytes, start: int) -> str:
    """Why FILE cannot be read, naming the line and column of the first byte that is not UTF-8, or UTF-16 (Excel's
    "Unicode Text", which starts with a byte-order mark)."""
    fix = "save it as UTF-8 (in Excel: 'CSV UTF-8')"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        return f"{name}: cannot read: UTF-16 text (as Excel's 'Unicode Text' saves it); {fix}"
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return f"{name}:{line}: cannot read: not UTF-8 text (the byte 0x{data[start]:02x} in column {column}); {fix}"


def _run_import(app: App, kind: str, file: str, person: str, dry_run: bool, commit: bool) -> None:
    from workspace_tool.edit_ops import Change, Result
    from workspace_tool.import_commit import entries_message, export_name
    from workspace_tool.imports import apply_import, parse_timeclock, parse_timewarrior, plan_import

    name, text = _read_input(file)
    parse = parse_timeclock if kind == "timeclock" else parse_timewarrior
    sessions = parse(text, name)

    def action(index: Index) -> Result:
        plan = plan_import(index, person, sessions, name)
        changes: list[Change] = []
        if dry_run:
            from workspace_tool.timelog import format_entry

            for entry in plan.new:
                click.echo(format_entry(entry))
        else:
            for relpath in apply_import(index, plan):
                click.echo(f"updated {relpath}")
                changes.append(Change(relpath, f"timelog {relpath}: imported"))
        verb = "to import" if dry_run else "imported"
        click.echo(f"{len(plan.new)} {'entry' if len(plan.new) == 1 else 'entries'} {verb}, {len(plan.duplicates)} already logged (skipped)", err=True)
        warn(plan.skipped)
        return Result(tuple(changes), summary=entries_message(len(plan.new), plan.person, export_name(name, kind)))

    _importing(app, commit, dry_run, action)


@import_group.command("timeclock")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--person", required=True, metavar="ID", help="Whose time it is.")
@click.option("--dry-run", is_flag=True, help="Print the entries instead of writing them.")
@click.option("--commit", is_flag=True, help=COMMIT_IMPORT_HELP)
@click.pass_obj
def import_timeclock_cmd(app: App, file: str, person: str, dry_run: bool, commit: bool) -> None:
    """Import a timeclock file; REF is the account's last segment.

    Entries already logged are skipped; overlaps and malformed lines are refused (nothing is written).

    \b
    Example:
      wm import timeclock hours.timeclock --person alice --commit
    """
    _run_import(app, "timeclock", file, person, dry_run, commit)


@import_group.command("timewarrior")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--person", required=True, metavar="ID", help="Whose time it is.")
@click.option("--dry-run", is_flag=True, help="Print the entries instead of writing them.")
@click.option("--commit", is_flag=True, help=COMMIT_IMPORT_HELP)
@click.pass_obj
def import_timewarrior_cmd(app: App, file: str, person: str, dry_run: bool, commit: bool) -> None:
    """Import `timew export` JSON; REF is the first tag that is a task or project ID.

    Entries already logged are skipped; overlaps and malformed intervals are refused (nothing is written).

    \b
    Example:
      timew export 2026-11-01 - 2026-12-01 > nov.json && wm import timewarrior nov.json --person alice
    """
    _run_import(app, "timewarrior", file, person, dry_run, commit)


@import_group.command("taskwarrior")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--assignee", metavar="ID", help="The person the tasks are assigned to (Taskwarrior's are one person's).")
@click.option("--status", "statuses", multiple=True, metavar="NAME=STATUS",
              help="The task status a Taskwarrior status becomes: pending, waiting, started, completed or deleted (repeatable).")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--update", is_flag=True, help=UPDATE_HELP)
@click.option("--commit", is_flag=True, help=COMMIT_IMPORT_HELP)
@click.pass_obj
def import_taskwarrior_cmd(app: App, file: str, assignee: str | None, statuses: tuple[str, ...], dry_run: bool, update: bool, commit: bool) -> None:
    """Import `task export` JSON: a task document per task, a project document per new project.

    Statuses map onto the task workflow (pending and waiting: its first status, started: in-progress, completed:
    done, deleted: cancelled; --status maps them otherwise); due, scheduled (start), entry (created), end (done),
    priority, tags, dependencies, annotations (## Log) and recurrence are kept, and the UUID in `taskwarrior:`, so
    importing again adds only the new tasks (--update also brings the others up to date). Nothing is written unless
    every document is valid; no file is overwritten.

    \b
    Examples:
      task export > tasks.json && wm import taskwarrior tasks.json --assignee alice --dry-run
      task export | wm import taskwarrior - --status started=review --update --commit
    """
    from workspace_tool.import_tasks import ImportOptions
    from workspace_tool.import_taskwarrior import SOURCE, check_statuses, parse_taskwarrior

    mapped = _pairs(statuses, "--status", "started=review")
    names = check_statuses(mapped)
    name, text = _read_input(file)
    tasks = parse_taskwarrior(text, name, names)
    _run_task_import(app, tasks, SOURCE, ImportOptions(assignee=assignee, statuses=mapped), _Run(name, dry_run, update, commit))


def _pairs(values: tuple[str, ...], option: str, example: str, at_first: bool = False) -> dict[str, str]:
    """`--status 'In QA=review'` and the like: NAME=VALUE pairs (the name may hold spaces and `=`: split at the last
    `=`; `at_first` for `--column FIELD=HEADER`, whose header may hold one)."""
    pairs = {}
    for value in values:
        name, sep, mapped = value.partition("=") if at_first else value.rpartition("=")
        if not sep or not name.strip() or not mapped.strip():
            raise UsageError(f"{option} {value!r}: expected NAME=VALUE, e.g. {option} {example}")
        pairs[name.strip()] = mapped.strip()
    return pairs


def _tracker_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `wm import jira`, `asana` and `csv` share."""
    for decorator in reversed((
        click.argument("file", type=click.Path(dir_okay=False, allow_dash=True)),
        click.option("--project", metavar="ID", help="Put every task in this project, whatever the export says."),
        click.option("--person", "people", multiple=True, metavar="NAME=ID", help="The person an assignee or comment author of the export is (repeatable)."),
        click.option("--status", "statuses", multiple=True, metavar="NAME=STATUS", help="The task status one of the export's statuses becomes (repeatable)."),
        click.option("--date-format", metavar="FORMAT", help="How the export writes dates, in strptime's codes (%d/%m/%Y), where wm cannot tell."),
        click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP),
        click.option("--update", is_flag=True, help=UPDATE_HELP),
        click.option("--commit", is_flag=True, help=COMMIT_IMPORT_HELP),
        click.pass_obj,
    )):
        command = decorator(command)
    return command


@dataclass(frozen=True)
class _Run:
    """How a task import runs: the export's name, and its flags."""

    name: str
    dry_run: bool = False
    update: bool = False
    commit: bool = False


def _run_tracker_import(
    app: App, tracker: str, file: str, project: str | None, people: tuple[str, ...], statuses: tuple[str, ...], date_format: str | None,
    dry_run: bool, update: bool, commit: bool,
) -> None:
    from workspace_tool import import_asana, import_jira
    from workspace_tool.import_tasks import ImportOptions

    source, parse = (import_jira.SOURCE, import_jira.parse_jira) if tracker == "jira" else (import_asana.SOURCE, import_asana.parse_asana)
    options = ImportOptions(
        people=_pairs(people, "--person", "'Ana Lima=ana'"), statuses=_pairs(statuses, "--status", "'In QA=review'"), project=project,
    )
    name, text = _read_input(file)
    _run_task_import(app, parse(text, name, date_format), source, options, _Run(name, dry_run, update, commit))


@import_group.command("jira")
@_tracker_options
def import_jira_cmd(
    app: App, file: str, project: str | None, people: tuple[str, ...], statuses: tuple[str, ...], date_format: str | None, dry_run: bool,
    update: bool, commit: bool,
) -> None:
    """Import Jira's CSV export: a task per issue, a project per Jira project, a person per new assignee.

    Export from Jira's issue search (Export > Export CSV, all fields). Status: by its name when the task workflow
    has it in other words (To Do, In Progress, Done), else by its status category; resolved as Won't Do or
    Duplicate: cancelled. Priority, labels, components and issue type (as tags), created, due, resolved (done),
    estimates, parent (sub-tasks, epics), "blocks" links (depends_on), description and comments (from Jira's
    markup to Markdown) are kept, and the issue key in `jira:`, so importing again adds only new issues;
    --update also brings the issues imported before up to date where the team has not changed them in wm.
    Nothing is written unless every document is valid; no file is overwritten.

    \b
    Examples:
      wm import jira jira.csv --dry-run
      wm import jira jira.csv --status 'In QA=review' --person 'Ana Lima=ana' --commit
      wm import jira newer.csv --update --dry-run
    """
    _run_tracker_import(app, "jira", file, project, people, statuses, date_format, dry_run, update, commit)


@import_group.command("asana")
@_tracker_options
def import_asana_cmd(
    app: App, file: str, project: str | None, people: tuple[str, ...], statuses: tuple[str, ...], date_format: str | None, dry_run: bool,
    update: bool, commit: bool,
) -> None:
    """Import Asana's CSV export: a task per task, a project per Asana project, a person per new assignee.

    Export from the project's menu (Export/Print > CSV). Completed tasks are done; a section or Status field
    naming a status of the task workflow (In Progress, Doing, Backlog) gives the status, another section is kept
    as a tag. Assignee (by name or e-mail), created, start, due and completed dates, tags, a Priority field,
    parent task, "blocked by" dependencies and notes are kept, and the task ID in `asana:`, so importing again
    adds only new tasks (--update also brings the others up to date). Nothing is written unless every document
    is valid; no file is overwritten.

    \b
    Examples:
      wm import asana launch.csv --dry-run
      wm import asana launch.csv --project website --date-format '%d/%m/%Y' --update --commit
    """
    _run_tracker_import(app, "asana", file, project, people, statuses, date_format, dry_run, update, commit)


@import_group.command("csv")
@_tracker_options
@click.option("--column", "columns", multiple=True, required=True, metavar="FIELD=HEADER",
              help="Which column holds a field: title (required), key, status, project, assignee, email, priority, tags, created, start, due, done, estimate, parent, depends, description (repeatable).")
@click.option("--source", default="csv", show_default=True, metavar="NAME", help="The tracker's name: the key that keeps each row's ID (monday: 1234).")
def import_csv_cmd(
    app: App, file: str, project: str | None, people: tuple[str, ...], statuses: tuple[str, ...], date_format: str | None, dry_run: bool,
    update: bool, commit: bool, columns: tuple[str, ...], source: str,
) -> None:
    """Import any tracker's CSV export (monday.com, Linear, Trello, a spreadsheet) by a column map.

    Each row is a task, under its project (made when new), assigned to its person (made when new). Status by its
    name in the task workflow (or --status), else done when the done column has a date, else the first status.
    The key column's value is kept under the --source name, so importing a newer export adds only new rows
    (--update also brings the rows imported before up to date).

    \b
    Example:
      wm import csv board.csv --source monday --column key="Item ID" --column title=Name --column status=Status --column assignee=Person --column due=Date --column project=Group --dry-run
    """
    from workspace_tool.import_generic import check_columns, check_source, parse_generic
    from workspace_tool.import_tasks import ImportOptions

    tracker = check_source(source)
    mapped = check_columns(_pairs(columns, "--column", "title=Name", at_first=True))
    options = ImportOptions(
        people=_pairs(people, "--person", "'Ana Lima=ana'"), statuses=_pairs(statuses, "--status", "'Stuck=review'"), project=project,
    )
    name, text = _read_input(file)
    index = app.index()
    tasks = parse_generic(text, name, mapped, date_format, index.settings.calendar.hours_per_day)
    _run_task_import(app, tasks, tracker, options, _Run(name, dry_run, update, commit))


def _run_task_import(app: App, tasks: list[ForeignTask], source: Source, options: ImportOptions, run: _Run) -> None:
    """Plan the documents (and with --update the updates), list them (`would create` with --dry-run), write them,
    commit them with --commit, and say what was left out."""
    from workspace_tool.edit_ops import Result
    from workspace_tool.import_baseline import read_baselines
    from workspace_tool.import_commit import export_name, task_message
    from workspace_tool.import_tasks import apply_task_import, plan_task_import

    def action(index: Index) -> Result:
        baselines = (lambda paths: read_baselines(index.root, paths)) if run.update else None
        plan = plan_task_import(index, tasks, source, options, baselines)
        changes = () if run.dry_run else tuple(apply_task_import(index, plan))  # all or nothing: listed below only once written
        _say_task_import(plan, run)
        return Result(changes, summary=task_message(plan, export_name(run.name, source.name)))

    _importing(app, run.commit, run.dry_run, action)


def _say_task_import(plan: TaskImportPlan, run: _Run) -> None:
    for made in plan.made:
        what = f"{made.doc_type} {made.doc_id}, {made.status}: {made.title}" if made.status else f"{made.doc_type} {made.doc_id}: {made.title}"
        click.echo(f"{'would create' if run.dry_run else 'created'} {made.relpath}  ({what})")
    for update in plan.updates:
        click.echo(f"{'would update' if run.dry_run else 'updated'} {update.relpath}  ({update.message})")
    kinds = Counter(made.doc_type for made in plan.made)
    verb = "to import" if run.dry_run else "imported"
    made_too = [counted(kinds["project"], "new project")] if kinds["project"] else []
    made_too += [f"{kinds['person']} new {'person' if kinds['person'] == 1 else 'people'}"] if kinds["person"] else []
    summary = f"{counted(kinds['task'], 'task')}{''.join(', ' + part for part in made_too[:-1])}{' and ' + made_too[-1] if made_too else ''}"
    if run.update:
        updated = f"{counted(len(plan.updates), 'task')} {'to update' if run.dry_run else 'updated'} ({counted(plan.updated_fields, 'field')})"
        kept = f"{counted(len(plan.conflicts), 'field')} kept as {'a conflict' if len(plan.conflicts) == 1 else 'conflicts'}"
        click.echo(f"{summary} {verb}, {plan.already} already imported: {updated}, {kept}", err=True)
    else:
        click.echo(f"{summary} {verb}, {plan.already} already imported (skipped)", err=True)
    warn(plan.skipped)


COMMANDS: list[click.Command] = [export_group, import_group]
