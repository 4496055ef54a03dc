"""The persistent parse cache under `.wm/` (disposable; see docs/performance.md).

The cache maps each document's path to what parsing it gave (`Parsed`,
diagnostics included), with the size, mtime and ctime of the version that was
read and a hash of its bytes (git's blob id, `gitindex.blob_id`). It never
decides which files exist: `discover` does; the cache only saves parsing the
ones that did not change.

Storage (chosen by measurement, see docs/performance.md): one file,
`.wm/cache.pickle`, holding every entry, plus a small `.wm/cache-delta.pickle`
with the entries changed since, so one edit rewrites kilobytes, not the whole
snapshot. The delta is folded into a new snapshot when it grows. Both are
written to a temporary file and moved into place with `os.replace`, so two
`wm` processes at once never leave a torn file; the last writer wins, and
whatever it lost is simply parsed again next time.

A file is a pickled header (schema version, package and Python version, a
hash of the settings, since parsed values depend on the calendar and
workflows; the number of chunks, their length and CRC) followed by the
chunks, one pickle each (a cold run's parse workers each send one, which
becomes part of the snapshot as it is). `cache_chunks` says how a chunk
holds its entries: documents as their field dicts, by class, in columns,
which at 10,000 documents read in half the time of pickled objects
(docs/performance.md).

Any key mismatch, truncation or corruption (a CRC or length that does not
match, a column of the wrong length or types, a field dict without its
class's fields) throws the file away. Unpickling only admits our own model
classes and a few standard types, so a planted `.wm/` file cannot run code.

Coarse mtimes: an entry whose mtime is within `RACY_NS` of the moment it was
read could hide a later same-size edit in the same tick, so it is re-checked
by hash until it is old enough (git's "racy clean" rule).

New times, same size: a file whose size is the entry's but whose mtime or
ctime is not is read and hashed, and the same bytes keep their entry (with
the new times). Git writes every file of a fresh clone or of a checkout anew,
`touch` and some editors rewrite files unchanged, and CI restores `.wm/`
into a fresh clone: each file is then read, about 40 us, not parsed again.
When there are many (`GIT_FROM`), git's index is asked first
(`gitindex.clean_blobs`): a file it vouches for whose blob id is the
entry's hash is not read at all (10,000 files: 15 ms instead of 0.4 s).
Only entries written in this `.wm/` folder are kept that way: the header
records the folder's identity (`cachefile.written_here`). A cache from
elsewhere (copied, committed and cloned, or restored) is believed only
where the stat matches exactly, which the ctime of a file written anew
never does, unless `WM_TRUST_CACHE=1` vouches for it (`cachefile.vouched`);
either way the first save replaces it with a snapshot of this folder's own.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from workspace_tool import background

try:  # hashlib's blake2b itself, without loading OpenSSL for the rest of hashlib (3 ms per command)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python implementation
    from hashlib import blake2b
from workspace_tool.cache_chunks import CheckedReader, Entry, Unpickler, decode_chunk, encode_chunk
from workspace_tool.cachefile import CACHE_FOLDER, disabled, folder_identity, ignored, vouched, written_here
from workspace_tool.codeprint import code_version
from workspace_tool.config import Settings
from workspace_tool.gcpause import paused
from workspace_tool.gitindex import blob_id, clean_blobs
from workspace_tool.loader import FileStat, read_document
from workspace_tool.parse import Parsed, parse_document

SCHEMA_VERSION = 5
"""Bump when the shape of cached values (model, Parsed, Entry) changes."""
CACHE_DIR = CACHE_FOLDER
SNAPSHOT_NAME = "cache.pickle"
DELTA_NAME = "cache-delta.pickle"
RACY_NS = 2_000_000_000
"""Entries whose mtime is this close to their read time are re-checked by hash."""
POOL_THRESHOLD = 2000
"""Parse in a process pool (one worker per core) when more files than this need parsing."""
DELTA_LIMIT = 256
"""Fold the delta into a new snapshot once it holds more entries than this (or 5% of the files)."""
GIT_FROM = 256
"""Ask git's index which files are unchanged (`gitindex.clean_blobs`, about 15 ms at 10,000 files) when at least
this many have new times and the same size; fewer are read (about 40 us each)."""

@dataclass
class CacheStats:
    """What one load did; shown by `wm watch --verbose` and used by the tests."""

    hits: int = 0
    parsed: int = 0
    rechecked: int = 0
    vouched_by_git: int = 0  # of the rechecked: unchanged as git's index says, not read
    dropped: int = 0
    discarded: list[str] = field(default_factory=list)
    wrote: str = ""


def settings_fingerprint(settings: Settings) -> str:
    """A stable hash of the settings (sets sorted, so it does not vary between runs)."""
    return blake2b(_canonical(settings).encode(), digest_size=16).hexdigest()


def _canonical(value: Any) -> str:
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{f.name}={_canonical(getattr(value, f.name))}" for f in fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Mapping):
        items = sorted((_canonical(k), _canonical(v)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, (set, frozenset)):
        return "set(" + ",".join(sorted(_canonical(v) for v in value)) + ")"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return repr(value)


def cache_key(settings: Settings) -> str:
    """What a cache file must have been written with to be read back."""
    python = ".".join(map(str, sys.version_info[:2]))
    return f"schema={SCHEMA_VERSION};wm={code_version()};python={python};settings={settings_fingerprint(settings)}"


def file_hash(root: Path, relpath: str) -> bytes:
    """The hash of a file's bytes (`gitindex.blob_id`); empty when it cannot be read whole."""
    data = read_document(root, relpath)[0]
    return b"" if data is None else blob_id(data)


