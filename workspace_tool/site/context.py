"""What every page collector shares: the index, what is visible, URLs, money and time helpers.

`SiteData` is built once per build. Collectors read it and return page
models whose contexts hold only plain data (strings, numbers, lists,
dicts) so they can be hashed for incremental builds and sent to worker
processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar, cast

from workspace_tool.config import Settings
from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index
from workspace_tool.model import Document, Person, Project, Task, TimeEntry
from workspace_tool.site.contexts import Ref, Status
from workspace_tool.site.deps import AT, EVENTS, pack, query_key, unpack
from workspace_tool.site.privacy import Visibility
from workspace_tool.site.sources import Sources

T = TypeVar("T")

TYPE_LABELS = {
    "project": "Project", "task": "Task", "decision": "Decision", "risk": "Risk", "person": "Person",
    "client": "Client", "goal": "Goal", "timelog": "Time log", "note": "Note",
}


def doc_page(doc: Document) -> str:
    """The site path of a document's page: projects under `projects/`, the rest under `d/` (`page_name`)."""
    key = (doc.id, doc.type == "project")
    found = _PAGES.get(key)
    if found is None:
        if len(_PAGES) > 500_000:  # a long `wm site serve` over IDs that come and go
            _PAGES.clear()
        found = _PAGES[key] = f"projects/{page_name(doc.id)}.html" if key[1] else f"d/{page_name(doc.id)}.html"
    return found


_UNSAFE = re.compile(r"[^\w./-]+")
"""What a page name leaves out: all but letters and digits of any script, `_`, `.`, `-` and `/` (none of them needs
percent-encoding in a link, or is special in a file name on any common disk)."""
SEGMENT_BYTES = 150
"""The longest folder or file name of a page before its `~hash` and `.html`: a disk allows 255 bytes."""


def page_name(doc_id: str) -> str:
    """A document's page name from its ID: the ID itself where it is safe as a path, else a readable slug and `~` and a
    hash of the whole ID.

    Unique by construction: an ID kept as it is has no `~` (not a safe
    character), and a changed one ends with the hash of its own ID, so two
    documents share a page only if 40 bits of SHA-256 do (`page_clashes`
    would warn). Stable: the same ID gives the same name in every build.
    """
    parts = []
    for part in _UNSAFE.sub("_", doc_id).split("/"):
        if not part:
            continue  # `a//b`, a leading or trailing `/`
        if part.startswith("."):
            part = "_" + part[1:]  # `..`, and no hidden file or folder
        if len(part.encode("utf-8")) > SEGMENT_BYTES:
            part = part.encode("utf-8")[:SEGMENT_BYTES].decode("utf-8", "ignore")
        parts.append(part)
    slug = "/".join(parts)
    if slug == doc_id and slug:
        return slug
    return f"{slug or '_'}~{hashlib.sha256(doc_id.encode('utf-8')).hexdigest()[:10]}"


def page_clashes(docs: Iterable[Document]) -> list[str]:
    """One warning per document whose page (`doc_page`) another document's already is: only one of them would be on
    the site. `page_name` makes this all but impossible; the check says so if it ever happens. Also one per page that
    differs from another only in case (`Plan` and `plan`): a disk that ignores case keeps one of them."""
    owners: dict[str, Document] = {}
    folded: dict[str, Document] = {}
    found = []
    for doc in docs:
        page = doc_page(doc)
        first = owners.setdefault(page, doc)
        if first is not doc:
            found.append(f"{doc.path}: its page {page} is also that of {first.path} (id {first.id!r}), so one of them is left out; give one of them an id: of its own")
            continue
        other = folded.setdefault(page.casefold(), doc)
        if other is not doc:  # two files on Linux, one on macOS' and Windows' disks: a site copied there loses a page
            found.append(
                f"{doc.path}: its page {page} differs from {doc_page(other)} (of {other.path}) only in case, so on a disk that "
                "ignores case (macOS, Windows) one would overwrite the other; give one of them an id: that differs in more than case"
            )
    return found


