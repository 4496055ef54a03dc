"""Baselines: a plan's dates saved under a name, and the slip of a new plan against them.

`baseline_record` and `slips` are pure; `save_baseline`/`load_baseline` do the
file I/O (`baselines/NAME.yml`, written atomically).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from workspace_tool.errors import NotFoundError, UsageError, WorkspaceError
from workspace_tool.filemode import mode_for
from workspace_tool.scheduling.types import Plan

FOLDER = "baselines"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Slip:
    """How many calendar days an end moved against the baseline (positive: later); None if not in it."""

    baseline_end: dt.date | None
    days: int | None


def baseline_record(plan: Plan) -> dict[str, Any]:
    """The dates to keep: per open task and per project, its start and end."""
    tasks = {t.id: {"start": t.start.isoformat(), "end": t.end.isoformat()} for t in plan.tasks.values() if not t.closed}
    projects = {
        p.id: {"start": p.start.isoformat() if p.start else None, "end": p.end.isoformat() if p.end else None} for p in plan.projects.values()
    }
    return {"start": plan.start.isoformat(), "tasks": tasks, "projects": projects}


def slips(plan: Plan, baseline: Mapping[str, Any]) -> tuple[dict[str, Slip], dict[str, Slip]]:
    """(per task, per project) slip of the plan's ends against a baseline record."""
    tasks = {tid: _slip(t.end, baseline.get("tasks", {}).get(tid)) for tid, t in plan.tasks.items() if not t.closed}
    projects = {pid: _slip(p.end, baseline.get("projects", {}).get(pid)) for pid, p in plan.projects.items()}
    return tasks, projects


def _slip(end: dt.date | None, entry: Any) -> Slip:
    if not isinstance(entry, dict) or not entry.get("end") or end is None:
        return Slip(None, None)
    try:
        before = dt.date.fromisoformat(str(entry["end"]))
    except ValueError:
        return Slip(None, None)
    return Slip(before, (end - before).days)


def baseline_path(root: Path, name: str) -> Path:
    if not _NAME.match(name):
        raise UsageError(f"bad baseline name {name!r}: use letters, digits, '.', '_' and '-'")
    return root / FOLDER / f"{name}.yml"


def save_baseline(root: Path, name: str, plan: Plan) -> Path:
    """Write `baselines/NAME.yml` atomically (temporary file in the same folder, then os.replace)."""
    path = baseline_path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(baseline_record(plan), sort_keys=True, allow_unicode=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_baseline(root: Path, name: str) -> dict[str, Any]:
    path = baseline_path(root, name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"no baseline {name!r} ({FOLDER}/{name}.yml): save one with 'wm schedule --save-baseline {name}'") from None
    except (OSError, yaml.YAMLError) as exc:
        raise WorkspaceError(f"{FOLDER}/{name}.yml: cannot read baseline: {exc}") from None
    if not isinstance(data, dict):
        raise WorkspaceError(f"{FOLDER}/{name}.yml: not a baseline (expected a mapping)")
    return data
