"""`wm import jira FILE`: Jira's CSV export (Filters > Export > CSV, all fields or current fields) as `ForeignTask`s.

Pure: the CSV's text in, tasks out, or an `ImportFormatError` naming the file and line. What becomes what:

- `Issue key` is the task's key (kept in `jira:`); `Summary` its title; `Project name` (and `Project key`) its project;
- `Status`, by its words in the task workflow (planner) else by `Status Category` (To Do, In Progress, Done, and
  their names in a German, French, Spanish, Portuguese, Italian or Dutch Jira);
  without a category, an issue with a `Resolved` date or a `Resolution` is done, and one without is done (or
  cancelled) when its status's name says so (a workflow that sets no resolution; said, without a done date); a done
  issue resolved as "Won't Do", "Duplicate" and the like (or "Duplikat", "Doublon"...) is cancelled;
- `Priority` (Highest and Blocker: critical, High and Major: high, Medium, Low, Lowest, Minor and Trivial: low);
- `Labels`, `Component/s` and the issue type (bug, story, epic; not task or sub-task) as tags;
- `Created`, `Due date`, `Resolved` (done), a `Start date` custom field; `Original estimate` and `Remaining
  Estimate` (seconds) as hours;
- `Parent key`, `Parent`/`Parent id` (the parent's `Issue id`) or the `Epic Link` custom field as the parent;
  `Inward issue link (Blocks)` as dependencies, `Outward issue link (Blocks)` as dependencies of the issues named;
- `Description` and each `Comment` (`date;author;text`) from Jira's wiki markup into Markdown, comment authors
  and people mentioned (`[~accountid:…]`) named by the names the export pairs with their account IDs; `Attachment`
  cells as links under the description.

An issue's `Issue id`, its latest sprint and its story points are kept as keys of the team's own (`jira_id:`, so a
sub-task of a later export finds its parent by it; `sprint:`, `story_points:`: queryable, not read by the planner).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import replace
from typing import Any

from workspace_tool.import_csv import Record, parse_when, read_records
from workspace_tool.import_tasks import Comment, ForeignTask, Source, tags_of
from workspace_tool.imports import ImportFormatError
from workspace_tool.jira_markup import to_markdown

SOURCE = Source("jira", "Jira", "jira", id_key="jira_id")

PRIORITIES = {
    "highest": "critical", "blocker": "critical", "critical": "critical", "urgent": "critical",
    "high": "high", "major": "high", "medium": "medium", "normal": "medium",
    "low": "low", "lowest": "low", "minor": "low", "trivial": "low", "p1": "critical", "p2": "high", "p3": "medium", "p4": "low", "p5": "low",
    # German, French, Spanish, Portuguese, Italian, Dutch (accents aside: see `plain`)
    "hochste": "critical", "hoch": "high", "mittel": "medium", "niedrig": "low", "niedrigste": "low",
    "la plus haute": "critical", "haute": "high", "moyenne": "medium", "basse": "low", "la plus basse": "low",
    "mas alta": "critical", "alta": "high", "media": "medium", "baja": "low", "mas baja": "low",
    "mais alta": "critical", "baixa": "low", "mais baixa": "low",
    "massima": "critical", "bassa": "low", "minima": "low",
    "hoogste": "critical", "hoog": "high", "gemiddeld": "medium", "laag": "low", "laagste": "low",
}
CATEGORIES = {
    "to do": "open", "new": "open", "in progress": "started", "indeterminate": "started", "done": "done", "complete": "done",
    # as a Jira in another language names them (German, French, Spanish, Portuguese, Italian, Dutch), accents aside
    "aufgaben": "open", "zu erledigen": "open", "in arbeit": "started", "fertig": "done", "erledigt": "done",
    "a faire": "open", "en cours": "started", "termine": "done", "terminee": "done",
    "tareas por hacer": "open", "por hacer": "open", "en curso": "started", "en progreso": "started", "listo": "done", "hecho": "done", "finalizado": "done",
    "itens pendentes": "open", "a fazer": "open", "pendente": "open", "em andamento": "started", "em progresso": "started",
    "itens concluidos": "done", "concluido": "done", "feito": "done",
    "da completare": "open", "da fare": "open", "in corso": "started", "completato": "done", "completata": "done", "fatto": "done",
    "te doen": "open", "in uitvoering": "started", "bezig": "started", "gereed": "done", "klaar": "done",
}
GIVEN_UP = {
    "won't do", "won't fix", "wont do", "wont fix", "duplicate", "cannot reproduce", "incomplete", "declined", "rejected", "obsolete", "abandoned",
    "wird nicht erledigt", "wird nicht behoben", "duplikat", "nicht reproduzierbar", "unvollstandig", "abgelehnt",  # German
    "ne sera pas fait", "ne sera pas corrige", "ne pas faire", "doublon", "impossible a reproduire", "incomplet", "refuse",  # French
    "no se hara", "no se corregira", "duplicado", "no se puede reproducir", "incompleto", "rechazado",  # Spanish (and Portuguese's duplicado)
    "nao sera feito", "nao sera corrigido", "nao e possivel reproduzir", "recusado",  # Portuguese
    "non verra fatto", "non verra risolto", "duplicato", "impossibile riprodurre", "rifiutato",  # Italian
    "wordt niet gedaan", "wordt niet opgelost", "duplicaat", "kan niet reproduceren", "onvolledig", "afgewezen",  # Dutch
}
UNRESOLVED = {"unresolved", "nicht erledigt", "ungelost", "non resolu", "sin resolver", "no resuelta", "nao resolvido", "irrisolto", "onopgelost"}
"""How Jira writes an empty resolution (Jira Server exports show it), in English and the languages above."""


def plain(name: str) -> str:
    """A name as the tables above hold it: lower case, accents and curly apostrophes (Won’t Do) aside, spaces as one."""
    text = unicodedata.normalize("NFKD", name.replace("\u2019", "'")).casefold()
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())
_PLAIN_TYPES = {"task", "sub-task", "subtask"}
DELETED_ACCOUNT = "former user"
"""How Jira Cloud names the account of someone who left: not a person to make."""
_PEOPLE = (("assignee", "assignee id"), ("reporter", "reporter id"), ("creator", "creator id"), ("watchers", "watchers id"), ("project lead", "project lead id"))
_WHAT = "Jira's CSV export (Filters > Export > Export CSV)"


def parse_jira(text: str, name: str, date_format: str | None = None) -> list[ForeignTask]:
    """The issues of a Jira CSV export (see the module's docstring)."""
    records = read_records(text, name, ("Summary", "Issue key"), _WHAT)
    keys = {r.get("issue id"): r.get("issue key") for r in records if r.get("issue id")}
    names = _names(records)
    tasks = [_issue(record, f"{name}:{record.line}", keys, names, date_format) for record in records]
    blocked: dict[str, list[str]] = {}
    for task, record in zip(tasks, records):
        for other in record.all("outward issue link (blocks)"):
            blocked.setdefault(other.lower(), []).append(task.key)
    return [replace(t, depends=tuple(dict.fromkeys([*t.depends, *blocked.get(t.key.lower(), [])]))) if t.key.lower() in blocked else t for t in tasks]


def _names(records: list[Record]) -> dict[str, str]:
    """Account ID (or login) -> display name, from the columns that pair them, for naming comment authors."""
    names: dict[str, str] = {}
    for record in records:
        for name_column, id_column in _PEOPLE:
            for person, account in zip(record.cells.get(name_column, ()), record.cells.get(id_column, ())):
                if person.strip() and account.strip():
                    names.setdefault(account.strip(), person.strip())
    return names


def _issue(record: Record, where: str, keys: dict[str, str], names: dict[str, str], date_format: str | None) -> ForeignTask:
    key, title = record.get("issue key"), " ".join(record.get("summary").split())
    if not key:
        raise ImportFormatError(f"{where}: an issue without its 'Issue key'")
    if not title:
        raise ImportFormatError(f"{where}: issue {key} has no 'Summary'")

    def day(*columns: str) -> dt.date | None:
        for column in columns:
            if record.get(column):
                return parse_when(record.get(column), where, record.name(column), date_format)
        return None

    status, category = record.get("status"), plain(record.get("status category"))
    resolution = plain(record.get("resolution"))
    resolved = day("resolved")
    if category in CATEGORIES:
        state = CATEGORIES[category]
    elif record.has("resolution") or record.has("resolved"):
        state = "done" if resolved or (resolution and resolution not in UNRESOLVED) else "unresolved"  # a "Done" status set no resolution: its name tells
    else:  # an export of the current fields alone: the status's name tells
        state = "unknown"
    if state == "done" and resolution in GIVEN_UP:
        state = "cancelled"
    kind = record.get("issue type").lower()
    tags = tags_of([*record.all("labels"), *record.all("component/s"), *record.all("components"), *([kind] if kind and kind not in _PLAIN_TYPES else [])])
    parent = record.get("parent key") or _key(record.get("parent", "parent id"), keys) or record.get("custom field (epic link)") or None
    return ForeignTask(
        where, key, title, state, status=status or None,
        project=record.get("project name") or record.get("project key") or None, project_key=record.get("project key") or None,
        created=day("created"), due=day("due date", "duedate"), start=day("custom field (start date)", "custom field (target start)"),
        end=resolved if state == "done" else None, priority=PRIORITIES.get(plain(record.get("priority"))), tags=tags,
        depends=tuple(dict.fromkeys(record.all("inward issue link (blocks)"))), parent=parent,
        assignee=None if record.get("assignee").lower() == DELETED_ACCOUNT else record.get("assignee") or None,
        estimate_hours=_hours(record.get("original estimate"), where), remaining_hours=_hours(record.get("remaining estimate"), where),
        body=_body(record, names), comments=tuple(_comment(cell, where, names, date_format) for cell in record.all("comment")),
        keys=_keys(record),
        notes=_notes(record),
    )


def _keys(record: Record) -> tuple[tuple[str, Any], ...]:
    """Jira's `Issue id` (by which a later export's `Parent` names the issue), its sprint (the latest of an
    issue's) and story points, kept as keys of the team's own: `wm list sprint:'MOB Sprint 5'`, `--sort -story_points`."""
    found: list[tuple[str, Any]] = [("jira_id", record.get("issue id"))] if record.get("issue id") else []
    sprints = record.all("sprint")
    if sprints:
        found.append(("sprint", sprints[-1]))
    points = record.get("custom field (story points)", "custom field (story point estimate)")
    if points:
        try:
            number = float(points)
        except ValueError:
            number = None
        if number is not None and math.isfinite(number) and number >= 0:
            found.append(("story_points", int(number) if number.is_integer() else number))
    return tuple(found)


def _notes(record: Record) -> tuple[str, ...]:
    notes = []
    if record.get("priority") and plain(record.get("priority")) not in PRIORITIES:
        notes.append(f"the priority {record.get('priority')!r} is none wm knows (critical, high, medium, low): left out")
    if record.get("assignee").lower() == DELETED_ACCOUNT:
        notes.append("its assignee's Jira account was deleted ('Former user'): left unassigned")
    return tuple(notes)


def _key(issue_id: str, keys: dict[str, str]) -> str | None:
    """A parent named by its `Issue id`: its key when the export has it, else the ID as it is."""
    return keys.get(issue_id, issue_id) if issue_id else None


def _hours(seconds: str, where: str) -> float | None:
    if not seconds:
        return None
    try:
        value = float(seconds)
    except ValueError:
        raise ImportFormatError(f"{where}: an estimate of {seconds!r}: Jira's CSV gives estimates in seconds") from None
    return round(value / 3600, 2) if value > 0 else None


def _body(record: Record, names: dict[str, str]) -> str:
    parts = [to_markdown(record.get("description"), depth=2, names=names)] if record.get("description") else []
    links = []
    for cell in record.all("attachment"):
        fields = cell.split(";", 3)
        if len(fields) == 4 and fields[3].startswith(("http://", "https://")):
            links.append(f"- [{fields[2].strip() or fields[3]}]({fields[3].strip()})")
    if links:
        parts.append("Attachments in Jira:\n\n" + "\n".join(links))
    return "\n\n".join(parts)


def _comment(cell: str, where: str, names: dict[str, str], date_format: str | None) -> Comment:
    """`date;author;text` (the text may hold `;`); a cell without that shape is the comment's text."""
    fields = cell.split(";", 2)
    if len(fields) == 3:
        try:
            day = parse_when(fields[0], where, "Comment", date_format)
        except ImportFormatError:
            day = None
        if day is not None:
            author = fields[1].strip()
            return Comment(day, names.get(author, author) or None, to_markdown(fields[2], depth=2, names=names))
    return Comment(None, None, to_markdown(cell, depth=2, names=names))
