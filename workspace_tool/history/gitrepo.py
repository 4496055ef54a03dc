"""The git side: GitPython finds the repository, reads its configuration and runs git.

`GitRepo` is a context manager; every process it starts is waited for (or
killed) before it returns, and `close()` releases GitPython's own persistent
processes, so no `git` outlives a command.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

CHUNK = 1 << 20


class GitError(Exception):
    """git failed (the message is git's stderr)."""


@dataclass(frozen=True)
class RepoInfo:
    """Where the workspace sits in its repository, and the repository's state."""

    toplevel: Path
    prefix: str  # the workspace folder inside the repository, `""` or ending in `/`
    head: str | None  # None: no commits yet
    shallow: bool
    user_name: str
    user_email: str


class GitRepo:
    """One GitPython `Repo` for the whole read; use it as a context manager."""

    def __init__(self, repo: Any) -> None:
        self._repo = repo
        self._children: list[subprocess.Popen[bytes]] = []

    @classmethod
    def open(cls, workspace: Path) -> GitRepo | None:
        """The repository holding `workspace`, or None when it is not in one (or git is missing)."""
        try:
            import git
        except ImportError:  # GitPython refuses to import when no git executable is found
            return None
        try:
            repo = git.Repo(workspace, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None
        if repo.bare or repo.working_tree_dir is None:
            repo.close()
            return None
        return cls(repo)

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop any process still running and release GitPython's cached processes."""
        for proc in self._children:
            _finish(proc)
        self._children.clear()
        self._repo.close()

    # -- facts -----------------------------------------------------------
    def info(self, workspace: Path) -> RepoInfo:
        toplevel = Path(str(self._repo.working_tree_dir)).resolve()
        relative = os.path.relpath(workspace.resolve(), toplevel)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        out = self.run(["rev-parse", "--is-shallow-repository", "--verify", "--quiet", "HEAD^{commit}"], check=False)
        lines = out.decode("ascii", "replace").split()
        shallow = bool(lines) and lines[0] == "true"
        head = lines[1] if len(lines) > 1 else None
        reader = self._repo.config_reader()
        name = str(reader.get_value("user", "name", "")) or os.environ.get("GIT_AUTHOR_NAME", "") or "you"
        email = str(reader.get_value("user", "email", "")) or os.environ.get("GIT_AUTHOR_EMAIL", "")
        return RepoInfo(toplevel, prefix, head, shallow, name, email)

    # -- running git -----------------------------------------------------
    def run(self, args: Sequence[str], check: bool = True) -> bytes:
        """Run one short git command and return its stdout."""
        with self.popen(args) as proc:
            out, err = proc.communicate()
        if check and proc.returncode != 0:
            raise GitError(err.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
        return out

    @contextlib.contextmanager
    def popen(self, args: Sequence[str], stdin: bool = False) -> Iterator[subprocess.Popen[bytes]]:
        """A running git process; on leaving, its pipes are closed and it is waited for."""
        handle = self._repo.git.execute(["git", *args], as_process=True, istream=subprocess.PIPE if stdin else None)
        proc: subprocess.Popen[bytes] = handle.proc
        self._children.append(proc)
        try:
            yield proc
        finally:
            _finish(proc)
            self._children.remove(proc)

    def stream(self, args: Sequence[str]) -> Iterator[bytes]:
        """A git command's stdout in chunks, read while git still runs."""
        with self.popen(args) as proc:
            out: IO[bytes] = proc.stdout  # type: ignore[assignment]
            while True:
                chunk = out.read1(CHUNK)  # type: ignore[attr-defined]
                if not chunk:
                    break
                yield chunk
            err = proc.stderr.read() if proc.stderr else b""
            code = proc.wait()
        if code != 0:
            raise GitError(err.decode("utf-8", "replace").strip() or f"git {args[0]} failed (exit {code})")


def _finish(proc: subprocess.Popen[bytes]) -> None:
    """Close a process's pipes and reap it, killing it if it still runs."""
    if proc.poll() is None and proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
    if proc.poll() is None:
        proc.kill()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    proc.wait()
