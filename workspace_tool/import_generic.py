"""`wm import csv FILE --column FIELD=HEADER ...`: any tracker's CSV export (monday.com, Linear, Trello, a
spreadsheet) as `ForeignTask`s, by a column map the user gives.

Pure: the CSV's text and the map in, tasks out, or an `ImportFormatError` naming the file and line (or a
`UsageError` for a map that names a field wm does not import or a column the file does not have). The fields:

- `title` (required); `key`, the tracker's ID of a row (kept under the `--source` name, so a newer export adds
  only new rows; without it, a row is known by its project and title);
- `status` (by its words in the task workflow, else `--status`; a `done` date also makes a row done, and a status
  that names done or cancelled is taken without one, said), `project`,
  `assignee` and `email`, `priority` (Urgent, Highest, High, Medium, Normal, Low...), `tags` (split at `,` or `;`);
- `created`, `start`, `due`, `done` (dates: ISO, Jira's, `20 Feb 2026`, or `--date-format`), `estimate` (a duration:
  `4h`, `2d`, or hours);
- `parent` and `depends` (another row's key or title; `depends` split at `,` or `;`), `description`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from workspace_tool import fields as F
from workspace_tool.errors import UsageError
from workspace_tool.import_csv import Record, parse_when, read_records
from workspace_tool.import_jira import PRIORITIES, plain
from workspace_tool.import_tasks import ForeignTask, Source, tags_of
from workspace_tool.imports import ImportFormatError
from workspace_tool.values import parse_duration

FIELDS = ("title", "key", "status", "project", "assignee", "email", "priority", "tags", "created", "start", "due", "done", "estimate", "parent", "depends", "description")
_LIST = re.compile(r"\s*[,;]\s*")


def check_source(name: str) -> Source:
    """The tracker `--source` names: its name is the key that keeps each row's ID (`monday: 4011`), so it must be a
    key (letters, digits, `-`, `_`) and no field of wm's (`--source title` would overwrite every title)."""
    key = name.strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", key):
        raise UsageError(f"--source {name!r}: a name of letters, digits, '-' and '_' (it becomes a key of each task: {key or 'csv'}: ID)")
    if key in F.ALL_SPECS or key in F.RESERVED or key in ("previous", "title", "body"):
        raise UsageError(f"--source {name!r}: {key!r} is a field of wm's (the source's name becomes the key that keeps each row's ID); name the tracker, e.g. --source monday")
    return Source(key, name.strip(), key)


def check_columns(columns: Mapping[str, str]) -> dict[str, str]:
    """The map `--column FIELD=HEADER` gave, by field; UsageError for a field wm does not import, or no title."""
    mapped: dict[str, str] = {}
    for field, header in columns.items():
        name = field.strip().lower()
        if name not in FIELDS:
            raise UsageError(f"--column {field}={header}: wm imports no field {field!r} (fields: {', '.join(FIELDS)})")
        mapped[name] = header.strip()
    if "title" not in mapped:
        raise UsageError("--column title=HEADER is needed: the column that holds each task's title")
    return mapped


def parse_generic(text: str, name: str, columns: Mapping[str, str], date_format: str | None = None, hours_per_day: float = 8.0) -> list[ForeignTask]:
    """The rows of a CSV export as tasks, by `columns` (field -> header, as `check_columns` returns it)."""
    records = read_records(text, name, (columns["title"],), f"a CSV file with the column {columns['title']!r} (--column title=HEADER)")
    if records:
        missing = [f"{field}={header!r}" for field, header in columns.items() if not records[0].has(header)]
        if missing:
            known = ", ".join(repr(h) for h in dict.fromkeys(records[0].names.values()))
            raise UsageError(f"{name}: no column for --column {', '.join(missing)} (the file's columns: {known})")
    keys: dict[str, Record] = {}
    for record in records:
        key = _key(record, columns)
        first = keys.setdefault(key, record)
        if first is not record and not ("key" in columns and record.get(columns["key"])):
            raise ImportFormatError(
                f"{name}:{record.line}: {record.get(columns['title'])!r} is also at line {first.line}, in the same project: map the column"
                " that holds each row's ID with --column key=HEADER"
            )
    titles: dict[str, list[str]] = {}
    for record in records:
        titles.setdefault(" ".join(record.get(columns["title"]).split()).lower(), []).append(_key(record, columns))
    return [_task(record, f"{name}:{record.line}", columns, keys, titles, date_format, hours_per_day) for record in records]


