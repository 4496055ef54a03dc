"""Timelog entries: one body list item per entry, `- DATE (START-END | DURATION) REF [note] [#tag ...]`."""

from __future__ import annotations

import datetime as dt
import re
import sys
from typing import Any

from workspace_tool.errors import Diagnostic
from workspace_tool.model import TimeEntry
from workspace_tool.values import parse_duration

_ITEM = re.compile(r"^\s*[-*+]\s+(\d{4}-\d{2}-\d{2})(?:\s|$)")
_ENTRY = re.compile(
    r"^\s*[-*+]\s+(?P<date>\S+)\s+(?P<when>\S+)(?:\s+(?P<ref>\S+))?(?:\s+(?P<rest>.*?))?\s*$"
)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_TAG = re.compile(r"(?:^|\s)#([\w-]+)")
MAX_ENTRY_HOURS = 24.0


def _clock(text: str) -> dt.time:
    match = _CLOCK.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"bad clock time {text!r} (use HH:MM, 24-hour)")
    return dt.time(int(match.group(1)), int(match.group(2)))


def clock_hours(start: dt.time, end: dt.time) -> float:
    """Hours from `start` to `end`; an end before the start runs past midnight, an equal one is 0 (empty)."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if minutes < 0:
        minutes += 24 * 60  # runs past midnight
    return minutes / 60


def elapsed_hours(begin: dt.datetime, end: dt.datetime) -> float:
    """Hours that really passed from `begin` to `end`, wall-clock times in the local time zone (`TZ`): their
    difference, less the hour the clocks went forward in between, plus the hour they went back (a time of the repeated
    hour is its first). A time log's clock range is wall-clock time (`clock_hours`); `wm log` and `wm stop` write a
    range the clocks changed in as the time that passed (`clock_changed`)."""
    return (end.astimezone() - begin.astimezone()).total_seconds() / 3600


def skipped_time(moment: dt.datetime) -> bool:
    """Whether a wall-clock time does not exist in the local time zone: the clocks jumped over it (02:30 on the
    last Sunday of March in Europe/Berlin)."""
    return dt.datetime.fromtimestamp(moment.timestamp()) != moment


def clock_changed(begin: dt.datetime, end: dt.datetime) -> str | None:
    """When the local clocks changed between `begin` and `end` (wall-clock times whose difference is not the time
    that passed): how, in words ("CET -> CEST"); else None."""
    wall = (end - begin).total_seconds() / 3600
    if abs(elapsed_hours(begin, end) - wall) < 1 / 120:
        return None
    return f"{begin.astimezone().tzname()} -> {end.astimezone().tzname()}"


def parse_entry(
    line: str, number: int, person: str, path: str, hours_per_day: float = 8.0, shared: dict[Any, Any] | None = None
) -> TimeEntry | Diagnostic | None:
    """Parse one body line. None for lines that are not entries (prose, headings).

    `shared` (one dict per timelog) lets equal dates, notes and tag tuples of
    one file be one object: equal values either way, but the cache pickles a
    shared object once (a month of entries has ~20 dates for ~100 lines).
    """
    if not _ITEM.match(line):
        return None
    match = _ENTRY.match(line)
    if not match or not match.group("ref"):
        return Diagnostic(path, number, "error", "bad-entry", "time entry needs DATE, START-END or DURATION, and a task or project ID")
    if shared is None:
        shared = {}
    text = match.group("date")
    day = shared.get(("date", text))
    if day is None:
        try:
            day = shared["date", text] = dt.date.fromisoformat(text)
        except ValueError:
            return Diagnostic(path, number, "error", "bad-entry", f"bad date {text!r} in time entry (use YYYY-MM-DD)")
    when = match.group("when")
    start = end = None
    try:
        if "-" in when and ":" in when:
            clocks = shared.get(("clock", when))
            if clocks is None:  # the same ranges recur in a month of entries
                first, _, second = when.partition("-")
                start = _clock(first)
                end = _clock(second) if second else None
                clocks = shared["clock", when] = (start, end, clock_hours(start, end) if end else 0.0)
            start, end, hours = clocks
        else:
            known = shared.get(("when", when))
            if known is None:
                known = shared["when", when] = parse_duration(when, hours_per_day).hours
            hours = known
    except ValueError as exc:
        return Diagnostic(path, number, "error", "bad-entry", f"{exc} in time entry")
    if hours <= 0 and end is not None:
        return Diagnostic(
            path, number, "error", "bad-entry", f"time entry {when} is empty: it ends when it starts (write the end time, or a duration)"
        )
    if hours > MAX_ENTRY_HOURS:
        return Diagnostic(path, number, "error", "bad-entry", f"time entry of {hours:g}h is longer than a day; split it per day")
    if end is None and start is None and hours <= 0:
        return Diagnostic(path, number, "error", "bad-entry", "time entry has no duration")
    rest = match.group("rest") or ""
    tags = tuple(t.lower() for t in _TAG.findall(rest)) if "#" in rest else ()
    tags = shared.setdefault(("tags", tags), tags)
    note = _TAG.sub("", rest).strip() if tags else rest.strip()
    note = shared.setdefault(("note", note), note)
    return TimeEntry(person, day, sys.intern(match.group("ref")), round(hours, 6), number, path, start, end, note, tags)


def parse_entries(body: str, first_line: int, person: str, path: str, hours_per_day: float = 8.0) -> tuple[list[TimeEntry], list[Diagnostic]]:
    entries: list[TimeEntry] = []
    diagnostics: list[Diagnostic] = []
    shared: dict[Any, Any] = {}
    for offset, line in enumerate(body.split("\n")):
        if not line or line.lstrip()[:1] not in "-*+":
            continue
        result = parse_entry(line, first_line + offset, person, path, hours_per_day, shared)
        if isinstance(result, TimeEntry):
            entries.append(result)
        elif isinstance(result, Diagnostic):
            diagnostics.append(result)
    return entries, diagnostics


def format_entry(entry: TimeEntry) -> str:
    """The body line for an entry (the inverse of `parse_entry`)."""
    from workspace_tool.values import format_hours

    if entry.start is not None:
        when = f"{entry.start:%H:%M}-" + (f"{entry.end:%H:%M}" if entry.end else "")
    else:
        when = format_hours(entry.hours)
    parts = [f"- {entry.date.isoformat()}", when, entry.ref]
    if entry.note:
        parts.append(entry.note)
    parts.extend(f"#{t}" for t in entry.tags)
    return " ".join(parts)
