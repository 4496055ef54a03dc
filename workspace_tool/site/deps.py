"""Per-page dependency tracking: which pages an edit can change, so only those page models are recomputed.

Every read a page collector makes goes through `SiteData`, which records
a *key* for it in `SiteData.reads` while a page is being built. There are
three kinds of key:

* **Document keys** say which documents' content a read depends on. Each
  document *emits* the keys that its own text determines (`emits`): its
  ID (`d:`; a note or time log also its file's stem, which `[[stem]]`
  resolves to), its file (`w:PATH`), its body text (`b:`), its type (`t:`),
  the values of the query fields (`q:type.field=value`), the targets of its
  references (`r:`), and for a time log its entries (`e:`). A read records
  the key of the query it made: "the tasks of project P" is
  `q:task.project=P`, which every task that is (or was) in P emits;
  rendering a body records `b:ID`. A read of something that is not there
  records the same key (`d:ID` of an unresolved `[[ID]]`, `w:PATH` of a
  relative link to a missing file), so the document that appears later
  dirties it.
* **Derived keys** name data computed from the whole workspace whose
  result is compared directly: the schedule of a task (`s:ID`), the work
  booked for a person (`s:@ID`), a project's forecast (`f:ID`), priced
  time (`p:…`), whether an attachment exists (`a:PATH`) and the activity
  (`ev`). Their fingerprints are recomputed each build.
* **History keys** say which part of the git history a read depends on:
  a document's versions (`h:ID`), a project's flow series (`h:flow:ID`,
  and `h:flows`, which every flow reads). When HEAD has moved on since the
  last build, the commits in between are listed (`history.read.changed_documents`)
  and the keys of the documents they touched are dirty (`history_keys`);
  when the last HEAD is not an ancestor (a rebase, a reset) every page is
  made again.

Parts of page models can be kept across builds under a name with the
keys they read (`SiteData.memo`, `Record.memos`): a part none of whose
keys is dirty is taken as it is, and the page records its keys.

A rebuild finds the documents whose file changed (size, modification
time or a hash of the text), came or went, takes the keys they emit now
and the ones they emitted in the last build (a task moved from P to Q dirties both
`q:task.project=P` and `q:task.project=Q`) — or, when the file's *card*
(every parsed field, its title, checklist, the targets of its links,
entries and diagnostics: all but the body text) and keys are the same, only its `b:` key — adds
the derived keys whose fingerprint changed, and recomputes exactly the pages that read one of
them. A page model is a deterministic function of what it read, so a page
none of whose keys is dirty would come out the same.

Everything else is *global* (`global_key`): settings, templates, site-wide
values (the open projects in the navigation, whether there is a goal),
options, today, a HEAD that is not a descendant of the last build's, the
documents that are not added or deleted incrementally (`INCREMENTAL_TYPES`:
a new project remakes every page), duplicate IDs, `[[stem]]`s that an ID
takes from a note, what is hidden, the IDs time is logged against that
name no document, the titles of hidden documents, diagnostics of files
that are not documents. When any of it changes every page model is
recomputed. So adding or deleting a task, note, decision, time log,
person, risk, client or goal is incremental: its keys (then or now) are
dirty, which takes in every list it is (or was) in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, Container, Iterable, Mapping

from workspace_tool import fields as F
from workspace_tool.gitindex import blob_id
from workspace_tool.model import Document, Link, TimeLog

QUERY_FIELDS = ("project", "assignee", "client", "owner", "goals")
"""Fields `SiteData.where` can select on; each document emits one `q:` key per value of each."""
DERIVED_PREFIXES = ("s:", "f:", "p:", "a:")
EVENTS = "ev"  # the activity (derived: its rows are compared, so an edit that adds no event changes no page that lists them)
BODY = "b:"  # a document's body text: the only key dirtied by an edit that changes nothing but the text
AT = "w:"  # a document file at a path (`SiteData.doc_at`): emitted by the document there, read whether there is one or not
INCREMENTAL_TYPES = frozenset({"task", "note", "decision", "timelog", "person", "risk", "client", "goal"})
"""Documents that can be added or deleted without remaking every page: the pages that read what such a document
emits (then or now) are made again, as for an edit. A new month's time log is the common case (a full build each
month for each person was 16 s at 10,000 documents). Projects are not here: every page lists the open ones in its
navigation (a site-wide value), as it lists the Goals page once there is a goal."""
PRICE_NEUTRAL_TYPES = frozenset({"task", "note", "decision"})
"""Documents whose coming or going changes no priced time (`only_bodies_changed`): time logged against such a
document is logged against no document without it, which is global. A time log's entries are priced time."""


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def query_key(doc_type: str, name: str, value: Any) -> str:
    return f"q:{doc_type}.{name}={'' if value is None else value}"


