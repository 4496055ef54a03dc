"""Time entries as hledger/ledger timeclock: `i DATE TIME ACCOUNT  NOTE` then `o DATE TIME`.

Pure: index in, text out. The account is `CLIENT:PROJECT`, or `PROJECT`
for a project without a client, or `unassigned:REF` for an entry whose ref
is no task or project. Each entry's `i` line is directly followed by its
`o` line. Entries logged as a duration are laid back to back from the
calendar's `day_start` on their date (per person); a running timer is
closed at `now`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from workspace_tool.index import Index
from workspace_tool.reports.billing import Priced, Pricer

UNASSIGNED = "unassigned"
_UNSAFE = re.compile(r"\s+")


@dataclass(frozen=True)
class Session:
    account: str
    begin: dt.datetime
    end: dt.datetime
    description: str


def account_of(p: Priced) -> str:
    if p.project is None:
        return f"{UNASSIGNED}:{p.entry.ref}"
    return f"{p.client}:{p.project}" if p.client else p.project


def sessions(index: Index, now: dt.datetime | None = None, start: dt.date | None = None, end: dt.date | None = None) -> list[Session]:
    """One clock session per entry, in date order; durations laid out from `day_start`."""
    pricer = Pricer(index, now)
    day_start = index.settings.calendar.day_start
    cursor: dict[tuple[str, dt.date], dt.datetime] = defaultdict(lambda: dt.datetime.min)
    result = []
    entries = sorted(index.entries, key=lambda e: (e.date, e.person, e.path, e.line))
    for entry in entries:
        if (start and entry.date < start) or (end and entry.date > end):
            continue
        p = pricer.price(entry)
        span = entry.span()
        if span is not None:
            begin, finish = span
        elif entry.running:
            assert entry.start is not None
            begin = dt.datetime.combine(entry.date, entry.start)
            finish = begin + dt.timedelta(hours=p.hours)
        else:
            key = (entry.person, entry.date)
            begin = max(cursor[key], dt.datetime.combine(entry.date, day_start))
            finish = begin + dt.timedelta(seconds=round(entry.hours * 3600))
            cursor[key] = finish
        # the tags too (`#nonbillable`): `wm import timeclock` reads them back, so billing survives the round trip
        description = " ".join(part for part in (entry.ref, _UNSAFE.sub(" ", entry.note), *(f"#{t}" for t in entry.tags)) if part)
        result.append(Session(account_of(p), begin, finish, f"{entry.person}: {description}"))
    return result


def timeclock_text(index: Index, now: dt.datetime | None = None, start: dt.date | None = None, end: dt.date | None = None) -> str:
    lines = []
    for s in sessions(index, now, start, end):
        lines.append(f"i {s.begin:%Y-%m-%d %H:%M:%S} {s.account}  {s.description}")
        lines.append(f"o {s.end:%Y-%m-%d %H:%M:%S}")
    return "\n".join(lines) + ("\n" if lines else "")
