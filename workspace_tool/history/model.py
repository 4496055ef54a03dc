"""The history model: commits as `git log` reports them, and document versions.

Dataclasses only; nothing here does I/O. Field values are the frontmatter as
written (dates as ISO text), so `estimate: 2d -> 3d` reads as the author wrote it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Mapping, NamedTuple

Fields = Mapping[str, Any]
"""A version's frontmatter as JSON-ready values (dates as ISO text)."""

# FileChange, Commit, FieldChange and Version are NamedTuples rather than frozen dataclasses:
# tens of thousands are made per read or page stage, and a tuple is several times cheaper to build.


class FileChange(NamedTuple):
    """One file touched by a commit (a `git log --raw` line), paths relative to the workspace.

    `status` is `A` (added), `M` (modified), `D` (deleted) or `R` (renamed from
    `old_path`). A blob is None where the file does not exist on that side.
    For a merge commit `old_blob` is the first parent's, and `merge_from`
    holds each parent's (path, blob), None where that parent has no such
    file (or it is outside the workspace): git's rename detection per parent.
    """

    status: str
    path: str
    old_path: str | None = None
    old_blob: str | None = None
    new_blob: str | None = None
    merge_from: tuple[tuple[str | None, str | None], ...] = ()


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


class FieldChange(NamedTuple):
    """One frontmatter key that changed between two versions (None: absent)."""

    field: str
    old: Any
    new: Any


class Version(NamedTuple):
    """One version of a document: a commit that touched it, or the working copy (`commit` None).

    `fields` is the frontmatter after this version (None when it could not be
    read: `unparseable`, or `deleted`); `previous` the one before it (None
    for a new file): the version's own change is from `previous` to `fields`.
    `old_path` is set when the version moved the file. `merge`: a merge
    commit's version, whose content descends from every version before it
    (a version on a merged branch need not descend from the one before it).
    `copied_from`: the path of the file this new file copied, when the
    document lived on in it (a move done as copy, then delete: `previous` is
    then the copied file's frontmatter, so `changes` says what the copy changed).
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
    merge: bool = False
    copied_from: str | None = None

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
        """The version that made the document (no earlier content, and not a copy of a file it lived in)."""
        return self.old_blob is None and not self.deleted and self.old_path is None and self.copied_from is None

    def change_of(self, name: str) -> FieldChange | None:
        return next((c for c in self.changes if c.field == name), None)


class DocHistory:
    """Every version of one document, oldest first, across renames, ID edits and re-creation.

    `versions` is a tuple, or a function that makes it: a history read from
    the cache builds a document's `Version` objects on first use (most
    commands look at a few documents). `deleted` must then be given, and
    `newest` may be: a function giving the newest version's date without
    building them (`wm activity` skips documents untouched since its start).
    Read-only by convention, like the frozen dataclasses here.
    """

    __slots__ = ("id", "type", "path", "aliases", "deleted", "_versions", "_build", "_newest")

    def __init__(
        self,
        id: str,
        type: str,
        path: str,
        versions: tuple[Version, ...] | Callable[[], tuple[Version, ...]],
        aliases: frozenset[str] = frozenset(),
        deleted: bool | None = None,
        newest: Callable[[], dt.datetime | None] | None = None,
    ) -> None:
        self.id, self.type, self.path, self.aliases = id, type, path, aliases
        self._newest = newest
        if callable(versions):
            if deleted is None:
                raise TypeError("DocHistory: give `deleted` with a versions builder")
            self._versions: tuple[Version, ...] | None = None
            self._build: Callable[[], tuple[Version, ...]] | None = versions
        else:
            self._versions, self._build = versions, None
            deleted = bool(versions) and versions[-1].deleted
        self.deleted: bool = deleted

    @property
    def versions(self) -> tuple[Version, ...]:
        if self._versions is None:
            assert self._build is not None
            self._versions, self._build = self._build(), None
        return self._versions

    def newest(self) -> dt.datetime | None:
        """The date of the newest version (None: no versions); without building them when they are not built yet."""
        if self._versions is None and self._newest is not None:
            return self._newest()
        return max((v.date for v in self.versions), default=None)

    @property
    def last_fields(self) -> Fields:
        """The most recent readable frontmatter ({} when none was)."""
        for version in reversed(self.versions):
            if version.fields is not None:
                return version.fields
        return {}

    def _key(self) -> tuple[object, ...]:
        return (self.id, self.type, self.path, self.versions, self.aliases)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocHistory) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.id, self.type, self.path))

    def __repr__(self) -> str:
        count = "lazy" if self._versions is None else len(self._versions)
        return f"DocHistory(id={self.id!r}, type={self.type!r}, path={self.path!r}, versions={count}, deleted={self.deleted})"
