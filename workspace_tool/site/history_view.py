"""What the site shows from the git history (`workspace_tool.history`), when that module is there.

`prepare` turns the history into plain rows once per build: versions with
field changes and diffs (all diffs read through one `git cat-file`),
activity events, and per-project flow series (cumulative flow, burn-up).
Everything is filtered by what the site may show: only visible documents
get versions and events, only visible tasks count in flow series, the
titles and IDs of hidden documents (private ones on the internal site) are
redacted from messages and field changes, their titles from diffs too, and
audience sites get no diffs and no money fields.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import datetime as dt
import hashlib
import heapq
import json
import marshal
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from workspace_tool.cachefile import replace_file
from workspace_tool.model import Person, Project
from workspace_tool.site import charts
from workspace_tool.site.context import SiteData
from workspace_tool.site.contexts import Change, Event, VersionRow
from workspace_tool.site.deps import EVENTS, FLOWS, HISTORY, query_key

MAX_VERSIONS = 30
MAX_DIFFS = 10
MAX_DIFF_LINES = 300
ACTIVITY_DAYS = 120
MAX_POINTS = 120
KEPT_INSTANTS = 512  # the newest committed events' instants kept for `HistoryView.events_print`
REDACTED = "[private]"
MONEY_FIELDS = frozenset({"rate", "budget", "billable"})
PERSONAL_FIELDS = frozenset({"capacity", "leave", "email"})
"""A person's (or client contact's) own details: shown on the internal site only, in fields and in history."""


@dataclass
class HistoryView:
    """The history as site rows, each part made on first use (an incremental build needs few of them)."""

    data: SiteData | None = None
    history: Any = None
    redact: Any = None
    derived: dict[str, Any] = field(default_factory=dict)  # "events" and "flows" (per project), shared across serve rebuilds
    _versions: dict[str, list[VersionRow]] = field(default_factory=dict)

    def versions(self, doc_id: str) -> list[VersionRow]:
        found = self._versions.get(doc_id)
        if found is None:
            found = self._versions[doc_id] = [] if self.data is None else _version_rows(self.data, self.history, doc_id, self.redact)
        return found

    @property
    def events(self) -> list[Event]:
        if self.data is None:
            return []
        if "events" not in self.derived:
            committed, working = self._event_parts()
            self.derived["events"] = [event for _, event in heapq.merge(committed, working, key=_newest_first)]
        events: list[Event] = self.derived["events"]
        return events

    def events_of(self, project: str) -> list[Event]:
        """The events of one project, newest first."""
        groups = self.derived.get("events-by-project")
        if groups is None:
            groups = self.derived["events-by-project"] = {}
            for event in self.events:
                groups.setdefault(event["project"], []).append(event)
        found: list[Event] = groups.get(project, [])
        return found

    def events_print(self, kept: Any = None) -> tuple[str, list[Any]]:
        """The activity's fingerprint, and what a later build may keep of it: [the committed events' fingerprint, the
        instants of the newest `KEPT_INSTANTS` of them, newest first].

        `kept` is that pair from the last build, valid while the git HEAD,
        what is visible and every document's card are the same
        (`Collected.same_cards`). The committed events are then not read when
        each working-copy event is newer than the oldest kept instant (an
        edit made after the last few commits): where each falls among the
        committed ones follows from the kept instants. Otherwise, and without
        `kept`, both parts are made; the fingerprint is the same either way.
        """
        if self.data is None:
            return "-", []
        if kept is not None and "events-committed" not in self.derived:
            committed_print, newest = kept
            working = self._working_events()
            instants = [-instant for instant in newest]  # ascending, for bisect
            if all(len(newest) < KEPT_INSTANTS or instant > newest[-1] for instant, _ in working):
                return _events_digest(committed_print, instants, working), [committed_print, list(newest)]
        committed, working = self._event_parts()
        committed_print = self.derived.get("events-committed-print")
        if committed_print is None:
            committed_print = self.derived["events-committed-print"] = _digest([event for _, event in committed])
        instants = [-instant for instant, _ in committed]
        return _events_digest(committed_print, instants, working), [committed_print, [instant for instant, _ in committed[:KEPT_INSTANTS]]]

    def _event_parts(self) -> tuple[list[tuple[float, Event]], list[tuple[float, Event]]]:
        """The committed and the working copy's events as (instant, site row), each newest first."""
        assert self.data is not None
        if "events-committed" not in self.derived:
            with self.data.untracked():  # kept across builds: a page records `EVENTS`, which every document emits
                people, since = _people(self.data), _since(self.data)
                self.derived["events-committed"] = _shown(self.data, committed_events(self.data, self.history, people, since), self.redact)
        return self.derived["events-committed"], self._working_events()

    def _working_events(self) -> list[tuple[float, Event]]:
        assert self.data is not None
        if "events-working" not in self.derived:
            with self.data.untracked():
                people, since = _people(self.data), _since(self.data)
                self.derived["events-working"] = _shown(self.data, _event_rows(working_documents(self.history), people, since, working=True), self.redact, committed=False)
        found: list[tuple[float, Event]] = self.derived["events-working"]
        return found

    def flow(self, project: str) -> dict[str, Any] | None:
        """Cumulative flow and burndown series of a project's tasks (None when too short or without a task workflow)."""
        if self.data is None:
            return None
        flows = self.derived.setdefault("flows", {})
        if project not in flows:
            with self.data.untracked():  # kept across builds: a page records the project's task queries instead
                flows[project] = _flow(self.data, self.history, project, self.derived)
        found: dict[str, Any] | None = flows[project]
        return found


