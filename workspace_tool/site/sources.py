"""Optional data from other parts of wm: the scheduler and the git history.

Each is imported lazily. When a module is missing (or fails on this
workspace) the site leaves its sections out and says why in a build
warning; pages never show placeholder text.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from workspace_tool.cachefile import replace_file
from workspace_tool.index import Index


@dataclass
class Sources:
    """What the optional producers returned (None when unavailable) and why not."""

    plan: Any = None
    history: Any = None
    warnings: list[str] = field(default_factory=list)
    plan_input: str = ""  # a fingerprint of what the plan was made from ("" when unknown): the same input gives the same plan
    task_bytes: Mapping[str, bytes] = field(default_factory=dict)  # each scheduled task pickled (as kept): fingerprints hash these
    dated: dict[str, tuple[str, bool]] = field(default_factory=dict)  # `dated_working(history)`, made once per build
    unsaved: tuple[Path, str, Any, str] | None = None  # a plan made now, not yet pickled and kept (`settle`)

    def settle(self) -> None:
        """Pickle the plan made in this build task by task (`task_bytes`) and keep it in `.wm/` (see `_schedule`).

        The site does this while its render workers work: at 10,000 tasks it
        is about 0.34 s that a cold build would otherwise spend before it
        forks them. A fingerprint asked for before then settles first.
        """
        if self.unsaved is not None:
            path, digest, plan, shortcut = self.unsaved
            self.unsaved = None
            self.task_bytes = pickled = pickle_tasks(plan)
            if digest:
                _save_plan(path, digest, plan, shortcut, pickled)


def load_sources(
    index: Index, with_history: bool = True, cards: Mapping[str, str] | None = None, before_plan: Callable[[Sources], object] | None = None
) -> Sources:
    """The history and the plan. `cards` (path -> card fingerprint of every document, see `deps.card`) lets a kept
    plan be taken without making the scheduler's input again when no document's card changed; `before_plan` runs
    once the history is read (when there is one), before the plan is made."""
    sources = Sources()
    if with_history:
        sources.history = _try(sources, "history", lambda: _history(index))
        history_warnings(sources)
        if sources.history is not None:
            sources.dated = _try(sources, "history", lambda: dated_working(sources.history)) or {}
            if before_plan is not None:
                before_plan(sources)
    sources.plan = _try(sources, "schedule", lambda: _schedule(index, sources, _shortcut(index, sources, cards)))
    return sources


def _try(sources: Sources, name: str, produce: Any) -> Any:
    try:
        return produce()
    except ImportError:
        return None  # that part of wm is not installed: its sections are left out
    except Exception as exc:  # a producer failing must not take the site down
        sources.warnings.append(f"{name} unavailable, its sections are left out: {type(exc).__name__}: {exc}")
        return None


SCHEDULED_FROM = frozenset({"task", "person", "project", "timelog"})
"""The types of document the scheduler's input is made from (`scheduling.adapter.build_input`: tasks, people, projects,
and the hours logged against tasks); a note, decision, client or goal that changes or comes or goes keeps the plan."""


def _shortcut(index: Index, sources: Sources, cards: Mapping[str, str] | None) -> str:
    """Everything the scheduler's input is made from, cheaply: the cards of the documents it reads (`SCHEDULED_FROM`),
    the settings, today, the commit and the day of each uncommitted version that can move a date (`dated_working`).
    "" when the cards are not known."""
    if cards is None:
        return ""
    from workspace_tool.cache import settings_fingerprint
    from workspace_tool.codeprint import code_version

    working = sorted((path, *found) for path, found in sources.dated.items())
    by_path = index.by_path
    read = sorted((path, card) for path, card in cards.items() if getattr(by_path.get(path), "type", None) in SCHEDULED_FROM or path not in by_path)
    shadowed = sorted(path for path, doc in by_path.items() if index.docs.get(doc.id) is not doc)  # a duplicate ID can hide a task
    parts = [code_version(), settings_fingerprint(index.settings), index.today.isoformat(), getattr(sources.history, "head", None), working, read, shadowed]
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def dated_working(history: Any) -> dict[str, tuple[str, bool]]:
    """The uncommitted versions that can move a date history gives (a done date, a flow series), by path: their day, and
    whether they delete the file. Those are the versions that change fields, make, move or delete the file, or cannot be
    read; one that changes only the text changes no status and no estimate, so no date."""
    found: dict[str, tuple[str, bool]] = {}
    for doc in history.working_documents():
        version = doc.versions[-1]
        if version.deleted or version.created or version.old_path or version.unparseable or version.changes:
            found[doc.path] = (version.date.date().isoformat(), version.deleted)
    return found


def _schedule(index: Index, sources: Sources | None = None, shortcut: str = "") -> Any:
    """The plan; kept in `.wm/site-plan.pickle` with a fingerprint of its input (scheduling is pure: the same input gives the same plan).

    With `shortcut` (`_shortcut`) equal to the one the kept plan was saved
    with, the kept plan is taken without making the input again.
    """
    if shortcut:
        kept = _load_plan(index.root / PLAN_CACHE, shortcut=shortcut)
        if kept is not None:
            if sources is not None:
                sources.plan_input = kept[0]
                sources.task_bytes = kept[1].tasks.pickled
            return kept[1]
    from workspace_tool.scheduling import schedule  # type: ignore[attr-defined,unused-ignore]  # (not imported when the shortcut holds)
    from workspace_tool.scheduling.adapter import build_input  # type: ignore[import-not-found,unused-ignore]
    from workspace_tool.scheduling.plan_cache import input_digest

    given = build_input(index, None, _done_dates(index, sources.history if sources is not None else None))
    digest = input_digest(given)  # as the command line's kept plans are found (`scheduling.plan_cache`)
    if sources is not None:
        sources.plan_input = digest
    found = _load_plan(index.root / PLAN_CACHE, digest) if digest else None
    if found is None:
        plan = schedule(given)
        if sources is not None:  # pickled and kept later (`Sources.settle`)
            sources.task_bytes, sources.unsaved = {}, (index.root / PLAN_CACHE, digest, plan, shortcut)
        elif digest:
            _save_plan(index.root / PLAN_CACHE, digest, plan, shortcut)
        return plan
    if shortcut and found[2] != shortcut:  # the same input from other cards (a note edited): the next build takes the shortcut
        _restamp(index.root / PLAN_CACHE, digest, shortcut)
    if sources is not None:
        sources.task_bytes = found[1].tasks.pickled
    return found[1]


def _done_dates(index: Index, history: Any) -> dict[str, Any]:
    """Done dates from history for done tasks that have no `done:` key (the same rule as `wm schedule`)."""
    from workspace_tool.scheduling.adapter import done_dates_from, modified_dates, undated_done_tasks

    if history is None:  # no commits to read: the files' own dates, as `wm schedule` finds them
        return modified_dates(index, undated_done_tasks(index))
    return done_dates_from(index, history)


PLAN_CACHE = ".wm/site-plan.pickle"


def _unpickle(payload: bytes) -> Any:
    """A kept plan's pickle, read knowing only the scheduler's types (`scheduling.plan_cache.PlanUnpickler`)."""
    from workspace_tool.scheduling.plan_cache import PlanUnpickler

    return PlanUnpickler(io.BytesIO(payload)).load()


class LazyTasks(Mapping[str, Any]):
    """A kept plan's scheduled tasks, each unpickled when first read (an incremental build reads a few of thousands)."""

    def __init__(self, pickled: dict[str, bytes]) -> None:
        self.pickled = pickled
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, task_id: str) -> Any:
        found = self._loaded.get(task_id)
        if found is None:
            found = self._loaded[task_id] = _unpickle(self.pickled[task_id])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.pickled)

    def __len__(self) -> int:
        return len(self.pickled)


