"""Loading a workspace: settings, files (through the cache), parse, index.

`load_index` is the one entry point every command uses.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from workspace_tool.config import Settings
from workspace_tool.errors import Diagnostic, UsageError
from workspace_tool.gcpause import paused
from workspace_tool.index import Index, build_index
from workspace_tool.loader import FileStat, discover, find_root, parse_file, read_settings
from workspace_tool.model import Document
from workspace_tool.parse import Parsed


def today_from_env(value: str | None = None) -> dt.date:
    """`--today` / `WM_TODAY` pin the current date; else the real one."""
    text = value or os.environ.get("WM_TODAY")
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"bad date for --today/WM_TODAY: {text!r} (use YYYY-MM-DD)") from None


def locate(directory: str | os.PathLike[str] | None = None) -> Path:
    """The workspace root: `-C DIR`, else `WM_WORKSPACE`, else from the current folder upwards."""
    start = directory or os.environ.get("WM_WORKSPACE") or os.getcwd()
    return find_root(Path(start))


def load_index(
    root: Path, today: dt.date | None = None, use_cache: bool = True, with_history: bool = False, history_texts: int = 0, history_progress: bool | None = False
) -> Index:
    """Read the whole workspace into an index. One broken file never hides the others.

    `with_history`: the caller reads the git history next; when it has not
    been read before, a second process reads it meanwhile (`history.read.prefetch`),
    keeping the texts of each document file's newest `history_texts` changes (`history.texts`),
    with a progress bar on stderr as `history_progress` says (None: on a terminal).
    """
    with paused():  # many small, long-lived objects
        return _load_index(root, today, use_cache, with_history, history_texts, history_progress)


def _load_index(
    root: Path, today: dt.date | None, use_cache: bool, with_history: bool = False, history_texts: int = 0, history_progress: bool | None = False
) -> Index:
    settings, setting_problems = read_settings(root)
    if with_history and use_cache:
        from workspace_tool.history.read import prefetch

        prefetch(root, settings, progress=history_progress, keep_texts=history_texts)
    files, walk_problems = discover(root, settings)
    cached = None
    if use_cache:
        from workspace_tool.cache import load_with_cache

        cached = load_with_cache(root, settings, files)
    parsed, hashes = cached if cached is not None else ({f.relpath: parse_file(root, f.relpath, settings) for f in files}, {})
    return assemble_index(root, settings, parsed, setting_problems + walk_problems, today or today_from_env(), files, hashes)


def assemble_index(
    root: Path,
    settings: Settings,
    parsed: Mapping[str, Parsed],
    problems: list[Diagnostic],
    today: dt.date,
    files: Iterable[FileStat] = (),
    hashes: dict[str, bytes] | None = None,
) -> Index:
    """The index from every file's parse result plus workspace-level problems (settings, folders); `files`: their stats
    as read; `hashes`: the hash of each file's bytes, where the parse cache knows it."""
    documents: list[Document] = []
    diagnostics: dict[str, tuple[Diagnostic, ...]] = {}
    for relpath, result in parsed.items():
        if result.document is not None:
            documents.append(result.document)
        if result.diagnostics:
            diagnostics[relpath] = result.diagnostics
    for problem in problems:
        diagnostics[problem.path] = diagnostics.get(problem.path, ()) + (problem,)
    index = build_index(root, settings, documents, diagnostics, today)
    index.file_stats = {f.relpath: (f.size, f.mtime_ns) for f in files}
    index.file_hashes = hashes or {}
    return index


class WarmIndex:
    """An index read again and again by one process (`wm watch`, `wm site serve`): each read stats every file and
    parses only those whose stat changed, through an in-memory `ParseCache` that also keeps `.wm/` current."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: Any = None
        self._fingerprint = ""

    def load(self, today: dt.date) -> Index:
        from workspace_tool.cache import ParseCache, settings_fingerprint

        with paused(freeze=False):  # this process lives on: nothing it loads may stay frozen
            settings, setting_problems = read_settings(self.root)
            fingerprint = settings_fingerprint(settings)
            if self._cache is None or fingerprint != self._fingerprint:  # other settings: every file is parsed again
                self._cache, self._fingerprint = ParseCache(self.root, settings), fingerprint
            files, walk_problems = discover(self.root, settings)
            parsed = self._cache.refresh(files)
            return assemble_index(self.root, settings, parsed, setting_problems + walk_problems, today, files, self._cache.hashes(files))

    @property
    def stats(self) -> Any:
        """The last read's `CacheStats` (None before the first)."""
        return None if self._cache is None else self._cache.stats
