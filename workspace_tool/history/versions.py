"""From commits to document histories: follow files through renames, deletions and ID edits. Pure.

A *lineage* is one file followed through `git log` (added, modified, moved,
deleted). Lineages are joined into one document when a file is deleted and
a file with the same ID appears later (re-created, or moved without git
seeing a rename). The working copy adds one last version per changed file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from workspace_tool.history.model import Commit, DocHistory, Fields, FileChange, Version
from workspace_tool.history.snapshot import identity

_ORDER = {"D": 0, "R": 1, "M": 2, "A": 3}
SAME = 1
"""In a cache row: the same blob as the lineage's previous version (old blob) or as the old blob (before)."""
WORKING_MESSAGE = "uncommitted changes"


@dataclass(frozen=True)
class WorkingFile:
    """A document file whose working copy differs from HEAD (`fields` None: unreadable)."""

    path: str
    exists: bool
    date: dt.datetime
    fields: Fields | None = None


@dataclass
class _Lineage:
    number: int
    path: str
    doc_id: str = ""
    doc_type: str = "note"
    fields: Fields | None = None
    fields_key: str | None = None  # the blob `fields` was read from
    blob: str | None = None
    group: int = -1
    versions: list[tuple[int, Version]] = field(default_factory=list)


@dataclass
class State:
    blobs: Mapping[str, Fields | None]
    is_document: Callable[[str], bool]
    lineages: list[_Lineage] = field(default_factory=list)
    live: dict[str, _Lineage] = field(default_factory=dict)
    last_at: dict[str, _Lineage] = field(default_factory=dict)
    dead: dict[str, _Lineage] = field(default_factory=dict)
    parent: list[int] = field(default_factory=list)
    identities: dict[tuple[str, object, object], tuple[str, str]] = field(default_factory=dict)
    seq: int = 0
    rows: list[list[Any]] | None = None  # when set, each committed version is also kept as a cache row
    commits: list[list[Any]] = field(default_factory=list)  # the commits those rows name
    commit_index: dict[str, int] = field(default_factory=dict)
    before_key: str | None = None

    def new_lineage(self, path: str) -> _Lineage:
        lineage = _Lineage(len(self.lineages), path, group=len(self.lineages))
        self.lineages.append(lineage)
        self.parent.append(lineage.number)
        return lineage

    def root(self, number: int) -> int:
        while self.parent[number] != number:
            self.parent[number] = self.parent[self.parent[number]]
            number = self.parent[number]
        return number


def build_histories(
    commits: Iterable[Commit],
    blobs: Mapping[str, Fields | None],
    is_document: Callable[[str], bool],
    working: Iterable[WorkingFile] = (),
    user: tuple[str, str] = ("", ""),
) -> list[DocHistory]:
    """Every document's history. `commits` oldest first (parents before children)."""
    state = State(blobs, is_document)
    fold(state, commits)
    apply_working(state, working, user)
    return group(state)


def new_state(blobs: Mapping[str, Fields | None], is_document: Callable[[str], bool]) -> State:
    return State(blobs, is_document)


def fold(state: State, commits: Iterable[Commit]) -> None:
    """Follow the files through `commits` (oldest first)."""
    for commit in commits:
        changes = commit.changes
        if len(changes) > 1:
            changes = tuple(sorted(changes, key=lambda c: _ORDER.get(c.status, 2)))
        for change in changes:
            _apply(state, commit, change)


def apply_working(state: State, working: Iterable[WorkingFile], user: tuple[str, str]) -> None:
    """Add the working copy's changes as last versions (deletions first, so a moved file keeps its history)."""
    state.rows = None
    state.commits, state.commit_index = [], {}
    for item in sorted(working, key=lambda w: w.exists):
        _apply_working(state, item, user)