def emits(doc: Document, resolve: Any) -> list[str]:
    """The keys a document's own text determines (`resolve`: raw reference target -> ID or None)."""
    keys = {f"d:{doc.id}", f"{BODY}{doc.id}", f"{AT}{doc.path}", f"t:{doc.type}", "t:*"}
    if doc.type in ("note", "timelog"):  # `[[stem]]` resolves to it while no other note has the stem (see `Index.resolve`)
        keys.add(f"d:{PurePosixPath(doc.path).stem}")
    for name in QUERY_FIELDS:
        if name != "project" and not hasattr(doc, name):
            continue
        value = getattr(doc, name, None)
        for item in value if isinstance(value, tuple) else (value,):
            keys.add(query_key(doc.type, name, item))
            keys.add(query_key("*", name, item))
    for target in _targets(doc):
        keys.add(f"r:{target}")
        found = resolve(target)
        if found is not None:
            keys.add(f"r:{found}")
    if isinstance(doc, TimeLog):
        keys.update(("e:*", f"e:path={doc.path}"))
        for entry in doc.entries:
            keys.update((f"e:ref={entry.ref}", f"e:person={entry.person}"))
    return [sys.intern(key) for key in sorted(keys)]  # interned: the record stores each key once


@cache
def _reference_fields(doc_type: str) -> tuple[str, ...]:
    return tuple(name for name, spec in F.specs_for(doc_type).items() if spec.is_reference)


def _targets(doc: Document) -> Iterable[str]:
    for name in _reference_fields(doc.type):
        value = getattr(doc, name, None)
        if value is not None:
            yield from value if isinstance(value, tuple) else (value,)
    for link in doc.links:
        yield link.target
    if isinstance(doc, TimeLog):
        for entry in doc.entries:
            yield entry.ref
    previous = doc.extra.get("previous") if doc.type == "task" else None
    if isinstance(previous, str):  # the instance before it shows this one as its next (`SiteData.next_instances`)
        yield previous


def file_fingerprint(root: Path, relpath: str, last: Any = None, root_text: str | None = None) -> str:
    """Size, modification time and a hash of the bytes (the time matters: a working-copy version is dated by it).

    The hash is the parse cache's (`gitindex.blob_id`), so a file the parse
    cache knows (`Index.file_hashes`) gets its print without being read again
    (`print_of`).

    When size and time equal those of `last` (the fingerprint the last build
    took) it is kept without reading the file: the index cache trusts the
    same two values.
    """
    path = os.path.join(root_text if root_text is not None else str(root), relpath)
    if isinstance(last, str):
        try:
            info = os.stat(path)
        except OSError:
            return "missing"
        if last.startswith(f"{info.st_size}:{info.st_mtime_ns}:"):
            return last
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except OSError:
        return "missing"
    return print_of(info.st_size, info.st_mtime_ns, blob_id(data))


def print_of(size: int, mtime_ns: int, hashed: bytes) -> str:
    """A file print (`file_fingerprint`) from a size, a modification time and the hash of the bytes."""
    return f"{size}:{mtime_ns}:{hashed.hex()}"


def same_text(before: Any, now: str) -> bool:
    """Two file prints (`file_fingerprint`) of the same bytes: the same size and hash, whatever the modification times."""
    if before == now:
        return True
    if not isinstance(before, str):
        return False
    then, current = before.split(":"), now.split(":")
    return len(then) == 3 and len(current) == 3 and then[0] == current[0] and then[2] == current[2]


def file_changed(before: Any, now: str, dated: bool) -> bool:
    """Whether a file changed as far as any page can tell: its bytes, or, when `dated`, its modification time too.

    A file is `dated` when it has an uncommitted version (`deps.working_paths`):
    that version is dated by the file's modification time (its page shows the
    day). A file as committed shows no time of its own, so new times alone (a
    fresh clone, a checkout, `touch`) change nothing: a CI build in a fresh
    clone with its `.wm/` restored makes no page model again for them.
    """
    return before != now and (dated or not same_text(before, now))


def working_paths(history: Any) -> frozenset[str]:
    """The document files with an uncommitted version (`file_changed`'s `dated`); none without a history."""
    return frozenset(doc.path for doc in history.working_documents()) if history is not None else frozenset()


def global_key(parts: list[Any]) -> str:
    return _hash(json.dumps(parts, sort_keys=True, default=str))


def pack(items: Iterable[str]) -> str:
    """Keys or links as one text, a line each between line breaks (`"\\nk1\\nk2\\n"`; `""` for none).

    A record holds tens of thousands of these: one string each loads and
    saves several times faster than a list of strings, and whether a page
    read a dirty key is a substring test (`reads_any`). Each item is
    escaped (`\\` and line breaks), so the packed items are the items.
    """
    lines = [item if "\n" not in item and "\\" not in item else item.replace("\\", "\\\\").replace("\n", "\\n") for item in items]
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def unpack(text: str) -> list[str]:
    """The items of a packed text, as packed (escaped): compare them with other packed items, or `unescape` them."""
    return text[1:-1].split("\n") if text else []


