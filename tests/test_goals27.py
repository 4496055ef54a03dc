"""`wm report goals` says when a linked project's progress is by tasks because tasks have no estimate, as `wm report
projects` does: "50% by tasks (3 unestimated)" in the table, `unestimated_tasks` in --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from click.testing import Result
from conftest import FIXTURES, check_golden

Wm = Callable[..., Result]
Write = Callable[[str, str], Path]


def goal_workspace(write_doc: Write) -> None:
    """One goal, three projects: `mixed` (4 tasks, 2 done, 3 unestimated: by tasks), `sized` (every task estimated:
    by effort), `zeros` (estimates of 0: by tasks, none unestimated)."""
    write_doc("goals/grow.md", "---\ntitle: Grow\nkey_results:\n  - {title: Clients, target: 4, current: 1}\n---\n")
    for project in ("mixed", "sized", "zeros"):
        write_doc(f"projects/{project}/project.md", f"---\ntitle: {project.title()}\nstatus: active\ngoals: [grow]\n---\n")
    tasks = {
        "mixed": [("m1", "done", "1d"), ("m2", "todo", None), ("m3", "todo", None), ("m4", "done", None)],
        "sized": [("s1", "done", "6h"), ("s2", "todo", "2h")],
        "zeros": [("z1", "done", "0h"), ("z2", "todo", "0h")],
    }
    for project, items in tasks.items():
        for task_id, status, estimate in items:
            size = f"estimate: {estimate}\n" if estimate else ""
            write_doc(f"projects/{project}/tasks/{task_id}.md", f"---\ntitle: {task_id}\nstatus: {status}\n{size}---\n")


def test_goals_table_says_how_many_tasks_are_unestimated(workspace: Path, write_doc: Write, wm: Wm) -> None:
    goal_workspace(write_doc)
    result = wm("-C", str(workspace), "report", "goals")
    assert result.exit_code == 0, result.output
    check_golden(FIXTURES / "goals27" / "unestimated.txt", result.stdout)
    assert "project mixed (active)" in result.stdout and "50% by tasks (3 unestimated)" in result.stdout


def test_goals_json_has_unestimated_tasks_per_project(workspace: Path, write_doc: Write, wm: Wm) -> None:
    goal_workspace(write_doc)
    result = wm("-C", str(workspace), "report", "goals", "--json")
    assert result.exit_code == 0, result.output
    projects = json.loads(result.stdout)["goals"][0]["projects"]
    assert [(p["id"], p["progress"], p["progress_by"], p["unestimated_tasks"]) for p in projects] == [
        ("mixed", 0.5, "tasks", 3), ("sized", 0.75, "effort", 0), ("zeros", 0.5, "tasks", 0)
    ]
    assert list(projects[0]) == ["id", "title", "status", "progress", "progress_by", "unestimated_tasks", "done"]
