"""Problems in the time logs, and invalid values of documents, that change what a report or an invoice counts.

A time log whose frontmatter does not parse loses all its entries; a
malformed line loses itself; two clock ranges that overlap count the same
hour twice. `wm validate` reports them all; reports warn about those of
their period, and an invoice refuses its month while any of them, or an
error in a document it prices from, is unfixed. A value that does not
parse (`budget: lots`, `due: 2026-02-30`, one bad `leave:` item) counts as
not set, so the portfolio, people and goals reports warn about those of
the documents they report on (`value_problems`). Pure: index in,
diagnostics out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Iterable

from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index
from workspace_tool.model import Document, TimeEntry, TimeLog
from workspace_tool.validate import overlaps, timer_overlaps

BAD_VALUE = "bad-value"
"""The code of a frontmatter value that does not parse (the document is read without it)."""
TIMELOG_FOLDER = "timelogs"
SHOWN = 5
"""How many problems a warning or a refusal lists before "and N more"."""


def _within(day: dt.date, first: dt.date | None, last: dt.date | None) -> bool:
    return (first is None or day >= first) and (last is None or day <= last)


def _is_timelog_path(index: Index, path: str) -> bool:
    doc = index.by_path.get(path)
    if doc is not None:
        return isinstance(doc, TimeLog)
    return TIMELOG_FOLDER in PurePosixPath(path).parts[:-1]


def time_problems(index: Index, first: dt.date | None = None, last: dt.date | None = None) -> list[Diagnostic]:
    """Errors in time logs that leave out or double-count entries of [first, last] (None: open).

    A time log counts when any of its entries falls in the period, or when
    it has none that could be read (its frontmatter is broken: its dates
    are unknown). Overlaps count when the later entry's day is in the period.
    """
    found: list[Diagnostic] = []
    for path, diagnostics in index.file_diagnostics.items():
        errors = [d for d in diagnostics if d.severity == "error"]
        if not errors or not _is_timelog_path(index, path):
            continue
        log = index.by_path.get(path)
        entries = log.entries if isinstance(log, TimeLog) else ()
        if not entries or any(_within(e.date, first, last) for e in entries):
            found.extend(errors)
    by_person: dict[str, list[TimeEntry]] = defaultdict(list)
    timers: dict[str, list[TimeEntry]] = defaultdict(list)
    before = first - dt.timedelta(days=1) if first is not None else None  # a range past midnight reaches into the period
    for timelog in index.of_type(TimeLog):
        for entry in timelog.entries:
            if entry.start is not None and _within(entry.date, before, last):
                (by_person if entry.end is not None else timers)[entry.person].append(entry)
    at = {(e.path, e.line): e for ranges in by_person.values() for e in ranges}
    for person, ranges in by_person.items():
        # a range inside another, or inside a running timer (`validate.timer_overlaps`: the rule of `wm log`)
        for diagnostic in (*overlaps(person, ranges), *timer_overlaps(person, timers.get(person, []), ranges)):
            later = at.get((diagnostic.path, diagnostic.line))
            if later is not None and _within(later.date, first, last):
                found.append(diagnostic)
    return sorted(set(found), key=lambda d: (d.path, d.line, d.message))


def listed(diagnostics: Iterable[Diagnostic], shown: int = SHOWN) -> list[str]:
    """`path:line: message` for the first `shown`, then how many more."""
    items = list(diagnostics)
    lines = [f"{d.path}:{d.line}: {d.message}" for d in items[:shown]]
    if len(items) > shown:
        lines.append(f"and {len(items) - shown} more (wm validate lists them all)")
    return lines


def problem_warnings(diagnostics: list[Diagnostic]) -> list[str]:
    """The warnings a time report prints for its period's time log problems."""
    if not diagnostics:
        return []
    many = len(diagnostics) != 1
    tail = (
        f"{'these' if many else 'this'} time log problem{'s' if many else ''} "
        f"{'leave' if many else 'leaves'} entries out or {'count' if many else 'counts'} them twice until fixed"
    )
    return [*listed(diagnostics), tail]


def value_problems(index: Index, documents: Iterable[Document]) -> list[Diagnostic]:
    """The invalid values (`bad-value` errors) of `documents`, by file and line: each counts as not set."""
    paths = {doc.path for doc in documents}
    found = [d for path in paths for d in index.file_diagnostics.get(path, ()) if d.code == BAD_VALUE and d.severity == "error"]
    return sorted(set(found), key=lambda d: (d.path, d.line, d.message))


def value_warnings(diagnostics: list[Diagnostic]) -> list[str]:
    """The warnings a report prints for invalid values of what it reports on (`listed`, then what they do)."""
    if not diagnostics:
        return []
    many = len(diagnostics) != 1
    tail = (
        f"the report counts {'these values' if many else 'this value'} as not set until fixed, "
        f"so {'they change' if many else 'it changes'} its figures (wm validate)"
    )
    return [*listed(diagnostics), tail]
