"""From commits to document histories: follow files through renames, deletions and ID edits. Pure.

A *lineage* is one file followed through `git log` (added, modified, moved,
deleted). Lineages are joined into one document when a file is deleted and
a file with the same ID appears later (re-created, or moved without git
seeing a rename), or when a file is deleted while a copy of it made later
(a file with its ID) lives on: a move done as copy, then delete. The
working copy adds one last version per changed file.
"""

from __future__ import annotations

import datetime as dt
import functools
import marshal
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from workspace_tool.history.model import Commit, DocHistory, Fields, FileChange, Version
from workspace_tool.history.snapshot import identity

_ORDER = {"D": 0, "R": 1, "M": 2, "A": 3}
SAME = 1
"""In a cache row: the same blob as the lineage's previous version (old blob) or as the old blob (before)."""
Row = tuple[Any, ...]
"""A committed version in the cache: (seq, commit index, path, old path, blob, old blob, deleted, ID, type, before blob, merge)."""
CommitRow = tuple[str, str, str, str, str]
"""A commit in the cache: (sha, author, email, ISO author date, message)."""
Summary = tuple[int, int, tuple[str, ...], str]
"""What `group` needs of a lineage's cache rows without reading them: (last seq, last deleted, IDs, newest ISO date)."""


class _Rows(NamedTuple):
    """A restored lineage's versions from the cache: its rows, still encoded, and their summary."""

    chunks: list[bytes]  # `marshal`-encoded lists of rows, oldest first (one per cache update that touched the lineage)
    last_seq: int
    deleted: bool
    aliases: tuple[str, ...]
    newest: str  # the ISO author date of the newest


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
    fields: Fields | None = None  # the frontmatter of its newest readable version (read through `_fields`)
    fields_key: str | None = None  # the blob `fields` was read from
    blob: str | None = None
    group: int = -1
    versions: list[tuple[int, Version]] = field(default_factory=list)
    rows: _Rows | None = None  # versions from the cache, older than `versions`, not yet built
    resolved: bool = True  # False: `fields` is still to be read from the blob table (`fields_key`), as `restore` leaves it


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
    rows: dict[int, list[Row]] | None = None  # when set, each committed version is also kept as a cache row, by lineage
    commits: list[CommitRow] = field(default_factory=list)  # the commits those rows name
    commit_index: dict[str, int] = field(default_factory=dict)
    commit_base: int = 0  # commits in the cache before `commits` (rows name commits by their place in the whole table)
    before_key: str | None = None
    decoder: _Decoder | None = None  # builds the restored rows' versions
    by_id: dict[str, list[_Lineage]] | None = None  # lineages by ID (some stale: checked on use), made by `_twin` when first needed

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
    if change.merge_from and status != "D":
        _apply_merge(state, commit, change)
        return
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
        twin = _twin(state, lineage)
        if twin is not None:
            _continue_in(state, lineage, twin, (commit.sha, commit.author, commit.email, commit.date, commit.message))
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


def _apply_merge(state: State, commit: Commit, change: FileChange) -> None:
    """A file a merge made differ from every parent: a conflict resolution, or a rename on one side joined with an edit on another.

    The parents may have the file under other names (renamed on one branch):
    the document is the one followed at any of them, and only the merged name
    stays live. When the merged content is one parent's (only names were
    combined), the change is measured from that parent: the merge changed no
    field. It moved the file only when no parent had it under the merged name
    (a rename on a branch is that branch's commit's).
    """
    path = change.path
    if not state.is_document(path):
        return
    others = [p for p, _ in change.merge_from if p is not None and p != path and state.is_document(p)]
    live, last_at = state.live, state.last_at
    lineage = live.get(path) or next((live[p] for p in others if p in live), None)
    if lineage is None:
        lineage = last_at.get(path) or next((last_at[p] for p in others if p in last_at), None) or state.new_lineage(path)
    for other in others:
        if live.get(other) is lineage:
            del live[other]
    source = next(((p, blob) for p, blob in change.merge_from if blob is not None and blob == change.new_blob), None)
    took = source[0] if source is not None else None
    old_path = None
    if (lineage.versions or lineage.rows) and all(p != path for p, _ in change.merge_from):
        old_path = took if took is not None and state.is_document(took) else lineage.path if lineage.path != path else None
    if source is not None or _combines(state, change):
        # one parent's content, or each field as one branch left it: those changes are the branches' versions, not the merge's
        change = change._replace(old_blob=change.new_blob)
    live[path] = last_at[path] = lineage
    lineage.path = path
    _add(state, lineage, commit, path, old_path, change, deleted=False, merge=True)


