"""Git, under the user's control: commit only what a command touched, and the merge-driver setup.

Nothing here runs unless a command was asked to commit (`--commit` or
`git.autocommit: true`) or the user runs `wm git-setup` / `wm init`.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from workspace_tool.errors import WorkspaceError

DRIVER_NAME = "wm"
ATTRIBUTE_LINE = "*.md merge=wm"
UNION_LINE = "timelogs/**/*.md merge=union"
ATTRIBUTE_COMMENT = "# wm: documents merge frontmatter key by key (wm merge-driver, set up by wm git-setup)"


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise WorkspaceError("git is not installed (needed for --commit and the merge driver)") from None
    if check and result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise WorkspaceError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(result.returncode)}")
    return result


def in_repository(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree", check=False).stdout.strip() == "true"
    except WorkspaceError:
        return False


def config_value(root: Path, key: str) -> str | None:
    try:
        result = _git(root, "config", "--get", key, check=False)
    except WorkspaceError:
        return None
    value = result.stdout.strip()
    return value or None


def commit_of(root: Path, rev: str) -> str | None:
    """The full hash of a commit git knows by `rev` (`HEAD~2`, `main`, a tag, a hash prefix); None for none."""
    if rev.startswith("-"):
        return None
    try:
        result = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    except WorkspaceError:
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """Whether commit `older` is `newer` or one of its ancestors."""
    try:
        return _git(root, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0
    except WorkspaceError:
        return False


def author(root: Path) -> str:
    """Who is editing: `git config user.name`, else the login name."""
    return config_value(root, "user.name") or os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def staged_paths(root: Path) -> list[str]:
    result = _git(root, "diff", "--cached", "--name-only", "-z", check=False)
    return [p for p in result.stdout.split("\0") if p]


def commit_blocker(root: Path) -> str | None:
    """Why a commit cannot be made now (not a repository, other changes staged), else None."""
    if not in_repository(root):
        return f"{root} is not in a git repository"
    staged = staged_paths(root)
    if staged:
        shown = ", ".join(staged[:3]) + (" ..." if len(staged) > 3 else "")
        return f"other changes are staged ({shown}); commit or unstage them first"
    return None


def commit_paths(root: Path, relpaths: Sequence[str], message: str) -> str:
    """Commit exactly `relpaths` (relative to `root`) with `message`; return the short commit ID."""
    blocker = commit_blocker(root)
    if blocker:
        raise WorkspaceError(f"not committed: {blocker}")
    _git(root, "add", "--", *relpaths)
    _git(root, "commit", "-q", "-m", message, "--", *relpaths)
    return _git(root, "rev-parse", "--short", "HEAD").stdout.strip()


# -- the merge driver -----------------------------------------------------------


def driver_command() -> str:
    """The merge-driver command git runs: this interpreter's `python -m workspace_tool`."""
    return f"{shlex.quote(sys.executable)} -m workspace_tool merge-driver %O %A %B %P"


def merge_body(base: str, ours: str, theirs: str, labels: tuple[str, str, str] = ("ours", "base", "theirs")) -> tuple[str, bool]:
    """git's own line merge (`git merge-file -p`); returns the text and whether it conflicted."""
    with tempfile.TemporaryDirectory(prefix="wm-merge-") as folder:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(folder) / name
            path.write_bytes(text.encode("utf-8"))
            paths.append(str(path))
        args = ["git", "merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2], *paths]
        try:
            result = subprocess.run(args, capture_output=True, check=False)
        except FileNotFoundError:
            raise WorkspaceError("git is not installed (needed by the merge driver)") from None
    if result.returncode < 0 or result.returncode > 127:
        raise WorkspaceError(f"git merge-file failed: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout.decode("utf-8"), result.returncode > 0


def ensure_gitattributes(root: Path) -> bool:
    """`*.md merge=wm` in `.gitattributes`, before the time-log union line (later lines win in git)."""
    path = root / ".gitattributes"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.splitlines()
    if ATTRIBUTE_LINE in lines and UNION_LINE in lines and lines.index(ATTRIBUTE_LINE) < lines.index(UNION_LINE):
        return False
    lines = [line for line in lines if line != ATTRIBUTE_LINE]
    if UNION_LINE in lines:
        at = lines.index(UNION_LINE)
        while at > 0 and lines[at - 1].startswith("#"):
            at -= 1
        lines[at:at] = [ATTRIBUTE_COMMENT, ATTRIBUTE_LINE]
    else:
        lines += [ATTRIBUTE_COMMENT, ATTRIBUTE_LINE, UNION_LINE]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def setup_merge_driver(root: Path) -> list[str]:
    """Register the driver in `.git/config` and `.gitattributes`; lines saying what was done."""
    if not in_repository(root):
        raise WorkspaceError(f"{root} is not in a git repository: run 'git init' first")
    done = []
    command = driver_command()
    if config_value(root, f"merge.{DRIVER_NAME}.driver") != command:
        _git(root, "config", f"merge.{DRIVER_NAME}.name", "wm: merge document frontmatter key by key")
        _git(root, "config", f"merge.{DRIVER_NAME}.driver", command)
        done.append(f"registered merge driver in .git/config: merge.{DRIVER_NAME}.driver = {command}")
    if ensure_gitattributes(root):
        done.append(f"wrote .gitattributes: {ATTRIBUTE_LINE} (then {UNION_LINE} so time logs keep both sides)")
    if not done:
        done.append("the wm merge driver is already set up")
    return done
