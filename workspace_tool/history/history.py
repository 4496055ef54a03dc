"""`History`: every document's versions, with the lookups commands and reports use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping

from workspace_tool.config import Settings, default_settings
from workspace_tool.history.model import DocHistory, Version
from workspace_tool.index import nfc_id


@dataclass(frozen=True)
class History:
    """The history index of a workspace.

    `complete` is False when older history is missing (a shallow clone, or
    no git repository); `warnings` say why and what to do. `paths` maps the
    index's current IDs to their files, so a duplicate or re-used ID
    finds the right file.
    """

    documents: tuple[DocHistory, ...]
    complete: bool = True
    warnings: tuple[str, ...] = ()
    head: str | None = None
    settings: Settings = field(default_factory=default_settings)
    paths: Mapping[str, str] = field(default_factory=dict)
    working_paths: frozenset[str] | None = None  # files that differ from HEAD (None: not known, look at every document)
    _by_path: dict[str, DocHistory] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_id: dict[str, list[DocHistory]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_alias: dict[str, list[DocHistory]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for doc in self.documents:
            if not doc.deleted:
                self._by_path[doc.path] = doc
            self._by_id.setdefault(doc.id, []).append(doc)
            for alias in doc.aliases:
                self._by_alias.setdefault(alias, []).append(doc)

    def working_documents(self) -> list[DocHistory]:
        """The documents whose last version is the working copy (not committed), without building the others' versions."""
        candidates = self.documents if self.working_paths is None else [d for d in self.documents if d.path in self.working_paths]
        return [d for d in candidates if d.versions and d.versions[-1].commit is None]

    def document(self, doc_id: str) -> DocHistory | None:
        """The history of the document with this ID now (or, failing that, once), in either Unicode normalization."""
        doc_id = nfc_id(doc_id)
        path = self.paths.get(doc_id)
        if path is not None and path in self._by_path:
            return self._by_path[path]
        for table in (self._by_id, self._by_alias):
            found = table.get(doc_id)
            if found:
                return max(found, key=lambda d: (not d.deleted, d.versions[-1].date))
        return None

    def versions(self, doc_id: str) -> list[Version]:
        """A document's versions, newest first ([] when it has no history)."""
        doc = self.document(doc_id)
        return list(reversed(doc.versions)) if doc else []

    def done_dates(self, only: Collection[str] | None = None, kept: dict[str, Any] | None = None) -> dict[str, dt.datetime]:
        """When each done document (by current ID; with `only`, of those IDs) last entered a done status.

        `kept`: committed documents' dates by path (`done_cache`), used and added to.
        """
        from workspace_tool.history.flow import done_dates

        return done_dates(self, only, kept)

    def activity(self, since: dt.datetime, until: dt.datetime | None = None) -> list[Version]:
        """Versions made from `since` (up to `until`), newest first, across all documents."""
        recent = [d for d in self.documents if (newest := d.newest()) is not None and newest >= since]  # the others stay unbuilt
        found = [v for d in recent for v in d.versions if v.date >= since and (until is None or v.date <= until)]
        return sorted(found, key=lambda v: v.date, reverse=True)
