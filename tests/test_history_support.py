"""Support for the history tests: a real git repository with scripted commits at set dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from workspace_tool.history import History, load_history
from workspace_tool.workspace import load_index

TODAY = "2026-11-26"


def git(
    cwd: Path, *args: str, date: str | None = None, author: tuple[str, str] = ("Alice", "alice@example.com"), check: bool = True
) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_COMMITTER_NAME": author[0],
        "GIT_COMMITTER_EMAIL": author[1],
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=check)
    return done.stdout.decode("utf-8", "replace")


class Repo:
    """A git repository whose workspace is `root / prefix`."""

    def __init__(self, root: Path, prefix: str = "") -> None:
        self.root = root
        self.ws = root / prefix if prefix else root
        self.ws.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.name", "Wendy")
        git(root, "config", "user.email", "wendy@example.com")
        (self.ws / "workspace.yml").write_text("name: test\n", encoding="utf-8")

    def write(self, relpath: str, text: str | bytes) -> None:
        path = self.ws / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def commit(self, message: str, date: str, author: tuple[str, str] = ("Alice", "alice@example.com")) -> str:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message, date=date, author=author)
        return git(self.root, "rev-parse", "HEAD").strip()

    def task(self, relpath: str, status: str, **extra: str) -> None:
        lines = [f"status: {status}", *(f"{k}: {v}" for k, v in extra.items())]
        self.write(relpath, "---\n" + "\n".join(lines) + "\n---\n\n# " + relpath + "\n")

    def history(self, use_cache: bool = True) -> History:
        index = load_index(self.ws, __import__("datetime").date.fromisoformat(TODAY))
        return load_history(index, use_cache=use_cache, progress=False)


def git_children() -> list[str]:
    """Command lines of git processes that are children of this process (read from /proc)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\x00", b" ").decode("utf-8", "replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == me and "git" in cmdline:
            found.append(cmdline.strip())
    return found
