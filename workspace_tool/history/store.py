"""The history cache under `<workspace>/.wm/history/`: disposable, rebuilt when it does not fit.

Three things are kept: the document versions built from the commits read
so far (compact rows by lineage, with a commit table), the state needed to
go on from there (valid for the HEAD they were read at, and for any
descendant of it: only `git log OLD..HEAD` is read then), and the
frontmatter of every blob read (blobs never change, so those entries are
valid forever). A process that reads the cache and then builds the
versions of a few documents reads little more than what those need:

* **Rows**: each update writes one small segment file (its commits, and
  each lineage's rows as one `marshal`-encoded `bytes` value, decoded only
  when that document's versions are built); many segments are merged into
  one. The state file keeps a summary of each lineage's rows (last
  sequence number, deleted or not, IDs, newest date), so documents are
  listed (`versions.group`) without decoding any.
* **Blobs**: the frontmatter is kept in shards by the first two hex digits
  of the blob ID (`blobs-XX-*.marshal`, up to 256 files). `Cached.blobs` is
  a `BlobTable`, a dict that reads a shard the first time one of its blobs
  is missed; a save that adds blobs rewrites only the shards it adds to
  (read, add, write under a new name). A process keeps the shards it read
  or wrote for as long as the manifest names the same files.

Every file is written under a new name first; then the manifest is
replaced (atomically) naming them; then the files it no longer names are
deleted, so a reader of the old manifest never sees a half-written file.

**Damage.** A segment or state file that does not load makes the whole
cache be rebuilt, as before. A blob shard that is missing, truncated or
altered (the manifest records each shard's size and CRC-32, checked when
it is read), or not a dict, is never trusted and never an error: its
blobs, and any blob a shard lacks, are read again from git (`git
cat-file`, parsed as `read.scan` parses them), so versions are still
right, only slower. The damage also leaves a `rescan` file in the folder:
the next read folds every commit again (as after a rebase), which asks git
for every blob the shard lacked and writes it anew, and removes the file.
Until then no other save is made (it could not rewrite that shard whole).

Files are `marshal` data (tuples, lists, dicts, bytes, text and numbers:
it builds no objects of ours and runs no code, and loads about 4x faster
than the same data as JSON). Its format belongs to the Python version,
which the manifest records, as it records the code that wrote it
(`codeprint`: other code rebuilds the cache). The manifest (small JSON)
also records the identity of the cache folder, so a cache that was not
written here (copied, or committed and cloned) is never loaded; it is
rebuilt instead, unless `WM_TRUST_CACHE=1` vouches for it
(`cachefile.vouched`: a CI cache restored into a fresh clone). Such a
cache is still read only as far as it fits: its HEAD must be an ancestor
of this one (`read.read`).
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from workspace_tool.cachefile import folder_identity, vouched
from workspace_tool.codeprint import code_version
from workspace_tool.gcpause import paused
from workspace_tool.history.model import Fields

SCHEMA = 6
CACHE_DIR = Path(".wm") / "history"
MANIFEST = "manifest.json"
RESCAN = "rescan"
"""Left by a read that found a damaged shard: the next read folds every commit again."""
MAX_SEGMENTS = 12
SHARD_DIGITS = 2
"""Blob shards by the first hex digits of the blob ID: 2 digits, up to 256 shards."""

Part = tuple[list[Any], dict[int, list[Any]]]
"""One update's commits and rows by lineage (see `versions.take_rows`)."""
Segment = tuple[list[Any], dict[int, bytes]]
"""A segment file: one update's commits, and its rows by lineage, each lineage's a `marshal`-encoded list."""
ShardRef = tuple[str, int, int]
"""A shard in the manifest: (file name, size in bytes, CRC-32 of the bytes)."""

_MISSING: Any = object()


