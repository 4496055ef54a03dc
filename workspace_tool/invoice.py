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
from decimal import Decimal
from typing import Any, Mapping

import yaml

from workspace_tool.errors import NotFoundError, UsageError, WorkspaceError
from workspace_tool.export.files import write_document
from workspace_tool.index import Index
from workspace_tool.model import Client
from workspace_tool.reports.billing import INVOICE_FOLDER, Priced, Pricer, cents, exact_hours

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


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


def invoice_path(client: str, month: str) -> str:
    return f"{INVOICE_FOLDER}/{client}-{month}.md"


def build_invoice(index: Index, client_id: str, month: str, issued: dt.date | None = None) -> Invoice:
    """The invoice of a client's billable, not yet invoiced entries of one month."""
    client = index.get(client_id)
    if not isinstance(client, Client):
        raise NotFoundError(f"no client with ID {client_id!r}" + (f" ({client_id!r} is a {client.type})" if client else ""))
    first, last = parse_month(month)
    relpath = invoice_path(client.id, month)
    if relpath in index.by_path or (index.root / relpath).exists():
        raise WorkspaceError(f"{relpath} already exists: {client.id} is already invoiced for {month}; an invoice is never written twice")
    pricer = Pricer(index)
    entries = []
    for entry in sorted(index.entries, key=lambda e: (e.date, e.person, e.path, e.line)):
        if not first <= entry.date <= last:
            continue
        priced = pricer.price(entry)
        if priced.client != client.id or not priced.billable or priced.invoiced:
            continue
        if priced.running:
            raise WorkspaceError(f"{entry.path}:{entry.line}: a timer is still running for {entry.ref}; stop it before invoicing {month}")
        entries.append(priced)
    if not entries:
        raise WorkspaceError(f"nothing to invoice: {client.id} has no billable, uninvoiced time in {month}")
    missing = sorted({p.project or p.entry.ref for p in entries if p.rate is None})
    if missing:
        raise WorkspaceError(
            f"no rate for {client.id}'s entries of {', '.join(missing)}: set a rate on the client, project, task, person or workspace; no invoice written"
        )
    currency = entries[0].currency
    amount = sum((p.amount or Decimal(0) for p in entries), Decimal(0))
    hours = round(sum(p.hours for p in entries), 4)
    # titles of the work, but never a private document's: the invoice is a note anyone the site shows may read
    titles = {ref: doc.title for ref in {p.entry.ref for p in entries} if (doc := index.get(ref)) is not None and not doc.is_private}
    text = render_invoice(client, month, issued or index.today, currency, entries, hours, cents(amount), titles)
    return Invoice(client.id, month, relpath, currency, tuple(entries), hours, cents(amount), text)


def _entry_item(p: Priced) -> dict[str, Any]:
    e = p.entry
    item: dict[str, Any] = {"path": e.path, "line": e.line, "person": e.person, "date": e.date.isoformat(), "ref": e.ref, "hours": e.hours}
    if e.start is not None:
        item["start"] = e.start.strftime("%H:%M")
    item["rate"] = float(p.rate or 0)
    item["amount"] = float(cents(p.amount or Decimal(0)))
    return item


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _summary(entries: list[Priced], titles: Mapping[str, str]) -> list[str]:
    """The invoice's summary: hours and amount per task or project worked on, in the order first worked on."""
    hours: dict[str, float] = {}
    amounts: dict[str, Decimal] = {}
    for p in entries:
        ref = p.entry.ref
        hours[ref] = hours.get(ref, 0.0) + p.hours
        amounts[ref] = amounts.get(ref, Decimal(0)) + (p.amount or Decimal(0))
    lines = ["| Work | Hours | Amount |", "|---|---:|---:|"]
    for ref in hours:
        name = f"{_cell(titles[ref])} (`{ref}`)" if ref in titles else f"`{ref}`"
        lines.append(f"| {name} | {exact_hours(hours[ref]):.2f} | {cents(amounts[ref]):,.2f} |")
    return lines


def render_invoice(
    client: Client, month: str, issued: dt.date, currency: str, entries: list[Priced], hours: float, amount: Decimal, titles: Mapping[str, str] | None = None
) -> str:
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
            "entries": [_entry_item(p) for p in entries],
        },
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    lines = [
        "---", front.rstrip("\n"), "---",
        f"# Invoice {client.id} {month}", "",
        f"Client: {client.name or client.title} · Period: {month} · Issued: {issued.isoformat()} · Currency: {currency}", "",
        "## Summary", "",
        *_summary(entries, titles or {}),
        f"| **Total** | **{hours:,.2f}** | **{amount:,.2f}** |", "",
        "## Time entries", "",
        "| Date | Person | Ref | Note | Hours | Rate | Amount |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for p in entries:
        e = p.entry
        rate = p.rate or Decimal(0)
        lines.append(
            f"| {e.date.isoformat()} | {e.person} | {e.ref} | {_cell(e.note)} | {exact_hours(p.hours):.2f} | {rate:,.2f} | {cents(p.amount or Decimal(0)):,.2f} |"
        )
    lines.append(f"| **Total** | | | | **{hours:,.2f}** | | **{amount:,.2f}** |")
    return "\n".join(lines) + "\n"


def write_invoice(index: Index, invoice: Invoice) -> None:
    """Create the invoice file; refuses when it exists, even if it appeared meanwhile."""
    write_document(index.root, invoice.relpath, invoice.text, expected=None)
