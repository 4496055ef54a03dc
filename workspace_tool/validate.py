"""Workspace-wide checks over a built index: references, types, statuses, cycles, time entries.

Per-file problems (YAML, values) come from the parser; these need the
whole workspace. Index in, diagnostics out; the one I/O is reading again the
frontmatter of a file whose list item a diagnostic is about (`_ItemLines`).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Iterable

from workspace_tool import fields as F
from workspace_tool.errors import Diagnostic
from workspace_tool.index import Index, Reference, nfc_id
from workspace_tool.itemlines import value_line
from workspace_tool.model import Document, Person, Task, TimeEntry, TimeLog
from workspace_tool.parse import split_frontmatter

_ENTRY_TARGETS = ("task", "project")


def check_index(index: Index) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    items = _ItemLines(index)
    found.extend(_duplicates(index))
    found.extend(_references(index, items))
    found.extend(_statuses(index))
    found.extend(_cycles(index, items))
    found.extend(_subtask_projects(index))
    found.extend(_timelogs(index))
    found.extend(_stale_invoices(index, items))
    found.extend(_capacities(index))
    found.extend(_series(index))
    return found


def _series(index: Index) -> Iterable[Diagnostic]:
    """A `done:` date on a task that is not done (a merge, or a reopening by hand, left it: reports date the task by
    it); and two instances of a recurring task that continue the same one (`previous:`), both open: the series forked
    (two clones each completed it, then merged), and each would make its own next instance."""
    continuing: dict[str, list[Task]] = defaultdict(list)
    for task in index.of_type(Task):
        if task.done is not None and not index.is_done(task):
            yield Diagnostic(
                task.path, task.line_of("done"), "warning", "done-not-done",
                f"done: {task.done} on a task that is {task.status}; remove the date, or move the task to a done status",
            )
        previous = task.extra.get("previous")
        if isinstance(previous, str) and not index.is_done(task):
            continuing[previous].append(task)
    for previous, tasks in sorted(continuing.items()):
        if len(tasks) > 1:
            ids = sorted(t.id for t in tasks)
            for task in tasks:
                yield Diagnostic(
                    task.path, task.line_of("previous"), "warning", "forked-series",
                    f"{len(tasks)} open instances continue {previous!r} ({', '.join(ids)}): keep one (cancel or delete the others), "
                    "or each makes its own next instance",
                )


def _capacities(index: Index) -> Iterable[Diagnostic]:
    """`capacity: 0.5` is half an hour a day: most likely a share of a day, as other tools write it."""
    per_day = index.settings.calendar.hours_per_day
    for person in index.of_type(Person):
        capacity = person.capacity
        if capacity is not None and 0 < capacity <= 1 and per_day > 1:
            yield Diagnostic(
                person.path, person.line_of("capacity"), "warning", "small-capacity",
                f"capacity {capacity:g} is hours a day ({capacity * 60:g} minutes); for {capacity:.0%} of a {per_day:g}-hour day "
                f"write capacity: {capacity * per_day:g}",
            )


def _stale_invoices(index: Index, items: _ItemLines) -> Iterable[Diagnostic]:
    """At the invoice's line of the entry (`invoice:` → `entries:` → `- {path: ...}`)."""
    from workspace_tool.reports.billing import INVOICE_KEY, stale_invoiced

    for stale in stale_invoiced(index):
        listed = stale.invoice.extra[INVOICE_KEY].get("entries") or ()
        number = next((n for n, item in enumerate(listed) if item is stale.item), None)
        line = stale.invoice.line_of(INVOICE_KEY)
        if number is not None:
            line = items.at(stale.invoice, (INVOICE_KEY, "entries", number), line)
        yield Diagnostic(
            stale.invoice.path, line, "warning", "invoiced-entry-changed",
            f"invoiced entry {stale.describe()} is no longer in its time log: edited or removed after invoicing? An edited entry "
            "counts as unbilled again in full; put it back as it was invoiced, and log a correction as an entry of its own",
        )


def _duplicates(index: Index) -> Iterable[Diagnostic]:
    """A `duplicate-id` error at every file of an ID that two or more documents have, naming the others."""
    reported: set[str] = set()
    for first, _ in index.duplicates:
        if first.id in reported:
            continue
        reported.add(first.id)
        holders = index.same_id(first.id)
        for doc in holders:
            others = ", ".join(_other_path(other, doc) for other in holders if other is not doc)
            yield Diagnostic(
                doc.path, doc.line_of("id"), "error", "duplicate-id",
                f"duplicate ID {doc.id!r}: also used by {others}; give one of them an 'id:' of its own (or another file name)",
            )


