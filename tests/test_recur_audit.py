"""Recurring tasks: the findings of the routines audit (#1, #7-#12, #14, #15, #19).

Each test writes task files into a temporary workspace and runs the real command line (`wm move`, `wm set`,
`wm recur`, `wm validate`), then reads the files back. WM_TODAY is 2026-11-26 (conftest).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
import yaml

from workspace_tool.config import default_settings
from workspace_tool.recur import next_due
from workspace_tool.values import parse_recurrence

TASKS = "projects/ops/tasks"


@pytest.fixture
def ws(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("projects/ops/project.md", "---\ntitle: Ops\nstatus: active\n---\n")
    write_doc("people/bob.md", "---\nname: Bob\n---\n")
    return workspace


def task(ws: Path, name: str, text: str) -> None:
    path = ws / TASKS / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read(ws: Path, name: str) -> str:
    return (ws / TASKS / f"{name}.md").read_text(encoding="utf-8")


def keys(ws: Path, name: str) -> dict[str, object]:
    loaded = yaml.safe_load(read(ws, name).split("---\n")[1])
    assert isinstance(loaded, dict)
    return loaded


def done(wm, ws: Path, name: str, day: str = "2026-11-26", status: str = "done") -> str:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "--today", day, "move", name, status)
    assert result.exit_code == 0, result.output
    return result.stdout


def names(ws: Path) -> list[str]:
    return sorted(p.stem for p in (ws / TASKS).glob("*.md"))


def git(ws: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args], cwd=ws, check=True, capture_output=True)


# -- #1, #10: monthly and yearly series keep their day ---------------------------------------------------------


def test_a_series_planned_by_its_starts_keeps_its_day_of_the_month(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "close", "---\ntitle: Close\nstart: 2027-01-31\nrecurrence: monthly\n---\n")
    assert "starting 2027-02-28" in done(wm, ws, "close")
    assert "starting 2027-03-31" in done(wm, ws, "close-2027-02-28")
    task(ws, "leap", "---\ntitle: Leap\nstart: 2028-02-29\nrecurrence: yearly\n---\n")
    for name in ("leap", "leap-2029-02-28", "leap-2030-02-28"):
        done(wm, ws, name)
    assert "starting 2032-02-29" in done(wm, ws, "leap-2031-02-28")


def test_deleting_old_instances_does_not_move_a_month_end_series(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "rent", "---\ntitle: Rent\ndue: 2027-01-31\nrecurrence: monthly\n---\n")
    done(wm, ws, "rent")
    assert keys(ws, "rent-2027-02-28")["series_day"] == 31  # clipped to February: the series' day is kept in the file
    (ws / TASKS / "rent.md").unlink()  # January's instance archived
    assert "due 2027-03-31" in done(wm, ws, "rent-2027-02-28")
    assert "series_day" not in keys(ws, "rent-2027-03-31")  # on its day again: nothing to keep


# -- #7: ending a series -----------------------------------------------------------------------------------------


def test_until_ends_the_series_and_the_command_says_so(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "review", "---\ntitle: Review\ndue: 2026-11-27\nrecurrence: weekly\nuntil: 2026-12-01\n---\n")
    output = done(wm, ws, "review")
    assert "the series ends here (until: 2026-12-01); its next instance would be due 2026-12-04" in output
    assert names(ws) == ["review"]
    again = wm("-C", str(ws), "recur")
    assert again.exit_code == 0 and "no recurring task is missing" in again.output and names(ws) == ["review"]


def test_until_on_the_last_date_still_makes_that_instance(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "review", "---\ntitle: Review\ndue: 2026-11-27\nrecurrence: weekly\nuntil: 2026-12-04\n---\n")
    assert "due 2026-12-04" in done(wm, ws, "review")
    assert "the series ends here" in done(wm, ws, "review-2026-12-04")


def test_a_bad_until_is_named_with_its_line_and_nothing_is_written(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    text = "---\ntitle: Review\ndue: 2026-11-27\nrecurrence: weekly\nuntil: soon\n---\n"
    task(ws, "review", text)
    result = wm("-C", str(ws), "move", "review", "done")
    assert result.exit_code == 1 and f"{TASKS}/review.md:5: until: expected a date YYYY-MM-DD, got 'soon'" in result.output
    assert read(ws, "review") == text and names(ws) == ["review"]
    assert f"{TASKS}/review.md:5: error: until: expected a date" in wm("-C", str(ws), "validate").output  # before any move


def test_completing_with_commit_commits_the_copied_subtasks_too(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    git(ws, "init", "-q")
    git(ws, "config", "user.name", "T")
    git(ws, "config", "user.email", "t@example.com")
    task(ws, "audit", "---\ntitle: Audit\ndue: 2026-12-31\nrecurrence: quarterly\n---\n")
    task(ws, "sign-off", "---\ntitle: Sign off\nparent: audit\n---\n")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "start")
    assert wm("-C", str(ws), "move", "audit", "done", "--commit").exit_code == 0
    committed = subprocess.run(["git", "show", "--name-only", "--format=", "HEAD"], cwd=ws, capture_output=True, text=True, check=True).stdout.split()
    assert sorted(committed) == [f"{TASKS}/audit-2027-03-31.md", f"{TASKS}/audit.md", f"{TASKS}/sign-off-2027-03-31.md"]


def test_taskwarrior_s_until_of_a_series_is_wm_s_until(ws: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "tw.json"
    export.write_text(
        '[{"uuid": "22222222-2222-4222-8222-222222222222", "description": "Payroll", "status": "pending", "recur": "monthly", '
        '"parent": "11111111-1111-4111-8111-111111111111", "due": "20261130T000000Z", "until": "20270630T000000Z", "entry": "20261101T000000Z"}]',
        encoding="utf-8",
    )
    result = wm("-C", str(ws), "import", "taskwarrior", str(export))
    assert result.exit_code == 0 and "until" not in result.stderr
    written = yaml.safe_load((ws / "tasks/payroll.md").read_text(encoding="utf-8").split("---\n")[1])
    assert {k: v for k, v in written.items() if k in ("recurrence", "until")} == {"recurrence": "monthly", "until": dt.date(2027, 6, 30)}


@pytest.mark.parametrize("commit_the_deletion", [True, False])
def test_recur_does_not_bring_back_an_instance_deleted_on_purpose(ws: Path, wm, commit_the_deletion: bool) -> None:  # type: ignore[no-untyped-def]
    git(ws, "init", "-q")
    task(ws, "review", "---\ntitle: Review\ndue: 2026-11-27\nrecurrence: weekly\n---\n")
    task(ws, "backup", "---\ntitle: Backup\ndue: 2026-11-26\nrecurrence: daily\nstatus: done\ndone: 2026-11-26\n---\n")
    done(wm, ws, "review")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "review done")
    (ws / TASKS / "review-2026-12-04.md").unlink()
    if commit_the_deletion:
        git(ws, "commit", "-qam", "end the review series")
    result = wm("-C", str(ws), "recur")
    assert result.exit_code == 0, result.output
    assert names(ws) == ["backup", "backup-2026-11-27", "review"]  # the other series still goes on
    assert f"skipped review: not continued: its next instance {TASKS}/review-2026-12-04.md was deleted (git)" in result.stderr
    assert f"remove `recurrence:` from {TASKS}/review.md to end the series" in result.stderr


# -- #9: the checklist of the next instance ---------------------------------------------------------------------


def test_the_next_instance_clears_numbered_items_and_leaves_code_alone(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    body = (
        "\n1. [x] Collect timesheets\n2) [X] Upload bank file\n- [x] Send payslips\n\n"
        "```markdown\n- [x] Example in a fenced block\n```\n\nText:\n\n    - [x] Example in an indented block\n"
    )
    task(ws, "payroll", "---\ntitle: Payroll\ndue: 2026-11-30\nrecurrence: monthly\n---\n" + body)
    done(wm, ws, "payroll")
    new = read(ws, "payroll-2026-12-30")
    assert new.endswith(body.replace("1. [x]", "1. [ ]").replace("2) [X]", "2) [ ]").replace("- [x] Send", "- [ ] Send"))


# -- #11: dependencies between routines --------------------------------------------------------------------------

RUN = "---\ntitle: Run payroll\ndue: 2026-11-30\nrecurrence: monthly\n---\n"
SEND = "---\ntitle: Payslips\ndue: 2026-11-30\nrecurrence: monthly\ndepends_on: [run-payroll]\n---\n"


def test_a_dependency_on_another_series_moves_to_its_newest_open_instance(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "run-payroll", RUN)
    task(ws, "payslips", SEND)
    done(wm, ws, "run-payroll")
    output = done(wm, ws, "payslips")
    assert "depends_on run-payroll -> run-payroll-2026-12-30" in output
    assert keys(ws, "payslips-2026-12-30")["depends_on"] == ["run-payroll-2026-12-30"]
    blocked = wm("-C", str(ws), "blocked")
    assert "payslips-2026-12-30" in blocked.output and "run-payroll-2026-12-30 (todo)" in blocked.output


def test_recur_makes_a_dependency_s_next_instance_first(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """Both completed by hand: `payslips` sorts before `run-payroll`, yet its instance depends on December's run."""
    task(ws, "run-payroll", RUN.replace("title:", "status: done\ndone: 2026-11-26\ntitle:"))
    task(ws, "payslips", SEND.replace("title:", "status: done\ndone: 2026-11-26\ntitle:"))
    result = wm("-C", str(ws), "recur")
    assert result.exit_code == 0, result.output
    assert keys(ws, "payslips-2026-12-30")["depends_on"] == ["run-payroll-2026-12-30"]
    assert "depends_on run-payroll -> run-payroll-2026-12-30" in result.stdout
    assert result.stdout.index("run-payroll-2026-12-30.md") < result.stdout.index("payslips-2026-12-30.md")


