"""`wm import timeclock|timewarrior FILE --person P`: other tools' logs as timelog entries.

Parsing is pure (`parse_timeclock`, `parse_timewarrior`: text in, sessions
out, or an `ImportFormatError` naming the file and line). `plan_import`
turns sessions into entries for one person, skipping those already logged
and refusing overlaps; `apply_import` writes them, one atomic write per
monthly timelog file (`timelogs/<person>/YYYY-MM.md`). Nothing is written
unless the whole file is good.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from workspace_tool.edit import append_to_body
from workspace_tool.errors import NotFoundError, WorkspaceError
from workspace_tool.export.files import write_document
from workspace_tool.index import Index
from workspace_tool.model import Person, Project, Task, TimeEntry, TimeLog
from workspace_tool.timelog import MAX_ENTRY_HOURS, format_entry

_CLOCK_LINE = re.compile(r"^([iIoO])\s+(\d{4}[-/]\d{2}[-/]\d{2})\s+(\d{1,2}:\d{2}(?::\d{2})?)(?:\s+(.*))?$")
_TW_TIME = "%Y%m%dT%H%M%SZ"
_TAG_UNSAFE = re.compile(r"[^\w-]+")


class ImportFormatError(WorkspaceError):
    """A malformed import file; the message names the file and line."""


@dataclass(frozen=True)
class Session:
    """One interval read from another tool, before it becomes an entry."""

    line: int
    begin: dt.datetime
    end: dt.datetime
    ref: str | None
    note: str
    tags: tuple[str, ...]
    candidates: tuple[str, ...] = ()
    seconds: float | None = None  # the real time elapsed, where the local clock times may not tell it (a DST change)


def _when(day: str, clock: str, where: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(f"{day.replace('/', '-')}T{clock if clock.count(':') == 2 else clock + ':00'}")
    except ValueError:
        raise ImportFormatError(f"{where}: bad date or time {day} {clock}") from None


def parse_timeclock(text: str, name: str) -> list[Session]:
    """hledger/ledger timeclock: `i DATE TIME ACCOUNT  DESCRIPTION` then `o DATE TIME`."""
    sessions: list[Session] = []
    open_: tuple[int, dt.datetime, str, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        where = f"{name}:{number}"
        if not line.strip() or line.lstrip()[0] in ";#*%":
            continue
        match = _CLOCK_LINE.match(line)
        if not match:
            raise ImportFormatError(f"{where}: not a timeclock line (expected 'i DATE TIME ACCOUNT' or 'o DATE TIME'): {line[:60]!r}")
        kind, day, clock, rest = match.group(1).lower(), match.group(2), match.group(3), (match.group(4) or "")
        moment = _when(day, clock, where)
        if kind == "i":
            if open_ is not None:
                raise ImportFormatError(f"{where}: clock-in while the session from line {open_[0]} is still open (add its 'o' line)")
            account, _, description = rest.partition("  ")
            if not account.strip():
                raise ImportFormatError(f"{where}: clock-in without an account")
            open_ = (number, moment, account.strip(), description.strip())
            continue
        if open_ is None:
            raise ImportFormatError(f"{where}: clock-out without a clock-in")
        start_line, begin, account, description = open_
        open_ = None
        if moment <= begin:
            raise ImportFormatError(f"{where}: clock-out {moment} is not after its clock-in {begin} (line {start_line})")
        segment = account.split(":")[-1].strip()
        words = description.split()
        tags = tuple(w[1:] for w in words if w.startswith("#") and len(w) > 1)  # `#nonbillable`, as wm's own export writes them
        sessions.append(Session(start_line, begin, moment, segment, description, tags, tuple(words[:2])))
    if open_ is not None:
        raise ImportFormatError(f"{name}:{open_[0]}: session never clocked out (a running timer cannot be imported; add its 'o' line)")
    return sessions


def object_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.lstrip().startswith("{")]


def parse_timewarrior(text: str, name: str) -> list[Session]:
    """`timew export` JSON: a list of {start, end, tags, annotation}; times in UTC, read as local time."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, list):
        raise ImportFormatError(f"{name}:1: expected a JSON list of intervals (the output of 'timew export')")
    lines: list[int | None] = list(object_lines(text))
    if len(lines) != len(data):  # not one interval per line: name the interval instead
        lines = [None] * len(data)
    sessions = []
    for position, (item, found) in enumerate(zip(data, lines), start=1):
        line = found or 1
        where = f"{name}:{found}" if found else f"{name}: interval {position}"
        if not isinstance(item, dict) or "start" not in item:
            raise ImportFormatError(f"{where}: an interval needs at least a 'start'")
        if "end" not in item:
            raise ImportFormatError(f"{where}: interval is still running (no 'end'); stop it with 'timew stop' before exporting")
        begin, end = tw_time(item["start"], where), tw_time(item["end"], where)
        if end <= begin:
            raise ImportFormatError(f"{where}: interval ends before it starts")
        tags = item.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ImportFormatError(f"{where}: 'tags' must be a list of strings")
        annotation = item.get("annotation") or ""
        elapsed = (_utc(item["end"]) - _utc(item["start"])).total_seconds()
        sessions.append(Session(line, begin, end, None, str(annotation), tuple(tags), tuple(tags), elapsed))
    return sessions


