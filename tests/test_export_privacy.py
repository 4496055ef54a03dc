"""Exports of public documents name no private document: references, time log totals, diagnostics, foreign keys.

A public task of a private project, a public subtask of a private task, a public project owned by a private
person for a private client, a public decision superseding a private one, and time logged by a private person
or against a private task: without `--private` no exported value names a private document (a shown
document's own `path` aside), and the SQLite foreign keys stay valid; with `--private` all is as before.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from test_reports_workspace import NOW, TODAY, build_studio

from workspace_tool.export.ical import ical_text
from workspace_tool.records import document_record
from workspace_tool.workspace import load_index

PRIVATE = {
    "projects/secret/project.md": "---\ntitle: Secret project\nstatus: active\nclient: acme\nbillable: true\nrate: 200\nvisibility: private\n---\n",
    "projects/secret/tasks/spy.md": "---\ntitle: Public task of a secret project\nstatus: todo\n---\n",
    "projects/site/tasks/priv-task.md": "---\ntitle: Private task\nstatus: todo\nvisibility: private\n---\n",
    "projects/site/tasks/hidden-child.md": "---\ntitle: Hidden child\nstatus: todo\nparent: design\nvisibility: private\n---\n",
    "projects/site/tasks/child.md": "---\ntitle: Child\nstatus: todo\nparent: priv-task\ndepends_on: [design, priv-task]\nassignee: carol\n---\n",
    "people/carol.md": "---\nname: Carol Confidential\nvisibility: private\n---\n",
    "clients/hush.md": "---\nname: Hush Inc\nvisibility: private\n---\n",
    "goals/secret-goal.md": "---\ntitle: Secret goal\nvisibility: private\n---\n",
    "projects/pub/project.md": "---\ntitle: Public project\nstatus: active\nowner: carol\nclient: hush\ngoals: [growth, secret-goal]\n---\n",
    "decisions/old.md": "---\ntitle: Old decision\nstatus: accepted\nvisibility: private\n---\n",
    "decisions/new.md": "---\ntitle: New decision\nstatus: accepted\nsupersedes: [old]\ndeciders: [alice, carol]\n---\n",
    "timelogs/alice/extra.md": "---\nperson: alice\n---\n- 2026-11-20 2h priv-task Confidential work\n- 2026-11-20 1.5h spy\n- 2026-11-20 1h design\n",
    "timelogs/carol/2026-11.md": "---\nperson: carol\n---\n- 2026-11-21 1h design\n",
    "notes/secret-note.md": "---\ntitle: Secret note\nvisibility: private\n---\nHush.\n",
    "notes/public.md": "---\ntitle: Public note\n---\nSee [[secret-note]].\n",  # a link by the private note's stem
}
HIDDEN = {"secret", "priv-task", "hidden-child", "carol", "hush", "secret-goal", "old", "notes/secret-note", "secret-note"}
TITLES = ("Secret project", "Private task", "Hidden child", "Carol Confidential", "Hush Inc", "Secret goal", "Old decision", "Confidential work", "Secret note")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WM_NOW", "16:30")
    return build_studio(tmp_path / "ws", PRIVATE)


def _values(data: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, scalar) of a JSON value, list items under their list's key."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _values(v, k)
    elif isinstance(data, list):
        for item in data:
            yield from _values(item, key)
    else:
        yield key, data


def _leaks(values: Iterator[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The values naming a hidden document: its ID as a value (a shown document's own path aside) or its title."""
    return [
        (k, v) for k, v in values
        if isinstance(v, str) and k != "path" and (v in HIDDEN or any(t in v for t in TITLES))
    ]


def test_json_names_no_private_document(root: Path, wm) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(wm("-C", str(root), "export", "json").stdout)
    assert _leaks(_values(data)) == []
    docs = {d["id"]: d for d in data["documents"]}
    assert docs["child"]["depends_on"] == ["design"] and "parent" not in docs["child"] and "assignee" not in docs["child"]
    assert "project" not in docs["spy"]  # the private project of its folder
    assert "subtasks" not in docs["design"]  # its only subtask is private
    assert docs["pub"]["goals"] == ["growth"] and "owner" not in docs["pub"] and "client" not in docs["pub"]
    assert docs["new"]["deciders"] == ["alice"] and "supersedes" not in docs["new"]
    assert "person" not in docs["timelogs/carol/2026-11"]
    # a time log counts the entries the export shows: not the 2h against the private task
    extra = docs["timelogs/alice/extra"]
    entries = [e for e in data["time_entries"] if e["path"] == "timelogs/alice/extra.md"]
    assert (extra["entries"], extra["hours"]) == (2, 2.5) == (len(entries), sum(e["hours"] for e in entries))
    spy = next(e for e in entries if e["ref"] == "spy")
    assert (spy["task"], spy["project"], spy["client"], spy["rate"], spy["amount"]) == ("spy", None, "acme", 200, 300)
    carol = next(e for e in data["time_entries"] if e["path"] == "timelogs/carol/2026-11.md")
    assert carol["person"] is None and carol["hours"] == 1
    assert not any(d["code"] == "private-ref" for d in data["diagnostics"])
    assert not any(h in d["message"] for d in data["diagnostics"] for h in HIDDEN)


def test_json_with_private_is_unchanged(root: Path, wm) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(wm("-C", str(root), "export", "json", "--private").stdout)
    index = load_index(root, TODAY, use_cache=False)
    assert data["documents"] == json.loads(json.dumps([document_record(d, index) for d in sorted(index.docs.values(), key=lambda d: (d.type, d.id))]))
    docs = {d["id"]: d for d in data["documents"]}
    assert docs["child"]["parent"] == "priv-task" and docs["child"]["depends_on"] == ["design", "priv-task"]
    assert (docs["timelogs/alice/extra"]["entries"], docs["timelogs/alice/extra"]["hours"]) == (3, 4.5)
    assert next(e for e in data["time_entries"] if e["ref"] == "spy")["project"] == "secret"
    assert sum(d["code"] == "private-ref" for d in data["diagnostics"]) == 12


