"""Commands: merge-driver (run by git), git-setup."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workspace_tool.cli.app import App
from workspace_tool.errors import WorkspaceError


@click.command("merge-driver")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path", required=False, default="")
def merge_driver_cmd(base: str, ours: str, theirs: str, path: str) -> None:
    """Merge three versions of a document (git runs this; see wm git-setup).

    Frontmatter merges key by key, the body with git's line merge. The
    result is written to OURS; exit 1 when a conflict remains.

    \b
    Example (in .git/config, written by wm git-setup):
      driver = python -m workspace_tool merge-driver %O %A %B %P
    """
    from workspace_tool.gitops import merge_body
    from workspace_tool.merge import merge_text

    try:
        texts = [Path(p).read_bytes().decode("utf-8") for p in (base, ours, theirs)]
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"merge-driver {path}: cannot read a version: {exc}") from None
    label = f" {path}" if path else ""
    merged, conflict = merge_text(
        texts[0],
        texts[1],
        texts[2],
        body_merge=lambda b, o, t: merge_body(b, o, t, (f"ours{label}", "base", f"theirs{label}")),
        labels=(f"ours{label}", f"theirs{label}"),
    )
    Path(ours).write_bytes(merged.encode("utf-8"))
    sys.exit(1 if conflict else 0)


@click.command("git-setup")
@click.pass_obj
def git_setup_cmd(app: App) -> None:
    """Register the wm merge driver in .git/config and .gitattributes.

    Documents (*.md) then merge frontmatter key by key; time logs keep
    git's union merge.

    \b
    Example:
      wm git-setup
    """
    from workspace_tool.gitops import setup_merge_driver

    for line in setup_merge_driver(app.root):
        click.echo(line)


COMMANDS = [merge_driver_cmd, git_setup_cmd]