def unescape(item: str) -> str:
    if "\\" not in item:
        return item
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), item)


def reads_any(packed: str, dirty: set[str]) -> bool:
    """Whether a page's packed keys hold any of `dirty` (packed items too)."""
    if len(dirty) > 16:
        return not dirty.isdisjoint(unpack(packed))
    return any(f"\n{key}\n" in packed for key in dirty)


@dataclass
class Record:
    """What the last build of one output folder saw: per document file, its fingerprint and emitted keys; per page, its keys."""

    key: str = ""
    files: dict[str, list[Any]] = field(default_factory=dict)  # path -> [fingerprint, packed keys (`pack`), card]
    derived: dict[str, str] = field(default_factory=dict)  # derived key -> fingerprint
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {hash, links or rest, keys (packed), attachments, broken}
    plan_input: str = ""  # the schedule's input fingerprint: while it is the same, so is every `s:` and `f:` fingerprint
    events: list[Any] = field(default_factory=list)  # [committed events' fingerprint, their newest instant] (`HistoryView.events_print`)
    shared: dict[str, str] = field(default_factory=dict)  # folder -> the links every page in it had at the last full build (packed)
    head: str = ""  # the git HEAD the history was read at ("" without one)
    memos: dict[str, list[Any]] = field(default_factory=dict)  # name -> [packed keys, value]: parts of page models kept across builds (`SiteData.memo`)

    @classmethod
    def from_json(cls, data: Any) -> Record:
        if not isinstance(data, dict):
            return cls()
        try:
            return cls(
                str(data.get("key", "")), dict(data.get("files", {})), dict(data.get("derived", {})), dict(data.get("pages", {})), str(data.get("plan_input", "")),
                list(data.get("events", [])), dict(data.get("shared", {})), str(data.get("head", "")), dict(data.get("memos", {})),
            )
        except (TypeError, ValueError):
            return cls()

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "files": self.files, "derived": self.derived, "pages": self.pages, "plan_input": self.plan_input, "events": self.events,
            "shared": self.shared, "head": self.head, "memos": self.memos,
        }

    def valid_memos(self, dirty: set[str]) -> dict[str, tuple[str, Any]]:
        """The memos none of whose keys is in `dirty` (packed): what they hold is what computing them now would give."""
        return {
            name: (entry[0], entry[1])
            for name, entry in self.memos.items()
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and not reads_any(entry[0], dirty)
        }

    def shared_sets(self) -> dict[str, frozenset[str]]:
        """`shared` as sets of links (unescaped), for `page_links` and `links_entry`."""
        return {folder: frozenset(unescape(item) for item in unpack(packed)) for folder, packed in self.shared.items() if isinstance(packed, str)}


def folder_of(path: str) -> str:
    """A site path's folder with its slash (`d/` for `d/x.html`, `` for `index.html`)."""
    return path[: path.rfind("/") + 1]