def _redactor(data: SiteData) -> re.Pattern[str] | None:
    return hidden_pattern(hidden_titles(data), hidden_ids(data))


def hidden_pattern(titles: tuple[str, ...], ids: tuple[str, ...] = ()) -> re.Pattern[str] | None:
    """Any of the titles anywhere, or any of the IDs as a whole word (`design` but not `designer`)."""
    parts = [re.escape(t) for t in titles]
    if ids:
        parts.append(r"(?<![\w-])(?:" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])")
    return re.compile("|".join(parts)) if parts else None


def prepare(data: SiteData) -> HistoryView:
    """The history as site rows (an empty view without the history module); rows are made when first read."""
    history = data.sources.history
    if history is None:
        return HistoryView()
    pattern = _redactor(data)

    def redact(text: str) -> str:
        return pattern.sub(REDACTED, text) if pattern is not None and text else text

    key = (_state(history), data.vis.ids, data.vis.audience, data.today, hidden_titles(data), hidden_ids(data), data.link_docs)
    derived = _DERIVED.get(key)
    if derived is None:
        _DERIVED.clear()
        derived = _DERIVED[key] = {}
    return HistoryView(data, history, redact, derived)


_DERIVED: dict[tuple[Any, ...], dict[str, Any]] = {}
"""Events and flow series by the history state and site settings they came from (kept across serve rebuilds)."""


def _state(history: Any) -> tuple[Any, ...]:
    """What identifies the history: its HEAD and every uncommitted version (path, date, blob, deleted)."""
    working = tuple((d.path, d.versions[-1].date, d.versions[-1].deleted) for d in working_documents(history))
    return (history.head, working)


_SHOWN: dict[Any, str] = {}