def _other_path(other: Document, doc: Document) -> str:
    """`other`'s path, said to differ from `doc`'s only in Unicode normalization when it does (`café.md` twice)."""
    if other.path.isascii() or nfc_id(other.path) != nfc_id(doc.path):
        return other.path
    return f"{other.path} (the same file name in another Unicode normalization: rename or remove one)"


def _targets(index: Index, ref: Reference) -> tuple[str, ...]:
    return _field_targets(index.docs[ref.source].type, ref.field)


@cache
def _field_targets(source_type: str, field: str) -> tuple[str, ...]:
    """The types a reference field may name (none for `[[links]]`, which may name anything)."""
    if field == "entry":
        return _ENTRY_TARGETS
    if field == "link":
        return ()
    spec = F.specs_for(source_type).get(field)
    return spec.target if spec else ()


class _ItemLines:
    """The line of one item of a document's list field (`depends_on:` written as a block list, an ID a line), for a
    diagnostic about that item. The index keeps only the top-level keys' lines, so the frontmatter is read again
    from the file, and only when such a diagnostic is made (each file once): documents without problems cost
    nothing. The key's line when the file cannot be read or has changed since it was parsed."""

    def __init__(self, index: Index) -> None:
        self._root = index.root
        self._stats = index.file_stats
        self._frontmatter: dict[str, tuple[str, int] | None] = {}

    def line(self, doc: Document, field: str, target: str, line: int) -> int:
        """The line of `target` in `doc`'s list `field` (its first occurrence); `line` (the key's) when it is no list item."""
        values = getattr(doc, field, None)
        if values.__class__ is not tuple or target not in values:
            return line
        return self.at(doc, (field, values.index(target)), line)

    def at(self, doc: Document, path: tuple[str | int, ...], line: int) -> int:
        """The line of the value at `path` in `doc`'s frontmatter (`itemlines.value_line`), else `line`."""
        if doc.path not in self._frontmatter:
            self._frontmatter[doc.path] = _frontmatter_of(self._root, doc.path, self._stats.get(doc.path))
        found = self._frontmatter[doc.path]
        if found is None:
            return line
        text, offset = found
        return value_line(text, path, offset) or line

    def of(self, index: Index, ref: Reference) -> int:
        """A reference's line: its item's, for a reference from a list field."""
        return self.line(index.docs[ref.source], ref.field, ref.target, ref.line)


def _frontmatter_of(root: Path, relpath: str, stat: tuple[int, int] | None) -> tuple[str, int] | None:
    """A file's frontmatter and the number of lines above it; None when unreadable, without frontmatter, or other
    than when the index was made (`stat`: its size and mtime then)."""
    path = root / relpath
    try:
        if stat is not None:
            info = path.stat()
            if (info.st_size, info.st_mtime_ns) != stat:
                return None
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    split = split_frontmatter(text.replace("\r\n", "\n").replace("\r", "\n"), relpath)
    return None if split.frontmatter is None else (split.frontmatter, split.fm_line - 1)


def _references(index: Index, items: _ItemLines) -> Iterable[Diagnostic]:
    unreadable = index.unreadable_ids() if index.unresolved else {}
    folders = index.unreadable_folders() if index.unresolved else {}
    into: dict[str, int] = dict.fromkeys(folders, 0)
    for ref in index.unresolved:
        source = index.docs[ref.source]
        types = _targets(index, ref)
        kind = " or ".join(types) if types else "document"
        what = "link to" if ref.field == "link" else f"{ref.field}:"
        message = f"{what} unknown {kind} {ref.target!r}"
        if ref.target in unreadable:
            message += f": its file {unreadable[ref.target]} could not be read (fix the error there)"
        elif sharing := index.ambiguous(ref.target):
            example = f"[[{sharing[0]}]]" if ref.field == "link" else repr(sharing[0])
            message = (
                f"{what} ambiguous {kind} {ref.target!r}: {len(sharing)} notes have that name ({', '.join(sharing)}); "
                f"name the one meant by its ID, e.g. {example}"
            )
        elif within := _folders_holding(ref.target, folders):
            for folder in within:
                into[folder] += 1
            message += f": it may be in {_named(within)}, which could not be read (fix that first)"
        elif hint := index.nearest_id(ref.target, types):
            message += f" — did you mean {hint!r}?"
        severity = "warning" if ref.field == "link" else "error"
        yield Diagnostic(source.path, items.of(index, ref), severity, "unknown-ref", message)
    for folder, count in into.items():
        if count:
            yield Diagnostic(
                folder, folders[folder].line, "warning", "unreadable",
                f"so {count} reference{'s' * (count != 1)} to unknown documents may point into it: fix this folder first (they are "
                "reported where they are made until then)",
            )
    yield from _wrong_types(index, items)