def _combines(state: State, change: FileChange) -> bool:
    """Whether a merge's frontmatter only combines its parents': every field's value is one parent's (a clean merge
    of edits to different fields, by wm's merge driver). Its field changes measured from the first parent would
    repeat a change the other branch's commit already made, under the name of whoever merged."""
    merged = _fields_of(state.blobs, change.new_blob) if change.new_blob else None
    parents = [_fields_of(state.blobs, blob) for _, blob in change.merge_from if blob]
    if merged is None or len(parents) < 2 or any(p is None for p in parents):
        return False
    keys = set(merged).union(*(p for p in parents if p is not None))
    return all(any(merged.get(key) == p.get(key) for p in parents if p is not None) for key in keys)


def _add(
    state: State,
    lineage: _Lineage,
    commit: Commit,
    path: str,
    old_path: str | None,
    change: FileChange,
    deleted: bool,
    merge: bool = False,
) -> None:
    new_blob = None if deleted else change.new_blob
    fields = None if new_blob is None else _fields_of(state.blobs, new_blob)
    before = _fields_of(state.blobs, change.old_blob) if change.old_blob else None
    before_key = change.old_blob
    if before is None and change.old_blob is not None:
        before, before_key = _fields(state, lineage), lineage.fields_key
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
        merge,
    )


def _fields_of(blobs: Mapping[str, Fields | None], sha: str) -> Fields | None:
    """A blob's frontmatter (`blobs[sha]`: a `store.BlobTable` reads what it lacks, and is a plain dict look-up otherwise)."""
    try:
        return blobs[sha]
    except KeyError:
        return None


def _apply_working(state: State, item: WorkingFile, user: tuple[str, str]) -> None:
    meta = (None, user[0], user[1], item.date, WORKING_MESSAGE)
    if not item.exists:
        lineage = state.live.pop(item.path, None)
        if lineage is None:
            return
        twin = _twin(state, lineage)
        if twin is not None:
            _continue_in(state, lineage, twin, meta)
            return
        _record(state, lineage, item.path, None, _fields(state, lineage), True, None, lineage.blob, None, meta)
        state.dead[lineage.doc_id] = lineage
        return
    lineage = state.live.get(item.path) or state.new_lineage(item.path)
    state.live[item.path] = lineage
    _record(state, lineage, item.path, item.fields, _fields(state, lineage), False, None, lineage.blob, None, meta)


def _fields(state: State, lineage: _Lineage) -> Fields | None:
    """A lineage's newest readable frontmatter; a restored lineage's is read from the blob table on first use."""
    if not lineage.resolved:
        lineage.fields = _fields_of(state.blobs, lineage.fields_key) if lineage.fields_key else None
        lineage.resolved = True
    return lineage.fields


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
    merge: bool = False,
) -> None:
    first = not lineage.versions and not lineage.rows
    if fields is not None or first:
        known = lineage.doc_id
        lineage.doc_id, lineage.doc_type = _identity(state, fields, path)
        if state.by_id is not None and (first or lineage.doc_id != known):
            state.by_id.setdefault(lineage.doc_id, []).append(lineage)
    if first:
        _link_recreated(state, lineage)
        if not deleted:
            old_blob = None
    sha, author, email, date, message = meta
    previous_blob = lineage.blob
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
        merge,
    )
    state.seq += 1
    lineage.versions.append((state.seq, version))
    if state.rows is not None and sha is not None:
        _keep_row(state, lineage, version, previous_blob)
    if fields is not None:
        lineage.fields, lineage.fields_key, lineage.resolved = fields, blob, True
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


def _twin(state: State, lineage: _Lineage) -> _Lineage | None:
    """A live file with `lineage`'s ID made after it (a copy, the first half of a move done as copy then delete), if any.

    The oldest such file, so the answer does not depend on the order `by_id`
    was filled in (a cold read and a cached one build it at other moments).
    """
    if state.by_id is None:
        state.by_id = {}
        for each in state.lineages:
            state.by_id.setdefault(each.doc_id, []).append(each)
    doc_id, live, number = lineage.doc_id, state.live, lineage.number
    found = [ln for ln in state.by_id.get(doc_id, ()) if ln.number > number and ln.doc_id == doc_id and live.get(ln.path) is ln]
    return min(found, key=_number) if found else None


def _number(lineage: _Lineage) -> int:
    return lineage.number


def _continue_in(state: State, lineage: _Lineage, twin: _Lineage, meta: tuple[str | None, str, str, dt.datetime, str]) -> None:
    """`lineage`'s file is deleted while `twin`, a later file with its ID, lives on: one document, moved there.

    The deletion is a version of the twin that moved it from the deleted
    file's path and changed no field (the copy's own version, before, said
    what the copy was).
    """
    first, second = state.root(lineage.number), state.root(twin.number)
    if first != second:
        state.parent[second] = first
    blob = twin.blob
    fields = _fields_of(state.blobs, blob) if blob is not None else None
    state.before_key = blob if fields is not None else None
    _record(state, twin, twin.path, fields, fields, False, lineage.path, blob, blob, meta)