def _display(value: Any) -> str:
    """A field value as text (as `wm history` shows it): text as it is, lists of text joined, other scalars memoised."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return ""
    if kind is list:
        try:
            return "[" + ", ".join(value) + "]"  # `display` of a list of text
        except TypeError:  # other items: `display` shows each
            pass
    hashable = isinstance(value, (str, int, float, bool))
    if hashable:
        found = _SHOWN.get((type(value), value))
        if found is not None:
            return found
    from workspace_tool.history.snapshot import display

    text = display(value)
    if hashable and len(_SHOWN) < 100_000:
        _SHOWN[(type(value), value)] = text
    return text


_ROWS: dict[tuple[Any, ...], list[VersionRow]] = {}
"""Version rows by the exact versions and site settings they came from (kept across `wm site serve` rebuilds)."""


def _version_rows(data: SiteData, history: Any, doc_id: str, redact: Any) -> list[VersionRow]:
    """Version rows; the newest versions of internal sites carry a `diff_of` key, and diffs are made only for pages that are rendered."""
    found = history.versions(doc_id)[:MAX_VERSIONS]
    if not found:
        return []
    shown = None if data.vis.audience.internal else (data.vis.ids, _authors(data)[1])  # audience rows name only people the site shows
    key = (data.vis.audience, data.money, hidden_titles(data), hidden_ids(data), shown, doc_id, tuple((v.commit, v.blob, v.old_blob, v.date, v.path, v.deleted) for v in found))
    cached = _ROWS.get(key)
    if cached is None:
        if len(_ROWS) > 200_000:
            _ROWS.clear()
        cached = _ROWS[key] = _rows(data, found, redact)
    return cached


def _rows(data: SiteData, found: list[Any], redact: Any) -> list[VersionRow]:
    money = data.money
    people = None if data.vis.audience.internal else _people(data)
    rows: list[VersionRow] = []
    for n, version in enumerate(found):
        changes: list[Change] = [
            {"field": c.field, "old": redact(_display(c.old)), "new": redact(_display(c.new))}
            for c in version.changes
            if (money or c.field not in MONEY_FIELDS) and (people is None or c.field not in PERSONAL_FIELDS)
        ]
        row: VersionRow = {
            "commit": (version.commit or "uncommitted")[:10],
            "author": version.author if people is None else _shown_author(data, people, version),
            "date": version.date.date().isoformat(),
            "message": redact(version.message.split("\n", 1)[0]) if version.commit else "working copy (not committed)",
            "changes": changes,
            "diff": "",
        }
        if data.vis.audience.internal and n < MAX_DIFFS and not version.unparseable:
            # blob IDs identify the texts, so the page hash changes exactly when the diff would
            row["diff_of"] = [version.old_blob, version.blob, version.old_path or version.path, version.path, version.commit is None, version.deleted]
        rows.append(row)
    return rows


_KEPT_TEXTS: dict[str, bytes] = {}
"""The texts a cold history read kept (`history.texts`), while a full build makes its pages (`kept_texts`)."""


@contextlib.contextmanager
def kept_texts(root: Path) -> Iterator[None]:
    """Diffs take their texts from `.wm/history-texts.marshal` within this block (loaded before the workers fork, so
    they share it), and from git only when it lacks one; the texts are dropped at the end (a server keeps none)."""
    from workspace_tool.history.texts import load

    _KEPT_TEXTS.update(load(root))
    try:
        yield
    finally:
        _KEPT_TEXTS.clear()


def with_diff_texts(root: Any, pages: list[Any]) -> list[Any]:
    """The pages with the old and new texts of each `diff_of` row attached (kept ones, the others through one
    `git cat-file`), for the render stage."""
    from dataclasses import replace

    wanted = [row for page in pages for row in page.context.get("history", ()) if "diff_of" in row]
    if not wanted:
        return pages
    texts: dict[str, str | None] = {}
    kept = _KEPT_TEXTS
    shas = []
    for row in wanted:
        for sha in row["diff_of"][:2]:
            if sha and sha not in texts:
                found = kept.get(sha)
                if found is None:
                    shas.append(sha)
                else:
                    texts[sha] = found.decode("utf-8", "replace")
    if shas:
        from workspace_tool.history.blobs import read_blobs
        from workspace_tool.history.gitrepo import GitRepo

        repo = GitRepo.open(root)
        if repo is not None:
            with repo:
                texts.update((sha, None if data is None else data.decode("utf-8", "replace")) for sha, data in read_blobs(repo, shas).items())
    from workspace_tool.loader import read_text

    result = []
    for page in pages:
        rows = page.context.get("history")
        if not rows or not any("diff_of" in r for r in rows):
            result.append(page)
            continue
        new_rows: list[VersionRow] = []
        for row in rows:
            if "diff_of" in row:
                old_blob, new_blob, old_path, path, working, deleted = row["diff_of"]
                old = texts.get(old_blob) if old_blob else None
                new = None if deleted else (read_text(root, path)[0] if working else texts.get(new_blob) if new_blob else None)
                row = {**row, "texts": [old, new, old_path, path]}
            new_rows.append(row)
        result.append(replace(page, context={**page.context, "history": new_rows}))
    return result


def make_diffs(rows: list[VersionRow], hidden: re.Pattern[str] | None) -> list[VersionRow]:
    """Rows with their `texts` turned into a redacted, capped unified diff (runs in the render workers)."""
    from workspace_tool.history.diff import unified

    result = []
    for row in rows:
        if "texts" in row:
            old, new, old_path, path = row["texts"]
            lines = unified(old, new, old_path, path).splitlines()
            if len(lines) > MAX_DIFF_LINES:
                lines = lines[:MAX_DIFF_LINES] + [f"… {len(lines) - MAX_DIFF_LINES} more lines"]
            text = "\n".join(lines)
            row = {**row, "diff": hidden.sub(REDACTED, text) if hidden is not None and text else text}
        result.append(row)
    return result


def _shown_author(data: SiteData, people: dict[str, str], version: Any) -> str:
    """A version's author on an audience site: named when a person this site shows, else "someone" (as in the activity)."""
    person = people.get((version.email or "").lower()) or people.get((version.author or "").lower())
    return version.author if person is not None and person in data.vis.ids else "someone"


