"""Recurring work: a completed task with `recurrence:` gets its next instance as a new file.

Rules (`values.parse_recurrence`): `daily`, `weekdays` (the workspace's working days), `weekly`, `fortnightly`,
`monthly`, `quarterly`, `yearly`, `every N days|weeks|months|years`, `monthly on the last day`. The next due date is
the first occurrence after the previous due date that is not before the day the task was completed (missed periods
are skipped, not piled up), and none after the series' `until:` date. The new task is a copy of the file with
`status` reset, `due` (and `start`) moved, `created` (when it has one) the day it is made, `previous: ID` set, `done`
removed, checkboxes cleared and the `## Log` section dropped; a dependency on another series points at that series'
newest open instance, and the subtasks of a recurring parent are copied under the new instance.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import PurePosixPath
from typing import Any

from workspace_tool.body import _TASK_ITEM, in_code_blocks, scan_body
from workspace_tool.config import Calendar, Settings
from workspace_tool.edit import Source, checked_write, ends_line, find_frontmatter, read_source, set_keys, split_lines
from workspace_tool.edit_ops import Change
from workspace_tool.errors import WorkspaceError
from workspace_tool.fields import FieldError, as_date
from workspace_tool.index import Index
from workspace_tool.model import Task
from workspace_tool.values import parse_recurrence

_DATE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_UNTOLD = "; nothing was written"
parse_rule = parse_recurrence
"""(count, unit) of a rule (`values.parse_recurrence`, which the field declaration checks `recurrence:` with)."""


def _add_months(day: dt.date, months: int, anchor: int | None = None) -> dt.date:
    """`day` moved by `months`, on the series' day of the month (`anchor`, else `day`'s) or the month's last day
    when it is shorter: Jan 31 → Feb 28 → Mar 31, never stuck on the 28th."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(anchor or day.day, _calendar.monthrange(year, month)[1]))


def advance(day: dt.date, count: int, unit: str, cal: Calendar, anchor: int | None = None) -> dt.date:
    """`day` moved by `count` units (back for a negative count); a `month-end` rule lands on the month's last day."""
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    if unit in ("month", "month-end"):
        return _add_months(day, count, 31 if unit == "month-end" else anchor)
    if unit == "year":
        return _add_months(day, 12 * count, anchor)
    step = dt.timedelta(days=1 if count >= 0 else -1)
    following = day + step
    for _ in range(366):
        if cal.is_workday(following):
            return following
        following += step
    return following


def next_due(rule: str, due: dt.date | None, completed: dt.date, cal: Calendar, anchor: int | None = None) -> dt.date:
    """The next occurrence after `due` (or after `completed` when there is no due date), not before `completed`.

    `anchor`: the series' day of the month (`series_day`), for monthly and yearly rules. Raises ValueError for a
    rule wm does not know and for a date past the calendar's end (never an OverflowError).
    """
    count, unit = parse_rule(rule)
    try:
        day = advance(due or completed, count, unit, cal, anchor)
        while day < completed:
            day = advance(day, count, unit, cal, anchor)
    except (OverflowError, ValueError):
        raise ValueError(f"recurrence {rule!r}: its next date would be past the year 9999") from None
    return day


def _month_end(day: dt.date) -> bool:
    return day.day == _calendar.monthrange(day.year, day.month)[1]


def _recorded_day(task: Task) -> int:
    """The `series_day:` a clipped instance carries (0 when none, or not a day of the month)."""
    value = task.extra.get("series_day")
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31 else 0


