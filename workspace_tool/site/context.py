"""What every page collector shares: the index, what is visible, URLs, money and time helpers.

`SiteData` is built once per build. Collectors read it and return page
models whose contexts hold only plain data (strings, numbers, lists,
dicts) so they can be hashed for incremental builds and sent to worker
processes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from workspace_tool.index import Index
from workspace_tool.model import Document, Person, Project, Task, TimeEntry
from workspace_tool.site.privacy import Visibility
from workspace_tool.site.sources import Sources

_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]+")

TYPE_LABELS = {
    "project": "Project", "task": "Task", "decision": "Decision", "risk": "Risk", "person": "Person",
    "client": "Client", "goal": "Goal", "timelog": "Time log", "note": "Note",
}


def doc_page(doc: Document) -> str:
    """The site path of a document's page: projects under `projects/`, the rest under `d/`."""
    slug = _UNSAFE.sub("_", doc.id).strip("/").replace("..", "_") or "_"
    return f"projects/{slug}.html" if doc.type == "project" else f"d/{slug}.html"


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def fmt_hours(hours: float) -> str:
    return f"{hours:.1f}".rstrip("0").rstrip(".") + "h" if hours else "0h"


def fmt_money(amount: Decimal | float | None, currency: str) -> str:
    if amount is None:
        return ""
    return f"{float(amount):,.2f} {currency}"


@dataclass
class SiteData:
    index: Index
    vis: Visibility
    sources: Sources
    allow_html: bool = False
    history: Any = None  # history_view.HistoryView, set by the build's load stage
    link_docs: bool = True  # False (MkDocs pages): only projects have pages; other documents show as titles
    _pricer: Any = field(default=None, repr=False)
    _priced: list[Any] | None = field(default=None, repr=False)
    _by_type: dict[Any, list[Any]] = field(default_factory=dict, repr=False)
    _entries_by: dict[str, dict[str | None, list[TimeEntry]]] = field(default_factory=dict, repr=False)
    _refs: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _money: bool | None = field(default=None, repr=False)

    @property
    def today(self) -> dt.date:
        return self.index.today

    @property
    def money(self) -> bool:
        """Whether money (budgets, rates, costs, amounts) is shown: internal sites with pricing available."""
        if self._money is None:
            self._money = self.vis.audience.internal and self.priced() is not None
        return self._money

    @property
    def currency(self) -> str:
        return self.index.settings.currency

    def docs(self, cls: type[Any] | None = None) -> list[Any]:
        """Visible documents (of one type), sorted by ID; computed once per type."""
        found = self._by_type.get(cls)
        if found is None:
            found = sorted((d for d in self.index.docs.values() if d.id in self.vis.ids and (cls is None or type(d) is cls)), key=lambda d: d.id)
            self._by_type[cls] = found
        return list(found)

    def visible(self, doc_id: str | None) -> Document | None:
        if doc_id is None:
            return None
        doc = self.index.resolve(doc_id)
        return doc if doc is not None and doc.id in self.vis.ids else None

    def page_of(self, doc: Document) -> str | None:
        """The page of a visible document (None when this site has no page per document)."""
        return doc_page(doc) if self.link_docs or doc.type == "project" else None

    def url(self, doc_id: str | None) -> str | None:
        doc = self.visible(doc_id)
        return self.page_of(doc) if doc is not None else None

    def ref(self, doc_id: str) -> dict[str, Any]:
        """A reference for templates: the title and page when visible, else only the bare ID (shared: do not modify)."""
        found = self._refs.get(doc_id)
        if found is None:
            doc = self.visible(doc_id)
            if doc is None:
                found = {"id": doc_id, "title": doc_id, "url": None, "visible": False}
            else:
                found = {"id": doc.id, "title": doc.title, "url": self.page_of(doc), "type": doc.type, "visible": True}
            self._refs[doc_id] = found
        return found

    def status(self, doc: Document) -> dict[str, Any]:
        status = getattr(doc, "status", None)
        return {"name": status, "done": self.index.is_done(doc)} if status else {}

    def is_done(self, doc: Document) -> bool:
        return self.index.is_done(doc)

    def tasks(self, project: str | None = None) -> list[Task]:
        return [t for t in self.docs(Task) if project is None or t.project == project]

    def projects(self) -> list[Project]:
        return self.docs(Project)

    def people(self) -> list[Person]:
        return self.docs(Person)

    def entries(self, predicate: Any = None) -> list[TimeEntry]:
        return [e for e in self.vis.entries if predicate is None or predicate(e)]

    def entries_by(self, key: str, value: str | None) -> list[TimeEntry]:
        """Visible entries grouped once by `ref`, `person`, `path` or `project`."""
        groups = self._entries_by.get(key)
        if groups is None:
            groups = {}
            for entry in self.vis.entries:
                name = self.project_of_entry(entry) if key == "project" else getattr(entry, key)
                groups.setdefault(name, []).append(entry)
            self._entries_by[key] = groups
        return groups.get(value, [])

    def project_of_entry(self, entry: TimeEntry) -> str | None:
        doc = self.index.get(entry.ref)
        if doc is None:
            return None
        return doc.id if doc.type == "project" else doc.project

    # -- schedule -------------------------------------------------------
    def scheduled(self, task_id: str) -> Any:
        plan = self.sources.plan
        return None if plan is None else plan.tasks.get(task_id)

    def forecast(self, project_id: str) -> Any:
        plan = self.sources.plan
        return None if plan is None else plan.projects.get(project_id)

    # -- money ----------------------------------------------------------
    def priced(self) -> list[Any] | None:
        """Every visible entry priced by `reports.billing` (None when that module is not there)."""
        if self._priced is None:
            try:
                from workspace_tool.reports.billing import Pricer
            except ImportError:
                return None
            now = dt.datetime.combine(self.today, dt.time(12, 0))
            self._pricer = Pricer(self.index, now)
            self._priced = self._pricer.price_all(self.vis.entries)
        return self._priced

    def cost(self, entries: Iterable[Any]) -> Decimal:
        """Hours times rate of priced entries (billable or not), where a rate applies."""
        from workspace_tool.reports.billing import exact_hours

        return sum((exact_hours(p.hours) * p.rate for p in entries if p.rate is not None), Decimal(0))


def hours_by(entries: Iterable[TimeEntry], key: Any) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for entry in entries:
        totals[key(entry)] += entry.hours
    return dict(sorted(totals.items()))