def parse_one(root: Path, relpath: str, settings: Settings) -> tuple[bytes, Parsed]:
    """Read and parse one file; the hash is of the bytes read (`gitindex.blob_id`; empty when unreadable)."""
    data, text, problem = read_document(root, relpath)
    found = b"" if data is None else blob_id(data)
    if text is None:
        assert problem is not None
        return found, Parsed(None, (problem,))
    return found, parse_document(text, relpath, settings)


def parse_entries(root: Path, stats: list[FileStat], settings: Settings, read_ns: int) -> dict[str, Entry]:
    """Cache entries for these files, parsed here, each with the hash of its text (checked when its times change)."""
    entries: dict[str, Entry] = {}
    for stat in stats:
        text_hash, parsed = parse_one(root, stat.relpath, settings)
        entries[stat.relpath] = (stat.size, stat.mtime_ns, stat.ctime_ns, read_ns, text_hash, parsed)
    return entries


def _parse_chunk(job: tuple[Path, list[FileStat], Settings, int]) -> bytes:
    """A pool worker's share, returned pickled: the parent unpickles it once and can write the same bytes to the cache."""
    return encode_chunk(parse_entries(*job))


def parse_many(root: Path, stats: list[FileStat], settings: Settings, read_ns: int) -> tuple[dict[str, Entry], list[bytes]]:
    """Entries for these files, and their pickled form when it was made anyway (for the snapshot).

    Above `POOL_THRESHOLD` files and with more than one core, this process
    parses an interleaved share itself while `cores - 1` forked workers parse
    the rest and send it back pickled. Forking is only done while this
    process runs a single thread (forking beside threads can deadlock), so
    `wm watch` parses in-process. A core kept busy by a child working beside
    this process (`background.busy`: the history read of a cold site build)
    is not counted.
    """
    cores = min(os.cpu_count() or 1, 8) - background.busy()
    if len(stats) <= POOL_THRESHOLD or cores < 2 or threading.active_count() > 1 or not hasattr(os, "fork"):
        return parse_entries(root, stats, settings, read_ns), []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    mine, theirs = stats[::cores], [s for i, s in enumerate(stats) if i % cores]  # interleaved: similar mixes of files
    size = -(-len(theirs) // ((cores - 1) * 2))
    jobs = [(root, theirs[i : i + size], settings, read_ns) for i in range(0, len(theirs), size)]
    try:
        with ProcessPoolExecutor(cores - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            pending = pool.map(_parse_chunk, jobs)
            entries = parse_entries(root, mine, settings, read_ns)
            chunks = [encode_chunk(entries)]  # while the workers finish
            for chunk in pending:
                entries.update(decode_chunk(io.BytesIO(chunk)))
                chunks.append(chunk)
    except (OSError, RuntimeError):  # no processes available (sandbox, limits): parse here
        return parse_entries(root, stats, settings, read_ns), []
    return entries, chunks


class ParseCache:
    """The cache of one workspace under one set of settings.

    `refresh(files)` returns every file's `Parsed`, parsing only what changed,
    and saves the changes. It keeps its entries in memory, so calling it again
    (as `wm watch` does) only looks at files whose stat changed.
    """

    def __init__(self, root: Path, settings: Settings, persist: bool = True) -> None:
        self.root = root
        self.settings = settings
        self.persist = persist
        self.key = cache_key(settings)
        self.folder = root / CACHE_DIR
        self.entries: dict[str, Entry] = {}
        self.delta: dict[str, Entry] = {}
        self.snapshot_ok = False
        self.elsewhere = False  # a file read was not written in this folder (`written_here`)
        self.foreign = False  # ... nor vouched for (`vouched`): its entries serve only on the same stat
        self.loaded = False
        self.stats = CacheStats()
        self._chunks: list[bytes] = []

    # -- reading ------------------------------------------------------
    def _read_file(self, name: str) -> dict[str, Entry] | None:
        try:
            with open(self.folder / name, "rb") as handle:
                return self._read_entries(name, CheckedReader(handle))
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.stats.discarded.append(f"{name}: unreadable ({exc.strerror or exc})")
            return None

    def _read_entries(self, name: str, reader: CheckedReader) -> dict[str, Entry] | None:
        """The entries of a cache file, read through `reader`; None (and the reason noted) when it cannot be used."""
        try:
            header = Unpickler(reader).load()
            if not isinstance(header, dict) or header.get("key") != self.key:
                self.stats.discarded.append(f"{name}: written by another version or with other settings")
                return None
            if not written_here(header.get("folder"), self.folder):
                self.elsewhere = True
            count = header.get("chunks")
            if type(count) is not int:
                raise ValueError("no chunk count")
            reader.crc = reader.length = 0  # of the body: the chunks, one after the other
            entries: dict[str, Entry] = {}
            for _ in range(count):
                entries.update(decode_chunk(reader))
            if reader.read(1) or reader.crc != header.get("crc") or reader.length != header.get("length"):
                raise ValueError("checksum mismatch")  # checked once all is read, but before anything is used
            return entries
        except OSError:
            raise  # unreadable, not corrupt (`_read_file`)
        except Exception as exc:  # noqa: BLE001 - any damage means: throw it away and rebuild
            self.stats.discarded.append(f"{name}: corrupt ({type(exc).__name__})")
            return None

    def _load_disk(self) -> None:
        self.loaded = True
        if not self.persist:
            return
        snapshot = self._read_file(SNAPSHOT_NAME)
        self.snapshot_ok = snapshot is not None
        self.entries = snapshot or {}
        if self.snapshot_ok:
            self.delta = self._read_file(DELTA_NAME) or {}
            self.entries.update(self.delta)
        if self.elsewhere:
            self.foreign = not vouched()
            self.snapshot_ok = False  # the first save writes this folder's own

    # -- refreshing ---------------------------------------------------
    def refresh(self, files: Iterable[FileStat]) -> dict[str, Parsed]:
        """Every file's parse result, in the order given; only new or changed files are parsed."""
        self.stats = CacheStats()
        with paused():
            if not self.loaded:
                self._load_disk()
            started = time.time_ns()
            files = list(files)
            changed, rechecked = self._changed(files, started)
            updates, chunks = parse_many(self.root, changed, self.settings, started) if changed else ({}, [])
            self._chunks = chunks if len(updates) == len(files) else []  # a cold run: the snapshot is these chunks
            updates.update(rechecked)
            self.stats.parsed = len(changed)
            self.stats.hits = len(files) - len(changed)
            self.entries.update(updates)
            present = {f.relpath for f in files}
            gone = [p for p in self.entries if p not in present]
            for relpath in gone:
                del self.entries[relpath]
                self.delta.pop(relpath, None)
            self.stats.dropped = len(gone)
            if self.persist and (updates or gone or not self.snapshot_ok):
                self._save(updates, len(gone), len(files))
            return {f.relpath: self.entries[f.relpath][5] for f in files}

    def _changed(self, files: list[FileStat], started: int) -> tuple[list[FileStat], dict[str, Entry]]:
        """Files to parse, and entries that a hash check showed unchanged: racy ones (with a new read time), and
        those of files with the same size and new times (with those times; as git's index says, when many)."""
        changed: list[FileStat] = []
        rechecked: dict[str, Entry] = {}
        renewed: list[tuple[FileStat, Entry]] = []
        entries = self.entries
        for stat in files:
            entry = entries.get(stat.relpath)
            if entry is None or entry[0] != stat.size:
                changed.append(stat)
            elif entry[1] != stat.mtime_ns or entry[2] != stat.ctime_ns:
                if not entry[4] or self.foreign:  # an older release hashed racy files only; a cache from elsewhere
                    changed.append(stat)
                else:
                    renewed.append((stat, entry))
            elif entry[1] + RACY_NS > entry[3]:
                self.stats.rechecked += 1
                found = file_hash(self.root, stat.relpath)
                if not found or found != entry[4]:
                    changed.append(stat)
                elif stat.mtime_ns + RACY_NS <= started:
                    rechecked[stat.relpath] = (*entry[:3], started, *entry[4:])  # type: ignore[assignment]
        unchanged = clean_blobs(self.root) if len(renewed) >= GIT_FROM else {}
        for stat, entry in renewed:
            self.stats.rechecked += 1
            if unchanged.get(stat.relpath) == entry[4]:
                self.stats.vouched_by_git += 1
            elif file_hash(self.root, stat.relpath) != entry[4]:
                changed.append(stat)
                continue
            # read (or vouched for) at `started`: if the file is younger than RACY_NS by then, the next run checks it again
            rechecked[stat.relpath] = (stat.size, stat.mtime_ns, stat.ctime_ns, started, entry[4], entry[5])
        return changed, rechecked

    def hashes(self, files: Iterable[FileStat]) -> dict[str, bytes]:
        """The hash of each file's bytes (`gitindex.blob_id`) as last read or vouched for, after `refresh(files)`."""
        entries = self.entries
        return {stat.relpath: entry[4] for stat in files if (entry := entries.get(stat.relpath)) is not None and entry[4]}

    # -- writing ------------------------------------------------------
    def _save(self, updates: Mapping[str, Entry], gone: int, total: int) -> None:
        """Write the delta, or a new snapshot when the delta or the deleted files outgrow the limit.

        Deleted files alone write nothing: their stale entries are never used
        (discovery decides what exists) and leave at the next snapshot.
        """
        self.delta.update(updates)
        limit = max(DELTA_LIMIT, total // 20)
        if not self.snapshot_ok or len(self.delta) + gone > limit:
            if self._write(SNAPSHOT_NAME, self.entries):
                self.snapshot_ok, self.elsewhere, self.foreign = True, False, False
                self.delta = {}
                self._remove(DELTA_NAME)
                self.stats.wrote = "snapshot"
        elif updates and self._write(DELTA_NAME, self.delta):
            self.stats.wrote = "delta"

    def _write(self, name: str, entries: Mapping[str, Entry]) -> bool:
        """Write atomically (temporary file, then `os.replace`); False when the folder is not writable."""
        chunks = self._chunks if name == SNAPSHOT_NAME and self._chunks else [encode_chunk(entries)]
        crc = 0
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
        import tempfile  # only when writing: a warm run that changed nothing never needs it

        try:
            self.folder.mkdir(exist_ok=True)
            ignored(self.folder)
            folder = folder_identity(self.folder)
            fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
        except OSError:
            return False
        header = {"key": self.key, "folder": folder, "chunks": len(chunks), "crc": crc, "length": sum(map(len, chunks)), "written_ns": time.time_ns()}
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pickle.dumps(header))
                handle.writelines(chunks)
            os.replace(temp, self.folder / name)
            return True
        except OSError:
            self._remove(temp)
            return False

    def _remove(self, name: str) -> None:
        try:
            os.unlink(self.folder / name)
        except OSError:
            pass


def clear_cache(root: Path) -> bool:
    """Delete the cache files (never needed for correctness); True when something was removed."""
    removed = False
    for name in (SNAPSHOT_NAME, DELTA_NAME):
        try:
            os.unlink(root / CACHE_DIR / name)
            removed = True
        except OSError:
            pass
    return removed


def load_with_cache(root: Path, settings: Settings, files: list[FileStat]) -> tuple[Mapping[str, Parsed], dict[str, bytes]] | None:
    """Parsed files, reusing unchanged ones from the cache, and the hash of each one's bytes (`ParseCache.hashes`).
    None: no cache, parse everything."""
    if disabled():
        return None
    cache = ParseCache(root, settings)
    return cache.refresh(files), cache.hashes(files)
