"""`wm import ... --update` brings `sprint`, `story_points`, `start`, `remaining` and `depends_on` up to date as it
does the other fields: the export's value where the team has not changed the field in wm since the import (the
import's commit is the baseline), wm's kept where only the team changed it, and a conflict (kept, said with the fix)
where both did. Real git repositories in tmp_path, as in test_import_update.py."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from test_import_update import committed, git

Wm = Callable[..., Result]
Export = Callable[[str, str], Path]
HEADER = (
    "Summary,Issue key,Issue id,Project name,Project key,Status,Status Category,Sprint,Custom field (Story Points),"
    "Custom field (Start date),Original Estimate,Remaining Estimate,Inward issue link (Blocks)\n"
)
PAY = "projects/proj/tasks/pay.md"
SHIP = "projects/proj/tasks/ship.md"
DAY = "{}/Dec/26 12:00 AM"


def row(title: str, key: str, sprint: str = "S1", points: str = "3", start: str = "01", remaining: str = "21600", blocks: str = "") -> str:
    number = key.split("-")[1]
    return f"{title},{key},10{number},Proj,P,To Do,To Do,{sprint},{points},{DAY.format(start)},36000,{remaining},{blocks}\n"


V1 = HEADER + row("Pay", "P-1", blocks="P-2") + row("Ship", "P-2") + row("Docs", "P-3")

# field -> (what the newer export's Pay row says instead, wm set's value for the team's edit, the line the file then has,
#           what the update says of it, the fix a conflict names)
CASES = {
    "sprint": ({"sprint": "S2"}, "sprint=S3", "sprint: S3", "sprint S1 -> S2", "wm set pay sprint=S2"),
    "story_points": ({"points": "5"}, "story_points=8", "story_points: 8", "story_points 3 -> 5", "wm set pay story_points=5"),
    "start": ({"start": "03"}, "start=2026-12-02", "start: 2026-12-02", "start 2026-12-01 -> 2026-12-03", "wm set pay start=2026-12-03"),
    "remaining": ({"remaining": "14400"}, "remaining=5h", "remaining: 5h", "remaining 6h -> 4h", "wm set pay remaining=4h"),
    "depends_on": ({"blocks": "P-3"}, "depends_on=ship,docs", "depends_on: [ship, docs]", "depends_on ship -> docs", "wm set pay depends_on=docs"),
}
TAKEN = {
    "sprint": "sprint: S2", "story_points": "story_points: 5", "start": "start: 2026-12-03", "remaining": "remaining: 4h",
    "depends_on": "depends_on: [docs]",
}


@pytest.fixture
def repo(workspace: Path, wm: Wm, export: Export) -> Path:
    """The workspace as a git repository with V1 imported and committed: every test's baseline."""
    committed(workspace)
    result = wm("-C", str(workspace), "import", "jira", str(export("v1.csv", V1)), "--commit")
    assert result.exit_code == 0, result.output
    assert git(workspace, "status", "--porcelain") == ""
    return workspace



def newer(field: str) -> str:
    """V1 with Pay's `field` changed in the tracker."""
    return HEADER + row("Pay", "P-1", **{"blocks": "P-2", **CASES[field][0]}) + row("Ship", "P-2") + row("Docs", "P-3")


def test_the_import_wrote_what_the_cases_start_from(repo: Path) -> None:
    lines = (repo / PAY).read_text(encoding="utf-8").splitlines()
    assert {"sprint: S1", "story_points: 3", "start: 2026-12-01", "remaining: 6h", "depends_on: [ship]"} <= set(lines)


@pytest.mark.parametrize("field", list(CASES))
def test_update_takes_the_field_the_tracker_changed(repo: Path, wm: Wm, export: Export, field: str) -> None:
    before = (repo / PAY).read_text(encoding="utf-8").splitlines()
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", newer(field))), "--update")
    assert result.exit_code == 0, result.output
    assert f"updated {PAY}  (task pay: {CASES[field][3]})" in result.stdout
    assert "1 task updated (1 field), 0 fields kept as conflicts" in result.stderr
    after = (repo / PAY).read_text(encoding="utf-8").splitlines()
    assert [line for line in after if line not in before] == [TAKEN[field]]  # only that line changes
    assert len(after) == len(before)


