"""`wm report time`: hours and money per group, with totals. Pure: index in, report out.

Row keys are document IDs (or a date bucket); `None` where an entry has no
such thing (no client, no task, no tag). An entry with several tags counts
in each of its tag rows, but once in the totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import chain
from typing import Any, Callable, Iterable, Sequence

from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.model import TimeEntry
from workspace_tool.reports.billing import Priced, Pricer, cents, foreign_rate_warnings, unknown_ref_warnings, unpriced_warnings
from workspace_tool.reports.problems import problem_warnings, time_problems
from workspace_tool.timelog import MAX_ENTRY_HOURS

GROUPS: tuple[str, ...] = ("person", "project", "client", "task", "tag", "day", "week", "month")

Key = tuple[str | None, ...]
Progress = Callable[[Sequence[TimeEntry]], Iterable[TimeEntry]]


@dataclass(frozen=True)
class TimeQuery:
    """What to report: an inclusive date range (None: unbounded), grouping, filters."""

    start: dt.date | None = None
    end: dt.date | None = None
    group_by: tuple[str, ...] = ("project",)
    billable_only: bool = False
    unbilled: bool = False

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def parse_group_by(text: str) -> tuple[str, ...]:
    """`client,project` -> ('client', 'project'); at most two levels, each a known group."""
    parts = tuple(p.strip().lower() for p in text.split(",") if p.strip())
    if not parts or len(parts) > 2:
        raise UsageError(f"--by takes one or two groups separated by a comma (e.g. client,project), got {text!r}")
    for part in parts:
        if part not in GROUPS:
            raise UsageError(f"--by: unknown group {part!r} (use {', '.join(GROUPS)})")
    if len(set(parts)) != len(parts):
        raise UsageError(f"--by: the same group twice in {text!r}")
    return parts


@dataclass(frozen=True)
class TimeRow:
    key: Key
    hours: float
    billable_hours: float
    amounts: dict[str, Decimal]
    running: bool = False

    def amount_in(self, currency: str) -> Decimal | None:
        return self.amounts.get(currency)


@dataclass(frozen=True)
class TimeReport:
    query: TimeQuery
    rows: tuple[TimeRow, ...]
    total_hours: float
    total_billable_hours: float
    totals: dict[str, Decimal]
    currency: str
    entries: int
    running: int
    warnings: tuple[str, ...] = field(default=())

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted(self.totals)) or (self.currency,)

    @property
    def mixed(self) -> bool:
        return len(self.totals) > 1

    def as_json(self) -> dict[str, Any]:
        """The documented `--json` shape (see docs/reports.md)."""
        single = None if self.mixed else self.currencies[0]
        rows = []
        for row in self.rows:
            amount = None if single is None else _num(row.amounts.get(single, Decimal(0)))
            item: dict[str, Any] = {
                "key": list(row.key),
                "hours": _hours(row.hours),
                "billable_hours": _hours(row.billable_hours),
                "amount": amount,
            }
            if self.mixed:
                item["amounts"] = {c: _num(v) for c, v in sorted(row.amounts.items())}
            if row.running:
                item["running"] = True
            rows.append(item)
        data: dict[str, Any] = {
            "from": self.query.start.isoformat() if self.query.start else None,
            "to": self.query.end.isoformat() if self.query.end else None,
            "group_by": list(self.query.group_by),
            "rows": rows,
            "total_hours": _hours(self.total_hours),
            "total_amount": None if single is None else _num(self.totals.get(single, Decimal(0))),
            "currency": single,
        }
        if self.mixed:
            data["totals_by_currency"] = {c: _num(v) for c, v in sorted(self.totals.items())}
        data["running"] = self.running
        data["warnings"] = list(self.warnings)
        return data


def _num(amount: Decimal) -> float | int:
    value = cents(amount)
    return int(value) if value == value.to_integral_value() else float(value)


def _hours(hours: float) -> float | int:
    value = round(hours, 4)
    return int(value) if value.is_integer() else value


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _keys(p: Priced, day: dt.date, group: str, dates: dict[tuple[dt.date, str], str]) -> tuple[str | None, ...]:
    if group == "person":
        return (p.entry.person or None,)
    if group == "project":
        return (p.project,)
    if group == "client":
        return (p.client,)
    if group == "task":
        return (p.task,)
    if group == "tag":
        return p.entry.tags or (None,)
    return (_bucket(day, group, dates),)


def row_keys(p: Priced, group_by: Sequence[str], day: dt.date | None = None, dates: dict[tuple[dt.date, str], str] | None = None) -> list[Key]:
    """The row(s) an entry counts in: one, or one per tag when grouping by tag."""
    keys: list[Key] = [()]
    for group in group_by:
        keys = [k + (v,) for k in keys for v in _keys(p, day or p.entry.date, group, {} if dates is None else dates)]
    return keys


_DATE_GROUPS = ("day", "week", "month")


def _date_key(day: dt.date, group: str) -> str:
    if group == "day":
        return day.isoformat()
    if group == "week":
        return _week(day)
    return f"{day.year:04d}-{day.month:02d}"


def _keep(p: Priced, query: TimeQuery) -> bool:
    if query.billable_only and not p.billable:
        return False
    return not (query.unbilled and (not p.billable or p.invoiced))


class _Line:
    """Entries that count alike (same price, same row): whole minutes summed as an integer, the rest as hours."""

    __slots__ = ("priced", "day", "minutes", "other", "count")

    def __init__(self, priced: Priced, day: dt.date) -> None:
        self.priced = priced
        self.day = day
        self.minutes = 0
        self.other = 0.0
        self.count = 0

    def add(self, hours: float) -> None:
        minutes = hours * 60
        whole = round(minutes)
        if abs(minutes - whole) < 1e-3:
            self.minutes += whole
        else:
            self.other += hours
        self.count += 1

    @property
    def hours(self) -> float:
        return self.minutes / 60 + self.other

    @property
    def exact(self) -> Decimal:
        exact = Decimal(self.minutes) / Decimal(60)
        return exact + Decimal(repr(self.other)) if self.other else exact


def _single(p: Priced) -> _Line:
    line = _Line(p, p.entry.date)
    line.add(p.hours)
    return line


def select(index: Index, query: TimeQuery, now: dt.datetime | None = None, progress: Progress | None = None) -> list[_Line]:
    """The entries in range, priced, after the billable/unbilled filters, as summed lines.

    Entries that agree on everything a row and a price depend on (ref,
    person, tags, date bucket) share one line and one price, their exact
    hours summed: 100,000 entries cost a few thousand prices. Running
    timers, and entries under `--unbilled` once invoices exist, are priced
    one by one.

    One pass counts each duration per kind of entry (`_tally`), then the
    kinds make the lines (`_tallied_lines`): the same lines, in the same
    order, as adding entry by entry (`_lines`), which is what happens for
    `--unbilled` with invoices and when some duration is not whole minutes.
    """
    bounded = query.start is not None or query.end is not None
    entries: Sequence[TimeEntry] = [e for e in index.entries if query.covers(e.date)] if bounded else index.entries
    stream = progress(entries) if progress else entries
    pricer = Pricer(index, now)
    if not (query.unbilled and pricer.has_invoices):
        lines = _tallied_lines(pricer, query, _tally(stream, query, pricer))
        if lines is not None:
            return lines
        stream, pricer = entries, Pricer(index, now)  # some entry is not in whole minutes: sum them one by one
    return _lines(pricer, stream, query)


class _Tally:
    """What `_tally` counted: per kind (ref, person, tags[, date]) its first entry and how many
    entries of each duration; the running timers apart, in order."""

    __slots__ = ("counts", "firsts", "running")

    def __init__(self) -> None:
        self.counts: dict[tuple[object, ...], dict[float, int]] = {}
        self.firsts: dict[tuple[object, ...], TimeEntry] = {}
        self.running: list[TimeEntry] = []


def _tally(stream: Iterable[TimeEntry], query: TimeQuery, pricer: Pricer) -> _Tally:
    """One pass over the entries; this loop runs once per entry, so it only counts.

    The person is left out of the kind (`_ANYONE`) where it changes neither row
    nor price: not grouped by person or date, and a rate set on the ref's
    task, project or client (~10x fewer kinds in a `--by client,project`).
    """
    tally = _Tally()
    counts, firsts, running = tally.counts, tally.firsts, tally.running
    dated = any(g in _DATE_GROUPS for g in query.group_by)
    merge = not dated and "person" not in query.group_by
    free: dict[str, bool] = {}
    for entry in stream:
        if entry.end is None and entry.start is not None:
            running.append(entry)
            continue
        ref = entry.ref
        if merge:
            person_free = free.get(ref)
            if person_free is None:
                person_free = free[ref] = pricer.person_free(ref)
            kind: tuple[object, ...] = (ref, _ANYONE if person_free else entry.person, entry.tags)
        else:
            kind = (ref, entry.person, entry.tags, entry.date) if dated else (ref, entry.person, entry.tags)
        durations = counts.get(kind)
        if durations is None:
            durations = counts[kind] = {}
            firsts[kind] = entry
        hours = entry.hours
        durations[hours] = durations.get(hours, 0) + 1
    return tally


def _tallied_lines(pricer: Pricer, query: TimeQuery, tally: _Tally) -> list[_Line] | None:
    """The lines `_lines` makes, from `_tally`'s counts (in the same order, with the same prices and
    sums); None when a duration is not whole minutes (its float sum depends on the order of the
    entries: `_lines` adds them one by one)."""
    minutes = _whole_minutes(set(chain.from_iterable(tally.counts.values())))
    if minutes is None:
        return None
    dated = tuple(g for g in query.group_by if g in _DATE_GROUPS)
    dates: dict[tuple[dt.date, str], str] = {}
    kinds: dict[tuple[object, ...], _Kind | None] = {}
    lines: dict[tuple[object, ...], _Line] = {}
    first_of: dict[tuple[object, ...], TimeEntry] = {}  # (ref, person, tags): its first entry
    prices: dict[tuple[object, ...], Priced] = {}  # (ref, person, tags): the price of its first entry
    by_tag = "tag" in query.group_by
    for kind, durations in tally.counts.items():  # in the order of each kind's first entry
        entry = tally.firsts[kind]
        alike = kind[:3] if dated else kind
        first = first_of.setdefault(alike, entry)
        # kinds of anyone (see `_tally`) price and group alike when their tags do
        same = (kind[0], entry.tags if by_tag else ("billable" in entry.tags, "nonbillable" in entry.tags)) if kind[1] is _ANYONE else alike
        info = kinds.get(same, _MISSING)
        if info is _MISSING:
            info = kinds[same] = _kind(pricer, entry, query)
        if info is None:
            continue
        key = (info.static, *[_bucket(entry.date, g, dates) for g in dated]) if dated else info.static
        line = lines.get(key)
        if line is None:  # priced as `_lines` does: by the first entry of the (ref, person, tags) that starts it
            priced = prices.get(alike)
            if priced is None:
                priced = prices[alike] = pricer.price(first)
            line = lines[key] = _Line(priced, entry.date)
        total = count = 0
        for hours, times in durations.items():
            total += minutes[hours] * times
            count += times
        line.minutes += total
        line.count += count
    singles = []
    for entry in tally.running:
        single = pricer.price(entry)
        if _keep(single, query):
            singles.append(_single(single))
    return [*lines.values(), *singles]


def _whole_minutes(durations: Iterable[float]) -> dict[float, int] | None:
    """Each duration in whole minutes (as `_Line.add` rounds them); None when one is not whole minutes."""
    found = {}
    for hours in durations:
        whole = round(hours * 60)
        if not -1e-3 < hours * 60 - whole < 1e-3:
            return None
        found[hours] = whole
    return found


def _lines(pricer: Pricer, stream: Iterable[TimeEntry], query: TimeQuery) -> list[_Line]:
    """`select`, entry by entry: for `--unbilled` once invoices exist, and for durations that are not whole minutes."""
    one_by_one = query.unbilled and pricer.has_invoices
    dated = tuple(g for g in query.group_by if g in _DATE_GROUPS)
    dates: dict[tuple[dt.date, str], str] = {}
    kinds: dict[tuple[str, str, tuple[str, ...]], _Kind | None] = {}
    lines: dict[tuple[object, ...], _Line] = {}
    singles: list[_Line] = []
    for entry in stream:
        if (entry.end is None and entry.start is not None) or one_by_one:  # running: priced alone
            single = pricer.price(entry)
            if _keep(single, query):
                singles.append(_single(single))
            continue
        kind = (entry.ref, entry.person, entry.tags)
        info = kinds.get(kind, _MISSING)
        if info is _MISSING:
            info = kinds[kind] = _kind(pricer, entry, query)
        if info is None:
            continue
        key = (info.static, *[_bucket(entry.date, g, dates) for g in dated]) if dated else info.static
        line = lines.get(key)
        if line is None:
            line = lines[key] = _Line(info.priced(pricer), entry.date)
        line.add(entry.hours)
    return [*lines.values(), *singles]


_MISSING: Any = object()
_ANYONE: Any = object()


class _Kind:
    """Entries alike (same ref, person and tags): what their lines are keyed by, and their price.

    The price (`Priced`, a 12-field frozen dataclass) is only built for a
    kind that starts a line: 100,000 entries have ~10,000 kinds but a
    `--by client,project` report has a few dozen lines.
    """

    __slots__ = ("entry", "static", "template")

    def __init__(self, entry: TimeEntry, static: tuple[object, ...]) -> None:
        self.entry = entry  # the kind's first entry: the one its price is for
        self.static = static
        self.template: Priced | None = None

    def priced(self, pricer: Pricer) -> Priced:
        if self.template is None:
            self.template = pricer.price(self.entry)
        return self.template


def _kind(pricer: Pricer, entry: TimeEntry, query: TimeQuery) -> _Kind | None:
    """What lines of entries like this one are keyed by (None: filtered out).

    Entries with the same price and the same non-date row values share a
    line; those that warnings name (unknown ref, no rate) keep their own.
    Only called where `select` does not price one by one, so no entry of
    an `--unbilled` query is invoiced here (`_keep` on the price agrees).
    """
    task, project, client, billable, rate, currency = pricer.terms(entry)
    if not billable and (query.billable_only or query.unbilled):
        return None
    static: tuple[object, ...] = (billable, rate, currency)
    for group in query.group_by:
        if group == "tag":
            static += (entry.tags,)
        elif group == "person":
            static += (entry.person,)
        elif group == "project":
            static += (project,)
        elif group == "client":
            static += (client,)
        elif group == "task":
            static += (task,)
    if (task is None and project is None) or (billable and rate is None) or (billable and pricer.foreign(entry, currency)):
        static += ((entry.ref, entry.person, entry.tags),)  # its own line: a warning names it
    return _Kind(entry, static)


def _bucket(day: dt.date, group: str, dates: dict[tuple[dt.date, str], str]) -> str:
    cached = dates.get((day, group))
    if cached is None:
        cached = dates[(day, group)] = _date_key(day, group)
    return cached


def time_report(index: Index, query: TimeQuery, now: dt.datetime | None = None, progress: Progress | None = None) -> TimeReport:
    """The report, warning about its period's time log problems (entries left out or counted twice)."""
    report = summarize(select(index, query, now, progress), query, index)
    problems = problem_warnings(time_problems(index, query.start, query.end))
    return replace(report, warnings=report.warnings + tuple(problems)) if problems else report


