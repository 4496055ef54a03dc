"""Time tracking: `wm log`, `start`, `stop` and `status` over `timelogs/<person>/<YYYY-MM>.md`.

Entries are body lines in the format of `workspace_tool.timelog`. A running
timer is an entry with an open clock range (`- 2026-11-26 09:15- REF note`);
stopping it fills in the end time on that one line. Entries of one person
never overlap silently: `wm log` refuses an overlapping clock range.

A clock range in the file is wall-clock time. When the local clocks change
within one (DST, `TZ`), `wm log` and `wm stop` write the time that really
passed as a duration instead, and say so; a time the clocks skipped is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from workspace_tool.edit import append_to_body, checked_write, read_source, split_lines
from workspace_tool.edit_ops import Change, Result
from workspace_tool.edit_values import require_doc
from workspace_tool.errors import ConflictError, NotFoundError, UsageError, WorkspaceError
from workspace_tool.index import Index
from workspace_tool.model import Person, TimeEntry
from workspace_tool.timelog import clock_changed, clock_hours, elapsed_hours, format_entry, parse_entry, skipped_time
from workspace_tool.values import format_hours, parse_duration

_RANGE = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})?$")
_OPEN = re.compile(r"(\s)(\d{1,2}:\d{2})-(?=\s)")
ENTRY_TYPES = ("task", "project")


def find_me(index: Index, person: str | None, fallback: str | None = None) -> str:
    """Who the user is, for time and comments: `--person`, else `WM_PERSON`, else the person whose `email` is
    git's `user.email`; else `fallback` when given (a comment's author need be no person), or a UsageError saying
    how to tell wm."""
    name = person or os.environ.get("WM_PERSON")
    if name:
        try:
            return require_doc(index, name, ("person",)).id
        except NotFoundError as exc:
            if person:
                raise
            raise NotFoundError(f"WM_PERSON={name}: {exc} (set WM_PERSON to a person's ID, or unset it)") from None
    from workspace_tool.gitops import config_value

    git_email = config_value(index.root, "user.email")
    if git_email:
        for candidate in index.of_type(Person):
            if candidate.email and candidate.email.strip().lower() == git_email.strip().lower():
                return candidate.id
    if fallback is not None:
        return fallback
    found = f" (git user.email {git_email!r} matches no person's email)" if git_email else ""
    raise UsageError(
        f"who is logging time?{found} Pass --person ID, set WM_PERSON=ID, or add 'email: <your git user.email>' to your people/<id>.md"
    )


def timelog_relpath(person: str, day: dt.date) -> str:
    return f"timelogs/{person}/{day:%Y-%m}.md"


def parse_when(text: str, hours_per_day: float) -> tuple[dt.time | None, dt.time | None, float]:
    """`HH:MM-HH:MM` (or `HH:MM-` for a running timer) or a duration (`1h30m`, `45m`, `2`)."""
    match = _RANGE.match(text.strip())
    if match:
        try:
            start = dt.time.fromisoformat(match.group(1).zfill(5))
            end = dt.time.fromisoformat(match.group(2).zfill(5)) if match.group(2) else None
        except ValueError:
            raise UsageError(f"bad clock time in {text!r} (use HH:MM, 24-hour)") from None
        if end is not None and end == start:
            raise UsageError(f"the clock range {text!r} is empty")
        return start, end, clock_hours(start, end) if end else 0.0
    try:
        hours = parse_duration(text, hours_per_day).hours
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if hours <= 0 or hours > 24:
        raise UsageError(f"a time entry must be more than 0 and at most 24 hours, got {text!r}")
    return None, None, hours


def _entries_of(index: Index, person: str) -> list[TimeEntry]:
    return [e for e in index.entries if e.person == person]


def require_readable_logs(index: Index, person: str, doing: str) -> None:
    """Refuse to work on `person`'s time while one of their time logs does not parse: its entries are
    not in the index, so overlaps, duplicates and running timers in it would go unseen."""
    folder = f"timelogs/{person}/"
    broken = [error for path, error in index.unreadable_files().items() if path.startswith(folder)]
    if broken:
        first = broken[0]
        raise WorkspaceError(
            f"{first.path}:{first.line}: error: {first.message} — {person}'s time log cannot be read, so its entries (and any running "
            f"timer) are unknown; fix the file before {doing} (wm validate lists its problems)"
        )


def overlapping(index: Index, person: str, entry: TimeEntry, now: dt.datetime | None = None) -> TimeEntry | None:
    """An existing entry of `person` whose clock range overlaps `entry`'s (a running one runs until `now`)."""
    return clashing(_entries_of(index, person), entry, now)


