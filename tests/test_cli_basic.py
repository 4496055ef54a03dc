"""The command line as a new user meets it: init, finding the workspace, show, errors."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner, Result
from conftest import SAMPLE

from workspace_tool.cli import main


def test_init_creates_a_workspace_in_git(tmp_path: Path, wm: Callable[..., Result]) -> None:
    target = tmp_path / "acme"
    result = wm("init", str(target))
    assert result.exit_code == 0
    assert (target / "workspace.yml").read_text().startswith("# wm workspace settings")
    for folder in ("projects", "people", "clients", "goals", "decisions", "risks", "timelogs", "notes", "templates"):
        assert (target / folder).is_dir()
    assert ".wm/" in (target / ".gitignore").read_text()
    assert "site/" in (target / ".gitignore").read_text()
    assert "merge=wm-timelog" in (target / ".gitattributes").read_text()
    assert (target / ".git").is_dir()
    assert wm("-C", str(target), "validate").exit_code == 0


def test_init_twice_refuses_and_changes_nothing(tmp_path: Path, wm: Callable[..., Result]) -> None:
    wm("init", str(tmp_path))
    before = (tmp_path / "workspace.yml").read_bytes()
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "already a workspace" in result.stderr
    assert (tmp_path / "workspace.yml").read_bytes() == before


def test_the_next_steps_init_prints_work_as_printed(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """`wm init` ends with the commands to type next: typed as printed (the placeholders filled in), they make a
    workspace that validates, with the task on the board."""
    result = wm("init", str(tmp_path / "ws"))
    hint = next(line for line in result.output.splitlines() if line.startswith("next: "))
    steps = hint.removeprefix("next: ").split("; then ")[0].split("; ")
    for step in steps:
        args = shlex.split(step.replace("<your git user.email>", "ada@example.com").replace("Your Name", "Ada Lovelace"))
        assert args[0] == "wm"
        assert wm("-C", str(tmp_path / "ws"), *args[1:]).exit_code == 0, step
    assert wm("-C", str(tmp_path / "ws"), "validate").exit_code == 0
    assert "a-task" in wm("-C", str(tmp_path / "ws"), "board").stdout


def test_init_inside_a_repository_does_not_nest_one(tmp_path: Path, wm: Callable[..., Result]) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    wm("init", str(tmp_path / "work"))
    assert not (tmp_path / "work" / ".git").exists()


def test_hand_written_files_then_validate_list_show(tmp_path: Path, wm: Callable[..., Result]) -> None:
    wm("init", str(tmp_path))
    (tmp_path / "people" / "alice.md").write_text("---\nname: Alice\n---\n")
    (tmp_path / "projects" / "web" / "tasks").mkdir(parents=True)
    (tmp_path / "projects" / "web" / "project.md").write_text("---\nstatus: active\nowner: alice\n---\n# Website\n")
    (tmp_path / "projects" / "web" / "tasks" / "mockups.md").write_text(
        "---\nassignee: alice\nestimate: 2d\n---\n# Mockups\n\nFor [[web]].\n"
    )
    assert wm("-C", str(tmp_path), "validate").exit_code == 0
    shown = wm("-C", str(tmp_path), "show", "mockups").stdout
    assert "Mockups" in shown and "alice (alice)" in shown and "web (Website)" in shown
    assert re.search(r"(?m)^estimate +2d$", shown)  # as written, not as hours
    assert "milestone" not in shown  # a flag that is off is not a field the author set
    backlinks = wm("-C", str(tmp_path), "show", "web").stdout
    assert "Referenced by:" in backlinks and "mockups (project)" in backlinks and "mockups (link)" in backlinks


def test_show_of_a_project_counts_the_time_logged_against_its_documents(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """As the reports count a project's hours: against the project and against each document in it."""
    wm("init", str(tmp_path))
    (tmp_path / "people" / "alice.md").write_text("---\nname: Alice\n---\n")
    (tmp_path / "projects" / "web" / "tasks").mkdir(parents=True)
    (tmp_path / "projects" / "web" / "project.md").write_text("---\nstatus: active\n---\n# Website\n")
    (tmp_path / "projects" / "web" / "tasks" / "mockups.md").write_text("---\nestimate: 2d\n---\n# Mockups\n")
    (tmp_path / "timelogs" / "alice").mkdir(parents=True)
    (tmp_path / "timelogs" / "alice" / "2026-11.md").write_text(
        "---\ntype: timelog\nperson: alice\n---\n\n- 2026-11-02 09:00-12:00 mockups Sketches\n- 2026-11-03 09:00-10:30 web Planning\n"
    )
    assert re.search(r"(?m)^logged +4.5h \(1.5h against the project itself\)$", wm("-C", str(tmp_path), "show", "web").stdout)
    assert re.search(r"(?m)^logged +3h$", wm("-C", str(tmp_path), "show", "mockups").stdout)


