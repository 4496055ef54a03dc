"""Derived views: board, next (urgency), blocked, agenda — the pure functions and their commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from conftest import FIXTURES, check_golden
from query_helpers import TODAY, make_index, make_workspace

from workspace_tool.errors import NotFoundError, UsageError
from workspace_tool.index import Index
from workspace_tool.views import agenda, blocked_tasks, board, due_factor, next_tasks

Run = Callable[..., Result]
GOLDEN = FIXTURES / "query"

EXTRA = {
    "projects/web/tasks/polish.md": "---\ntitle: Polish\nstatus: todo\nassignee: alice\nstart: 2026-12-01\n---\n",
    "projects/web/tasks/epic.md": "---\ntitle: Epic\nstatus: todo\nassignee: bob\npriority: high\n---\n",
    "projects/web/tasks/sub.md": "---\ntitle: Sub\nstatus: review\nassignee: bob\nparent: epic\n---\n",
    "projects/app/project.md": "---\ntitle: App\nstatus: proposed\n---\n",
    "projects/app/tasks/odd.md": "---\ntitle: Odd one\nstatus: waiting\n---\n",
    "risks/scope.md": "---\ntitle: Scope creep\nowner: alice\ndue: 2026-11-27\nproject: web\n---\n",
}


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return make_index(tmp_path, EXTRA)


# -- board ---------------------------------------------------------------


def test_board_columns_follow_the_workflow_then_unknown_statuses(index: Index) -> None:
    columns = board(index)
    assert [c.status for c in columns] == ["todo", "in-progress", "review", "done", "cancelled", "waiting"]
    assert [c.done for c in columns] == [False, False, False, True, True, False]


def test_board_cards_by_priority_then_due_then_id(index: Index) -> None:
    todo = board(index)[0]
    assert [t.id for t in todo.cards] == ["epic", "launch", "docs", "polish", "test"]


def test_board_for_one_project_without_done_columns(index: Index) -> None:
    columns = board(index, project="app", include_done=False)
    assert [(c.status, [t.id for t in c.cards]) for c in columns] == [("todo", []), ("in-progress", []), ("review", []), ("waiting", ["odd"])]


# -- next ----------------------------------------------------------------


def test_due_factor_ramps_from_two_weeks_before_to_a_week_after() -> None:
    assert due_factor(TODAY + dt.timedelta(days=30), TODAY) == 0.2
    assert due_factor(TODAY + dt.timedelta(days=14), TODAY) == pytest.approx(0.2)
    assert due_factor(TODAY, TODAY) == pytest.approx(14 * 0.8 / 21 + 0.2)
    assert due_factor(TODAY - dt.timedelta(days=7), TODAY) == 1.0


def test_next_leaves_out_done_blocked_milestones_parents_and_future_starts(index: Index) -> None:
    found = [r.task.id for r in next_tasks(index)]
    # design: done; test, launch: blocked (launch is also a milestone); epic: has an open subtask;
    # polish: starts 2026-12-01; odd: open, in an unknown status, still work
    assert sorted(found) == ["build", "docs", "odd", "sub"]


def test_next_ranks_by_score_with_explained_parts(index: Index) -> None:
    ranked = next_tasks(index)
    assert [r.task.id for r in ranked] == ["build", "docs", "odd", "sub"]
    build = ranked[0]
    parts = {p.name: p for p in build.parts}
    assert parts["priority"].points == 9.0
    assert parts["due"].points == pytest.approx(12 * (15 * 0.8 / 21 + 0.2), abs=1e-3)
    assert parts["due"].reason == "1 day overdue"
    assert parts["blocking"].reason == "1 open task waits for it"
    assert build.score == pytest.approx(sum(p.points for p in build.parts), abs=1e-3)
    docs = ranked[1]
    assert [p.name for p in docs.parts] == ["priority", "age"]
    assert docs.parts[1].points == pytest.approx(2 * 329 / 365, abs=1e-3)


def test_next_counts_the_critical_path_when_a_plan_is_given(index: Index) -> None:
    class Slot:
        def __init__(self, critical: bool) -> None:
            self.critical = critical

    class Plan:
        tasks = {"sub": Slot(True), "build": Slot(False)}

    ranked = next_tasks(index, plan=Plan())
    sub = next(r for r in ranked if r.task.id == "sub")
    assert ("critical", 5.0) in [(p.name, p.points) for p in sub.parts]
    assert "critical" not in [p.name for p in ranked[0].parts]


def test_next_for_one_person_and_limit(index: Index) -> None:
    assert [r.task.id for r in next_tasks(index, who="bob")] == ["build", "sub"]
    assert [r.task.id for r in next_tasks(index, limit=1)] == ["build"]


def test_next_for_an_unknown_person_lists_the_people(index: Index) -> None:
    with pytest.raises(NotFoundError, match="no person 'carol'; valid people: alice, bob"):
        next_tasks(index, who="carol")


# -- blocked -------------------------------------------------------------


def test_blocked_lists_open_tasks_and_their_unfinished_dependencies(index: Index) -> None:
    found = [(b.task.id, [d.id for d in b.blockers]) for b in blocked_tasks(index)]
    assert found == [("launch", ["test"]), ("test", ["build"])]


def test_blocked_ignores_done_dependencies_and_filters(index: Index) -> None:
    assert blocked_tasks(index, who="alice") == []
    assert blocked_tasks(index, project="app") == []


# -- agenda --------------------------------------------------------------


def test_agenda_groups_open_due_and_start_dates_by_day(index: Index) -> None:
    result = agenda(index, days=7)
    assert (result.start, result.end) == (TODAY, dt.date(2026, 12, 2))
    assert [(i.kind, i.doc.id) for i in result.overdue] == [("due", "build")]  # design is done
    assert [(day.isoformat(), [(i.kind, i.doc.id) for i in items]) for day, items in result.days] == [
        ("2026-11-27", [("due", "scope")]),
        ("2026-12-01", [("start", "polish")]),
        ("2026-12-02", [("due", "test")]),
    ]


def test_agenda_for_one_person_and_fewer_days(index: Index) -> None:
    result = agenda(index, who="alice", days=2)
    assert result.overdue == ()
    assert [(day.isoformat(), [i.doc.id for i in items]) for day, items in result.days] == [("2026-11-27", ["scope"])]


def test_agenda_needs_at_least_one_day(index: Index) -> None:
    with pytest.raises(UsageError, match="--days must be at least 1"):
        agenda(index, days=0)


# -- commands ------------------------------------------------------------


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "100")
    return make_workspace(tmp_path / "ws", EXTRA)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("board", ["board", "--project", "web"]),
        ("next", ["next"]),
        ("blocked", ["blocked"]),
        ("agenda", ["agenda", "--days", "7"]),
    ],
)
def test_view_commands_json_golden(wm: Run, ws: Path, monkeypatch: pytest.MonkeyPatch, name: str, args: list[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "workspace_tool.scheduling", None)  # the same output with or without the scheduler
    result = wm("-C", str(ws), *args, "--json")
    assert result.exit_code == 0, result.output
    json.loads(result.output)
    check_golden(GOLDEN / f"{name}.json", result.output)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("board", ["board", "--hide-done"]),
        ("next", ["next", "--explain"]),
        ("blocked", ["blocked"]),
        ("agenda", ["agenda", "--days", "7"]),
    ],
)
def test_view_commands_text_golden(wm: Run, ws: Path, monkeypatch: pytest.MonkeyPatch, name: str, args: list[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "workspace_tool.scheduling", None)
    result = wm("-C", str(ws), *args)
    assert result.exit_code == 0, result.output
    check_golden(GOLDEN / f"{name}.txt", result.stdout)


def test_next_explain_notes_a_missing_scheduler(wm: Run, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "workspace_tool.scheduling", None)
    result = wm("-C", str(ws), "next", "--explain")
    assert "the scheduler is not available" in result.stderr


def test_board_keeps_every_id_whole_in_a_narrow_terminal(wm: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A card's ID and its title share a column: the titles are cut to fit, the IDs never (they are what the next
    command is typed with), whatever the terminal's width."""
    ws = make_workspace(tmp_path / "ws", {"projects/web/tasks/accessibility-review-of-the-checkout.md": "---\nstatus: todo\n---\n# Review the checkout for accessibility problems\n"})
    monkeypatch.setenv("COLUMNS", "40")
    result = wm("-C", str(ws), "board", "--no-history")
    assert result.exit_code == 0, result.output
    assert "accessibility-review-of-the-checkout" in result.stdout
    assert "Review the checkout for accessibility problems" not in result.stdout  # the title was cut


def test_board_unknown_project_is_not_found(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "board", "--project", "nope")
    assert result.exit_code == 1  # as an unknown ID anywhere (wm show, wm history): docs/index.md, "Exit status"
    assert "no project 'nope'; valid projects: app, web" in result.output


def test_next_unknown_person_is_not_found(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "next", "--who", "zed")
    assert result.exit_code == 1
    assert result.output == "wm: no person 'zed'; valid people: alice, bob\n"
