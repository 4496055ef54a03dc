"""`wm export json|csv|sqlite|ical|timeclock` on the studio workspace."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from test_reports_workspace import NOW, build_studio, studio_index

from workspace_tool.export.sqlite import HOURS_PER_CLIENT_PER_MONTH, export_sqlite
from workspace_tool.export.tables import export_csv
from workspace_tool.export.timeclock import timeclock_text
from workspace_tool.reports.time import TimeQuery, time_report


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WM_NOW", "16:30")
    return build_studio(tmp_path / "ws")


def test_export_json_has_documents_entries_diagnostics(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(wm("-C", str(studio), "export", "json").stdout)
    assert list(data) == ["workspace", "today", "currency", "documents", "time_entries", "diagnostics"]
    assert len(data["documents"]) == 16 and data["diagnostics"] == []
    design = next(d for d in data["documents"] if d["id"] == "design")
    assert design == json.loads(wm("-C", str(studio), "show", "design", "--json").stdout)
    assert design["estimate"] == 10
    assert len(data["time_entries"]) == 12
    running = next(e for e in data["time_entries"] if e["running"])
    assert running == {
        "person": "alice", "date": "2026-11-26", "start": "14:00", "end": None, "ref": "build", "task": "build", "project": "site",
        "client": "acme", "hours": 2.5, "running": True, "billable": True, "invoiced": False, "rate": 120, "amount": 300,
        "currency": "EUR", "note": "", "tags": [], "path": "timelogs/alice/2026-11.md", "line": 10,
    }


def test_export_csv_types_and_entries(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    tasks = list(csv.DictReader(io.StringIO(wm("-C", str(studio), "export", "csv", "--type", "task").stdout)))
    assert [t["id"] for t in tasks] == ["admin", "api", "build", "design", "meeting"]
    assert tasks[2]["rate"] == "120" and tasks[2]["due"] == "2026-11-20"
    entries = list(csv.DictReader(io.StringIO(wm("-C", str(studio), "export", "csv", "--type", "entry").stdout)))
    assert len(entries) == 12 and round(sum(float(e["hours"]) for e in entries), 4) == 26.75
    bad = wm("-C", str(studio), "export", "csv", "--type", "widget")
    assert bad.exit_code == 2 and "unknown type 'widget'" in bad.stderr


def test_sqlite_schema_foreign_keys_and_documented_query(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws", {"timelogs/zoe/2026-11.md": "---\nperson: zoe\n---\n- 2026-11-10 1h design\n"})
    target = tmp_path / "work.db"
    counts = export_sqlite(index, target, NOW)
    assert counts["tasks"] == 5 and counts["time_entries"] == 13 and counts["dependencies"] == 0
    db = sqlite3.connect(target)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    fks = {(row[2], row[3]) for row in db.execute("PRAGMA foreign_key_list(time_entries)")}
    assert {("people", "person_id"), ("tasks", "task"), ("projects", "project"), ("clients", "client")} <= fks
    assert db.execute("select person, person_id from time_entries where person = 'zoe'").fetchall() == [("zoe", None)]
    # the docs' example query gives the report's numbers
    rows = db.execute(HOURS_PER_CLIENT_PER_MONTH).fetchall()
    report = time_report(index, TimeQuery(group_by=("client", "month")), now=NOW)
    expected = []
    for r in report.rows:
        amounts = list(r.amounts.values())
        expected.append((r.key[0], r.key[1], round(r.hours, 4), float(amounts[0].quantize(_CENT)) if amounts else None))
    assert rows == expected
    docs = (Path(__file__).parent.parent / "docs" / "reports.md").read_text(encoding="utf-8")
    assert HOURS_PER_CLIENT_PER_MONTH in docs


def test_sqlite_dependencies_table(tmp_path: Path) -> None:
    extra = {"projects/site/tasks/build.md": "---\ntitle: Build\nstatus: todo\ndepends_on: [design]\n---\n"}
    target = tmp_path / "deps.db"
    export_sqlite(studio_index(tmp_path / "ws", extra), target, NOW)
    assert sqlite3.connect(target).execute("select * from dependencies").fetchall() == [("build", "design")]


def test_csv_writes_structured_values_as_json(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws", {"people/alice.md": "---\nname: Alice\nleave: [2026-12-01, {from: 2026-12-21, to: 2026-12-24}]\n---\n"})
    goals = list(csv.DictReader(export_csv(index, "goal").splitlines()))
    assert json.loads(goals[0]["key_results"])[0] == {"title": "New clients", "target": 4, "current": 1, "start": None}
    people = {r["id"]: r for r in csv.DictReader(export_csv(index, "person").splitlines())}
    assert json.loads(people["alice"]["leave"])[1]["end"] == "2026-12-24"


def test_ical_categories_are_a_list(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    text = wm("-C", str(studio), "export", "ical").stdout
    assert "CATEGORIES:due,task\n" in text and "due\\,task" not in text  # two categories, not one holding a comma


def test_ical_parses_with_icalendar(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    icalendar = pytest.importorskip("icalendar")
    extra = studio / "projects/site/tasks/launch.md"
    extra.write_text("---\ntitle: Launch, finally\nmilestone: true\ndue: 2026-12-14\n---\n", encoding="utf-8")
    raw = wm("-C", str(studio), "export", "ical").stdout_bytes
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF line ends, as RFC 5545 says
    text = raw.decode("utf-8")
    calendar = icalendar.Calendar.from_ical(text)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert events["due-site@wm"].decoded("DTSTART") == dt.date(2026, 12, 15)
    assert str(events["milestone-launch@wm"]["SUMMARY"]) == "◆ Launch, finally"
    assert events["due-build@wm"].decoded("DTEND") == dt.date(2026, 11, 21)
    planned = [uid for uid in events if uid.startswith("plan-")]
    try:
        import workspace_tool.scheduling  # noqa: F401
    except ImportError:
        assert planned == []
    else:
        assert "plan-build@wm" in planned
        span = events["plan-build@wm"]
        assert span.decoded("DTSTART") < span.decoded("DTEND")


def test_timeclock_format(tmp_path: Path) -> None:
    text = timeclock_text(studio_index(tmp_path / "ws"), NOW)
    lines = text.splitlines()
    assert lines[:4] == [
        "i 2026-10-05 09:00:00 acme:site  alice: design initial sketches",
        "o 2026-10-05 12:00:00",
        "i 2026-10-06 09:00:00 acme:site  alice: design review #nonbillable",  # tags go along: an import reads them back
        "o 2026-10-06 10:30:00",
    ]
    # durations are laid back to back from day_start; each i is followed by its o
    assert "i 2026-11-03 09:20:00 acme:site  alice: site call" in lines
    assert all(a.startswith("i ") and b.startswith("o ") for a, b in zip(lines[::2], lines[1::2]))
    assert "i 2026-10-20 09:00:00 internal  alice: admin" in lines  # no client: just the project
    assert lines[-1] == "o 2026-11-26 16:30:00"  # the running timer, closed at now


def _hledger_balances(path: Path) -> dict[str, float]:
    output = subprocess.run(["hledger", "-f", str(path), "bal", "--flat", "--no-total"], capture_output=True, text=True, check=True).stdout
    balances = {}
    for line in output.splitlines():
        match = re.match(r"^\s*([\d.,]+)h\s+(\S+)$", line)
        if match:
            balances[match.group(2)] = float(match.group(1).replace(",", ""))
    return balances


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_reads_the_same_hours(tmp_path: Path) -> None:
    index = studio_index(tmp_path / "ws")
    path = tmp_path / "work.timeclock"
    path.write_text(timeclock_text(index, NOW), encoding="utf-8")
    balances = _hledger_balances(path)
    report = time_report(index, TimeQuery(group_by=("project",)), now=NOW)
    per_project = {r.key[0]: r.hours for r in report.rows}
    accounts = {"site": "acme:site", "app": "globex:app", "internal": "internal"}
    for project, account in accounts.items():
        sessions = sum(1 for line in path.read_text().splitlines() if line.startswith("i ") and f" {account}  " in line)
        # hledger rounds each session to 2 decimals (a 20m session is 0.33h)
        assert abs(balances[account] - per_project[project]) <= 0.005 * sessions + 1e-9, (account, balances[account], per_project[project])
    assert abs(sum(balances.values()) - report.total_hours) <= 0.005 * len(index.entries)


_CENT = __import__("decimal").Decimal("0.01")


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_agrees_on_generated_logs(tmp_path: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_reports", Path(__file__).parent.parent / "benchmarks" / "bench_reports.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    root = tmp_path / "gen"
    bench.generate(root, 3000, seed=11)
    clock = tmp_path / "gen.timeclock"
    assert wm("-C", str(root), "export", "timeclock", "-o", str(clock)).exit_code == 0
    report = json.loads(wm("-C", str(root), "report", "time", "--by", "project", "--json").stdout)
    balances = _hledger_balances(clock)
    per_account: dict[str, float] = {}
    sessions: dict[str, int] = {}
    for line in clock.read_text().splitlines():
        if line.startswith("i "):
            sessions[line.split()[3]] = sessions.get(line.split()[3], 0) + 1
    for account, hours in balances.items():
        per_account[account.split(":")[-1]] = hours
    assert len(report["rows"]) == 16
    for row in report["rows"]:
        project = row["key"][0]
        account = next(a for a in sessions if a.split(":")[-1] == project)
        assert abs(per_account[project] - row["hours"]) <= 0.005 * sessions[account] + 1e-9, project
    assert abs(sum(balances.values()) - report["total_hours"]) <= 0.005 * 3000


def test_reading_never_modifies_documents(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def snapshot() -> dict[str, bytes]:
        return {str(p.relative_to(studio)): p.read_bytes() for p in studio.rglob("*") if p.is_file() and ".wm" not in p.parts}

    before = snapshot()
    for args in (
        ["report", "time", "--by", "client,project"], ["report", "projects"], ["report", "people"], ["report", "estimates"],
        ["report", "goals"], ["export", "json"], ["export", "csv", "--type", "entry"], ["export", "ical"], ["export", "timeclock"],
        ["export", "sqlite", str(tmp_path / "x.db")], ["invoice", "acme", "--month", "2026-10", "--dry-run"],
    ):
        assert wm("-C", str(studio), *args).exit_code == 0, args
    assert snapshot() == before


def test_an_export_that_cannot_be_written_is_one_line_and_leaves_nothing(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A file where a folder should be, or a folder where the file should be: the file and the reason, exit 1, no
    traceback, and no temporary file left behind."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    below = tmp_path / "notes.txt" / "work.ics"
    result = wm("-C", str(studio), "export", "ical", "-o", str(below))
    assert result.exit_code == 1 and result.output == f"wm: {below}: cannot write: {tmp_path / 'notes.txt'} is a file, not a folder; nothing was written\n"
    folder = tmp_path / "out"
    folder.mkdir()
    result = wm("-C", str(studio), "export", "json", "-o", str(folder))
    assert result.exit_code == 1 and result.output == f"wm: {folder}: cannot write: it is a folder; nothing was written\n"
    database = folder / "work.db"
    database.mkdir()
    result = wm("-C", str(studio), "export", "sqlite", str(database))
    assert result.exit_code == 2 and f"File '{database}' is a directory." in result.output  # click's own check of the argument
    beneath = tmp_path / "notes.txt" / "work.db"
    result = wm("-C", str(studio), "export", "sqlite", str(beneath))
    assert result.exit_code == 1 and result.output == f"wm: {beneath}: cannot write the database: {tmp_path / 'notes.txt'} is a file, not a folder; nothing was written\n"
    assert "Traceback" not in result.output and sorted(p.name for p in folder.iterdir()) == ["work.db"]


def test_every_export_makes_the_folder_its_file_goes_in(studio: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """csv, json and ical made a missing folder; sqlite refused with 'unable to open database file'."""
    for args, target in ((("sqlite",), tmp_path / "a" / "b" / "work.db"), (("csv", "--type", "task", "-o"), tmp_path / "c" / "d" / "tasks.csv")):
        result = wm("-C", str(studio), "export", *args, str(target))
        assert result.exit_code == 0, result.output
        assert target.is_file()


PRIVATE = {
    "projects/site/tasks/salary-talk.md": "---\ntitle: Salary talk with Bob\nstatus: todo\nvisibility: private\ndepends_on: [design]\n---\nConfidential.\n",
    "timelogs/alice/2026-10.md": "---\nperson: alice\nvisibility: private\n---\n- 2026-10-05 2h design Private month\n",
    "projects/site/tasks/after-talk.md": "---\ntitle: After the talk\nstatus: todo\ndepends_on: [salary-talk]\n---\n",
    "timelogs/bob/2026-11.md": "---\nperson: bob\n---\n- 2026-11-24 1h salary-talk Prep\n- 2026-11-24 1h design Mockups\n- 2026-11-25 1h dezign Typo\n",
}


def test_exports_leave_out_private_documents_unless_asked(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """As the site does: a private task, a private time log, the time logged against the task, the dependency and
    reference naming it; not an entry against an ID that is no document (time someone logged). --private: all."""
    root = build_studio(tmp_path / "ws", PRIVATE)
    everything = json.loads(wm("-C", str(root), "export", "json", "--private").stdout)
    data = json.loads(wm("-C", str(root), "export", "json").stdout)
    ids = {d["id"] for d in data["documents"]}
    assert "salary-talk" not in ids and "after-talk" in ids and "timelogs/alice/2026-10" not in ids
    assert {"salary-talk", "timelogs/alice/2026-10"} <= {d["id"] for d in everything["documents"]}
    assert len(everything["documents"]) - len(data["documents"]) == 2
    notes = [e["note"] for e in data["time_entries"]]
    assert "Prep" not in notes and "Private month" not in notes and "Mockups" in notes and "Typo" in notes
    assert len(everything["time_entries"]) - len(data["time_entries"]) == 2
    for args in (("json",), ("csv", "--type", "task"), ("csv", "--type", "entry")):
        out = wm("-C", str(root), "export", *args).stdout
        assert "Salary talk" not in out and "Confidential" not in out and "Private month" not in out, args
    assert "Salary talk" in wm("-C", str(root), "export", "csv", "--type", "task", "--private").stdout
    target, full = tmp_path / "work.db", tmp_path / "full.db"
    assert wm("-C", str(root), "export", "sqlite", str(target)).exit_code == 0
    assert wm("-C", str(root), "export", "sqlite", str(full), "--private").exit_code == 0
    db, db_full = sqlite3.connect(target), sqlite3.connect(full)
    for query in ("select count(*) from tasks where id = 'salary-talk'", "select count(*) from dependencies where task = 'after-talk'",
                  "select count(*) from time_entries where note in ('Prep', 'Private month')", "select count(*) from \"references\" where target = 'salary-talk' or source = 'salary-talk'"):
        assert db.execute(query).fetchone()[0] == 0, query
        assert db_full.execute(query).fetchone()[0] > 0, query
