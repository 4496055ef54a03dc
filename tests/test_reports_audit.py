"""The reports' figures found wrong by the BI audit (/tmp/audit/bi.md), each in a small real workspace.

`wm` runs with WM_TODAY=2026-11-26 (a Thursday; this ISO week runs 2026-11-23 to 2026-11-29).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result
from test_history_support import Repo

from workspace_tool.health import AMBER_BURN, HealthFacts, budget_burn, burn_percent, project_health

Write = Callable[[str, str], Path]
Wm = Callable[..., Result]


def _json(wm: Wm, root: Path, *args: str) -> Any:
    result = wm("-C", str(root), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _projects(wm: Wm, root: Path) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in _json(wm, root, "report", "projects")["projects"]}


def _task(write: Write, path: str, **fields: str) -> None:
    write(path, "---\n" + "".join(f"{k}: {v}\n" for k, v in {"title": Path(path).stem, **fields}.items()) + "---\n")


# 1. The portfolio's plan dates done tasks without `done:` from git history, as `wm schedule` and the site do.

def test_report_projects_forecasts_as_wm_schedule_with_done_dates_from_git(tmp_path: Path, wm: Wm) -> None:
    repo = Repo(tmp_path / "ws")
    repo.write("workspace.yml", "name: T\nschedule: {start: 2026-12-01}\n")
    repo.write("projects/p/project.md", "---\ntitle: P\nstatus: active\ndue: 2026-11-28\n---\n")
    repo.write("projects/p/tasks/a.md", "---\ntitle: A\nstatus: todo\nestimate: 4h\n---\n")
    repo.commit("start", "2026-11-02T10:00:00")
    repo.write("projects/p/tasks/a.md", "---\ntitle: A\nstatus: done\nestimate: 4h\n---\n")  # closed by hand: no done: key
    repo.commit("done", "2026-11-10T10:00:00")
    planned = _json(wm, repo.ws, "schedule")["projects"]
    assert [(p["end"], p["status"]) for p in planned] == [("2026-11-10", "on-track")]
    row = _projects(wm, repo.ws)["p"]
    assert (row["forecast_end"], row["forecast_status"], row["health"]) == ("2026-11-10", "on-track", "green")


# 3 and 6. Estimates count leaf tasks once, as the portfolio does; done tasks with nothing logged are left out.

NESTED = {
    "par": ("10h", None), "s1": ("4h", "par"), "s2": ("4h", "par"), "g1": ("2h", "s1"), "nolog": ("4h", None),
}


def _nested(write: Write) -> None:
    write("workspace.yml", "name: T\nrate: 100\n")
    write("people/al.md", "---\nname: Al\n---\n")
    write("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    for task_id, (estimate, parent) in NESTED.items():
        _task(write, f"projects/p/tasks/{task_id}.md", status="done", assignee="al", estimate=estimate, **({"parent": parent} if parent else {}))
    write("timelogs/al/2026-11.md", "---\nperson: al\n---\n- 2026-11-02 1h par\n- 2026-11-02 5h s1\n- 2026-11-02 3h s2\n- 2026-11-02 2h g1\n")


def test_estimates_count_leaf_tasks_once_and_agree_with_the_portfolio(workspace: Path, write_doc: Write, wm: Wm) -> None:
    _nested(write_doc)
    report = _json(wm, workspace, "report", "estimates")
    # par and s1 are parents (their estimates are their subtasks' work again): s2 3/4 and g1 2/2 only
    assert [(t["id"], t["estimate"], t["logged"]) for t in report["tasks"]] == [("g1", 2, 2), ("s2", 4, 3)]
    assert report["overall"]["accuracy"] == round(5 / 6, 4) and report["by_project"][0]["accuracy"] == round(5 / 6, 4)
    assert report["unlogged_done_tasks"] == ["nolog"]  # estimated, nothing logged: not a ratio of 0
    assert _projects(wm, workspace)["p"]["accuracy"] == round(5 / 6, 4)  # the same project, the same accuracy


def test_a_done_task_with_nothing_logged_is_no_ratio_of_zero(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    _task(write_doc, "projects/p/tasks/a.md", status="done", estimate="4h")
    report = _json(wm, workspace, "report", "estimates")
    assert report["tasks"] == [] and report["overall"] is None and report["unlogged_done_tasks"] == ["a"]
    assert _projects(wm, workspace)["p"]["accuracy"] is None
    result = wm("-C", str(workspace), "report", "estimates")
    assert "no finished task has an estimate and time logged against it yet" in result.stderr
    assert "1 done task has no time logged, left out of the ratios: a" in result.stderr


# 11. Messages: grammar, an invalid estimate is not a missing one; invalid values are warned about.

def test_estimates_tell_a_missing_estimate_from_an_invalid_one(workspace: Path, write_doc: Write, wm: Wm) -> None:
    _task(write_doc, "tasks/z.md", status="done", estimate="forever")
    _task(write_doc, "tasks/y.md", status="done")
    result = wm("-C", str(workspace), "report", "estimates")
    assert "wm: warning: 1 done task has no estimate: y" in result.stderr
    assert "wm: warning: 1 done task has an invalid estimate (wm validate says why), left out: z" in result.stderr
    data = _json(wm, workspace, "report", "estimates")
    assert (data["unestimated_done_tasks"], data["invalid_estimate_done_tasks"]) == (["y"], ["z"])


def test_reports_warn_about_invalid_values_that_change_their_figures(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("projects/p6/project.md", "---\ntitle: P6\nstatus: active\nbudget: lots\ndue: 2026-02-30\ngoals: [g1]\n---\n")
    write_doc("people/eve.md", "---\nname: Eve\nleave: [notadate, 2026-11-10]\n---\n")
    write_doc("goals/g1.md", "---\ntitle: G1\nkey_results:\n  - {title: Over, target: 10, current: 15}\n  - {title: Neg, target: 10, current: -5}\n---\n")
    tail = "the report counts these values as not set until fixed, so they change its figures (wm validate)"
    projects = wm("-C", str(workspace), "report", "projects")
    assert projects.exit_code == 0
    assert "wm: warning: projects/p6/project.md:4: budget: expected a number, got 'lots'\n" in projects.stderr
    assert "wm: warning: projects/p6/project.md:5: due: expected a date YYYY-MM-DD, got '2026-02-30'\n" in projects.stderr
    assert f"wm: warning: {tail}" in projects.stderr
    people = wm("-C", str(workspace), "report", "people")
    assert "wm: warning: people/eve.md:3: leave: expected a date YYYY-MM-DD, got 'notadate'" in people.stderr
    assert "this value as not set" in people.stderr and "budget" not in people.stderr
    goals = wm("-C", str(workspace), "report", "goals", "--json")
    assert "goals/g1.md:5: key_results: expected a non-negative number, got -5" in goals.stderr
    assert json.loads(goals.stdout)["goals"][0]["id"] == "g1"  # stdout stays the JSON, the warnings go to stderr
    assert "warning" not in wm("-C", str(workspace), "report", "time").stderr  # time warns about its time logs only


# 4 and 12. A budget of 0 is a budget; no burn across currencies.

def test_a_zero_budget_with_a_cost_is_over_budget(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("workspace.yml", "name: T\nrate: 10\n")
    write_doc("projects/p2/project.md", "---\ntitle: P2\nstatus: active\nbudget: 0\n---\n")
    write_doc("projects/p3/project.md", "---\ntitle: P3\nstatus: active\nbudget: 0\nrate: 0\n---\n")
    write_doc("timelogs/al/2026-11.md", "---\nperson: al\n---\n- 2026-11-02 5h p2\n- 2026-11-02 5h p3\n")
    rows = _projects(wm, workspace)
    assert (rows["p2"]["cost"], rows["p2"]["burn"], rows["p2"]["health"]) == (50, None, "red")
    assert rows["p2"]["reasons"] == ["over budget: the budget is 0"]
    assert (rows["p3"]["cost"], rows["p3"]["burn"], rows["p3"]["health"]) == (0, 0, "green")
    table = wm("-C", str(workspace), "report", "projects").stdout
    assert "∞" in next(line for line in table.splitlines() if line.startswith("p2"))


def test_budget_burn() -> None:
    assert budget_burn(50, 0) == math.inf and budget_burn(0, 0) == 0 and budget_burn(None, 0) is None
    assert budget_burn(450, 500) == 0.9 and budget_burn(10, None) is None


def test_no_burn_across_currencies(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("workspace.yml", "name: T\ncurrency: EUR\n")
    write_doc("clients/usco.md", "---\nname: US Co\nrate: 50\ncurrency: USD\n---\n")
    write_doc("projects/p5/project.md", "---\ntitle: P5\nstatus: active\nclient: usco\nbillable: true\nbudget: 500\n---\n")
    write_doc("timelogs/al/2026-11.md", "---\nperson: al\n---\n- 2026-11-17 9h p5\n")  # 450 USD: 90% if compared with 500 EUR
    row = _projects(wm, workspace)["p5"]
    assert (row["cost"], row["currency"], row["burn"]) == (450, "USD", None)
    assert row["health"] == "green" and row["reasons"] == ["cost in USD, budget in EUR: no burn"]


# 9. Open work the plan cannot schedule makes the project amber; work it counts as zero effort (no estimate) is noted.

def test_open_work_the_plan_leaves_out_makes_the_project_amber(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("people/bob.md", "---\nname: Bob\ncapacity: 0\n---\n")
    write_doc("projects/p2/project.md", "---\ntitle: P2\nstatus: active\n---\n")
    _task(write_doc, "projects/p2/tasks/u1.md", status="todo", assignee="bob", estimate="1d")
    write_doc("projects/p3/project.md", "---\ntitle: P3\nstatus: active\n---\n")
    _task(write_doc, "projects/p3/tasks/n1.md", status="todo")
    _task(write_doc, "projects/p3/tasks/n2.md", status="done")
    report = _json(wm, workspace, "report", "projects")
    rows = {p["id"]: p for p in report["projects"]}
    assert rows["p2"]["health"] == "amber"
    assert rows["p2"]["reasons"] == ["1 open task not scheduled: u1 (assignee 'bob' has no working time (capacity 0 or no workdays))"]
    # an open task without an estimate makes the forecast unreliable: amber, with the reason, and the note naming it
    assert rows["p3"]["health"] == "amber" and rows["p3"]["reasons"] == ["1 open task has no estimate: the forecast leaves it out"]
    assert report["notes"] == ["p3: 1 open task without an estimate, left out of the forecast: n1"]
    assert "wm: warning: p3: 1 open task without an estimate" in wm("-C", str(workspace), "report", "projects").stderr


# 14. Percents that never contradict the colour; hours as hours.

@pytest.mark.parametrize(("burn", "text"), [(1.005, "100.5%"), (1.00001, "100.1%"), (0.898, "89%"), (0.9, "90%"), (1.95, "195%"), (1.0, "100%"), (2.0049, "200%")])
def test_burn_percent_agrees_with_the_colour(burn: float, text: str) -> None:
    assert burn_percent(burn) == text


def _facts(**changed: Any) -> HealthFacts:
    import datetime as dt

    base: dict[str, Any] = dict(closed=False, due=None, today=dt.date(2026, 11, 26), burn=None, forecast_status=None, forecast_end=None,
                                overdue=0, held_up=0, high_risks=0, unpriced_hours=0.0)
    return HealthFacts(**{**base, **changed})


def test_health_reasons_say_what_the_colour_says() -> None:
    assert project_health(_facts(burn=1.005)) == ("red", ("over budget: 100.5% burnt",))
    assert project_health(_facts(burn=0.8983)) == ("green", ())
    assert project_health(_facts(burn=AMBER_BURN)) == ("amber", ("90% of budget burnt",))
    assert project_health(_facts(unpriced_hours=1 / 3)) == ("amber", ("20m without a rate (cost incomplete)",))
    assert project_health(_facts(unpriced_hours=4 / 3)) == ("amber", ("1h20m without a rate (cost incomplete)",))


def test_the_portfolio_table_shows_burn_rounded_down(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("workspace.yml", "name: T\nrate: 100\n")
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\nbudget: 1000\n---\n")
    write_doc("timelogs/al/2026-11.md", "---\nperson: al\n---\n- 2026-11-02 8h59m p\n")  # 898.33: green
    line = next(x for x in wm("-C", str(workspace), "report", "projects").stdout.splitlines() if x.startswith("p "))
    assert " 89% " in line and "green" in line


# 15. One progress rule: by effort, else by tasks; the portfolio and goals agree.

def test_progress_without_estimates_is_by_tasks_in_the_portfolio_and_in_goals(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("goals/g.md", "---\ntitle: G\n---\n")
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\ngoals: [g]\n---\n")
    _task(write_doc, "projects/p/tasks/a.md", status="done")
    _task(write_doc, "projects/p/tasks/b.md", status="todo")
    row = _projects(wm, workspace)["p"]
    assert (row["progress"], row["progress_by"], row["progress_effort"]) == (0.5, "tasks", None)
    goal_project = _json(wm, workspace, "report", "goals")["goals"][0]["projects"][0]
    assert (goal_project["progress"], goal_project["progress_by"]) == (0.5, "tasks")
    assert "50% by tasks" in wm("-C", str(workspace), "report", "projects").stdout


# 7. One end of the period given: never a period the wrong way round.

@pytest.mark.parametrize(("args", "period"), [
    (("--from", "2026-12-01"), ("2026-12-01", "2026-12-28")),  # after this week: four weeks from it
    (("--to", "2026-10-01"), ("2026-09-04", "2026-10-01")),  # before the last four weeks: four weeks up to it
    (("--from", "2026-11-10"), ("2026-11-10", "2026-11-29")),  # within: up to the end of this week, as before
    (("--to", "2026-12-31"), ("2026-11-02", "2026-12-31")),
])
def test_people_period_with_one_end(workspace: Path, write_doc: Write, wm: Wm, args: tuple[str, str], period: tuple[str, str]) -> None:
    write_doc("people/al.md", "---\nname: Al\n---\n")
    data = _json(wm, workspace, "report", "people", *args)
    assert (data["from"], data["to"]) == period


def test_people_period_the_wrong_way_round_is_refused(workspace: Path, wm: Wm) -> None:
    result = wm("-C", str(workspace), "report", "people", "--from", "2026-12-01", "--to", "2026-11-01")
    assert result.exit_code == 2 and "--to 2026-11-01 is before --from 2026-12-01" in result.output


# 5. Open effort is what the plan books.

def test_people_open_effort_is_the_schedulers(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("people/alice.md", "---\nname: Alice\n---\n")
    write_doc("people/bob.md", "---\nname: Bob\n---\n")
    _task(write_doc, "tasks/t2.md", status="in-progress", assignee="alice", estimate="8h")
    _task(write_doc, "tasks/u1.md", status="todo", assignee="bob", estimate="1d")
    write_doc("timelogs/alice/2026-11.md", "---\nperson: alice\n---\n- 2026-11-20 3h30m t2\n")
    write_doc("timelogs/bob/2026-11.md", "---\nperson: bob\n---\n- 2026-11-20 5h u1\n")
    people = {p["id"]: p["open_effort_hours"] for p in _json(wm, workspace, "report", "people")["people"]}
    planned = {t["assignee"]: t["effort_hours"] for t in _json(wm, workspace, "schedule")["tasks"]}
    assert people == planned == {"alice": 4.5, "bob": 8}


# 18. People with no person document: no capacity invented, and listed when they have open tasks, as `wm workload` lists them.

def test_people_without_a_person_document(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("people/al.md", "---\nname: Al\n---\n")
    _task(write_doc, "tasks/t7.md", status="todo", assignee="ghost", estimate="2h")
    write_doc("timelogs/zed/2026-11.md", "---\nperson: zed\n---\n- 2026-11-20 1h t7\n")
    data = _json(wm, workspace, "report", "people")
    rows = {p["id"]: p for p in data["people"]}
    assert (rows["zed"]["known"], rows["zed"]["capacity_hours"], rows["zed"]["utilisation"], rows["zed"]["hours"]) == (False, 0, None, 1)
    assert (rows["ghost"]["known"], rows["ghost"]["open_tasks"], rows["ghost"]["open_effort_hours"]) == (False, 1, 2)
    assert any("ghost, zed have no person document" in note for note in data["notes"])
    workload = [r for r in _json(wm, workspace, "workload", "--to", "2026-12-20") if r["person"] == "ghost"]
    assert [(r["booked_hours"], r["capacity_hours"]) for r in workload] == [(w["hours"], w["capacity"]) for w in rows["ghost"]["scheduled"]]
    schedule = wm("-C", str(workspace), "schedule")  # the plan books ghost at the default day, and says so
    assert "t7: assignee 'ghost' has no person document; planned at 8h a day (wm report people counts no capacity)" in schedule.stderr


# 17. The portfolio's CSV has what its JSON has that a spreadsheet filters on.

def test_projects_csv_has_forecast_status_overdue_and_blocked(tmp_path: Path, wm: Wm) -> None:
    from test_reports_workspace import build_studio

    root = build_studio(tmp_path / "ws")
    rows = list(csv.DictReader(io.StringIO(wm("-C", str(root), "report", "projects", "--csv").stdout)))
    site = next(r for r in rows if r["project"] == "site")
    assert (site["forecast_status"], site["overdue"], site["blocked"], site["progress_by"]) == ("on-track", "build", "", "effort")


# 10. A workflow's own cancelled status (`dropped`) is no progress, no accuracy sample and no planned work.

def test_a_custom_cancelled_status_is_left_out_like_cancelled(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("workspace.yml", "name: T\nworkflows:\n  task:\n    statuses: [todo, doing, done, dropped]\n    done: [done, dropped]\n")
    write_doc("people/al.md", "---\nname: Al\n---\n")
    write_doc("projects/p/project.md", "---\ntitle: P\nstatus: active\n---\n")
    _task(write_doc, "projects/p/tasks/a.md", status="done", estimate="4h", assignee="al")
    _task(write_doc, "projects/p/tasks/b.md", status="dropped", estimate="4h", assignee="al")
    _task(write_doc, "projects/p/tasks/c.md", status="todo", estimate="4h", assignee="al")
    write_doc("timelogs/al/2026-11.md", "---\nperson: al\n---\n- 2026-11-20 4h a\n- 2026-11-20 1h b\n")
    p = _projects(wm, workspace)["p"]
    assert (p["tasks"], p["done_tasks"], p["progress"], p["accuracy"]) == (2, 1, 0.5, 1)
    estimates = _json(wm, workspace, "report", "estimates")
    assert [t["id"] for t in estimates["tasks"]] == ["a"]


# 13. Key results: one not begun counts as 0 in its goal, and a reduction is written with a start above the target.

def test_key_results_from_a_start_and_not_begun(workspace: Path, write_doc: Write, wm: Wm) -> None:
    write_doc("goals/g.md", "---\ntitle: G\nkey_results:\n"
              "  - {title: Over, target: 10, current: 15}\n"
              "  - {title: Nothing yet, target: 4}\n"
              "  - {title: Churn down to 2, start: 10, target: 2, current: 5}\n"
              "  - {title: Worse, start: 10, target: 2, current: 12}\n"
              "  - {title: No target, current: 3}\n---\n")
    [goal] = _json(wm, workspace, "report", "goals")["goals"]
    assert [k["progress"] for k in goal["key_results"]] == [1.5, 0, 0.625, -0.25, None]
    assert goal["progress"] == round((1 + 0 + 0.625 + 0) / 4, 4)  # 0.40625, to four places
    assert goal["key_results"][2]["start"] == 10
    assert wm("-C", str(workspace), "validate").exit_code == 0
