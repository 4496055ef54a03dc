"""The index: every parsed document, every reference resolved, and backlinks.

It is built from parsed files (see `workspace.load_index`) and is the only
way the rest of the code reads the workspace. Building it does no I/O.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Container, Iterable, Iterator, Mapping, NamedTuple, Sequence, TypeVar

from workspace_tool import fields as F
from workspace_tool.config import Settings, Workflow
from workspace_tool.errors import Diagnostic
from workspace_tool.model import Document, Person, Project, Task, TimeEntry, TimeLog

D = TypeVar("D", bound=Document)


class Reference(NamedTuple):
    """One document pointing at another: by which field (or `link` for `[[id]]`), at which line."""

    source: str
    target: str
    field: str
    line: int


@dataclass
class _Links:
    """What resolving every reference gives; computed once per index, on first use."""

    references: list[Reference] = field(default_factory=list)
    unresolved: list[Reference] = field(default_factory=list)
    backlinks: dict[str, list[Reference]] = field(default_factory=lambda: defaultdict(list))
    subtasks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    superseded_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


TARGETED_LIMIT = 3
"""Documents `Index.references_to` answers by a scan before every reference is resolved at once."""


@dataclass
class Index:
    """The resolved workspace. `docs` maps ID to document (the first one for a duplicate ID)."""

    root: Path
    settings: Settings
    today: dt.date
    docs: dict[str, Document]
    file_diagnostics: Mapping[str, tuple[Diagnostic, ...]]
    duplicates: list[tuple[Document, Document]] = field(default_factory=list)
    stems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_path: dict[str, Document] = field(default_factory=dict)
    file_stats: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)  # path -> (size, mtime_ns) when the files were found
    file_hashes: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)  # path -> hash of the bytes parsed (`gitindex.blob_id`), where known
    _links: _Links | None = field(default=None, init=False, repr=False, compare=False)
    _entries: list[TimeEntry] | None = field(default=None, init=False, repr=False, compare=False)
    _logged: dict[str, float] | None = field(default=None, init=False, repr=False, compare=False)
    _targeted: dict[str, list[Reference]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_field: dict[str, dict[str, list[str]]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _done: dict[tuple[str, str | None], bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _unreadable: dict[str, Diagnostic] | None = field(default=None, init=False, repr=False, compare=False)
    _unreadable_ids: dict[str, str] | None = field(default=None, init=False, repr=False, compare=False)
    _same_ids: dict[str, list[Document]] | None = field(default=None, init=False, repr=False, compare=False)
    _nearest: dict[tuple[str, tuple[str, ...], float], str | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    # -- references: resolved on first use (many commands never need them) --
    def _resolved(self) -> _Links:
        if self._links is None:
            self._links = _resolve_references(self)
        return self._links

    @property
    def references(self) -> list[Reference]:
        return self._resolved().references

    @property
    def unresolved(self) -> list[Reference]:
        return self._resolved().unresolved

    @property
    def backlinks(self) -> dict[str, list[Reference]]:
        return self._resolved().backlinks

    @property
    def subtasks(self) -> dict[str, list[str]]:
        """Parent ID -> the IDs of the documents whose `parent` resolves to it (in document order)."""
        return self._links.subtasks if self._links is not None else self._field_sources("parent")

    def resolve_references(self) -> None:
        """Resolve every reference now (they are otherwise resolved on first use)."""
        self._resolved()

    def references_to(self, doc_id: str) -> list[Reference]:
        """The references that resolve to a document (its backlinks, in the same order as `backlinks`).

        While every reference is not resolved yet and few documents are
        asked about (`wm show`, a site rebuild that makes one page), each
        answer is a scan that compares targets without building the other
        references; past `TARGETED_LIMIT` documents, everything is resolved once.
        """
        if self._links is not None:
            return self._links.backlinks.get(doc_id, [])
        found = self._targeted.get(doc_id)
        if found is not None:
            return found
        if len(self._targeted) >= TARGETED_LIMIT:
            self._targeted.clear()
            return self._resolved().backlinks.get(doc_id, [])
        doc = self.docs.get(doc_id)
        names = {doc_id}
        if doc is not None and doc.type in ("note", "timelog"):
            stem = nfc_id(PurePosixPath(doc.path).stem)
            if stem not in self.docs and self.stems.get(stem) == [doc_id]:
                names.add(stem)  # `[[stem]]` resolves to it
        if not doc_id.isascii():  # a reference written decomposed (NFD) resolves to it too
            names.update([unicodedata.normalize("NFD", name) for name in names])
        links = _Links()
        if doc is not None:
            for source in _naming(self.docs.values(), names):
                _collect_references(links, source, names)
        found = self._targeted[doc_id] = links.references
        return found

    @property
    def superseded_by(self) -> dict[str, list[str]]:
        """Decision ID -> the IDs of the decisions that supersede it (in document order)."""
        return self._links.superseded_by if self._links is not None else self._field_sources("supersedes")

    def _field_sources(self, name: str) -> dict[str, list[str]]:
        """Target ID -> source IDs of one reference field, without resolving every other reference
        (what `_resolve_references` derives for it: the same lists, in the same order)."""
        found = self._by_field.get(name)
        if found is None:
            found = self._by_field[name] = defaultdict(list)
            for doc in self.docs.values():
                if name not in _reference_fields(doc.type):
                    continue
                value = getattr(doc, name, None)
                for target in value if isinstance(value, tuple) else () if value is None else (value,):
                    resolved = self.resolve(target)
                    if resolved is not None:
                        found[resolved.id].append(doc.id)
        return found

    @property
    def entries(self) -> list[TimeEntry]:
        """Every time entry, timelog by timelog (in index order); collected on first use, apart from
        the references: a time report needs the entries, not 100,000 resolved references."""
        if self._entries is None:
            found: list[TimeEntry] = []
            for doc in self.docs.values():
                if isinstance(doc, TimeLog):
                    found.extend(doc.entries)
            self._entries = found
        return self._entries

    @property
    def logged(self) -> dict[str, float]:
        """Hours logged per ref (summed in entry order)."""
        if self._logged is None:
            logged: dict[str, float] = defaultdict(float)
            for entry in self.entries:
                logged[entry.ref] += entry.hours
            self._logged = logged
        return self._logged

    # -- lookups -------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        """The document with this ID (in either Unicode normalization: IDs are indexed as NFC, `nfc_id`)."""
        doc = self.docs.get(doc_id)
        if doc is None and not doc_id.isascii():
            doc = self.docs.get(nfc_id(doc_id))
        return doc

    def resolve(self, name: str) -> Document | None:
        """An ID, or a note's bare stem when exactly one note has it (for `[[name]]`); in either Unicode normalization."""
        doc = self.docs.get(name)
        if doc is not None:
            return doc
        owners = self.stems.get(name)
        if owners is None and not name.isascii():
            name = nfc_id(name)
            doc = self.docs.get(name)
            if doc is not None:
                return doc
            owners = self.stems.get(name)
        return self.docs[owners[0]] if owners is not None and len(owners) == 1 else None

    def ambiguous(self, name: str) -> list[str]:
        """The IDs of the notes that share the bare stem `name` (which `[[name]]` therefore does not resolve to),
        when it is no ID and more than one note has it; else none."""
        if self.get(name) is not None:
            return []
        owners = self.stems.get(name if name.isascii() else nfc_id(name), [])
        return list(owners) if len(owners) > 1 else []

    def same_id(self, doc_id: str) -> list[Document]:
        """Every document with the ID `doc_id` when two or more have it (the one `docs` holds first, then the others
        in path order); else none. Such an ID is ambiguous: a command naming it cannot tell which file is meant."""
        if not self.duplicates:
            return []
        if self._same_ids is None:
            found: dict[str, list[Document]] = {}
            for first, other in self.duplicates:
                found.setdefault(first.id, [first]).append(other)
            self._same_ids = found
        return self._same_ids.get(doc_id if doc_id.isascii() else nfc_id(doc_id), [])

    def nearest_id(self, name: str, types: Sequence[str] = (), cutoff: float = 0.6) -> str | None:
        """The "did you mean" for an ID that names nothing: the nearest ID (of `types`), ignoring case. Kept per name:
        a file that links to one missing ID 200,000 times asked difflib each time (20 s for `wm validate`)."""
        from workspace_tool.errors import nearest_name

        key = (name, tuple(types), cutoff)
        if key not in self._nearest:
            self._nearest[key] = nearest_name(name, (d.id for d in self.docs.values() if not types or d.type in types), cutoff)
        return self._nearest[key]

    def find(self, name: str) -> Document | None:
        """What a command's argument names: an ID (as `resolve`), else a document's file (`projects/web/tasks/a.md`,
        with or without `.md`, relative to the workspace or the current folder, or absolute), as a shell's
        completion gives it."""
        doc = self.resolve(name)
        if doc is not None or not name.strip():
            return doc
        from pathlib import Path

        candidates = [name.removeprefix("./")]
        given = Path(name).expanduser()
        try:
            candidates.append(given.resolve().relative_to(self.root.resolve()).as_posix())
        except (ValueError, OSError):
            pass
        for candidate in candidates:
            for relpath in (candidate, f"{candidate}.md"):
                if relpath in self.by_path:
                    return self.by_path[relpath]
        return None

    def unreadable_files(self) -> dict[str, Diagnostic]:
        """The files that hold no document because of an error (a YAML mistake, bad bytes), by path in order, each
        with its first error: every answer leaves them out, and what names them should say so."""
        if self._unreadable is None:
            self._unreadable = {
                path: next(p for p in problems if p.is_error)
                for path, problems in sorted(self.file_diagnostics.items())
                if path.endswith(".md") and path not in self.by_path and any(p.is_error for p in problems)
            }
        return self._unreadable

    def unreadable_folders(self) -> dict[str, Diagnostic]:
        """The folders that could not be listed (`loader.discover`: "cannot read folder"), by path, each with its
        error: the documents in them are unknown, so a reference that names nothing may name one of those."""
        return {
            path: problem
            for path, problems in self.file_diagnostics.items()
            if not path.endswith(".md") and path != "workspace.yml"
            for problem in problems
            if problem.code == "unreadable" and problem.is_error
        }

    def unreadable_ids(self) -> dict[str, str]:
        """The IDs that documents whose file could not be read would have without an `id:` key (and a note's bare
        stem, as `[[stem]]` finds it), each with its path: a reference to one, or a command naming one, fails
        because of the error in that file, which is the one to fix."""
        if self._unreadable_ids is None:
            from workspace_tool.parse import default_id, detect_type

            found: dict[str, str] = {}
            for path in self.unreadable_files():
                doc_type = detect_type(path)
                doc_id = nfc_id(default_id(path, doc_type))
                found.setdefault(doc_id, path)
                if doc_type == "note":
                    found.setdefault(doc_id.rsplit("/", 1)[-1], path)
            self._unreadable_ids = found
        return self._unreadable_ids

    def unreadable(self, name: str) -> Diagnostic | None:
        """The first error of a file that could not be read and would hold `name` (`unreadable_ids`, or its path with
        or without `.md`): why `name` is not found, rather than "no document"."""
        path = self.unreadable_ids().get(name if name.isascii() else nfc_id(name))
        if path is None:
            candidate = name if name.endswith(".md") else f"{name}.md"
            path = candidate if candidate in self.file_diagnostics and candidate not in self.by_path else None
        problems = self.file_diagnostics.get(path or "", ())
        return next((d for d in problems if d.is_error), None)

    def of_type(self, cls: type[D]) -> list[D]:
        return [d for d in self.docs.values() if type(d) is cls]

    def tasks_of(self, project_id: str) -> list[Task]:
        return [t for t in self.of_type(Task) if t.project == project_id]

    def people(self) -> list[Person]:
        return self.of_type(Person)

    def projects(self) -> list[Project]:
        return self.of_type(Project)

    def workflow(self, doc: Document) -> Workflow | None:
        return self.settings.workflow(doc.type)

    def is_cancelled(self, doc: Document) -> bool:
        """In a done status of its workflow that ends work undone (`Workflow.cancelled_statuses`)."""
        workflow = self.workflow(doc)
        return workflow is not None and workflow.is_cancelled(getattr(doc, "status", None))

    def is_done(self, doc: Document) -> bool:
        """Done in its workflow's sense (done or cancelled for tasks); answered once per type and status."""
        key = (doc.type, getattr(doc, "status", None))
        found = self._done.get(key)
        if found is None:
            workflow = self.workflow(doc)
            found = self._done[key] = workflow is not None and workflow.is_done(key[1])
        return found

    def logged_hours(self, ref: str) -> float:
        """Hours logged directly against a task or project ID."""
        return self.logged.get(ref, 0.0)

    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic: per-file ones and workspace-wide checks, sorted by file and line."""
        from workspace_tool.validate import check_index

        found = [d for diags in self.file_diagnostics.values() for d in diags]
        found.extend(check_index(self))
        return sorted(set(found), key=lambda d: (d.path, d.line, d.code, d.message))

    def __iter__(self) -> Iterator[Document]:
        return iter(self.docs.values())

    def __len__(self) -> int:
        return len(self.docs)


def build_index(
    root: Path,
    settings: Settings,
    documents: Sequence[Document],
    file_diagnostics: Mapping[str, tuple[Diagnostic, ...]],
    today: dt.date,
) -> Index:
    """Index the documents by ID and path; references are resolved on first use (see `Index.references`)."""
    index = Index(root, settings, today, {}, file_diagnostics)
    for doc in documents:
        if not (doc.path.isascii() and doc.id.isascii()):
            doc = _normalized(doc)
        index.by_path[doc.path] = doc
        existing = index.docs.get(doc.id)
        if existing is not None:
            index.duplicates.append((existing, doc))
            continue
        index.docs[doc.id] = doc
        if doc.type in ("note", "timelog"):
            index.stems[nfc_id(PurePosixPath(doc.path).stem)].append(doc.id)
    return index


def nfc_id(name: str) -> str:
    """An ID in Unicode's NFC form, as the index holds IDs: a file name from macOS is decomposed (NFD: `e` and a
    combining accent) while typed text is composed (NFC: `é`), and the two must name one document."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def _normalized(doc: D) -> D:
    """`doc` with its ID and the IDs its path gives it (`project` from `projects/<id>/`, a time log's person from
    `timelogs/<id>/`, and so its entries') in NFC (`nfc_id`); the document itself when they are NFC already."""
    changes: dict[str, Any] = {}
    if not doc.id.isascii() and not unicodedata.is_normalized("NFC", doc.id):
        changes["id"] = nfc_id(doc.id)
    project = doc.project
    if project is not None and not project.isascii() and not unicodedata.is_normalized("NFC", project):
        changes["project"] = nfc_id(project)
    if isinstance(doc, TimeLog) and doc.person is not None and not unicodedata.is_normalized("NFC", doc.person):
        person = changes["person"] = nfc_id(doc.person)
        changes["entries"] = tuple(replace(entry, person=person) for entry in doc.entries)
    return replace(doc, **changes) if changes else doc