def _load_plan(path: Path, digest: str = "", shortcut: str = "") -> tuple[str, Any, str] | None:
    """(input digest, plan, shortcut) of the kept plan when its input digest, or its shortcut, is the one given;
    its tasks are read on first use. None when missing, stale or damaged."""
    try:
        with open(path, "rb") as handle:
            kept_digest = handle.readline().strip().decode("ascii")
            kept_shortcut = handle.readline().strip().decode("ascii")
            if not kept_digest or not (kept_digest == digest or (shortcut and kept_shortcut == shortcut)):
                return None
            check = handle.readline().strip().decode("ascii")
            payload = handle.read()
        if check != _checksum(payload):
            return None
        plan, pickled = _unpickle(payload)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, IndexError, UnicodeDecodeError):
        return None
    if not isinstance(pickled, dict) or not all(type(value) is bytes for value in pickled.values()) or not hasattr(plan, "__dataclass_fields__"):
        return None
    return kept_digest, replace(plan, tasks=LazyTasks(pickled)), kept_shortcut


def _restamp(path: Path, digest: str, shortcut: str) -> None:
    """The kept plan's file with a new shortcut line (the plan itself is not read or written again)."""
    try:
        data = path.read_bytes()
        payload = data.split(b"\n", 2)[2]
        replace_file(path, digest.encode() + b"\n" + shortcut.encode() + b"\n" + payload)
    except (OSError, IndexError):
        pass


def _checksum(payload: bytes) -> str:
    """Of the whole payload at once (the tasks are unpickled one by one, later: a damaged one must be found before)."""
    from workspace_tool.scheduling.plan_cache import checksum

    return checksum(payload)


def pickle_tasks(plan: Any) -> dict[str, bytes]:
    """Each scheduled task pickled on its own: kept so, and hashed so for the site's fingerprints."""
    return {task_id: pickle.dumps(task, protocol=5) for task_id, task in plan.tasks.items()}


def _save_plan(path: Path, digest: str, plan: Any, shortcut: str = "", pickled: dict[str, bytes] | None = None) -> None:
    """Atomically (temporary file, then rename); a read-only workspace just schedules every time.

    Each task is pickled on its own, so a later build unpickles only the tasks it reads.
    The file: the input digest, the shortcut, a checksum of the payload, each on a line; then the payload.
    """
    try:
        pickled = pickle_tasks(plan) if pickled is None else pickled
        payload = pickle.dumps((replace(plan, tasks={}), pickled), protocol=5)
        replace_file(path, b"\n".join((digest.encode(), shortcut.encode(), _checksum(payload).encode(), payload)))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass


def _history(index: Index) -> Any:
    """The git history; None outside a repository or before the first commit (every document would show only its working copy)."""
    from workspace_tool.history import load_history  # type: ignore[import-not-found,unused-ignore]
    from workspace_tool.history.read import in_git

    if not in_git(index.root):
        return None  # not read: it would read and parse every file again (5 s of a no-op build at 50,000)
    history = load_history(index, progress=False)
    return history if getattr(history, "head", None) else None


def history_warnings(sources: Sources) -> None:
    """The history's own warnings (a shallow clone: its activity, feeds and flow charts start at its first commit) among
    the build's, so the build says so, `--strict` fails, and a clone unshallowed later remakes every page."""
    history = sources.history
    for warning in getattr(history, "warnings", ()) if history is not None else ():
        if warning not in sources.warnings:
            sources.warnings.append(warning)