def clashing(entries: Iterable[TimeEntry], entry: TimeEntry, now: dt.datetime | None = None) -> TimeEntry | None:
    """The first of `entries` whose clock range overlaps `entry`'s: a running timer runs until `now`, else to the end
    of its day (the rule `wm log` refuses an entry by, and `wm validate` reports one by). Pure."""
    span = entry.span()
    if span is None:
        return None
    begin, end = span
    for other in entries:
        other_span = other.span()
        if other_span is None and other.running:  # a running timer runs until now (else to the end of its day)
            assert other.start is not None
            until = now or dt.datetime.combine(other.date + dt.timedelta(days=1), dt.time(0, 0))
            other_span = (dt.datetime.combine(other.date, other.start), until)
        if other_span is not None and begin < other_span[1] and other_span[0] < end:
            return other
    return None


def _describe(entry: TimeEntry) -> str:
    when = f"{entry.start:%H:%M}-{entry.end:%H:%M}" if entry.start and entry.end else (f"{entry.start:%H:%M}-" if entry.start else format_hours(entry.hours))
    return f"{entry.path}:{entry.line} ({entry.date} {when} {entry.ref})"


def new_timelog(index: Index, person: str, day: dt.date) -> str:
    """The text of a person's new time log for `day`'s month, from the workspace's template ("# Bob: November 2026")."""
    from workspace_tool.create import month_name, person_name, render_template

    owner = index.get(person)
    context = {"fields": {"person": person}, "month": f"{day:%Y-%m}", "month_name": month_name(day), "title": person_name(owner) if owner else person}
    return render_template(index.root, "timelog", context)


def _append(index: Index, person: str, entry: TimeEntry) -> Change:
    relpath = timelog_relpath(person, entry.date)
    source = read_source(index.root, relpath)
    text = source.text
    created = source.data is None
    if created:
        text = new_timelog(index, person, entry.date)
    line = format_entry(replace(entry, path=relpath))
    checked = parse_entry(line, 1, person, relpath, index.settings.calendar.hours_per_day)
    if not isinstance(checked, TimeEntry):
        raise WorkspaceError(f"internal: the entry {line!r} does not read back: {checked}")
    checked_write(source, append_to_body(text, line + "\n"))
    return Change(relpath, f"time {person}: {line[2:]}", created=created)


OVERNIGHT_HOURS = 12.0
"""The longest clock range across midnight `wm log` takes (`22:00-06:00`); a longer one is two times the wrong way round."""


def log_time(index: Index, person: str, ref: str, when: str, note: str = "", day: dt.date | None = None) -> Result:
    """`wm log`: append a finished entry; refuses an overlapping clock range."""
    target = require_doc(index, ref, ENTRY_TYPES).id
    require_readable_logs(index, person, "logging time")
    day = day or index.today
    start, end, hours = parse_when(when, index.settings.calendar.hours_per_day)
    if start is not None and end is None:
        raise UsageError(f"{when!r} has no end time; use 'wm start' for a running timer")
    if start is not None and end is not None and end < start and hours > OVERNIGHT_HOURS:
        raise UsageError(
            f"{when} would be {format_hours(hours)} across midnight: did you mean {end:%H:%M}-{start:%H:%M}? (a range across midnight is a"
            f" night's work of up to {OVERNIGHT_HOURS:g} hours; log a longer one as a duration, e.g. {format_hours(hours)}); nothing was logged"
        )
    notes: list[str] = []
    if start is None:
        minutes = hours * 60
        if round(minutes) < 1:
            raise UsageError(f"{when!r} is under a minute: time entries are whole minutes; nothing was logged")
        if abs(minutes - round(minutes)) > 1e-6:
            hours = round(minutes) / 60
            notes.append(f"note: {when} is logged as {format_hours(hours)} (time entries are whole minutes)")
    entry = TimeEntry(person, day, target, hours, 0, "", start, end, _clean(note))
    clash = overlapping(index, person, entry)
    if clash is not None:
        raise UsageError(f"{day} {when} overlaps {person}'s entry {_describe(clash)}; nothing was logged")
    written, change = entry, _dst_hours(entry, "nothing was logged")
    if change is not None:
        real, how = change
        notes.append(
            f"note: the clocks changed during {day} {when} ({how}): {format_hours(real)} passed (the clock range reads "
            f"{format_hours(hours)}), logged as {format_hours(real)}"
        )
        written = replace(entry, hours=real, start=None, end=None)
    worked = index.get(target)
    if worked is not None and index.is_done(worked):
        notes.append(f"warning: {target} is {getattr(worked, 'status', 'done')}: the time is logged on it all the same")
    if day > index.today:
        notes.append(f"warning: {day} is in the future (today is {index.today})")
    if start is not None and end is not None and end < start:  # a night shift, or the two times the wrong way round
        notes.append(f"warning: {when} crosses midnight: {format_hours(written.hours)} logged from {day}")
    return Result((_append(index, person, written),), tuple(notes))


