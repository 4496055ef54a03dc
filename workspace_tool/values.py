"""Small value types shared by the model and the parser: durations, date ranges."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*([mhdw])", re.IGNORECASE)
_DURATION_FULL = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)?|\.\d+)\s*[mhdw]\s*)+$", re.IGNORECASE)
_EVERY = re.compile(r"^every\s+(?:(\d+)\s+)?(day|week|month|year)s?$")
_NAMED_RULES = {
    "daily": (1, "day"), "weekly": (1, "week"), "biweekly": (2, "week"), "fortnightly": (2, "week"), "monthly": (1, "month"),
    "quarterly": (3, "month"), "semiannually": (6, "month"), "semi-annually": (6, "month"), "yearly": (1, "year"),
    "annually": (1, "year"),
}
_WORKDAY_RULES = ("weekdays", "workdays", "every weekday")
_LAST_DAY = " on the last day"
_MOST = {"day": 36600, "week": 5200, "month": 1200, "year": 100}  # 100 years apart at most: a longer rule is a typo
_RULES_HINT = "use daily, weekdays, weekly, fortnightly, monthly, quarterly, yearly, every N days|weeks|months|years, or monthly on the last day"


@dataclass(frozen=True, order=True)
class Duration:
    """An amount of effort, in working hours.

    `text` keeps what the author wrote (`3d`, `1h30m`) for display; `hours`
    is the value in hours under the workspace calendar that parsed it.
    """

    hours: float
    text: str = ""

    def __str__(self) -> str:
        return self.text or format_hours(self.hours)


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of dates (a single day has `start == end`)."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class KeyResult:
    """One key result of a goal: from `start` (default 0) to `target`, at `current` (not yet given: at `start`)."""

    title: str
    target: float | None = None
    current: float | None = None
    start: float | None = None

    @property
    def progress(self) -> float | None:
        """How far `current` has come from `start` towards `target` (a target below the start is a reduction: churn
        from 10 down to 2, at 5, is 0.625); None without a target, or when the target is the start. Uncapped."""
        base = self.start or 0.0
        if self.target is None or self.target == base:
            return None
        current = base if self.current is None else self.current
        return (current - base) / (self.target - base)


def parse_duration(value: object, hours_per_day: float = 8.0, days_per_week: float = 5.0) -> Duration:
    """Parse `30m`, `1h30m`, `2.5h`, `3d`, `1w` or a bare number of hours.

    Raises ValueError with a message fit for a diagnostic.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 4h or 2d, got {value!r}")
    if isinstance(value, (int, float)):
        check_number(value, MAX_HOURS)
        if value < 0:
            raise ValueError(f"a duration cannot be negative ({value})")
        return Duration(float(value), f"{value}h")
    if not isinstance(value, str) or not _DURATION_FULL.match(value):
        raise ValueError(f"expected a duration such as 30m, 1h30m, 2.5h, 3d or 1w, got {value!r}")
    unit_hours = {"m": 1 / 60, "h": 1.0, "d": hours_per_day, "w": hours_per_day * days_per_week}
    total = sum(float(num) * unit_hours[unit.lower()] for num, unit in _DURATION_PART.findall(value))
    if not total <= MAX_HOURS:  # also NaN and inf: 1e400 digits make a float of inf
        raise ValueError(f"the duration {value.strip()!r} is too long (at most {MAX_HOURS:,.0f} hours)")
    return Duration(round(total, 6), value.strip())


MAX_HOURS = 1_000_000.0
"""The longest duration (about 500 years of working days): a longer one is a typo, and would overflow dates."""

MAX_NUMBER = 1e12
"""The largest amount (budget, rate, capacity, key result): beyond it, sums and money formatting lose their meaning."""


def check_number(value: float, most: float = MAX_NUMBER) -> None:
    """Raise ValueError for YAML's `.nan`, `.inf`, `-.inf`, and for a number whose size is beyond `most`."""
    if isinstance(value, float) and not math.isfinite(value):
        word = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
        raise ValueError(f"expected a finite number, got {word}")
    if abs(value) > most:
        raise ValueError(f"expected a finite number up to {most:,.0f}, got {value!r}")


def format_hours(hours: float) -> str:
    """Format hours compactly: 1.5 -> '1h30m', 8 -> '8h', 0.25 -> '15m'."""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h}h{m:02d}m"
    if h:
        return f"{h}h"
    return f"{m}m"


def parse_recurrence(text: str) -> tuple[int, str]:
    """(count, unit) of a `recurrence:` rule; unit is day, week, month, year, workday or month-end (the last day of
    every `count`-th month). Raises ValueError.

    The rules: daily, weekdays (also workdays, every weekday), weekly, biweekly (fortnightly), monthly, quarterly,
    semiannually, yearly (annually), `every [N] days|weeks|months|years` (at most 100 years apart), and a month or
    year rule followed by `on the last day` (`monthly on the last day`); case and spacing do not matter.
    """
    rule = " ".join(text.strip().lower().split())
    last_day = rule.endswith(_LAST_DAY)
    count, unit = _rule_of(rule[: -len(_LAST_DAY)] if last_day else rule, text)
    if unit in _MOST and count > _MOST[unit]:
        longest = f"{_MOST[unit]} {unit}s" + ("" if unit == "year" else " (100 years)")
        raise ValueError(f"recurrence {text!r} repeats too rarely: at most every {longest}")
    if not last_day:
        return count, unit
    if unit not in ("month", "year"):
        raise ValueError(f"recurrence {text!r}: 'on the last day' goes with a month or year rule (monthly on the last day)")
    return count * (12 if unit == "year" else 1), "month-end"


def _rule_of(rule: str, text: str) -> tuple[int, str]:
    if rule in _NAMED_RULES:
        return _NAMED_RULES[rule]
    if rule in _WORKDAY_RULES:
        return 1, "workday"
    match = _EVERY.match(rule)
    if match:
        count = int(match.group(1) or 1)
        if count < 1:
            raise ValueError(f"recurrence must repeat at least every 1 {match.group(2)}")
        return count, match.group(2)
    raise ValueError(f"unknown recurrence {text!r} ({_RULES_HINT})")