class _Shards:
    """The blob shard files of one cache folder as this process knows them, and the entries read from them.

    One object per folder is shared by every `BlobTable` read from it (and
    kept across `load`s), so a shard is read at most once per written file.
    The entries held here are only ever added to: a blob's frontmatter never
    changes, so a reader seeing more blobs than its manifest named is harmless.
    """

    def __init__(self, folder: Path, identity: str) -> None:
        self.folder = folder
        self.identity = identity
        self.refs: dict[str, ShardRef] = {}
        self.loaded: dict[str, dict[str, Fields | None]] = {}
        self.damaged: set[str] = set()
        self.from_git: dict[str, Fields | None] = {}  # blobs read from git because a shard was damaged or lacked them

    def refresh(self, refs: Mapping[str, ShardRef]) -> None:
        """Take a manifest's shard list; shards whose file changed are read again when next asked for."""
        for prefix in set(self.refs) | set(refs):
            if self.refs.get(prefix) != refs.get(prefix):
                self.loaded.pop(prefix, None)
                self.damaged.discard(prefix)
        self.refs = dict(refs)

    def shard(self, prefix: str) -> dict[str, Fields | None]:
        found = self.loaded.get(prefix)
        if found is None:
            ref = self.refs.get(prefix)
            found = {} if ref is None else self._read_shard(prefix, ref)
            self.loaded[prefix] = found
        return found

    def _read_shard(self, prefix: str, ref: ShardRef) -> dict[str, Fields | None]:
        name, size, crc = ref
        try:
            data = (self.folder / name).read_bytes()
            if len(data) == size and zlib.crc32(data) == crc:
                with paused():  # long-lived and acyclic, as the rest of the history (`read.read`)
                    entries = marshal.loads(data)
                if isinstance(entries, dict):
                    return entries
        except (OSError, ValueError, EOFError, TypeError):
            pass
        self.damaged.add(prefix)
        with contextlib.suppress(OSError):
            (self.folder / RESCAN).write_text(f"damaged blob shard {name}\n", encoding="utf-8")
        return {}

    def read_from_git(self, shas: Iterable[str]) -> None:
        """Read blobs' frontmatter from the workspace's repository (None for one git does not have)."""
        wanted = [sha for sha in dict.fromkeys(shas) if sha not in self.from_git]
        if not wanted:
            return
        from workspace_tool.history.blobs import read_blobs
        from workspace_tool.history.frontmatter import FieldsMemo
        from workspace_tool.history.gitrepo import GitRepo

        found: dict[str, bytes | None] = {}
        with contextlib.suppress(Exception):  # no repository, no git, git failed: those blobs stay unknown (None)
            repo = GitRepo.open(self.folder.parent.parent)
            if repo is not None:
                with repo:
                    found = read_blobs(repo, wanted)
        memo = FieldsMemo()
        for sha in wanted:
            self.from_git[sha] = memo.fields(found.get(sha))