@pytest.mark.parametrize("field", list(CASES))
def test_the_teams_edit_is_kept_when_the_tracker_did_not_change_the_field(repo: Path, wm: Wm, export: Export, field: str) -> None:
    assert wm("-C", str(repo), "set", "pay", CASES[field][1]).exit_code == 0
    edited = (repo / PAY).read_text(encoding="utf-8")
    result = wm("-C", str(repo), "import", "jira", str(export("same.csv", V1)), "--update")
    assert result.exit_code == 0, result.output
    assert (repo / PAY).read_text(encoding="utf-8") == edited  # a dependency the team added is not dropped
    assert CASES[field][2] in edited.splitlines()
    assert "1 field the team changed in wm since the import, which the Jira export still has as imported: kept as wm has them" in result.stderr


@pytest.mark.parametrize("field", list(CASES))
def test_a_field_changed_on_both_sides_is_kept_and_said(repo: Path, wm: Wm, export: Export, field: str) -> None:
    assert wm("-C", str(repo), "set", "pay", CASES[field][1]).exit_code == 0
    edited = (repo / PAY).read_text(encoding="utf-8")
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", newer(field))), "--update")
    assert result.exit_code == 0, result.output
    assert (repo / PAY).read_text(encoding="utf-8") == edited
    line = edited.splitlines().index(CASES[field][2]) + 1
    assert f"wm: warning: {PAY}:{line}: {field}: changed in wm (" in result.stderr
    assert f"wm's is kept (to take the export's: {CASES[field][4]})\n" in result.stderr
    assert "0 tasks updated (0 fields), 1 field kept as a conflict" in result.stderr


def test_without_update_a_changed_field_is_only_said(repo: Path, wm: Wm, export: Export) -> None:
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", newer("sprint"))))
    assert result.exit_code == 0, result.output
    assert "1 task imported before differ from the Jira export (sprint: 1; pay)" in result.stderr
    assert (repo / PAY).read_text(encoding="utf-8") == git(repo, "show", f"HEAD:{PAY}")


def test_a_dependency_on_a_task_new_in_the_export_is_its_new_id(repo: Path, wm: Wm, export: Export) -> None:
    text = HEADER + row("Pay", "P-1", blocks="P-4") + row("Ship", "P-2") + row("Docs", "P-3") + row("Audit", "P-4")
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", text)), "--update")
    assert result.exit_code == 0, result.output
    assert "depends_on: [audit]" in (repo / PAY).read_text(encoding="utf-8").splitlines()
    assert (repo / "projects/proj/tasks/audit.md").exists()


def test_a_dependency_that_would_close_a_loop_is_left_out(repo: Path, wm: Wm, export: Export) -> None:
    """Pay waits for Ship; the export has Ship wait for Pay too: Ship is not updated (no cycle), and nothing fails."""
    text = HEADER + row("Pay", "P-1", blocks="P-2") + row("Ship", "P-2", blocks="P-1") + row("Docs", "P-3")
    result = wm("-C", str(repo), "import", "jira", str(export("v2.csv", text)), "--update")
    assert result.exit_code == 0, result.output
    assert (repo / SHIP).read_text(encoding="utf-8") == git(repo, "show", f"HEAD:{SHIP}")
    assert "depends_on: [ship]" in (repo / PAY).read_text(encoding="utf-8").splitlines()


def test_a_generic_csv_updates_start_and_dependencies(repo: Path, wm: Wm, export: Export) -> None:
    """`wm import csv` reads `start` and `depends` (by another row's key): both follow the same rule."""
    columns = ["--source", "board", "--column", "title=Name", "--column", "key=ID", "--column", "start=Start", "--column", "depends=After"]
    first = "Name,ID,Start,After\nPlan,B-1,2026-12-01,B-2\nBuild,B-2,2026-12-01,\nTest,B-3,2026-12-01,\n"
    assert wm("-C", str(repo), "import", "csv", str(export("b1.csv", first)), *columns, "--commit").exit_code == 0
    (plan,) = [p for p in git(repo, "ls-files").splitlines() if p.endswith("/plan.md")]
    second = "Name,ID,Start,After\nPlan,B-1,2026-12-04,B-3\nBuild,B-2,2026-12-01,\nTest,B-3,2026-12-01,\n"
    result = wm("-C", str(repo), "import", "csv", str(export("b2.csv", second)), *columns, "--update")
    assert result.exit_code == 0, result.output
    lines = (repo / plan).read_text(encoding="utf-8").splitlines()
    assert "start: 2026-12-04" in lines and "depends_on: [test]" in lines
    assert "1 task updated (2 fields)" in result.stderr