def hidden_titles(data: SiteData) -> tuple[str, ...]:
    """The titles of documents this site does not show (redacted wherever history text could name them)."""
    if data._hidden is None:
        data._hidden = _hidden_titles(data)
    return data._hidden


def hidden_ids(data: SiteData) -> tuple[str, ...]:
    """The IDs of the documents this site does not show, redacted wherever history text could name them (a private
    note created in the commit that also touched a public time log, another client's task in a field's old value):
    private documents on the internal site (none with `--include-private`), and everything outside the audience's
    view on a client's or a team's."""
    if data._hidden_ids is None:
        ids = {doc_id for doc_id in data.index.docs if doc_id not in data.vis.ids and len(doc_id) >= 3}
        data._hidden_ids = tuple(sorted(ids, key=lambda i: (-len(i), i)))
    return data._hidden_ids


def _hidden_titles(data: SiteData) -> tuple[str, ...]:
    titles = {d.title for d in data.index.docs.values() if d.id not in data.vis.ids and len(d.title) >= 3}
    return tuple(sorted(titles, key=lambda t: (-len(t), t)))  # longest first (the pattern tries them in order); then fixed


def _people(data: SiteData) -> dict[str, str]:
    """Who commit authors are (`people_by_key`), once per build."""
    return _authors(data)[0]


def _authors(data: SiteData) -> tuple[dict[str, str], frozenset[tuple[str, str]]]:
    if data._authors is None:  # the history module is optional: imported when there is history
        from workspace_tool.history.activity import people_by_key

        people = people_by_key(data.index.of_type(Person))
        data._authors = (people, frozenset(people.items()))
    return data._authors


def _since(data: SiteData) -> dt.datetime:
    return dt.datetime.combine(data.today - dt.timedelta(days=ACTIVITY_DAYS), dt.time(0), dt.UTC)


def _shown(data: SiteData, rows: list[EventRow], redact: Any, committed: bool = True) -> list[tuple[float, Event]]:
    """Event rows as site rows with their instants, newest first (a stable sort: rows of the same instant keep their order);
    events of documents this site does not show, or dated after today, are left out. A committed event's row carries
    its commit's instant (the dashboard sums up a large commit by it); a working copy's does not: a file's time moves
    with every save, and the activity's fingerprint would with it."""
    rows = sorted(rows, key=_instant, reverse=True)
    today = data.today.isoformat()
    found: list[tuple[float, Event]] = []
    unsaid = _unsaid_fields(data)
    for instant, day, actor, doc_id, kind in rows:
        doc = data.index.get(doc_id)
        if doc is None or doc.id not in data.vis or day > today:
            continue
        if unsaid is not None and unsaid.search(kind):
            kind = f"edited {doc_id}"  # the change was to a field this site does not show
        event: Event = {
            "date": day,
            "kind": redact(kind),
            "author": actor if actor in data.vis or data.vis.audience.internal else "someone",
            "ref": data.ref(doc.id),
            "type": doc.type,
            "project": doc.id if isinstance(doc, Project) else doc.project,
        }
        if committed:
            event["instant"] = instant
        found.append((instant, event))
    return found


def _unsaid_fields(data: SiteData) -> re.Pattern[str] | None:
    """How an event names a change of a field this site leaves out (`activity.phrases`: `set F of`, `changed F of`,
    `removed F from`): people's own details on an audience site, money where money is not shown."""
    fields = set() if data.vis.audience.internal else set(PERSONAL_FIELDS)
    if not data.money:
        fields |= MONEY_FIELDS
    if not fields:
        return None
    names = "|".join(sorted(fields))
    return re.compile(rf"(?:^|, )(?:(?:set|changed) (?:{names}) of |removed (?:{names}) from )")