class BlobTable(dict[str, "Fields | None"]):
    """Blob ID -> frontmatter (None: unreadable): a dict that reads a cache shard the first time a blob in it is missed.

    `table[sha]` and `get` always answer from the blob itself: a blob that
    the cache should have but does not (a damaged shard) is read from git.
    `in` says only whether the cache has it (`read.scan` reads the blobs it
    lacks). What is added (`update`, `[]=`) belongs to this table alone;
    iterating, `len` and the like see only the entries read or added so far.
    `table[sha]` is a plain dict look-up once its shard was read.
    """

    __slots__ = ("_shards", "_merged")

    def __init__(self, shards: _Shards | None = None, entries: Mapping[str, Fields | None] | None = None, merged: Iterable[str] = ()) -> None:
        super().__init__(entries or {})
        self._shards = shards
        self._merged = set(merged)  # the prefixes whose shard's entries are in this dict

    def __missing__(self, sha: str) -> Fields | None:
        shards = self._shards
        if shards is None:
            raise KeyError(sha)
        prefix = sha[:SHARD_DIGITS]
        if prefix not in self._merged:
            self._merge(prefix)
            found = dict.get(self, sha, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
        if sha not in shards.from_git:
            shards.read_from_git([sha])
        found = self[sha] = shards.from_git[sha]
        return found  # type: ignore[no-any-return]

    def _merge(self, prefix: str) -> None:
        assert self._shards is not None
        self._merged.add(prefix)
        self.update(self._shards.shard(prefix))

    def get(self, sha: str, default: Any = None) -> Any:
        found = dict.get(self, sha, _MISSING)
        if found is _MISSING:
            return self[sha] if self._shards is not None and isinstance(sha, str) else default
        return found

    def __contains__(self, sha: object) -> bool:
        if dict.__contains__(self, sha):
            return True
        shards = self._shards
        if shards is None or not isinstance(sha, str):
            return False
        prefix = sha[:SHARD_DIGITS]
        if prefix not in self._merged:
            self._merge(prefix)
        return dict.__contains__(self, sha) or sha in shards.from_git

    def copy(self) -> BlobTable:
        """The same shards, with a copy of the entries read or added so far."""
        return BlobTable(self._shards, self, self._merged)

    @property
    def damaged(self) -> bool:
        """Whether a shard read for this table was damaged."""
        return bool(self._shards and self._shards.damaged)


@dataclass
class Cached:
    """What the cache held up to `head`: the commit table, version rows by lineage, the fold's state, and blob frontmatter."""

    head: str | None = None
    prefix: str = ""
    commits: list[Any] = field(default_factory=list)
    rows: dict[int, list[bytes]] = field(default_factory=dict)  # by lineage: its rows from each segment, still encoded
    state: dict[str, Any] | None = None
    blobs: BlobTable = field(default_factory=BlobTable)
    segments: list[str] = field(default_factory=list)
    documents: str = ""  # which paths were documents (`read.documents_key`): the fold depends on it


def cache_dir(root: Path) -> Path:
    return root / CACHE_DIR


def load(root: Path) -> Cached:
    """The cache, or an empty one when it is missing, from another schema or Python, not written here, or damaged.

    Blob shards are read when first used (`BlobTable`). A process that reads
    the same cache again (`wm site serve`) takes what it read last time
    while the manifest file is the same one (every save writes a new
    manifest), as a fresh `Cached` whose containers are copies; after a new
    manifest, the shards it names under the same file are not read again.
    When a damaged shard was found (`RESCAN`) only the blobs are returned,
    so the reader folds every commit again.
    """
    folder = cache_dir(root)
    try:
        info = os.stat(folder / MANIFEST)
        stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        remembered = _LOADED.get(str(folder))
        if remembered is not None and remembered[0] == stamp:
            return _rescan_if_damaged(folder, _copy(remembered[1]))
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        identity = folder_identity(folder)
        if not _believed(manifest, identity):
            return Cached()
        refs = {str(p): (str(n), int(s), int(c)) for p, (n, s, c) in manifest["blobs"].items()}
        shards = _shards_of(folder, identity)
        shards.refresh(refs)
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, AttributeError):
        return Cached()
    cached = Cached(manifest.get("head"), manifest.get("prefix", ""), blobs=BlobTable(shards), documents=str(manifest.get("documents", "")))
    try:
        cached.segments = [str(name) for name in manifest["segments"]]
        for name in cached.segments:
            _merge(cached, marshal.loads((folder / name).read_bytes()))
        cached.state = marshal.loads((folder / manifest["state"]).read_bytes())
        if not isinstance(cached.state, dict):
            raise TypeError("the state is not a dict")
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, AttributeError):
        return Cached(blobs=cached.blobs)  # the blob shards are checked one by one: those still serve
    _LOADED.clear()
    _LOADED[str(folder)] = (stamp, _copy(cached))
    return _rescan_if_damaged(folder, cached)


_LOADED: dict[str, tuple[tuple[int, int, int], Cached]] = {}
"""The last cache read in this process, by folder, with its manifest's identity."""
_SHARDS: dict[tuple[str, str], _Shards] = {}
"""The blob shards of the last cache folder (path, identity) read or written in this process."""


