"""Writing a file of the workspace's `.wm/` cache whole or not at all, in a folder git leaves alone.

Cache files are disposable (each reader treats a missing or damaged one as
absent), so they are not synced to disk as documents are (`edit.atomic_write`);
they only must never be seen half-written, by a reader or by the next run
after a crash. Whichever cache writes first makes `.wm/` with a `.gitignore`
that ignores all of it, so no cache file ever shows in `git status`.

Written here: the caches whose entries would be believed on a weaker test
than their own stat (the history's, valid for any descendant of the HEAD
it was read at; the parse cache's, whose entries a file with new times
keeps when its text hashes the same) record the identity of the folder
they were written in (`folder_identity`, `written_here`). One found in
another folder (the workspace copied, `.wm/` committed and cloned, or
restored into a new clone) was not written by this workspace's runs, so
it could tell of documents and versions that are not these: it is not
believed, unless `WM_TRUST_CACHE=1` says the user restored it from their
own runs (`vouched`: a CI cache; see "Publishing from CI" in
docs/site.md). Either way the next save writes it as this folder's own.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_FOLDER = ".wm"
IGNORE = "# wm's disposable cache: never commit it\n*\n"
TRUST_ENV = "WM_TRUST_CACHE"


def folder_identity(folder: Path) -> str:
    """The folder itself (device and inode): a copied, cloned or restored folder is another one, a moved one is not."""
    info = folder.stat()
    return f"{info.st_dev}:{info.st_ino}"


def written_here(recorded: object, folder: Path) -> bool:
    """Whether a cache that recorded `recorded` (`folder_identity` when it was written) was written in `folder`."""
    try:
        return recorded == folder_identity(folder)
    except OSError:
        return False


NO_CACHE_ENV = "WM_NO_CACHE"


def env_flag(name: str) -> bool:
    """An on/off environment variable is on: set to anything but empty or `0` (`WM_NO_CACHE=0` leaves the cache on)."""
    return os.environ.get(name, "0") not in ("", "0")


def vouched() -> bool:
    """`WM_TRUST_CACHE` is set (to anything but `0`): caches written elsewhere are believed (the user restored them)."""
    return env_flag(TRUST_ENV)


def disabled() -> bool:
    """`WM_NO_CACHE` is set (to anything but `0`): no cache is read or written (the index's, compiled templates)."""
    return env_flag(NO_CACHE_ENV)


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
