"""`wm show`: a document as text: fields with resolved references, backlinks, body."""

from __future__ import annotations

from workspace_tool import fields as F
from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index
from workspace_tool.model import Document, Task, TimeLog
from workspace_tool.output import cell, to_jsonable
from workspace_tool.values import DateRange, Duration, KeyResult


def _field_value(doc: Document, name: str, index: Index) -> str:
    value = getattr(doc, name, None)
    spec = F.specs_for(doc.type).get(name)
    if spec is not None and spec.is_reference:
        targets = value if isinstance(value, tuple) else (value,)
        parts = []
        for target in targets:
            found = index.resolve(target)
            parts.append(f"{target} ({found.title})" if found else f"{target} (missing)")
        return ", ".join(parts)
    if isinstance(value, tuple) and value and hasattr(value[0], "__dataclass_fields__"):
        return "\n".join(item_text(v) for v in value)  # one a line (`render_show` indents the ones after the first)
    if isinstance(value, Duration):
        return str(value)  # as the author wrote it (`2w`), as the site shows it; `--json` gives the hours
    return cell(to_jsonable(value)) if not isinstance(value, str) else value


def item_text(value: object) -> str:
    """A key result ("Retainer contracts signed: 1 of 4 (25%)") or a leave ("2026-12-21 to 2027-01-03") in words."""
    if isinstance(value, KeyResult):
        shown = f"{value.current:g}" if value.current is not None else "?"
        target = f" of {value.target:g}" if value.target is not None else ""
        progress = f" ({value.progress:.0%})" if value.progress is not None else ""
        return f"{value.title}: {shown}{target}{progress}"
    if isinstance(value, DateRange):
        return value.start.isoformat() if value.start == value.end else f"{value.start.isoformat()} to {value.end.isoformat()}"
    return cell(to_jsonable(value))


def checklist_text(doc: Document) -> str:
    """A body's checklist progress as `wm show`, `wm list` and the CSV export give it: `2/3` (ticked of all `- [ ]` /
    `- [x]` items); "" without items."""
    checklist = doc.checklist
    return f"{checklist.checked}/{checklist.total}" if checklist.total else ""


def checklist_record(doc: Document) -> dict[str, int] | None:
    """The checklist in JSON (`wm export json`): `{"checked": 2, "total": 3}`; None without items."""
    checklist = doc.checklist
    return {"checked": checklist.checked, "total": checklist.total} if checklist.total else None


def _compact(value: object) -> str:
    """An unknown key's value on one line: a mapping as `key: value` pairs, a list of mappings (an invoice's
    entries) by its length; `--json` has it whole."""
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_compact(item)}" for key, item in value.items())
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return f"{len(value)} item{'s' * (len(value) != 1)}"
    return cell(value)


def series_text(doc: Document, index: Index, key: str, value: object) -> str:
    """A recurring task's `previous:` resolved, as a reference: `payroll (Payroll, done)`, or `(missing)`."""
    if key != "previous" or not isinstance(value, str):
        return _compact(to_jsonable(value))
    found = index.get(value)
    if found is None:
        return f"{value} (missing)"
    status = getattr(found, "status", "")
    return f"{value} ({found.title}, {status})" if status else f"{value} ({found.title})"


def next_instance(doc: Document, index: Index) -> str | None:
    """The instance of a recurring series that continues `doc` (the task whose `previous:` is its ID), if any."""
    if not isinstance(doc, Task):
        return None
    from workspace_tool.recur import successors

    return successors(index).get(doc.id)


def problems_of(doc: Document, index: Index) -> list[Diagnostic]:
    """What `wm validate` says about the document's file (a value it could not use, a reference to nothing, ...)."""
    return [d for d in index.diagnostics() if d.path == doc.path]


def render_show(doc: Document, index: Index) -> str:
    lines = [f"{doc.title}", f"{doc.type} {doc.id} — {doc.path}", ""]
    names = [n for n in F.specs_for(doc.type) if n != "title"]
    width = max(len(n) for n in [*names, "superseded_by", "subtasks", "previous"])
    for name in names:
        value = getattr(doc, name, None)
        if value in (None, (), "", False) or (name == "visibility" and value == "public"):
            continue  # unset, or a flag that is off (`milestone`)
        first, *more = _field_value(doc, name, index).split("\n")
        lines.append(f"{name:<{width}}  {first}")
        lines.extend(f"{'':<{width}}  {line}" for line in more)
    progress = checklist_text(doc)
    if progress:
        lines.append(f"{'checklist':<{width}}  {progress}")
    for label, ids in (("subtasks", index.subtasks.get(doc.id)), ("superseded_by", index.superseded_by.get(doc.id))):
        if ids:
            lines.append(f"{label:<{width}}  {', '.join(ids)}")
    for key, value in doc.extra.items():
        url = index.settings.link(key, value)
        lines.append(f"{key:<{width}}  {series_text(doc, index, key, value)}" + (f"  {url}" if url else ""))
    following = next_instance(doc, index)
    if following is not None:
        found = index.get(following)
        status = getattr(found, "status", "")
        lines.append(f"{'next':<{width}}  {following} ({status})" if status else f"{'next':<{width}}  {following}")
    if isinstance(doc, TimeLog):
        lines.append(f"{'entries':<{width}}  {len(doc.entries)} ({sum(e.hours for e in doc.entries):g}h)")
    logged = index.logged_hours(doc.id)
    if doc.type == "project":  # as the reports count it (`reports.billing`): time against the project and its tasks
        within = sum(index.logged_hours(task.id) for task in index.tasks_of(doc.id))
        if logged + within:
            own = f" ({logged:g}h against the project itself)" if logged and within else ""
            lines.append(f"{'logged':<{width}}  {logged + within:g}h{own}")
    elif logged:
        lines.append(f"{'logged':<{width}}  {logged:g}h")
    problems = problems_of(doc, index)
    if problems:
        lines += ["", "Problems (as wm validate reports them):"]
        lines.extend(f"  {d}" for d in problems)
    backlinks = index.backlinks.get(doc.id, [])
    if backlinks:
        lines += ["", "Referenced by:"]
        seen = set()
        for ref in backlinks:
            if (ref.source, ref.field) in seen:
                continue
            seen.add((ref.source, ref.field))
            lines.append(f"  {ref.source} ({ref.field})")
    if doc.body.strip():
        lines += ["", doc.body.rstrip()]
    return "\n".join(lines)
