"""`wm report projects|people|estimates|goals` on the studio workspace, numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from test_reports_workspace import NOW, build_studio, studio_index

from workspace_tool.reports.estimates import estimates_report, percentile
from workspace_tool.reports.goals import goals_report
from workspace_tool.reports.people import people_report
from workspace_tool.reports.projects import project_report


def test_projects_progress_cost_burn_health(tmp_path: Path) -> None:
    report = project_report(studio_index(tmp_path / "ws"), plan=None, now=NOW)
    assert [r.id for r in report.rows] == ["app", "site", "internal"]  # critical, high, low
    app, site, internal = report.rows
    # site: tasks design (10h, done), build (20h), meeting (2h): 10/32 of effort, 1 of 3 tasks
    assert (site.done_effort, site.effort, site.done_tasks, site.tasks) == (10, 32, 1, 3)
    # hours 18; cost at every entry's rate, billable or not: 1800 + the 1.5h #nonbillable at 100 = 1950
    assert round(site.hours, 4) == 18 and site.cost == Decimal("1950.00")
    assert site.burn == pytest.approx(1950 / 5000)
    assert site.accuracy == pytest.approx(8.5 / 10)  # design: 3 + 1.5 + 4 logged of 10
    assert site.overdue == ("build",) and site.health == "amber" and site.reasons == ("1 overdue task",)
    # app's cost is in globex's USD, its budget in the workspace's EUR: no burn across currencies, a note that does not colour
    assert app.health == "red" and app.reasons == ("past due 2026-11-20", "cost in USD, budget in EUR: no burn")
    assert app.burn is None and app.currencies == ("USD", "EUR")
    assert app.cost == Decimal("540.00") and app.currency == "USD"
    assert internal.health == "green" and internal.cost == Decimal("180.00")  # 2h at alice's 90
    assert report.forecast is False


def test_over_budget_is_red(tmp_path: Path) -> None:
    extra = {"projects/site/project.md": "---\ntitle: Acme website\nstatus: active\nclient: acme\nbillable: true\nbudget: 1000\npriority: high\n---\n"}
    site = next(r for r in project_report(studio_index(tmp_path / "ws", extra), now=NOW).rows if r.id == "site")
    assert site.health == "red" and site.reasons[0] == "over budget: 195% burnt"


def test_projects_with_the_scheduler(tmp_path: Path) -> None:
    scheduling = pytest.importorskip("workspace_tool.scheduling")
    index = studio_index(tmp_path / "ws")
    plan = scheduling.schedule_index(index)
    site = next(r for r in project_report(index, plan, now=NOW).rows if r.id == "site")
    assert site.forecast_end == plan.projects["site"].end and site.forecast_status == plan.projects["site"].status


def test_people_utilisation_and_billable_ratio(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws")
    report = people_report(index, dt.date(2026, 11, 2), dt.date(2026, 11, 8), now=NOW)
    alice, bob = report.rows
    # one week, five workdays: alice 8h/day = 40h, bob 4h/day = 20h
    assert (alice.capacity, bob.capacity) == (40, 20)
    assert alice.hours == pytest.approx(5) and alice.utilisation == pytest.approx(5 / 40)  # 4h design + 3x20m
    assert bob.hours == pytest.approx(12.75) and bob.billable_ratio == 1
    # open assigned effort, as the plan books it (`remaining_effort`): bob's build, in progress, 20h estimate - 5h logged;
    # alice's admin 4h, not started (the 2h logged on it in October are not taken off a task not under way)
    assert (alice.open_effort, bob.open_effort) == (4, 15)
    assert report.as_json()["people"][0]["weeks"] == [{"week": "2026-W45", "hours": 5, "capacity": 40, "utilisation": 0.125}]


def test_hours_per_week_count_the_days_of_the_period_not_the_weeks_it_touches(tmp_path: Path) -> None:
    """November runs from a Sunday to a Monday: six ISO weeks, but 30 days, 30/7 weeks of time."""
    index = studio_index(tmp_path / "ws")
    month = people_report(index, dt.date(2026, 11, 1), dt.date(2026, 11, 25), now=NOW)
    alice = month.rows[0]
    assert len(alice.weeks) == 5 and alice.hours == pytest.approx(5)
    assert alice.per_week == pytest.approx(5 * 7 / 25) and month.as_json()["people"][0]["hours_per_week"] == round(5 * 7 / 25, 2)
    one_day = people_report(index, dt.date(2026, 11, 2), dt.date(2026, 11, 2), now=NOW).rows[0]
    assert one_day.per_week == pytest.approx(4 * 7)  # 4h in a day is 28h a week at that pace, not "4h per week"


def test_people_leave_and_unknown_person(tmp_path: Path) -> None:
    extra = {
        "people/alice.md": "---\nname: Alice\ncapacity: 8\nleave:\n  - {from: 2026-11-02, to: 2026-11-04}\n---\n",
        "timelogs/zoe/2026-11.md": "---\nperson: zoe\n---\n- 2026-11-03 2h design\n",
    }
    report = people_report(studio_index(tmp_path / "ws", extra), dt.date(2026, 11, 2), dt.date(2026, 11, 8), now=NOW)
    rows = {r.id: r for r in report.rows}
    assert rows["alice"].capacity == 16  # three days of leave
    assert rows["zoe"].known is False and rows["zoe"].hours == 2


def test_estimates_distribution(tmp_path: Path) -> None:
    report = estimates_report(studio_index(tmp_path / "ws"), NOW)
    assert [(t.id, t.estimate, round(t.logged, 4)) for t in report.tasks] == [("api", 8, 6.75), ("design", 10, 8.5)]
    assert report.overall is not None and report.overall.accuracy == pytest.approx(15.25 / 18)
    assert [(d.key, d.n) for d in report.by_person] == [("alice", 1), ("bob", 1)]
    assert report.overall.median == pytest.approx((6.75 / 8 + 0.85) / 2)


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.85) == pytest.approx(9.5)
    assert percentile([3.0], 0.85) == 3.0


def test_goals(tmp_path: Path) -> None:
    (goal,) = goals_report(studio_index(tmp_path / "ws"))
    assert goal.progress == pytest.approx((1 / 4 + 150 / 200) / 2)
    assert [(p.id, p.progress) for p in goal.projects] == [("site", pytest.approx(10 / 32))]


@pytest.mark.parametrize("command", ["projects", "people", "estimates", "goals"])
def test_cli_formats(tmp_path: Path, wm, monkeypatch: pytest.MonkeyPatch, command: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WM_NOW", "16:30")
    root = build_studio(tmp_path / "ws")
    text = wm("-C", str(root), "report", command)
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[1].startswith("---")
    data = json.loads(wm("-C", str(root), "report", command, "--json").stdout)
    assert data
    csv = wm("-C", str(root), "report", command, "--csv").stdout
    assert csv.count("\n") >= 2


def test_people_next_weeks_agree_with_workload(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """From Thursday on, this week holds two working days: 16 h booked of 16 h left is full, as `wm workload`
    says (the report divided by the whole week's 40 h and said 40%)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workspace.yml").write_text("name: t\n", encoding="utf-8")
    (root / "people").mkdir()
    (root / "people/ann.md").write_text("---\nname: Ann\n---\n", encoding="utf-8")
    (root / "tasks").mkdir()
    (root / "tasks/big.md").write_text("---\ntitle: Big\nstatus: todo\nassignee: ann\nestimate: 7d\n---\n", encoding="utf-8")
    people = json.loads(wm("-C", str(root), "report", "people", "--json").stdout)  # WM_TODAY: Thursday 2026-11-26
    scheduled = people["people"][0]["scheduled"]
    assert [(w["week"], w["hours"], w["capacity"]) for w in scheduled] == [("2026-W48", 16, 16), ("2026-W49", 40, 40), ("2026-W50", 0, 40), ("2026-W51", 0, 40)]
    workload = json.loads(wm("-C", str(root), "workload", "--json", "--to", "2026-12-20").stdout)
    assert [(r["booked_hours"], r["capacity_hours"]) for r in workload] == [(w["hours"], w["capacity"]) for w in scheduled]


def test_goals_csv_is_data_like_the_other_reports(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """It was the table's text: '26%' strings and a blank goal on every key result's row."""
    import csv
    import io
    import shutil

    from conftest import SAMPLE

    shutil.copytree(SAMPLE, tmp_path / "s")
    rows = list(csv.DictReader(io.StringIO(wm("-C", str(tmp_path / "s"), "report", "goals", "--csv").stdout)))
    assert rows and all(r["goal"] for r in rows) and {r["kind"] for r in rows} == {"goal", "key_result", "project"}
    assert all("%" not in r["progress"] and 0 <= float(r["progress"]) <= 1 for r in rows if r["progress"])
    first = rows[0]
    assert first["kind"] == "goal" and first["item"] == "Launch the Northwind design system" and first["progress"] == "0.2611"