def _events_digest(committed_print: str, instants: list[float], working: list[tuple[float, Event]]) -> str:
    """The activity's fingerprint: the committed events', and each working-copy event with the number of committed
    events listed before it (`instants`: the committed events' instants negated, ascending; newer ones all there)."""
    return _digest([committed_print, [(bisect.bisect_right(instants, -instant), event) for instant, event in working]])


def _newest_first(pair: tuple[float, Event]) -> float:
    return -pair[0]


def _digest(value: Any) -> str:
    """A fingerprint of rows of plain values, the same for equal values (JSON: a pickle depends on which equal objects are shared)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


EventRow = tuple[float, str, str, str, str]
"""An event as cached: (UTC timestamp, the author's local date, actor, document ID, what happened in words)."""
EVENTS_CACHE = ".wm/site-events.marshal"
"""The committed events a site can show (dated up to its today), newest first, under their key (`committed_events`)."""
EVENTS_BY_DOCUMENT = ".wm/site-events-by-document.marshal"
"""Each document's committed events under the same key: read only after new commits, to make again only the touched documents'."""
EVENTS_FORMAT = 3


def _instant(row: EventRow) -> float:
    return row[0]


def working_documents(history: Any) -> list[Any]:
    """The documents whose last version is the working copy (not committed)."""
    found: list[Any] = history.working_documents()
    return found


def _events_child(root: Path) -> str:
    """The key (`background`) of the child `make_events_beside` forks for the workspace at `root`."""
    return f"site-events:{os.path.realpath(root)}"


def make_events_beside(data: SiteData, history: Any) -> bool:
    """Fork a child that makes the committed events and keeps them on disk (`committed_events`); True when one started.

    A cold build calls it as soon as the history is read: this process then
    makes the plan (0.1 s at 2,000 documents) while the other core, which
    read the history until then, would be idle; without the child this
    process made the events later, for the feeds, while a page worker waited
    for its share of the cores. `committed_events` waits for the child, then
    finds the events on disk. `data` needs no sources: the history is `history`.
    """
    from workspace_tool import background

    return background.fork(_events_child(data.index.root), lambda: committed_events(data, history, _people(data), _since(data)))


_COMMITTED: dict[str, tuple[list[Any], list[EventRow]]] = {}
"""The last committed events read or made in this process, by cache file: a resident server reads them once per commit."""


def committed_events(data: SiteData, history: Any, people: dict[str, str], since: dt.datetime) -> list[EventRow]:
    """The events of every committed version since `since` and dated up to the site's today, newest first.

    They depend only on the commits (HEAD), the settings that say what a
    document is, who the people are and today (`since` is counted from it),
    so they are kept in `.wm/site-events.marshal` under those, and each
    document's apart in `.wm/site-events-by-document.marshal`: an
    uncommitted edit reads only the first and makes only the working copy's
    events again, and after new commits (the kept HEAD an ancestor of the
    new one) only the events of the documents they touched are made again.
    Events dated after today, which no page shows, are not kept in the
    first (a history dated past the site's today, as the benchmark's is,
    would otherwise be read and skipped at every edit). (marshal holds only
    plain values, so a damaged or planted file cannot run code; both are
    disposable.)
    """
    from workspace_tool import background
    from workspace_tool.cache import settings_fingerprint
    from workspace_tool.codeprint import code_version
    from workspace_tool.history.read import changed_documents

    background.wait(_events_child(data.index.root))  # a child making them (`make_events_beside`) has kept them on disk
    key = [EVENTS_FORMAT, code_version(), history.head, settings_fingerprint(data.settings), since.timestamp(), sorted(people.items())]
    path = data.index.root / EVENTS_CACHE
    by_document = data.index.root / EVENTS_BY_DOCUMENT
    remembered = _COMMITTED.get(str(path))
    if remembered is not None and remembered[0] == key:  # `wm site serve`: the same commit as the last build
        return remembered[1]
    groups: dict[Any, list[EventRow]] = {}
    touched: frozenset[str] | None = None  # the paths commits since the kept HEAD touched; None: make every document's again
    try:
        kept = marshal.loads(path.read_bytes())
        if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[0], list):
            if kept[0] == key and isinstance(kept[1], list):
                rows: list[EventRow] = kept[1]
                _COMMITTED.clear()
                _COMMITTED[str(path)] = (key, rows)
                return rows
            if kept[0][:2] + kept[0][3:] == key[:2] + key[3:] and isinstance(kept[0][2], str):  # all the same but the HEAD
                touched = changed_documents(data.index.root, data.settings, kept[0][2], history.head)
                found = marshal.loads(by_document.read_bytes()) if touched is not None else None
                valid = isinstance(found, tuple) and len(found) == 2 and found[0] == kept[0] and isinstance(found[1], dict)
                groups = found[1] if valid else {}  # type: ignore[index]
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass
    rows, groups = _grouped_event_rows(history.documents, people, since, groups, touched or frozenset())
    today = data.today.isoformat()
    rows = [row for row in rows if row[1] <= today]
    _COMMITTED.clear()
    _COMMITTED[str(path)] = (key, rows)
    try:
        for target, value in ((by_document, groups), (path, rows)):  # the rows last: they name the key the groups are read under
            replace_file(target, marshal.dumps((key, value)))
    except (OSError, ValueError):
        pass  # a read-only workspace makes them every time
    return rows


