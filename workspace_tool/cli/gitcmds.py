"""Commands: merge-driver (run by git), git-setup, demo."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click

from workspace_tool.cli.app import App
from workspace_tool.errors import WorkspaceError


@click.command("merge-driver")
@click.option("--timelog", is_flag=True, help="Merge a time log: entry by entry (wm git-setup registers this for timelogs/).")
@click.option("--ours-label", metavar="TEXT", help="The label of our side's conflict markers (git 2.44+: %X).")
@click.option("--theirs-label", metavar="TEXT", help="The label of their side's conflict markers (git 2.44+: %Y).")
@click.option("--base-label", metavar="TEXT", help="The label of the base in the body's line merge (git 2.44+: %S).")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("path", required=False, default="")
def merge_driver_cmd(
    timelog: bool, ours_label: str | None, theirs_label: str | None, base_label: str | None, base: str, ours: str, theirs: str, path: str
) -> None:
    """Merge three versions of a document (git runs this; see wm git-setup).

    Frontmatter merges key by key, the body with git's line merge. Two
    different documents created under one file name are a whole-file
    conflict. With --timelog, the body merges entry by entry: new entries
    from both sides are kept, an entry edited or removed on one side stays
    so. The result is written to OURS; exit 1 when a conflict remains. A
    version wm cannot read (not UTF-8) is merged by git's line merge, with
    its conflict markers.

    Conflict markers name the sides as git does: in a rebase (git rebase,
    git pull --rebase) HEAD is the upstream and the other side your commit
    being replayed ("HEAD (upstream: origin/main)", "1a2b3c4 (Fix the
    login)"); in a merge, HEAD and the branch merged in. The labels git
    2.44+ passes (--ours-label %X --theirs-label %Y) win; when none can be
    found, "ours PATH" and "theirs PATH".

    \b
    Example (in .git/config, written by wm git-setup):
      driver = python -m workspace_tool merge-driver %O %A %B %P
    """
    from workspace_tool.gitops import merge_body
    from workspace_tool.merge import both_added, merge_text, merge_timelog, usable_label

    where = f"wm merge-driver{' ' + path if path else ''}"
    labels = _conflict_labels(path, ours_label, theirs_label)
    base_name = usable_label(base_label) or "base"
    texts = []
    for role, name in (("base (%O)", base), ("ours (%A)", ours), ("theirs (%B)", theirs)):
        try:
            texts.append(Path(name).read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            click.echo(f"{where}: the {role} version is not UTF-8 text; merging it by lines as git would", err=True)
            sys.exit(_line_merge(base, ours, theirs, (labels[0], base_name, labels[1])))
        except OSError as exc:
            raise WorkspaceError(f"merge-driver{' ' + path if path else ''}: cannot read the {role} version {name}: {exc.strerror or exc}") from None
    if timelog:
        merged, conflict = merge_timelog(texts[0], texts[1], texts[2], labels)
    else:
        if both_added(*texts):
            click.echo(
                f"{where}: two different documents were created with this file name (one on each side); both are in the file "
                "between conflict markers: keep one, or move one to a new file name (a new ID) and keep both",
                err=True,
            )
        merged, conflict = merge_text(
            texts[0],
            texts[1],
            texts[2],
            body_merge=lambda b, o, t: _body(b, o, t, lambda: merge_body(b, o, t, (labels[0], base_name, labels[1]))),
            labels=labels,
        )
    Path(ours).write_bytes(merged.encode("utf-8"))
    sys.exit(1 if conflict else 0)


def _body(base: str, ours: str, theirs: str, line_merge: Callable[[], tuple[str, bool]]) -> tuple[str, bool]:
    """Comments both sides added to the `## Log` section (`merge.log_appends`: kept, ours first), else git's line merge."""
    from workspace_tool.merge import log_appends

    merged = log_appends(base, ours, theirs)
    return (merged, False) if merged is not None else line_merge()


def _line_merge(base: str, ours: str, theirs: str, labels: tuple[str, str, str]) -> int:
    """git's own line merge of the three files, written into OURS with conflict markers (`labels`: ours, base,
    theirs); 1 when it conflicted.

    The fallback for versions wm cannot read: the file then shows the conflict instead of staying ours unchanged."""
    args = ["git", "merge-file", "-L", labels[0], "-L", labels[1], "-L", labels[2], ours, base, theirs]
    try:
        result = subprocess.run(args, capture_output=True, check=False)
    except FileNotFoundError:
        raise WorkspaceError("git is not installed (needed by the merge driver)") from None
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode("utf-8", "replace"))
    return 0 if result.returncode == 0 else 1


def _conflict_labels(path: str, ours_label: str | None, theirs_label: str | None) -> tuple[str, str]:
    """The conflict labels (`merge.conflict_labels`) from what git passed, else from the state of the merge or
    rebase in progress. Never fails: anything that cannot be read gives "ours PATH" and "theirs PATH"."""
    from workspace_tool.gitops import sides_in_progress
    from workspace_tool.merge import conflict_labels, usable_label

    given = (ours_label, theirs_label)
    if usable_label(ours_label) is not None and usable_label(theirs_label) is not None:
        return conflict_labels(path, given)
    try:
        replay, merging = sides_in_progress(Path.cwd())
        return conflict_labels(path, given, replay, merging)
    except Exception:  # noqa: BLE001 - labels only help to read a conflict: they must never break the merge
        return conflict_labels(path)


@click.command("git-setup")
@click.pass_obj
def git_setup_cmd(app: App) -> None:
    """Register the wm merge driver in .git/config and .gitattributes.

    Documents (*.md) then merge frontmatter key by key; time logs entry by
    entry. Every clone must run this once: git does not copy .git/config,
    and a clone without it merges documents line by line, silently. Run it
    again after moving wm to another Python environment.

    \b
    Example:
      wm git-setup
    """
    from workspace_tool.gitops import setup_merge_driver

    for line in setup_merge_driver(app.root):
        click.echo(line)


@click.command("demo")
@click.argument("dest", type=click.Path(file_okay=False))
@click.option("--no-site", is_flag=True, help="Only make the repository; do not build its site.")
@click.pass_obj
def demo_cmd(app: App, dest: str, no_site: bool) -> None:
    """Copy the workspace into a new git repository whose history replays its documents by their dates, and build
    its site: each document committed on its created: date by its owner, tasks moved through the workflow on the
    days their time logs and done: dates say, time logs growing week by week.

    For a look at what wm makes of a history (the site's activity, boards' days in a column, burndown and
    cumulative flow) on a workspace whose own repository does not tell it, such as the sample.

    \b
    Example:
      wm -C sample_workspace demo /tmp/wm-demo && open /tmp/wm-demo/site/index.html
    """
    from workspace_tool.demo import make_demo

    result = make_demo(app.index(), Path(dest))
    click.echo(
        f"wrote {result.dest}: {result.documents} documents, {result.commits} commits from {result.first} to {result.last}", err=True
    )
    if no_site:
        return
    from workspace_tool.site import BuildOptions, build_site
    from workspace_tool.workspace import load_index

    index = load_index(result.dest, app.today)
    built = build_site(index, BuildOptions(result.dest / "site"))
    click.echo(f"built {built.pages} pages; open {result.dest / 'site' / 'index.html'}")


COMMANDS = [merge_driver_cmd, git_setup_cmd, demo_cmd]
