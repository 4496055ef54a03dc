"""`wm export ical`: due dates, milestones and scheduled task spans as an iCalendar file.

Pure: index (+ plan) in, text out (RFC 5545, CRLF lines folded at 75
octets). Due dates and milestones are all-day events; a scheduled task is
an event from its planned start to its planned end. UIDs are stable
(`<kind>-<id>@wm`), so calendar apps update events instead of duplicating.
The open instance of a recurring task carries an RRULE (`recurrence_rule`)
where iCalendar can say wm's rule exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workspace_tool.config import WEEKDAYS, Calendar
from workspace_tool.export.shown import shown
from workspace_tool.fields import FieldError, as_date
from workspace_tool.index import Index
from workspace_tool.model import Goal, Project, Risk, Task
from workspace_tool.recur import parse_rule, series_day, successors

_FREQ = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "month-end": "MONTHLY", "year": "YEARLY", "workday": "WEEKLY"}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not parts else 74
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _event(
    uid: str, stamp: dt.datetime, summary: str, start: dt.date | dt.datetime, end: dt.date | dt.datetime | None, description: str = "",
    categories: str = "", repeat: tuple[str, ...] = (),
) -> list[str]:
    """A VEVENT; an all-day one without an `end` has no DTEND, which RFC 5545 (3.6.1) reads as one day long. `repeat`:
    its RRULE (and EXDATE) lines, if it recurs."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}"]
    if isinstance(start, dt.datetime):
        lines += [f"DTSTART:{start:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
    else:
        lines += [f"DTSTART;VALUE=DATE:{start:%Y%m%d}"] + ([f"DTEND;VALUE=DATE:{end:%Y%m%d}"] if end is not None else [])
    lines += repeat
    lines.append(f"SUMMARY:{_escape(summary)}")
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if categories:
        lines.append(f"CATEGORIES:{','.join(_escape(c) for c in categories.split(','))}")  # a list: its commas separate
    lines.append("END:VEVENT")
    return lines


def _all_day(day: dt.date) -> tuple[dt.date, dt.date | None]:
    """An all-day event's DTSTART and DTEND (the next day, exclusive); no DTEND on 9999-12-31, whose next day no date
    (nor iCalendar's four-digit year) holds: the event is one day long all the same."""
    return day, (day + dt.timedelta(days=1) if day < dt.date.max else None)


def _day_rule(unit: str, due: dt.date, anchor: int | None) -> str:
    """The BY... part that keeps a monthly or yearly series on its day (`anchor`): a day past the 28th, which a shorter
    month cuts to its last day, is the last of `28..anchor` that the month has (BYSETPOS=-1)."""
    if unit == "month-end":
        return ";BYMONTHDAY=-1"
    day = anchor or due.day
    if unit == "month" and day > 28:
        return f";BYMONTHDAY={','.join(str(d) for d in range(28, day + 1))};BYSETPOS=-1"
    if unit == "year" and due.month == 2 and day == 29:
        return ";BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
    return ""


def recurrence_rule(index: Index, task: Task, after: dict[str, str]) -> tuple[str, ...]:
    """The RRULE (and EXDATE) lines of a recurring task's due event, as `recur.next_due` plans the series: only on its
    open instance (the one no later instance continues), planned by `due:`; `until:` is its UNTIL. Empty where
    iCalendar cannot say the rule exactly: a `weekdays` series with no working days, a rule or `until:` wm refuses."""
    rule, due = task.recurrence, task.due
    if not rule or due is None or task.id in after or index.is_done(task):
        return ()
    try:
        count, unit = parse_rule(rule)
        until = as_date(task.raw["until"]) if task.raw.get("until") not in (None, "") else None
    except (ValueError, FieldError):
        return ()
    cal: Calendar = index.settings.calendar
    parts = f"RRULE:FREQ={_FREQ[unit]}" + (f";INTERVAL={count}" if count > 1 and unit != "workday" else "")
    if unit == "workday":
        days = [WEEKDAYS[i] for i in range(7) if WEEKDAYS[i] in cal.workdays]
        if not days:
            return ()
        parts += f";BYDAY={','.join(d[:2].upper() for d in days)}"
    elif unit in ("month", "month-end", "year"):
        parts += _day_rule(unit, due, None if unit == "month-end" else series_day(index, task))
    if until is not None:
        parts += f";UNTIL={until:%Y%m%d}"
    lines = [parts]
    if unit == "workday":  # a holiday is no working day: the series skips it
        skipped = sorted(h for h in cal.holidays if h > due and (until is None or h <= until) and WEEKDAYS[h.weekday()] in cal.workdays)
        lines += [f"EXDATE;VALUE=DATE:{day:%Y%m%d}" for day in skipped]
    return tuple(lines)


def ical_text(index: Index, plan: Any = None, include_private: bool = False) -> str:
    stamp = dt.datetime.combine(index.today, dt.time(0, 0))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//wm//{_escape(index.settings.name)}//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(index.settings.name)}"]
    after = successors(index)
    for doc in sorted(index.docs.values(), key=lambda d: d.id):
        if doc.is_private and not include_private:
            continue
        due = getattr(doc, "due", None)
        if isinstance(doc, Task) and doc.milestone:
            day = due or doc.done or doc.start
            if day:
                lines += _event(f"milestone-{doc.id}@wm", stamp, f"◆ {doc.title}", *_all_day(day), f"milestone {doc.id} ({doc.status})", "milestone")
            continue
        if isinstance(doc, (Task, Project, Risk, Goal)) and due:
            status = getattr(doc, "status", "")
            repeat = recurrence_rule(index, doc, after) if isinstance(doc, Task) else ()
            lines += _event(f"due-{doc.id}@wm", stamp, f"Due: {doc.title}", *_all_day(due), f"{doc.type} {doc.id}" + (f" ({status})" if status else ""),
                            f"due,{doc.type}", repeat)
    if plan is not None:
        view = shown(index, include_private)
        for task_id in sorted(plan.tasks):
            scheduled = plan.tasks[task_id]
            task = index.get(task_id)
            if getattr(scheduled, "closed", False) or getattr(scheduled, "summary", False) or task is None:
                continue
            if task.is_private and not include_private:
                continue
            assignee = view.reference(index, scheduled.assignee)  # a private person is named nowhere
            who = f" — {assignee}" if assignee else ""
            lines += _event(f"plan-{task_id}@wm", stamp, f"{task.title}{who}", scheduled.start_at, scheduled.end_at,
                            f"planned task {task_id}, {scheduled.effort_hours:g}h" + (" (critical)" if scheduled.critical else ""), "plan")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