def test_the_workspace_is_found_from_a_subfolder_and_by_env(tmp_path: Path, write_doc: Callable[[str, str], Path], workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_doc("notes/hello.md", "# Hello\n")
    runner = CliRunner()
    monkeypatch.chdir(workspace / "notes")
    assert "Hello" in runner.invoke(main, ["show", "notes/hello"]).stdout
    monkeypatch.chdir(tmp_path.parent)
    monkeypatch.setenv("WM_WORKSPACE", str(workspace))
    assert "Hello" in runner.invoke(main, ["show", "hello"]).stdout


def test_no_workspace_is_one_line_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WM_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "run 'wm init'" in result.stderr and "Traceback" not in result.stderr


def test_unknown_id_suggests_the_nearest(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    result = CliRunner().invoke(main, ["-C", str(workspace), "show", "alcie"])
    assert result.exit_code == 1
    assert result.stderr == "wm: no document with ID 'alcie' — did you mean 'alice'?\n"


def test_show_of_a_file_that_cannot_be_read_says_why(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    """Not "no document": the file that would hold the ID, its line and its error (a project.md by its folder)."""
    write_doc("projects/web/tasks/broken.md", "---\ntitle: Broken\nstatus: [todo\n---\n")
    write_doc("projects/shop/project.md", "---\ntitle: [Shop\n---\n")
    result = CliRunner().invoke(main, ["-C", str(workspace), "show", "broken"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("wm: projects/web/tasks/broken.md:3: error: invalid YAML")
    assert result.stderr.endswith("— 'broken' cannot be shown until its file is fixed (wm validate lists every problem)\n")
    project = CliRunner().invoke(main, ["-C", str(workspace), "show", "shop"])
    assert project.exit_code == 1 and project.stderr.startswith("wm: projects/shop/project.md:2: error: invalid YAML")


def test_show_lists_the_problems_of_the_document_s_file(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    """A value wm could not use (here the priority, read as the default) is named where the document is shown."""
    import json

    write_doc("tasks/urgent.md", "---\ntitle: Urgent thing\npriority: urgent\nassignee: nobody\n---\n")
    write_doc("tasks/fine.md", "---\ntitle: Fine\n---\n")
    result = CliRunner().invoke(main, ["-C", str(workspace), "show", "urgent"])
    assert result.exit_code == 0
    problems = result.stdout.split("\nProblems (as wm validate reports them):\n")[1].splitlines()
    assert problems == [
        "  tasks/urgent.md:3: error: priority: unknown priority 'urgent' (use critical, high, medium, low)",
        "  tasks/urgent.md:4: error: assignee: unknown person 'nobody'",
    ]
    record = json.loads(CliRunner().invoke(main, ["-C", str(workspace), "show", "urgent", "--json"]).stdout)
    assert [(d["line"], d["code"]) for d in record["diagnostics"]] == [(3, "bad-value"), (4, "unknown-ref")]
    fine = CliRunner().invoke(main, ["-C", str(workspace), "show", "fine"])
    assert "Problems" not in fine.stdout
    assert "diagnostics" not in json.loads(CliRunner().invoke(main, ["-C", str(workspace), "show", "fine", "--json"]).stdout)


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WM_WORKSPACE", raising=False)
    result = CliRunner().invoke(main, ["--debug", "validate"])
    assert "Traceback" in result.stderr


def test_bad_today_is_a_usage_error(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["-C", str(workspace), "--today", "someday", "validate"])
    assert result.exit_code == 2
    assert "bad date for --today" in result.stderr


def test_python_dash_m_runs_wm() -> None:
    env = {**os.environ, "WM_TODAY": "2026-11-26"}
    done = subprocess.run([sys.executable, "-m", "workspace_tool", "--help"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "Usage: wm" in done.stdout


@pytest.mark.skipif(not (SAMPLE / "workspace.yml").exists(), reason="sample workspace not present")
def test_show_json_is_the_list_shape(wm: Callable[..., Result]) -> None:
    import json

    record = json.loads(wm("-C", str(SAMPLE), "show", "portal-oidc-sso", "--json").stdout)
    assert list(record)[:4] == ["id", "type", "path", "title"]
    assert record["type"] == "decision"
    assert record["supersedes"] == ["portal-session-auth"]
    older = json.loads(wm("-C", str(SAMPLE), "show", "portal-session-auth", "--json").stdout)
    assert older["superseded_by"] == ["portal-oidc-sso"]


def test_a_file_the_system_refuses_is_named_with_its_reason(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The boundary's last net for a file error no command foresaw: the file and the system's reason, exit 1, no
    "internal error" and no traceback (with --debug, the traceback too)."""
    from workspace_tool.cli.app import App

    def refuse(self: App) -> None:
        raise PermissionError(13, "Permission denied", str(workspace / "projects/web/tasks/x.md"))

    monkeypatch.setattr(App, "index", refuse)
    result = CliRunner().invoke(main, ["-C", str(workspace), "list"])
    assert result.exit_code == 1
    assert result.stderr == f"wm: {workspace / 'projects/web/tasks/x.md'}: Permission denied (run with --debug for the traceback)\n"
    assert "Traceback" in CliRunner().invoke(main, ["-C", str(workspace), "--debug", "list"]).stderr


def test_show_writes_key_results_and_leave_in_words(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    """One a line, as a reader says them, where `wm show` printed the raw mappings."""
    write_doc("goals/grow.md", "---\ntitle: Grow\nkey_results:\n  - {title: Retainers signed, current: 1, target: 4}\n  - {title: Launch}\n---\n")
    write_doc("people/carol.md", "---\nname: Carol\nleave:\n  - 2026-10-16\n  - {from: 2026-12-14, to: 2026-12-18}\n---\n")
    goal = CliRunner().invoke(main, ["-C", str(workspace), "show", "grow"]).stdout.splitlines()
    start = next(n for n, line in enumerate(goal) if line.startswith("key_results"))
    assert goal[start : start + 2] == ["key_results    Retainers signed: 1 of 4 (25%)", " " * 15 + "Launch: ?"]  # names are 13 wide
    person = CliRunner().invoke(main, ["-C", str(workspace), "show", "carol"]).stdout.splitlines()
    start = next(n for n, line in enumerate(person) if line.startswith("leave"))
    assert person[start : start + 2] == ["leave" + " " * 10 + "2026-10-16", " " * 15 + "2026-12-14 to 2026-12-18"]


def test_show_sums_up_a_nested_unknown_key_on_one_line(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    """An invoice note's `invoice:` holds every entry it bills: `wm show` names its fields and counts the entries
    (`--json` has it whole); a plain unknown key shows as written."""
    entries = "".join(f"    - {{path: timelogs/a.md, line: {n}, hours: 1.5}}\n" for n in range(40))
    write_doc("notes/inv.md", f"---\ntitle: Invoice\nsprint: 12\ninvoice:\n  client: acme\n  hours: 60\n  entries:\n{entries}---\n")
    shown = CliRunner().invoke(main, ["-C", str(workspace), "show", "notes/inv"]).stdout.splitlines()
    assert "invoice        client: acme, hours: 60, entries: 40 items" in shown and "sprint         12" in shown
    data = json.loads(CliRunner().invoke(main, ["-C", str(workspace), "show", "notes/inv", "--json"]).stdout)
    assert len(data["invoice"]["entries"]) == 40


def test_a_workspace_folder_that_is_not_one_is_named(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """-C to a missing folder said 'no workspace.yml in ... or any folder above it', as if the folder were there."""
    missing = wm("-C", str(tmp_path / "nope"), "list")
    assert missing.exit_code != 0 and missing.stderr == f"wm: {tmp_path / 'nope'}: no such folder (-C DIR or WM_WORKSPACE names a workspace's folder)\n"
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    a_file = wm("-C", str(tmp_path / "file.txt"), "list")
    assert a_file.exit_code != 0 and "file.txt: a file, not a folder" in a_file.stderr
    empty = wm("-C", str(tmp_path), "list")
    assert empty.exit_code != 0 and f"no workspace.yml in {tmp_path} or any folder above it" in empty.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "time"), "no time logged\n"),
        (("report", "time", "--from", "2026-11-01"), "no time logged from 2026-11-01\n"),
        (("report", "projects"), "no projects (wm new project TITLE makes one)\n"),
        (("report", "people"), "no people and no time logged from 2026-11-02 to 2026-11-29 (wm new person NAME makes a person)\n"),
        (("report", "estimates"), "no finished task has an estimate and time logged against it yet\n"),
        (("report", "goals"), "no goals (wm new goal TITLE makes one)\n"),
        (("workload",), "no people to book (wm new person NAME makes one)\n"),
        (("schedule",), "nothing to schedule: no open tasks\n"),
    ],
)
def test_an_empty_report_is_said_in_words_not_a_table_of_headers(workspace: Path, wm: Callable[..., Result], args: tuple[str, ...], message: str) -> None:
    result = wm("-C", str(workspace), *args)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == message
    assert wm("-C", str(workspace), *args, "--json").stdout.strip() != ""  # the JSON keeps its (empty) shape