def _utc(value: object) -> dt.datetime:
    return dt.datetime.strptime(str(value), _TW_TIME).replace(tzinfo=dt.UTC)


def tw_time(value: object, where: str) -> dt.datetime:
    """A timewarrior time (UTC) as the local clock time it was."""
    try:
        utc = _utc(value)
    except ValueError:
        raise ImportFormatError(f"{where}: bad time {value!r} (expected YYYYMMDDTHHMMSSZ)") from None
    return utc.astimezone().replace(tzinfo=None)


@dataclass(frozen=True)
class ImportPlan:
    person: str
    new: tuple[TimeEntry, ...]
    duplicates: tuple[int, ...]
    skipped: tuple[str, ...]
    files: dict[str, tuple[str | None, str]]  # relpath -> (text as read, or None for a new file; new text)


def _ref(index: Index, session: Session, name: str) -> str:
    known = lambda ref: isinstance(index.get(ref), (Task, Project))  # noqa: E731
    if session.ref is not None:
        if not known(session.ref):
            raise ImportFormatError(f"{name}:{session.line}: account segment {session.ref!r} is not a task or project ID")
        project = session.ref
        for word in session.candidates:  # our own export writes "person: TASK note": keep the task
            task = index.get(word.rstrip(":"))
            if isinstance(task, Task) and task.project == project:
                return task.id
        return project
    for tag in session.candidates:
        if known(tag):
            return tag
    raise ImportFormatError(f"{name}:{session.line}: no tag is a task or project ID (tags: {', '.join(session.tags) or 'none'})")


def _minute(moment: dt.datetime) -> dt.datetime:
    return (moment + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)


def _to_entry(index: Index, session: Session, person: str, name: str) -> TimeEntry | None:
    begin, end = _minute(session.begin), _minute(session.end)
    clock_seconds = (session.end - session.begin).total_seconds()
    if session.seconds is not None and abs(session.seconds - clock_seconds) >= 60:
        # the clocks changed in between (daylight saving time): 01:30-02:30 local was two hours; a duration tells it
        minutes = round(session.seconds / 60)
        if minutes < 1:
            return None
        hours = minutes / 60
        if hours > MAX_ENTRY_HOURS:
            raise ImportFormatError(f"{name}:{session.line}: a session of {hours:g}h is longer than a day; split it per day")
        ref = _ref(index, session, name)
        return TimeEntry(person, begin.date(), ref, round(hours, 6), session.line, name, None, None, _note(session, person, ref), _tags(session, ref))
    if end <= begin:
        return None  # under a minute
    hours = (end - begin).total_seconds() / 3600
    if hours > MAX_ENTRY_HOURS:
        raise ImportFormatError(f"{name}:{session.line}: a session of {hours:g}h is longer than a day; split it per day")
    ref = _ref(index, session, name)
    return TimeEntry(person, begin.date(), ref, round(hours, 6), session.line, name, begin.time(), end.time(), _note(session, person, ref), _tags(session, ref))


def _tags(session: Session, ref: str) -> tuple[str, ...]:
    return tuple(t for t in (_TAG_UNSAFE.sub("-", t).strip("-").lower() for t in session.tags if t != ref) if t)


def _note(session: Session, person: str, ref: str) -> str:
    note = " ".join(w for w in session.note.split() if not w.startswith("#"))
    return _strip_prefix(note, person, ref) if session.ref is not None else note