def _folders_holding(target: str, folders: dict[str, Diagnostic]) -> list[str]:
    """The unreadable folders that may hold the document `target` names: a note's or time log's ID is its path
    (`notes/a/kickoff`), so only a folder above it; any other ID is a file name or an `id:`, which may be anywhere."""
    if not folders:
        return []
    if "/" not in target:
        return list(folders)
    return [folder for folder in folders if folder == "." or target.startswith(f"{folder}/")]


def _named(folders: list[str]) -> str:
    shown = ", ".join(f"{folder}/" for folder in folders[:3])
    more = f" and {len(folders) - 3} more" if len(folders) > 3 else ""
    return f"the folder {shown}" if len(folders) == 1 else f"one of the folders {shown}{more}"


def _wrong_types(index: Index, items: _ItemLines) -> Iterable[Diagnostic]:
    docs = index.docs
    for ref in index.references:
        target = index.resolve(ref.target)
        if target is None:
            continue
        source = docs[ref.source]
        types = _field_targets(source.type, ref.field)
        if types and target.type not in types:
            yield Diagnostic(
                source.path, items.of(index, ref), "error", "wrong-type",
                f"{ref.field}: {ref.target!r} is a {target.type}, not a {' or '.join(types)}",
            )
        if target.is_private and not source.is_private:
            yield Diagnostic(
                source.path, items.of(index, ref), "warning", "private-ref",
                f"public document refers to private {target.type} {target.id!r}; the site shows it as a bare ID and exports leave it out",
            )


def _statuses(index: Index) -> Iterable[Diagnostic]:
    for doc in index.docs.values():
        workflow = index.workflow(doc)
        status = getattr(doc, "status", None)
        if workflow is None or status is None or status in workflow.statuses:
            continue
        hint = workflow.suggest(status)
        message = f"status: unknown {doc.type} status {status!r} (use {', '.join(workflow.statuses)})"
        if hint:
            message = f"status: unknown {doc.type} status {status!r} — did you mean {hint!r}? (use {', '.join(workflow.statuses)})"
        yield Diagnostic(doc.path, doc.line_of("status"), "error", "unknown-status", message)


