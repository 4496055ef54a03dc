"""`wm schedule` and `wm workload` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import yaml
from click.testing import Result
from scheduling_helpers import write_workspace

TASKS = {
    "design": {"estimate": "2d", "assignee": "ann", "priority": "high"},
    "build": {"estimate": "3d", "assignee": "ann", "depends_on": ["design"], "due": "2024-01-05"},
    "docs": {"estimate": "4h", "assignee": "bob"},
    "launch": {"milestone": True, "depends_on": ["build", "docs"]},
    "old": {"estimate": "1d", "status": "done", "done": "2023-12-01"},
}
PEOPLE = {"ann": {"capacity": 8}, "bob": {"capacity": 4, "workdays": ["mon", "wed"]}}


def _ws(tmp_path: Path) -> Path:
    return write_workspace(tmp_path, TASKS, people=PEOPLE, projects={"p": {"due": "2024-01-10"}})


def test_schedule_json_shape(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _ws(tmp_path)
    result = wm("-C", str(root), "schedule", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"start", "tasks", "projects", "warnings"}
    assert data["start"] == "2024-01-01"
    by_id = {t["id"]: t for t in data["tasks"]}
    assert set(by_id) == {"design", "build", "docs", "launch"}
    assert by_id["design"] == {
        "id": "design",
        "project": "p",
        "assignee": "ann",
        "start": "2024-01-01",
        "end": "2024-01-02",
        "start_at": "2024-01-01T09:00:00",
        "end_at": "2024-01-02T17:00:00",
        "effort_hours": 16.0,
        "slack_hours": 0.0,
        "critical": True,
        "late": False,
        "bookings": [{"date": "2024-01-01", "hours": 8.0}, {"date": "2024-01-02", "hours": 8.0}],
    }
    assert by_id["build"]["end"] == "2024-01-05" and not by_id["build"]["late"]
    assert by_id["launch"]["start"] == by_id["launch"]["end"] == "2024-01-05"
    assert by_id["launch"]["bookings"] == []
    assert by_id["docs"]["bookings"] == [{"date": "2024-01-01", "hours": 4.0}]
    assert data["projects"] == [{"id": "p", "start": "2024-01-01", "end": "2024-01-05", "due": "2024-01-10", "status": "on-track"}]


def test_schedule_table_gantt_and_from(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _ws(tmp_path)
    table = wm("-C", str(root), "schedule")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].split() == ["task", "assignee", "start", "end", "slack", "critical", "late"]
    chart = wm("-C", str(root), "schedule", "--gantt", "--project", "p")
    assert "design (ann)" in chart.output and "###" in chart.output and "◆" in chart.output
    later = json.loads(wm("-C", str(root), "schedule", "--json", "--from", "2024-02-05").output)
    assert later["start"] == "2024-02-05" and later["tasks"][0]["start"] >= "2024-02-05"


def test_why_names_the_cause_and_chain(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _ws(tmp_path)
    why = wm("-C", str(root), "schedule", "--why", "build").output
    assert "predecessor design" in why
    assert "-> launch" in why and "end of project p" in why
    assert "plan start" in wm("-C", str(root), "schedule", "--why", "design").output
    missing = wm("-C", str(root), "schedule", "--why", "nope")
    assert missing.exit_code == 1 and "no task" in missing.output


def test_baseline_save_and_slip(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _ws(tmp_path)
    assert wm("-C", str(root), "schedule", "--save-baseline", "v1").exit_code == 0
    saved = yaml.safe_load((root / "baselines" / "v1.yml").read_text())
    assert saved["tasks"]["build"] == {"start": "2024-01-03", "end": "2024-01-05"}
    assert not [p for p in (root / "baselines").iterdir() if p.name.startswith(".")]
    (root / "projects/p/tasks/design.md").write_text("---\nestimate: 4d\nassignee: ann\n---\n", encoding="utf-8")
    data = json.loads(wm("-C", str(root), "schedule", "--json", "--baseline", "v1").output)
    build = next(t for t in data["tasks"] if t["id"] == "build")
    assert build["slip_days"] == 4 and build["baseline_end"] == "2024-01-05"
    assert data["projects"][0]["slip_days"] == 4
    assert "+4d" in wm("-C", str(root), "schedule", "--baseline", "v1").output
    bad = wm("-C", str(root), "schedule", "--baseline", "nope")
    assert bad.exit_code == 1 and "no baseline" in bad.output
    assert wm("-C", str(root), "schedule", "--save-baseline", "../x").exit_code == 2


def test_workload(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {"a": {"estimate": "2d", "assignee": "ann"}, "b": {"estimate": "1d", "assignee": "ann", "start": "2024-01-02"}},
        people={"ann": {}, "bob": {"capacity": 4}},
    )
    rows = json.loads(wm("-C", str(root), "workload", "--json", "--by", "day", "--to", "2024-01-03").output)
    ann = {r["period"]: r for r in rows if r["person"] == "ann"}
    assert ann["2024-01-02"]["booked_hours"] == 16 and ann["2024-01-02"]["over_hours"] == 8
    assert ann["2024-01-03"]["idle_hours"] == 8
    bob = [r for r in rows if r["person"] == "bob"]
    assert sum(r["capacity_hours"] for r in bob) == 12 and sum(r["idle_hours"] for r in bob) == 12
    weekly = wm("-C", str(root), "workload")
    assert weekly.exit_code == 0 and "ann" in weekly.output and "over" in weekly.output


def test_workload_from_shows_the_same_plan_not_a_new_one(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """--from picks the first period shown; it re-planned the work from that day, so a week booked full in the
    plain view showed as idle (or work planned for next year showed in a past month)."""
    root = write_workspace(tmp_path, {"week": {"estimate": "5d", "assignee": "ann"}}, people={"ann": {}})  # planned 2024-01-01..05
    whole = json.loads(wm("-C", str(root), "workload", "--json", "--to", "2024-01-21").output)
    assert [r["booked_hours"] for r in whole] == [40, 0, 0]
    window = json.loads(wm("-C", str(root), "workload", "--json", "--from", "2024-01-08", "--to", "2024-01-21").output)
    assert [r["period"] for r in window] == ["2024-01-08", "2024-01-15"]
    assert window == whole[1:]


def test_workload_by_month(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """30 days of work from Monday 2024-01-01: January's 23 working days are booked full, the rest goes into
    February; the table names the months, --json gives their first days."""
    root = write_workspace(tmp_path, {"big": {"estimate": "30d", "assignee": "ann"}}, people={"ann": {}})
    rows = json.loads(wm("-C", str(root), "workload", "--json", "--by", "month").output)
    ann = {r["period"]: (r["capacity_hours"], r["booked_hours"]) for r in rows if r["person"] == "ann"}
    assert ann["2024-01-01"] == (184, 184) and ann["2024-02-01"][1] == 56 and sum(booked for _, booked in ann.values()) == 240
    table = wm("-C", str(root), "workload", "--by", "month").output.splitlines()
    assert table[0].split()[:2] == ["person", "month"] and table[2].split()[:4] == ["ann", "2024-01", "184", "184"]


def test_warnings_go_to_stderr_not_traceback(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(tmp_path, {"x": {"estimate": "1d", "depends_on": ["y"]}, "y": {"estimate": "1d", "depends_on": ["x"]}})
    result = wm("-C", str(root), "schedule", "--json")
    assert result.exit_code == 0
    assert any("dependency cycle" in w for w in json.loads(result.stdout)["warnings"])


def test_why_of_a_parent_names_the_subtask_that_sets_its_start(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """A parent spans its subtasks: when its first subtask waits for its person, the parent's start was set by that
    subtask, not by the plan start; a parent with a start date of its own says so."""
    tasks = {
        "urgent": {"estimate": "2d", "assignee": "ann", "priority": "critical"},
        "parent": {"estimate": "1d", "assignee": "ann", "priority": "low"},
        "child": {"estimate": "1d", "assignee": "ann", "parent": "parent", "priority": "low"},
        "later": {"estimate": "1d", "assignee": "bob", "start": "2024-01-10"},
        "later-child": {"estimate": "4h", "assignee": "bob", "parent": "later"},
    }
    root = write_workspace(tmp_path, tasks, people={"ann": {"capacity": 8}, "bob": {"capacity": 8}})
    why = wm("-C", str(root), "schedule", "--why", "parent").stdout.splitlines()
    assert why[1] == (
        "  start set by: its first subtask, child, which starts 2024-01-03 09:00; "
        "its start set by: ann is busy with urgent (until 2024-01-02 17:00), which went first"
    )
    assert wm("-C", str(root), "schedule", "--why", "later").stdout.splitlines()[1] == "  start set by: its own start date (2024-01-10)"


def test_many_warnings_are_summed_up_and_a_project_s_are_its_own(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """A large workspace can have hundreds of warnings: the first 20 are printed, then how many more (all with
    --all-warnings, and in --json); with --project, only that project's tasks' warnings."""
    tasks: dict[str, dict[str, object]] = {f"vague-{n:02d}": {} for n in range(25)}  # no estimate: a warning each
    tasks |= {f"other-{n}": {"project": "q"} for n in range(3)}
    root = write_workspace(tmp_path, tasks, projects={"q": {}})
    result = wm("-C", str(root), "schedule")
    warned = [line for line in result.stderr.splitlines() if line.startswith("wm: warning: ")]
    assert result.exit_code == 0 and len(warned) == 20
    assert "wm: 8 more warnings (wm schedule --all-warnings lists every one" in result.stderr
    every = wm("-C", str(root), "schedule", "--all-warnings").stderr
    assert len([line for line in every.splitlines() if line.startswith("wm: warning: ")]) == 28 and "more warnings" not in every
    assert len(json.loads(wm("-C", str(root), "schedule", "--json").stdout)["warnings"]) == 28
    own = wm("-C", str(root), "schedule", "--project", "q").stderr
    assert sorted(line.split()[2] for line in own.splitlines()) == ["other-0:", "other-1:", "other-2:"]


def test_a_warning_belongs_to_its_task_even_when_the_id_holds_a_colon(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """`id:` may be any text: a warning is kept with the ID it is about, not found again by splitting its text."""
    root = write_workspace(tmp_path, {"plain": {}, "other": {"project": "q", "id": "q:other"}}, projects={"q": {}})
    mine = wm("-C", str(root), "schedule", "--project", "p")
    assert mine.exit_code == 0, mine.output
    assert "plain: no estimate" in mine.stderr and "q:other" not in mine.stderr
    theirs = json.loads(wm("-C", str(root), "schedule", "--project", "q", "--json").stdout)["warnings"]
    assert theirs == ["q:other: no estimate; scheduled as zero effort"]
    assert len(json.loads(wm("-C", str(root), "schedule", "--json").stdout)["warnings"]) == 2
    explained = wm("-C", str(root), "schedule", "--why", "q:other")
    assert "warning: no estimate; scheduled as zero effort" in explained.stdout, explained.output


def test_sample_workspace_late_project_and_its_critical_chain(wm: Callable[..., Result]) -> None:
    from conftest import SAMPLE

    out = wm("-C", str(SAMPLE), "schedule").stdout
    late = [line for line in out.splitlines() if line.startswith("fjordline-portal ")]
    assert late[0].split()[-1] == "late"
    chain_line = next(line for line in out.splitlines() if line.startswith("fjordline-portal is late: critical chain "))
    chain = chain_line.split("critical chain ")[1].split(" -> ")
    assert chain[-1] == "portal-go-live"
    plan = json.loads(wm("-C", str(SAMPLE), "schedule", "--json").stdout)
    by_id = {t["id"]: t for t in plan["tasks"]}
    assert all(by_id[step]["critical"] for step in chain)
    for task_id in by_id:
        assert wm("-C", str(SAMPLE), "schedule", "--why", task_id).exit_code == 0


def test_done_dates_come_from_history_when_the_file_has_none(tmp_path: Path, wm: Callable[..., Result]) -> None:
    import os
    import subprocess

    def commit(message: str, when: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", message], cwd=tmp_path, env=env, check=True)

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "workspace.yml").write_text("name: t\nschedule: {start: 2026-11-02}\n")
    tasks = tmp_path / "projects" / "p" / "tasks"
    tasks.mkdir(parents=True)
    (tmp_path / "projects" / "p" / "project.md").write_text("---\nstatus: active\n---\n")
    (tasks / "a.md").write_text("---\nestimate: 1d\n---\n")
    commit("plan", "2026-10-01T10:00:00+00:00")
    (tasks / "a.md").write_text("---\nestimate: 1d\nstatus: done\n---\n")
    commit("a is done", "2026-10-05T15:00:00+00:00")
    result = wm("-C", str(tmp_path), "schedule", "--json")
    assert "warning" not in result.stderr
    plan = json.loads(result.stdout)
    # a finished project spans its done tasks, dated by the commit that made them done
    assert plan["projects"] == [{"id": "p", "start": "2026-10-05", "end": "2026-10-05", "due": None, "status": "on-track"}]


def test_workload_names_weeks_as_the_time_report_does_with_their_monday(tmp_path: Path, wm: Callable[..., Result]) -> None:
    """`wm report time --by week` and the site say 2024-W01; the workload table says the same, with the Monday its
    --from and --to count from (JSON keeps the Monday's date)."""
    root = write_workspace(tmp_path, {"week": {"estimate": "5d", "assignee": "ann"}}, people={"ann": {}})
    table = wm("-C", str(root), "workload", "--to", "2024-01-14").output.splitlines()
    assert [line.split()[1:3] for line in table[2:]] == [["2024-W01", "(01-01)"], ["2024-W02", "(01-08)"]]