def _apply(state: State, commit: Commit, change: FileChange) -> None:
    status, path, old_path = change.status, change.path, change.old_path
    if status == "R":
        was_doc, is_doc = state.is_document(old_path or ""), state.is_document(path)
        if not was_doc and not is_doc:
            return
        if not is_doc:
            status, path, old_path = "D", old_path or "", None
        elif not was_doc:
            status, old_path = "A", None
    elif not state.is_document(path):
        return
    if status == "D":
        lineage = state.live.pop(path, None)
        if lineage is None:
            return
        _add(state, lineage, commit, path, None, change, deleted=True)
        state.dead[lineage.doc_id] = lineage
        return
    if status == "R":
        lineage = state.live.pop(old_path or "", None) or state.last_at.get(old_path or "") or state.new_lineage(path)
    elif status == "A":
        lineage = state.live.get(path) or state.new_lineage(path)
    else:  # a change to a file not followed so far (e.g. moved on a parallel branch): the last file there
        lineage = state.live.get(path) or state.last_at.get(path) or state.new_lineage(path)
    state.live[path] = state.last_at[path] = lineage
    lineage.path = path
    _add(state, lineage, commit, path, old_path, change, deleted=False)


def _add(
    state: State, lineage: _Lineage, commit: Commit, path: str, old_path: str | None, change: FileChange, deleted: bool
) -> None:
    new_blob = None if deleted else change.new_blob
    fields = None if deleted or new_blob is None else state.blobs.get(new_blob)
    before = state.blobs.get(change.old_blob) if change.old_blob else None
    before_key = change.old_blob
    if before is None and change.old_blob is not None:
        before, before_key = lineage.fields, lineage.fields_key
    state.before_key = before_key if before is not None else None
    _record(
        state,
        lineage,
        path,
        fields,
        before,
        deleted,
        old_path,
        change.old_blob,
        new_blob,
        (commit.sha, commit.author, commit.email, commit.date, commit.message),
    )


def _apply_working(state: State, item: WorkingFile, user: tuple[str, str]) -> None:
    meta = (None, user[0], user[1], item.date, WORKING_MESSAGE)
    if not item.exists:
        lineage = state.live.pop(item.path, None)
        if lineage is not None:
            _record(state, lineage, item.path, None, lineage.fields, True, None, lineage.blob, None, meta)
            state.dead[lineage.doc_id] = lineage
        return
    lineage = state.live.get(item.path) or state.new_lineage(item.path)
    state.live[item.path] = lineage
    _record(state, lineage, item.path, item.fields, lineage.fields, False, None, lineage.blob, None, meta)


def _record(
    state: State,
    lineage: _Lineage,
    path: str,
    fields: Fields | None,
    before: Fields | None,
    deleted: bool,
    old_path: str | None,
    old_blob: str | None,
    blob: str | None,
    meta: tuple[str | None, str, str, dt.datetime, str],
) -> None:
    first = not lineage.versions
    if fields is not None or first:
        lineage.doc_id, lineage.doc_type = _identity(state, fields, path)
    if first:
        _link_recreated(state, lineage)
        if not deleted:
            old_blob = None
    sha, author, email, date, message = meta
    previous_blob = lineage.versions[-1][1].blob if lineage.versions else None
    version = Version(
        sha,
        author,
        email,
        date,
        message,
        path,
        lineage.doc_id,
        lineage.doc_type,
        old_path,
        blob,
        old_blob,
        deleted,
        not deleted and fields is None,
        fields,
        before,
    )
    state.seq += 1
    lineage.versions.append((state.seq, version))
    if state.rows is not None and sha is not None:
        _keep_row(state, lineage, version, previous_blob)
    if fields is not None:
        lineage.fields = fields
        lineage.fields_key = blob
    lineage.blob = blob


def _identity(state: State, fields: Fields | None, path: str) -> tuple[str, str]:
    """`identity`, remembered per path and declared id/type (most versions repeat them)."""
    raw_id, raw_type = (fields.get("id"), fields.get("type")) if fields else (None, None)
    try:
        key = (path, raw_id, raw_type)
        found = state.identities.get(key)
    except TypeError:  # an unhashable `id:` or `type:` value
        return identity(fields, path)
    if found is None:
        found = state.identities[key] = identity(fields, path)
    return found


def _link_recreated(state: State, lineage: _Lineage) -> None:
    """A new file whose ID belonged to a deleted one continues that document."""
    earlier = state.dead.pop(lineage.doc_id, None)
    if earlier is not None and earlier is not lineage:
        state.parent[lineage.number] = state.root(earlier.number)