_PAGES: dict[tuple[str, bool], str] = {}
"""`doc_page` by ID and whether a project: every page links to many documents, and every build lists every page."""


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def fmt_hours(hours: float) -> str:
    """Hours to the hundredth, rounded half up, trailing zeros dropped: `286.25h`, `966.5h`, `40h` (quarter hours
    logged are shown as logged, so a row of months adds up to its total as `wm report time` prints them)."""
    if not hours:
        return "0h"
    text = f"{Decimal(repr(hours)).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "h"


_HUNDREDTH = Decimal("0.01")


def fmt_money(amount: Decimal | float | None, currency: str) -> str:
    """An amount to the cent, rounded half up (as `wm report time` and invoices round), with its currency."""
    if amount is None:
        return ""
    exact = amount if isinstance(amount, Decimal) else Decimal(repr(float(amount)))
    return f"{exact.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP):,.2f} {currency}"


def fmt_amounts(amounts: Mapping[str, Decimal], currency: str) -> str:
    """Amounts in several currencies, each with its own and never added up (`1,200.00 EUR; 200.00 USD`); none is
    zero in `currency`."""
    if not amounts:
        return fmt_money(Decimal(0), currency)
    return "; ".join(fmt_money(amounts[name], name) for name in sorted(amounts))


def by_currency(priced: Iterable[Any], amount: Callable[[Any], Decimal | None]) -> dict[str, Decimal]:
    """The sum of `amount(p)` per currency of priced entries (`reports.billing.Priced`: an entry carries the currency
    it was priced in, its client's); entries whose amount is None are left out."""
    totals: dict[str, Decimal] = {}
    for p in priced:
        value = amount(p)
        if value is not None:
            totals[p.currency] = totals.get(p.currency, Decimal(0)) + value
    return totals


