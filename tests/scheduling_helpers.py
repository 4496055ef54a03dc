"""Small builders for scheduling tests: a workspace on disk from a few dicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from workspace_tool.index import Index
from workspace_tool.workspace import load_index


def write_workspace(
    root: Path,
    tasks: dict[str, dict[str, Any]],
    start: str = "2024-01-01",
    people: dict[str, dict[str, Any]] | None = None,
    projects: dict[str, dict[str, Any]] | None = None,
    calendar: dict[str, Any] | None = None,
    project: str = "p",
) -> Path:
    """Write workspace.yml, projects and tasks (all under `projects/<project>` unless a task names another)."""
    config: dict[str, Any] = {"name": "test", "schedule": {"start": dt.date.fromisoformat(start)}}
    if calendar:
        config["calendar"] = calendar
    (root / "workspace.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for pid, fields in ({project: {}} | (projects or {})).items():
        _doc(root / "projects" / pid / "project.md", {"title": pid, **fields})
    for tid, fields in tasks.items():
        pid = fields.get("project", project)
        _doc(root / "projects" / pid / "tasks" / f"{tid}.md", {"title": tid, **fields})
    for name, fields in (people or {}).items():
        _doc(root / "people" / f"{name}.md", {"title": name, **fields})
    return root


def _doc(path: Path, fields: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n", encoding="utf-8")


def index_of(root: Path) -> Index:
    return load_index(root, use_cache=False)