def shared_links(links: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Per folder, the links every page in it has (packed): the layout's navigation, stylesheet and scripts.

    At 10,000 pages the navigation links were two thirds of the record;
    each page's entry now keeps only the rest (`links_entry`). The shared
    sets are made at a full build and kept while the record's key is the
    same: the navigation is part of the key (the templates' salt), so while
    it holds, every page in the folder still has them.
    """
    common: dict[str, set[str]] = {}
    for path, hrefs in links.items():
        folder = folder_of(path)
        found = common.get(folder)
        if found is None:
            common[folder] = set(hrefs)
        else:
            found.intersection_update(hrefs)
    return {folder: pack(sorted(found)) for folder, found in common.items() if len(found) > 1}


def links_entry(path: str, hrefs: list[str], shared: Mapping[str, frozenset[str]]) -> dict[str, str]:
    """A page's links for its record entry: `rest` beside its folder's shared links when it has them all, else every one as `links`."""
    common = shared.get(folder_of(path))
    if common and common.issubset(hrefs):
        return {"rest": pack([href for href in hrefs if href not in common])}
    return {"links": pack(hrefs)}


def unpacked_links(packed: str) -> list[str]:
    """Links packed by `links_entry`, in their order."""
    return [unescape(item) for item in unpack(packed)]


def page_links(entry: Mapping[str, Any], shared: Mapping[str, frozenset[str]], path: str) -> list[str]:
    """A page's links from its record entry (`links_entry`), sorted as `render.links_in` gives them."""
    rest = entry.get("rest")
    if isinstance(rest, str):
        return sorted(shared.get(folder_of(path), frozenset()).union(unescape(item) for item in unpack(rest)))
    return [unescape(item) for item in unpack(entry.get("links", ""))]


def dirty_keys(
    old: Record, files: dict[str, list[Any]], fingerprint: Any, redated: Container[str] = (), working: Container[str] = ()
) -> set[str]:
    """The keys an edit since `old` may have changed (packed, see `pack`): emitted (then or now) by a changed, new or deleted file, or derived with a new fingerprint.

    A changed file (`file_changed`; `working`: the files with an uncommitted
    version) whose card (everything but the body text) is the same
    dirties only its body key, unless it is in `redated`: files whose
    uncommitted version changes fields and is now of another day (the
    history's dates move with it: flow series, done dates).
    """
    dirty: set[str] = set()
    for path, gone in old.files.items():
        if path not in files and isinstance(gone, list) and len(gone) == 3:  # deleted: what it emitted is gone
            dirty.update(unpack(gone[1]))
    for path, (print_now, keys_now, card_now) in files.items():
        before = old.files.get(path)
        if before is None or file_changed(before[0], print_now, path in working):
            if before is not None and before[2] == card_now and before[1] == keys_now and path not in redated:
                dirty.update(key for key in unpack(keys_now) if key.startswith(BODY))
                continue
            dirty.update(unpack(keys_now))
            if before is not None:
                dirty.update(unpack(before[1]))
    for key, print_then in old.derived.items():
        if fingerprint(key) != print_then:
            dirty.update(unpack(pack([key])))
    return dirty


def only_bodies_changed(
    old: Record, files: dict[str, list[Any]], redated: Container[str] = (), came: Mapping[str, str] | None = None, working: Container[str] = ()
) -> bool:
    """Every document file is unchanged, or changed its body text alone (same card, same keys, not `redated`).

    Without `came`, none came or went. With it (path -> type now), tasks,
    notes and decisions may also have come or gone: such a document changes
    no priced time, as time logged against it would be logged against no
    document without it, which is global (`global_key`).
    """
    if came is None:
        if len(files) != len(old.files):
            return False
    else:
        wanted = {f"t:{doc_type}" for doc_type in PRICE_NEUTRAL_TYPES}
        for path, gone in old.files.items():
            if path not in files and not (isinstance(gone, list) and len(gone) == 3 and wanted.intersection(unpack(gone[1]))):
                return False
    for path, (print_now, keys_now, card_now) in files.items():
        before = old.files.get(path)
        if before is None:
            if came is None or came.get(path) not in PRICE_NEUTRAL_TYPES:
                return False
        elif file_changed(before[0], print_now, path in working) and (before[2] != card_now or before[1] != keys_now or path in redated):
            return False
    return True


HISTORY = "h:"
FLOWS = "h:flows"  # read by every project's flow series: dirtied by a commit to a task in no project, or to one that is gone


def history_keys(paths: Iterable[str], by_path: Mapping[str, Document], histories: Iterable[Any]) -> set[str]:
    """The history keys commits that touched `paths` dirty: the versions of each document at those paths now, and of
    each document history whose (last) path is one of them (`histories`: `DocHistory`); the flow series of the
    projects of the tasks among them, or every flow series when one is in no project or gone. `paths` are document
    files (`history.read.document_filter`): a commit of anything else changes no history."""
    touched = set(paths)
    keys: set[str] = set()
    for path in touched:
        doc = by_path.get(path)
        if doc is not None:
            keys.add(f"{HISTORY}{doc.id}")
            if doc.type == "task":
                keys.add(f"{HISTORY}flow:{doc.project}" if doc.project else FLOWS)
    for found in histories:
        if found.path in touched:
            keys.add(f"{HISTORY}{found.id}")
            if found.type == "task" and found.path not in by_path:  # a task that is gone: in which project did it count?
                keys.add(FLOWS)
    return keys


def print_day(fingerprint: str) -> str | None:
    """The local day of the modification time in a file fingerprint (`file_fingerprint`), as an uncommitted version is dated."""
    try:
        return dt.datetime.fromtimestamp(int(fingerprint.split(":")[1]) / 1e9).astimezone().date().isoformat()
    except (IndexError, ValueError, OverflowError, OSError):
        return None


def is_derived(key: str) -> bool:
    return key.startswith(DERIVED_PREFIXES) or key == EVENTS


def card(doc: Document, diagnostics: Iterable[Any]) -> str:
    """A fingerprint of what a document file gives besides its body text: every parsed field (title, checklist,
    the targets of its links, time entries) and the file's diagnostics. Equal cards and keys: only the text changed.

    A link's line is left out: no page shows it (a diagnostic that names it is in the card), and text written
    above a link moves it down without changing what the file gives.
    """
    return _hash(repr((replace(doc, body="", links=tuple(Link(link.target, 0) for link in doc.links)), tuple(diagnostics))))