def find_cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Every elementary cycle found by a depth-first search, each listed in order once."""
    color: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in sorted(edges):
        if color.get(start):
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        path = [start]
        color[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)  # type: ignore[call-overload]
            if child is None:
                stack.pop()
                path.pop()
                color[node] = 2
                continue
            state = color.get(child, 0)
            if state == 1:
                cycles.append(path[path.index(child):] + [child])
            elif state == 0 and child in edges:
                color[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(edges.get(child, ())))))
    return cycles


def _cycles(index: Index, items: _ItemLines) -> Iterable[Diagnostic]:
    tasks = index.of_type(Task)
    for field in ("depends_on", "parent"):
        edges: dict[str, list[str]] = {}
        for task in tasks:
            value = getattr(task, field)
            targets = value if isinstance(value, tuple) else ((value,) if value else ())
            edges[task.id] = [t for t in targets if isinstance(index.docs.get(t), Task)]
        for cycle in find_cycles(edges):
            first = index.docs[cycle[0]]
            chain = " -> ".join(cycle)
            line = items.line(first, field, cycle[1], first.line_of(field))  # at the dependency on the next task
            yield Diagnostic(first.path, line, "error", "cycle", f"{field} cycle: {chain}")
    yield from _parent_cycles(index, tasks, items)


START, END = "\x00start", "\x00end"


def _parent_cycles(index: Index, tasks: list[Task], items: _ItemLines) -> Iterable[Diagnostic]:
    """Dependencies the scheduler cannot order because of the subtask rule (`subtask_rule_cycles`): `wm schedule`
    leaves such tasks out as a dependency cycle; said here too, at the dependency."""
    for names in subtask_rule_cycles(tasks):
        first = index.docs[names[0]]
        waited = names[1] if names[1] in getattr(first, "depends_on", ()) else names[-1]
        yield Diagnostic(
            first.path, items.line(first, "depends_on", waited, first.line_of("depends_on")), "error", "cycle",
            f"dependency cycle through a parent: {' -> '.join(names)} (a subtask starts after its parent starts and the parent "
            "ends after its subtasks, so a task cannot wait for its parent or its own subtask): remove one of these dependencies",
        )


def subtask_rule_cycles(tasks: Iterable[Task]) -> list[list[str]]:
    """The cycles that dependencies make through the subtask rule (a subtask starts after its parent starts, and its
    parent ends after it), as the scheduler orders tasks: a subtask that depends on its parent (or on a task that waits
    for the parent), or a parent that depends on its subtask. Each as the task IDs in order, from one that waits
    (`depends_on`) for the next. Cycles of `depends_on` alone are not listed (the `depends_on cycle` error). Pure."""
    tasks = list(tasks)
    ids = {t.id for t in tasks}
    if not any(t.parent in ids for t in tasks):
        return []
    edges: dict[str, list[str]] = defaultdict(list)
    for task in tasks:
        edges[task.id + START].append(task.id + END)
        for dep in task.depends_on:
            if dep in ids:
                edges[dep + END].append(task.id + START)
        if task.parent in ids and task.parent != task.id:
            edges[task.parent + START].append(task.id + START)
            edges[task.id + END].append(task.parent + END)
    seen: set[frozenset[str]] = set()
    found: list[list[str]] = []
    for cycle in find_cycles(dict(edges)):
        steps = list(zip(cycle, [*cycle[1:], cycle[0]]))
        through_parent = any(a.endswith(START) and b.endswith(START) or a.endswith(END) and b.endswith(END) for a, b in steps)
        names = list(dict.fromkeys(node.split("\x00")[0] for node in cycle))
        if not through_parent or frozenset(names) in seen:
            continue
        seen.add(frozenset(names))
        waiting = next((b.split("\x00")[0] for a, b in steps if a.endswith(END) and b.endswith(START)), names[0])
        found.append(names[names.index(waiting):] + names[: names.index(waiting)])
    return found


def _subtask_projects(index: Index) -> Iterable[Diagnostic]:
    for task in index.of_type(Task):
        parent = index.docs.get(task.parent or "")
        if isinstance(parent, Task) and parent.project != task.project:
            yield Diagnostic(
                task.path, task.line_of("parent"), "error", "parent-project",
                f"subtask of {parent.id!r} is in project {task.project!r}, its parent in {parent.project!r}",
            )


def _timelogs(index: Index) -> Iterable[Diagnostic]:
    by_person: dict[str, list[TimeEntry]] = defaultdict(list)
    timers: dict[str, list[TimeEntry]] = defaultdict(list)
    for log in index.of_type(TimeLog):
        if not log.person:
            yield Diagnostic(log.path, 1, "error", "no-person", "timelog has no person: add 'person: ID' or put it under timelogs/<person>/")
            continue
        for entry in log.entries:
            if entry.span() is not None:
                by_person[log.person].append(entry)
            elif entry.running:
                timers[log.person].append(entry)
    for person, entries in by_person.items():
        yield from overlaps(person, entries)
    for person, running in timers.items():
        yield from timer_overlaps(person, running, by_person.get(person, []))


def timer_overlaps(person: str, timers: list[TimeEntry], closed: list[TimeEntry]) -> Iterable[Diagnostic]:
    """An `overlap` error at each of `person`'s `closed` clock ranges that overlaps one of their running `timers`, by the
    rule `wm log` refuses such an entry by (`tracking.clashing`: a running timer runs to the end of its day); running
    timers may overlap each other (`wm start --parallel`)."""
    from workspace_tool.tracking import clashing

    for entry in closed:
        timer = clashing(timers, entry)
        if timer is not None:
            yield Diagnostic(
                entry.path, entry.line, "error", "overlap",
                f"time entry overlaps {timer.path}:{timer.line} (a timer running since {timer.start:%H:%M} on {timer.date}) for {person}, "
                "as wm log refuses to: stop the timer (wm stop --at) or change one of the two",
            )


def overlaps(person: str, entries: list[TimeEntry]) -> Iterable[Diagnostic]:
    """An `overlap` error at each clock range that starts before an earlier one of `person` ends."""
    spans = sorted(((e.span(), e) for e in entries), key=lambda pair: pair[0])  # type: ignore[arg-type,return-value]
    latest_end = None
    latest: TimeEntry | None = None
    for span, entry in spans:
        assert span is not None
        begin, end = span
        if latest_end is not None and latest is not None and begin < latest_end:
            yield Diagnostic(
                entry.path, entry.line, "error", "overlap",
                f"time entry overlaps {latest.path}:{latest.line} ({latest.start:%H:%M}-{latest.end:%H:%M} on {latest.date}) for {person}",
            )
        if latest_end is None or end > latest_end:
            latest_end, latest = end, entry


def describe(doc: Document) -> str:
    return f"{doc.type} {doc.id!r} ({doc.path})"
