"""`wm watch`: keep the index warm and report diagnostics as files change.

Watchdog callbacks only mark that something changed (`Watcher.mark`); one
loop (`Watcher.run`) waits for ~100 ms of quiet, then re-indexes: a stat walk,
re-parsing only the files whose stat changed (through an in-memory
`ParseCache`, which also keeps the on-disk cache current), and a rebuild of
the index. It reports the diagnostics that appeared and the ones that were
fixed. Nothing a file contains can stop it; an unexpected failure is
reported in one line and watching goes on. It ignores its own cache (`.wm/`),
build output (`site/`) and hidden folders such as `.git/`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workspace_tool.cache import CacheStats
from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index
from workspace_tool.loader import CONFIG_NAME, SKIPPED_DIRS
from workspace_tool.workspace import WarmIndex

DEBOUNCE_SECONDS = 0.1


@dataclass(frozen=True)
class Change:
    """The result of one re-index: what appeared, what was fixed, and what it cost."""

    new: tuple[Diagnostic, ...]
    fixed: tuple[Diagnostic, ...]
    diagnostics: tuple[Diagnostic, ...]
    index: Index
    stats: CacheStats
    seconds: float
    paths: tuple[str, ...] = ()


def _identity(diagnostic: Diagnostic) -> tuple[str, str, str, str]:
    """A diagnostic's identity across edits: its line may move when lines are added above it."""
    return (diagnostic.path, diagnostic.severity, diagnostic.code, diagnostic.message)


def diff_diagnostics(before: list[Diagnostic], after: list[Diagnostic]) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """(new, fixed): compared by path, severity, code and message, not by line."""
    old, now = Counter(map(_identity, before)), Counter(map(_identity, after))
    new, fixed = [], []
    seen_new: Counter[tuple[str, str, str, str]] = Counter()
    for diagnostic in after:
        key = _identity(diagnostic)
        seen_new[key] += 1
        if seen_new[key] > old[key]:
            new.append(diagnostic)
    seen_old: Counter[tuple[str, str, str, str]] = Counter()
    for diagnostic in before:
        key = _identity(diagnostic)
        seen_old[key] += 1
        if seen_old[key] > now[key]:
            fixed.append(diagnostic)
    return tuple(new), tuple(fixed)


def is_ignored(root: Path, path: str) -> bool:
    """Events to ignore: outside the workspace, in hidden folders (`.wm/`, `.git/`), build output, non-documents."""
    try:
        rel = Path(path).resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return True
    parts = rel.split("/")
    if rel == ".":
        return False
    if any(part.startswith(".") for part in parts) or parts[0] in SKIPPED_DIRS:
        return True
    name = parts[-1]
    return "." in name and not name.endswith(".md") and rel != CONFIG_NAME  # folders (no suffix) still count


class Watcher:
    """The warm index and the debounce loop. Thread-safe `mark`; `run` does the work."""

    def __init__(self, root: Path, today: dt.date | None = None, debounce: float = DEBOUNCE_SECONDS) -> None:
        self.root = root.resolve()
        self.today = today
        self.debounce = debounce
        self._changed = threading.Event()
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._warm = WarmIndex(self.root)
        self.index: Index | None = None
        self.diagnostics: list[Diagnostic] = []

    # -- called from watchdog's thread: only mark --------------------
    def mark(self, path: str) -> None:
        if is_ignored(self.root, path):
            return
        with self._lock:
            self._paths.add(path)
        self._changed.set()

    def _take(self) -> tuple[str, ...]:
        with self._lock:
            paths, self._paths = self._paths, set()
        return tuple(sorted(paths))

    # -- the work ------------------------------------------------------
    def reindex(self, paths: tuple[str, ...] = ()) -> Change:
        """Stat every file, re-parse the changed ones, rebuild the index, diff the diagnostics."""
        started = time.perf_counter()
        index = self._warm.load(self.today or dt.date.today())
        diagnostics = index.diagnostics()
        new, fixed = diff_diagnostics(self.diagnostics, diagnostics)
        self.index, self.diagnostics = index, diagnostics
        return Change(new, fixed, tuple(diagnostics), index, self._warm.stats, time.perf_counter() - started, paths)

    def wait_for_quiet(self, stop: threading.Event) -> bool:
        """Block until a change was marked and then nothing for `debounce` seconds; False when stopping."""
        while not self._changed.wait(0.2):
            if stop.is_set():
                return False
        while True:
            self._changed.clear()
            if stop.wait(self.debounce):
                return False
            if not self._changed.is_set():
                return True

    def run(self, on_change: Callable[[Change], None], on_error: Callable[[str], None], stop: threading.Event) -> None:
        """The loop: wait for quiet, re-index, report; until `stop` is set."""
        while self.wait_for_quiet(stop):
            paths = self._take()
            try:
                change = self.reindex(paths)
            except Exception as exc:  # noqa: BLE001 - the watcher survives anything and says so in one line
                on_error(f"re-index failed: {type(exc).__name__}: {exc}")
                continue
            on_change(change)


def start_observer(watcher: Watcher) -> Any:
    """A watchdog observer feeding `watcher.mark` (recursive, from the workspace root)."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
                return  # reads, and a folder's listing changing (its files' own events follow)
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    watcher.mark(path if isinstance(path, str) else path.decode())

    observer = Observer()
    observer.schedule(Handler(), str(watcher.root), recursive=True)
    observer.daemon = True
    observer.start()
    return observer


def watch(
    root: Path,
    on_ready: Callable[[Change], None],
    on_change: Callable[[Change], None],
    on_error: Callable[[str], None],
    stop: threading.Event,
    today: dt.date | None = None,
    debounce: float = DEBOUNCE_SECONDS,
) -> None:
    """Index once, then watch until `stop` is set; the observer is always stopped on the way out."""
    watcher = Watcher(root, today, debounce)
    on_ready(watcher.reindex())
    observer = start_observer(watcher)
    try:
        watcher.run(on_change, on_error, stop)
    finally:
        observer.stop()
        observer.join(timeout=5)
