"""`wm import taskwarrior FILE`: Taskwarrior's tasks (`task export`) read as `ForeignTask`s.

Pure: JSON text in, tasks out, or an `ImportFormatError` naming the file and line or task. Statuses: pending and
waiting are open (a started one started), completed done, deleted cancelled, recurring a series' template; an
instance of a series carries its template's UUID and its period. `import_tasks.plan_task_import` makes the
documents; the UUID goes in `taskwarrior:`. A recurring series' `until` becomes wm's `until:`. A priority other
than H, M or L, a `wait` date, the `until` (expiry) of a task that does not recur and user-defined attributes
(UDAs) are not kept, and said. A task whose status `--status NAME=STATUS` maps (`STATUSES`)
carries that name as its status, which the map then turns into the workflow's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable
from typing import Any

from workspace_tool.create import slugify
from workspace_tool.errors import UsageError
from workspace_tool.import_tasks import Comment, ForeignTask, Source, tags_of
from workspace_tool.imports import ImportFormatError, object_lines, tw_time

SOURCE = Source("taskwarrior", "Taskwarrior", "taskwarrior")
"""`taskwarrior:` keeps an imported task's UUID (an unknown key to wm: kept, never checked)."""

PRIORITIES = {"H": "high", "M": "medium", "L": "low"}
KNOWN = {
    "id", "uuid", "description", "status", "project", "tags", "depends", "annotations", "priority", "recur", "parent", "entry", "end", "due",
    "scheduled", "start", "modified", "urgency", "mask", "imask", "rtype", "template", "last", "until", "wait",
}
"""Taskwarrior's own attributes; any other is a user-defined attribute (a UDA: `estimate`, `size`), which wm does not keep (said)."""
_STATES = {"pending": "open", "waiting": "open", "completed": "done", "deleted": "cancelled", "recurring": "template"}
STATUSES = ("pending", "waiting", "started", "completed", "deleted")
"""The names `--status NAME=STATUS` maps: Taskwarrior's statuses, and `started` for a pending one with a `start` (as
`+ACTIVE` finds it); `recurring` is a series' template, which is not imported (its instances are)."""

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check_statuses(names: Iterable[str]) -> set[str]:
    """The Taskwarrior statuses `--status` names (lower case); UsageError for one Taskwarrior has not."""
    found = set()
    for name in names:
        words = " ".join(name.lower().split())
        if words not in STATUSES:
            why = "a recurring task's template is not imported (its instances are); " if words == "recurring" else ""
            raise UsageError(f"--status {name}=...: {why}Taskwarrior's statuses to map are {', '.join(STATUSES)} (started: pending, with a start time)")
        found.add(words)
    return found


def parse_taskwarrior(text: str, name: str, mapped: Collection[str] = ()) -> list[ForeignTask]:
    """`task export` JSON: a list of tasks (Taskwarrior 2.6 and 3), or one task object per line (older versions).
    A task whose status is among `mapped` (`STATUSES`, lower case) carries it as its status, for `--status` to map."""
    if not text.lstrip().startswith("["):
        return [_task(_json(line, name, number), f"{name}:{number}", mapped) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    data = _json(text, name, 1)
    if not isinstance(data, list):
        raise ImportFormatError(f"{name}:1: expected a JSON list of tasks (the output of 'task export')")
    lines: list[int | None] = list(object_lines(text))
    if len(lines) != len(data):  # not one task per line: name the task by its place instead
        lines = [None] * len(data)
    return [_task(item, f"{name}:{found}" if found else f"{name}: task {number}", mapped) for number, (item, found) in enumerate(zip(data, lines), start=1)]


def _json(text: str, name: str, first_line: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name}:{first_line + exc.lineno - 1}: not valid JSON: {exc.msg} (expected the output of 'task export')") from None


def _task(item: Any, where: str, mapped: Collection[str] = ()) -> ForeignTask:
    if not isinstance(item, dict):
        raise ImportFormatError(f"{where}: a task must be a JSON object")
    uuid, description, status = item.get("uuid"), item.get("description"), item.get("status")
    if not isinstance(uuid, str) or not _UUID.match(uuid):
        raise ImportFormatError(f"{where}: a task needs its 'uuid' (got {uuid!r})")
    if not isinstance(description, str) or not description.strip():
        raise ImportFormatError(f"{where}: task {uuid} has no 'description'")
    if status not in _STATES:
        raise ImportFormatError(f"{where}: task {uuid} has an unknown status {status!r}")
    project = item.get("project")
    if project is not None and (not isinstance(project, str) or not slugify(project)):
        raise ImportFormatError(f"{where}: task {uuid} has a project wm cannot name: {project!r}")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ImportFormatError(f"{where}: task {uuid}: 'tags' must be a list of strings")
    depends = item.get("depends") or []
    if isinstance(depends, str):  # Taskwarrior before 2.6 exported a comma-separated string
        depends = [d for d in depends.split(",") if d]
    if not isinstance(depends, list) or not all(isinstance(d, str) and _UUID.match(d) for d in depends):
        raise ImportFormatError(f"{where}: task {uuid}: 'depends' must list task UUIDs")
    annotations = []
    for note in item.get("annotations") or []:
        if not isinstance(note, dict) or not isinstance(note.get("description"), str):
            raise ImportFormatError(f"{where}: task {uuid}: an annotation needs its 'description'")
        annotations.append(Comment(_day(note.get("entry"), where), None, " ".join(note["description"].split())))
    priority = item.get("priority")
    recur, parent = item.get("recur"), item.get("parent")
    state = _STATES[status]
    if state == "open" and "start" in item:
        state = "started"
    notes = []
    if priority is not None and priority not in PRIORITIES:
        notes.append(f"the priority {priority!r} is none wm knows (H, M, L): left out")
    if item.get("wait") is not None and state in ("open", "started"):
        notes.append(f"it waits (is hidden) until {_day(item.get('wait'), where)} in Taskwarrior, which wm has no field for: imported without it")
    keys: tuple[tuple[str, object], ...] = ()
    if item.get("until") is not None and state in ("open", "started"):
        if isinstance(recur, str):  # the series' end: wm's `until:`, the same word
            keys = (("until", _day(item.get("until"), where)),)
        else:
            notes.append(f"it expires on {_day(item.get('until'), where)} in Taskwarrior ('until'), which wm has no field for: imported without it")
    udas = sorted(k for k in item if k not in KNOWN)
    if udas:
        notes.append(f"{'its attributes' if len(udas) > 1 else 'its attribute'} {', '.join(udas)} (user-defined in Taskwarrior) {'are' if len(udas) > 1 else 'is'} not kept")
    named = "started" if state == "started" else status
    return ForeignTask(
        where, uuid.lower(), " ".join(description.split()), state, status=named if named in mapped else None, project=project,
        created=_day(item.get("entry"), where), due=_day(item.get("due"), where), start=_day(item.get("scheduled"), where),
        end=_day(item.get("end"), where), priority=PRIORITIES.get(priority) if isinstance(priority, str) else None,
        tags=tags_of(tags), depends=tuple(d.lower() for d in depends), comments=tuple(annotations),
        recur=recur if isinstance(recur, str) else None, series=parent.lower() if isinstance(parent, str) else None, notes=tuple(notes),
        keys=keys,
    )


def _day(value: object, where: str) -> dt.date | None:
    return None if value is None else tw_time(value, where).date()