# -- #12: a recurring parent's subtasks ----------------------------------------------------------------------------


def test_a_recurring_parent_s_subtasks_are_copied_under_its_next_instance(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "audit", "---\ntitle: Audit\ndue: 2026-12-31\nrecurrence: quarterly\n---\n")
    task(ws, "reconcile", "---\ntitle: Reconcile\nstatus: done\ndone: 2026-11-20\nparent: audit\ndue: 2026-12-20\n---\n\n- [x] Bank\n")
    task(ws, "sign-off", "---\ntitle: Sign off\nparent: audit\ndepends_on: [reconcile]\n---\n")
    task(ws, "monthly-check", "---\ntitle: Check\nparent: audit\ndue: 2026-11-30\nrecurrence: monthly\n---\n")
    output = done(wm, ws, "audit")
    assert "copy of subtask reconcile under audit-2027-03-31" in output and "copy of subtask sign-off" in output
    assert "monthly-check-2027" not in output  # a recurring subtask is its own series
    reconcile = keys(ws, "reconcile-2027-03-31")
    assert reconcile["status"] == "todo" and reconcile["parent"] == "audit-2027-03-31" and reconcile["previous"] == "reconcile"
    assert reconcile["due"] == dt.date(2027, 3, 20) and "done" not in reconcile  # moved as its parent: 90 days
    assert read(ws, "reconcile-2027-03-31").endswith("\n- [ ] Bank\n")
    assert keys(ws, "sign-off-2027-03-31")["depends_on"] == ["reconcile-2027-03-31"]
    assert names(ws) == [
        "audit", "audit-2027-03-31", "monthly-check", "reconcile", "reconcile-2027-03-31", "sign-off", "sign-off-2027-03-31",
    ]
    output = done(wm, ws, "monthly-check")  # its next instance belongs to the audit's new instance
    assert keys(ws, "monthly-check-2026-12-30")["parent"] == "audit-2027-03-31" and "parent audit -> audit-2027-03-31" in output