def test_csv_names_no_private_document(root: Path, wm) -> None:  # type: ignore[no-untyped-def]
    for doc_type in ("task", "project", "decision", "timelog", "entry"):
        rows = list(csv.DictReader(io.StringIO(wm("-C", str(root), "export", "csv", "--type", doc_type).stdout)))
        cells = [(k, part) for row in rows for k, v in row.items() for part in (v or "").split(";")]
        assert rows and _leaks(iter(cells)) == [], doc_type
    tasks = {r["id"]: r for r in csv.DictReader(io.StringIO(wm("-C", str(root), "export", "csv", "--type", "task").stdout))}
    assert tasks["child"]["depends_on"] == "design" and not tasks["child"].get("parent")  # no shown task has a parent left
    logs = {r["id"]: r for r in csv.DictReader(io.StringIO(wm("-C", str(root), "export", "csv", "--type", "timelog").stdout))}
    assert (logs["timelogs/alice/extra"]["entries"], logs["timelogs/alice/extra"]["hours"]) == ("2", "2.5")
    full = {r["id"]: r for r in csv.DictReader(io.StringIO(wm("-C", str(root), "export", "csv", "--type", "task", "--private").stdout))}
    assert full["child"]["depends_on"] == "design;priv-task" and full["child"]["parent"] == "priv-task"


def _database(root: Path, wm, target: Path, *flags: str) -> sqlite3.Connection:  # type: ignore[no-untyped-def]
    assert wm("-C", str(root), "export", "sqlite", str(target), *flags).exit_code == 0
    return sqlite3.connect(target)


def test_sqlite_foreign_keys_hold_and_name_no_private_document(root: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = _database(root, wm, tmp_path / "work.db")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    tables = [name for (name,) in db.execute("select name from sqlite_master where type = 'table'")]
    for table in tables:
        cursor = db.execute(f'select * from "{table}"')
        columns = [c[0] for c in cursor.description]
        cells = [(c, v) for row in cursor for c, v in zip(columns, row)]
        lists = [(c, item) for c, v in cells if isinstance(v, str) and v.startswith("[") for item in json.loads(v)]
        assert _leaks(iter(cells + lists)) == [], table
    assert db.execute("select parent, depends_on, assignee from tasks where id = 'child'").fetchall() == [(None, '["design"]', None)]
    assert db.execute("select project from tasks where id = 'spy'").fetchall() == [(None,)]
    assert db.execute("select task, project, client, amount from time_entries where ref = 'spy'").fetchall() == [("spy", None, "acme", 300.0)]
    assert db.execute("select person, person_id from time_entries where path = 'timelogs/carol/2026-11.md'").fetchall() == [(None, None)]
    assert db.execute("select depends_on from dependencies where task = 'child'").fetchall() == [("design",)]


def test_sqlite_with_private_is_unchanged(root: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = _database(root, wm, tmp_path / "full.db", "--private")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("select parent, depends_on, assignee from tasks where id = 'child'").fetchall() == [("priv-task", '["design", "priv-task"]', "carol")]
    assert db.execute("select project from time_entries where ref = 'spy'").fetchall() == [("secret",)]
    assert db.execute("select source from \"references\" where target = 'secret-note'").fetchall() == [("notes/public",)]
    assert db.execute("select person, person_id from time_entries where path = 'timelogs/carol/2026-11.md'").fetchall() == [("carol", "carol")]


def test_ical_plan_names_no_private_assignee(root: Path) -> None:
    index = load_index(root, TODAY, use_cache=False)
    span = {"closed": False, "summary": False, "start_at": NOW, "end_at": NOW.replace(hour=18), "effort_hours": 1.5, "critical": False}
    plan = SimpleNamespace(tasks={"child": SimpleNamespace(assignee="carol", **span), "build": SimpleNamespace(assignee="bob", **span)})
    text = ical_text(index, plan)
    assert "SUMMARY:Child\r\n" in text and "SUMMARY:Build — bob\r\n" in text and "carol" not in text
    assert "SUMMARY:Child — carol\r\n" in ical_text(index, plan, include_private=True)


def test_output_over_a_file_that_is_not_utf8_is_replaced(root: Path, wm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A CSV a spreadsheet saved again in cp1252, and a database: -o writes over them (was: 'utf-8' codec can't decode)."""
    out = tmp_path / "out"
    out.mkdir()
    spreadsheet = out / "tasks.csv"
    spreadsheet.write_bytes(b"caf\xe9;1\r\n")
    spreadsheet.chmod(0o640)
    result = wm("-C", str(root), "export", "csv", "--type", "task", "-o", str(spreadsheet))
    assert result.exit_code == 0, result.output
    assert spreadsheet.read_text(encoding="utf-8") == wm("-C", str(root), "export", "csv", "--type", "task").stdout
    assert stat.S_IMODE(spreadsheet.stat().st_mode) == 0o640  # the file's own mode is kept
    database = out / "work.db"
    assert wm("-C", str(root), "export", "sqlite", str(database)).exit_code == 0
    result = wm("-C", str(root), "export", "json", "-o", str(database))
    assert result.exit_code == 0, result.output
    assert json.loads(database.read_text(encoding="utf-8"))["workspace"] == "Studio"
    assert sorted(p.name for p in out.iterdir()) == ["tasks.csv", "work.db"]  # no temporary file left
