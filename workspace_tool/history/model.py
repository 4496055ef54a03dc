"""The history model: commits as `git log` reports them, and document versions.

Dataclasses only; nothing here does I/O. Field values are the frontmatter as
written (dates as ISO text), so `estimate: 2d -> 3d` reads as the author wrote it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

Fields = Mapping[str, Any]
"""A version's frontmatter as JSON-ready values (dates as ISO text)."""

# FileChange, Commit and Version are NamedTuples rather than frozen dataclasses:
# tens of thousands are made per read, and a tuple is several times cheaper to build.


class FileChange(NamedTuple):
    """One file touched by a commit (a `git log --raw` line), paths relative to the workspace.

    `status` is `A` (added), `M` (modified), `D` (deleted) or `R` (renamed from
    `old_path`). A blob is None where the file does not exist on that side.
    """

    status: str
    path: str
    old_path: str | None = None
    old_blob: str | None = None
    new_blob: str | None = None


class Commit(NamedTuple):
    """One commit of the current branch's history (merged branches included)."""

    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: dt.datetime  # the author date, with its UTC offset
    message: str
    changes: tuple[FileChange, ...] = ()

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class FieldChange:
    """One frontmatter key that changed between two versions (None: absent)."""

    field: str
    old: Any
    new: Any


class Version(NamedTuple):
    """One version of a document: a commit that touched it, or the working copy (`commit` None).

    `fields` is the frontmatter after this version (None when it could not be
    read: `unparseable`, or `deleted`); `previous` the one before it (None
    for a new file). `old_path` is set when the version moved the file.
    """

    commit: str | None
    author: str
    email: str
    date: dt.datetime
    message: str
    path: str
    doc_id: str
    doc_type: str
    old_path: str | None = None
    blob: str | None = None
    old_blob: str | None = None
    deleted: bool = False
    unparseable: bool = False
    fields: Fields | None = None
    previous: Fields | None = None

    @property
    def changes(self) -> tuple[FieldChange, ...]:
        """The frontmatter keys this version changed (for a new file: every key)."""
        if self.deleted or self.fields is None:
            return ()
        from workspace_tool.history.snapshot import field_changes

        return field_changes(self.previous, self.fields)

    @property
    def is_working_copy(self) -> bool:
        return self.commit is None

    @property
    def created(self) -> bool:
        """The version that made the file (no earlier content)."""
        return self.old_blob is None and not self.deleted and self.old_path is None

    def change_of(self, name: str) -> FieldChange | None:
        return next((c for c in self.changes if c.field == name), None)


@dataclass(frozen=True)
class DocHistory:
    """Every version of one document, oldest first, across renames, ID edits and re-creation."""

    id: str
    type: str
    path: str
    versions: tuple[Version, ...]
    aliases: frozenset[str] = field(default_factory=frozenset)

    @property
    def deleted(self) -> bool:
        return bool(self.versions) and self.versions[-1].deleted

    @property
    def last_fields(self) -> Fields:
        """The most recent readable frontmatter ({} when none was)."""
        for version in reversed(self.versions):
            if version.fields is not None:
                return version.fields
        return {}
