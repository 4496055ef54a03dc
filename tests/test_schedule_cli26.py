"""`wm schedule` fixes from the TaskJuggler audit (sched-audit.md #8, #10, #11, #13) and edits of a frontmatter written
as one YAML flow mapping."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Callable

import pytest
import yaml
from click.testing import Result
from scheduling_helpers import write_workspace

from workspace_tool.config import load_settings
from workspace_tool.scheduling.types import Booking, ScheduledTask

D = dt.date.fromisoformat


# -- #8: --baseline X --save-baseline X compares first; an existing baseline is replaced only with --force ----------


def _one_task(tmp_path: Path) -> Path:
    return write_workspace(tmp_path, {"a": {"estimate": "16h"}}, start="2026-11-30")


def _end_in(root: Path, name: str) -> str:
    return yaml.safe_load((root / "baselines" / f"{name}.yml").read_text(encoding="utf-8"))["tasks"]["a"]["end"]


def test_baseline_and_save_baseline_of_one_name_compare_with_the_old_one_then_replace_it(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _one_task(tmp_path)
    assert wm("-C", str(root), "schedule", "--save-baseline", "weekly").exit_code == 0
    (root / "projects/p/tasks/a.md").write_text("---\ntitle: a\nestimate: 40h\n---\n", encoding="utf-8")
    rolled = wm("-C", str(root), "schedule", "--json", "--baseline", "weekly", "--save-baseline", "weekly", "--force")
    assert rolled.exit_code == 0, rolled.output
    task = json.loads(rolled.stdout)["tasks"][0]
    assert (task["baseline_end"], task["slip_days"]) == ("2026-12-01", 3)  # against last week's plan, not the one saved now
    assert "replaced baseline 'weekly' in baselines/weekly.yml" in rolled.stderr
    assert _end_in(root, "weekly") == "2026-12-04"  # and then rolled forward
    assert "+0d" in wm("-C", str(root), "schedule", "--baseline", "weekly").stdout


def test_save_baseline_over_an_existing_name_is_refused_without_force(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = _one_task(tmp_path)
    assert wm("-C", str(root), "schedule", "--save-baseline", "kickoff").exit_code == 0
    before = (root / "baselines/kickoff.yml").read_bytes()
    (root / "projects/p/tasks/a.md").write_text("---\ntitle: a\nestimate: 40h\n---\n", encoding="utf-8")
    for args in (["--save-baseline", "kickoff"], ["--baseline", "kickoff", "--save-baseline", "kickoff"]):
        refused = wm("-C", str(root), "schedule", *args)
        assert refused.exit_code == 1 and refused.stdout == ""
        assert refused.stderr.strip() == (
            "wm: baselines/kickoff.yml: error: baseline 'kickoff' already exists; add --force to replace it "
            "(with --baseline kickoff it is compared first), or save under another name; nothing was saved"
        )
        assert (root / "baselines/kickoff.yml").read_bytes() == before
    saved = wm("-C", str(root), "schedule", "--save-baseline", "other")
    assert saved.exit_code == 0 and "saved baseline 'other' to baselines/other.yml" in saved.stderr


# -- #10: --why quotes the start date as written ----------------------------------------------------------------------


def test_why_quotes_the_start_date_as_written_and_the_working_hour_it_became(tmp_path: Path, wm: Callable[..., Result]) -> None:
    tasks = {
        "weekend": {"estimate": "8h", "start": "2026-12-05"},  # a Saturday
        "monday": {"estimate": "8h", "start": "2026-12-07"},
        "phase": {"start": "2026-12-12"},
        "step": {"estimate": "4h", "parent": "phase"},
    }
    root = write_workspace(tmp_path, tasks, start="2026-11-30")
    why = {tid: wm("-C", str(root), "schedule", "--why", tid).stdout.splitlines()[1] for tid in ("weekend", "monday", "step")}
    assert why["weekend"] == "  start set by: its own start date (2026-12-05; first working hour 2026-12-07 09:00)"
    assert why["monday"] == "  start set by: its own start date (2026-12-07)"
    assert why["step"] == "  start set by: the start date of its parent phase (2026-12-12; first working hour 2026-12-14 09:00)"


# -- #11: the text Gantt -----------------------------------------------------------------------------------------------

_SHORT = {
    "design": {"estimate": "3d", "assignee": "ann", "priority": "high"},
    "build": {"estimate": "5d", "assignee": "ann", "depends_on": ["design"], "due": "2026-12-07"},
    "docs": {"estimate": "2d", "assignee": "bob", "start": "2026-12-02"},
    "launch": {"milestone": True, "depends_on": ["build", "docs"], "due": "2026-12-11"},
}


def _chart(tmp_path: Path, wm: Callable[..., Result], *scale: str) -> list[str]:
    root = write_workspace(tmp_path, _SHORT, start="2026-11-30", people={"ann": {}, "bob": {}})
    result = wm("-C", str(root), "schedule", *(scale or ("--gantt",)))
    assert result.exit_code == 0, result.output
    return result.stdout.split("\n\n")[0].splitlines()


def test_a_short_plan_is_drawn_by_day_with_due_and_late_markers(tmp_path: Path, wm: Callable[..., Result]) -> None:
    assert _chart(tmp_path, wm) == [
        "             | Dec      |",
        "             |30     07 |",
        "             |MTWTFSSMTW|",
        "design (ann) |###·······|",
        "docs (bob)   |··==······|",
        "build (ann)  |···##--#!!| late (due 2026-12-07)",
        "launch       |·········◆|",
        "# critical work   = work   ! work after its due date   - waiting   ] due date   ◆ milestone   (columns: days)",
    ]


def test_the_week_scale_keeps_a_space_between_month_names(tmp_path: Path, wm: Callable[..., Result]) -> None:
    assert _chart(tmp_path, wm, "--scale", "week") == [
        "             |Nov Dec |",
        "             |30  07  |",
        "design (ann) |#### ·  |",
        "docs (bob)   |==== ·  |",
        "build (ann)  |####!!!!| late (due 2026-12-07)",
        "launch       | ·   ◆  |",
        "# critical work   = work   ! work after its due date   - waiting   ] due date   ◆ milestone   (columns: weeks starting Monday)",
    ]


def test_the_month_scale_names_years_and_months(tmp_path: Path, wm: Callable[..., Result]) -> None:
    assert _chart(tmp_path, wm, "--gantt", "--scale", "month")[:3] == [
        "             |2026    |",
        "             |Nov Dec |",
        "design (ann) |########|",  # 2026-11-30 to 2026-12-02: work in both months
    ]


def _task(tid: str, start: str, end: str, due: str | None = None) -> ScheduledTask:
    first, last = D(start), D(end)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    at = dt.datetime.combine(first, dt.time(9)), dt.datetime.combine(last, dt.time(17))
    late = due is not None and last > D(due)
    return ScheduledTask(tid, "p", None, first, last, *at, 8.0 * len(days), 0.0, False, late, tuple(Booking(d, 8.0) for d in days), due=D(due) if due else None)


def test_a_due_date_after_the_work_is_marked_and_the_scale_follows_the_plan_length() -> None:
    from workspace_tool.scheduling.gantt import gantt, pick_scale

    chart = gantt([_task("a", "2026-11-30", "2026-12-01", due="2026-12-03"), _task("b", "2026-11-30", "2026-12-04")]).splitlines()
    assert chart[3:5] == ["a |==·]·|", "b |=====|"]
    assert pick_scale(D("2026-11-30"), D("2027-01-10")) == "day"  # 42 days
    assert pick_scale(D("2026-11-30"), D("2027-01-11")) == "week"
    assert pick_scale(D("2026-11-30"), D("2027-05-30")) == "week"  # 26 weeks
    assert pick_scale(D("2026-11-30"), D("2027-05-31")) == "month"
    assert "(columns: months)" in gantt([_task("c", "2026-11-30", "2027-12-31")])


# -- #13: calendar.holidays takes ranges; errors show YAML at workspace.yml's line -------------------------------------


def test_holidays_take_dates_and_ranges() -> None:
    text = "name: t\ncalendar:\n  holidays: [2026-12-24, {from: 2026-12-28, to: 2026-12-31}, '2027-01-01']\n"
    settings, problems = load_settings(text, "workspace.yml")
    assert problems == []
    assert sorted(settings.calendar.holidays) == [D("2026-12-24"), D("2026-12-28"), D("2026-12-29"), D("2026-12-30"), D("2026-12-31"), D("2027-01-01")]


@pytest.mark.parametrize(
    ("holidays", "message"),
    [
        ("[2026-12-24, {from: 2026-12-24}]", "item 2: expected a date YYYY-MM-DD or a range {from: YYYY-MM-DD, to: YYYY-MM-DD}, got {from: 2026-12-24}"),
        ("[{from: 2026-12-31, to: 2026-12-24}]", "item 1: the range ends before it starts, got {from: 2026-12-31, to: 2026-12-24}"),
        ("[2026-12-32]", "item 1: expected a date YYYY-MM-DD or a range {from: YYYY-MM-DD, to: YYYY-MM-DD}, got '2026-12-32'"),
        ("2026-12-24", "expected a list of dates and ranges {from: DATE, to: DATE}, got 2026-12-24"),
    ],
)
def test_a_bad_holiday_is_shown_as_yaml_at_its_line(holidays: str, message: str) -> None:
    _, problems = load_settings(f"name: t\ncalendar:\n  hours_per_day: 8\n  holidays: {holidays}\n", "workspace.yml")
    assert [str(p) for p in problems] == [f"workspace.yml:4: error: calendar.holidays: {message}"]


def test_the_plan_skips_a_holiday_range(tmp_path: Path, wm: Callable[..., Result]) -> None:
    calendar = {"holidays": [D("2026-12-24"), {"from": D("2026-12-28"), "to": D("2026-12-31")}]}
    root = write_workspace(tmp_path, {"a": {"estimate": "3d", "assignee": "ann"}}, start="2026-12-23", people={"ann": {}}, calendar=calendar)
    task = json.loads(wm("-C", str(root), "schedule", "--json").stdout)["tasks"][0]
    assert [b["date"] for b in task["bookings"]] == ["2026-12-23", "2026-12-25", "2027-01-01"]


# -- a frontmatter written as one flow mapping: edits are refused with the file, the line and the fix --------------------

_FLOW = "---\n# imported\n{title: spec, assignee: ann, estimate: 8h}\n---\nBody\n"


def test_set_keys_refuses_a_flow_mapping_frontmatter() -> None:
    from workspace_tool.edit import FlowFrontmatterError, set_keys

    for values in ({"status": "done"}, {"due": None}):
        with pytest.raises(FlowFrontmatterError) as caught:
            set_keys(_FLOW, values, "projects/p/tasks/spec.md")
        assert str(caught.value).startswith("projects/p/tasks/spec.md:3: error: the frontmatter is written as one {...} mapping")
    assert set_keys("---\ntitle: spec\nlabels: {a: b}\n---\n", {"status": "done"}) == "---\ntitle: spec\nlabels: {a: b}\nstatus: done\n---\n"


def test_wm_set_and_move_say_how_to_fix_a_flow_mapping_frontmatter(tmp_path: Path, wm: Callable[..., Result]) -> None:
    root = write_workspace(tmp_path, {}, start="2026-11-30", people={"ann": {}})
    path = root / "projects/p/tasks/spec.md"
    path.parent.mkdir(parents=True)
    path.write_text(_FLOW, encoding="utf-8")
    for args in (["set", "spec", "status=done"], ["move", "spec", "done"]):
        result = wm("-C", str(root), *args)
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            "wm: projects/p/tasks/spec.md:3: error: the frontmatter is written as one {...} mapping, which wm cannot edit "
            "without rewriting it; write it as one 'key: value' per line, without the braces, before editing status with wm; "
            "nothing was changed"
        )
    assert path.read_text(encoding="utf-8") == _FLOW


def test_validate_warns_of_a_flow_mapping_frontmatter_before_an_edit_is_refused(tmp_path: Path, wm: Callable[..., Result]) -> None:
    (tmp_path / "workspace.yml").write_text("name: t\n", encoding="utf-8")
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks/spec.md").write_text("---\n\n{title: Spec, status: todo}\n---\n", encoding="utf-8")
    (tmp_path / "tasks/plain.md").write_text("---\n# a comment first\ntitle: Plain\nsizes: {a: b}\n---\n", encoding="utf-8")
    result = wm("-C", str(tmp_path), "validate")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "tasks/spec.md:3: warning: the frontmatter is written as one {...} mapping: wm reads it but cannot edit it "
        "(wm set and wm move refuse); write it as one 'key: value' per line, without the braces"
    ]