def _key(record: Record, columns: Mapping[str, str]) -> str:
    if "key" in columns and record.get(columns["key"]):
        return record.get(columns["key"])
    project = record.get(columns["project"]) if "project" in columns else ""
    return f"{project}/{' '.join(record.get(columns['title']).split())}".lower()


def _task(
    record: Record, where: str, columns: Mapping[str, str], keys: Mapping[str, Record], titles: Mapping[str, list[str]], date_format: str | None,
    hours_per_day: float,
) -> ForeignTask:
    def value(field: str) -> str:
        return record.get(columns[field]) if field in columns else ""

    def day(field: str) -> dt.date | None:
        return parse_when(value(field), where, record.name(columns[field]), date_format) if value(field) else None

    title = " ".join(value("title").split())
    if not title:
        raise ImportFormatError(f"{where}: a row without a title (column {record.name(columns['title'])!r})")
    done = day("done")
    estimate = None
    if value("estimate"):
        try:
            estimate = parse_duration(_number_or_text(value("estimate")), hours_per_day).hours
        except ValueError as exc:
            raise ImportFormatError(f"{where}: {record.name(columns['estimate'])} {value('estimate')!r}: {exc}") from None

    own = _key(record, columns)

    def ref(text: str) -> str:
        """Another row by its key, else by its title: the first row of that title other than this one."""
        if text in keys:
            return text
        found = titles.get(" ".join(text.split()).lower(), [])
        return next((key for key in found if key != own), found[0] if found else text)

    notes: list[str] = []
    assignee = value("assignee")
    if assignee and _LIST.search(assignee):  # a board's cell of several people
        names = [n for n in _LIST.split(assignee) if n.strip()]
        assignee = names[0] if names else ""
        notes.append(f"{len(names)} people in {record.name(columns['assignee'])} ({value('assignee')}): assigned to {assignee}, as a task has one assignee")
    priority = PRIORITIES.get(plain(value("priority"))) if value("priority") else None
    if value("priority") and priority is None:
        notes.append(f"the priority {value('priority')!r} is none wm knows (critical, high, medium, low): left out")

    return ForeignTask(
        where, _key(record, columns), title, "done" if done else ("unresolved" if "done" in columns else "unknown"), status=value("status") or None,
        project=value("project") or None, created=day("created"), due=day("due"), start=day("start"), end=done,
        priority=priority, tags=tags_of(_LIST.split(value("tags"))) if value("tags") else (),
        depends=tuple(dict.fromkeys(ref(d) for d in _items(value("depends"), keys, titles) if d)) if value("depends") else (),
        parent=ref(value("parent")) if value("parent") else None, assignee=assignee or None, assignee_email=value("email") or None,
        estimate_hours=estimate or None, body=_under_notes(value("description")), notes=tuple(notes),
    )


_HEADING = re.compile(r"^(#{1,6})(?=\s)", re.M)


def _under_notes(text: str) -> str:
    """A description as written (Markdown, as Linear and others export it), its headings two levels down, so they
    sit under the document's `## Notes` and none can be taken for its `## Log` (a `# comment` in a code block is
    code, and stays)."""
    out, fence = [], None
    for line in text.replace("\r\n", "\n").split("\n"):
        mark = line.lstrip()[:3]
        if fence is None and mark in ("```", "~~~"):
            fence = mark
        elif fence is not None and mark == fence:
            fence = None
        elif fence is None:
            line = _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + 2), line)
        out.append(line)
    return "\n".join(out)


def _items(cell: str, keys: Mapping[str, Record], titles: Mapping[str, list[str]]) -> list[str]:
    """A cell of references: one row's key or title whole (`Buy milk, eggs`), else split at `,` or `;`."""
    whole = " ".join(cell.split())
    if whole in keys or whole.lower() in titles:
        return [whole]
    return [item for item in _LIST.split(cell) if item]


def _number_or_text(text: str) -> float | str:
    """Hours as a bare number (`6`, `1.5`), else the duration's text (`4h`, `2d`)."""
    try:
        return float(text)
    except ValueError:
        return text