def _grouped_event_rows(
    docs: Any, people: dict[str, str], since: dt.datetime, kept: dict[Any, list[EventRow]], touched: frozenset[str]
) -> tuple[list[EventRow], dict[Any, list[EventRow]]]:
    """Every document's committed events (kept ones for documents `touched` does not name), newest first, and by document.

    A document is known by its ID, path and type; its events are newest
    first, and merged in the order of `docs`, so the order of events of the
    same instant is the order of one pass over every document.
    """
    docs = list(docs)
    names = [(doc.id, doc.path, doc.type) for doc in docs]
    twice = {name for name, count in collections.Counter(names).items() if count > 1}  # two histories known alike: made again, not kept
    groups: dict[Any, list[EventRow]] = {}
    ordered: list[EventRow] = []
    for doc, name in zip(docs, names):
        found = kept.get(name) if doc.path not in touched and name not in twice else None
        if not isinstance(found, list):
            found = _event_rows((doc,), people, since, working=False)
        if found and name not in twice:
            groups[name] = found
        ordered.extend(found)
    ordered.sort(key=_instant, reverse=True)
    return ordered, groups


def _event_rows(docs: Any, people: dict[str, str], since: dt.datetime, working: bool) -> list[EventRow]:
    """Events (`history.activity`) of the committed versions of `docs`, or of their working copies, newest first."""
    from workspace_tool.history.activity import events

    return [
        (event.date.timestamp(), event.date.date().isoformat(), event.actor, event.doc_id, ", ".join(event.phrases))
        for event in events(docs, people, since)
        if (event.commit is None) == working
    ]