def series_day(index: Index, task: Task, planned_by: str = "due") -> int | None:
    """The series' day of the month, from the date it is planned by (`due`, else `start`): that date's day, unless
    it is a month's last day, which a shorter month may have cut it to; then the `series_day:` the instance carries,
    or (for files written before wm kept it) the day the instances before it (`previous:`) were on, back to one not
    at a month's end (Jan 31, Feb 28 → 31; Jan 30, Feb 28 → 30). None without that date."""
    date: dt.date | None = getattr(task, planned_by)
    if date is None:
        return None
    day = date.day
    seen = {task.id}
    current: Task = task
    while _month_end(getattr(current, planned_by) or date):
        if recorded := _recorded_day(current):
            return max(day, recorded)
        previous = current.extra.get("previous")
        earlier = index.get(previous) if isinstance(previous, str) and previous not in seen else None
        if not isinstance(earlier, Task) or getattr(earlier, planned_by) is None:
            break
        seen.add(earlier.id)
        day = max(day, getattr(earlier, planned_by).day)
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


def _untick(body_lines: list[str]) -> list[str]:
    """The body with its ticked checklist items (`- [x]`, `1. [x]`, `2) [X]`) cleared: exactly the lines
    `body.scan_body` counts as ticked (it is asked about each candidate line), so a `[x]` in a code block, fenced
    or indented, stays as written."""
    bare = [line.rstrip("\r\n") for line in body_lines]
    out = list(body_lines)
    ticked = 0
    for number, text in enumerate(bare):
        match = _TASK_ITEM.match(text)
        if match is None or match.group(1) == " ":
            continue
        counted = scan_body("\n".join(bare[: number + 1])).checklist.checked  # a forward scan: this line decides
        if counted > ticked:
            at = match.start(1)
            out[number] = body_lines[number][:at] + " " + body_lines[number][at + 1 :]
        ticked = counted
    return out


def instance_text(
    text: str, task: Task, new_id: str, due: dt.date | None, settings: Settings, created: dt.date, start: dt.date | None = None,
    changes: Mapping[str, Any] | None = None,
) -> str:
    """The next instance's file text, derived from the previous one by line edits: `due` moved (and `start` by as
    much), or, for a series with a start and no due date, `start` moved; `changes`: further keys to set (None
    removes one)."""
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
    values.update(changes or {})
    new = set_keys(text, values, task.path)
    lines = split_lines(new)
    fm = find_frontmatter(lines)
    head, body = (lines[: fm.end + 1], lines[fm.end + 1 :]) if fm else ([], lines)
    return "".join(head + _untick(_strip_log(body)))


@dataclass(frozen=True)
class NewFile:
    """One file a completion makes: the next instance, or a copy of one of its subtasks."""

    relpath: str
    text: str
    bom: bool
    message: str


@dataclass(frozen=True)
class NextInstance:
    """A recurring task's next instance (and its subtasks' copies), worked out and checked but not written yet
    (`write_planned`). No files when the series ended (`until:`): `message` says so."""

    source: str  # the completed task's file
    files: tuple[NewFile, ...]
    made: Mapping[str, str]  # the ID each new file continues -> its ID
    message: str


@dataclass(frozen=True)
class _Step:
    """Where a series goes next: planned by `due` or by `start`, the new date, and the rule that got there."""

    by: str
    when: dt.date
    count: int
    unit: str
    anchor: int | None


def _rule_text(task: Task) -> str | None:
    """The task's rule, also one the parser refused (`wm validate` says so; completing it says it again)."""
    raw = task.raw.get("recurrence")
    return task.recurrence or (str(raw) if raw not in (None, "") else None)


def _step(index: Index, task: Task, rule: str, completed: dt.date) -> _Step:
    where = f"{task.path}:{task.line_of('recurrence')}"
    try:
        count, unit = parse_rule(rule)
        by = "start" if task.due is None and task.start is not None else "due"  # a series planned by its starts stays one
        anchor = None if unit == "month-end" else series_day(index, task, by)
        when = next_due(rule, getattr(task, by), completed, index.settings.calendar, anchor)
    except ValueError as exc:
        raise WorkspaceError(f"{where}: {exc}{_UNTOLD}") from None
    return _Step(by, when, count, unit, anchor)


