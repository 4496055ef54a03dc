"""The stable machine shape of a document (`wm list --json`, `wm show --json`, exports).

`id`, `type`, `path`, `title`, then every frontmatter field by its key
(derived ones too, such as a task's resolved `project`), dates as
`YYYY-MM-DD` strings and durations as numbers of hours. Documented in
docs/format.md; keep it stable.
"""

from __future__ import annotations

from typing import Any

from workspace_tool import fields as F
from workspace_tool.index import Index
from workspace_tool.model import Document, TimeLog
from workspace_tool.output import to_jsonable

_DERIVED = ("project",)


def document_record(doc: Document, index: Index | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"id": doc.id, "type": doc.type, "path": doc.path, "title": doc.title}
    specs = F.specs_for(doc.type)
    for key in doc.raw:
        if key in ("id", "type", "title"):
            continue
        if key in specs and hasattr(doc, key):
            record[key] = to_jsonable(getattr(doc, key))
        else:
            record[key] = to_jsonable(doc.raw[key])
    for name in specs:
        if name in record or name == "title":
            continue
        value = getattr(doc, name, None)
        if name in _DERIVED or name == "status" or (name == "person" and value):
            if value is not None:
                record[name] = to_jsonable(value)
    if doc.checklist.total and "checklist" not in record:  # (a `checklist:` key of the document's own stays as written)
        record["checklist"] = {"checked": doc.checklist.checked, "total": doc.checklist.total}
    if isinstance(doc, TimeLog):
        record["entries"] = len(doc.entries)
        record["hours"] = round(sum(e.hours for e in doc.entries), 4)
    if index is not None:
        if doc.id in index.subtasks:
            record["subtasks"] = list(index.subtasks[doc.id])
        if doc.id in index.superseded_by:
            record["superseded_by"] = list(index.superseded_by[doc.id])
    return record
