"""A small workspace shared by the query and view tests (today = 2026-11-26, a Thursday)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from workspace_tool.index import Index
from workspace_tool.workspace import load_index

TODAY = dt.date(2026, 11, 26)

FILES: dict[str, str] = {
    "workspace.yml": "name: test\n",
    "people/alice.md": "---\ntitle: Alice\ncapacity: 6\n---\n",
    "people/bob.md": "---\ntitle: Bob\ncapacity: 8\n---\n",
    "projects/web/project.md": "---\ntitle: Website\nstatus: active\ndue: 2026-12-20\n---\n",
    "projects/web/tasks/design.md": (
        "---\ntitle: Design pages\nstatus: done\nassignee: alice\npriority: high\nestimate: 2d\n"
        "due: 2026-11-20\ntags: [ui, api]\ncreated: 2026-10-01\n---\nMockups.\n"
    ),
    "projects/web/tasks/build.md": (
        "---\ntitle: Build site\nstatus: in-progress\nassignee: bob\npriority: critical\nestimate: 4h\n"
        "due: 2026-11-25\ndepends_on: [design]\ntags: [api]\n---\nBuild the LOGIN form.\n"
    ),
    "projects/web/tasks/test.md": (
        "---\ntitle: Test site\nstatus: todo\npriority: low\nestimate: 1w\ndue: 2026-12-02\n"
        "depends_on: [build]\n---\n"
    ),
    "projects/web/tasks/launch.md": (
        "---\ntitle: Launch\nstatus: todo\nmilestone: true\ndue: 2026-12-10\ndepends_on: [test]\n"
        "tags: [release]\n---\n"
    ),
    "projects/web/tasks/docs.md": (
        "---\ntitle: Write docs\nstatus: todo\nassignee: alice\nvisibility: private\ncreated: 2026-01-01\n"
        "---\nSome two words here.\n"
    ),
    "decisions/use-postgres.md": "---\ntitle: Use Postgres\nstatus: accepted\ndate: 2026-11-01\nproject: web\n---\n",
    "notes/meeting.md": "# Kickoff meeting\n\nWe discussed the login page.\n",
}


def make_workspace(root: Path, extra: dict[str, str] | None = None) -> Path:
    for relpath, text in {**FILES, **(extra or {})}.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_index(root: Path, extra: dict[str, str] | None = None) -> Index:
    return load_index(make_workspace(root, extra), TODAY, use_cache=False)