def group(state: State) -> list[DocHistory]:
    """Join the lineages of each document into its history (versions from the cache are built on first use)."""
    groups: dict[int, list[_Lineage]] = {}
    for lineage in state.lineages:
        if lineage.versions or lineage.rows:
            groups.setdefault(state.root(lineage.number), []).append(lineage)
    result = []
    decoder, partial = state.decoder, functools.partial
    for members in groups.values():
        last = members[0] if len(members) == 1 else max(members, key=_last_seq)
        rows = last.rows
        if rows is not None and decoder is not None and len(members) == 1 and not last.versions:  # most documents, from the cache
            build, newest = partial(_joined, members, decoder), partial(_newest, members, decoder)
            result.append(DocHistory(last.doc_id, last.doc_type, last.path, build, frozenset(rows.aliases), rows.deleted, newest))
            continue
        if decoder is None or not any(m.rows for m in members):
            versions = _joined(members, None)
            result.append(DocHistory(last.doc_id, last.doc_type, last.path, versions, frozenset({v.doc_id for v in versions})))
            continue
        aliases = frozenset({a for m in members if m.rows for a in m.rows.aliases} | {v.doc_id for m in members for _, v in m.versions})
        deleted = last.versions[-1][1].deleted if last.versions else bool(last.rows and last.rows.deleted)
        build, newest = partial(_joined, members, decoder), partial(_newest, members, decoder)
        result.append(DocHistory(last.doc_id, last.doc_type, last.path, build, aliases, deleted, newest))
    return result


def _newest(members: list[_Lineage], decoder: _Decoder) -> dt.datetime | None:
    """The date of a document's newest version, from its rows' summary without building any `Version`."""
    dates = [dt.datetime.fromisoformat(m.rows.newest) for m in members if m.rows]
    dates.extend(version.date for m in members for _, version in m.versions)
    return max(dates) if dates else None


def _joined(members: list[_Lineage], decoder: _Decoder | None) -> tuple[Version, ...]:
    """The versions of a document's lineages in the order they were made."""
    pairs = [pair for m in members for pair in (decoder.versions(m.rows) if decoder and m.rows else ()) + tuple(m.versions)]
    if len(members) == 1:
        return tuple([pair[1] for pair in pairs])
    pairs.sort(key=_first)
    return tuple(_copies_marked([pair[1] for pair in pairs]))


def _copies_marked(versions: list[Version]) -> list[Version]:
    """A file made while the document lived at another path (a copy, then the old file deleted: one document) is the
    document copied there, from the frontmatter it had, not created again; one made after a deletion is a re-creation."""
    fields_at: dict[str, Fields | None] = {}  # the live files of the document: path -> frontmatter
    for number, version in enumerate(versions):
        if version.created and fields_at and version.path not in fields_at:
            source = next(reversed(fields_at))
            versions[number] = version._replace(copied_from=source, previous=fields_at[source])
        if version.old_path is not None:
            fields_at.pop(version.old_path, None)
        if version.deleted:
            fields_at.pop(version.path, None)
        else:
            fields_at[version.path] = version.fields
    return versions


def _last_seq(lineage: _Lineage) -> int:
    return lineage.versions[-1][0] if lineage.versions or lineage.rows is None else lineage.rows.last_seq


def _first(pair: tuple[int, Version]) -> int:
    return pair[0]


# -- the cache: committed versions as rows, and the state needed to go on ----------


def export_state(state: State) -> dict[str, object]:
    """What `restore` needs besides the rows: every lineage's position and rows' summary, and which paths and IDs are live or dead."""
    return {
        "seq": state.seq,
        "lineages": [
            [ln.number, ln.path, ln.doc_id, ln.doc_type, ln.fields_key, ln.blob, state.root(ln.number), _summary(ln)]
            for ln in state.lineages
        ],
        "live": {path: ln.number for path, ln in state.live.items()},
        "last_at": {path: ln.number for path, ln in state.last_at.items()},
        "dead": {doc_id: ln.number for doc_id, ln in state.dead.items()},
    }


def _summary(lineage: _Lineage) -> Summary | None:
    """The summary of a lineage's committed versions (its cache rows), None when it has none."""
    old = lineage.rows
    committed = [pair for pair in lineage.versions if pair[1].commit is not None]
    if not committed:
        return None if old is None else (old.last_seq, int(old.deleted), old.aliases, old.newest)
    seq, last = committed[-1]
    aliases = {version.doc_id for _, version in committed}
    newest = max(version.date for _, version in committed)
    if old is not None:
        aliases.update(old.aliases)
        newest = max(newest, dt.datetime.fromisoformat(old.newest))
    return (seq, int(last.deleted), tuple(sorted(aliases)), newest.isoformat())


