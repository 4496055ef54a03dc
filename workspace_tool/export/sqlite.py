"""The index as a SQLite database for Datasette, DuckDB or plain SQL.

One table per document type (`projects`, `tasks`, ..., columns from the
field declarations in `fields.py`), plus `time_entries` (priced, with their
resolved task, project and client), `dependencies`, `references` and
`key_results`, all with foreign keys. A reference column holds the target's
ID only when it exists, has the right type and is shown (NULL otherwise; the
raw value stays in `references` unless it names a left-out document), so
`PRAGMA foreign_key_check` is clean. The schema is documented in
docs/reports.md.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from workspace_tool import fields as F
from workspace_tool.export.shown import Shown, shown
from workspace_tool.index import Index
from workspace_tool.model import DOC_TYPES, Client, Goal, Task
from workspace_tool.output import to_jsonable
from workspace_tool.reports.billing import Pricer

TABLES: dict[str, str] = {
    "project": "projects", "task": "tasks", "decision": "decisions", "risk": "risks", "person": "people",
    "client": "clients", "goal": "goals", "timelog": "timelogs", "note": "notes",
}
_SQL_TYPES = {F.NUMBER: "REAL", F.BOOL: "INTEGER", F.DURATION: "REAL"}
_SKIPPED = {"title"}


def _columns(doc_type: str) -> list[F.FieldSpec]:
    return [s for s in F.specs_for(doc_type).values() if s.name not in _SKIPPED]


def _column_sql(spec: F.FieldSpec) -> str:
    name = f'"{spec.name}"'
    if spec.kind == F.REF and len(spec.target) == 1:
        return f"{name} TEXT REFERENCES {TABLES[spec.target[0]]}(id)"
    return f"{name} {_SQL_TYPES.get(spec.kind, 'TEXT')}"


def schema() -> list[str]:
    """The CREATE TABLE statements, in an order where every foreign key's table exists."""
    statements = []
    for doc_type in DOC_TYPES:
        columns = ["id TEXT PRIMARY KEY", "path TEXT NOT NULL", "title TEXT"]
        columns += [_column_sql(s) for s in _columns(doc_type)]
        statements.append(f"CREATE TABLE {TABLES[doc_type]} ({', '.join(columns)})")
    statements += [
        "CREATE TABLE time_entries (id INTEGER PRIMARY KEY, person TEXT, person_id TEXT REFERENCES people(id), date TEXT NOT NULL, "
        "ref TEXT NOT NULL, task TEXT REFERENCES tasks(id), project TEXT REFERENCES projects(id), client TEXT REFERENCES clients(id), "
        "hours REAL NOT NULL, billable INTEGER NOT NULL, rate REAL, amount REAL, currency TEXT NOT NULL, running INTEGER NOT NULL, "
        "start TEXT, \"end\" TEXT, note TEXT, tags TEXT, path TEXT NOT NULL, line INTEGER NOT NULL)",
        "CREATE TABLE dependencies (task TEXT NOT NULL REFERENCES tasks(id), depends_on TEXT NOT NULL REFERENCES tasks(id), PRIMARY KEY (task, depends_on))",
        'CREATE TABLE "references" (source TEXT NOT NULL, target TEXT NOT NULL, field TEXT NOT NULL, line INTEGER NOT NULL, resolved INTEGER NOT NULL)',
        "CREATE TABLE key_results (goal TEXT NOT NULL REFERENCES goals(id), position INTEGER NOT NULL, title TEXT NOT NULL, "
        "target REAL, current REAL, start REAL, PRIMARY KEY (goal, position))",
        "CREATE INDEX time_entries_date ON time_entries(date)",
        "CREATE INDEX time_entries_project ON time_entries(project)",
    ]
    return statements


def _value(index: Index, view: Shown, spec: F.FieldSpec, value: Any) -> Any:
    if value is None or (spec.kind == F.REF and view.names_hidden(index, value)):
        return None
    if spec.kind == F.REFS and isinstance(value, (list, tuple)):
        value = view.references(index, value)
    if spec.kind == F.REF and len(spec.target) == 1:
        target = index.get(value)
        return value if target is not None and target.type == spec.target[0] else None
    if spec.kind == F.BOOL:
        return int(value)
    if spec.kind == F.DURATION:
        return value.hours
    if spec.kind == F.NUMBER:
        return value
    plain = to_jsonable(value)
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False)
    return plain