def refuse_skipped(moment: dt.datetime, nothing: str) -> None:
    """A UsageError for a wall-clock time the local clocks jumped over (02:30 when they go from 02:00 to 03:00)."""
    if skipped_time(moment):
        raise UsageError(
            f"{moment:%Y-%m-%d %H:%M} does not exist in the local time zone (TZ): the clocks were put forward over it; give the "
            f"time the clock showed, or log a duration; {nothing}"
        )


def _dst_hours(entry: TimeEntry, nothing: str) -> tuple[float, str] | None:
    """A finished clock range the local clocks changed in: the hours that really passed (whole minutes) and how the
    clocks changed; None for any other entry. Refuses a time that does not exist."""
    span = entry.span()
    if span is None:
        return None
    for moment in span:
        refuse_skipped(moment, nothing)
    how = clock_changed(*span)
    return None if how is None else (round(elapsed_hours(*span) * 60) / 60, how)


def _clean(note: str) -> str:
    return " ".join(note.split())


def running(index: Index, person: str) -> list[TimeEntry]:
    """The person's running entries, last line first: stopping one may remove its line (`stop_entry`), which must
    not move the lines of those still to stop."""
    return sorted((e for e in _entries_of(index, person) if e.running), key=lambda e: (e.path, e.line), reverse=True)


def stop_entry(index: Index, entry: TimeEntry, at: dt.datetime) -> Change:
    """Close a running entry at `at` by filling in its end time on its own line; a timer stopped in the minute it
    started (a start on the wrong task, put right at once) has no time to log, and its line is removed."""
    assert entry.start is not None
    begin = dt.datetime.combine(entry.date, entry.start)
    if at < begin:
        raise UsageError(f"cannot stop at {at:%Y-%m-%d %H:%M}: the timer started at {begin:%Y-%m-%d %H:%M} (give a later --at)")
    refuse_skipped(at, "the timer was not stopped")
    if at - begin > dt.timedelta(hours=24):
        raise UsageError(
            f"the timer {_describe(entry)} ran over 24 hours: stop it at the time it really ended, "
            f"wm stop --at '{entry.date} HH:MM', or fix the line by hand"
        )
    source = read_source(index.root, entry.path)
    lines = split_lines(source.text)
    number = entry.line - 1
    if number >= len(lines) or not _OPEN.search(lines[number]):
        raise ConflictError(f"{entry.path}:{entry.line} changed on disk; the timer was not stopped — run the command again")
    if at == begin:
        del lines[number]
        checked_write(source, "".join(lines))
        return Change(entry.path, f"time {entry.person}: {_stopped(entry, at)}")
    how = clock_changed(begin, at)
    if how is not None:  # the time that passed, as a duration: the file's clock range would count wall-clock time
        real = format_hours(round(elapsed_hours(begin, at) * 60) / 60)
        lines[number] = _OPEN.sub(lambda m: f"{m.group(1)}{real}", lines[number], count=1)
        checked_write(source, "".join(lines))
        return Change(entry.path, f"time {entry.person}: stopped {entry.ref} at {at:%H:%M}; the clocks changed ({how}): {real} passed, logged as {real}")
    lines[number] = _OPEN.sub(lambda m: f"{m.group(1)}{m.group(2)}-{at:%H:%M}", lines[number], count=1)
    checked_write(source, "".join(lines))
    return Change(entry.path, f"time {entry.person}: stopped {entry.ref} at {at:%H:%M}")


def _stopped(entry: TimeEntry, at: dt.datetime) -> str:
    """What stopping a running entry at `at` does, in words."""
    assert entry.start is not None
    if at == dt.datetime.combine(entry.date, entry.start):
        return f"discarded the timer on {entry.ref} (started {entry.start:%H:%M}, stopped in the same minute: no time to log)"
    return f"stopped the timer on {entry.ref} (started {entry.start:%H:%M})"


