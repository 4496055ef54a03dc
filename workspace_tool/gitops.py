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
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from workspace_tool.errors import WorkspaceError

if TYPE_CHECKING:
    from workspace_tool.merge import Replay

DRIVER_NAME = "wm"
TIMELOG_DRIVER = "wm-timelog"
ATTRIBUTE_LINE = "*.md merge=wm"
TIMELOG_LINE = "timelogs/**/*.md merge=wm-timelog"
UNION_LINE = "timelogs/**/*.md merge=union"
"""What wm before the time-log driver wrote for time logs; `wm git-setup` replaces it with `TIMELOG_LINE`."""
ATTRIBUTE_COMMENT = "# wm: documents merge frontmatter key by key (wm merge-driver, set up by wm git-setup)"
TIMELOG_COMMENT = "# wm: time logs merge entry by entry: both sides' new entries kept, an edited or removed entry not revived"
_OLD_COMMENTS = ("# wm: time logs only ever gain lines, so git merges them by keeping both sides",)
GITATTRIBUTES = "\n".join((ATTRIBUTE_COMMENT, ATTRIBUTE_LINE, TIMELOG_COMMENT, TIMELOG_LINE)) + "\n"
"""`.gitattributes` as `wm init` and `wm demo` write it (and `ensure_gitattributes` keeps it)."""
EVERY_CLONE = "every clone of this repository must run 'wm git-setup' once: git does not copy .git/config, and without it git merges documents line by line"


def _git(root: Path, *args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False, input=stdin)
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


def _git_path_exists(root: Path, name: str) -> bool:
    """Whether `.git/<name>` (as git resolves it, also in a linked worktree) exists."""
    found = _git(root, "rev-parse", "--git-path", name, check=False).stdout.strip()
    return bool(found) and (root / found).exists()


