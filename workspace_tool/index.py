"""The index: every parsed document, every reference resolved, and backlinks.

It is built from parsed files (see `workspace.load_index`) and is the only
way the rest of the code reads the workspace. Building it does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Mapping, Sequence, TypeVar

from workspace_tool import fields as F
from workspace_tool.config import Settings, Workflow
from workspace_tool.errors import Diagnostic
from workspace_tool.model import Document, Person, Project, Task, TimeEntry, TimeLog

D = TypeVar("D", bound=Document)


@dataclass(frozen=True)
class Reference:
    """One document pointing at another: by which field (or `link` for `[[id]]`), at which line."""

    source: str
    target: str
    field: str
    line: int


@dataclass
class Index:
    """The resolved workspace. `docs` maps ID to document (the first one for a duplicate ID)."""

    root: Path
    settings: Settings
    today: dt.date
    docs: dict[str, Document]
    file_diagnostics: Mapping[str, tuple[Diagnostic, ...]]
    duplicates: list[tuple[Document, Document]] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    unresolved: list[Reference] = field(default_factory=list)
    backlinks: dict[str, list[Reference]] = field(default_factory=lambda: defaultdict(list))
    subtasks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    superseded_by: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    entries: list[TimeEntry] = field(default_factory=list)
    logged: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    stems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_path: dict[str, Document] = field(default_factory=dict)

    # -- lookups -------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        return self.docs.get(doc_id)

    def resolve(self, name: str) -> Document | None:
        """An ID, or a note's bare stem when exactly one note has it (for `[[name]]`)."""
        doc = self.docs.get(name)
        if doc is not None:
            return doc
        owners = self.stems.get(name, [])
        return self.docs[owners[0]] if len(owners) == 1 else None

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

    def is_done(self, doc: Document) -> bool:
        """Done in its workflow's sense (done or cancelled for tasks)."""
        workflow = self.workflow(doc)
        return workflow is not None and workflow.is_done(getattr(doc, "status", None))

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
    """Resolve references and derive backlinks, subtasks, superseded_by and time entries."""
    index = Index(root, settings, today, {}, file_diagnostics)
    for doc in documents:
        index.by_path[doc.path] = doc
        existing = index.docs.get(doc.id)
        if existing is not None:
            index.duplicates.append((existing, doc))
            continue
        index.docs[doc.id] = doc
        if doc.type in ("note", "timelog"):
            index.stems[PurePosixPath(doc.path).stem].append(doc.id)
    for doc in index.docs.values():
        _collect_references(index, doc)
    for ref in index.references:
        if index.resolve(ref.target) is None:
            index.unresolved.append(ref)
            continue
        target = index.resolve(ref.target)
        assert target is not None
        index.backlinks[target.id].append(ref)
        if ref.field == "parent":
            index.subtasks[target.id].append(ref.source)
        elif ref.field == "supersedes":
            index.superseded_by[target.id].append(ref.source)
    return index


def _collect_references(index: Index, doc: Document) -> None:
    specs = F.specs_for(doc.type)
    for name, spec in specs.items():
        if not spec.is_reference:
            continue
        value = getattr(doc, name, None)
        if value is None:
            continue
        if name == "project" and "project" not in doc.lines:
            line = 1  # membership from the path
        else:
            line = doc.line_of(name)
        targets = value if isinstance(value, tuple) else (value,)
        for target in targets:
            index.references.append(Reference(doc.id, target, name, line))
    for link in doc.links:
        index.references.append(Reference(doc.id, link.target, "link", link.line))
    if isinstance(doc, TimeLog):
        for entry in doc.entries:
            index.entries.append(entry)
            index.logged[entry.ref] += entry.hours
            index.references.append(Reference(doc.id, entry.ref, "entry", entry.line))
