"""What `wm schedule` does with its inputs (audit against TaskJuggler, findings 3-7, 9 and 12): stopped projects,
a project's start, inherited priority, pinned starts that over-allocate, keys that did not parse, logged time beyond
the estimate, and assignees with no person file. Each runs `wm schedule --json` on a real workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from click.testing import Result
from scheduling_helpers import index_of, write_workspace

from workspace_tool.scheduling import Cause, schedule_index


def _plan(wm: Callable[..., Result], root: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    result = wm("-C", str(root), "schedule", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {t["id"]: t for t in data["tasks"]}, data["warnings"]


def _write(root: Path, relpath: str, text: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- #6: open tasks of a done, cancelled or on-hold project book nothing --------------------------------------------


def test_open_tasks_of_done_or_cancelled_projects_book_nothing(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "leftover": {"project": "dropped", "assignee": "ann", "estimate": "24h"},
            "extra": {"project": "dropped", "assignee": "ann", "estimate": "8h"},
            "finished": {"project": "dropped", "assignee": "ann", "estimate": "8h", "status": "done", "done": "2023-12-01"},
            "tail": {"project": "shipped", "assignee": "ann", "estimate": "8h"},
            "real": {"assignee": "ann", "estimate": "8h"},
            "after": {"assignee": "ann", "estimate": "8h", "depends_on": ["leftover"]},
        },
        people={"ann": {}},
        projects={"dropped": {"status": "cancelled"}, "shipped": {"status": "done"}},
    )
    tasks, warnings = _plan(wm, root)
    assert set(tasks) == {"real", "after"}
    assert sorted(t["start"] for t in tasks.values()) == ["2024-01-01", "2024-01-02"]  # ann's three days of leftover are free
    assert "dropped: 2 open tasks of cancelled project dropped are not planned: extra, leftover" in warnings
    assert "shipped: 1 open task of done project shipped is not planned: tail" in warnings
    assert "after: depends on cancelled task 'leftover'; scheduled as if that dependency were met" in warnings


def test_on_hold_project_books_nothing_and_holds_what_needs_it(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "paused-work": {"project": "paused", "assignee": "ann", "estimate": "16h"},
            "needs-it": {"assignee": "bob", "estimate": "8h", "depends_on": ["paused-work"]},
            "then": {"assignee": "bob", "estimate": "8h", "depends_on": ["needs-it"]},
            "real": {"assignee": "ann", "estimate": "8h"},
        },
        people={"ann": {}, "bob": {}},
        projects={"paused": {"status": "on-hold"}},
    )
    tasks, warnings = _plan(wm, root)
    assert set(tasks) == {"real"} and tasks["real"]["start"] == "2024-01-01"
    assert warnings == [
        "paused: 1 open task of on-hold project paused is not planned: paused-work; what depends on them is not scheduled",
        "needs-it: not scheduled: depends on 'paused-work', whose project paused is on hold",
        "then: not scheduled: depends on 'needs-it', which could not be scheduled",
    ]


def test_subtasks_of_an_on_hold_parent_wait_with_one_warning_each(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "epic": {"project": "paused", "estimate": "8h"},
            "sub": {"parent": "epic", "assignee": "ann", "estimate": "8h"},
            "leaf": {"parent": "sub", "assignee": "ann", "estimate": "8h"},
            "other": {"assignee": "ann", "estimate": "8h", "depends_on": ["sub"]},
        },
        people={"ann": {}},
        projects={"paused": {"status": "on-hold"}},
    )
    tasks, warnings = _plan(wm, root)
    assert tasks == {}
    assert sorted(warnings) == [
        "leaf: not scheduled: depends on 'sub', which could not be scheduled",
        "other: not scheduled: depends on 'sub', which could not be scheduled",
        "paused: 1 open task of on-hold project paused is not planned: epic; what depends on them is not scheduled",
        "sub: not scheduled: its parent 'epic', whose project paused is on hold",
    ]


# -- #4: a project's start is a start-no-earlier-than for its tasks ---------------------------------------------------


def test_project_start_holds_its_tasks_back_without_pinning(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "early": {"assignee": "ann", "estimate": "8h"},
            "later": {"assignee": "bob", "estimate": "8h", "start": "2024-01-10"},
            "busy": {"project": "q", "assignee": "ann", "estimate": "8h", "start": "2024-01-08"},
        },
        people={"ann": {}, "bob": {}},
        projects={"p": {"start": "2024-01-08"}, "q": {}},
    )
    tasks, warnings = _plan(wm, root)
    assert tasks["busy"]["start"] == "2024-01-08"
    assert tasks["early"]["start"] == "2024-01-09"  # waits for the project start, then for ann: not pinned
    assert tasks["later"]["start"] == "2024-01-10"  # its own later start wins
    assert warnings == []
    plan = schedule_index(index_of(root))
    assert plan.tasks["early"].cause == Cause("resource", "busy")
    root = write_workspace(tmp_path, {"alone": {"estimate": "8h"}}, projects={"p": {"start": "2024-01-08"}})
    assert schedule_index(index_of(root)).tasks["alone"].cause == Cause("project-start", "p")


# -- #5: priority is inherited from the parent task, else the project ------------------------------------------------


def test_priority_is_inherited_from_parent_then_project(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "chore": {"assignee": "ann", "estimate": "16h"},
            "norm": {"assignee": "ann", "estimate": "8h", "priority": "medium"},
            "epic": {"project": "urgent"},
            "story": {"project": "urgent", "parent": "epic"},
            "fix": {"project": "urgent", "parent": "story", "assignee": "ann", "estimate": "8h"},
            "slow": {"project": "urgent", "assignee": "ann", "estimate": "8h", "priority": "low"},
        },
        people={"ann": {}},
        projects={"p": {"priority": "low"}, "urgent": {"priority": "critical"}},
    )
    tasks, _ = _plan(wm, root)
    starts = {tid: tasks[tid]["start"] for tid in ("fix", "norm", "chore", "slow")}
    assert starts == {"fix": "2024-01-01", "norm": "2024-01-02", "chore": "2024-01-03", "slow": "2024-01-05"}


def test_parent_priority_beats_the_project(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "other": {"assignee": "ann", "estimate": "16h", "priority": "high"},
            "epic": {"priority": "critical"},
            "fix": {"parent": "epic", "assignee": "ann", "estimate": "8h"},
        },
        people={"ann": {}},
        projects={"p": {"priority": "low"}},
    )
    tasks, _ = _plan(wm, root)
    assert (tasks["fix"]["start"], tasks["other"]["start"]) == ("2024-01-01", "2024-01-02")


# -- #3: a pinned start that over-allocates its person is a warning per day ------------------------------------------


def test_pinned_start_over_allocation_is_a_warning_per_day(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "big": {"assignee": "ann", "estimate": "24h", "priority": "critical"},
            "review": {"assignee": "ann", "estimate": "12h", "start": "2024-01-02"},
            "free": {"assignee": "bob", "estimate": "8h", "start": "2024-01-02"},
        },
        people={"ann": {}, "bob": {"capacity": 6}},
    )
    tasks, warnings = _plan(wm, root)
    assert tasks["review"]["start"] == "2024-01-02" and tasks["big"]["end"] == "2024-01-03"
    assert warnings == [
        "review: ann is over-allocated on 2024-01-02: 16h booked of 8h (8h over): start: 2024-01-02 pins this task there (move start: or reassign it)",
        "review: ann is over-allocated on 2024-01-03: 12h booked of 8h (4h over): start: 2024-01-02 pins this task there (move start: or reassign it)",
    ]


# -- #7: keys that did not parse are warnings naming the file, line and key ------------------------------------------


def test_unparsed_scheduling_keys_are_warnings(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(tmp_path, {"api": {"assignee": "ann", "estimate": "24h"}}, people={"ann": {}, "bob": {}})
    tasks_dir = "projects/p/tasks"
    _write(root, f"{tasks_dir}/ui.md", "---\ntitle: ui\nassignee: bob\ndepends_on: [api, {id: design, lag: 2d}]\nestimate: 8h\n---\n")
    _write(root, f"{tasks_dir}/pair.md", "---\nassignee: [ann, bob]\nestimate: 16h\n---\n")
    _write(root, f"{tasks_dir}/vague.md", "---\nestimate: 3 days\nstart: 2024-12-32\npriority: urgent\n---\n")
    _write(root, f"{tasks_dir}/plain.md", "---\nestimate: 2h\nparent: [api]\ndue: soon\n---\n")
    _write(root, "projects/q/project.md", "---\ntitle: q\nstart: someday\n---\n")
    _, warnings = _plan(wm, root)
    assert sorted(warnings) == [
        "pair: assignee ignored: projects/p/tasks/pair.md:2: expected an ID, got a list; planned unassigned",
        "plain: due ignored: projects/p/tasks/plain.md:4: expected a date YYYY-MM-DD, got 'soon'; planned without a due date",
        "plain: parent ignored: projects/p/tasks/plain.md:3: expected an ID, got a list; planned as a top-level task",
        "q: start ignored: projects/q/project.md:3: expected a date YYYY-MM-DD, got 'someday'; its tasks are planned without it",
        "ui: depends_on item ignored: projects/p/tasks/ui.md:4: expected an ID, got a mapping; planned with its other dependencies",
        "vague: estimate ignored: projects/p/tasks/vague.md:2: expected a duration such as 30m, 1h30m, 2.5h, 3d or 1w, got '3 days'; scheduled as zero effort",
        "vague: priority ignored: projects/p/tasks/vague.md:4: unknown priority 'urgent' (use critical, high, medium, low); planned at its parent's or project's priority",
        "vague: start ignored: projects/p/tasks/vague.md:3: expected a date YYYY-MM-DD, got '2024-12-32'; planned without a start date",
    ]


# -- #9: logged time beyond the estimate ------------------------------------------------------------------------------


def test_logged_beyond_the_estimate_is_a_warning(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(
        tmp_path,
        {
            "migrate": {"assignee": "ann", "estimate": "4h", "status": "in-progress"},
            "told": {"assignee": "ann", "estimate": "4h", "remaining": "2h", "status": "in-progress"},
            "deploy": {"assignee": "ann", "estimate": "8h", "depends_on": ["migrate"]},
        },
        people={"ann": {}},
    )
    _write(root, "timelogs/ann/2023-12.md", "---\nperson: ann\n---\n- 2023-12-29 6h migrate harder than thought\n- 2023-12-29 2h told\n")
    tasks, warnings = _plan(wm, root)
    assert tasks["migrate"]["effort_hours"] == 0.0
    assert warnings == ["migrate: 6h logged of a 4h estimate: set remaining: to plan the work left"]


# -- #12: an assignee with no person file is one person at the calendar's hours -------------------------------------


def test_assignee_without_person_file_is_one_person(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(tmp_path, {"one": {"assignee": "zed", "estimate": "8h"}, "two": {"assignee": "zed", "estimate": "8h"}})
    tasks, warnings = _plan(wm, root)
    assert sorted((tasks["one"]["start"], tasks["two"]["start"])) == ["2024-01-01", "2024-01-02"]
    assert warnings == [
        f"{tid}: assignee 'zed' has no person document; planned at 8h a day (wm report people counts no capacity)" for tid in ("one", "two")
    ]
    rows = json.loads(wm("-C", str(root), "workload", "--json", "--by", "day", "--to", "2024-01-02").stdout)
    assert [(r["period"], r["booked_hours"], r["over_hours"]) for r in rows if r["person"] == "zed"] == [("2024-01-01", 8.0, 0.0), ("2024-01-02", 8.0, 0.0)]


def test_why_names_the_project_start_and_project_warnings_stay_with_their_project(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "workspace.yml").write_text("name: t\nschedule:\n  start: 2024-01-01\n", encoding="utf-8")
    for relpath, text in {
        "projects/p/project.md": "---\ntitle: P\nstatus: active\nstart: 2024-01-08\n---\n",
        "projects/p/tasks/early.md": "---\ntitle: Early\nestimate: 8h\n---\n",
        "projects/q/project.md": "---\ntitle: Q\nstatus: cancelled\n---\n",
        "projects/q/tasks/left.md": "---\ntitle: Left\nestimate: 8h\n---\n",
    }.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text, encoding="utf-8")
    why = wm("-C", str(tmp_path), "schedule", "--why", "early")
    assert why.exit_code == 0 and "start set by: the start date of its project p (2024-01-08)" in why.output, why.output
    assert "cancelled project q" in wm("-C", str(tmp_path), "schedule", "--project", "q").stderr
    assert "cancelled project q" not in wm("-C", str(tmp_path), "schedule", "--project", "p").stderr
