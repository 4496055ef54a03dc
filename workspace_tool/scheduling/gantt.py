"""A text Gantt chart: one row per task, one column per day, week (Monday to Sunday) or month."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

from workspace_tool.scheduling.types import ScheduledTask

SCALES = ("day", "week", "month")
DAY_SCALE_DAYS = 42
"""A plan spanning at most this many days (six weeks) is drawn by day unless a scale is asked for."""
WEEK_SCALE_WEEKS = 26
"""A longer plan up to this many weeks is drawn by week, a still longer one by month."""
MAX_COLUMNS = {"day": 120, "week": 60, "month": 60}
CELL = {"day": 1, "week": 4, "month": 4}
"""Characters per column: a week's or month's cell holds a three-letter month name and a space."""
LEGEND = "# critical work   = work   ! work after its due date   - waiting   ] due date   ◆ milestone"
BASELINE_LABEL = "  baseline"
BASELINE_LEGEND = "   ~ baseline"
Span = tuple[dt.date, dt.date]
"""A task's (start, end) as a baseline saved them."""


def pick_scale(first: dt.date, last: dt.date) -> str:
    """The scale a plan from `first` to `last` is drawn in when none is asked for."""
    days = (last - first).days + 1
    if days <= DAY_SCALE_DAYS:
        return "day"
    return "week" if days <= WEEK_SCALE_WEEKS * 7 else "month"


def _period_start(day: dt.date, scale: str) -> dt.date:
    if scale == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if scale == "month" else day


def _next_period(start: dt.date, scale: str) -> dt.date:
    if scale == "month":
        return (start + dt.timedelta(days=32)).replace(day=1)
    return start + dt.timedelta(days=7 if scale == "week" else 1)


def _columns(first: dt.date, last: dt.date, scale: str) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each column from `first`'s period to `last`'s, at most `MAX_COLUMNS[scale]`."""
    columns: list[tuple[dt.date, dt.date]] = []
    start = _period_start(first, scale)
    while start <= last and len(columns) < MAX_COLUMNS[scale]:
        following = _next_period(start, scale)
        columns.append((start, following - dt.timedelta(days=1)))
        start = following
    return columns


def _cell(task: ScheduledTask, period: tuple[dt.date, dt.date], width: int) -> str:
    first, last = period
    if task.milestone and first <= task.end <= last:
        return "◆".center(width)
    days = [b.date for b in task.bookings if first <= b.date <= last and b.hours > 0]
    if days:
        if task.due is not None and max(days) > task.due:
            return "!" * width
        return ("#" if task.critical else "=") * width
    if task.due is not None and first <= task.due <= last:
        return "]".center(width)
    if task.start <= last and task.end >= first:
        return "-" * width
    return "·".center(width)


def _baseline_cell(span: Span | None, period: tuple[dt.date, dt.date], width: int) -> str:
    if span is not None and span[0] <= period[1] and span[1] >= period[0]:
        return "~" * width
    return " " * width


def _baseline_row(task: ScheduledTask, span: Span | None, columns: Sequence[tuple[dt.date, dt.date]], label: int, width: int) -> str:
    """The row under a task's: `~` from its baseline start to its baseline end, then how far its end slipped."""
    cells = "".join(_baseline_cell(span, column, width) for column in columns)
    if span is None:
        return f"{BASELINE_LABEL.ljust(label)} |{cells}| new (not in the baseline)"
    more = ">" if span[1] > columns[-1][1] else "|"
    return f"{BASELINE_LABEL.ljust(label)} |{cells}{more} slip {(task.end - span[1]).days:+d}d"


def baseline_spans(record: Mapping[str, Any]) -> dict[str, Span]:
    """Per task of a saved baseline (`baseline.load_baseline`), its (start, end); an entry without both dates is
    left out (its task is drawn as not in the baseline)."""
    tasks = record.get("tasks")
    spans: dict[str, Span] = {}
    for tid, entry in tasks.items() if isinstance(tasks, dict) else ():
        try:
            spans[str(tid)] = dt.date.fromisoformat(str(entry["start"])), dt.date.fromisoformat(str(entry["end"]))
        except (TypeError, KeyError, ValueError):
            continue
    return spans


