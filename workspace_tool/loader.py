"""Finding the workspace and its documents on disk, and reading them safely.

This is the I/O side of parsing: `parse` stays pure.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import NamedTuple

from workspace_tool.config import Settings, default_settings, load_settings
from workspace_tool.errors import Diagnostic, NotFoundError
from workspace_tool.parse import Parsed, parse_document

CONFIG_NAME = "workspace.yml"
SKIPPED_DIRS = frozenset({"site", "templates", "node_modules", "__pycache__", "baselines"})
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Documents larger than this are reported and skipped (a 50 MB file is not a task)."""


def find_root(start: Path) -> Path:
    """The folder holding `workspace.yml`, from `start` upwards (like git finds its repository)."""
    start = start.resolve()
    if not start.exists():
        raise NotFoundError(f"{start}: no such folder (-C DIR or WM_WORKSPACE names a workspace's folder)")
    if not start.is_dir():
        raise NotFoundError(f"{start}: a file, not a folder (-C DIR or WM_WORKSPACE names a workspace's folder)")
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise NotFoundError(
        f"no {CONFIG_NAME} in {start} or any folder above it: run 'wm init' to create a workspace, or use -C DIR / WM_WORKSPACE"
    )


def read_settings(root: Path) -> tuple[Settings, list[Diagnostic]]:
    path = root / CONFIG_NAME
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return default_settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        return default_settings(), [Diagnostic(CONFIG_NAME, 1, "error", "unreadable", f"cannot read {CONFIG_NAME}: {exc}")]
    return load_settings(text.replace("\r\n", "\n"), CONFIG_NAME)


class FileStat(NamedTuple):
    """What identifies a file's version for the cache: path, size, mtime (and ctime: chmod changes it).

    A named tuple: every command makes one per document file (10,000 at 10,000 documents).
    """

    relpath: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0


def discover(root: Path, settings: Settings) -> tuple[list[FileStat], list[Diagnostic]]:
    """Every document file below `root`, sorted by path, with its stat.

    Skips hidden folders, build output, templates and `exclude:` globs, and
    never loops on symlinked folders.
    """
    found: list[FileStat] = []
    problems: list[Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()
    patterns = settings.exclude
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            info = folder.stat()
            key = (info.st_dev, info.st_ino)
            if key in seen_dirs:
                problems.append(Diagnostic(prefix.rstrip("/") or ".", 1, "warning", "symlink-loop", "folder reached twice through a symlink; read once"))
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(Diagnostic(prefix.rstrip("/") or ".", 1, "error", "unreadable", f"cannot read folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            name = entry.name
            rel = prefix + name
            if name.startswith("."):
                continue
            if patterns and _excluded(rel, patterns):
                continue
            try:
                if entry.is_dir():
                    if not prefix and name in SKIPPED_DIRS:
                        continue
                    stack.append((Path(entry.path), rel + "/"))
                elif name.endswith(".md") and entry.is_file():
                    st = entry.stat()
                    found.append(FileStat(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
            except OSError:
                continue  # vanished or unreadable between listing and stat: not there
    found.sort()  # by path: no two files share one
    return found, problems


def _excluded(relpath: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(relpath, p) or fnmatch.fnmatchcase(relpath + "/", p) for p in patterns)


def read_text(root: Path, relpath: str) -> tuple[str | None, Diagnostic | None]:
    """A document's text, or a diagnostic saying why it cannot be read."""
    return read_document(root, relpath)[1:]


def read_document(root: Path, relpath: str) -> tuple[bytes | None, str | None, Diagnostic | None]:
    """A document's bytes (None when it cannot be read whole: missing, unreadable or too large) and its text, or a
    diagnostic saying why it cannot be used."""
    path = root / relpath
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, None, Diagnostic(relpath, 1, "warning", "vanished", "file disappeared while the workspace was read")
    except OSError as exc:
        return None, None, Diagnostic(relpath, 1, "error", "unreadable", f"cannot read file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return None, None, Diagnostic(relpath, 1, "error", "too-large", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; documents are skipped above that size")
    if b"\x00" in data:
        return data, None, Diagnostic(relpath, 1, "error", "binary", "file is binary, not a Markdown document")
    try:
        return data, data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return data, None, Diagnostic(relpath, line, "error", "not-utf8", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8")


def parse_file(root: Path, relpath: str, settings: Settings) -> Parsed:
    text, problem = read_text(root, relpath)
    if text is None:
        assert problem is not None
        return Parsed(None, (problem,))
    return parse_document(text, relpath, settings)
