"""The site shows the same project health as `wm report projects`: one rule (`workspace_tool.health`), two ways of reading the facts."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable

from click.testing import Result
from conftest import SAMPLE
from test_site_build import TODAY

from workspace_tool.site import BuildOptions, build_site
from workspace_tool.workspace import load_index

HEALTH = re.compile(r'<span class="health health-(\w+)" title="([^"]*)">')


def site_health(out: Path, project: str) -> tuple[str, list[str]]:
    found = HEALTH.search((out / "projects" / f"{project}.html").read_text(encoding="utf-8"))
    assert found is not None, project
    return found.group(1), html.unescape(found.group(2)).split("; ")


def test_project_pages_agree_with_the_portfolio_report(tmp_path: Path, wm: Callable[..., Result]) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws, ignore=shutil.ignore_patterns(".wm", "site"))
    out = tmp_path / "out"
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))
    result = wm("-C", str(ws), "report", "projects", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)["projects"]
    levels = set()
    for row in rows:
        level, why = site_health(out, row["id"])
        if level == "grey":  # the site greys out closed projects; the report still rates their budget
            assert row["status"] in ("done", "cancelled")
            continue
        assert (level, why) == (row["health"], row["reasons"] or ["on track"]), row["id"]
        levels.add(level)
    assert len(levels) >= 2  # the sample has projects in different states: the comparison is not of defaults


def test_a_closed_project_with_open_tasks_says_so_in_the_report_and_on_the_site(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """Work added to a finished project (`wm apply` onto it, a task filed there by mistake) showed nothing wrong."""
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws, ignore=shutil.ignore_patterns(".wm", "site"))
    (ws / "projects/harbor-shop-relaunch/tasks/late-extra.md").write_text("---\ntitle: Late extra\nstatus: todo\n---\n", encoding="utf-8")
    rows = {r["id"]: r for r in json.loads(wm("-C", str(ws), "report", "projects", "--json").stdout)["projects"]}
    harbor = rows["harbor-shop-relaunch"]
    assert harbor["status"] == "done" and "closed with 1 open task" in harbor["reasons"] and harbor["health"] == "amber"
    out = tmp_path / "out"
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))
    assert site_health(out, "harbor-shop-relaunch") == ("grey", ["project is done", "closed with 1 open task"])
    assert site_health(out, "fjordline-portal")[0] != "grey"