def _resolve_references(index: Index) -> _Links:
    """Collect every reference, resolve it, and derive backlinks, subtasks, superseded_by and time entries."""
    links = _Links()
    for doc in index.docs.values():
        _collect_references(links, doc)
    for ref in links.references:
        target = index.resolve(ref.target)
        if target is None:
            links.unresolved.append(ref)
            continue
        links.backlinks[target.id].append(ref)
        if ref.field == "parent":
            links.subtasks[target.id].append(ref.source)
        elif ref.field == "supersedes":
            links.superseded_by[target.id].append(ref.source)
    return links


@cache
def _reference_fields(doc_type: str) -> tuple[str, ...]:
    """The reference fields of a type, in declaration order (looked up once per type, not per document)."""
    return tuple(name for name, spec in F.specs_for(doc_type).items() if spec.is_reference)


def _naming(docs: Iterable[Document], names: frozenset[str] | set[str]) -> Iterator[Document]:
    """The documents with a reference field, body link or time entry whose target is in `names` (a quick test per
    document, before `_collect_references` builds their references: a one-page site rebuild asks this of 10,000)."""
    getters: dict[type, Callable[[Document], tuple[Any, ...]]] = {}
    for doc in docs:
        cls = doc.__class__
        getter = getters.get(cls)
        if getter is None:
            getter = getters[cls] = _values_of(_reference_fields(doc.type))
        for value in getter(doc):
            if value is None:
                continue
            if not names.isdisjoint(value) if value.__class__ is tuple else value in names:
                yield doc
                break
        else:
            if doc.links and any(link.target in names for link in doc.links):
                yield doc
            elif cls is TimeLog and any(entry.ref in names for entry in doc.entries):  # type: ignore[attr-defined]
                yield doc