def group(state: State) -> list[DocHistory]:
    """Join the lineages of each document into its history."""
    groups: dict[int, list[_Lineage]] = {}
    for lineage in state.lineages:
        if lineage.versions:
            groups.setdefault(state.root(lineage.number), []).append(lineage)
    result = []
    for members in groups.values():
        if len(members) == 1:  # the common case: already in order
            versions = tuple([pair[1] for pair in members[0].versions])
            last = members[0]
        else:
            ordered = sorted([pair for m in members for pair in m.versions], key=_first)
            versions = tuple([pair[1] for pair in ordered])
            last = max(members, key=lambda m: m.versions[-1][0])
        aliases = frozenset({v.doc_id for v in versions})
        result.append(DocHistory(last.doc_id, last.doc_type, last.path, versions, aliases))
    return result


def _first(pair: tuple[int, Version]) -> int:
    return pair[0]


# -- the cache: committed versions as rows, and the state needed to go on ----------


def export_state(state: State) -> dict[str, object]:
    """What `restore` needs besides the rows: every lineage's position, and which paths and IDs are live or dead."""
    return {
        "seq": state.seq,
        "lineages": [
            [ln.number, ln.path, ln.doc_id, ln.doc_type, ln.fields_key, ln.blob, state.root(ln.number)] for ln in state.lineages
        ],
        "live": {path: ln.number for path, ln in state.live.items()},
        "last_at": {path: ln.number for path, ln in state.last_at.items()},
        "dead": {doc_id: ln.number for doc_id, ln in state.dead.items()},
    }


def _keep_row(state: State, lineage: _Lineage, version: Version, previous_blob: str | None) -> None:
    """A committed version as a compact cache row (`SAME`: the lineage's previous blob, or the old blob)."""
    assert state.rows is not None and version.commit is not None
    index = state.commit_index.get(version.commit)
    if index is None:
        index = state.commit_index[version.commit] = len(state.commits)
        state.commits.append([version.commit, version.author, version.email, version.date.isoformat(), version.message])
    old_blob = SAME if version.old_blob is not None and version.old_blob == previous_blob else version.old_blob
    before = state.before_key
    state.rows.append(
        [lineage.number, state.seq, index, version.path, version.old_path, version.blob, old_blob, int(version.deleted)]
        + [version.doc_id, version.doc_type, SAME if before is not None and before == version.old_blob else before]
    )


def take_rows(state: State) -> dict[str, list[list[Any]]]:
    """The cache rows kept since `state.rows` was set, with the commits they name; stops keeping rows."""
    part = {"commits": state.commits, "rows": state.rows or []}
    state.rows, state.commits, state.commit_index = None, [], {}
    return part


def restore(
    blobs: Mapping[str, Fields | None],
    is_document: Callable[[str], bool],
    saved: Mapping[str, Any],
    parts: Iterable[Mapping[str, Any]],
) -> State:
    """The state `fold` left, from the cache (raises KeyError/ValueError/TypeError/IndexError when it does not fit)."""
    state = State(blobs, is_document)
    for number, path, doc_id, doc_type, fields_key, blob, root in saved["lineages"]:
        lineage = _Lineage(
            number, path, doc_id, doc_type, blobs.get(fields_key) if fields_key else None, fields_key, blob, number
        )
        state.lineages.append(lineage)
        state.parent.append(root)
    for part in parts:
        _restore_rows(state, part["commits"], part["rows"])
    lineages = state.lineages
    state.seq = int(saved["seq"])
    state.live = {path: lineages[n] for path, n in saved["live"].items()}
    state.last_at = {path: lineages[n] for path, n in saved["last_at"].items()}
    state.dead = {doc_id: lineages[n] for doc_id, n in saved["dead"].items()}
    return state


def _restore_rows(state: State, commit_rows: list[list[Any]], rows: list[list[Any]]) -> None:
    get = state.blobs.get
    lineages = state.lineages
    commits = [
        (sha, author, email, dt.datetime.fromisoformat(date), message) for sha, author, email, date, message in commit_rows
    ]
    for number, seq, index, path, old_path, blob, old_blob, deleted, doc_id, doc_type, before_key in rows:
        versions = lineages[number].versions
        if old_blob == SAME:
            old_blob = versions[-1][1].blob
        if before_key == SAME:
            before_key = old_blob
        fields = None if deleted or not blob else get(blob)
        sha, author, email, date, message = commits[index]
        version = Version(
            sha,
            author,
            email,
            date,
            message,
            path,
            doc_id,
            doc_type,
            old_path,
            blob,
            old_blob,
            bool(deleted),
            not deleted and fields is None,
            fields,
            get(before_key) if before_key else None,
        )
        versions.append((seq, version))