def _shards_of(folder: Path, identity: str) -> _Shards:
    key = (str(folder), identity)
    found = _SHARDS.get(key)
    if found is None:
        _SHARDS.clear()
        found = _SHARDS[key] = _Shards(folder, identity)
    return found


def _rescan_if_damaged(folder: Path, cached: Cached) -> Cached:
    return Cached(blobs=cached.blobs) if (folder / RESCAN).exists() else cached


def _copy(cached: Cached) -> Cached:
    """The same values in new containers (a reader may add to them; rows and the state are only read and replaced)."""
    return Cached(
        cached.head, cached.prefix, list(cached.commits), dict(cached.rows), cached.state, cached.blobs.copy(), list(cached.segments), cached.documents
    )


def save(root: Path, cached: Cached, new_part: Part, new_blobs: Mapping[str, Fields | None], rebuilt: bool) -> None:
    """Add one segment (or, after a rebuild or when there are many, write one merged segment), and the new blobs to their shards.

    `cached.state` (the state after `new_part`) goes to a file of its own,
    replaced on each update. Failing to write (a read-only workspace) is not
    an error: the cache is only a speed-up. Nothing is saved when a shard
    this read would add to was damaged, unless every commit was read again
    (`rebuilt`): only then does the read know all of that shard's blobs.
    """
    if cached.blobs.damaged and not rebuilt:
        return
    folder = cache_dir(root)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# wm's history cache: never commit it\n*\n", encoding="utf-8")
        old_segments = list(cached.segments)
        new_rows = {number: marshal.dumps(found) for number, found in new_part[1].items()}
        if rebuilt or len(old_segments) + 1 > MAX_SEGMENTS:
            merged = Cached()
            if not rebuilt:
                _merge(merged, (cached.commits, {}))
                merged.rows = dict(cached.rows)
            _merge(merged, (new_part[0], new_rows))
            segment: Segment = (merged.commits, {number: _joined(chunks) for number, chunks in merged.rows.items()})
            segments = [_write(folder, "segment-", segment)[0]]
        else:
            segments = old_segments + [_write(folder, "segment-", (new_part[0], new_rows))[0]]
        refs, written = _write_shards(folder, cached.blobs, new_blobs, rebuilt)
        state = _write(folder, "state-", cached.state)[0]
        manifest = {
            "schema": SCHEMA,
            "python": _python(),
            "code": code_version(),
            "folder": folder_identity(folder),
            "head": cached.head,
            "prefix": cached.prefix,
            "documents": cached.documents,
            "segments": segments,
            "blobs": refs,
            "state": state,
        }
        _atomic_write(folder / MANIFEST, json.dumps(manifest, sort_keys=True).encode("utf-8"))
        shards = cached.blobs._shards
        old_blobs = {ref[0] for ref in shards.refs.values()} if shards is not None else set()
        if shards is None or (shards.folder, shards.identity) != (folder, manifest["folder"]):
            shards = cached.blobs._shards = _shards_of(folder, str(manifest["folder"]))
        shards.refresh(refs)
        shards.loaded.update(written)
        shards.from_git.clear()  # written to their shards
        current = {*segments, state, *(ref[0] for ref in refs.values())}
        if rebuilt:  # also the files of an older schema, or of a save that was overtaken or ended half-way
            stale = {p.name for p in folder.glob("segment-*")} | {p.name for p in folder.glob("blobs-*")} | _abandoned_temporaries(folder)
            with contextlib.suppress(OSError):
                (folder / RESCAN).unlink()
        else:
            stale = set(old_segments) | old_blobs
        stale |= {p.name for p in folder.glob("state-*")}
        for name in stale - current:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        cached.segments = segments