def _flow(data: SiteData, history: Any, project: str, derived: dict[str, Any]) -> dict[str, Any] | None:
    """The series of one project, from the histories of the visible tasks in it now (or, without a project now, then)."""
    from workspace_tool.history.flow import series, task_flow

    workflow = data.settings.workflow("task")
    if workflow is None:
        return None
    now = dt.datetime.combine(data.today, dt.time(23, 59), dt.UTC)
    groups = derived.get("task-histories")
    if groups is None:
        groups = derived["task-histories"] = {}
        for number, doc in enumerate(history.documents):
            if doc.type == "task" and not doc.deleted and doc.id in data.vis:
                groups.setdefault(getattr(data.index.get(doc.id), "project", None), []).append((number, doc))
    flows = []
    for _, doc in sorted(groups.get(project, []) + groups.get(None, []), key=lambda pair: pair[0]):
        flow = task_flow(doc, workflow, data.settings, now)
        task = data.index.get(doc.id)
        if flow is not None and (getattr(task, "project", None) or flow.project) == project:
            flows.append(flow)
    if not flows:
        return None
    entered = {f.id: day for f in flows if (day := f.entered_day(workflow.default)) is not None}  # the board's days in a column
    begin = min(f.created_at.date() for f in flows)
    if (data.today - begin).days < 2:
        return {"entered": entered}
    days = (data.today - begin).days + 1
    found: dict[str, Any] = series(flows, workflow, begin, data.today, every=max(1, -(-days // MAX_POINTS)))  # the charts' points
    found["entered"] = entered
    return found


def flow_chart(data: SiteData, project: Project, chart_id: str) -> str:
    """Cumulative flow: tasks per status per day, from the history."""
    found = project_flow(data, project.id)
    if not found or len(found.get("cumulative_flow", ())) < 2:
        return ""
    rows = found["cumulative_flow"]
    workflow = data.settings.workflow("task")
    statuses = [s for s in (workflow.statuses if workflow else ()) if any(r.get(s) for r in rows)]
    done_first = sorted(statuses, key=lambda s: (not data.settings.workflows["task"].is_done(s), -statuses.index(s)))
    layers = [charts.Series(s, tuple(float(r.get(s, 0)) for r in rows)) for s in done_first]
    return charts.stacked_area(chart_id, "Cumulative flow: tasks by status", [r["date"] for r in rows], layers, "Tasks")


def burn_chart(data: SiteData, project: Project, chart_id: str) -> str:
    """Burn-up and burndown from the history: scope, completed and remaining estimate hours per day."""
    found = project_flow(data, project.id)
    if not found or len(found.get("burndown", ())) < 2:
        return ""
    rows = found["burndown"]
    series = [
        # a task under way counts its `remaining:` where set, not its first estimate: so the scope is not the header's
        # "of N h estimated", and the name says what it is
        charts.Series("scope (completed + remaining)", tuple(r["scope_hours"] for r in rows)),
        charts.Series("completed", tuple(r["done_hours"] for r in rows)),
        charts.Series("remaining", tuple(r["remaining_hours"] for r in rows)),
    ]
    return charts.line_chart(chart_id, "Burn-up and burndown (estimate hours, from history)", [r["date"] for r in rows], series, "Estimated hours")


def entered_status(data: SiteData, project: str) -> dict[str, dt.date]:
    """The day each of a project's tasks entered its status, by task ID (from its history; none without one)."""
    found = project_flow(data, project)
    return {task_id: dt.date.fromisoformat(day) for task_id, day in found.get("entered", {}).items()} if found else {}


def status_since(data: SiteData, task: Any) -> dt.date | None:
    """The day an open task entered its status, from its own history (`history.flow.entered_days`, as `wm board`
    tells it), for its page; None when done, or when the history does not tell. It reads what the task's version
    rows read."""
    from workspace_tool.history.flow import entered_days

    data.read(f"d:{task.id}")
    data.read(f"{HISTORY}{task.id}")
    history = getattr(data.history, "history", None)  # (an empty view, or none, without git)
    if history is None or data.is_done(task):
        return None
    return entered_days(history, [task.id], data.today).get(task.id)


def project_flow(data: SiteData, project: str) -> dict[str, Any] | None:
    """A project's flow series (and `entered`, the ISO day each task entered its status): read from the histories of
    the tasks in it (and of those in no project, which may count by their past).

    A memo (`SiteData.memo`): kept across builds until a task of the project
    (or of none) changes or comes or goes, or a commit touches one. An edit
    that moves the plan remakes the pages of every project with a task whose
    dates moved, and their flows took most of that (40 projects at 10,000
    documents: 0.5 s).
    """

    def compute() -> dict[str, Any] | None:
        data.read(query_key("task", "project", project))
        data.read(query_key("task", "project", None))
        data.read(f"{HISTORY}flow:{project}")
        data.read(FLOWS)
        found: dict[str, Any] | None = data.history.flow(project)
        if found is not None and "entered" in found:  # a memo holds plain values
            found = {**found, "entered": {task_id: day.isoformat() for task_id, day in found["entered"].items()}}
        return found

    return data.memo(f"flow:{project}", compute)


def versions(data: SiteData, doc_id: str) -> list[VersionRow]:
    """A document's version rows: its committed history (`h:`, dirtied by a commit that touches it) and working copy."""
    data.read(f"d:{doc_id}")
    data.read(f"{HISTORY}{doc_id}")
    rows: list[VersionRow] = data.history.versions(doc_id)
    return rows


def history_events(data: SiteData, project: str | None = None) -> list[Event]:
    """The activity, newest first (of one project: grouped once, the feeds ask for each of them)."""
    data.read(EVENTS)
    if project is None:
        return list(data.history.events)
    return list(data.history.events_of(project))
