"""`wm report time`: hours and money per group, exact cents, running timers, filters, bad input.

Expected numbers are worked out by hand from the timelog lines in
test_reports_workspace.py (see the comments there).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import check_golden
from test_reports_workspace import NOW, build_studio, studio_index

from workspace_tool.errors import UsageError
from workspace_tool.reports.billing import Pricer, cents
from workspace_tool.reports.time import TimeQuery, parse_group_by, row_keys, time_report

GOLDEN = Path(__file__).parent / "golden" / "reports"


def test_by_client_project_hours_and_money(tmp_path: Path) -> None:
    report = time_report(studio_index(tmp_path / "ws"), TimeQuery(group_by=("client", "project")), now=NOW)
    rows = {r.key: r for r in report.rows}
    # site: alice 3 + 1.5 + 4 + 3x20m + 2.5 running, bob 5 + 1 = 18h; 1.5h is #nonbillable
    assert round(rows[("acme", "site")].hours, 4) == 18
    assert round(rows[("acme", "site")].billable_hours, 4) == 16.5
    # 300 + 400 + 100 (three exact thirds) + 300 running + 600 + 100
    assert rows[("acme", "site")].amounts["EUR"].quantize(Decimal("0.01")) == Decimal("1800.00")
    assert round(rows[("globex", "app")].hours, 4) == 6.75
    assert rows[("globex", "app")].amounts["USD"].quantize(Decimal("0.01")) == Decimal("540.00")
    assert rows[(None, "internal")].amounts == {}  # not billable: hours, no money
    assert round(report.total_hours, 4) == 26.75
    assert report.totals["EUR"].quantize(Decimal("0.01")) == Decimal("1800.00")
    assert rows[("acme", "site")].running and not rows[("globex", "app")].running


def test_pricing_kinds_of_entries_equals_pricing_each_entry(tmp_path: Path) -> None:
    """The report prices each kind of entry (ref, person, tags) once; pricing every entry gives the same rows."""
    index = studio_index(tmp_path / "ws")
    for group_by in (("client", "project"), ("person",), ("tag",), ("task", "week"), ("month", "person")):
        report = time_report(index, TimeQuery(group_by=group_by), now=NOW)
        pricer = Pricer(index, NOW)
        hours: dict[tuple[str | None, ...], float] = defaultdict(float)
        money: dict[tuple[str | None, ...], dict[str, Decimal]] = defaultdict(dict)
        for entry in index.entries:
            priced = pricer.price(entry)
            for key in row_keys(priced, group_by):
                hours[key] += priced.hours
                if priced.amount is not None:
                    money[key][priced.currency] = money[key].get(priced.currency, Decimal(0)) + priced.amount
        rows = {row.key: row for row in report.rows}
        assert set(rows) == set(hours), group_by
        for key, row in rows.items():
            assert abs(row.hours - hours[key]) < 1e-4, (group_by, key)  # entries keep 20m as 0.333333h; rows sum whole minutes
            assert {c: cents(v) for c, v in row.amounts.items()} == {c: cents(v) for c, v in money[key].items()}, (group_by, key)


def test_mixed_currencies_are_never_added(tmp_path: Path) -> None:
    data = time_report(studio_index(tmp_path / "ws"), TimeQuery(group_by=("client",)), now=NOW).as_json()
    assert data["currency"] is None and data["total_amount"] is None
    assert data["totals_by_currency"] == {"EUR": 1800, "USD": 540}
    assert any("several currencies" in w for w in data["warnings"])
    row = next(r for r in data["rows"] if r["key"] == ["globex"])
    assert row["amount"] is None and row["amounts"] == {"USD": 540}


def test_single_currency_json_shape(tmp_path: Path) -> None:
    query = TimeQuery(group_by=("project",), start=None, end=None)
    index = studio_index(tmp_path / "ws", {"clients/globex.md": "---\nname: Globex\nrate: 80\n---\n"})
    data = time_report(index, query, now=NOW).as_json()
    assert list(data) == ["from", "to", "group_by", "rows", "total_hours", "total_amount", "currency", "running", "warnings"]
    assert data["currency"] == "EUR" and data["total_amount"] == 2340  # 1800 + 540
    assert data["rows"][0] == {"key": ["app"], "hours": 6.75, "billable_hours": 6.75, "amount": 540}


def test_amounts_are_exact_sums_rounded_half_up(tmp_path: Path) -> None:
    # three 20m entries at 100/h: exactly 100.00, where rounding each entry first would give 99.99
    report = time_report(studio_index(tmp_path / "ws"), TimeQuery(group_by=("task",), start=_d("2026-11-03"), end=_d("2026-11-03")), now=NOW)
    data = report.as_json()
    assert [(r["key"], r["amount"]) for r in data["rows"]] == [([None], 100)]
    assert data["total_amount"] == 100
    per_entry = sum((Decimal(100) / 3).quantize(Decimal("0.01")) for _ in range(3))
    assert per_entry == Decimal("99.99")  # what rounding each entry first would have said


def test_half_up_rounding_of_a_half_cent(tmp_path: Path) -> None:
    # 1h at 10.005 = 10.005 exactly -> 10.01 half-up (banker's rounding would give 10.00)
    extra = {
        "projects/internal/project.md": "---\ntitle: Internal\nstatus: active\nbillable: true\nrate: 10.005\n---\n",
        "timelogs/alice/2026-10.md": "---\nperson: alice\n---\n- 2026-10-20 1h admin\n",
        "timelogs/alice/2026-11.md": "---\nperson: alice\n---\n",
        "timelogs/bob/2026-11.md": "---\nperson: bob\n---\n",
    }
    data = time_report(studio_index(tmp_path / "ws", extra), TimeQuery(), now=NOW).as_json()
    assert data["total_amount"] == 10.01


def test_dates_are_inclusive_and_default_to_all_time(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws")
    everything = time_report(index, TimeQuery(group_by=("month",)), now=NOW)
    assert [(r.key, round(r.hours, 4)) for r in everything.rows] == [(("2026-10",), 6.5), (("2026-11",), 20.25)]
    one_day = time_report(index, TimeQuery(start=_d("2026-11-02"), end=_d("2026-11-02"), group_by=("person",)), now=NOW)
    assert [(r.key, r.hours) for r in one_day.rows] == [(("alice",), 4.0), (("bob",), 5.0)]


def test_running_timer_counts_up_to_now(tmp_path: Path) -> None:
    import datetime as dt

    index = studio_index(tmp_path / "ws")
    query = TimeQuery(start=_d("2026-11-26"), group_by=("task",))
    at_1530 = time_report(index, query, now=dt.datetime(2026, 11, 26, 15, 30))
    assert [(r.key, r.hours, r.running) for r in at_1530.rows] == [(("build",), 1.5, True)]
    assert at_1530.running == 1
    before = time_report(index, query, now=dt.datetime(2026, 11, 26, 13, 0))
    assert before.rows[0].hours == 0


def test_billable_and_unbilled_filters(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws")
    billable = time_report(index, TimeQuery(group_by=("person",), billable_only=True), now=NOW)
    # alice: all but 1.5h #nonbillable and 2h internal: 3+4+1+2.5 = 10.5; bob: everything, 12.75
    assert [(r.key, round(r.hours, 4)) for r in billable.rows] == [(("alice",), 10.5), (("bob",), 12.75)]
    assert time_report(index, TimeQuery(unbilled=True), now=NOW).total_hours == billable.total_hours


def test_tag_rows_count_each_tag_but_totals_once(tmp_path: Path) -> None:
    extra = {"timelogs/bob/2026-12.md": "---\nperson: bob\n---\n- 2026-12-01 2h build #billable #urgent\n"}
    report = time_report(studio_index(tmp_path / "ws", extra), TimeQuery(start=_d("2026-12-01"), group_by=("tag",)), now=NOW)
    assert [(r.key, r.hours) for r in report.rows] == [(("billable",), 2.0), (("urgent",), 2.0)]
    assert report.total_hours == 2.0


def test_rate_chain_task_project_client_person_workspace(tmp_path: Path) -> None:
    extra = {
        "workspace.yml": "name: Studio\ncurrency: EUR\nrate: 50\n",
        "projects/internal/project.md": "---\ntitle: Internal\nstatus: active\nbillable: true\n---\n",
        "projects/other/project.md": "---\ntitle: Other\nstatus: active\nbillable: true\n---\n",
        "timelogs/carol/2026-12.md": "---\nperson: carol\n---\n- 2026-12-01 1h other\n",
        "people/carol.md": "---\nname: Carol\n---\n",
    }
    index = studio_index(tmp_path / "ws", extra)
    report = time_report(index, TimeQuery(start=_d("2026-10-20"), end=_d("2026-12-01"), group_by=("project", "person")), now=NOW)
    rows = {r.key: r.amounts.get("EUR") for r in report.rows}
    assert rows[("internal", "alice")] == Decimal("180.0")  # alice's own 90/h: no task, project or client rate
    assert rows[("other", "carol")] == Decimal("50.0")  # nobody has a rate: the workspace's 50
    assert rows[("site", "bob")].quantize(Decimal("1")) == Decimal(700)  # build 5h x task rate 120 + meeting 1h x acme 100


def test_client_without_rate_warns_instead_of_billing_zero(tmp_path: Path) -> None:
    extra = {
        "clients/acme.md": "---\nname: Acme Corp\n---\n",
        "people/alice.md": "---\nname: Alice\n---\n",
        "people/bob.md": "---\nname: Bob\n---\n",
        "projects/site/tasks/build.md": "---\ntitle: Build\nstatus: in-progress\nassignee: bob\nestimate: 20h\n---\n",
    }
    report = time_report(studio_index(tmp_path / "ws", extra), TimeQuery(group_by=("client",)), now=NOW)
    rows = {r.key: r for r in report.rows}
    assert rows[("acme",)].amounts == {}
    warning = next(w for w in report.warnings if w.startswith("no rate"))
    assert "project site (client acme)" in warning and "not billed" in warning


def test_unknown_reference_is_counted_and_named(tmp_path: Path) -> None:
    extra = {"timelogs/bob/2026-12.md": "---\nperson: bob\n---\n\n- 2026-12-02 30m ghost-task lost\n"}
    report = time_report(studio_index(tmp_path / "ws", extra), TimeQuery(start=_d("2026-12-01"), group_by=("project",)), now=NOW)
    assert [(r.key, r.hours) for r in report.rows] == [((None,), 0.5)]
    assert report.warnings == ("timelogs/bob/2026-12.md:5: entry ref 'ghost-task' is an unknown ID (1 entries, 0.5h counted without project)",)


def test_person_who_left_still_counts(tmp_path: Path) -> None:
    extra = {"timelogs/zoe/2026-11.md": "---\nperson: zoe\n---\n- 2026-11-10 3h design\n"}
    report = time_report(studio_index(tmp_path / "ws", extra), TimeQuery(group_by=("person",), start=_d("2026-11-10"), end=_d("2026-11-10")), now=NOW)
    assert [(r.key, r.hours, r.amounts) for r in report.rows] == [(("zoe",), 3.0, {"EUR": Decimal("300.0")})]


def test_overlapping_ranges_are_each_counted(tmp_path: Path) -> None:
    # overlaps are a validation error; the report still counts what is written
    extra = {"timelogs/bob/2026-12.md": "---\nperson: bob\n---\n- 2026-12-01 09:00-11:00 build\n- 2026-12-01 10:00-12:00 build\n"}
    index = studio_index(tmp_path / "ws", extra)
    assert any(d.code == "overlap" for d in index.diagnostics())
    assert time_report(index, TimeQuery(start=_d("2026-12-01")), now=NOW).total_hours == 4.0


def test_group_by_parsing() -> None:
    assert parse_group_by("client,project") == ("client", "project")
    for bad in ("colour", "a,b,c", "client,client", ""):
        with pytest.raises(UsageError):
            parse_group_by(bad)


def _d(text: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(text)


# -- the command line ------------------------------------------------------


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WM_NOW", "16:30")
    monkeypatch.setenv("COLUMNS", "160")
    return build_studio(tmp_path / "ws")


def test_cli_table_golden(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), "report", "time", "--by", "client,project")
    assert result.exit_code == 0, result.output
    check_golden(GOLDEN / "studio_time_client_project.txt", result.stdout)
    assert "running timer" in result.stderr and "several currencies" in result.stderr


def test_cli_json_golden(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), "report", "time", "--by", "person,month", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["total_hours"] == 26.75 and data["totals_by_currency"] == {"EUR": 1800, "USD": 540}
    check_golden(GOLDEN / "studio_time_person_month.json", result.stdout)


def test_cli_csv(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), "report", "time", "--by", "person", "--csv", "--from", "2026-11-01")
    assert result.stdout == (
        "person,hours,billable,amount EUR,amount USD\n"
        "alice,7.5,7.5,800.00,\n"
        "bob,12.75,12.75,700.00,540.00\n"
    )


def test_cli_bad_options_are_one_line(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    for args, message in (
        (["--by", "colour"], "unknown group 'colour'"),
        (["--from", "someday"], "--from: expected a date YYYY-MM-DD (or today, tomorrow, yesterday, +3d, -1w), got 'someday'"),
        (["--from", "2026-11-02", "--to", "2026-11-01"], "is before --from"),
        (["--json", "--csv"], "cannot be used together"),
    ):
        result = wm("-C", str(studio), "report", "time", *args)
        assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_from_and_to_take_the_date_words_wm_set_takes(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """`yesterday`, `-1w` as `wm set due=` and `wm log --date` take them (the studio's today is 2026-11-26)."""
    words = wm("-C", str(studio), "report", "time", "--from", "-1w", "--to", "yesterday", "--json")
    dates = wm("-C", str(studio), "report", "time", "--from", "2026-11-19", "--to", "2026-11-25", "--json")
    assert words.exit_code == 0 and words.stdout == dates.stdout


def test_progress_bar_only_on_a_terminal_and_for_long_spans(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io
    import sys

    from workspace_tool.cli import reports as cli_reports

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli_reports._progress_for(lambda: 400) is None  # not a terminal
    terminal = Tty()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli_reports._progress_for(lambda: 30) is None  # a month: no bar
    wrap = cli_reports._progress_for(lambda: 400)
    assert wrap is not None
    index = studio_index(tmp_path / "ws")
    with_bar = time_report(index, TimeQuery(), now=NOW, progress=wrap)
    assert with_bar.total_hours == time_report(index, TimeQuery(), now=NOW).total_hours
    assert "Reading time entries" in terminal.getvalue()


def test_report_flow_is_attached_when_history_has_it() -> None:
    from workspace_tool.cli.reports import report_group

    try:
        from workspace_tool.cli.history import FLOW_COMMAND  # type: ignore[attr-defined]
    except ImportError:
        pytest.skip("the history module has no FLOW_COMMAND")
    assert report_group.commands["flow"] is FLOW_COMMAND


def test_absurd_durations_are_rejected_not_counted(tmp_path: Path) -> None:
    extra = {"timelogs/bob/2026-12.md": "---\nperson: bob\n---\n- 2026-12-01 30h build\n- 2026-12-02 2h build\n"}
    index = studio_index(tmp_path / "ws", extra)
    assert [d.message for d in index.diagnostics() if d.path == "timelogs/bob/2026-12.md"] == [
        "time entry of 30h is longer than a day; split it per day"
    ]
    assert time_report(index, TimeQuery(start=_d("2026-12-01")), now=NOW).total_hours == 2.0


def test_forgotten_timer_is_counted_and_flagged(tmp_path: Path) -> None:
    import datetime as dt

    extra = {"timelogs/bob/2026-12.md": "---\nperson: bob\n---\n\n- 2026-12-01 09:00- build\n"}
    report = time_report(studio_index(tmp_path / "ws", extra), TimeQuery(start=_d("2026-12-01")), now=dt.datetime(2026, 12, 3, 9, 0))
    assert report.total_hours == 48.0 and report.rows[0].running
    assert "timelogs/bob/2026-12.md:5: timer running since 2026-12-01 09:00 (48.0h so far): stop it or fix the entry" in report.warnings


MIXED = {  # besides the studio: unknown refs, a rate-less person on a rate-less project, tags, clock ranges, two running timers
    "people/carol.md": "---\nname: Carol\n---\n# Carol\n",
    "projects/lab/project.md": "---\ntitle: Lab\nstatus: active\nbillable: true\n---\n",
    "timelogs/carol/2026-11.md": (
        "---\nperson: carol\n---\n\n"
        "- 2026-11-02 2h lab\n- 2026-11-02 1h nowhere\n- 2026-11-03 45m lab #x #billable\n- 2026-11-09 1h lab #x #billable\n"
        "- 2026-11-03 10:00-11:15 admin #x\n- 2026-11-30 1h nowhere\n- 2026-11-26 15:00- lab\n- 2026-11-16 30m alice\n"
    ),
    "timelogs/bob/2026-12.md": "---\nperson: bob\n---\n\n- 2026-12-01 2h build\n- 2026-12-01 09:00- api\n- 2026-12-07 2h build #x\n",
}
QUERIES = [
    TimeQuery(group_by=g, start=s, end=e, billable_only=b, unbilled=u)
    for g in (("client", "project"), ("person",), ("tag",), ("task", "week"), ("month", "person"), ("day",), ("project", "tag"))
    for s, e in ((None, None), (_d("2026-11-01"), _d("2026-11-30")))
    for b, u in ((False, False), (True, False), (False, True))
]


def _line_facts(lines: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(ln.priced, ln.day, ln.minutes, ln.other, ln.count) for ln in lines]


@pytest.mark.parametrize("with_invoice", [False, True])
def test_counting_durations_gives_the_lines_of_adding_entry_by_entry(tmp_path: Path, with_invoice: bool) -> None:
    """`select` counts durations per kind of entry, then makes lines: the same lines, in the same order,
    with the same prices, first entries, minutes and counts as adding the entries one by one."""
    from workspace_tool.reports import time as time_mod

    extra = dict(MIXED)
    if with_invoice:  # `--unbilled` with invoices prices entries one by one: both paths must agree there too
        extra["invoices/acme-2026-10.md"] = "---\ntitle: Acme 2026-10\ninvoice:\n  entries:\n    - {path: timelogs/alice/2026-10.md, date: 2026-10-05, ref: design, hours: 3}\n---\n"
    index = studio_index(tmp_path / "ws", extra)
    assert any(e.running for e in index.entries) and len(index.entries) > 20
    for query in QUERIES:
        entries = [e for e in index.entries if query.covers(e.date)]
        one_by_one = time_mod._lines(Pricer(index, NOW), entries, query)
        assert _line_facts(time_mod.select(index, query, now=NOW)) == _line_facts(one_by_one), query
        if not (query.unbilled and with_invoice):
            pricer = Pricer(index, NOW)
            tallied = time_mod._tallied_lines(pricer, query, time_mod._tally(entries, query, pricer))
            assert tallied is not None and _line_facts(tallied) == _line_facts(one_by_one), query


def test_durations_not_in_whole_minutes_are_summed_entry_by_entry(tmp_path: Path) -> None:
    """0.33h is 19.8 minutes: such hours are summed as floats in entry order, so counting them per
    kind would change the last bits; `select` then adds every entry one by one."""
    from workspace_tool.reports import time as time_mod

    extra = {"timelogs/bob/2026-12.md": "---\nperson: bob\n---\n\n- 2026-12-01 0.33h build\n- 2026-12-02 2h api\n- 2026-12-03 0.1h build\n- 2026-12-03 0.33h build\n"}
    index = studio_index(tmp_path / "ws", extra)
    query = TimeQuery(group_by=("project",))
    pricer = Pricer(index, NOW)
    assert time_mod._tallied_lines(pricer, query, time_mod._tally(index.entries, query, pricer)) is None
    lines = time_mod.select(index, query, now=NOW)
    assert _line_facts(lines) == _line_facts(time_mod._lines(Pricer(index, NOW), index.entries, query))
    assert any(line.other for line in lines)


def test_report_commands_load_without_the_history_modules() -> None:
    """`report flow` is attached on demand: `wm report time` never imports the history engine."""
    import subprocess
    import sys

    code = (
        "import sys, click\n"
        "from workspace_tool.cli.reports import report_group\n"
        "ctx = click.Context(report_group)\n"
        "assert report_group.get_command(ctx, 'time') is not None\n"
        "assert not any(m.startswith('workspace_tool.history') or m == 'workspace_tool.cli.history' for m in sys.modules), sorted(sys.modules)\n"
        "assert 'flow' in report_group.list_commands(ctx) and report_group.get_command(ctx, 'flow') is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_running_row_is_rounded_as_the_others(studio: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A minute into the running timer on build (1/60 h): its row shows 0.02*, as the total shows 0.02, not 0.0167*."""
    monkeypatch.setenv("WM_NOW", "14:01")
    result = wm("-C", str(studio), "report", "time", "--by", "task", "--from", "2026-11-26", "--to", "2026-11-26")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[2:]}
    assert rows["build"][0] == "0.02*" and rows["total"][0] == "0.02"


@pytest.mark.parametrize("command", [["report", "time"], ["report", "people"], ["export", "timeclock"], ["workload"]])
def test_a_reversed_range_is_refused_by_every_command_that_takes_one(studio: Path, wm, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), *command, "--from", "2026-12-01", "--to", "2026-11-01")
    assert result.exit_code == 2 and result.output == "wm: --to 2026-11-01 is before --from 2026-12-01\n"


def test_by_tag_names_untagged_time_and_says_why_rows_exceed_the_total(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    root = build_studio(tmp_path / "ws", {"timelogs/carol/2026-11.md": "---\nperson: carol\n---\n- 2026-11-12 2h design #review #client\n"})
    result = wm("-C", str(root), "report", "time", "--by", "tag", "--from", "2026-11-12", "--to", "2026-11-12")
    assert result.exit_code == 0, result.output
    rows = [line.split()[:2] for line in result.stdout.splitlines()[2:]]
    assert rows == [["client", "2"], ["review", "2"], ["total", "2"]]
    assert "an entry with several tags counts under each of them, so the rows add up to more than the total" in result.stderr
    untagged = wm("-C", str(root), "report", "time", "--by", "tag")
    assert "(no tag)" in untagged.stdout
    csv_rows = wm("-C", str(root), "report", "time", "--by", "tag", "--csv").stdout.splitlines()
    assert "(no tag)" not in "".join(csv_rows) and any(row.startswith(",") for row in csv_rows)  # CSV keeps the empty key