def summarize(lines: Sequence[_Line], query: TimeQuery, index: Index) -> TimeReport:
    """Rows and totals. Money is summed as whole minutes per rate, then priced once: exact."""
    hours: dict[Key, float] = defaultdict(float)
    billable: dict[Key, float] = defaultdict(float)
    money: dict[tuple[Key, str, Decimal], list[float]] = {}
    running: set[Key] = set()
    total_hours = total_billable = 0.0
    dates: dict[tuple[dt.date, str], str] = {}
    per_price: dict[int, tuple[Priced, float, int]] = {}
    for line in lines:
        p = line.priced
        line_hours = line.hours
        if not p.known_ref or (p.billable and (p.rate is None or p.currency != index.settings.currency)):  # for the warnings
            seen = per_price.get(id(p))
            per_price[id(p)] = (p, (seen[1] if seen else 0.0) + line_hours, (seen[2] if seen else 0) + line.count)
        total_hours += line_hours
        priced = p.billable and p.rate is not None
        if p.billable:
            total_billable += line_hours
        if priced:
            assert p.rate is not None
            slot = money.setdefault(((), p.currency, p.rate), [0, 0.0])  # the key () holds the totals
            slot[0] += line.minutes
            slot[1] += line.other
        for key in row_keys(p, query.group_by, line.day, dates):
            hours[key] += line_hours
            if p.billable:
                billable[key] += line_hours
            if priced:
                assert p.rate is not None
                slot = money.setdefault((key, p.currency, p.rate), [0, 0.0])
                slot[0] += line.minutes
                slot[1] += line.other
            if p.running:
                running.add(key)
    amounts, totals = _money(money)
    rows = tuple(
        TimeRow(key, hours[key], billable[key], amounts.get(key, {}), key in running)
        for key in sorted(hours, key=_sort_key)
    )
    grouped = [replace(p, hours=h, count=n) for p, h, n in per_price.values()]
    warnings = unpriced_warnings(grouped) + foreign_rate_warnings(grouped, index.settings.currency) + unknown_ref_warnings(grouped, index)
    for line in lines:
        entry = line.priced.entry
        if line.priced.running and line.hours > MAX_ENTRY_HOURS:
            warnings.append(
                f"{entry.path}:{entry.line}: timer running since {entry.date} {entry.start:%H:%M} ({line.hours:.1f}h so far): stop it or fix the entry"
            )
    if len(totals) > 1:
        warnings.append(f"amounts are in several currencies ({', '.join(sorted(totals))}): totals are per currency, never added up")
    return TimeReport(
        query, rows, total_hours, total_billable, totals, index.settings.currency,
        sum(line.count for line in lines), sum(line.priced.running for line in lines), tuple(warnings),
    )


def _money(money: dict[tuple[Key, str, Decimal], list[float]]) -> tuple[dict[Key, dict[str, Decimal]], dict[str, Decimal]]:
    """Per row (and for the totals, under the key `()`) and per currency: the exact sum of rate x hours.

    The totals count an entry once, even when it is in several tag rows.
    """
    amounts: dict[Key, dict[str, Decimal]] = defaultdict(dict)
    for (key, currency, rate), (minutes, other) in money.items():
        exact = Decimal(int(minutes)) / Decimal(60) + (Decimal(repr(other)) if other else Decimal(0))
        row = amounts[key]
        row[currency] = row.get(currency, Decimal(0)) + exact * rate
    totals = amounts.pop((), {})
    return dict(amounts), totals


def _sort_key(key: Key) -> tuple[tuple[bool, str], ...]:
    return tuple((part is None, part or "") for part in key)