@dataclass
class SiteData:
    """The build's inputs, read only through these methods while pages are collected.

    While `reads` is a set, every method that reads documents or derived
    data adds the key of what it read (see `deps`); the build uses that to
    recompute only the pages an edit can change.
    """

    index: Index
    vis: Visibility
    sources: Sources
    allow_html: bool = False
    history: Any = None  # history_view.HistoryView, set by the build's load stage
    link_docs: bool = True  # False (MkDocs pages): only projects have pages; other documents show as titles
    reads: set[str] | None = field(default=None, repr=False)
    memos: dict[str, tuple[str, Any]] = field(default_factory=dict, repr=False)  # name -> (packed keys, value): see `memo`
    memos_made: dict[str, list[Any]] = field(default_factory=dict, repr=False)  # the memos computed since the build last took them
    _pricer: Any = field(default=None, repr=False)
    _priced: list[Any] | None = field(default=None, repr=False)
    _by_type: dict[Any, list[Any]] = field(default_factory=dict, repr=False)
    _where: dict[tuple[str, str], dict[Any, list[Any]]] = field(default_factory=dict, repr=False)
    _entries_by: dict[str, dict[str | None, list[TimeEntry]]] = field(default_factory=dict, repr=False)
    _members: dict[str | None, list[str]] | None = field(default=None, repr=False)
    _priced_by: dict[str, dict[Any, list[Any]]] = field(default_factory=dict, repr=False)
    _booked: dict[str | None, list[str]] | None = field(default=None, repr=False)
    _refs: dict[str, Ref] = field(default_factory=dict, repr=False)
    _ref_keys: dict[str, str] = field(default_factory=dict, repr=False)
    _next_of: dict[str, str] | None = field(default=None, repr=False)
    _money: bool | None = field(default=None, repr=False)
    _hidden: tuple[str, ...] | None = field(default=None, repr=False)
    _hidden_ids: tuple[str, ...] | None = field(default=None, repr=False)
    _authors: tuple[dict[str, str], frozenset[tuple[str, str]]] | None = field(default=None, repr=False)  # see history_view
    _priced_prints: dict[str, str] = field(default_factory=dict, repr=False)  # `p:` fingerprints made (they read no history)
    early_search: dict[str, str | None] = field(default_factory=dict, repr=False)  # see `search.encode_early`

    def read(self, key: str) -> None:
        """Note that the page being built read `key`."""
        if self.reads is not None:
            self.reads.add(key)

    def memo(self, name: str, compute: Callable[[], T]) -> T:
        """`compute()`, kept across builds under `name` with the keys it read (`deps.Record.memos`).

        The build hands over the last build's memos none of whose keys an
        edit dirtied (`deps.Record.valid_memos`): such a value is what
        `compute()` would give now, so it is used as it is, and the page
        records the keys as if it had computed it. A memo must be a pure
        function of what it reads through this object (and of the global
        key), with a value of plain data (marshal: dicts, lists, text,
        numbers), and `name` must say everything else it depends on.
        The dashboard's project summaries are memos: an edit that changes
        the activity remakes the dashboard without pricing every project
        again.
        """
        kept = self.memos.get(name)
        if kept is not None:
            if self.reads is not None:
                self.reads.update(unpack(kept[0]))
            return cast(T, kept[1])
        outer, self.reads = self.reads, set()
        try:
            value = compute()
        finally:
            read, self.reads = self.reads, outer
        if outer is not None:
            outer.update(read)
        packed = pack(sorted(read))
        self.memos[name] = (packed, value)
        self.memos_made[name] = [packed, value]
        return value

    @contextlib.contextmanager
    def untracked(self) -> Iterator[None]:
        """Reads that are not recorded: for data kept across builds, whose readers record what it depends on.

        What a page records must not depend on whether a shared value was
        computed while making it or before (in another page, process or build).
        """
        reads, self.reads = self.reads, None
        try:
            yield
        finally:
            self.reads = reads

    @property
    def today(self) -> dt.date:
        return self.index.today

    @property
    def settings(self) -> Settings:
        return self.index.settings

    @property
    def money(self) -> bool:
        """Whether money (budgets, rates, costs, amounts) is shown: internal sites with pricing available."""
        if self._money is None:
            try:
                import workspace_tool.reports.billing  # noqa: F401
            except ImportError:
                self._money = False
            else:
                self._money = self.vis.audience.internal
        return self._money

    @property
    def currency(self) -> str:
        return self.index.settings.currency

    # -- documents ------------------------------------------------------
    def docs(self, cls: type[Any] | None = None) -> list[Any]:
        """Visible documents (of one type), sorted by ID; computed once per type."""
        self.read(f"t:{cls.TYPE if cls is not None else '*'}")
        found = self._by_type.get(cls)
        if found is None:
            found = sorted((d for d in self.index.docs.values() if d.id in self.vis.ids and (cls is None or type(d) is cls)), key=lambda d: d.id)
            self._by_type[cls] = found
        return list(found)

    def where(self, cls: type[Any], name: str, value: str | None) -> list[Any]:
        """Visible documents of a type whose field `name` (one of `deps.QUERY_FIELDS`) is, or includes, `value`."""
        self.read(query_key(cls.TYPE, name, value))
        groups = self._where.get((cls.TYPE, name))
        if groups is None:
            groups = {}
            for doc in self.index.docs.values():
                if type(doc) is cls and doc.id in self.vis.ids:
                    found = getattr(doc, name, None)
                    for item in found if isinstance(found, tuple) else (found,):
                        groups.setdefault(item, []).append(doc)
            for members in groups.values():
                members.sort(key=lambda d: d.id)
            self._where[(cls.TYPE, name)] = groups
        return list(groups.get(value, ()))

    def doc(self, doc_id: str) -> Document | None:
        """A document by ID, visible or not (for its status only: never show a hidden one)."""
        self.read(f"d:{doc_id}")
        return self.index.get(doc_id)

    def doc_at(self, path: str) -> Document | None:
        """The document in a workspace file, visible or not (whether there is one is read too: a file can appear)."""
        self.read(f"{AT}{path}")
        doc = self.index.by_path.get(path)
        if doc is not None:
            self.read(f"d:{doc.id}")
        return doc

    def visible(self, doc_id: str | None) -> Document | None:
        if doc_id is None:
            return None
        doc = self.index.resolve(doc_id)
        self.read(f"d:{doc.id if doc is not None else doc_id}")
        return doc if doc is not None and doc.id in self.vis.ids else None

    def page_of(self, doc: Document) -> str | None:
        """The page of a visible document (None when this site has no page per document)."""
        return doc_page(doc) if self.link_docs or doc.type == "project" else None

    def url(self, doc_id: str | None) -> str | None:
        doc = self.visible(doc_id)
        return self.page_of(doc) if doc is not None else None

    def ref(self, doc_id: str) -> Ref:
        """A reference for templates: the title and page when visible, else only the bare ID (shared: do not modify)."""
        found = self._refs.get(doc_id)
        if found is None:
            doc = self.visible(doc_id)
            if doc is None:
                resolved = self.index.resolve(doc_id)
                found = {"id": doc_id, "title": doc_id, "url": None, "visible": False}
                self._refs[doc_id] = found
                self._ref_keys[doc_id] = resolved.id if resolved is not None else doc_id
            else:
                found = {"id": doc.id, "title": doc.title, "url": self.page_of(doc), "type": doc.type, "visible": True}
                self._refs[doc_id] = found
                self._ref_keys[doc_id] = doc.id
            return found
        self.read(f"d:{self._ref_keys[doc_id]}")
        return found

    def status(self, doc: Document) -> Status:
        status = getattr(doc, "status", None)
        return {"name": status, "done": self.index.is_done(doc)} if status else {}

    def is_done(self, doc: Document) -> bool:
        return self.index.is_done(doc)

    def tasks(self, project: str | None = None) -> list[Task]:
        return self.docs(Task) if project is None else self.where(Task, "project", project)

    def projects(self) -> list[Project]:
        return self.docs(Project)

    def people(self) -> list[Person]:
        return self.docs(Person)

    # -- references -----------------------------------------------------
    def backlinks(self, doc_id: str) -> list[Any]:
        """The references pointing at a document (from any document: filter by visibility)."""
        self.read(f"r:{doc_id}")
        return self.index.references_to(doc_id)

    def subtasks(self, doc_id: str) -> list[str]:
        self.read(f"r:{doc_id}")
        return list(self.index.subtasks.get(doc_id, ()))

    def next_instance(self, doc_id: str) -> str | None:
        """The instance of a recurring series made from this one (`recur.successors`, as `wm show` finds it): a change
        of it dirties `r:ID`, as a reference to this one does (`deps.emits`)."""
        self.read(f"r:{doc_id}")
        if self._next_of is None:
            from workspace_tool.recur import successors

            self._next_of = successors(self.index)
        return self._next_of.get(doc_id)

    def superseded_by(self, doc_id: str) -> list[str]:
        self.read(f"r:{doc_id}")
        return list(self.index.superseded_by.get(doc_id, ()))

    def diagnostics(self) -> list[Diagnostic]:
        """Every validation diagnostic (they depend on every document)."""
        self.read("t:*")
        return self.index.diagnostics()

    # -- time -----------------------------------------------------------
    def entries(self, predicate: Any = None) -> list[TimeEntry]:
        self.read("e:*")
        return [e for e in self.vis.entries if predicate is None or predicate(e)]

    def logged(self, doc_id: str) -> float:
        """Hours logged directly against a task or project ID."""
        self.read(f"e:ref={doc_id}")
        return self.index.logged_hours(doc_id)

    def entries_by(self, key: str, value: str | None) -> list[TimeEntry]:
        """Visible entries grouped once by `ref`, `person`, `path` or `project`."""
        if key == "project":
            self._read_project_entries(value)
        else:
            self.read(f"e:{key}={value}")
        groups = self._entries_by.get(key)
        if groups is None:
            groups = {}
            for entry in self.vis.entries:
                name = self._project_of(entry) if key == "project" else getattr(entry, key)
                groups.setdefault(name, []).append(entry)
            self._entries_by[key] = groups
        return groups.get(value, [])

    def _read_project_entries(self, project: str | None) -> None:
        """An entry counts for project P when its `ref` is P or a document in P: read P, P's members and their entries."""
        if self.reads is None:
            return
        if self._members is None:
            self._members = {}
            for doc in self.index.docs.values():
                self._members.setdefault(doc.project, []).append(doc.id)
        self.read(f"d:{project}")
        self.read(f"e:ref={project}")
        self.read(query_key("*", "project", project))
        for member in self._members.get(project, ()):
            self.read(f"e:ref={member}")

    def project_of_entry(self, entry: TimeEntry) -> str | None:
        self.read(f"d:{entry.ref}")
        return self._project_of(entry)

    def _project_of(self, entry: TimeEntry) -> str | None:
        doc = self.index.get(entry.ref)
        if doc is None:
            return None
        return doc.id if doc.type == "project" else doc.project

    # -- schedule -------------------------------------------------------
    def scheduled(self, task_id: str) -> Any:
        self.read(f"s:{task_id}")
        plan = self.sources.plan
        return None if plan is None else plan.tasks.get(task_id)

    def plan_warnings(self, task_ids: Iterable[str]) -> list[Any]:
        """The plan's warnings about these tasks (why one is not scheduled, ...); each one's schedule is read, so a page
        is made again when one becomes scheduled or not."""
        wanted = set(task_ids)
        for task_id in sorted(wanted):
            self.read(f"s:{task_id}")
        plan = self.sources.plan
        return [] if plan is None else [w for w in plan.warnings if w.about in wanted]

    def forecast(self, project_id: str) -> Any:
        self.read(f"f:{project_id}")
        plan = self.sources.plan
        return None if plan is None else plan.projects.get(project_id)

    def booked(self, person_id: str) -> list[Any]:
        """The scheduled tasks (not summaries) of a person, visible ones only."""
        self.read(f"s:@{person_id}")
        plan = self.sources.plan
        if plan is None:
            return []
        return [task for task in (plan.tasks[task_id] for task_id in self._booked_ids(person_id)) if not task.summary]

    def _booked_ids(self, person_id: str) -> list[str]:
        """The IDs of a person's visible scheduled tasks, summaries too, in the plan's order, found without unpickling a
        kept plan's tasks (`LazyTasks`): a scheduled task's assignee is its document's, which the plan was made from.
        The fingerprint of `s:@ID` hashes them all (a summary's too: a superset is only more careful)."""
        plan = self.sources.plan
        if plan is None:
            return []
        if self._booked is None:
            self._booked = {}
            docs, tasks = self.index.docs, plan.tasks
            for task_id in tasks:
                if task_id in self.vis:
                    doc = docs.get(task_id)
                    assignee = doc.assignee if isinstance(doc, Task) else tasks[task_id].assignee
                    self._booked.setdefault(assignee, []).append(task_id)
        return self._booked.get(person_id, [])

    # -- money ----------------------------------------------------------
    def priced(self, key: str, value: str) -> list[Any]:
        """Priced visible entries of one `project` or `client` (`reports.billing`; [] without it)."""
        self.read(f"p:{key}={value}")
        return self._priced_group(key).get(value, [])

    def _priced_group(self, key: str) -> dict[Any, list[Any]]:
        groups = self._priced_by.get(key)
        if groups is None:
            groups = {}
            for priced in self._all_priced() or []:
                groups.setdefault(getattr(priced, key), []).append(priced)
            self._priced_by[key] = groups
        return groups

    def priced_keys(self) -> list[str]:
        """The `p:` key of each visible project's and client's priced time ([] when money is not shown)."""
        if not self.money:
            return []
        return [f"p:{doc.type}={doc.id}" for doc in self.index.docs.values() if doc.type in ("project", "client") and doc.id in self.vis.ids]

    def price_early(self) -> None:
        """Price the visible time and fingerprint each project's and client's share (`priced_keys`), which a full
        build's record needs: a cold build does it while a forked child reads the history (no history or plan needed)."""
        for key in self.priced_keys():
            self.fingerprint(key)

    def _all_priced(self) -> list[Any] | None:
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

    def costs(self, entries: Iterable[Any]) -> dict[str, Decimal]:
        """`cost` per currency the entries were priced in (an entry's client's: never added across currencies)."""
        from workspace_tool.reports.billing import exact_hours

        return by_currency(entries, lambda p: None if p.rate is None else exact_hours(p.hours) * p.rate)

    # -- files ----------------------------------------------------------
    def attachment_ok(self, relpath: str) -> bool:
        """A regular file inside the workspace (symlinks leading outside it are not followed), not hidden."""
        self.read(f"a:{relpath}")
        return attachment_ok(self.index.root, relpath)

    # -- derived data, for `deps` ---------------------------------------
    def fingerprint(self, key: str) -> str:
        """The current fingerprint of a derived key (`deps.DERIVED_PREFIXES`)."""
        if key == EVENTS:
            return self.history.events_print()[0] if self.history is not None else "-"
        kind, _, name = key.partition(":")
        if kind == "a":
            return str(attachment_ok(self.index.root, name))
        if kind == "p":
            found = self._priced_prints.get(name)
            if found is None:
                field_name, _, value = name.partition("=")
                found = self._priced_prints[name] = _digest([_priced_row(p) for p in self._priced_group(field_name).get(value, [])])
            return found
        plan = self.sources.plan
        if plan is None:
            return "-"
        if kind == "f":
            return _digest(plan.projects.get(name))
        if name.startswith("@"):
            return _digest([self._task_print(task_id) for task_id in sorted(self._booked_ids(name[1:]))])
        return self._task_print(name)

    def _task_print(self, task_id: str) -> str:
        """A scheduled task's fingerprint: a hash of its pickle as the plan keeps it (the same for a fresh and a kept plan)."""
        self.sources.settle()
        pickled = self.sources.task_bytes.get(task_id)
        if pickled is None:
            plan = self.sources.plan
            return _digest(None if plan is None else plan.tasks.get(task_id))
        return hashlib.blake2b(pickled, digest_size=12).hexdigest()


def _priced_row(priced: Any) -> tuple[Any, ...]:
    """Every field of a priced entry but the entry itself, of which only its date and place are used (pickling it is slow)."""
    entry = priced.entry
    return (entry.date, entry.path, entry.line, *(getattr(priced, name) for name in priced.__dataclass_fields__ if name != "entry"))


def _digest(value: Any) -> str:
    """A fingerprint of plain data (dataclasses, tuples, dates, numbers, strings: pickled alike whenever equal)."""
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=12).hexdigest()


def attachment_ok(root: Path, relpath: str) -> bool:
    """A regular file inside the workspace (symlinks leading outside it are not followed), not hidden."""
    if any(part.startswith(".") for part in relpath.split("/")):
        return False
    path = root / relpath
    try:
        real = path.resolve(strict=True)
        return path.is_file() and real.is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def hours_by(entries: Iterable[TimeEntry], key: Any) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for entry in entries:
        totals[key(entry)] += entry.hours
    return dict(sorted(totals.items()))
