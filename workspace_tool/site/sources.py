"""Optional data from other parts of wm: the scheduler and the git history.

Each is imported lazily. When a module is missing (or fails on this
workspace) the site leaves its sections out and says why in a build
warning; pages never show placeholder text.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workspace_tool.index import Index


@dataclass
class Sources:
    """What the optional producers returned (None when unavailable) and why not."""

    plan: Any = None
    history: Any = None
    warnings: list[str] = field(default_factory=list)
    plan_input: str = ""  # a fingerprint of what the plan was made from ("" when unknown): the same input gives the same plan


def load_sources(index: Index, with_history: bool = True) -> Sources:
    sources = Sources()
    if with_history:
        sources.history = _try(sources, "history", lambda: _history(index))
    sources.plan = _try(sources, "schedule", lambda: _schedule(index, sources))
    return sources


def _try(sources: Sources, name: str, produce: Any) -> Any:
    try:
        return produce()
    except ImportError:
        return None  # that part of wm is not installed: its sections are left out
    except Exception as exc:  # a producer failing must not take the site down
        sources.warnings.append(f"{name} unavailable, its sections are left out: {type(exc).__name__}: {exc}")
        return None


def _schedule(index: Index, sources: Sources | None = None) -> Any:
    """The plan; kept in `.wm/site-plan.pickle` with a fingerprint of its input (scheduling is pure: the same input gives the same plan)."""
    from workspace_tool import __version__
    from workspace_tool.scheduling import schedule  # type: ignore[attr-defined,unused-ignore]
    from workspace_tool.scheduling.adapter import build_input  # type: ignore[import-not-found,unused-ignore]

    given = build_input(index, None, _done_dates(index, sources.history if sources is not None else None))
    try:
        digest = hashlib.blake2b(__version__.encode() + repr(_canonical(given)).encode(), digest_size=16).hexdigest()
    except (TypeError, ValueError, RecursionError):
        digest = ""
    if sources is not None:
        sources.plan_input = digest
    kept = _load_plan(index.root / PLAN_CACHE, digest) if digest else None
    if kept is not None:
        return kept
    plan = schedule(given)
    if digest:
        _save_plan(index.root / PLAN_CACHE, digest, plan)
    return plan


def _done_dates(index: Index, history: Any) -> dict[str, Any]:
    """Done dates from history for done tasks that have no `done:` key (the same rule as `wm schedule`)."""
    from workspace_tool.scheduling.adapter import done_dates_from

    return {} if history is None else done_dates_from(index, history)


def _canonical(value: Any) -> Any:
    """A value with every set sorted, so its repr is the same in every process (set order follows the hash seed)."""
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, tuple((name, _canonical(getattr(value, name))) for name in value.__dataclass_fields__))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_canonical(v) for v in value), key=repr)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(k), _canonical(v)) for k, v in value.items()), key=lambda kv: kv[0])))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


PLAN_CACHE = ".wm/site-plan.pickle"


class _PlanUnpickler(pickle.Unpickler):
    """Only the scheduler's own types and a few standard ones: a planted file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone")}:
            return super().find_class(module, name)
        if module == "workspace_tool.scheduling.types" and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:
                return found
        raise pickle.UnpicklingError(f"unexpected global {module}.{name} in {PLAN_CACHE}")


def _load_plan(path: Path, digest: str) -> Any:
    try:
        with open(path, "rb") as handle:
            if handle.readline().strip() != digest.encode():
                return None
            return _PlanUnpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, IndexError):
        return None


def _save_plan(path: Path, digest: str, plan: Any) -> None:
    """Atomically (temporary file, then rename); a read-only workspace just schedules every time."""
    try:
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(digest.encode() + b"\n" + pickle.dumps(plan, protocol=5))
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass


def _history(index: Index) -> Any:
    """The git history; None outside a repository or before the first commit (every document would show only its working copy)."""
    from workspace_tool.history import load_history  # type: ignore[import-not-found,unused-ignore]

    history = load_history(index, progress=False)
    return history if getattr(history, "head", None) else None
