"""`wm invoice CLIENT --month YYYY-MM`: an invoice document for a client's unbilled time.

`build_invoice` is pure (index in, invoice text out); `write_invoice` writes
`invoices/CLIENT-YYYY-MM.md` atomically and refuses a second invoice for
the same month. The invoice frontmatter lists each invoiced entry's
identity (path, line, date, ref, hours, clock start), which
`reports.billing.invoiced_keys` reads back so those entries count as
invoiced from then on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

import yaml

from workspace_tool.errors import Diagnostic, NotFoundError, UsageError, WorkspaceError, did_you_mean
from workspace_tool.export.files import write_document
from workspace_tool.index import Index
from workspace_tool.model import Client, TimeEntry
from workspace_tool.reports.billing import CENT, INVOICE_FOLDER, Priced, Pricer, cents, foreign_rate_warnings, stale_invoiced
from workspace_tool.reports.problems import SHOWN, listed, time_problems

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HUNDREDTH = Decimal("0.01")


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """`2026-11` -> (2026-11-01, 2026-11-30)."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month: expected YYYY-MM, got {text!r}")
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Invoice:
    client: str
    month: str
    relpath: str
    currency: str
    entries: tuple[Priced, ...]
    hours: float
    amount: Decimal
    text: str


def invoice_path(client: str, month: str, number: int = 1) -> str:
    """`invoices/CLIENT-YYYY-MM.md`; a follow-up invoice of the same month is `-2`, `-3`, ..."""
    return f"{INVOICE_FOLDER}/{client}-{month}{'' if number == 1 else f'-{number}'}.md"


def _free_path(index: Index, client: str, month: str) -> str:
    number = 1
    while (relpath := invoice_path(client, month, number)) in index.by_path or (index.root / relpath).exists():
        number += 1
    return relpath


def build_invoice(index: Index, client_id: str, month: str, issued: dt.date | None = None, partial: bool = False) -> Invoice:
    """The invoice of a client's billable, not yet invoiced entries of one month.

    A month is invoiced once it has ended, unless `partial`. Time logged into
    an invoiced month later goes on a follow-up invoice (`CLIENT-YYYY-MM-2`),
    which is refused while an entry of the month's invoices has changed since
    (its new version would be billed in full a second time).
    """
    client = index.get(client_id)
    if not isinstance(client, Client):
        why = f" ({client_id!r} is a {client.type})" if client else did_you_mean(client_id, [c.id for c in index.of_type(Client)])
        raise NotFoundError(f"no client with ID {client_id!r}{why}")
    first, last = parse_month(month)
    if index.today <= last and not partial:
        raise WorkspaceError(
            f"{month} has not ended (today is {index.today}): time logged later in the month would not be on this invoice; "
            f"invoice it from {last + dt.timedelta(days=1)}, or pass --partial to invoice what is logged so far"
        )
    stale = [s for s in stale_invoiced(index) if s.client == client.id and s.month == month]
    if stale:
        raise WorkspaceError(
            f"{client.id} is not invoiced again for {month}: {len(stale)} invoiced entr{'y' if len(stale) == 1 else 'ies'} of "
            f"{stale[0].invoice.path} changed after invoicing, and would be billed twice: "
            + "; ".join(s.describe() for s in stale[:SHOWN])
            + " (put them back as invoiced, and log corrections as entries of their own)"
        )
    relpath = _free_path(index, client.id, month)
    pricer = Pricer(index)
    entries = []
    unknown = []
    for entry in sorted(index.entries, key=lambda e: (e.date, e.person, e.path, e.line)):
        if not first <= entry.date <= last:
            continue
        priced = pricer.price(entry)
        if not priced.known_ref:
            unknown.append(entry)
        if priced.client != client.id or not priced.billable or priced.invoiced:
            continue
        if priced.running:
            raise WorkspaceError(f"{entry.path}:{entry.line}: a timer is still running for {entry.ref}; stop it before invoicing {month}")
        entries.append(priced)
    problems = invoice_problems(index, client, first, last, entries, unknown)
    if problems:
        raise WorkspaceError(
            f"{client.id} is not invoiced for {month}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in what the invoice "
            "reads would leave hours out, bill them twice or price them wrong; fix them first (wm validate), no invoice written:\n  "
            + "\n  ".join(listed(problems))
        )
    if not entries:
        already = f" ({invoice_path(client.id, month)} has its time)" if relpath != invoice_path(client.id, month) else ""
        raise WorkspaceError(f"nothing to invoice: {client.id} has no billable, uninvoiced time in {month}{already}")
    missing = sorted({p.project or p.entry.ref for p in entries if p.rate is None})
    if missing:
        raise WorkspaceError(
            f"no rate for {client.id}'s entries of {', '.join(missing)}: set a rate on the client, project, task, person or workspace; no invoice written"
        )
    foreign = foreign_rate_warnings(entries, index.settings.currency)
    if foreign:
        raise WorkspaceError(f"{foreign[0]}; no invoice written")
    currency = entries[0].currency
    amount = sum((p.amount or Decimal(0) for p in entries), Decimal(0))
    hours = round(sum(p.hours for p in entries), 4)
    # titles of the work, but never a private document's: the invoice is a note anyone the site shows may read
    titles = {ref: doc.title for ref in {p.entry.ref for p in entries} if (doc := index.get(ref)) is not None and not doc.is_private}
    private = {p.entry.path for p in entries if (log := index.by_path.get(p.entry.path)) is not None and log.is_private}
    text = render_invoice(client, month, issued or index.today, currency, entries, hours, cents(amount), titles, private)
    return Invoice(client.id, month, relpath, currency, tuple(entries), hours, cents(amount), text)