def operation_in_progress(root: Path) -> str | None:
    """The git operation the repository is in the middle of (a rebase, a merge, ...), else None."""
    if _git_path_exists(root, "rebase-merge") or _git_path_exists(root, "rebase-apply"):
        return "a rebase is in progress"
    for head, what in (("MERGE_HEAD", "a merge"), ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert")):
        if _git_path_exists(root, head):
            return f"{what} is in progress"
    return None


def unmerged_paths(root: Path) -> list[str]:
    """The files below `root` (paths relative to it, with `/`) git lists as unmerged (`git ls-files -u`): a merge or
    rebase stopped on them. Git's conflict markers are in such a file, unless the merge driver could not run (a
    removed virtualenv) or one side deleted the file: then only git knows. Empty outside a repository or without git."""
    try:
        result = _git(root, "ls-files", "--unmerged", "-z", "--", ".", check=False)
    except WorkspaceError:
        return []
    if result.returncode != 0:
        return []
    return sorted({entry.split("\t", 1)[1] for entry in result.stdout.split("\0") if "\t" in entry})


def commit_blocker(root: Path) -> str | None:
    """Why a commit cannot be made now (not a repository, a rebase or merge in progress, a detached HEAD, other
    changes staged), else None."""
    if not in_repository(root):
        return f"{root} is not in a git repository"
    operation = operation_in_progress(root)
    if operation:
        return f"{operation}; finish or abort it first"
    if _git(root, "symbolic-ref", "-q", "HEAD", check=False).returncode != 0:
        return "HEAD is detached (not on a branch), so the commit would be left behind; switch to a branch first"
    staged = staged_paths(root)
    if staged:
        shown = ", ".join(staged[:3]) + (" ..." if len(staged) > 3 else "")
        return f"other changes are staged ({shown}); commit or unstage them first"
    if _git(root, "var", "GIT_COMMITTER_IDENT", check=False).returncode != 0:
        return "git does not know who you are (no user.name/user.email): set them with git config, then commit"
    return None


def commit_paths(root: Path, relpaths: Sequence[str], message: str) -> str:
    """Commit exactly `relpaths` (relative to `root`) with `message`; return the short commit ID."""
    blocker = commit_blocker(root)
    if blocker:
        raise WorkspaceError(f"not committed: {blocker}")
    # On standard input, NUL-separated, so no number of paths outgrows the command line; `:(literal)`: a `[` or `*`
    # in a file name is not a pattern.
    paths = "".join(f":(literal){path}\0" for path in relpaths)
    from_stdin = ("--pathspec-from-file=-", "--pathspec-file-nul")
    _git(root, "add", *from_stdin, stdin=paths)
    try:
        _git(root, "commit", "-q", "-m", message, *from_stdin, stdin=paths)
    except WorkspaceError as exc:  # a pre-commit hook refused: unstage what was added, so the next --commit is not blocked by it
        _git(root, "reset", "-q", *from_stdin, stdin=paths, check=False)
        shown = ", ".join(relpaths[:3]) + (" ..." if len(relpaths) > 3 else "")
        raise WorkspaceError(f"{exc.message}; the change was written ({shown}) but not committed: commit it yourself once that is fixed") from None
    return _git(root, "rev-parse", "--short", "HEAD").stdout.strip()


# -- the merge driver -----------------------------------------------------------


def driver_command(timelog: bool = False) -> str:
    """The merge-driver command git runs: this interpreter's `python -m workspace_tool` (which does not depend on
    `wm` being on the PATH git sees, but must be registered again when this environment moves)."""
    flag = " --timelog" if timelog else ""
    return f"{shlex.quote(sys.executable)} -m workspace_tool merge-driver{flag} %O %A %B %P"


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
    """`*.md merge=wm`, then the time-log line (later lines win in git) in `.gitattributes`; an older
    `timelogs/**/*.md merge=union` line is replaced. True when the file changed."""
    path = root / ".gitattributes"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.splitlines()
    if (
        UNION_LINE not in lines
        and ATTRIBUTE_LINE in lines
        and TIMELOG_LINE in lines
        and lines.index(ATTRIBUTE_LINE) < lines.index(TIMELOG_LINE)
    ):
        return False
    ours = (ATTRIBUTE_LINE, TIMELOG_LINE, UNION_LINE)
    comments = (ATTRIBUTE_COMMENT, TIMELOG_COMMENT, *_OLD_COMMENTS)
    first = next((at for at, line in enumerate(lines) if line in ours), len(lines))
    while first > 0 and lines[first - 1] in comments:
        first -= 1
    before = [line for line in lines[:first] if line not in ours and line not in comments]
    after = [line for line in lines[first:] if line not in ours and line not in comments]
    lines = before + [ATTRIBUTE_COMMENT, ATTRIBUTE_LINE, TIMELOG_COMMENT, TIMELOG_LINE] + after
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return True


def setup_merge_driver(root: Path) -> list[str]:
    """Register the drivers in `.git/config` and `.gitattributes`; lines saying what was done."""
    if not in_repository(root):
        raise WorkspaceError(f"{root} is not in a git repository: run 'git init' first")
    done = []
    for name, title, command in (
        (DRIVER_NAME, "wm: merge document frontmatter key by key", driver_command()),
        (TIMELOG_DRIVER, "wm: merge time logs entry by entry", driver_command(timelog=True)),
    ):
        if config_value(root, f"merge.{name}.driver") != command:
            _git(root, "config", f"merge.{name}.name", title)
            _git(root, "config", f"merge.{name}.driver", command)
            done.append(f"registered merge driver in .git/config: merge.{name}.driver = {command}")
    if ensure_gitattributes(root):
        done.append(f"wrote .gitattributes: {ATTRIBUTE_LINE}, then {TIMELOG_LINE} (commit it)")
    if not done:
        return ["the wm merge driver is already set up"]
    if any(line.startswith("registered") for line in done):
        done.append(f"note: {EVERY_CLONE}")
    return done


def driver_problem(root: Path) -> str | None:
    """Why git would merge documents without wm's driver here, else None: `.gitattributes` names the driver but
    this clone has not registered it, or the registered interpreter is gone."""
    for name in (DRIVER_NAME, TIMELOG_DRIVER):
        command = config_value(root, f"merge.{name}.driver")
        if command is None:
            attributes = root / ".gitattributes"
            text = attributes.read_text(encoding="utf-8", errors="replace") if attributes.exists() else ""
            if f"merge={name}" in text.split():
                return f"the {name} merge driver is not registered in this clone: run 'wm git-setup' ({EVERY_CLONE})"
            continue
        try:
            program = shlex.split(command)[0]
        except (ValueError, IndexError):
            continue
        if os.sep in program and not os.access(program, os.X_OK):
            return f"the {name} merge driver's program {program} is gone: run 'wm git-setup' again in this environment"
    return None


def _output(root: Path, *args: str) -> str:
    """A git command's output, "" when it fails."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=10).stdout.decode("utf-8", "replace")


def _read_state(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def sides_in_progress(root: Path) -> tuple[Replay | None, str | None]:
    """What git is doing while it runs the driver: a rebase (the commit replayed and the upstream), or a merge (the
    name of the other side, `merge.merging_name`); (None, None) when neither can be told.

    git 2.39 writes no `REBASE_HEAD` before it merges with the `merge` backend (the default): the commit being
    replayed is the last line of `rebase-merge/done`, the upstream `rebase-merge/onto`. The `apply` backend
    (`rebase-apply/rebasing`) has `original-commit` and builds on HEAD. `git merge` sets `GITHEAD_<sha>`."""
    from workspace_tool.merge import Replay, merging_name, ref_name, replayed_commit, short_sha

    found = _output(root, "rev-parse", "--git-dir", "HEAD").splitlines()
    if not found:
        return None, None
    git_dir = root / found[0]
    head = found[1].strip() if len(found) > 1 else ""
    merge_dir, apply_dir = git_dir / "rebase-merge", git_dir / "rebase-apply"
    replayed: tuple[str, str] | None = None
    upstream, branch = "", ""
    if merge_dir.is_dir():
        replayed = replayed_commit(_read_state(merge_dir / "done") or "")
        upstream = (_read_state(merge_dir / "onto") or "").strip()
        branch = (_read_state(merge_dir / "head-name") or "").strip()
    elif (apply_dir / "rebasing").is_file():
        commit = (_read_state(apply_dir / "original-commit") or _read_state(git_dir / "REBASE_HEAD") or "").strip()
        message = _read_state(apply_dir / "final-commit") or ""
        replayed = (commit, message.strip().partition("\n")[0]) if commit else None
        upstream = head
    if replayed is not None:
        named = ref_name(_output(root, "for-each-ref", f"--points-at={upstream}", "--format=%(refname)").split(), branch) if upstream else None
        return Replay(replayed[0], replayed[1], named or upstream), None
    merge_msg = _read_state(git_dir / "MERGE_MSG") if (git_dir / "MERGE_HEAD").is_file() else None
    merging = merging_name(os.environ, merge_msg)
    if merging is not None and short_sha(merging) != merging:  # `git pull`: the SHA it fetched, which a remote branch names
        named = ref_name(_output(root, "for-each-ref", f"--points-at={merging}", "--format=%(refname)").split())
        merging = f"{short_sha(merging)} ({named})" if named else merging
    return None, merging


def deleted_files(root: Path) -> dict[str, set[str]]:
    """Files git saw deleted under the workspace, by folder: in its history (one `git log` for the whole workspace) and
    since the last commit (staged or not). Empty outside a git repository."""
    found: dict[str, set[str]] = {}
    for args in (("log", "--format="), ("diff", "HEAD")):
        try:
            result = subprocess.run(
                ["git", *args, "--diff-filter=D", "--name-only", "--no-renames", "--relative", "-z"],
                cwd=root, capture_output=True, check=False, timeout=120,
            )
        except (OSError, subprocess.SubprocessError):
            return found
        for name in result.stdout.decode("utf-8", "replace").split("\0") if result.returncode == 0 else ():
            if name.strip():
                path = PurePosixPath(name.strip("\n"))
                found.setdefault(str(path.parent), set()).add(path.name)
    return found
