"""`wm export ical`: due dates, milestones and scheduled task spans as an iCalendar file.

Pure: index (+ plan) in, text out (RFC 5545, CRLF lines folded at 75
octets). Due dates and milestones are all-day events; a scheduled task is
an event from its planned start to its planned end. UIDs are stable
(`<kind>-<id>@wm`), so calendar apps update events instead of duplicating.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workspace_tool.export.shown import shown
from workspace_tool.index import Index
from workspace_tool.model import Goal, Project, Risk, Task


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


def _event(uid: str, stamp: dt.datetime, summary: str, start: dt.date | dt.datetime, end: dt.date | dt.datetime | None, description: str = "", categories: str = "") -> list[str]:
    """A VEVENT; an all-day one without an `end` has no DTEND, which RFC 5545 (3.6.1) reads as one day long."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}"]
    if isinstance(start, dt.datetime):
        lines += [f"DTSTART:{start:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
    else:
        lines += [f"DTSTART;VALUE=DATE:{start:%Y%m%d}"] + ([f"DTEND;VALUE=DATE:{end:%Y%m%d}"] if end is not None else [])
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


def ical_text(index: Index, plan: Any = None, include_private: bool = False) -> str:
    stamp = dt.datetime.combine(index.today, dt.time(0, 0))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//wm//{_escape(index.settings.name)}//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(index.settings.name)}"]
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
            lines += _event(f"due-{doc.id}@wm", stamp, f"Due: {doc.title}", *_all_day(due), f"{doc.type} {doc.id}" + (f" ({status})" if status else ""), f"due,{doc.type}")
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
