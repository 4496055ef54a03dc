"""A text Gantt chart: one row per task, one column per week (Monday to Sunday)."""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from workspace_tool.scheduling.types import ScheduledTask

MAX_WEEKS = 60
CELL = 3


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _cell(task: ScheduledTask, week: dt.date) -> str:
    days = {b.date for b in task.bookings if _monday(b.date) == week}
    if task.milestone and _monday(task.end) == week:
        return " ◆ "
    if days:
        return "###" if task.critical else "==="
    if task.start <= week + dt.timedelta(days=6) and task.end >= week:
        return "---"
    return " · "


def gantt(tasks: Sequence[ScheduledTask], width: int = 0) -> str:
    """Rows of `id assignee |week cells|`; `#` critical work, `=` other work, `-` waiting inside the task's span, `◆` a milestone."""
    if not tasks:
        return "(nothing to schedule)"
    first = _monday(min(t.start for t in tasks))
    last = _monday(max(t.end for t in tasks))
    weeks = min(MAX_WEEKS, (last - first).days // 7 + 1)
    columns = [first + dt.timedelta(weeks=k) for k in range(weeks)]
    label = max(len(_label(t)) for t in tasks)
    header = " " * label + " |" + "".join(c.strftime("%d")[:2].ljust(CELL) for c in columns) + "|"
    months = " " * label + " |" + "".join((c.strftime("%b") if c.day <= 7 or k == 0 else "").ljust(CELL)[:CELL] for k, c in enumerate(columns)) + "|"
    lines = [months, header]
    for task in tasks:
        cells = "".join(_cell(task, c) for c in columns)
        more = ">" if _monday(task.end) > columns[-1] else "|"
        lines.append(f"{_label(task).ljust(label)} |{cells}{more}")
    lines.append("# critical work   = work   - waiting   ◆ milestone   (columns: weeks starting Monday)")
    return "\n".join(lines)


def _label(task: ScheduledTask) -> str:
    return f"{task.id} ({task.assignee})" if task.assignee else task.id
