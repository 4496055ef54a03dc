"""Dates as people type them in a query: absolute, named periods and offsets from today.

Every expression resolves to an inclusive span of days (`DateSpan`); a
single day has `start == end`. Pure: `today` is always passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_OFFSET = re.compile(r"^([+-])(\d{1,4})([dw])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

HELP = "YYYY-MM-DD, YYYY-MM, today, tomorrow, yesterday, this-week, next-week, last-week, this-month, next-month, last-month, +3d, -2w"


@dataclass(frozen=True)
class DateSpan:
    """An inclusive range of days."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def week_of(day: dt.date) -> DateSpan:
    """Monday..Sunday of `day`'s ISO week."""
    monday = day - dt.timedelta(days=day.weekday())
    return DateSpan(monday, monday + dt.timedelta(days=6))


def month_of(year: int, month: int) -> DateSpan:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return DateSpan(first, following - dt.timedelta(days=1))


def _shift_month(day: dt.date, months: int) -> DateSpan:
    index = day.year * 12 + day.month - 1 + months
    return month_of(index // 12, index % 12 + 1)


def resolve_date(text: str, today: dt.date) -> DateSpan:
    """The span an expression names; raise ValueError (message lists the accepted forms)."""
    word = text.strip().lower()
    day = dt.timedelta(days=1)
    named = {
        "today": lambda: DateSpan(today, today),
        "tomorrow": lambda: DateSpan(today + day, today + day),
        "yesterday": lambda: DateSpan(today - day, today - day),
        "this-week": lambda: week_of(today),
        "next-week": lambda: week_of(today + 7 * day),
        "last-week": lambda: week_of(today - 7 * day),
        "this-month": lambda: _shift_month(today, 0),
        "next-month": lambda: _shift_month(today, 1),
        "last-month": lambda: _shift_month(today, -1),
    }
    if word in named:
        return named[word]()
    offset = _OFFSET.match(word)
    if offset:
        sign, count, unit = offset.groups()
        days = int(count) * (7 if unit == "w" else 1) * (-1 if sign == "-" else 1)
        target = today + dt.timedelta(days=days)
        return DateSpan(target, target)
    month = _MONTH.match(word)
    if month and 1 <= int(month.group(2)) <= 12:
        return month_of(int(month.group(1)), int(month.group(2)))
    try:
        exact = dt.date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"bad date {text!r} (use {HELP})") from None
    return DateSpan(exact, exact)


def bound(text: str, today: dt.date, last: bool = False) -> dt.date:
    """The first day of what `text` names (with `last`, its last day): a `--from` or `--to`. A day is its own first and
    last day; a period as a query takes one (`2026-11`, `last-month`, `this-week`) gives its first day to `--from` and
    its last to `--to`, so `--from 2026-11 --to 2026-11` is the whole of November. ValueError as `resolve_date`."""
    span = resolve_date(text, today)
    return span.end if last else span.start
