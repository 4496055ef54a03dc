"""Recurring work: a completed task with `recurrence:` gets its next instance as a new file.

Rules (`values.parse_recurrence`): `daily`, `weekdays` (the workspace's working days), `weekly`, `biweekly`,
`monthly`, `yearly`, `every N days|weeks|months|years`. The next due date is the
first occurrence after the previous due date that is not before the day the
task was completed (missed periods are skipped, not piled up). The new task
is a copy of the file with `status` reset, `due` (and `start`) moved,
`created` (when it has one) the day it is made, `previous: ID` set, `done` removed, checkboxes
cleared and the `## Log` section dropped.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from workspace_tool.body import in_code_blocks
from workspace_tool.config import Calendar, Settings
from workspace_tool.edit import Source, checked_write, ends_line, find_frontmatter, read_source, set_keys, split_lines
from workspace_tool.edit_ops import Change
from workspace_tool.errors import WorkspaceError
from workspace_tool.index import Index
from workspace_tool.model import Task
from workspace_tool.values import parse_recurrence

_DATE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")
parse_rule = parse_recurrence
"""(count, unit) of a rule (`values.parse_recurrence`, which the field declaration checks `recurrence:` with)."""


def _add_months(day: dt.date, months: int, anchor: int | None = None) -> dt.date:
    """`day` moved by `months`, on the series' day of the month (`anchor`, else `day`'s) or the month's last day
    when it is shorter: Jan 31 → Feb 28 → Mar 31, never stuck on the 28th."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(anchor or day.day, _calendar.monthrange(year, month)[1]))


def advance(day: dt.date, count: int, unit: str, cal: Calendar, anchor: int | None = None) -> dt.date:
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    if unit == "month":
        return _add_months(day, count, anchor)
    if unit == "year":
        return _add_months(day, 12 * count, anchor)
    following = day + dt.timedelta(days=1)
    for _ in range(366):
        if cal.is_workday(following):
            return following
        following += dt.timedelta(days=1)
    return following


def next_due(rule: str, due: dt.date | None, completed: dt.date, cal: Calendar, anchor: int | None = None) -> dt.date:
    """The next occurrence after `due` (or after `completed` when there is no due date), not before `completed`.

    `anchor`: the series' day of the month (its first instance's), for monthly and yearly rules.
    """
    count, unit = parse_rule(rule)
    day = advance(due or completed, count, unit, cal, anchor)
    while day < completed:
        day = advance(day, count, unit, cal, anchor)
    return day


def _month_end(day: dt.date) -> bool:
    return day.day == _calendar.monthrange(day.year, day.month)[1]


def series_day(index: Index, task: Task) -> int | None:
    """The series' day of the month: the task's due day, unless that is a month's last day, which a shorter month
    may have cut it to; then the day the instances before it (`previous:`) were due on, back to one not at a
    month's end (Jan 31, Feb 28 → 31; Jan 30, Feb 28 → 30). None without a due date."""
    if task.due is None:
        return None
    day = task.due.day
    seen = {task.id}
    current: Task = task
    while _month_end(current.due or task.due):
        previous = current.extra.get("previous")
        earlier = index.get(previous) if isinstance(previous, str) and previous not in seen else None
        if not isinstance(earlier, Task) or earlier.due is None:
            break
        seen.add(earlier.id)
        day = max(day, earlier.due.day)
        current = earlier
    return day


def successors(index: Index) -> dict[str, str]:
    """previous ID -> the task that continues it."""
    result = {}
    for task in index.of_type(Task):
        previous = task.extra.get("previous")
        if isinstance(previous, str):
            result[previous] = task.id
    return result


def _strip_log(body_lines: list[str]) -> list[str]:
    """The body without its `## Log` section (up to the next heading of level 1 or 2; headings in code do not count)."""
    out: list[str] = []
    skipping = False
    bare = [line.rstrip("\r\n") for line in body_lines]
    code = in_code_blocks(bare)
    for line, text, in_code in zip(body_lines, bare, code):
        if not in_code and re.match(r"^##\s+Log\s*$", text, re.IGNORECASE):
            skipping = True
            continue
        if skipping and not in_code and re.match(r"^#{1,2}\s", text):
            skipping = False
        if not skipping:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    if out and not ends_line(out[-1]):
        out[-1] += "\n"
    return out