def _write_shards(
    folder: Path, table: BlobTable, new_blobs: Mapping[str, Fields | None], rebuilt: bool
) -> tuple[dict[str, ShardRef], dict[str, dict[str, Fields | None]]]:
    """Write each shard that gets blobs (its old entries and the new ones) under a new name: the manifest's shard list, and what was written.

    Blobs read from git because the cache lacked them are added too. After
    a full read (`rebuilt`) a damaged shard is written again from the blobs
    read since, which then are all of its blobs that the history names.
    """
    shards = table._shards
    refs = dict(shards.refs) if shards is not None else {}
    by_prefix: dict[str, dict[str, Fields | None]] = {}
    for sha, fields in new_blobs.items():
        by_prefix.setdefault(sha[:SHARD_DIGITS], {})[sha] = fields
    if shards is not None:
        for sha, fields in shards.from_git.items():
            by_prefix.setdefault(sha[:SHARD_DIGITS], {}).setdefault(sha, fields)
        for prefix in shards.damaged:
            by_prefix.setdefault(prefix, {})
            refs.pop(prefix, None)
    written: dict[str, dict[str, Fields | None]] = {}
    for prefix, entries in by_prefix.items():
        if shards is not None:
            entries = {**shards.shard(prefix), **entries}
        if entries:
            refs[prefix] = _write(folder, f"blobs-{prefix}-", entries)
            written[prefix] = entries
    return refs, written


def _merge(cached: Cached, segment: Segment) -> None:
    """Add one segment's commits and rows (after those of the same lineage; lists are replaced, never changed)."""
    commits, rows = segment
    cached.commits.extend(commits)
    mine = cached.rows
    for number, chunk in rows.items():
        found = mine.get(number)
        mine[number] = [chunk] if found is None else [*found, chunk]


def _joined(chunks: list[bytes]) -> bytes:
    """A lineage's rows from several segments as one encoded list."""
    if len(chunks) == 1:
        return chunks[0]
    return marshal.dumps([row for chunk in chunks for row in marshal.loads(chunk)])


TEMPORARY_AGE = 600  # seconds: a temporary file older than this is no other save's that is still writing


def _abandoned_temporaries(folder: Path) -> set[str]:
    """Temporary files (`_atomic_write`) a save that was ended half-way left (a history child stopped by `background.stop_all`)."""
    found = set()
    now = time.time()
    for path in folder.glob(".tmp-*"):
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > TEMPORARY_AGE:
                found.add(path.name)
    return found


def _write(folder: Path, prefix: str, value: Any) -> ShardRef:
    """A new file holding `value` (its name is new, so nothing that reads the old manifest sees it): its name, size and CRC-32."""
    data = marshal.dumps(value)
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".marshal", dir=folder)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return os.path.basename(name), len(data), zlib.crc32(data)


def believed(root: Path) -> bool:
    """Whether `load` would read the cache's manifest (not whether every file it names is sound): `read.prefetch`
    reads every commit in a child, beside the parse, when it would not."""
    found = _manifest(root)
    return found is not None and _believed(*found)


def written_elsewhere(root: Path) -> bool:
    """Whether the cache is this code's but was written in another folder and nothing vouches for it: a `.wm/`
    restored without `WM_TRUST_CACHE`, or a copied workspace's (`wm site build` says so once: it is then rewritten)."""
    found = _manifest(root)
    return found is not None and _this_code(found[0]) and found[0].get("folder") != found[1] and not vouched()


def _manifest(root: Path) -> tuple[dict[str, Any], str] | None:
    """The cache's manifest and the identity of its folder (None: no readable manifest)."""
    folder = cache_dir(root)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return (manifest, folder_identity(folder)) if isinstance(manifest, dict) else None
    except (OSError, ValueError):
        return None


def _this_code(manifest: Mapping[str, Any]) -> bool:
    """Written by this schema, Python and code (`codeprint`)."""
    return (manifest.get("schema"), manifest.get("python"), manifest.get("code")) == (SCHEMA, _python(), code_version())


def _believed(manifest: Mapping[str, Any], identity: str) -> bool:
    """This code's (`_this_code`), written in this folder (`identity`) or vouched for (`cachefile.vouched`)."""
    return _this_code(manifest) and (manifest.get("folder") == identity or vouched())


def _python() -> str:
    """Whose marshal format the segments are in."""
    return f"{sys.implementation.cache_tag}/{marshal.version}"


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temp, path)
