"""`wm import timeclock|timewarrior`: entries written, duplicates refused, malformed files named."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from test_reports_workspace import NOW, build_studio, studio_index

from workspace_tool.export.timeclock import timeclock_text
from workspace_tool.imports import ImportFormatError, parse_timeclock, parse_timewarrior
from workspace_tool.reports.time import TimeQuery, time_report

TIMECLOCK = """\
; hours from hledger
i 2026-12-01 09:00:00 acme:site:build  fixing the header
o 2026-12-01 10:30:00
i 2026-12-01 11:00 acme:site  call with Acme
o 2026-12-01 11:20
i 2026-12-02 22:00:00 internal:admin
o 2026-12-03 01:00:00
"""

TIMEW = """\
[
{"id":2,"start":"20261201T090000Z","end":"20261201T103000Z","tags":["Client work","build"],"annotation":"header fixes"},
{"id":1,"start":"20261202T140000Z","end":"20261202T141000Z","tags":["site"]}
]
"""


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WM_NOW", "16:30")
    monkeypatch.setenv("TZ", "UTC")  # timewarrior times are UTC, read as local time
    time.tzset()
    return build_studio(tmp_path / "ws")


def test_import_timeclock_writes_entries(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "hours.timeclock"
    source.write_text(TIMECLOCK, encoding="utf-8")
    result = wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob")
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated timelogs/bob/2026-12.md\n"
    assert (studio / "timelogs/bob/2026-12.md").read_text() == (
        "---\ntype: timelog\nperson: bob\n---\n\n# Bob: December 2026\n\n"  # the workspace's timelog template, as wm log writes it
        "- 2026-12-01 09:00-10:30 build fixing the header\n"
        "- 2026-12-01 11:00-11:20 site call with Acme\n"
        "- 2026-12-02 22:00-01:00 admin\n"
    )
    index = studio_index(studio)
    assert [str(d) for d in index.diagnostics()] == []
    report = time_report(index, TimeQuery(start=_d("2026-12-01"), group_by=("project",)), now=NOW)
    assert [(r.key, round(r.hours, 4)) for r in report.rows] == [(("internal",), 3), (("site",), 1.8333)]


def test_a_second_run_adds_nothing_and_says_so(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "hours.timeclock"
    source.write_text(TIMECLOCK, encoding="utf-8")
    wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob")
    text = (studio / "timelogs/bob/2026-12.md").read_text()
    again = wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob")
    assert again.exit_code == 0 and "0 entries imported, 3 already logged (skipped)" in again.stderr  # as a re-run of a task import
    assert (studio / "timelogs/bob/2026-12.md").read_text() == text
    source.write_text(TIMECLOCK + "i 2026-12-04 09:00 acme:site\no 2026-12-04 10:00\n", encoding="utf-8")
    partly = wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob")
    assert partly.exit_code == 0 and "1 entry imported, 3 already logged (skipped)" in partly.stderr
    assert (studio / "timelogs/bob/2026-12.md").read_text() == text + "- 2026-12-04 09:00-10:00 site\n"


def test_import_appends_to_the_existing_month(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "nov.timeclock"
    source.write_text("i 2026-11-10 09:00 acme:site  bob: build more\no 2026-11-10 12:00\n", encoding="utf-8")
    before = (studio / "timelogs/bob/2026-11.md").read_text()
    assert wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob").exit_code == 0
    # our own export's "person: TASK note" description keeps the task
    assert (studio / "timelogs/bob/2026-11.md").read_text() == before + "- 2026-11-10 09:00-12:00 build more\n"


def test_import_timewarrior(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "timew.json"
    source.write_text(TIMEW, encoding="utf-8")
    result = wm("-C", str(studio), "import", "timewarrior", str(source), "--person", "alice", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == "- 2026-12-01 09:00-10:30 build header fixes #client-work\n- 2026-12-02 14:00-14:10 site\n"
    assert result.stderr.splitlines()[0] == "2 entries to import, 0 already logged (skipped)"
    assert not (studio / "timelogs/alice/2026-12.md").exists()  # dry run
    assert wm("-C", str(studio), "import", "timewarrior", str(source), "--person", "alice").exit_code == 0
    again = wm("-C", str(studio), "import", "timewarrior", str(source), "--person", "alice")
    assert again.exit_code == 0 and again.stderr.splitlines()[0] == "0 entries imported, 2 already logged (skipped)"


def test_round_trip_through_our_own_timeclock(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws")
    sessions = parse_timeclock(timeclock_text(index, NOW), "export.timeclock")
    assert len(sessions) == 12
    assert round(sum((s.end - s.begin).total_seconds() for s in sessions) / 3600, 4) == 26.75


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("i 2026-12-01 09:00 acme:site\ni 2026-12-01 10:00 acme:site\n", "bad.timeclock:2: clock-in while the session from line 1 is still open"),
        ("o 2026-12-01 10:00\n", "bad.timeclock:1: clock-out without a clock-in"),
        ("i 2026-12-01 09:00 acme:site\n", "bad.timeclock:1: session never clocked out"),
        ("i 2026-12-01 09:00 acme:site\no 2026-12-01 08:00\n", "bad.timeclock:2: clock-out 2026-12-01 08:00:00 is not after its clock-in"),
        ("i 2026-13-01 09:00 acme:site\no 2026-12-01 10:00\n", "bad.timeclock:1: bad date or time"),
        ("hello\n", "bad.timeclock:1: not a timeclock line"),
    ],
)
def test_malformed_timeclock_names_the_line(text: str, message: str) -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_timeclock(text, "bad.timeclock")
    assert caught.value.message.startswith(message)


def test_malformed_timewarrior_names_the_line() -> None:
    with pytest.raises(ImportFormatError, match=r"^t.json:3: not valid JSON"):
        parse_timewarrior('[\n{"id":1,"start":"20261201T090000Z","end":"20261201T100000Z"},\n{"id":2,,}\n]\n', "t.json")
    with pytest.raises(ImportFormatError, match=r"^t.json:2: interval is still running"):
        parse_timewarrior('[\n{"id":1,"start":"20261201T090000Z"}\n]\n', "t.json")
    with pytest.raises(ImportFormatError, match=r"^t.json:2: bad time 'yesterday'"):
        parse_timewarrior('[\n{"start":"yesterday","end":"20261201T100000Z"}\n]\n', "t.json")


def test_bad_imports_write_nothing(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ("i 2026-12-01 09:00 acme:site\no 2026-12-01 10:00\ni 2026-12-02 09:00 acme:nowhere\no 2026-12-02 10:00\n",
         "3: account segment 'nowhere' is not a task or project ID"),
        ("i 2026-11-04 14:00 acme:site\no 2026-11-04 15:00\n", "overlaps timelogs/bob/2026-11.md:7"),
        ("i 2026-12-01 09:00 acme:site\no 2026-12-01 10:00\nbroken line\n", "3: not a timeclock line"),
        ("i 2026-12-01 01:00 acme:site\no 2026-12-02 03:00\n", "longer than a day"),
    ]
    for text, message in cases:
        source = tmp_path / "in.timeclock"
        source.write_text(text, encoding="utf-8")
        result = wm("-C", str(studio), "import", "timeclock", str(source), "--person", "bob")
        assert result.exit_code == 1, (text, result.output)
        assert message in result.stderr and "Traceback" not in result.output
        assert not (studio / "timelogs/bob/2026-12.md").exists()
    unknown = wm("-C", str(studio), "import", "timeclock", str(source), "--person", "nobody")
    assert unknown.exit_code == 1 and "no person with ID 'nobody'" in unknown.stderr
    tags = tmp_path / "t.json"
    tags.write_text(json.dumps([{"start": "20261201T090000Z", "end": "20261201T100000Z", "tags": ["misc"]}]), encoding="utf-8")
    result = wm("-C", str(studio), "import", "timewarrior", str(tags), "--person", "bob")
    assert result.exit_code == 1 and "no tag is a task or project ID (tags: misc)" in result.stderr


def _d(text: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_import_timewarrior_from_stdin(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), "import", "timewarrior", "-", "--person", "alice", input=TIMEW)
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated timelogs/alice/2026-12.md\n"
    assert "2 entries imported, 0 already logged (skipped)" in result.stderr