def start_timer(index: Index, person: str, ref: str, note: str, at: dt.datetime, parallel: bool = False) -> Result:
    """`wm start`: a running entry; any running timer of the person is stopped first (unless `parallel`)."""
    target = require_doc(index, ref, ENTRY_TYPES).id
    require_readable_logs(index, person, "starting a timer")
    refuse_skipped(at.replace(second=0, microsecond=0), "nothing was started")
    changes: list[Change] = []
    notes: list[str] = []
    if not parallel:
        for entry in running(index, person):
            assert entry.start is not None
            if at < dt.datetime.combine(entry.date, entry.start):
                raise UsageError(
                    f"{person}'s timer on {entry.ref} started at {entry.date} {entry.start:%H:%M}, after {at:%Y-%m-%d %H:%M}: starting "
                    "then would stop it before it began; give a later --at, or --parallel to keep it running; nothing was started"
                )
            changes.append(stop_entry(index, entry, at))
            notes.append(_stopped(entry, at))
            if (overlap := _overlap_note(index, entry, at)) is not None:
                notes.append(overlap)
    probe = TimeEntry(person, at.date(), target, 0.0, 0, "", at.time().replace(second=0, microsecond=0), (at + dt.timedelta(minutes=1)).time().replace(second=0, microsecond=0))
    clash = next((e for e in _entries_of(index, person) if not e.running and e.span() and overlapping_span(e, probe)), None)
    if clash is not None:
        raise UsageError(f"{at:%H:%M} falls inside {person}'s entry {_describe(clash)}; nothing was started")
    entry = TimeEntry(person, at.date(), target, 0.0, 0, "", at.time().replace(second=0, microsecond=0), None, _clean(note))
    changes.append(_append(index, person, entry))
    return Result(tuple(changes), tuple(notes))


def overlapping_span(a: TimeEntry, b: TimeEntry) -> bool:
    sa, sb = a.span(), b.span()
    return bool(sa and sb and sa[0] < sb[1] and sb[0] < sa[1])


def stop_timer(index: Index, person: str, at: dt.datetime) -> Result:
    """`wm stop`: close every running timer of the person."""
    require_readable_logs(index, person, "stopping a timer")
    timers = running(index, person)
    if not timers:
        raise UsageError(f"{person} has no running timer (start one with 'wm start REF')")
    notes = [note for entry in timers if (note := _overlap_note(index, entry, at))]
    return Result(tuple(stop_entry(index, entry, at) for entry in timers), tuple(notes))


def _overlap_note(index: Index, entry: TimeEntry, at: dt.datetime) -> str | None:
    """A timer stopped at `at` whose span covers a finished entry of the same person (logged meanwhile): said, since
    `wm validate` reports the two until one of them changes."""
    assert entry.start is not None
    if at.date() != entry.date or at.time() <= entry.start:
        return None
    closed = replace(entry, end=at.time().replace(second=0, microsecond=0))
    clash = next((e for e in _entries_of(index, entry.person) if not e.running and e.span() and e is not entry and overlapping_span(e, closed)), None)
    if clash is None:
        return None
    return f"warning: the timer on {entry.ref} ({entry.start:%H:%M}-{at:%H:%M}) overlaps {_describe(clash)}; wm validate reports the two until one changes"


@dataclass(frozen=True)
class Status:
    """`wm status`: running timers (with minutes so far) and the hours logged today."""

    person: str
    today: dt.date
    running: tuple[tuple[TimeEntry, float], ...]
    logged_today: float
    entries_today: int
    at: dt.datetime | None = None  # the moment asked about (`--at`, or now)


def status(index: Index, person: str, now: dt.datetime) -> Status:
    require_readable_logs(index, person, "asking for the status")
    timers = []
    for entry in reversed(running(index, person)):  # in the order they were written
        assert entry.start is not None
        elapsed = elapsed_hours(dt.datetime.combine(entry.date, entry.start), now)  # the time that passed, as `wm stop` logs it
        timers.append((entry, max(elapsed, 0.0)))
    today = [e for e in _entries_of(index, person) if e.date == now.date() and not e.running]
    total = sum(e.hours for e in today) + sum(h for e, h in timers if e.date == now.date())
    return Status(person, now.date(), tuple(timers), round(total, 6), len(today), now)


def render_status(state: Status) -> str:
    lines = []
    for entry, hours in state.running:
        note = f" {entry.note}" if entry.note else ""
        if state.at is not None and entry.start is not None and state.at < dt.datetime.combine(entry.date, entry.start):
            lines.append(f"running: {entry.ref}{note} from {entry.date} {entry.start:%H:%M}, not begun at {state.at:%Y-%m-%d %H:%M}")
            continue
        lines.append(f"running: {entry.ref}{note} since {entry.start:%H:%M} ({format_hours(hours)})")
    if not state.running:
        lines.append("no timer running")
    parts = [f"{state.entries_today} entr{'y' if state.entries_today == 1 else 'ies'}"] if state.entries_today else []
    timers = sum(entry.date == state.today for entry, _ in state.running)
    if timers:
        parts.append("a running timer" if timers == 1 else f"{timers} running timers")
    made_of = f" ({' and '.join(parts)})" if parts else ""
    lines.append(f"today ({state.today}): {format_hours(state.logged_today)} logged by {state.person}{made_of}")
    return "\n".join(lines)

