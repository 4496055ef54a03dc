"""Rates, billability and money for time entries. Pure: index in, priced entries out.

The rate of an entry is the first of: its task's `rate`, its project's
`rate`, its client's `rate`, its person's `rate`, the workspace `rate`.
An entry is billable when the first that says so of its tag (`#billable` /
`#nonbillable`), its task's `billable`, its project's `billable` says yes;
otherwise it is not. Money is `Decimal`, rounded half-up to cents only at
the end of a sum (`cents`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping

from workspace_tool.index import Index
from workspace_tool.model import Client, Document, Note, Person, Project, Task, TimeEntry
from workspace_tool.timelog import elapsed_hours

CENT = Decimal("0.01")
INVOICE_FOLDER = "invoices"
INVOICE_KEY = "invoice"


def cents(amount: Decimal) -> Decimal:
    """An exact amount rounded half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def exact_hours(hours: float) -> Decimal:
    """Hours as an exact Decimal: whole minutes as minutes/60 (so 20m is exactly a third)."""
    minutes = hours * 60
    whole = round(minutes)
    if abs(minutes - whole) < 1e-3:
        return Decimal(whole) / Decimal(60)
    return Decimal(repr(hours))


def money(value: float) -> Decimal:
    return Decimal(repr(value))


@dataclass(frozen=True)
class Priced:
    """A time entry with everything a report needs resolved.

    `hours` counts a running timer up to `now`. `rate` is None when no rate
    applies anywhere in the chain; `amount` is None for non-billable entries
    and for billable ones without a rate.
    """

    entry: TimeEntry
    hours: float
    task: str | None
    project: str | None
    client: str | None
    billable: bool
    rate: Decimal | None
    rate_source: str | None
    currency: str
    invoiced: bool = False
    count: int = 1
    exact: Decimal | None = None

    @property
    def running(self) -> bool:
        return self.entry.running

    @property
    def exact_hours(self) -> Decimal:
        return self.exact if self.exact is not None else exact_hours(self.hours)

    @property
    def amount(self) -> Decimal | None:
        if not self.billable or self.rate is None:
            return None
        return self.exact_hours * self.rate

    @property
    def known_ref(self) -> bool:
        return self.task is not None or self.project is not None


def entry_key(path: str, date: dt.date | str, ref: str, hours: float, start: str | None) -> tuple[str, str, str, str, str]:
    """What identifies an entry across edits of its file: path, date, ref, hours, clock start.

    The line is recorded on invoices for people, but lines move when a
    timelog gains entries above, so it is not part of the key.
    """
    day = date.isoformat() if isinstance(date, dt.date) else str(date)
    return (path, day, ref, f"{float(hours):.4f}", start or "")


def key_of(entry: TimeEntry, hours: float | None = None) -> tuple[str, str, str, str, str]:
    start = entry.start.strftime("%H:%M") if entry.start else None
    return entry_key(entry.path, entry.date, entry.ref, entry.hours if hours is None else hours, start)


def invoices(index: Index) -> list[Note]:
    """Invoice documents: notes under `invoices/` with an `invoice:` mapping."""
    return [
        d for d in index.of_type(Note)
        if d.path.startswith(INVOICE_FOLDER + "/") and isinstance(d.extra.get(INVOICE_KEY), Mapping)
    ]


def invoiced_keys(index: Index) -> Counter[tuple[str, str, str, str, str]]:
    """How many times each entry identity was invoiced (a multiset: identical lines count apart)."""
    found: Counter[tuple[str, str, str, str, str]] = Counter()
    for doc in invoices(index):
        for item in doc.extra[INVOICE_KEY].get("entries") or ():
            if isinstance(item, Mapping):
                found[_item_key(item)] += 1
    return found


@dataclass(frozen=True)
class StaleItem:
    """An invoiced entry no time log holds any more (edited or removed after invoicing)."""

    invoice: Note
    client: str
    month: str
    item: Mapping[str, Any]

    def describe(self) -> str:
        item = self.item
        start = f" {item.get('start')}" if item.get("start") else ""
        return f"{item.get('path')} {item.get('date')}{start} {item.get('ref')} {item.get('hours')}h"