def _label_row(labels: Sequence[tuple[int, str]], width: int) -> str:
    """`labels` (column character, text) written where they belong; one that would run into the next label (at
    least one space between) or past the chart is left out, so every label shown stands over its own column."""
    row = [" "] * width
    for number, (at, text) in enumerate(labels):
        stop = labels[number + 1][0] - 1 if number + 1 < len(labels) else width
        if at + len(text) <= stop:
            row[at : at + len(text)] = list(text)
    return "".join(row)


def _headers(columns: Sequence[tuple[dt.date, dt.date]], scale: str) -> list[str]:
    """The header rows above the cells: months and day numbers (day and week scales, plus weekday initials by day),
    or years and months (month scale)."""
    cell = CELL[scale]
    width = cell * len(columns)
    starts = [start for start, _ in columns]
    if scale == "month":
        years = [(k * cell, f"{s.year}") for k, s in enumerate(starts) if k == 0 or s.month == 1]
        return [_label_row(years, width), _label_row([(k * cell, f"{s:%b}") for k, s in enumerate(starts)], width)]
    months = [(k * cell, f"{s:%b}") for k, s in enumerate(starts) if k == 0 or s.month != starts[k - 1].month]
    numbers = [(k * cell, f"{s:%d}") for k, s in enumerate(starts) if scale == "week" or k == 0 or s.weekday() == 0]
    rows = [_label_row(months, width), _label_row(numbers, width)]
    if scale == "day":
        rows.append("".join("MTWTFSS"[s.weekday()] for s in starts))
    return rows


def gantt(tasks: Sequence[ScheduledTask], scale: str | None = None, baseline: Mapping[str, Span] | None = None) -> str:
    """Rows of `id (assignee) |cells|`, one cell per day, week or month (`scale`; None: by day for a plan of up to
    six weeks, by week up to 26 weeks, else by month); a late task's row ends with `late (due DATE)`.

    Cells: `#` critical work, `=` other work, `!` work after the task's due date, `-` waiting inside the task's
    span, `]` its due date (in a cell without its work), `◆` a milestone, `·` outside the task. With `baseline`
    (`baseline_spans`), each task's row is followed by its baseline's: `~` from the saved start to the saved
    end, and the slip of its end; the chart spans the baseline's dates too.
    """
    if not tasks:
        return "(nothing to schedule)"
    spans = [baseline[t.id] for t in tasks if t.id in baseline] if baseline is not None else []
    first = min([t.start for t in tasks] + [start for start, _ in spans])
    last = max([t.end for t in tasks] + [end for _, end in spans])
    scale = scale or pick_scale(first, last)
    if scale not in SCALES:
        raise ValueError(f"unknown Gantt scale {scale!r} (use {', '.join(SCALES)})")
    columns = _columns(first, last, scale)
    label = max([len(_label(t)) for t in tasks] + ([len(BASELINE_LABEL)] if baseline is not None else []))
    lines = [f"{' ' * label} |{row}|" for row in _headers(columns, scale)]
    for task in tasks:
        cells = "".join(_cell(task, column, CELL[scale]) for column in columns)
        more = ">" if task.end > columns[-1][1] else "|"
        late = f" late (due {task.due})" if task.late and task.due else (" late" if task.late else "")
        lines.append(f"{_label(task).ljust(label)} |{cells}{more}{late}")
        if baseline is not None:
            lines.append(_baseline_row(task, baseline.get(task.id), columns, label, CELL[scale]))
    legend = LEGEND + (BASELINE_LEGEND if baseline is not None else "")
    lines.append(f"{legend}   (columns: {'weeks starting Monday' if scale == 'week' else scale + 's'})")
    return "\n".join(lines)


def _label(task: ScheduledTask) -> str:
    return f"{task.id} ({task.assignee})" if task.assignee else task.id
