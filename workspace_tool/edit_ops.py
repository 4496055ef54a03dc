"""The editing operations behind `wm set`, `move`, `assign` and `comment`.

Each reads one document, changes only the lines it must (see `edit`),
checks that the result still parses without new errors, and writes it
atomically. Each returns the `Change`s it made, with a message fit for a
commit (`task design-mockups: todo -> in-progress`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workspace_tool.edit import Source, add_log_entry, checked_write, log_entry, read_source, set_keys
from workspace_tool.edit_values import check_status, coerce, refuse_ambiguous, require_doc
from workspace_tool.errors import ConflictError, Diagnostic, NotFoundError, UsageError, WorkspaceError
from workspace_tool.index import Index
from workspace_tool.model import Document, Task
from workspace_tool.parse import parse_document

if TYPE_CHECKING:
    from workspace_tool.recur import NextInstance


@dataclass(frozen=True)
class Change:
    """One file written by a command, and what happened to it."""

    relpath: str
    message: str
    created: bool = False


@dataclass(frozen=True)
class Result:
    """Everything one command changed, plus notes to show the user (warnings, hints)."""

    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()
    summary: str = ""  # the commit message, when the changes' own would be too long to read (an import's)

    @property
    def message(self) -> str:
        return self.summary or "; ".join(c.message for c in self.changes)

    @property
    def paths(self) -> list[str]:
        return [c.relpath for c in self.changes]


def find_for_edit(index: Index, doc_id: str) -> Document:
    """The document to edit (by ID or file); a file that failed to parse is refused with the parser's diagnostic, and
    an ID that several files have (`Index.same_id`) with their paths, unless `doc_id` names one of the files."""
    doc = index.find(doc_id)
    if doc is not None:
        if index.resolve(doc_id) is doc:  # by its ID, not by its file
            refuse_ambiguous(index, doc)
        return doc
    unreadable = index.unreadable(doc_id)
    if unreadable is not None:
        raise WorkspaceError(f"{unreadable} — fix the file before editing it with wm; nothing was changed")
    return require_doc(index, doc_id)


def load_source(index: Index, doc: Document) -> Source:
    """The file of `doc` to edit: refused when it no longer parses, or no longer holds what the index read (the
    command's decisions, such as the current status or a transition check, were taken from that)."""
    source = read_source(index.root, doc.path)
    if source.data is None:
        raise NotFoundError(f"{doc.path}: file disappeared; nothing was changed")
    parsed = parse_document(source.text, doc.path, index.settings)
    if parsed.document is None:
        raise WorkspaceError(f"{parsed.diagnostics[0]} — fix the file before editing it with wm; nothing was changed")
    if (repr(parsed.document.raw), parsed.document.body) != (repr(doc.raw), doc.body):  # decisions were taken from `doc`
        raise ConflictError(f"{doc.path} changed on disk while wm was reading the workspace; nothing was written — run the command again")
    return source


def _errors(diagnostics: Sequence[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.code, d.message) for d in diagnostics if d.is_error}


def check_edit(index: Index, source: Source, text: str, expect: dict[str, Any] | None = None) -> Document:
    """The document `text` makes, once checked: it parses with no error the original lacked, makes no new
    dependency cycle, and every key in `expect` reads back as the value given (None: the key is gone)."""
    before = parse_document(source.text, source.relpath, index.settings)
    after = parse_document(text, source.relpath, index.settings)
    new_errors = [d for d in after.diagnostics if d.is_error and (d.code, d.message) not in _errors(before.diagnostics)]
    if after.document is None or new_errors:
        problem = new_errors[0] if new_errors else after.diagnostics[0]
        raise WorkspaceError(f"{problem}; nothing was written")
    if isinstance(after.document, Task):
        _refuse_new_cycle(index, before.document, after.document)
    for key, value in (expect or {}).items():
        _check_reads_back(after.document, key, value)
    return after.document


def _check_reads_back(document: Document, key: str, value: Any) -> None:
    """The safety net of every edit: the file, read again, holds `value` at `key` (the line edit hit the right lines)."""
    wanted = list(value) if isinstance(value, (list, tuple)) else value
    present = key in document.raw
    found = document.raw.get(key)
    same = found == wanted and isinstance(found, bool) == isinstance(wanted, bool)  # `1` is no `true`
    if (value is None and present) or (value is not None and (not present or not same)):
        read = f"{found!r}" if present else "nothing"
        raise WorkspaceError(f"{document.path}:{document.line_of(key)}: {key}: the edited file would read {read}, not {wanted!r}; nothing was written")


def save(index: Index, source: Source, text: str, expect: dict[str, Any] | None = None) -> Document:
    """`check_edit`, then write `text` atomically; returns the document written."""
    document = check_edit(index, source, text, expect)
    checked_write(source, text)
    return document


def _refuse_new_cycle(index: Index, before: Document | None, after: Task) -> None:
    """A `depends_on` or `parent` the edit gives `after` that leads back to it (`wm validate`'s `cycle` error, which a
    plan cannot be made around): refused, naming the chain, before anything is written."""
    for key in ("depends_on", "parent"):
        targets = _targets(after, key)
        if not targets or (before is not None and _targets(before, key) == targets):
            continue
        edges = {task.id: _targets(task, key) for task in index.of_type(Task)}
        edges[after.id] = targets
        chain = _path_back(after.id, edges)
        if chain is not None:
            raise WorkspaceError(f"{after.path}: {key}: this would make a cycle, {' -> '.join(chain)}; nothing was written")
    changed = [key for key in ("depends_on", "parent") if before is None or _targets(before, key) != _targets(after, key)]
    if changed and (after.depends_on or after.parent or index.subtasks.get(after.id)):
        from workspace_tool.validate import subtask_rule_cycles

        tasks = [after if task.id == after.id else task for task in index.of_type(Task)]
        if after.id not in index.docs:
            tasks.append(after)
        there = {frozenset(names) for names in subtask_rule_cycles(index.of_type(Task))}  # not this edit's to refuse
        for names in subtask_rule_cycles(tasks):
            if after.id in names and frozenset(names) not in there:
                raise WorkspaceError(
                    f"{after.path}: {changed[0]}: this would make a dependency cycle through a parent, {' -> '.join([*names, names[0]])} "
                    "(a subtask starts after its parent starts and the parent ends after its subtasks); nothing was written"
                )


def _targets(doc: Document, key: str) -> tuple[str, ...]:
    value = getattr(doc, key, None)
    return tuple(value) if isinstance(value, (tuple, list)) else ((value,) if isinstance(value, str) and value else ())


def _path_back(start: str, edges: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A chain `start -> ... -> start` following `edges`, if there is one (the shortest, by breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in edges.get(node, ()):
                if target == start:
                    chain = [node]
                    while chain[-1] != start:
                        chain.append(came_from[chain[-1]])
                    return [start, *reversed(chain[:-1]), start] if len(chain) > 1 else [start, start]
                if target not in came_from and target in edges:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    return None


def set_fields(index: Index, doc_id: str, pairs: Sequence[tuple[str, str]]) -> Result:
    """`wm set ID key=value ...`: validated values; an empty value removes the key."""
    doc = find_for_edit(index, doc_id)
    source = load_source(index, doc)
    values: dict[str, Any] = {}
    for key, text in pairs:
        values[key] = coerce(index, doc.type, key, text)
    notes: list[str] = []
    status = values.get("status")
    old_status = getattr(doc, "status", None)
    if isinstance(status, str) and status != old_status:
        values.update(done_fields(index, doc, status, explicit=values))
    text = set_keys(source.text, values, doc.path)
    if text == source.text:
        return Result((), ("nothing to change",))
    after = check_edit(index, source, text, expect=values)
    planned = _plan_after_done(index, after, status, text, source.bom) if isinstance(status, str) and status != old_status else None
    checked_write(source, text)
    if isinstance(status, str) and status != old_status:
        notes.extend(_status_notes(index, doc, status))
    shown = ", ".join(f"{k}={_show(v)}" if v is not None else f"{k} removed" for k, v in values.items())
    change = Change(doc.path, f"{doc.type} {doc.id}: set {shown}")
    extra = _write_planned(index, planned)
    from workspace_tool.fields import suggest_field

    for key, value in values.items():
        if value is not None and (meant := suggest_field(doc.type, key)) is not None:
            notes.append(f"{key} is not a field of a {doc.type}; did you mean '{meant}'? (set as written; wm does not read it)")
    return Result((change, *extra), tuple(notes))


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).lower() if isinstance(value, bool) else str(value)


def done_fields(index: Index, doc: Document, status: str, explicit: dict[str, Any]) -> dict[str, Any]:
    """`done: today` when a task enters a done status without a date (no `done:`, or one left empty, as a template
    may have it: that line is filled in); a date removed when it leaves (an empty `done:` stays as it is)."""
    if not isinstance(doc, Task) or "done" in explicit:
        return {}
    workflow = index.settings.workflow(doc.type)
    if workflow is None:
        return {}
    dated = doc.raw.get("done") not in (None, "")
    if workflow.is_done(status) and not dated:
        return {"done": index.today}
    if not workflow.is_done(status) and dated:
        return {"done": None}
    return {}


def _plan_after_done(index: Index, after: Document, status: str, text: str, bom: bool) -> NextInstance | None:
    """The next instance of a recurring task the edit completes, worked out (and any problem raised) before the
    edit is written; made from the edited text, so it carries the edit's other changes."""
    workflow = index.settings.workflow(after.type)
    if not isinstance(after, Task) or workflow is None or not workflow.is_done(status):
        return None
    from workspace_tool.recur import plan_next

    # from its `done:` date (`wm set X status=done done=DATE`), as `wm recur` plans a missed instance, else today
    return plan_next(index, after, completed=after.done or index.today, text=text, bom=bom)


def _write_planned(index: Index, planned: NextInstance | None) -> list[Change]:
    if planned is None:
        return []
    from workspace_tool.recur import write_planned

    try:
        return write_planned(index, planned)
    except WorkspaceError as exc:  # the edit itself is written: say so
        raise WorkspaceError(f"{exc} (the status change was saved)", exc.exit_code) from None


def move(index: Index, doc_id: str, status: str) -> Result:
    """`wm move ID STATUS`, checked against the workflow's transitions (from a status the workflow no longer has, any
    move is allowed, and said); notes what the move leaves open (dependencies, subtasks) or overfills (a WIP limit)."""
    doc = find_for_edit(index, doc_id)
    workflow = index.settings.workflow(doc.type)
    if workflow is None:
        raise UsageError(f"a {doc.type} has no status to move")
    check_status(index, doc.type, status)
    current = getattr(doc, "status", workflow.default)
    if status == current:
        return Result((), (f"{doc.type} {doc.id} is already {status}",))
    allowed = workflow.allowed_moves(current)
    if status not in allowed:
        options = ", ".join(allowed) if allowed else "none"
        raise UsageError(f"{doc.type} {doc.id} cannot move from {current} to {status} (allowed from {current}: {options})")
    source = load_source(index, doc)
    values: dict[str, Any] = {"status": status}
    values.update(done_fields(index, doc, status, explicit={}))
    text = set_keys(source.text, values, doc.path)
    after = check_edit(index, source, text, expect=values)
    planned = _plan_after_done(index, after, status, text, source.bom)
    checked_write(source, text)
    extra = _write_planned(index, planned)
    done = ""
    if "done" in values:  # said, so a date the file held is not lost unseen
        done = f" (done: {values['done']})" if values["done"] is not None else f" (done: {doc.raw.get('done')} removed)"
    notes = [*_left_unknown(index, doc, current), *_status_notes(index, doc, status)]
    change = Change(doc.path, f"{doc.type} {doc.id}: {current} -> {status}{done}")
    return Result((change, *extra), tuple(notes))


def _left_unknown(index: Index, doc: Document, current: str) -> list[str]:
    """A note for a move out of a status the workflow does not have (any such move is allowed: `allowed_moves`)."""
    workflow = index.settings.workflow(doc.type)
    if workflow is None or current in workflow.statuses:
        return []
    return [f"{doc.id}'s status {current!r} was not in the {doc.type} workflow ({', '.join(workflow.statuses)}), so any move out of it is allowed"]


def _status_notes(index: Index, doc: Document, status: str) -> list[str]:
    """What a status change (already written) should tell: the open work a finished task leaves behind (dependencies,
    subtasks) and a WIP limit the status was already at."""
    workflow = index.settings.workflow(doc.type)
    if workflow is None:
        return []
    notes: list[str] = []
    if isinstance(doc, Task) and workflow.is_done(status):
        if not workflow.is_cancelled(status):
            from workspace_tool.blocking import blockers

            waiting = [f"{d.id} ({getattr(d, 'status', '?')})" for d in blockers(doc, index)]
            if waiting:
                notes.append(f"{doc.id} depends on {', '.join(waiting)}, not done yet")
        subtasks = [index.docs[s] for s in sorted(index.subtasks.get(doc.id, ())) if s in index.docs]
        still_open = [f"{t.id} ({getattr(t, 'status', '?')})" for t in subtasks if not index.is_done(t)]
        if still_open:
            notes.append(f"{doc.id} has open subtasks: {', '.join(still_open)}")
    limit = workflow.wip.get(status)
    if limit is not None:
        others = sorted(d.id for d in index.docs.values() if d.type == doc.type and d.id != doc.id and getattr(d, "status", None) == status)
        if len(others) >= limit:  # moved in all the same: files belong to their authors
            where = "at" if len(others) == limit else "over"
            notes.append(f"{status} is {where} its WIP limit {limit}: {', '.join(others)} (and now {doc.id})")
    return notes


ASSIGNEE_FIELD = {"task": "assignee", "project": "owner", "risk": "owner", "goal": "owner"}


def assign(index: Index, doc_id: str, person: str) -> Result:
    """`wm assign ID PERSON`: a task's assignee (a project's, risk's or goal's owner)."""
    doc = find_for_edit(index, doc_id)
    key = ASSIGNEE_FIELD.get(doc.type)
    if key is None:
        raise UsageError(f"a {doc.type} cannot be assigned (only {', '.join(ASSIGNEE_FIELD)})")
    who = require_doc(index, person, ("person",)).id
    source = load_source(index, doc)
    text = set_keys(source.text, {key: who}, doc.path)
    if text == source.text:
        return Result((), (f"{doc.type} {doc.id} is already assigned to {who}",))
    save(index, source, text, expect={key: who})
    return Result((Change(doc.path, f"{doc.type} {doc.id}: assigned to {who}"),))


def comment(index: Index, doc_id: str, text: str, author: str, now: dt.datetime | None = None) -> Result:
    """`wm comment ID TEXT`: a dated entry with its author under the body's `## Log` section."""
    if not text.strip():
        raise UsageError("the comment is empty")
    doc = find_for_edit(index, doc_id)
    if doc.type == "timelog":
        raise UsageError(f"{doc.path}: a time log holds time entries, not comments; comment on the task or project the time was for")
    source = load_source(index, doc)
    save(index, source, add_log_entry(source.text, log_entry(index.today, author, text)))
    return Result((Change(doc.path, f"{doc.type} {doc.id}: comment by {author}"),))