def _until(task: Task) -> dt.date | None:
    value = task.raw.get("until")
    if value in (None, ""):
        return None
    try:
        return as_date(value)
    except FieldError as exc:
        raise WorkspaceError(f"{task.path}:{task.line_of('until')}: until: {exc}{_UNTOLD}") from None


def _period_start(index: Index, step: _Step, due: dt.date) -> dt.date | None:
    """The first day of the period an instance due on `due` belongs to: one period before it."""
    try:
        return advance(due, -step.count, step.unit, index.settings.calendar, step.anchor)
    except (OverflowError, ValueError):  # before the year 1
        return None


def _ended(task: Task, step: _Step) -> str | None:
    """Why the series ends here (its next date is after `until:`), else None."""
    until = _until(task)
    if until is None or step.when <= until:
        return None
    what = "due" if step.by == "due" else "starting"
    return f"task {task.id}: the series ends here (until: {until}); its next instance would be {what} {step.when}"


def _newest_open(index: Index, ref: str, after: Mapping[str, str]) -> str | None:
    """The newest open instance of the recurring task `ref`, when a later one continues it (None otherwise)."""
    doc = index.get(ref)
    if not isinstance(doc, Task) or not _rule_text(doc):
        return None
    current, seen = doc.id, {doc.id}
    while current in after and after[current] not in seen:
        current = after[current]
        seen.add(current)
    latest = index.get(current)  # None: made by this same command, so open
    if current == doc.id or (latest is not None and index.is_done(latest)):
        return None
    return current


