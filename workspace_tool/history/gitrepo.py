"""The git side: finding the repository, its configuration and state, and running git.

Everything is asked of git itself (`git rev-parse`, `git config`), so the
repository is found as git finds it (`GIT_DIR`, worktrees, submodules'
`.git` files, `safe.directory`) and the author is read from the effective
configuration (includes and conditional includes too). Importing and
setting up GitPython cost about 50 ms per command, more than every git
call of an incremental site build together.

`GitRepo` is a context manager; every process it starts is waited for (or
killed) before it returns, so no `git` outlives a command.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator, Sequence

CHUNK = 1 << 20
ENV = {"LANGUAGE": "C", "LC_ALL": "C"}
"""Set for every git process: messages in English, as the errors we pass on quote them."""


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
    """The work tree holding a workspace, for running git in; use it as a context manager."""

    def __init__(self, toplevel: Path) -> None:
        self.toplevel = toplevel
        self._env = {**os.environ, **ENV}
        self._children: list[subprocess.Popen[bytes]] = []

    @classmethod
    def open(cls, workspace: Path) -> GitRepo | None:
        """The work tree holding `workspace`, or None when it is not in one, the repository is bare, or git is missing.

        GitError when git refuses the repository (another user's, not in `safe.directory`), with git's message and fix.
        """
        try:
            done = subprocess.run(
                ["git", "rev-parse", "--show-toplevel"], cwd=workspace, capture_output=True, env={**os.environ, **ENV}, check=False
            )
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return None
        toplevel = done.stdout.decode("utf-8", "surrogateescape").strip()
        if done.returncode != 0 or not toplevel:
            error = done.stderr.decode("utf-8", "replace").strip()
            if "dubious ownership" in error:  # a repository git refuses to read: say so (git's message gives the fix), not "no repository"
                raise GitError(" ".join(error.replace("fatal: ", "").split()))
            return None
        return cls(Path(toplevel))

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop any process still running."""
        for proc in self._children:
            _finish(proc)
        self._children.clear()

    # -- facts -----------------------------------------------------------
    def prefix_of(self, workspace: Path) -> str:
        """The workspace folder inside the repository: `""` or ending in `/`."""
        relative = os.path.relpath(workspace.resolve(), self.toplevel.resolve())
        return "" if relative == "." else relative.replace(os.sep, "/") + "/"

    def info(self, workspace: Path) -> RepoInfo:
        toplevel = self.toplevel.resolve()
        prefix = self.prefix_of(workspace)
        out = self.run(["rev-parse", "--is-shallow-repository", "--verify", "--quiet", "HEAD^{commit}"], check=False)
        lines = out.decode("ascii", "replace").split()
        shallow = bool(lines) and lines[0] == "true"
        head = lines[1] if len(lines) > 1 else None
        config = self.run(["config", "-z", "--get-regexp", r"^user\.(name|email)$"], check=False)
        found: dict[str, str] = {}
        for item in config.decode("utf-8", "replace").split("\0"):
            key, _, value = item.partition("\n")
            if key:
                found[key] = value  # the last one wins, as for `git config --get`
        name = found.get("user.name") or os.environ.get("GIT_AUTHOR_NAME", "") or "you"
        email = found.get("user.email") or os.environ.get("GIT_AUTHOR_EMAIL", "")
        return RepoInfo(toplevel, prefix, head, shallow, name, email)

    # -- running git -----------------------------------------------------
    def run(self, args: Sequence[str], check: bool = True) -> bytes:
        """Run one short git command and return its stdout."""
        with self.popen(args) as proc:
            out, err = proc.communicate()
        if check and proc.returncode != 0:
            raise GitError(err.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
        return out

    def start(self, args: Sequence[str]) -> Callable[[], bytes]:
        """Start one short git command now; the function returned waits for it and gives its stdout (GitError when it failed).

        So git works while this process does something else (`git status`
        while the history cache is read). Closing the repository reaps it.
        """
        proc = self._spawn(args)
        self._children.append(proc)

        def result() -> bytes:
            try:
                out, err = proc.communicate()
            finally:
                _finish(proc)
                if proc in self._children:
                    self._children.remove(proc)
            if proc.returncode != 0:
                raise GitError(err.decode("utf-8", "replace").strip() or f"git {args[0]} failed")
            return out

        return result

    def _spawn(self, args: Sequence[str], stdin: bool = False) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["git", *args], cwd=self.toplevel, env=self._env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )

    @contextlib.contextmanager
    def popen(self, args: Sequence[str], stdin: bool = False) -> Iterator[subprocess.Popen[bytes]]:
        """A running git process; on leaving, its pipes are closed and it is waited for."""
        proc = self._spawn(args, stdin)
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
