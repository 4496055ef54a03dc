"""`wm demo DEST`: the sample workspace in a new repository whose history replays its documents by their dates."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from conftest import SAMPLE


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") or part == "site" for part in p.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from workspace_tool.cli import main

    dest = tmp_path_factory.mktemp("demo") / "northwind"
    result = CliRunner().invoke(main, ["-C", str(SAMPLE), "--today", "2026-11-26", "demo", str(dest)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"built 123 pages; open {dest / 'site' / 'index.html'}\n"
    assert result.stderr.startswith(f"wrote {dest}: 114 documents, ") and result.stderr.endswith(" to 2026-11-26\n")
    return dest


def test_the_last_commit_is_the_workspace_byte_for_byte(demo: Path) -> None:
    assert _files(demo) == _files(SAMPLE)
    assert _git(demo, "status", "--porcelain") == ""  # the built site and the cache are ignored
    assert (demo / ".gitignore").read_text(encoding="utf-8") == ".wm/\nsite/\n"


def test_the_history_is_its_people_s_in_time_order(demo: Path) -> None:
    """Authored by the sample's people with their emails, one commit per person and day, dates never going back,
    none after today; the first commit sets up the workspace."""
    log = [line.split("\t") for line in _git(demo, "log", "--reverse", "--format=%an\t%ae\t%ad\t%s", "--date=iso-strict").splitlines()]
    assert len(log) > 150
    people = {("Alice Moreau", "alice@northwind.example"), ("Bob Lindqvist", "bob@northwind.example"), ("Carol Nakamura", "carol@northwind.example"),
              ("Dan Okafor", "dan@northwind.example"), ("Erin Walsh", "erin@northwind.example"), ("Frank Ibarra", "frank@northwind.example")}
    assert {(name, email) for name, email, _, _ in log} == people
    moments = [dt.datetime.fromisoformat(when) for _, _, when, _ in log]
    assert moments == sorted(moments) and moments[-1].date() <= dt.date(2026, 11, 26)
    assert log[0][3].startswith("Set up the workspace")
    days = [(name, when[:10]) for name, _, when, _ in log]
    assert len(days) == len(set(days))


def test_a_task_moves_through_the_workflow_on_the_days_its_documents_say(demo: Path, wm: Callable[..., Result]) -> None:
    """portal-requirements: created 2026-09-07; first time logged on 2026-09-14; done 2026-09-18 (so in review the
    day before); each step by its assignee."""
    versions = json.loads(wm("-C", str(demo), "history", "portal-requirements", "--json").stdout)["versions"]
    steps = [(v["date"][:10], v["author"], next((c["new"] for c in v["changes"] if c["field"] == "status"), None)) for v in reversed(versions)]
    assert steps == [
        ("2026-09-07", "Alice Moreau", "todo"),
        ("2026-09-14", "Alice Moreau", "in-progress"),
        ("2026-09-17", "Alice Moreau", "review"),
        ("2026-09-18", "Alice Moreau", "done"),
    ]


def test_the_board_and_the_activity_read_the_replayed_history(demo: Path, wm: Callable[..., Result]) -> None:
    board = json.loads(wm("-C", str(demo), "board", "--project", "fjordline-portal", "--json").stdout)
    started = {card["id"]: card["days_in_column"] for column in board if column["status"] == "in-progress" for card in column["cards"]}
    assert started and all(isinstance(days, int) and days > 0 for days in started.values())
    activity = wm("-C", str(demo), "activity", "--since", "2w").stdout
    assert "alice " in activity and "logged" not in activity.split("\n")[0]


def test_a_time_log_grows_week_by_week(demo: Path) -> None:
    counts = [
        sum(line.startswith("- 2026-09") for line in _git(demo, "show", f"{commit}:timelogs/alice/2026-09.md").splitlines())
        for commit in _git(demo, "log", "--reverse", "--format=%H", "--", "timelogs/alice/2026-09.md").split()
    ]
    assert len(counts) >= 4 and counts == sorted(counts) and len(set(counts)) == len(counts)


def test_the_same_workspace_on_the_same_day_gives_the_same_commits(demo: Path, tmp_path: Path, wm: Callable[..., Result]) -> None:
    again = tmp_path / "again"
    assert wm("-C", str(SAMPLE), "demo", str(again), "--no-site").exit_code == 0
    assert _git(again, "rev-parse", "HEAD") == _git(demo, "rev-parse", "HEAD")
    assert not (again / "site").exists()


def test_a_folder_in_use_or_inside_the_workspace_is_refused(tmp_path: Path, wm: Callable[..., Result]) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine", encoding="utf-8")
    result = wm("-C", str(SAMPLE), "demo", str(used))
    assert result.exit_code == 2 and result.output == f"wm: {used} is not an empty folder; the demo is made in a new one (nothing was written)\n"
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    inside = wm("-C", str(SAMPLE), "demo", str(SAMPLE / "demo"))
    assert inside.exit_code == 2 and "is inside the workspace" in inside.output and not (SAMPLE / "demo").exists()


def test_attachments_are_copied_as_they_are(
    workspace: Path, write_doc: Callable[[str, str], Path], tmp_path_factory: pytest.TempPathFactory, wm: Callable[..., Result]
) -> None:
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n![mockup](mockup.png)\n")
    picture = b"\x89PNG\r\n\x1a\n\x00\xff\xfe binary"
    (workspace / "projects/web/mockup.png").write_bytes(picture)
    dest = tmp_path_factory.mktemp("elsewhere") / "demo"  # (the workspace is tmp_path itself)
    assert wm("-C", str(workspace), "demo", str(dest), "--no-site").exit_code == 0
    assert (dest / "projects/web/mockup.png").read_bytes() == picture
    assert _git(dest, "status", "--porcelain") == ""


def test_a_name_or_email_that_would_break_the_commit_header_is_cleaned(
    workspace: Path, write_doc: Callable[[str, str], Path], tmp_path_factory: pytest.TempPathFactory, wm: Callable[..., Result]
) -> None:
    write_doc("people/zed.md", '---\nname: "Zed <the>\\nContractor"\nemail: " zed@example.com\\n"\n---\n')
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\nowner: zed\n---\n")
    dest = tmp_path_factory.mktemp("elsewhere") / "demo"
    result = wm("-C", str(workspace), "demo", str(dest), "--no-site")
    assert result.exit_code == 0, result.output
    assert set(_git(dest, "log", "--format=%an <%ae>").splitlines()) == {"Zed the Contractor <zed@example.com>"}


def test_a_failed_git_leaves_the_folder_empty_for_the_next_try(tmp_path: Path, wm: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool import demo

    real = demo._git

    def broken(cwd: Path, env: dict[str, str], *args: str, stdin: bytes | None = None) -> None:
        if args[0] == "fast-import":
            raise demo.WorkspaceError(f"git fast-import failed in {cwd}: fatal: simulated")
        real(cwd, env, *args, stdin=stdin)

    monkeypatch.setattr(demo, "_git", broken)
    dest = tmp_path / "demo"
    result = wm("-C", str(SAMPLE), "demo", str(dest), "--no-site")
    assert result.exit_code == 1 and "fatal: simulated" in result.output
    assert dest.is_dir() and list(dest.iterdir()) == []
