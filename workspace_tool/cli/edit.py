"""Commands: new, set, move, assign, comment, apply, templates, recur."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import click

from workspace_tool.cli.app import App
from workspace_tool.edit_ops import Result
from workspace_tool.errors import UsageError, WorkspaceError
from workspace_tool.index import Index
from workspace_tool.model import DOC_TYPES

COMMIT_HELP = "Commit the files this command touched (also git.autocommit in workspace.yml)."


def run_edit(app: App, commit: bool, action: Callable[[Index], Result]) -> Result:
    """Run one editing action; commit what it touched when asked (never over other staged changes)."""
    from workspace_tool.gitops import commit_blocker, commit_paths

    index = app.index()
    wanted = commit or index.settings.autocommit
    if wanted:
        blocker = commit_blocker(app.root)
        if blocker and commit:
            raise WorkspaceError(f"--commit: {blocker}; nothing was changed")
        if blocker:
            click.echo(f"wm: not committing (git.autocommit): {blocker}", err=True)
            wanted = False
    result = action(index)
    for note in result.notes:
        click.echo(f"wm: {note}", err=True)
    if wanted and result.changes:
        commit_id = commit_paths(app.root, result.paths, result.message)
        click.echo(f"wm: committed {commit_id}: {result.message}", err=True)
    return result


def from_here(path: Path) -> str:
    """`path` as the caller can open it from their current folder (`$EDITOR "$(wm new ...)"`): relative when it is
    under that folder (`notes/x.md` at the workspace root), else absolute (from a subfolder, or with -C)."""
    try:
        here = Path.cwd().resolve()
    except OSError:  # the current folder was removed
        return str(path)
    try:
        return str(path.relative_to(here))
    except ValueError:
        return str(path)


def _author(app: App) -> str:
    from workspace_tool.gitops import author

    return author(app.root)


def _editor() -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise UsageError("--edit needs $EDITOR (or $VISUAL) to be set, e.g. export EDITOR=nano; nothing was created")
    return editor


def _say_if_renamed(doc_type: str, title: str, doc_id: str | None, path: str) -> None:
    """A title whose name was taken gets a suffix (`website-build-a72c`): said, so the new ID is not a surprise."""
    from workspace_tool.create import slugify

    slug, stem = slugify(title), PurePosixPath(path).stem
    if doc_id is None and doc_type != "timelog" and slug and stem != slug and stem.startswith(slug + "-"):
        click.echo(f"wm: the name {slug!r} was taken, so this {doc_type} is {stem!r} (pass --id to choose another)", err=True)


@click.command("new")
@click.argument("doc_type", metavar="TYPE", type=click.Choice(DOC_TYPES))
@click.argument("title")
@click.option("--project", "-p", metavar="ID", help="The project (tasks, decisions, risks, notes go in its folder).")
@click.option("--assignee", "-a", metavar="PERSON", help="Assignee (a task) or owner (project, risk, goal).")
@click.option("--estimate", "-e", metavar="DURATION", help="Estimate such as 4h, 3d, 1w.")
@click.option("--due", metavar="DATE", help="Due date: YYYY-MM-DD, today, tomorrow or +3d.")
@click.option("--depends-on", metavar="ID,...", help="Tasks this one waits for.")
@click.option("--field", "-f", "fields", multiple=True, metavar="KEY=VALUE", help="Any other field (repeatable).")
@click.option("--id", "doc_id", metavar="NAME", help="The file name / ID to use instead of the title's slug.")
@click.option("--edit", "open_editor", is_flag=True, help="Open $EDITOR on the new file.")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def new_cmd(app: App, doc_type: str, title: str, project: str | None, assignee: str | None, estimate: str | None,
            due: str | None, depends_on: str | None, fields: tuple[str, ...], doc_id: str | None, open_editor: bool, commit: bool) -> None:
    """Create a document from its template; print the new file's path.

    The file goes in its type's folder, named by a slug of TITLE (for a
    timelog, TITLE is the person). Templates: templates/TYPE.md in the
    workspace, else the built-in one.

    \b
    Example:
      wm new task "Design mockups" --project studio-website --assignee alice --estimate 3d --due 2026-12-04
    """
    from workspace_tool.create import NewDocument, create
    from workspace_tool.edit_values import parse_assignments

    editor = _editor() if open_editor else None
    request = NewDocument(doc_type, title, project, assignee, estimate, due, depends_on, tuple(parse_assignments(fields)), doc_id, _author(app))
    result = run_edit(app, commit, lambda index: Result((create(index, request),)))
    relpath = result.changes[0].relpath
    path = from_here(app.root / relpath)
    click.echo(path)
    _say_if_renamed(doc_type, title, doc_id, relpath)
    if editor:
        try:
            done = subprocess.run([*shlex.split(editor), str(app.root / relpath)], check=False)
        except OSError as exc:
            raise WorkspaceError(f"cannot run the editor {editor!r} ($VISUAL or $EDITOR): {exc.strerror or exc}; {path} was made, open it yourself") from None
        if done.returncode != 0:
            click.echo(f"wm: the editor {editor!r} exited with status {done.returncode}; {path} is as the editor left it", err=True)


@click.command("set")
@click.argument("doc_id", metavar="ID")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def set_cmd(app: App, doc_id: str, assignments: tuple[str, ...], commit: bool) -> None:
    """Set frontmatter fields; only their lines change. `key=` removes a key.

    Lists are comma-separated (depends_on=a,b) or in brackets
    ('customers=[a, b]', which also makes a list of a key of your own).
    Values are checked like
    `wm validate` would: dates, durations, people, statuses.

    \b
    Example:
      wm set website-visual-design priority=high estimate=4d due=2026-12-04
    """
    from workspace_tool.edit_ops import set_fields
    from workspace_tool.edit_values import parse_assignments

    pairs = parse_assignments(assignments)
    result = run_edit(app, commit, lambda index: set_fields(index, doc_id, pairs))
    for change in result.changes:
        click.echo(change.message)


@click.command("move")
@click.argument("doc_id", metavar="ID")
@click.argument("status")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def move_cmd(app: App, doc_id: str, status: str, commit: bool) -> None:
    """Move a document to another status, as its workflow allows.

    Moving a task to a done status records `done: DATE` when it has none
    (and creates the next instance of a recurring task). The move is made,
    with a note, when it leaves dependencies or subtasks open or fills a
    status past its WIP limit (`wip:` in workspace.yml); a document whose
    status the workflow no longer has may move to any status.

    \b
    Example:
      wm move website-visual-design in-progress --commit
    """
    from workspace_tool.edit_ops import move

    result = run_edit(app, commit, lambda index: move(index, doc_id, status))
    for change in result.changes:
        click.echo(change.message)


@click.command("assign")
@click.argument("doc_id", metavar="ID")
@click.argument("person")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def assign_cmd(app: App, doc_id: str, person: str, commit: bool) -> None:
    """Assign a task to a person (or set a project's, risk's or goal's owner).

    \b
    Example:
      wm assign website-visual-design alice
    """
    from workspace_tool.edit_ops import assign

    result = run_edit(app, commit, lambda index: assign(index, doc_id, person))
    for change in result.changes:
        click.echo(change.message)


def _commenter(app: App, person: str | None) -> str:
    """Who writes a comment: the user as for time (`tracking.find_me`), else git's `user.name` (a comment needs no
    person document)."""
    from workspace_tool.tracking import find_me

    return find_me(app.index(), person, fallback=_author(app))


@click.command("comment")
@click.argument("doc_id", metavar="ID")
@click.argument("text")
@click.option("--person", metavar="ID", help="Who writes it (default: WM_PERSON, else the person whose email is git's user.email, else git's user.name).")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def comment_cmd(app: App, doc_id: str, text: str, person: str | None, commit: bool) -> None:
    """Add a dated comment with its author under the document's `## Log` section.

    \b
    Example:
      wm comment website-visual-design "Client approved the second variant"
    """
    from workspace_tool.edit_ops import comment

    author = _commenter(app, person)
    result = run_edit(app, commit, lambda index: comment(index, doc_id, text, author))
    for change in result.changes:
        click.echo(change.message)


@click.command("apply")
@click.argument("name")
@click.option("--project", "-p", required=True, metavar="ID", help="The project to create the tasks in.")
@click.option("--start", metavar="DATE", help="Day 0 of the process (default: today).")
@click.option("--assignee", "-a", "assignees", multiple=True, metavar="ROLE=PERSON", help="Who fills a role (repeatable).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A value for {{ NAME }} in the steps' titles and descriptions (repeatable).")
@click.option("--again", is_flag=True, help="Apply a template the project already has once more (its tasks get names of their own).")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def apply_cmd(
    app: App, name: str, project: str, start: str | None, assignees: tuple[str, ...], variables: tuple[str, ...], again: bool, commit: bool,
) -> None:
    """Instantiate a process template (templates/processes/NAME.md) as tasks of a project.

    Task IDs are prefixed with the project; dependencies are wired to the
    new IDs; `offset_days` count working days from --start (negative:
    before it). Steps' titles and descriptions may use {{ project }},
    {{ start }}, ... and variables of your own: a step titled
    "Order laptop for {{ hire }}" takes --var hire="Dana Ruiz". Each
    task records its run (`process:`, and `run:` its start date); a
    second run (--again) names its tasks after their titles, else after
    the start date.

    \b
    Example:
      wm apply client-onboarding --project greenleaf-booking --start 2026-12-01 --assignee pm=alice --assignee designer=carol --assignee developer=bob
      wm apply client-onboarding --project greenleaf-booking --start 2027-01-11 --again
    """
    from workspace_tool.edit_values import parse_assignments, parse_date
    from workspace_tool.process import apply_process, parse_variables

    roles = dict(parse_assignments(assignees))
    pairs = parse_variables(variables)
    day = parse_date(start, app.today, "--start") if start else None
    result = run_edit(app, commit, lambda index: apply_process(index, name, project, day, roles, again, pairs))
    for change in result.changes:
        click.echo(from_here(app.root / change.relpath))  # as `wm new`: paths that work from the current folder


@click.command("templates")
@click.pass_obj
def templates_cmd(app: App) -> None:
    """List the process templates (for wm apply) and the document templates (for wm new).

    \b
    Example:
      wm templates
    """
    from workspace_tool.output import table
    from workspace_tool.process import load_process, template_names

    index = app.index()
    rows = []
    for name in template_names(app.root):
        try:
            template = load_process(index, name)
        except WorkspaceError as exc:
            rows.append([name, "(broken)", "", str(exc)])
            continue
        rows.append([name, template.title, str(len(template.steps)), ", ".join(template.roles)])
    if rows:
        click.echo(table(["process", "title", "tasks", "roles"], rows))
    else:
        click.echo("no process templates (add templates/processes/NAME.md)")
    own = [t for t in DOC_TYPES if (app.root / "templates" / f"{t}.md").is_file()]
    click.echo("")
    click.echo("document templates: " + ", ".join(f"{t}{' (workspace)' if t in own else ''}" for t in DOC_TYPES))


@click.command("recur")
@click.option("--commit", is_flag=True, help=COMMIT_HELP)
@click.pass_obj
def recur_cmd(app: App, commit: bool) -> None:
    """Create the next instance of every completed recurring task that lacks one.

    For a task completed by editing its file. A series whose `until:` date
    has passed is not continued; nor is one whose next instance git saw
    deleted (said, with how to go on or end it).

    \b
    Examples:
      wm recur
      wm recur --commit
    """
    from workspace_tool.recur import CatchUp, catch_up

    done: list[CatchUp] = []

    def action(index: Index) -> Result:
        done.append(catch_up(index))
        return Result(done[-1].changes)

    result = run_edit(app, commit, action)
    skipped, problems = (done[0].skipped, done[0].problems) if done else ((), ())
    if not result.changes and not problems and not skipped:
        click.echo("no recurring task is missing its next instance")
    for change in result.changes:
        click.echo(f"{change.relpath}: {change.message}")
    for line in skipped:
        click.echo(f"wm: skipped {line}", err=True)
    for problem in problems:
        click.echo(f"wm: {problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)


COMMANDS = [new_cmd, set_cmd, move_cmd, assign_cmd, comment_cmd, apply_cmd, templates_cmd, recur_cmd]