def _strip_prefix(note: str, person: str, ref: str) -> str:
    words = note.split()
    if words and words[0] == f"{person}:":
        words = words[1:]
    if words and words[0] == ref:
        words = words[1:]
    return " ".join(words)


NOT_COMMITTED = "git.autocommit is on, but wm import commits only when asked: review what it wrote (git status), then commit it with git, or import with --commit"
"""Said by every import that writes without `--commit` in a workspace with `git.autocommit`: the editing commands
commit, an import only with `--commit` (hundreds of new files are for the team to review first)."""


def plan_import(index: Index, person: str, sessions: list[Session], name: str) -> ImportPlan:
    """Entries to add per monthly file; duplicates of logged entries are skipped, overlaps refused."""
    if not isinstance(index.get(person), Person):
        raise NotFoundError(f"no person with ID {person!r}: --person must name a person document")
    from workspace_tool.tracking import require_readable_logs

    require_readable_logs(index, person, "importing")
    existing = [e for e in index.entries if e.person == person]
    seen = {_identity(e) for e in existing}
    # a duration entry has no clock times: our own timeclock export lays it out from the day's start, so a
    # session of the same day, ref and length is that entry coming back (each counted once)
    durations = Counter((e.date, e.ref, f"{e.hours:.4f}") for e in existing if e.start is None)
    timers = {(e.date, e.start, e.ref) for e in existing if e.running}  # exported as sessions up to the moment of the export
    spans = [(e.span(), e) for e in existing if e.span() is not None]
    new: list[TimeEntry] = []
    duplicates: list[int] = []
    skipped: list[str] = []
    for session in sessions:
        entry = _to_entry(index, session, person, name)
        if entry is None:
            skipped.append(f"{name}:{session.line}: shorter than a minute, skipped")
            continue
        if _identity(entry) in seen:
            duplicates.append(session.line)
            continue
        length = (entry.date, entry.ref, f"{entry.hours:.4f}")
        if (entry.date, entry.start, entry.ref) in timers:
            duplicates.append(session.line)
            continue
        if durations[length] > 0:
            durations[length] -= 1
            duplicates.append(session.line)
            continue
        span = entry.span()  # None: a duration (a session across a change of the clocks)
        if span is not None:
            for other_span, other in spans:
                assert other_span is not None
                if span[0] < other_span[1] and other_span[0] < span[1]:
                    raise ImportFormatError(f"{name}:{session.line}: overlaps {other.path}:{other.line} ({other.date} {other.start:%H:%M}-{other.end:%H:%M}); nothing imported")
            spans.append((span, entry))
        seen.add(_identity(entry))
        new.append(entry)
    return ImportPlan(person, tuple(new), tuple(duplicates), tuple(skipped), _files(index, person, new))


def _identity(entry: TimeEntry) -> tuple[dt.date, str, str, str]:
    start = entry.start.strftime("%H:%M") if entry.start else ""
    end = entry.end.strftime("%H:%M") if entry.end else f"{entry.hours:.4f}"
    return (entry.date, start, end, entry.ref)


def _files(index: Index, person: str, entries: list[TimeEntry]) -> dict[str, tuple[str | None, str]]:
    by_month: dict[str, list[TimeEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.date, e.start or dt.time())):
        by_month[entry.date.strftime("%Y-%m")].append(entry)
    logs = {Path(d.path).stem: d.path for d in index.of_type(TimeLog) if d.person == person}
    files = {}
    for month, items in sorted(by_month.items()):
        relpath = logs.get(month, f"timelogs/{person}/{month}.md")
        path = index.root / relpath
        before = _read(path)
        lines = "\n".join(format_entry(e) for e in items) + "\n"
        if before is None:
            from workspace_tool.tracking import new_timelog

            after = append_to_body(new_timelog(index, person, items[0].date), lines)
        else:
            after = append_to_body(before, lines)  # in the file's own line endings
        files[relpath] = (before, after)
    return files


def _read(path: Path) -> str | None:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    return text[1:] if text.startswith("\ufeff") else text


def apply_import(index: Index, plan: ImportPlan) -> list[str]:
    """Write every file of the plan (each atomically, each checked unchanged since read)."""
    written = []
    for relpath, (before, after) in plan.files.items():
        write_document(index.root, relpath, after, before)
        written.append(relpath)
    return written
