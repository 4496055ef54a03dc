"""What an export shows: every document and time entry, but private ones unless asked (`--private`).

The rule of the status site (`site/privacy.py`) for an export a team hands on: a document with `visibility:
private` is left out, with the time logged against it and every entry of a private time log, its diagnostics,
and the dependencies, references and key results that would name it. An entry against an ID that is no document
(a typo) stays: it is time someone logged, and the reports show it too.

Where the site shows a reference to a hidden document as its bare ID, an export names it nowhere: a shown
document's reference fields (`project`, `parent`, `depends_on`, `assignee`, ..., and the derived `subtasks` and
`superseded_by`) lose the IDs of left-out documents, a field left naming nothing is left out (a SQLite column is
NULL), a time entry's `person`, `task`, `project` and `client` are null when they name one, a time log counts
only the entries shown, and a diagnostic whose message names a left-out document or its file is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Iterable

from workspace_tool import fields as F
from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index
from workspace_tool.model import Document, TimeEntry, TimeLog
from workspace_tool.records import document_record

DERIVED_REFERENCES = ("previous", "subtasks", "superseded_by")
"""Keys of a document record that name documents but are no declared reference field (a recurring task's
`previous:` instance, the index's subtasks and superseding decisions)."""
ENTRY_REFERENCES = ("person", "task", "project", "client")


@dataclass(frozen=True)
class Shown:
    documents: tuple[Document, ...]
    entries: tuple[TimeEntry, ...]
    hidden: frozenset[str]  # the IDs left out
    hidden_paths: frozenset[str]

    def names_hidden(self, index: Index, value: object) -> bool:
        """Whether a reference names a left-out document (by its ID, or a note's stem as `[[stem]]` does)."""
        if not self.hidden or not isinstance(value, str):
            return False
        if value in self.hidden:
            return True
        target = index.resolve(value)
        return target is not None and target.id in self.hidden

    def reference(self, index: Index, value: str | None) -> str | None:
        """A single reference, or None when it names a left-out document."""
        return None if self.names_hidden(index, value) else value

    def references(self, index: Index, values: Iterable[Any]) -> list[Any]:
        """A list of references without those naming left-out documents."""
        return [v for v in values if not self.names_hidden(index, v)]

    def keeps(self, index: Index, entry: TimeEntry) -> bool:
        """A time entry is shown unless its time log or what it is logged against is left out."""
        return entry.path not in self.hidden_paths and not self.names_hidden(index, entry.ref)

    def record(self, doc: Document, index: Index) -> dict[str, Any]:
        """`document_record` of a shown document, naming no left-out document (a field left naming nothing goes)."""
        record = document_record(doc, index)
        if not self.hidden:
            return record
        names = [name for name, spec in F.specs_for(doc.type).items() if spec.is_reference]
        for name in (*names, *DERIVED_REFERENCES):
            value = record.get(name)
            kept = self.references(index, value) if isinstance(value, list) else self.reference(index, value)
            if kept != value:
                if kept:
                    record[name] = kept
                else:
                    del record[name]
        if isinstance(doc, TimeLog):
            entries = [e for e in doc.entries if self.keeps(index, e)]
            record["entries"] = len(entries)
            record["hours"] = round(sum(e.hours for e in entries), 4)
        return record

    def entry_record(self, record: dict[str, Any], index: Index) -> dict[str, Any]:
        """A time entry's record (`tables.entry_record`) with its references to left-out documents null."""
        if not self.hidden:
            return record
        return {k: self.reference(index, v) if k in ENTRY_REFERENCES else v for k, v in record.items()}

    def diagnostics(self, index: Index) -> list[Diagnostic]:
        """The diagnostics of shown files that name no left-out document or file."""
        found = [d for d in index.diagnostics() if d.path not in self.hidden_paths]
        if not self.hidden:
            return found
        return [d for d in found if not self.names_hidden_in(d.message)]

    def names_hidden_in(self, message: str) -> bool:
        """`message` names a left-out document by its ID or its file."""
        return bool(self.hidden or self.hidden_paths) and self._naming.search(message) is not None

    @cached_property
    def _naming(self) -> re.Pattern[str]:
        """A left-out document's ID or file, as a whole word of a message (`'priv-task'`, `a -> priv-task`)."""
        names = sorted(self.hidden | self.hidden_paths, key=len, reverse=True)
        return re.compile(r"(?<![\w/-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w/-])")


def shown(index: Index, include_private: bool = False) -> Shown:
    hidden = {d.id: d.path for d in index.docs.values() if d.is_private and not include_private}
    documents = tuple(d for d in index.docs.values() if d.id not in hidden)
    view = Shown(documents, (), frozenset(hidden), frozenset(hidden.values()))
    entries = tuple(e for e in index.entries if view.keeps(index, e)) if hidden else tuple(index.entries)
    return Shown(documents, entries, view.hidden, view.hidden_paths)