def _keep_row(state: State, lineage: _Lineage, version: Version, previous_blob: str | None) -> None:
    """A committed version as a compact cache row (`SAME`: the lineage's previous blob, or the old blob)."""
    assert state.rows is not None and version.commit is not None
    index = state.commit_index.get(version.commit)
    if index is None:
        index = state.commit_index[version.commit] = state.commit_base + len(state.commits)
        state.commits.append((version.commit, version.author, version.email, version.date.isoformat(), version.message))
    old_blob = SAME if version.old_blob is not None and version.old_blob == previous_blob else version.old_blob
    before = state.before_key
    before_row = SAME if before is not None and before == version.old_blob else before
    row: Row = (state.seq, index, version.path, version.old_path, version.blob, old_blob, int(version.deleted))
    row += (version.doc_id, version.doc_type, before_row, int(version.merge))
    found = state.rows.get(lineage.number)
    if found is None:
        state.rows[lineage.number] = [row]
    else:
        found.append(row)


def take_rows(state: State) -> tuple[list[CommitRow], dict[int, list[Row]]]:
    """The commits and cache rows kept since `state.rows` was set; stops keeping rows."""
    part = (state.commits, state.rows or {})
    state.commit_base += len(state.commits)
    state.rows, state.commits, state.commit_index = None, [], {}
    return part


def restore(
    blobs: Mapping[str, Fields | None],
    is_document: Callable[[str], bool],
    saved: Mapping[str, Any],
    rows: Mapping[int, list[bytes]],
    commits: list[CommitRow],
) -> State:
    """The state `fold` left, from the cache (raises KeyError/ValueError/TypeError/IndexError when it does not fit).

    `rows` holds each lineage's rows as `marshal`-encoded lists (one per
    cache update): they are decoded when the document's versions are asked
    for (`group` takes what it needs from each lineage's summary). No blob
    is looked up here: a lineage's fields are read when first used
    (`_fields`), so the blob table's shards are read only for what is built.
    """
    state = State(blobs, is_document, commit_base=len(commits), decoder=_Decoder(commits, blobs))
    for number, path, doc_id, doc_type, fields_key, blob, root, summary in saved["lineages"]:
        lineage = _Lineage(number, path, doc_id, doc_type, None, fields_key, blob, number, resolved=fields_key is None)
        chunks = rows.get(number)
        if (summary is None) != (chunks is None):
            raise ValueError("cache rows and their summary disagree")
        if chunks is not None:
            seq, deleted, aliases, newest = summary
            lineage.rows = _Rows(chunks, int(seq), bool(deleted), tuple(aliases), str(newest))
        state.lineages.append(lineage)
        state.parent.append(root)
    if len(rows) > len(state.lineages) or (rows and max(rows) >= len(state.lineages)):
        raise IndexError("cache rows name a lineage the state does not have")
    lineages = state.lineages
    state.seq = int(saved["seq"])
    state.live = {path: lineages[n] for path, n in saved["live"].items()}
    state.last_at = {path: lineages[n] for path, n in saved["last_at"].items()}
    state.dead = {doc_id: lineages[n] for doc_id, n in saved["dead"].items()}
    return state


class _Decoder:
    """Cache rows to `Version`s; each commit's date is parsed once."""

    def __init__(self, commits: list[CommitRow], blobs: Mapping[str, Fields | None]) -> None:
        self.commits = commits
        self.blobs = blobs
        self.parsed: dict[int, tuple[str, str, str, dt.datetime, str]] = {}

    def commit(self, index: int) -> tuple[str, str, str, dt.datetime, str]:
        found = self.parsed.get(index)
        if found is None:
            sha, author, email, date, message = self.commits[index]
            found = self.parsed[index] = (sha, author, email, dt.datetime.fromisoformat(date), message)
        return found

    def versions(self, rows: _Rows) -> tuple[tuple[int, Version], ...]:
        """A lineage's cached rows (all of them, oldest first) as (seq, Version)."""
        blobs = self.blobs
        result = []
        previous: str | None = None
        decoded = [row for chunk in rows.chunks for row in marshal.loads(chunk)]
        for seq, index, path, old_path, blob, old_blob, deleted, doc_id, doc_type, before_key, merge in decoded:
            if old_blob == SAME:
                old_blob = previous
            if before_key == SAME:
                before_key = old_blob
            try:
                fields = None if deleted or not blob else blobs[blob]
                before = blobs[before_key] if before_key else None
            except KeyError:
                fields = None if deleted or not blob else _fields_of(blobs, blob)
                before = _fields_of(blobs, before_key) if before_key else None
            sha, author, email, date, message = self.commit(index)
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
                before,
                bool(merge),
            )
            result.append((seq, version))
            previous = blob
        return tuple(result)