# -- #14: the next instance is not planned a whole period early ---------------------------------------------------


def test_the_next_instance_starts_when_its_period_does(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "payroll", "---\ntitle: Payroll\nassignee: bob\nestimate: 1d\ndue: 2026-11-30\nrecurrence: monthly\n---\n")
    task(ws, "other", "---\ntitle: Other\nassignee: bob\nestimate: 1d\ndue: 2026-12-04\n---\n")
    done(wm, ws, "payroll")
    assert keys(ws, "payroll-2026-12-30")["start"] == dt.date(2026, 11, 30)  # one month before its due date
    listed = wm("-C", str(ws), "next")
    assert listed.exit_code == 0 and "payroll-2026-12-30" not in listed.output and "other" in listed.output
    done(wm, ws, "payroll-2026-12-30", day="2026-12-30")
    assert keys(ws, "payroll-2027-01-30")["start"] == dt.date(2026, 12, 30)  # moved with its due date from then on


# -- #15: rule words and a month-end rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("quarterly", (3, "month")), ("fortnightly", (2, "week")), ("annually", (1, "year")), ("Quarterly  on the last day", (3, "month-end")),
        ("semiannually", (6, "month")), ("monthly on the last day", (1, "month-end")),
    ],
)
def test_common_rule_words_are_read(rule: str, expected: tuple[int, str]) -> None:
    assert parse_recurrence(rule) == expected


