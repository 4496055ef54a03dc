"""Recurrence and time-log leftovers of the routines audit (#16, #20, #21).

#20: `wm export ical` gives the open instance of a series an RRULE that a calendar expands to the dates wm plans;
`wm show` resolves `previous:` and names the next instance. #21: clock ranges across a change of the local clocks
(DST) log the time that really passed. #16: two branches completing the same instance merge the next instance key by
key. WM_TODAY is 2026-11-26 (conftest).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import time
from pathlib import Path

import pytest
from test_recur_audit import TASKS, task
from test_recur_audit import ws as ops_workspace

from workspace_tool.config import Calendar
from workspace_tool.recur import next_due

ws = ops_workspace  # the fixture: a workspace with an ops project and bob, as the process audit's tests use

# -- #20: iCalendar RRULE --------------------------------------------------------------------------------------


def _events(wm, ws: Path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    icalendar = pytest.importorskip("icalendar")
    result = wm("-C", str(ws), "export", "ical")
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(result.stdout_bytes.decode("utf-8"))
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _expanded(event: object, count: int) -> list[dt.date]:
    """The first `count` dates a calendar shows for the event: its RRULE expanded (dateutil), EXDATEs left out."""
    rrule = pytest.importorskip("dateutil.rrule")
    start = event["DTSTART"].dt  # type: ignore[index]
    text = event["RRULE"].to_ical().decode()  # type: ignore[index]
    skipped: set[dt.date] = set()
    exdates = event.get("EXDATE")  # type: ignore[attr-defined]
    for group in exdates if isinstance(exdates, list) else [exdates] if exdates is not None else []:
        skipped |= {d.dt for d in group.dts}
    rule = rrule.rrulestr(text, dtstart=dt.datetime.combine(start, dt.time()))
    shown = (d.date() for d in rule if d.date() not in skipped)
    return list(itertools.islice(shown, count))

HOLIDAYS = (dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2027, 1, 1))


def _planned(ws: Path, rule: str, due: dt.date, count: int, until: dt.date | None = None) -> list[dt.date]:
    """The first `count` due dates wm gives the series (each instance completed on its due date)."""
    cal = Calendar(holidays=frozenset(HOLIDAYS))  # as workspace.yml says in the tests below
    anchor = due.day
    days = [due]
    while len(days) < count:
        following = next_due(rule, days[-1], days[-1], cal, None if "last day" in rule else anchor)
        if until is not None and following > until:
            break
        days.append(following)
    return days


@pytest.mark.parametrize(
    ("rule", "due"),
    [
        ("daily", "2026-12-01"),
        ("every 3 days", "2026-12-30"),
        ("weekly", "2026-12-04"),
        ("every 2 weeks", "2026-12-04"),
        ("monthly", "2027-01-31"),
        ("monthly", "2027-01-30"),
        ("monthly", "2027-01-29"),
        ("monthly", "2026-12-15"),
        ("quarterly", "2026-11-30"),
        ("every 5 months", "2027-03-31"),
        ("yearly", "2028-02-29"),
        ("yearly", "2027-03-31"),
        ("monthly on the last day", "2026-11-30"),
        ("every 2 months on the last day", "2027-02-28"),
        ("yearly on the last day", "2027-02-28"),
        ("weekdays", "2026-12-21"),
    ],
)
def test_ical_rrule_expands_to_the_dates_wm_plans(wm, ws: Path, rule: str, due: str) -> None:  # type: ignore[no-untyped-def]
    (ws / "workspace.yml").write_text(
        "name: test\ncalendar:\n  holidays: [2026-12-24, 2026-12-25, 2027-01-01]\n", encoding="utf-8"
    )
    task(ws, "routine", f"---\ntitle: Routine\nproject: ops\nstatus: todo\ndue: {due}\nrecurrence: {rule}\n---\n")
    event = _events(wm, ws)["due-routine@wm"]
    assert "RRULE" in event  # type: ignore[operator]
    count = 30
    assert _expanded(event, count) == _planned(ws, rule, dt.date.fromisoformat(due), count)


def test_ical_rrule_ends_at_until(wm, ws: Path) -> None:  # type: ignore[no-untyped-def]
    task(ws, "review", "---\ntitle: Review\nproject: ops\nstatus: todo\ndue: 2026-12-04\nrecurrence: weekly\nuntil: 2027-01-10\n---\n")
    event = _events(wm, ws)["due-review@wm"]
    assert event["RRULE"]["UNTIL"][0] == dt.date(2027, 1, 10)  # type: ignore[index]
    shown = _expanded(event, 99)
    assert shown == _planned(ws, "weekly", dt.date(2026, 12, 4), 99, until=dt.date(2027, 1, 10))
    assert shown[-1] == dt.date(2027, 1, 8)


def test_ical_rrule_only_on_the_open_instance(wm, ws: Path) -> None:  # type: ignore[no-untyped-def]
    """A completed instance keeps its one event; the open one carries the rule, so no date shows twice."""
    task(ws, "payroll", "---\ntitle: Payroll\nproject: ops\nstatus: todo\ndue: 2026-11-30\nrecurrence: monthly\n---\n")
    assert wm("-C", str(ws), "move", "payroll", "done").exit_code == 0
    events = _events(wm, ws)
    old, new = events["due-payroll@wm"], events["due-payroll-2026-12-30@wm"]
    assert "RRULE" not in old  # type: ignore[operator]
    assert old["DTSTART"].dt == dt.date(2026, 11, 30)  # type: ignore[index]
    dates = _expanded(new, 4)
    assert dates == [dt.date(2026, 12, 30), dt.date(2027, 1, 30), dt.date(2027, 2, 28), dt.date(2027, 3, 30)]
    assert old["DTSTART"].dt not in dates  # type: ignore[index]


def test_ical_no_rrule_for_a_done_task_or_a_refused_rule(wm, ws: Path) -> None:  # type: ignore[no-untyped-def]
    task(ws, "closed", "---\ntitle: Closed\nproject: ops\nstatus: done\ndone: 2026-11-20\ndue: 2026-11-20\nrecurrence: weekly\n---\n")
    task(ws, "odd", "---\ntitle: Odd\nproject: ops\nstatus: todo\ndue: 2026-12-01\nrecurrence: every blue moon\n---\n")
    events = _events(wm, ws)
    assert "RRULE" not in events["due-closed@wm"]  # type: ignore[operator]
    assert "RRULE" not in events["due-odd@wm"]  # type: ignore[operator]


# -- #20: `wm show` navigates a series -------------------------------------------------------------------------


def test_show_resolves_previous_and_names_the_next_instance(wm, ws: Path) -> None:  # type: ignore[no-untyped-def]
    task(ws, "payroll", "---\ntitle: Payroll\nproject: ops\nstatus: todo\ndue: 2026-11-30\nrecurrence: monthly\n---\n")
    assert wm("-C", str(ws), "move", "payroll", "done").exit_code == 0
    old = wm("-C", str(ws), "show", "payroll").stdout.splitlines()
    new = wm("-C", str(ws), "show", "payroll-2026-12-30").stdout.splitlines()
    assert [line.split() for line in old if line.startswith("next ")] == [["next", "payroll-2026-12-30", "(todo)"]]
    assert [line.split(None, 1) for line in new if line.startswith("previous ")] == [["previous", "payroll (Payroll, done)"]]
    assert not any(line.startswith("next ") for line in new)
    assert json.loads(wm("-C", str(ws), "show", "--json", "payroll").stdout)["next"] == "payroll-2026-12-30"
    assert "next" not in json.loads(wm("-C", str(ws), "show", "--json", "payroll-2026-12-30").stdout)


def test_show_says_a_missing_previous_instance(wm, ws: Path) -> None:  # type: ignore[no-untyped-def]
    task(ws, "payroll-2026-12-30", "---\ntitle: Payroll\nproject: ops\nstatus: todo\ndue: 2026-12-30\nrecurrence: monthly\nprevious: payroll\n---\n")
    shown = wm("-C", str(ws), "show", "payroll-2026-12-30").stdout.splitlines()
    assert [line.split(None, 1) for line in shown if line.startswith("previous ")] == [["previous", "payroll (missing)"]]


# -- #21: clock ranges across a change of the clocks (DST) -----------------------------------------------------


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The local time zone is Europe/Berlin (clocks forward on 2026-03-29 at 02:00, back on 2026-10-25 at 03:00)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _log(ws: Path) -> list[str]:
    return [line for path in sorted((ws / "timelogs/bob").glob("*.md")) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("- ")]


def _total(wm, ws: Path) -> float:  # type: ignore[no-untyped-def]
    report = wm("-C", str(ws), "report", "time", "--from", "2026-03-01", "--to", "2026-10-31", "--json")
    assert report.exit_code == 0, report.output
    return float(json.loads(report.stdout)["total_hours"])


def _night(ws: Path) -> None:
    task(ws, "night-batch", "---\ntitle: Night batch\nproject: ops\nstatus: todo\n---\n")


def test_log_across_the_spring_change_logs_the_hour_that_passed(wm, ws: Path, berlin) -> None:  # type: ignore[no-untyped-def]
    _night(ws)
    result = wm("-C", str(ws), "log", "night-batch", "01:30-03:30", "payroll batch", "--date", "2026-03-29", "--person", "bob")
    assert result.exit_code == 0, result.output
    assert _log(ws) == ["- 2026-03-29 1h night-batch payroll batch"]
    assert "the clocks changed during 2026-03-29 01:30-03:30 (CET -> CEST): 1h passed (the clock range reads 2h), logged as 1h" in result.stderr
    assert _total(wm, ws) == 1.0


def test_log_across_the_autumn_change_logs_three_hours(wm, ws: Path, berlin) -> None:  # type: ignore[no-untyped-def]
    _night(ws)
    assert wm("-C", str(ws), "log", "night-batch", "01:30-03:30", "--date", "2026-10-25", "--person", "bob").exit_code == 0
    assert wm("-C", str(ws), "log", "night-batch", "01:30-03:30", "--date", "2026-10-24", "--person", "bob").exit_code == 0
    assert _log(ws) == ["- 2026-10-25 3h night-batch", "- 2026-10-24 01:30-03:30 night-batch"]  # another night: as written
    assert _total(wm, ws) == 5.0


def test_a_night_across_midnight_and_the_autumn_change_warns_with_the_hours_logged(wm, ws: Path, berlin) -> None:  # type: ignore[no-untyped-def]
    """22:00 on 2026-10-24 to 04:00 the next morning: 6 hours by the clock, 7 passed (02:00-03:00 twice); both the file
    and the midnight warning say 7h."""
    _night(ws)
    result = wm("-C", str(ws), "log", "night-batch", "22:00-04:00", "--date", "2026-10-24", "--person", "bob")
    assert result.exit_code == 0, result.output
    assert _log(ws) == ["- 2026-10-24 7h night-batch"]
    assert "warning: 22:00-04:00 crosses midnight: 7h logged from 2026-10-24" in result.stderr


def test_log_refuses_a_time_the_clocks_skipped(wm, ws: Path, berlin) -> None:  # type: ignore[no-untyped-def]
    _night(ws)
    result = wm("-C", str(ws), "log", "night-batch", "02:30-04:00", "--date", "2026-03-29", "--person", "bob")
    assert result.exit_code == 2
    assert "2026-03-29 02:30 does not exist in the local time zone" in result.stderr
    assert "nothing was logged" in result.stderr
    assert _log(ws) == []


def test_stop_across_the_spring_change_logs_the_time_that_passed(wm, ws: Path, berlin) -> None:  # type: ignore[no-untyped-def]
    _night(ws)
    assert wm("-C", str(ws), "start", "night-batch", "--at", "2026-03-29 01:00", "--person", "bob").exit_code == 0
    status = wm("-C", str(ws), "--today", "2026-03-29", "status", "--at", "03:30", "--person", "bob")
    assert "since 01:00 (1h30m)" in status.stdout
    stopped = wm("-C", str(ws), "stop", "--at", "2026-03-29 03:30", "--person", "bob")
    assert stopped.exit_code == 0, stopped.output
    assert "the clocks changed (CET -> CEST): 1h30m passed" in stopped.output
    assert _log(ws) == ["- 2026-03-29 1h30m night-batch"]
    assert _total(wm, ws) == 1.5


def test_start_refuses_a_time_the_clocks_skipped(wm, ws: Path, berlin) -> None:  # type: ignore[no-untyped-def]
    _night(ws)
    result = wm("-C", str(ws), "start", "night-batch", "--at", "2026-03-29 02:15", "--person", "bob")
    assert result.exit_code == 2
    assert "nothing was started" in result.stderr
    assert _log(ws) == []


# -- #16: one instance completed on two branches ---------------------------------------------------------------


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True)


REVIEW = "---\ntitle: Weekly review\nproject: ops\nstatus: todo\ncreated: 2026-11-01\ndue: 2026-11-27\nrecurrence: weekly\n---\n\nNotes.\n"
NEXT = f"{TASKS}/weekly-review-2026-12-04.md"


@pytest.fixture
def repo(tmp_path: Path, wm) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    assert wm("init", str(root)).exit_code == 0  # sets up wm's merge driver
    _git(root, "config", "user.name", "Tester")
    _git(root, "config", "user.email", "t@example.com")
    _git(root, "checkout", "-q", "-b", "main")
    (root / "projects/ops").mkdir(parents=True)
    (root / "projects/ops/project.md").write_text("---\ntitle: Ops\nstatus: active\n---\n", encoding="utf-8")
    task(root, "weekly-review", REVIEW)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    return root


def _complete_on(wm, root: Path, branch: str, today: str, *how: str) -> None:  # type: ignore[no-untyped-def]
    _git(root, "checkout", "-q", *(["-b", branch] if branch != "main" else [branch]))
    result = wm("-C", str(root), "--today", today, *how)
    assert result.exit_code == 0, result.output
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", f"done on {branch}")


def test_one_instance_completed_on_two_branches_merges_its_next_instance(wm, repo: Path) -> None:  # type: ignore[no-untyped-def]
    _complete_on(wm, repo, "bob", "2026-11-28", "set", "weekly-review", "status=done", "done=2026-11-27")
    _complete_on(wm, repo, "main", "2026-11-27", "move", "weekly-review", "done")
    result = _git(repo, "merge", "--no-edit", "bob", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    merged = (repo / NEXT).read_text(encoding="utf-8")
    assert "created: 2026-11-27\n" in merged and "<<<<<<<" not in merged  # the earlier of 11-27 (main) and 11-28 (bob)
    assert "previous: weekly-review\n" in merged and merged.endswith("\nNotes.\n")
    assert "two different documents" not in result.stdout + result.stderr
    assert wm("-C", str(repo), "validate").exit_code == 0


def test_the_audit_s_case_conflicts_only_on_the_done_date(wm, repo: Path) -> None:  # type: ignore[no-untyped-def]
    _complete_on(wm, repo, "bob", "2026-11-28", "move", "weekly-review", "done")
    _complete_on(wm, repo, "main", "2026-11-27", "move", "weekly-review", "done")
    result = _git(repo, "merge", "--no-edit", "bob", check=False)
    assert result.returncode == 1
    assert _git(repo, "diff", "--name-only", "--diff-filter=U").stdout.split() == [f"{TASKS}/weekly-review.md"]
    merged = (repo / NEXT).read_text(encoding="utf-8")
    assert "<<<<<<<" not in merged and "created: 2026-11-27\n" in merged


def test_two_next_instances_conflict_only_on_a_key_that_really_differs() -> None:
    from workspace_tool.gitops import merge_body
    from workspace_tool.merge import both_added, merge_text

    ours = "---\ntitle: Review\nstatus: todo\ncreated: 2026-11-28\nprevious: review\nassignee: alice\n---\n\nNotes.\n"
    theirs = ours.replace("created: 2026-11-28", "created: 2026-11-27").replace("assignee: alice", "assignee: bob")
    assert not both_added("", ours, theirs)
    text, conflict = merge_text("", ours, theirs, body_merge=merge_body)
    assert conflict
    assert text == (
        "---\ntitle: Review\nstatus: todo\ncreated: 2026-11-27\nprevious: review\n"
        "<<<<<<< ours\nassignee: alice\n=======\nassignee: bob\n>>>>>>> theirs\n---\n\nNotes.\n"
    )
    other = theirs.replace("previous: review", "previous: review-2026-11-20")  # two different series: two documents
    assert both_added("", ours, other)
    assert merge_text("", ours, other, body_merge=merge_body)[0].startswith("<<<<<<< ours\n---\n")


def test_reports_count_a_running_timer_over_the_spring_change_as_the_time_that_passed(berlin: None) -> None:
    """`wm report time` counts a running timer as `wm status` does and `wm stop` would log it: 01:30 to 03:30 on the
    night the clocks go forward is one hour."""
    from workspace_tool.model import TimeEntry
    from workspace_tool.reports.billing import running_hours

    entry = TimeEntry("bob", dt.date(2026, 3, 29), "night-batch", 0.0, 1, "timelogs/bob/2026-03.md", start=dt.time(1, 30))
    assert running_hours(entry, dt.datetime(2026, 3, 29, 3, 30)) == 1.0
    assert running_hours(entry, dt.datetime(2026, 3, 29, 1, 0)) == 0.0
