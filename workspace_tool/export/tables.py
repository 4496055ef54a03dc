"""`wm export json` and `wm export csv`: the whole index, or one type, in stable shapes.

Pure: index in, data or text out. Documents use `records.document_record`
(the `wm list --json` shape: a body with checklist items has its progress,
`checklist`: `{"checked": 2, "total": 3}`, in CSV `2/3`); time
entries use `entry_record`. Both name no document the export leaves out
(`export.shown`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from workspace_tool.errors import UsageError
from workspace_tool.export.shown import Shown, shown
from workspace_tool.index import Index
from workspace_tool.model import DOC_TYPES, Document, TimeEntry
from workspace_tool.output import csv_text, to_jsonable
from workspace_tool.reports.billing import Priced, Pricer, cents
from workspace_tool.show import checklist_record, checklist_text

ENTRY_TYPE = "entry"
ENTRY_FIELDS = ("person", "date", "start", "end", "ref", "task", "project", "client", "hours", "running", "billable", "invoiced", "rate", "amount", "currency", "note", "tags", "path", "line")


def entry_record(p: Priced) -> dict[str, Any]:
    e = p.entry
    amount = p.amount
    return {
        "person": e.person, "date": e.date.isoformat(),
        "start": e.start.strftime("%H:%M") if e.start else None, "end": e.end.strftime("%H:%M") if e.end else None,
        "ref": e.ref, "task": p.task, "project": p.project, "client": p.client,
        "hours": p.hours, "running": p.running, "billable": p.billable, "invoiced": p.invoiced,
        "rate": float(p.rate) if p.rate is not None else None,
        "amount": float(cents(amount)) if amount is not None else None, "currency": p.currency,
        "note": e.note, "tags": list(e.tags), "path": e.path, "line": e.line,
    }


def entry_records(index: Index, now: dt.datetime | None = None, entries: Iterable[TimeEntry] | None = None) -> list[dict[str, Any]]:
    pricer = Pricer(index, now)
    ordered = sorted(index.entries if entries is None else entries, key=lambda e: (e.date, e.path, e.line))
    return [entry_record(pricer.price(e)) for e in ordered]


def export_json(index: Index, now: dt.datetime | None = None, include_private: bool = False) -> dict[str, Any]:
    """The whole index: settings summary, documents, time entries and diagnostics (private ones only when asked)."""
    view = shown(index, include_private)
    return {
        "workspace": index.settings.name,
        "today": index.today.isoformat(),
        "currency": index.settings.currency,
        "documents": [_record(view, d, index) for d in sorted(view.documents, key=lambda d: (d.type, d.id))],
        "time_entries": [view.entry_record(r, index) for r in entry_records(index, now, view.entries)],
        "diagnostics": [d.as_json() for d in view.diagnostics(index)],
    }


def export_csv(index: Index, doc_type: str, now: dt.datetime | None = None, include_private: bool = False) -> str:
    """One row per document of a type (columns: the union of their keys, first seen first), or per time entry."""
    view = shown(index, include_private)
    if doc_type == ENTRY_TYPE:
        rows = [view.entry_record(r, index) for r in entry_records(index, now, view.entries)]
        return csv_text(ENTRY_FIELDS, [[_cell(r[k]) for k in ENTRY_FIELDS] for r in rows])
    if doc_type not in DOC_TYPES:
        raise UsageError(f"--type: unknown type {doc_type!r} (use {', '.join(DOC_TYPES)} or {ENTRY_TYPE})")
    records = [_record(view, d, index, as_text=True) for d in sorted(view.documents, key=lambda d: d.id) if d.type == doc_type]
    headers: list[str] = []
    for record in records:
        headers += [k for k in record if k not in headers]
    return csv_text(headers, [[_cell(r.get(k)) for k in headers] for r in records])


def _record(view: Shown, doc: Document, index: Index, as_text: bool = False) -> dict[str, Any]:
    """A shown document's record (`records.document_record`); in CSV (`as_text`) its checklist progress as `2/3`."""
    record = view.record(doc, index)
    derived = checklist_record(doc) if as_text else None
    if derived is not None and record.get("checklist") == derived:
        record["checklist"] = checklist_text(doc)
    return record


def _cell(value: Any) -> Any:
    plain = to_jsonable(value)
    if isinstance(plain, float):  # full precision (a table cell would show 2 decimals)
        return f"{plain:.6f}".rstrip("0").rstrip(".")
    if isinstance(plain, list) and not any(isinstance(v, (dict, list)) for v in plain):
        return ";".join(str(v) for v in plain)
    if isinstance(plain, (dict, list)):  # key results, leave ranges: JSON, which any tool reads back
        import json

        return json.dumps(plain, ensure_ascii=False)
    return plain
