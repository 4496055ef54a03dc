"""Writing a file of the workspace's `.wm/` cache whole or not at all, in a folder git leaves alone.

Cache files are disposable (each reader treats a missing or damaged one as
absent), so they are not synced to disk as documents are (`edit.atomic_write`);
they only must never be seen half-written, by a reader or by the next run
after a crash. Whichever cache writes first makes `.wm/` with a `.gitignore`
that ignores all of it, so no cache file ever shows in `git status`.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_FOLDER = ".wm"
IGNORE = "# wm's disposable cache: never commit it\n*\n"


def replace_file(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path` (named by this process), then rename it over `path`.

    The folder is made when missing (`.wm/` with its `.gitignore`). Raises
    what the write raises (`OSError`: a read-only or full disk); the
    temporary file is gone either way.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    ignored(folder)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # gone after the rename; left only by a failed write


def ignored(folder: Path) -> None:
    """Give the `.wm/` folder that holds `folder` (or is it) its `.gitignore`, when it has none."""
    cache = next((candidate for candidate in (folder, *folder.parents) if candidate.name == CACHE_FOLDER), None)
    if cache is not None:
        ignore = cache / ".gitignore"
        if not ignore.exists():
            ignore.write_text(IGNORE, encoding="utf-8")
