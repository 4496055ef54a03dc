"""The history cache under `<workspace>/.wm/history/`: disposable, rebuilt when it does not fit.

Three things are kept: the document versions built from the commits read
so far (compact rows by lineage, with a commit table), the state needed to
go on from there (valid for the HEAD they were read at, and for any
descendant of it: only `git log OLD..HEAD` is read then), and the
frontmatter of every blob read (blobs never change, so those entries are
valid forever). Each update writes one small segment file; many segments
are merged into one.

Segments are `marshal` data (tuples, lists, dicts, text and numbers: it
builds no objects of ours and runs no code, and loads about 4x faster than
the same data as JSON). Its format belongs to the Python version, which the
manifest records. The manifest (small JSON) also records the identity of
the cache folder, so a cache that was not written here (copied, or
committed and cloned) is never loaded; it is rebuilt instead.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workspace_tool.history.model import Fields

SCHEMA = 4
CACHE_DIR = Path(".wm") / "history"
MANIFEST = "manifest.json"
MAX_SEGMENTS = 12

Part = tuple[list[Any], dict[int, list[Any]]]
"""One update's commits and rows by lineage (see `versions.take_rows`)."""


@dataclass
class Cached:
    """What the cache held up to `head`: the commit table, version rows by lineage, the fold's state, and blob frontmatter."""

    head: str | None = None
    prefix: str = ""
    commits: list[Any] = field(default_factory=list)
    rows: dict[int, list[Any]] = field(default_factory=dict)
    state: dict[str, Any] | None = None
    blobs: dict[str, Fields | None] = field(default_factory=dict)
    segments: list[str] = field(default_factory=list)


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def load(root: Path) -> Cached:
    """The cache, or an empty one when it is missing, from another schema or Python, not written here, or damaged.

    A process that reads the same cache again (`wm site serve`) takes what it
    read last time while the manifest file is the same one (every save
    writes a new manifest), as a fresh `Cached` whose containers are copies.
    """
    folder = cache_dir(root)
    try:
        info = os.stat(folder / MANIFEST)
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        remembered = _LOADED.get(str(folder))
        if remembered is not None and remembered[0] == stamp:
            return _copy(remembered[1])
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if (manifest.get("schema"), manifest.get("python"), manifest.get("folder")) != (SCHEMA, _python(), _identity(folder)):
            return Cached()
        cached = Cached(manifest.get("head"), manifest.get("prefix", ""), segments=list(manifest["segments"]))
        for name in cached.segments:
            commits, rows, blobs = marshal.loads((folder / name).read_bytes())
            _merge(cached, (commits, rows), blobs)
        cached.state = marshal.loads((folder / manifest["state"]).read_bytes())
        if not isinstance(cached.state, dict):
            return Cached()
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, AttributeError):
        return Cached()
    _LOADED.clear()
    _LOADED[str(folder)] = (stamp, _copy(cached))
    return cached


_LOADED: dict[str, tuple[tuple[int, int, int], Cached]] = {}
"""The last cache read in this process, by folder, with its manifest's identity."""


def _copy(cached: Cached) -> Cached:
    """The same values in new containers (a reader may add to them; rows and the state are only read and replaced)."""
    return Cached(cached.head, cached.prefix, list(cached.commits), dict(cached.rows), cached.state, dict(cached.blobs), list(cached.segments))


def save(root: Path, cached: Cached, new_part: Part, new_blobs: dict[str, Fields | None], rebuilt: bool) -> None:
    """Add one segment (or, after a rebuild or when there are many, write one merged segment).

    `cached.state` (the state after `new_part`) goes to a file of its own,
    replaced on each update. Failing to write (a
    read-only workspace) is not an error: the cache is only a speed-up.
    """
    folder = cache_dir(root)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# wm's history cache: never commit it\n*\n", encoding="utf-8")
        old_segments = list(cached.segments)
        if rebuilt or len(old_segments) + 1 > MAX_SEGMENTS:
            merged = Cached(blobs=dict(cached.blobs))
            if not rebuilt:
                _merge(merged, (cached.commits, {n: list(r) for n, r in cached.rows.items()}), {})
            _merge(merged, new_part, new_blobs)
            segments = [_write(folder, "segment-", (merged.commits, merged.rows, merged.blobs))]
        else:
            segments = old_segments + [_write(folder, "segment-", (*new_part, new_blobs))]
        state = _write(folder, "state-", cached.state)
        manifest = {
            "schema": SCHEMA,
            "python": _python(),
            "folder": _identity(folder),
            "head": cached.head,
            "prefix": cached.prefix,
            "segments": segments,
            "state": state,
        }
        _atomic_write(folder / MANIFEST, json.dumps(manifest).encode("utf-8"))
        stale = {p.name for p in folder.glob("segment-*")} if rebuilt else set(old_segments)
        stale |= {p.name for p in folder.glob("state-*")}
        for name in stale - {*segments, state}:  # after a rebuild also those of an older schema
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        cached.segments = segments


def _merge(cached: Cached, part: Part, blobs: dict[str, Fields | None]) -> None:
    """Add one part's commits, rows (after those of the same lineage) and blobs; the first part's lists are taken as they are."""
    commits, rows = part
    if not cached.commits and not cached.rows:
        cached.commits, cached.rows = list(commits), dict(rows)
    else:
        cached.commits.extend(commits)
        for number, found in rows.items():
            if number in cached.rows:
                cached.rows[number] = cached.rows[number] + list(found)
            else:
                cached.rows[number] = found
    if cached.blobs:
        cached.blobs.update(blobs)
    else:
        cached.blobs = blobs


def _write(folder: Path, prefix: str, value: Any) -> str:
    """A new file holding `value` (its name is new, so nothing that reads the old manifest sees it)."""
    data = marshal.dumps(value)
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".marshal", dir=folder)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return os.path.basename(name)


def _python() -> str:
    """Whose marshal format the segments are in."""
    return f"{sys.implementation.cache_tag}/{marshal.version}"


def _identity(folder: Path) -> str:
    """The cache folder itself (device and inode): a copied or cloned folder is a different one."""
    info = folder.stat()
    return f"{info.st_dev}:{info.st_ino}"


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temp, path)
