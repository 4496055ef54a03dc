"""Optional data from other parts of wm: the scheduler and the git history.

Each is imported lazily. When a module is missing (or fails on this
workspace) the site leaves its sections out and says why in a build
warning; pages never show placeholder text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workspace_tool.index import Index


@dataclass
class Sources:
    """What the optional producers returned (None when unavailable) and why not."""

    plan: Any = None
    history: Any = None
    warnings: list[str] = field(default_factory=list)


def load_sources(index: Index, with_history: bool = True) -> Sources:
    sources = Sources()
    sources.plan = _try(sources, "schedule", lambda: _schedule(index))
    if with_history:
        sources.history = _try(sources, "history", lambda: _history(index))
    return sources


def _try(sources: Sources, name: str, produce: Any) -> Any:
    try:
        return produce()
    except ImportError:
        return None  # that part of wm is not installed: its sections are left out
    except Exception as exc:  # a producer failing must not take the site down
        sources.warnings.append(f"{name} unavailable, its sections are left out: {type(exc).__name__}: {exc}")
        return None


def _schedule(index: Index) -> Any:
    from workspace_tool.scheduling import schedule_index  # type: ignore[attr-defined,unused-ignore]

    return schedule_index(index)


def _history(index: Index) -> Any:
    """The git history; None outside a repository or before the first commit (every document would show only its working copy)."""
    from workspace_tool.history import load_history  # type: ignore[import-not-found,unused-ignore]

    history = load_history(index, progress=False)
    return history if getattr(history, "head", None) else None