def stale_invoiced(index: Index) -> list[StaleItem]:
    """Invoiced entries that match no entry of the time logs now: the entry was edited after it was
    invoiced (its new version counts as unbilled, in full) or removed (it was billed all the same)."""
    present = Counter(key_of(e) for e in index.entries)
    stale = []
    for doc in sorted(invoices(index), key=lambda d: d.path):
        meta = doc.extra[INVOICE_KEY]
        for item in meta.get("entries") or ():
            if not isinstance(item, Mapping):
                continue
            key = _item_key(item)
            if present[key] > 0:
                present[key] -= 1
            else:
                stale.append(StaleItem(doc, str(meta.get("client", "")), str(meta.get("month", "")), item))
    return stale


def _item_key(item: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    try:
        hours = float(item.get("hours", 0))
    except (TypeError, ValueError):
        hours = 0.0
    start = item.get("start")
    return entry_key(str(item.get("path", "")), str(item.get("date", "")), str(item.get("ref", "")), hours, str(start) if start else None)


def running_hours(entry: TimeEntry, now: dt.datetime) -> float:
    """Hours of a running timer up to `now` (0 when `now` is before its start): the time that passed, as `wm status`
    counts it and `wm stop` logs it (a change of the local clocks in between counted: `timelog.elapsed_hours`)."""
    assert entry.start is not None
    hours = elapsed_hours(dt.datetime.combine(entry.date, entry.start), now)
    return round(max(hours, 0.0), 6)


class Pricer:
    """Resolves entries against one index; caches per-ref lookups (100k entries, few refs)."""

    def __init__(self, index: Index, now: dt.datetime | None = None) -> None:
        self.index = index
        self.now = now or dt.datetime.combine(index.today, dt.datetime.now().time().replace(microsecond=0))
        self.currency = index.settings.currency
        self._refs: dict[str, tuple[Task | None, Project | None, Client | None, str | None]] = {}
        self._rates: dict[tuple[str, str], tuple[Decimal | None, str | None]] = {}
        self._ref_rates: dict[str, tuple[Decimal | None, str | None]] = {}
        self._invoiced = invoiced_keys(index)

    @property
    def has_invoices(self) -> bool:
        return bool(self._invoiced)

    def _ref(self, ref: str) -> tuple[Task | None, Project | None, Client | None, str | None]:
        found = self._refs.get(ref)
        if found is None:
            doc = self.index.get(ref)
            task = doc if isinstance(doc, Task) else None
            project: Document | None = doc if isinstance(doc, Project) else None
            if task is not None and task.project:
                project = self.index.get(task.project)
            project = project if isinstance(project, Project) else None
            client = self.index.get(project.client) if project and project.client else None
            client = client if isinstance(client, Client) else None
            client_id = project.client if project and project.client else None
            found = (task, project, client, client_id)
            self._refs[ref] = found
        return found

    def _shared_rate(self, ref: str, task: Task | None, project: Project | None, client: Client | None) -> tuple[Decimal | None, str | None]:
        """The first links of the chain (task, project, client): the same for everyone logging on `ref`."""
        shared = self._ref_rates.get(ref)
        if shared is None:
            shared = self._ref_rates[ref] = _first_rate((
                (f"task {task.id}" if task else "task", task.rate if task else None),
                (f"project {project.id}" if project else "project", project.rate if project else None),
                (f"client {client.id}" if client else "client", client.rate if client else None),
            ))
        return shared

    def _rate(self, ref: str, person: str, task: Task | None, project: Project | None, client: Client | None) -> tuple[Decimal | None, str | None]:
        shared = self._shared_rate(ref, task, project, client)
        if shared[0] is not None:
            return shared
        key = (ref, person)
        cached = self._rates.get(key)
        if cached is None:
            owner = self.index.get(person)
            cached = self._rates[key] = _first_rate((
                (f"person {person}", owner.rate if isinstance(owner, Person) else None),
                ("workspace", self.index.settings.rate),
            ))
        return cached

    def person_free(self, ref: str) -> bool:
        """Whether entries on `ref` cost the same whoever logged them: a rate is set on its task,
        project or client (so neither the person's rate nor the workspace's applies)."""
        task, project, client, _ = self._ref(ref)
        return self._shared_rate(ref, task, project, client)[0] is not None

    def foreign(self, entry: TimeEntry, currency: str) -> bool:
        """Whether `entry` is priced at a person's or the workspace's rate (both in the workspace
        currency) while its client bills in another currency: an amount in the wrong money."""
        return currency != self.currency and not self.person_free(entry.ref)

    def terms(self, entry: TimeEntry) -> tuple[str | None, str | None, str | None, bool, Decimal | None, str]:
        """What `price` resolves, without building a `Priced`: task, project and client IDs,
        billable, rate and currency (a report prices ~10,000 kinds of entries; see reports.time)."""
        task, project, client, client_id = self._ref(entry.ref)
        rate = self._rate(entry.ref, entry.person, task, project, client)[0]
        currency = client.currency if client and client.currency else self.currency
        return task.id if task else None, project.id if project else None, client_id, _billable(entry, task, project), rate, currency

    def price(self, entry: TimeEntry) -> Priced:
        task, project, client, client_id = self._ref(entry.ref)
        billable = _billable(entry, task, project)
        rate, source = self._rate(entry.ref, entry.person, task, project, client)
        hours = running_hours(entry, self.now) if entry.running else entry.hours
        currency = client.currency if client and client.currency else self.currency
        invoiced = False
        if billable and self._invoiced:
            key = key_of(entry)
            if self._invoiced.get(key, 0) > 0:
                self._invoiced[key] -= 1
                invoiced = True
        return Priced(
            entry, hours, task.id if task else None, project.id if project else None, client_id,
            billable, rate, source, currency, invoiced,
        )

    def price_all(self, entries: Iterable[TimeEntry]) -> list[Priced]:
        return [self.price(e) for e in entries]


def _first_rate(chain: Iterable[tuple[str, float | None]]) -> tuple[Decimal | None, str | None]:
    """The first rate set along a chain of (source, rate), with its source; (None, None) when none is."""
    for source, rate in chain:
        if rate is not None:
            return money(rate), source
    return None, None


def _billable(entry: TimeEntry, task: Task | None, project: Project | None) -> bool:
    if "billable" in entry.tags:
        return True
    if "nonbillable" in entry.tags:
        return False
    if task is not None and task.billable is not None:
        return task.billable
    if project is not None and project.billable is not None:
        return project.billable
    return False


def unpriced_warnings(priced: Iterable[Priced]) -> list[str]:
    """One warning per project whose billable entries have no rate anywhere in the chain."""
    missing: dict[str | None, list[Priced]] = {}
    for p in priced:
        if p.billable and p.rate is None:
            missing.setdefault(p.project, []).append(p)
    warnings = []
    for project, items in sorted(missing.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        hours = sum(p.hours for p in items)
        client = items[0].client
        first = min((p.entry for p in items), key=lambda e: (e.path, e.line))
        who = f"project {project}" if project else f"ref {first.ref}"
        whose = f" (client {client})" if client else ""
        warnings.append(
            f"no rate for {sum(p.count for p in items)} billable entries ({hours:g}h) of {who}{whose}, first at {first.path}:{first.line}: "
            "set a rate on the task, project, client, person or workspace; they are not billed"
        )
    return warnings


def foreign_rate_warnings(priced: Iterable[Priced], workspace_currency: str) -> list[str]:
    """One warning per client whose billable entries are priced at person or workspace rates
    (in the workspace currency) while the client bills in another currency."""
    found: dict[str | None, list[Priced]] = {}
    for p in priced:
        if p.billable and p.rate is not None and p.currency != workspace_currency and p.rate_source is not None and (
            p.rate_source == "workspace" or p.rate_source.startswith("person ")
        ):
            found.setdefault(p.client, []).append(p)
    warnings = []
    for client, items in sorted(found.items(), key=lambda kv: kv[0] or ""):
        first = min((p.entry for p in items), key=lambda e: (e.path, e.line))
        warnings.append(
            f"{sum(p.count for p in items)} billable entries ({sum(p.hours for p in items):g}h) of client {client}, first at {first.path}:{first.line}, "
            f"are priced at person or workspace rates, which are in {workspace_currency}, but {client} is billed in {items[0].currency}: "
            f"set a rate on the client, project or task"
        )
    return warnings


def unknown_ref_warnings(priced: Iterable[Priced], index: Index) -> list[str]:
    """Entries whose ref is not a task or project (counted in hours, with no project)."""
    unknown: dict[str, list[Priced]] = {}
    for p in priced:
        if not p.known_ref:
            unknown.setdefault(p.entry.ref, []).append(p)
    warnings = []
    for ref, items in sorted(unknown.items()):
        first = min((p.entry for p in items), key=lambda e: (e.path, e.line))
        kind = "an unknown ID" if index.get(ref) is None else f"a {index.docs[ref].type}, not a task or project"
        warnings.append(f"{first.path}:{first.line}: entry ref {ref!r} is {kind} ({sum(p.count for p in items)} entries, {sum(p.hours for p in items):g}h counted without project)")
    return warnings