def test_an_unknown_rule_names_every_n_units(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "x", "---\ntitle: X\nrecurrence: every other tuesday\n---\n")
    result = wm("-C", str(ws), "validate")
    assert "unknown recurrence 'every other tuesday'" in result.output and "every N days|weeks|months|years" in result.output


def test_monthly_on_the_last_day_follows_month_ends(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    task(ws, "pay", "---\ntitle: Pay\ndue: 2026-11-30\nrecurrence: monthly on the last day\n---\n")
    assert "due 2026-12-31" in done(wm, ws, "pay")
    assert "due 2027-01-31" in done(wm, ws, "pay-2026-12-31")
    assert "due 2027-02-28" in done(wm, ws, "pay-2027-01-31")
    assert "due 2027-03-31" in done(wm, ws, "pay-2027-02-28")


# -- #19: absurd intervals -----------------------------------------------------------------------------------------


def test_an_absurd_interval_is_refused_where_it_is_written(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    text = "---\ntitle: Odd\ndue: 2026-12-01\nrecurrence: every 99999999999 days\n---\n"
    task(ws, "odd", text)
    result = wm("-C", str(ws), "validate")
    assert f"{TASKS}/odd.md:4: error: recurrence:" in result.output and "at most every 36600 days" in result.output
    moved = wm("-C", str(ws), "move", "odd", "done")
    assert moved.exit_code == 1 and f"{TASKS}/odd.md:4:" in moved.output and "--from" not in moved.output
    assert read(ws, "odd") == text


def test_next_due_past_the_calendar_s_end_is_a_value_error() -> None:
    cal = default_settings().calendar
    with pytest.raises(ValueError, match="past the year 9999"):
        next_due("every 36600 days", dt.date(9990, 1, 1), dt.date(9990, 1, 1), cal)


# -- #8: other trackers' words for recurrence --------------------------------------------------------------------


@pytest.mark.parametrize("key", ["recur", "repeat", "recurring", "rrule"])
def test_other_words_for_recurrence_get_a_hint(ws: Path, wm, key: str) -> None:  # type: ignore[no-untyped-def]
    task(ws, "x", f"---\ntitle: X\n{key}: monthly\n---\n")
    result = wm("-C", str(ws), "validate")
    assert f"{key}: not a field of a task; did you mean 'recurrence'?" in result.output