def invoice_problems(
    index: Index, client: Client, first: dt.date, last: dt.date, entries: Sequence[Priced], unknown: Sequence[TimeEntry]
) -> list[Diagnostic]:
    """Errors that would make the invoice wrong: its month's time log problems (entries left out or
    counted twice), entries whose ref is no task or project (they may be this client's), and errors
    in the documents it prices from (the client, and each entry's task, project and person)."""
    found = time_problems(index, first, last)
    found += [
        Diagnostic(e.path, e.line, "error", "unknown-ref", f"entry ref {e.ref!r} is not a task or project, so no one knows whose hours these are")
        for e in unknown
    ]
    read = {client.path}
    for p in entries:
        for ref in (p.task, p.project, p.entry.person):
            doc = index.get(ref) if ref else None
            if doc is not None:
                read.add(doc.path)
    for path in sorted(read):
        found += [d for d in index.file_diagnostics.get(path, ()) if d.severity == "error"]
    return sorted(set(found), key=lambda d: (d.path, d.line, d.message))


def allocate(values: Sequence[Decimal], quantum: Decimal) -> list[Decimal]:
    """Each value rounded to `quantum` so that they add up to their exact sum rounded half-up.

    Every value is rounded down, then the units left over go one each to the
    values that lost most (the earlier first on a tie): three 20-minute
    entries at 100 an hour are 33.34, 33.33 and 33.33, which make the 100.00
    of the total, where rounding each line gives 99.99.
    """
    total = sum(values, Decimal(0)).quantize(quantum, rounding=ROUND_HALF_UP)
    floors = [v.quantize(quantum, rounding=ROUND_FLOOR) for v in values]
    units = int((total - sum(floors, Decimal(0))) / quantum)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[:units]:
        floors[i] += quantum
    return floors


@dataclass(frozen=True)
class _Line:
    """An invoice line as shown: hours to the hundredth and the amount in cents, allocated so the lines add up."""

    priced: Priced
    hours: Decimal
    amount: Decimal
    note: str


def _lines(entries: Sequence[Priced], private: set[str]) -> list[_Line]:
    hours = allocate([p.exact_hours for p in entries], HUNDREDTH)
    amounts = allocate([p.amount or Decimal(0) for p in entries], CENT)
    return [
        _Line(p, h, a, "" if p.entry.path in private else p.entry.note)  # a private time log's notes stay out of the note
        for p, h, a in zip(entries, hours, amounts)
    ]


def _entry_item(line: _Line) -> dict[str, Any]:
    p = line.priced
    e = p.entry
    item: dict[str, Any] = {"path": e.path, "line": e.line, "person": e.person, "date": e.date.isoformat(), "ref": e.ref, "hours": e.hours}
    if e.start is not None:
        item["start"] = e.start.strftime("%H:%M")
    item["rate"] = float(p.rate or 0)
    item["amount"] = float(line.amount)
    return item


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _summary(shown: list[_Line], titles: Mapping[str, str]) -> list[str]:
    """The invoice's summary: hours and amount per task or project worked on, in the order first worked on
    (sums of the lines as shown, so the summary, the lines and the total agree)."""
    hours: dict[str, Decimal] = {}
    amounts: dict[str, Decimal] = {}
    for line in shown:
        ref = line.priced.entry.ref
        hours[ref] = hours.get(ref, Decimal(0)) + line.hours
        amounts[ref] = amounts.get(ref, Decimal(0)) + line.amount
    lines = ["| Work | Hours | Amount |", "|---|---:|---:|"]
    for ref in hours:
        name = f"{_cell(titles[ref])} (`{ref}`)" if ref in titles else f"`{ref}`"
        lines.append(f"| {name} | {hours[ref]:.2f} | {amounts[ref]:,.2f} |")
    return lines


def render_invoice(
    client: Client, month: str, issued: dt.date, currency: str, entries: list[Priced], hours: float, amount: Decimal,
    titles: Mapping[str, str] | None = None, private: set[str] | None = None,
) -> str:
    """The invoice document. `private`: paths of private time logs, whose entries' notes are left out."""
    shown = _lines(entries, private or set())
    shown_hours = sum((line.hours for line in shown), Decimal(0))
    meta = {
        "type": "note",
        "title": f"Invoice {client.id} {month}",
        "tags": ["invoice"],
        "invoice": {
            "client": client.id,
            "month": month,
            "issued": issued.isoformat(),
            "currency": currency,
            "hours": hours,
            "amount": float(amount),
            "entries": [_entry_item(line) for line in shown],
        },
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    lines = [
        "---", front.rstrip("\n"), "---",
        f"# Invoice {client.id} {month}", "",
        f"Client: {client.name or client.title} · Period: {month} · Issued: {issued.isoformat()} · Currency: {currency}", "",
        "## Summary", "",
        *_summary(shown, titles or {}),
        f"| **Total** | **{shown_hours:,.2f}** | **{amount:,.2f}** |", "",
        "## Time entries", "",
        "| Date | Person | Ref | Note | Hours | Rate | Amount |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for line in shown:
        e = line.priced.entry
        rate = line.priced.rate or Decimal(0)
        lines.append(f"| {e.date.isoformat()} | {e.person} | {e.ref} | {_cell(line.note)} | {line.hours:.2f} | {rate:,.2f} | {line.amount:,.2f} |")
    lines.append(f"| **Total** | | | | **{shown_hours:,.2f}** | | **{amount:,.2f}** |")
    return "\n".join(lines) + "\n"


def write_invoice(index: Index, invoice: Invoice) -> None:
    """Create the invoice file; refuses when it exists, even if it appeared meanwhile."""
    write_document(index.root, invoice.relpath, invoice.text, expected=None)
