"""`wm import asana FILE`: Asana's CSV export (a project's ... menu > Export/Print > CSV) as `ForeignTask`s.

Pure: the CSV's text in, tasks out, or an `ImportFormatError` naming the file and line. What becomes what:

- `Task ID` is the task's key (kept in `asana:`); `Name` its title; the first of `Projects` its project;
- `Completed At` makes it done (on that day); else a `Status` custom field or its `Section/Column`, when the task
  workflow has that status in other words (a board's "In Progress", "Doing", "Backlog"), gives its status; a
  section that names no status is kept as a tag;
- `Assignee` and `Assignee Email`; `Created At`, `Start Date`, `Due Date`; `Tags` and a `Priority` custom field;
- `Parent task` (the parent's name, or ID) as the parent, `Blocked By (Dependencies)` as dependencies (IDs or names);
- `Notes` as the description: each of its lines a paragraph (a list stays a list), as Asana showed it.

The export saved through Google Sheets (rows above the header) and by Excel (a byte-order mark) read the same.
"""

from __future__ import annotations

import datetime as dt
import re

from workspace_tool.import_csv import Record, parse_when, read_records
from workspace_tool.import_tasks import ForeignTask, Source, tags_of
from workspace_tool.imports import ImportFormatError

SOURCE = Source("asana", "Asana", "asana")

PRIORITIES = {"urgent": "critical", "critical": "critical", "highest": "critical", "high": "high", "medium": "medium", "normal": "medium", "low": "low", "lowest": "low"}
_ROUNDED = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")  # 1.20881E+15, or 1,20881E+15 from a spreadsheet in a decimal-comma locale
_WHAT = "Asana's CSV export (the project's menu > Export/Print > CSV)"


def parse_asana(text: str, name: str, date_format: str | None = None) -> list[ForeignTask]:
    """The tasks of an Asana CSV export (see the module's docstring)."""
    records = read_records(text, name, ("Task ID", "Name"), _WHAT)
    by_name: dict[str, list[Record]] = {}
    ids = {record.get("task id") for record in records}
    for record in records:
        by_name.setdefault(record.get("name").lower(), []).append(record)
    return [_task(record, f"{name}:{record.line}", ids, by_name, date_format) for record in records]


def _task(record: Record, where: str, ids: set[str], by_name: dict[str, list[Record]], date_format: str | None) -> ForeignTask:
    key, title = record.get("task id"), " ".join(record.get("name").split())
    if not key:
        raise ImportFormatError(f"{where}: a task without its 'Task ID'")
    if _ROUNDED.match(key):
        raise ImportFormatError(f"{where}: the Task ID {key!r} was rounded by a spreadsheet, so tasks cannot be told apart; export the CSV from Asana again and import it as it is")
    if not title:
        raise ImportFormatError(f"{where}: task {key} has no 'Name'")

    def day(column: str) -> dt.date | None:
        return parse_when(record.get(column), where, record.name(column), date_format)

    completed = day("completed at")
    projects = [p.strip() for p in record.get("projects").split(",") if p.strip()]
    return ForeignTask(
        where, key, title, "done" if completed else "open", status=record.get("status") or None, section=record.get("section/column") or None,
        project=projects[0] if projects else None, created=day("created at"), due=day("due date"), start=day("start date"), end=completed,
        priority=PRIORITIES.get(record.get("priority").lower()), tags=tags_of(t for t in record.get("tags").split(",")),
        depends=tuple(dict.fromkeys(k for k in (_ref(r, ids, by_name, record) for r in _items(record.get("blocked by (dependencies)"))) if k)),
        parent=_ref(record.get("parent task"), ids, by_name, record), assignee=record.get("assignee") or None,
        assignee_email=record.get("assignee email") or None, body=plain_text(record.get("notes")),
    )


_LIST_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s")
_MARKUP_START = re.compile(r"^(?:#{1,6}(?:\s|$)|>|[-_*=]{3,}\s*$|```|~~~|<)")


def plain_text(text: str) -> str:
    """Asana's notes (plain text, each line break meant) as Markdown that reads the same: a line is a paragraph of
    its own, where Markdown would run it into the next; lines of a list stay one list (`•` becomes `-`)."""
    out: list[str] = []
    previous_item = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
            previous_item = False
            continue
        item = bool(_LIST_ITEM.match(stripped))
        if stripped.startswith("• "):
            line = line.replace("• ", "- ", 1)
        elif _MARKUP_START.match(stripped):  # plain text that Markdown would read as a heading, quote, rule or fence
            line = "\\" + stripped
        if out and out[-1] != "" and not (item and previous_item):
            out.append("")
        out.append(line)
        previous_item = item
    return "\n".join(out).strip("\n")


def _items(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(",") if item.strip()]


def _ref(value: str, ids: set[str], by_name: dict[str, list[Record]], record: Record) -> str | None:
    """Another task of the export named by its ID or its name (of several of that name, the one in the same
    project); the value as it is when the export has no such task (the planner says so)."""
    if not value:
        return None
    if value in ids:
        return value
    found = by_name.get(value.lower(), [])
    same = [r for r in found if r.get("projects") == record.get("projects")] or found
    return same[0].get("task id") if same else value
