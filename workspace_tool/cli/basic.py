"""Commands: init, validate, show."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workspace_tool.cli.app import App
from workspace_tool.errors import Diagnostic, NotFoundError, WorkspaceError
from workspace_tool.init import init_workspace
from workspace_tool.output import diagnostics_summary, dumps, printable, printable_lines
from workspace_tool.records import document_record
from workspace_tool.show import next_instance, problems_of, render_show


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--name", help="The workspace's name (default: the folder's name).")
def init_cmd(directory: str, name: str | None) -> None:
    """Create a workspace: workspace.yml, the folders, .gitignore, .gitattributes, git init and the merge driver.

    Refused inside another workspace (it would read this one's documents as its own).

    \b
    Example:
      wm init acme-work --name "Acme: Ops" && cd acme-work && wm validate
    """
    created = init_workspace(Path(directory), name)
    for line in created:
        click.echo(line)


@click.command("validate")
@click.option("--json", "as_json", is_flag=True, help="Print diagnostics as a JSON list.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.pass_obj
def validate_cmd(app: App, as_json: bool, strict: bool) -> None:
    """Check every document, and the workspace's templates; print `path:line: severity: message`.

    Exits 1 on errors (and on warnings with --strict), else 0.

    \b
    Example:
      wm validate --strict
    """
    app.quiet_unreadable = True  # it lists every problem itself
    index = app.index()
    from workspace_tool.template_checks import template_diagnostics

    found = [*index.diagnostics(), *_unmerged(app.root), *template_diagnostics(index)]
    diagnostics = sorted(found, key=lambda d: (d.path, d.line, d.code, d.message))
    _say_driver_problem(app.root)
    if as_json:
        click.echo(dumps([d.as_json() for d in diagnostics]))  # valid UTF-8 whatever the file names (`output.dumps`)
    else:
        for diagnostic in diagnostics:
            click.echo(printable(str(diagnostic)))
        click.echo(diagnostics_summary(len(index), diagnostics), err=True)
    failed = any(d.is_error for d in diagnostics) or (strict and diagnostics)
    sys.exit(1 if failed else 0)


@click.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON (the `wm list --json` shape).")
@click.pass_obj
def show_cmd(app: App, doc_id: str, as_json: bool) -> None:
    """Show a document: its fields, resolved references, backlinks and body.

    \b
    Example:
      wm show website-visual-design
    """
    app.quiet_unreadable = True  # one document: a broken file it asks for is explained below
    index = app.index()
    doc = index.find(doc_id)
    if doc is None:
        unreadable = index.unreadable(doc_id)
        if unreadable is not None:
            raise WorkspaceError(f"{unreadable} — {doc_id!r} cannot be shown until its file is fixed (wm validate lists every problem)")
        sharing = index.ambiguous(doc_id)
        if sharing:
            raise NotFoundError(f"{doc_id!r} is ambiguous: {len(sharing)} notes have that name ({', '.join(sharing)}); name the one meant by its ID")
        near = index.nearest_id(doc_id)
        hint = f" — did you mean {near!r}?" if near else ""
        raise NotFoundError(f"no document with ID {doc_id!r}{hint}")
    holders = index.same_id(doc.id)
    if holders and index.resolve(doc_id) is doc:  # named by its ID (not by its file), which names them all
        others = ", ".join(other.path for other in holders if other is not doc)
        click.echo(
            f"wm: warning: the ID {doc.id!r} is ambiguous: shown is {doc.path}, but {others} also {'has' if len(holders) == 2 else 'have'} it "
            "(give one of them an 'id:' of its own; name a file to show it)",
            err=True,
        )
    if as_json:
        record = document_record(doc, index)
        following = next_instance(doc, index)
        if following is not None and "next" not in record:  # the instance of a recurring series that continues this one
            record["next"] = following
        problems = problems_of(doc, index)
        if problems:
            record["diagnostics"] = [d.as_json() for d in problems]
        click.echo(dumps(record))
    else:
        click.echo(printable_lines(render_show(doc, index), tabs=True))  # no terminal escapes from a document


def _unmerged(root: Path) -> list[Diagnostic]:
    """An `unmerged` error per file git has not finished merging: its markers are found anyway, but a merge driver that
    could not run, or a file one side deleted, leaves a file that reads clean while git waits for it."""
    from workspace_tool.gitops import unmerged_paths

    return [
        Diagnostic(path, 1, "error", "unmerged", "git has not finished merging this file (a conflict is open: resolve it, check the "
                   "result, then git add it); a merge driver that could not run leaves it without conflict markers")
        for path in unmerged_paths(root)
    ]


def _say_driver_problem(root: Path) -> None:
    """A note on stderr when `.gitattributes` names wm's merge drivers but this clone cannot run them (not registered:
    a fresh clone; or its interpreter is gone), since git then merges documents line by line without a word. A note,
    not a diagnostic: a CI clone that only validates never merges, and --strict must not fail there."""
    from workspace_tool.gitops import driver_problem

    problem = driver_problem(root)
    if problem:
        click.echo(f"wm: note: {problem}", err=True)


COMMANDS = [init_cmd, validate_cmd, show_cmd]