def _rewired(
    index: Index, task: Task, after: Mapping[str, str], copies: Mapping[str, str], parent: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """`depends_on` and `parent` of the new instance: a reference to another series moved to its newest open
    instance (or, in a copied subtask, to the copy made with it); with what moved, said. `parent`: a copied
    subtask's new parent, set without a word."""
    values: dict[str, Any] = {}
    said: list[str] = []

    def moved(ref: str) -> str:
        return copies.get(ref) or _newest_open(index, ref, after) or ref

    depends = [moved(ref) for ref in task.depends_on]
    if depends != list(task.depends_on):
        values["depends_on"] = depends
        said += [f"depends_on {a} -> {b}" for a, b in zip(task.depends_on, depends) if a != b]
    if parent is not None:
        values["parent"] = parent
    elif task.parent is not None and (newer := moved(task.parent)) != task.parent:
        values["parent"] = newer
        said.append(f"parent {task.parent} -> {newer}")
    return values, said


def _free_id(index: Index, folder: PurePosixPath, base: str, when: dt.date, taken: set[str]) -> str:
    new_id, suffix = f"{base}-{when.isoformat()}", 2
    while new_id in index.docs or new_id in taken or (index.root / str(folder / f"{new_id}.md")).exists():
        new_id = f"{base}-{when.isoformat()}-{suffix}"
        suffix += 1
    taken.add(new_id)
    return new_id


def _dates(index: Index, task: Task, step: _Step) -> tuple[dt.date | None, dt.date | None]:
    """The new instance's (due, start). A series planned by due dates keeps a start of its own the same time
    before its due date; one without (or with the start wm gave it) starts one period before its due date, so it is
    not planned before its period begins (Taskwarrior's `wait:`)."""
    if step.by == "start":
        return None, step.when
    if task.start is not None and task.due is not None and task.start != _period_start(index, step, task.due):
        return step.when, task.start + (step.when - task.due)
    return step.when, _period_start(index, step, step.when)


def plan_next(
    index: Index, task: Task, completed: dt.date, text: str | None = None, bom: bool = False, after: Mapping[str, str] | None = None
) -> NextInstance | None:
    """The next instance of a recurring task, made from `text` (the task's file as it is about to be written; else as
    on disk), with copies of its subtasks; None when it has one already (`after`: previous ID -> the task continuing
    it, `successors`). Raises `WorkspaceError` (a rule wm does not know, a bad `until:`) before anything is written."""
    rule = _rule_text(task)
    after = successors(index) if after is None else after
    if not rule or task.id in after:
        return None
    step = _step(index, task, rule, completed)
    ended = _ended(task, step)
    if ended is not None:
        return NextInstance(task.path, (), {}, ended)
    due, start = _dates(index, task, step)
    values, said = _rewired(index, task, after, {})
    clipped = step.unit in ("month", "year") and step.anchor is not None and step.when.day != step.anchor
    values["series_day"] = step.anchor if clipped else None  # the series' day, kept where the month cut it short
    taken: set[str] = set()
    folder = PurePosixPath(task.path).parent
    new_id = _free_id(index, folder, _DATE_SUFFIX.sub("", task.id), step.when, taken)
    if text is None:
        source = read_source(index.root, task.path)
        text, bom = source.text, source.bom
    made = {task.id: new_id}
    message = f"task {new_id}: next {rule} instance of {task.id}, " + (f"due {due}" if due is not None else f"starting {start}")
    instance = NewFile(
        str(folder / f"{new_id}.md"), instance_text(text, task, new_id, due, index.settings, index.today, start, values), bom,
        message + "".join(f"; {s}" for s in said),
    )
    moved = step.when - ((task.due if step.by == "due" else task.start) or completed)
    copies = _subtask_copies(index, task, new_id, (moved, start, step.when), after, taken, made)
    return NextInstance(task.path, (instance, *copies), made, instance.message)


def _subtask_copies(
    index: Index, parent: Task, new_parent: str, shift: tuple[dt.timedelta, dt.date | None, dt.date], after: Mapping[str, str],
    taken: set[str], made: dict[str, str],
) -> list[NewFile]:
    """Copies of `parent`'s subtasks (and theirs) under its new instance, as Asana copies a recurring task's subtasks:
    status reset, checklists cleared, dates moved by as much as the parent's (`shift`: that, the parent instance's
    start, which a subtask without one gets, and its date). A subtask that recurs itself is its own series."""
    moved, parent_start, when = shift
    subtasks = [d for d in (index.get(i) for i in index.subtasks.get(parent.id, ())) if isinstance(d, Task)]
    subtasks = [s for s in subtasks if not _rule_text(s) and s.id not in after and s.id not in made]
    for sub in subtasks:  # first all IDs, so a subtask depending on another follows it to its copy
        made[sub.id] = _free_id(index, PurePosixPath(sub.path).parent, _DATE_SUFFIX.sub("", sub.id), when, taken)
    files: list[NewFile] = []
    for sub in subtasks:
        new_id = made[sub.id]
        due = sub.due + moved if sub.due is not None else None
        start = sub.start + moved if sub.start is not None else parent_start
        if start is not None and due is not None:
            start = min(start, due)
        values, said = _rewired(index, sub, after, made, parent=new_parent)
        source = read_source(index.root, sub.path)
        text = instance_text(source.text, sub, new_id, due, index.settings, index.today, start, values)
        message = f"task {new_id}: copy of subtask {sub.id} under {new_parent}" + (f", due {due}" if due else "")
        files.append(NewFile(str(PurePosixPath(sub.path).parent / f"{new_id}.md"), text, source.bom, message + "".join(f"; {s}" for s in said)))
        files += _subtask_copies(index, sub, new_id, shift, after, taken, made)
    return files


def write_planned(index: Index, planned: NextInstance) -> list[Change]:
    """Write a planned next instance and its subtasks' copies, one `Change` each (refused, with nothing written, when
    one of the files appeared meanwhile). A series that ended writes nothing: its one `Change` says so."""
    if not planned.files:
        return [Change(planned.source, planned.message)]
    targets = [read_source(index.root, new.relpath) for new in planned.files]
    for target in targets:
        if target.data is not None:
            raise WorkspaceError(f"{target.relpath} already exists; the next instance was not created")
    changes = []
    for target, new in zip(targets, planned.files):
        checked_write(Source(target.path, target.relpath, None, "", new.bom), new.text)
        changes.append(Change(new.relpath, new.message, created=True))
    return changes


def write_next(index: Index, planned: NextInstance) -> Change:
    """`write_planned`, told as one `Change` (the next instance's, its message naming the subtasks copied)."""
    changes = write_planned(index, planned)
    return changes[0] if len(changes) == 1 else Change(changes[0].relpath, "; ".join(c.message for c in changes), created=True)


def missed(index: Index, after: Mapping[str, str] | None = None) -> list[Task]:
    """Completed recurring tasks whose next instance was never created (with a rule wm knows, or one it refused:
    `plan_next` names the file and line of that), leaving out series that ended (`until:`)."""
    after = successors(index) if after is None else after
    found = []
    for task in index.of_type(Task):
        rule = _rule_text(task)
        if not rule or not index.is_done(task) or task.id in after:
            continue
        try:
            if _ended(task, _step(index, task, rule, task.done or index.today)) is not None:
                continue
        except WorkspaceError:
            pass  # `plan_next` says what is wrong
        found.append(task)
    return found


@dataclass(frozen=True)
class CatchUp:
    """What `wm recur` did: the files it wrote, the series it left alone (and why), the tasks it could not continue."""

    changes: tuple[Change, ...]
    skipped: tuple[str, ...]
    problems: tuple[str, ...]


def catch_up(index: Index) -> CatchUp:
    """`wm recur`: create every missed next instance, those that others depend on (or are subtasks of) first, so a
    dependency on a series made in the same run points at its new instance. A task whose next instance git saw
    deleted is skipped, and a task whose next instance cannot be made (a rule wm does not know, a file in the way) is
    named with the reason; the others are still made."""
    after = successors(index)
    todo = _in_order(missed(index, after))
    from workspace_tool.gitops import deleted_files

    deleted = deleted_files(index.root) if todo else {}
    changes: list[Change] = []
    skipped, problems = [], []
    for task in todo:
        gone = _deleted_successor(index, task, deleted)
        if gone is not None:
            skipped.append(
                f"{task.id}: not continued: its next instance {gone} was deleted (git); restore that file to go on, "
                f"or remove `recurrence:` from {task.path} to end the series"
            )
            continue
        try:
            planned = plan_next(index, task, completed=task.done or index.today, after=after)
            if planned is not None:
                changes += write_planned(index, planned)
                after.update(planned.made)
        except WorkspaceError as exc:
            problems.append(exc.message.replace(_UNTOLD, "; its next instance was not made"))
    return CatchUp(tuple(changes), tuple(skipped), tuple(problems))


def _in_order(tasks: Iterable[Task]) -> list[Task]:
    """The tasks, each after those of them it depends on or is a subtask of (by ID otherwise, and for a cycle)."""
    by_id = {t.id: t for t in tasks}
    graph = {t.id: {r for r in (*t.depends_on, t.parent) if r in by_id and r != t.id} for t in by_id.values()}
    sorter = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError:
        return [by_id[i] for i in sorted(by_id)]
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return [by_id[i] for i in order]


def _deleted_successor(index: Index, task: Task, deleted: Mapping[str, set[str]]) -> str | None:
    """A deleted file that was a later instance of the task's series (`<base>-<later date>.md` beside it), if any."""
    folder = PurePosixPath(task.path).parent
    names = deleted.get(str(folder))
    if not names:
        return None
    own = task.due or task.start or task.done
    pattern = re.compile(re.escape(_DATE_SUFFIX.sub("", task.id)) + r"-(\d{4}-\d{2}-\d{2})(?:-\d+)?\.md")
    for name in sorted(names):
        match = pattern.fullmatch(name)
        if match and (own is None or match.group(1) > own.isoformat()) and not (index.root / str(folder / name)).exists():
            return str(folder / name)
    return None
