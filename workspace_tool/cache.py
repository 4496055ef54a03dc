"""The persistent parse cache under `.wm/` (disposable; see docs/performance.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from workspace_tool.config import Settings
from workspace_tool.loader import FileStat
from workspace_tool.parse import Parsed


def load_with_cache(root: Path, settings: Settings, files: list[FileStat]) -> Mapping[str, Parsed] | None:
    """Parsed files, reusing unchanged ones from the cache. None: no cache, parse everything."""
    return None
