"""What an export shows: every document and time entry, but private ones unless asked (`--private`).

The rule of the status site (`site/privacy.py`) for an export a team hands on: a document with `visibility:
private` is left out, with the time logged against it and every entry of a private time log, its diagnostics,
and the dependencies, references and key results that would name it. An entry against an ID that is no document
(a typo) stays: it is time someone logged, and the reports show it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index
from workspace_tool.model import Document, TimeEntry


@dataclass(frozen=True)
class Shown:
    documents: tuple[Document, ...]
    entries: tuple[TimeEntry, ...]
    hidden: frozenset[str]  # the IDs left out
    hidden_paths: frozenset[str]

    def diagnostics(self, index: Index) -> list[Diagnostic]:
        return [d for d in index.diagnostics() if d.path not in self.hidden_paths]


def shown(index: Index, include_private: bool = False) -> Shown:
    hidden = {d.id: d.path for d in index.docs.values() if d.is_private and not include_private}
    documents = tuple(d for d in index.docs.values() if d.id not in hidden)
    paths = frozenset(hidden.values())
    entries = tuple(e for e in index.entries if e.ref not in hidden and e.path not in paths)
    return Shown(documents, entries, frozenset(hidden), paths)