def _document_rows(index: Index, view: Shown, doc_type: str) -> Iterable[tuple[Any, ...]]:
    specs = _columns(doc_type)
    for doc in view.documents:
        if doc.type == doc_type:
            yield (doc.id, doc.path, doc.title, *(_value(index, view, s, getattr(doc, s.name, None)) for s in specs))


def _entry_rows(index: Index, view: Shown, now: dt.datetime | None) -> Iterable[tuple[Any, ...]]:
    pricer = Pricer(index, now)
    people = {p.id for p in index.people() if p.id not in view.hidden}
    clients = {c.id for c in index.of_type(Client) if c.id not in view.hidden}
    for number, entry in enumerate(sorted(view.entries, key=lambda e: (e.date, e.path, e.line)), start=1):
        p = pricer.price(entry)
        amount = p.amount
        yield (
            number, view.reference(index, entry.person), entry.person if entry.person in people else None, entry.date.isoformat(), entry.ref,
            view.reference(index, p.task), view.reference(index, p.project), p.client if p.client in clients else None, p.hours, int(p.billable),
            float(p.rate) if p.rate is not None else None, float(amount) if amount is not None else None, p.currency,
            int(p.running), entry.start.strftime("%H:%M") if entry.start else None, entry.end.strftime("%H:%M") if entry.end else None,
            entry.note, json.dumps(list(entry.tags)), entry.path, entry.line,
        )


def export_sqlite(index: Index, target: Path, now: dt.datetime | None = None, include_private: bool = False) -> dict[str, int]:
    """Write a fresh database at `target` (replaced atomically); return row counts per table. Private documents
    (and what names them) only when `include_private` (`export.shown`)."""
    view = shown(index, include_private)
    tmp = target.with_name(f".{target.name}.tmp")
    if tmp.exists():
        tmp.unlink()
    counts: dict[str, int] = {}
    db = sqlite3.connect(tmp)
    try:
        for statement in schema():
            db.execute(statement)
        for doc_type in DOC_TYPES:
            width = 3 + len(_columns(doc_type))
            rows = list(_document_rows(index, view, doc_type))
            db.executemany(f"INSERT INTO {TABLES[doc_type]} VALUES ({', '.join('?' * width)})", rows)
            counts[TABLES[doc_type]] = len(rows)
        entries = list(_entry_rows(index, view, now))
        db.executemany(f"INSERT INTO time_entries VALUES ({', '.join('?' * 20)})", entries)
        counts["time_entries"] = len(entries)
        counts["dependencies"] = _insert_dependencies(db, index, view)
        refs = [
            (r.source, r.target, r.field, r.line, int(index.resolve(r.target) is not None))
            for r in index.references if r.source not in view.hidden and not view.names_hidden(index, r.target)
        ]
        db.executemany('INSERT INTO "references" VALUES (?, ?, ?, ?, ?)', refs)
        counts["references"] = len(refs)
        krs = [
            (g.id, n, k.title, k.target, k.current, k.start)
            for g in index.of_type(Goal) if g.id not in view.hidden for n, k in enumerate(g.key_results, start=1)
        ]
        db.executemany("INSERT INTO key_results VALUES (?, ?, ?, ?, ?, ?)", krs)
        counts["key_results"] = len(krs)
        db.commit()
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)  # a half-written database is not left beside the target
        raise
    db.close()
    tmp.replace(target)
    return counts


def _insert_dependencies(db: sqlite3.Connection, index: Index, view: Shown) -> int:
    pairs = sorted({
        (t.id, d) for t in index.of_type(Task) for d in t.depends_on
        if isinstance(index.get(d), Task) and t.id not in view.hidden and d not in view.hidden
    })
    db.executemany("INSERT INTO dependencies VALUES (?, ?)", pairs)
    return len(pairs)


HOURS_PER_CLIENT_PER_MONTH = """\
SELECT client, substr(date, 1, 7) AS month, round(sum(hours), 4) AS hours, round(sum(amount), 2) AS amount
FROM time_entries
GROUP BY client, month
ORDER BY client IS NULL, client, month"""
"""The example query of docs/reports.md (tested against `wm report time --by client,month`)."""


__all__ = ["export_sqlite", "schema", "TABLES", "HOURS_PER_CLIENT_PER_MONTH"]
