"""The history cache under `<workspace>/.wm/history/`: disposable, rebuilt when it does not fit.

Two things are kept: the document versions built from the commits read so
far, with the state needed to go on from there (valid for the HEAD they
were read at, and for any descendant of it: only `git log OLD..HEAD` is
read then), and the frontmatter of every blob read (blobs never change, so
those entries are valid forever). Each update writes one small segment
file; many segments are merged into one. JSON only: nothing here runs code
from the cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workspace_tool.history.model import Fields

SCHEMA = 3
CACHE_DIR = Path(".wm") / "history"
MANIFEST = "manifest.json"
MAX_SEGMENTS = 12


@dataclass
class Cached:
    """What the cache held: version rows in parts (see `versions.restore`) up to `head`, the fold's state, and blob frontmatter."""

    head: str | None = None
    prefix: str = ""
    parts: list[dict[str, Any]] = field(default_factory=list)  # {"commits": [...], "rows": [...]} per update
    state: dict[str, Any] | None = None
    blobs: dict[str, Fields | None] = field(default_factory=dict)
    segments: list[str] = field(default_factory=list)


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def load(root: Path) -> Cached:
    """The cache, or an empty one when it is missing, from another schema, or damaged."""
    folder = cache_dir(root)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("schema") != SCHEMA:
            return Cached()
        cached = Cached(
            manifest.get("head"), manifest.get("prefix", ""), state=manifest.get("state"), segments=list(manifest["segments"])
        )
        for name in cached.segments:
            segment = json.loads((folder / name).read_text(encoding="utf-8"))
            cached.parts.extend(segment["parts"])
            cached.blobs.update(segment["blobs"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return Cached()
    return cached


def save(root: Path, cached: Cached, new_part: dict[str, Any], new_blobs: dict[str, Fields | None], rebuilt: bool) -> None:
    """Add one segment (or, after a rebuild or when there are many, write one merged segment).

    Failing to write (a read-only workspace) is not an error: the cache is only a speed-up.
    """
    folder = cache_dir(root)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# wm's history cache: never commit it\n*\n", encoding="utf-8")
        old_segments = list(cached.segments)
        if rebuilt or len(old_segments) + 1 > MAX_SEGMENTS:
            parts = ([] if rebuilt else cached.parts) + [new_part]
            blobs = {**cached.blobs, **new_blobs}
            segments = [_write_segment(folder, parts, blobs)]
        else:
            segments = old_segments + [_write_segment(folder, [new_part], new_blobs)]
        manifest = {"schema": SCHEMA, "head": cached.head, "prefix": cached.prefix, "state": cached.state, "segments": segments}
        _atomic_write(folder / MANIFEST, json.dumps(manifest))
        stale = {p.name for p in folder.glob("segment-*.json")} if rebuilt else set(old_segments)
        for name in stale - set(segments):  # after a rebuild also those of an older schema
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        cached.segments = segments


def _write_segment(folder: Path, parts: list[dict[str, Any]], blobs: dict[str, Fields | None]) -> str:
    data = json.dumps({"parts": parts, "blobs": blobs}, separators=(",", ":"))
    handle, name = tempfile.mkstemp(prefix="segment-", suffix=".json", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(data)
    return os.path.basename(name)


def _atomic_write(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temp, path)