def _values_of(fields: tuple[str, ...]) -> Callable[[Document], tuple[Any, ...]]:
    """A function giving a document's values of `fields`, as a tuple (one C call for two or more fields)."""
    if len(fields) > 1:
        return attrgetter(*fields)
    if fields:
        name = fields[0]
        return lambda doc: (getattr(doc, name),)
    return lambda doc: ()


def _collect_references(index: _Links, doc: Document, only: Container[str] | None = None) -> None:
    """A document's references, in order: reference fields in declaration order, body links, time entries (`only`: those with these targets)."""
    for name in _reference_fields(doc.type):
        value = getattr(doc, name, None)
        if value is None:
            continue
        targets = value if isinstance(value, tuple) else (value,)
        if only is not None:
            targets = tuple(target for target in targets if target in only)
            if not targets:
                continue
        if name == "project" and "project" not in doc.lines:
            line = 1  # membership from the path
        else:
            line = doc.line_of(name)
        index.references.extend(Reference(doc.id, target, name, line) for target in targets)
    for link in doc.links:
        if only is None or link.target in only:
            index.references.append(Reference(doc.id, link.target, "link", link.line))
    if isinstance(doc, TimeLog):
        index.references.extend(Reference(doc.id, entry.ref, "entry", entry.line) for entry in doc.entries if only is None or entry.ref in only)