def instance_text(
    text: str, task: Task, new_id: str, due: dt.date | None, settings: Settings, created: dt.date, start: dt.date | None = None
) -> str:
    """The next instance's file text, derived from the previous one by line edits: `due` moved (and `start` by as
    much), or, for a series with a start and no due date, `start` moved."""
    workflow = settings.workflow("task")
    values: dict[str, Any] = {
        "status": workflow.default if workflow else "todo",
        "previous": task.id,
        "done": None,
        "remaining": None,
    }
    if due is not None:
        values["due"] = due
    if "id" in task.raw:
        values["id"] = new_id
    if "created" in task.raw:  # the new instance is made today, not when the series began
        values["created"] = created
    if start is not None:
        values["start"] = start
    elif task.start is not None and task.due is not None and due is not None:
        values["start"] = task.start + (due - task.due)
    elif "start" in task.raw:
        values["start"] = None
    new = set_keys(text, values, task.path)
    lines = split_lines(new)
    fm = find_frontmatter(lines)
    head, body = (lines[: fm.end + 1], lines[fm.end + 1 :]) if fm else ([], lines)
    body = [re.sub(r"^(\s*[-*+]\s+)\[[xX]\]", r"\1[ ]", line) for line in _strip_log(body)]
    return "".join(head + body)


@dataclass(frozen=True)
class NextInstance:
    """A recurring task's next instance, worked out and checked but not written yet (`write_next`)."""

    relpath: str
    text: str
    bom: bool
    message: str


def plan_next(index: Index, task: Task, completed: dt.date, text: str | None = None, bom: bool = False) -> NextInstance | None:
    """The next instance of a recurring task, made from `text` (the task's file as it is about to be written; else as
    on disk); None when it has one already. Raises `WorkspaceError` (a rule wm does not know, a file in the way)
    before anything is written."""
    rule = task.recurrence
    raw = task.raw.get("recurrence")
    if not rule and raw not in (None, ""):  # the parser refused the rule (`wm validate` says so): say it here too
        rule = str(raw)
    if not rule or task.id in successors(index):
        return None
    calendar = index.settings.calendar
    due: dt.date | None = None
    start: dt.date | None = None
    try:
        if task.due is None and task.start is not None:  # a series planned by its start dates: it stays one
            start = next_due(rule, task.start, completed, calendar, task.start.day)
        else:
            due = next_due(rule, task.due, completed, calendar, series_day(index, task))
    except ValueError as exc:
        raise WorkspaceError(f"{task.path}:{task.line_of('recurrence')}: {exc}; nothing was written") from None
    when = start or due
    assert when is not None
    base = _DATE_SUFFIX.sub("", task.id)
    new_id = f"{base}-{when.isoformat()}"
    folder = PurePosixPath(task.path).parent
    suffix = 2
    while new_id in index.docs or (index.root / str(folder / f"{new_id}.md")).exists():
        new_id = f"{base}-{when.isoformat()}-{suffix}"
        suffix += 1
    if text is None:
        source = read_source(index.root, task.path)
        text, bom = source.text, source.bom
    relpath = str(folder / f"{new_id}.md")
    message = f"task {new_id}: next {rule} instance of {task.id}, " + (f"due {due}" if due is not None else f"starting {start}")
    return NextInstance(relpath, instance_text(text, task, new_id, due, index.settings, index.today, start), bom, message)


def write_next(index: Index, planned: NextInstance) -> Change:
    """Write a planned next instance (refused, with nothing written, when its file appeared meanwhile)."""
    target = read_source(index.root, planned.relpath)
    if target.data is not None:
        raise WorkspaceError(f"{target.relpath} already exists; the next instance was not created")
    checked_write(Source(target.path, target.relpath, None, "", planned.bom), planned.text)
    return Change(planned.relpath, planned.message, created=True)


def create_next(index: Index, task: Task, completed: dt.date) -> Change | None:
    """Write the next instance of a recurring task; returns its `Change`, or None if it exists."""
    planned = plan_next(index, task, completed)
    return write_next(index, planned) if planned is not None else None


def missed(index: Index) -> list[Task]:
    """Completed recurring tasks whose next instance was never created (with a rule wm knows, or one it refused:
    `plan_next` names the file and line of that)."""
    after = successors(index)
    return [
        t for t in index.of_type(Task)
        if (t.recurrence or t.raw.get("recurrence") not in (None, "")) and index.is_done(t) and t.id not in after
    ]


def catch_up(index: Index) -> tuple[list[Change], list[str]]:
    """`wm recur`: create every missed next instance; a task whose next instance cannot be made (a rule wm does
    not know, a file in the way) is named with the reason, and the others are still made."""
    changes, problems = [], []
    for task in sorted(missed(index), key=lambda t: t.id):
        try:
            change = create_next(index, task, completed=task.done or index.today)
        except WorkspaceError as exc:
            problems.append(exc.message.replace("; nothing was written", "; its next instance was not made"))
            continue
        if change is not None:
            changes.append(change)
    return changes, problems
