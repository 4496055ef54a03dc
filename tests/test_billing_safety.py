"""Time and billing never leave hours out, count them twice or bill them twice without saying so.

Each test is a way an invoice or a report went wrong silently: a broken or
malformed time log, overlapping entries, an unknown ref, a rate in the wrong
currency, an invoice of a month not over, an invoiced entry edited later, a
timeclock export imported back, a broken log under the time commands.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from test_reports_workspace import NOW, build_studio

from workspace_tool.invoice import allocate
from workspace_tool.reports.time import TimeQuery, time_report
from workspace_tool.workspace import load_index

ALICE_OCT = "timelogs/alice/2026-10.md"


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WM_NOW", "16:30")
    monkeypatch.delenv("WM_PERSON", raising=False)
    return build_studio(tmp_path / "ws")


def _index(root: Path):  # type: ignore[no-untyped-def]
    return load_index(root, dt.date(2026, 11, 26), use_cache=False)


def _edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _october(root: Path):  # type: ignore[no-untyped-def]
    return time_report(_index(root), TimeQuery(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)), now=NOW)


# --- problems in the time logs: reports warn, invoices refuse ---------------------------------


def test_a_time_log_that_does_not_parse_is_named_by_the_report_and_blocks_the_invoice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, ALICE_OCT, "person: alice\n", "person: alice: broken\n")
    report = _october(studio)
    assert report.total_hours == 0  # its entries are unknown...
    assert any(w.startswith(f"{ALICE_OCT}:2: invalid YAML") for w in report.warnings)  # ...and the report says so
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "acme is not invoiced for 2026-10" in result.stderr and f"{ALICE_OCT}:2: invalid YAML" in result.stderr
    assert not (studio / "invoices").exists()


def test_a_malformed_entry_line_is_named_and_blocks_the_invoice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, ALICE_OCT, "- 2026-10-20 2h admin\n", "- 2026-10-20 2h admin\n- 2026-10-21 1h30 design more sketches\n")
    report = _october(studio)
    assert any(w.startswith(f"{ALICE_OCT}:9:") for w in report.warnings), report.warnings
    assert report.warnings[-1] == "this time log problem leaves entries out or counts them twice until fixed"
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 1 and f"{ALICE_OCT}:9:" in result.stderr
    assert not (studio / "invoices").exists()


def test_a_problem_outside_the_period_is_not_this_reports_business(studio: Path) -> None:
    _edit(studio, "timelogs/bob/2026-11.md", "- 2026-11-06 2h api\n", "- 2026-11-06 2h api\n- 2026-11-07 2x api\n")
    assert _october(studio).warnings == ()


def test_overlapping_entries_are_warned_about_and_never_invoiced(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, ALICE_OCT, "- 2026-10-20 2h admin\n", "- 2026-10-20 2h admin\n- 2026-10-06 10:00-11:00 design review again\n")
    report = _october(studio)
    assert any(f"{ALICE_OCT}:9: time entry overlaps {ALICE_OCT}:7" in w for w in report.warnings), report.warnings
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 1 and f"{ALICE_OCT}:9: time entry overlaps" in result.stderr
    assert not (studio / "invoices").exists()


def test_a_range_inside_a_running_timer_is_warned_about_and_never_invoiced(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """`wm log` refuses a range inside a running timer, and `wm validate` reports one: so does the report that counts it."""
    _edit(studio, ALICE_OCT, "- 2026-10-20 2h admin\n", "- 2026-10-20 2h admin\n- 2026-10-22 08:00- design\n- 2026-10-22 10:00-11:00 design inside\n")
    report = _october(studio)
    assert any(f"{ALICE_OCT}:10: time entry overlaps {ALICE_OCT}:9 (a timer running since 08:00" in w for w in report.warnings), report.warnings
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")  # refused (the running timer is named first)
    assert result.exit_code == 1 and not (studio / "invoices").exists()


def test_an_entry_on_an_unknown_ref_blocks_the_invoice_of_its_month(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, ALICE_OCT, "- 2026-10-20 2h admin\n", "- 2026-10-20 2h admin\n- 2026-10-22 2h desing\n")
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 1 and f"{ALICE_OCT}:9: entry ref 'desing' is not a task or project" in result.stderr


def test_an_invalid_rate_on_the_client_blocks_the_invoice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, "clients/acme.md", "rate: 100\n", "rate: 100 EUR\n")
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 1 and "clients/acme.md:3: rate:" in result.stderr  # not the person's 90 instead
    assert not (studio / "invoices").exists()


def test_an_empty_clock_range_is_an_error_not_a_day(studio: Path) -> None:
    _edit(studio, ALICE_OCT, "- 2026-10-20 2h admin\n", "- 2026-10-20 2h admin\n- 2026-10-21 09:00-09:00 design typo\n")
    index = _index(studio)
    assert [d.message for d in index.diagnostics() if d.line == 9] == [
        "time entry 09:00-09:00 is empty: it ends when it starts (write the end time, or a duration)"
    ]
    assert _october(studio).total_hours == 6.5  # 3 + 1.5 + 2, no 24 hours


# --- currencies -------------------------------------------------------------------------------


def test_a_person_rate_in_a_client_of_another_currency_is_warned_and_not_invoiced(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, "clients/globex.md", "rate: 80\n", "")  # globex bills in USD; bob's rate (70) is in EUR
    report = time_report(_index(studio), TimeQuery(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)), now=NOW)
    assert any("of client globex" in w and "which are in EUR, but globex is billed in USD" in w for w in report.warnings), report.warnings
    result = wm("-C", str(studio), "invoice", "globex", "--month", "2026-11", "--partial")
    assert result.exit_code == 1 and "billed in USD" in result.stderr and "no invoice written" in result.stderr


# --- the invoice itself -------------------------------------------------------------------------


def test_allocate_keeps_the_total_and_gives_leftover_units_to_the_largest_remainders() -> None:
    third = Decimal(100) / 3
    assert allocate([third, third, third], Decimal("0.01")) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert allocate([Decimal("1.005"), Decimal("2.001")], Decimal("0.01")) == [Decimal("1.01"), Decimal("2.00")]
    assert allocate([], Decimal("0.01")) == []


def test_invoice_lines_add_up_to_its_total(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, ALICE_OCT, "- 2026-10-20 2h admin\n", "- 2026-10-20 2h admin\n" + "- 2026-10-21 20m site call\n" * 3)
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10", "--dry-run")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 2026-10-21 ")]
    assert [row.split(" | ")[-3:] for row in rows] == [["0.34", "100.00", "33.34 |"], ["0.33", "100.00", "33.33 |"], ["0.33", "100.00", "33.33 |"]]
    assert "| Acme website (`site`) | 1.00 | 100.00 |" in result.stdout
    assert "| **Total** | | | | **4.00** | | **400.00** |" in result.stdout


def test_a_private_time_logs_notes_stay_off_the_invoice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, ALICE_OCT, "person: alice\n", "person: alice\nvisibility: private\n")
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "initial sketches" not in result.stdout
    assert "| 2026-10-05 | alice | design |  | 3.00 | 100.00 | 300.00 |" in result.stdout  # billed all the same


def test_a_month_not_over_needs_partial_and_later_time_goes_on_a_follow_up(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    refused = wm("-C", str(studio), "invoice", "globex", "--month", "2026-11")
    assert refused.exit_code == 1 and "2026-11 has not ended (today is 2026-11-26)" in refused.stderr and "--partial" in refused.stderr
    assert wm("-C", str(studio), "invoice", "globex", "--month", "2026-11", "--partial").exit_code == 0
    first = (studio / "invoices/globex-2026-11.md").read_text()
    wm("-C", str(studio), "log", "api", "1h", "late", "--date", "2026-11-25", "--person", "bob")
    follow = wm("-C", str(studio), "invoice", "globex", "--month", "2026-11", "--partial")
    assert follow.exit_code == 0, follow.output
    assert follow.stdout == "invoices/globex-2026-11-2.md: 1 entries, 1h, 80.00 USD\n"
    assert (studio / "invoices/globex-2026-11.md").read_text() == first
    again = wm("-C", str(studio), "invoice", "globex", "--month", "2026-11", "--partial")
    assert again.exit_code == 1 and "nothing to invoice" in again.stderr


def test_an_invoiced_entry_edited_later_is_flagged_and_never_billed_twice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(studio), "invoice", "acme", "--month", "2026-10").exit_code == 0
    _edit(studio, ALICE_OCT, "- 2026-10-05 3h design", "- 2026-10-05 4h design")
    warnings = [d for d in _index(studio).diagnostics() if d.code == "invoiced-entry-changed"]
    assert [(d.path, d.severity) for d in warnings] == [("invoices/acme-2026-10.md", "warning")]
    assert "timelogs/alice/2026-10.md 2026-10-05 design 3.0h is no longer in its time log" in warnings[0].message
    follow = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert follow.exit_code == 1 and "changed after invoicing, and would be billed twice" in follow.stderr
    assert not (studio / "invoices/acme-2026-10-2.md").exists()


# --- imports and the time commands ------------------------------------------------------------


def test_our_own_timeclock_export_imported_back_adds_nothing(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = wm("-C", str(studio), "export", "timeclock")
    assert export.exit_code == 0, export.output
    source = tmp_path / "all.timeclock"
    lines = export.stdout.splitlines()
    alice = [line for i, line in enumerate(lines) if (line.startswith("i ") and " alice:" in line) or (line.startswith("o ") and " alice:" in lines[i - 1])]
    source.write_text("\n".join(alice) + "\n", encoding="utf-8")
    before = {p: (studio / p).read_text() for p in (ALICE_OCT, "timelogs/alice/2026-11.md")}
    result = wm("-C", str(studio), "import", "timeclock", str(source), "--person", "alice")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0].startswith("0 entries imported")
    assert {p: (studio / p).read_text() for p in before} == before


def test_an_import_keeps_a_crlf_time_log_crlf(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = studio / "timelogs/bob/2026-11.md"
    log.write_bytes(log.read_bytes().replace(b"\n", b"\r\n"))
    source = tmp_path / "one.timeclock"
    source.write_text("i 2026-11-10 09:00 acme:site\no 2026-11-10 10:00\n", encoding="utf-8")
    assert wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob").exit_code == 0
    data = log.read_bytes()
    assert data.endswith(b"- 2026-11-10 09:00-10:00 site\r\n") and b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "args",
    [
        ("log", "design", "1h"),
        ("start", "design", "--at", "09:00"),
        ("stop", "--at", "10:00"),
        ("status",),
    ],
)
def test_the_time_commands_refuse_a_person_whose_log_does_not_parse(studio: Path, wm, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _edit(studio, "timelogs/alice/2026-11.md", "person: alice\n", "person: [alice\n")
    before = (studio / "timelogs/alice/2026-11.md").read_text()
    result = wm("-C", str(studio), *args, "--person", "alice")
    assert result.exit_code == 1 and "Traceback" not in result.output
    warning, refusal = result.stderr.splitlines()  # every command says a file was left out; this one refuses
    assert warning.startswith("wm: warning: 1 file could not be read and is left out: timelogs/alice/2026-11.md:")
    assert refusal.startswith("wm: timelogs/alice/2026-11.md:") and "alice's time log cannot be read" in refusal
    assert (studio / "timelogs/alice/2026-11.md").read_text() == before


def test_a_timer_forgotten_overnight_stops_at_a_date_and_time(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    log = studio / "timelogs/alice/2026-11.md"
    _edit(studio, "timelogs/alice/2026-11.md", "- 2026-11-26 14:00- build\n", "- 2026-11-20 14:00- build\n")
    refused = wm("-C", str(studio), "stop", "--at", "17:00", "--person", "alice")
    assert refused.exit_code == 2 and "wm stop --at '2026-11-20 HH:MM'" in refused.stderr
    stopped = wm("-C", str(studio), "stop", "--at", "2026-11-20 18:00", "--person", "alice")
    assert stopped.exit_code == 0, stopped.output
    assert "- 2026-11-20 14:00-18:00 build\n" in log.read_text()
    bad = wm("-C", str(studio), "stop", "--at", "20-11 18:00", "--person", "alice")
    assert bad.exit_code == 2 and "--at: expected HH:MM, or YYYY-MM-DD HH:MM" in bad.stderr


def test_log_says_what_it_rounds_refuses_under_a_minute_and_warns_on_done_work(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    log = studio / "timelogs/bob/2026-11.md"
    rounded = wm("-C", str(studio), "log", "build", "1.999h", "--person", "bob")
    assert rounded.exit_code == 0 and "1.999h is logged as 2h (time entries are whole minutes)" in rounded.stderr
    assert log.read_text().endswith("- 2026-11-26 2h build\n")
    before = log.read_text()
    tiny = wm("-C", str(studio), "log", "build", "0.001h", "--person", "bob")
    assert tiny.exit_code == 2 and "'0.001h' is under a minute" in tiny.stderr and "internal" not in tiny.stderr
    assert log.read_text() == before
    done = wm("-C", str(studio), "log", "api", "1h", "--person", "bob")
    assert done.exit_code == 0 and "warning: api is done: the time is logged on it all the same" in done.stderr


def test_a_timeclock_round_trip_keeps_what_is_billable(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Export, delete the logs, import: the same hours are billable (`#nonbillable` went along as a tag)."""
    before = _october(studio)
    export = wm("-C", str(studio), "export", "timeclock", "--to", "2026-10-31")
    assert "alice: design review #nonbillable" in export.stdout
    source = tmp_path / "oct.timeclock"
    source.write_text(export.stdout, encoding="utf-8")
    (studio / ALICE_OCT).unlink()
    assert wm("-C", str(studio), "import", "timeclock", str(source), "--person", "alice").exit_code == 0
    after = _october(studio)
    assert (after.total_hours, after.total_billable_hours, after.totals) == (before.total_hours, before.total_billable_hours, before.totals)
    assert after.total_billable_hours == 3  # the 1.5h review stays non-billable


def test_a_timewarrior_interval_across_a_clock_change_keeps_its_real_length(studio: Path, wm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """00:30 to 01:30 UTC on 2026-10-25 is 01:30 to 02:30 in Berlin, yet two hours: the clocks went back. It is
    written as a duration, since no clock range tells it; a second import adds nothing."""
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        source = tmp_path / "timew.json"
        source.write_text(
            '[{"id":2,"start":"20261024T233000Z","end":"20261025T013000Z","tags":["build"],"annotation":"night"},\n'
            ' {"id":1,"start":"20261026T080000Z","end":"20261026T093000Z","tags":["build"],"annotation":"day"}]\n',
            encoding="utf-8",
        )
        result = wm("-C", str(studio), "import", "timewarrior", str(source), "--person", "bob", "--dry-run")
        assert result.exit_code == 0, result.output
        assert result.stdout == "- 2026-10-25 2h build night\n- 2026-10-26 09:00-10:30 build day\n"
        assert wm("-C", str(studio), "import", "timewarrior", str(source), "--person", "bob").exit_code == 0
        again = wm("-C", str(studio), "import", "timewarrior", str(source), "--person", "bob")
        assert again.stderr.splitlines()[0] == "0 entries imported, 2 already logged (skipped)"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
