"""An already-imported task against a newer export, field by field: what differs, and with `wm import --update`,
what is brought up to date.

A field is compared when the export says something of it (an empty cell says nothing: it cannot be told from a
column left out of the export, so an import never removes a value). Where wm's value and the export's differ:

- wm's value is still the one the import wrote (its baseline, `import_baseline`): the export's is taken;
- the team changed it in wm and the export still says what was imported: wm's is kept (the team's edit);
- both changed it: a conflict; wm's is kept and said, with the file, line and both values;
- the file has no baseline (its import is not committed, the workspace is not in git): nothing is changed, and said.

A status carries `done:` with it by the rule `wm move` follows (`edit_ops.done_fields`), dated by the export when
it dates the work. Writes go through the edit machinery: only the changed keys' lines, every file checked before
any is written, each written atomically and refused if it changed since it was read.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workspace_tool.config import Workflow
from workspace_tool.edit import Source, checked_write, set_keys
from workspace_tool.edit_ops import Change, check_edit, done_fields, load_source
from workspace_tool.errors import WorkspaceError
from workspace_tool.import_baseline import UNCOMMITTED
from workspace_tool.index import Index
from workspace_tool.model import Task


@dataclass(frozen=True)
class Field:
    """A task field an import writes and a newer export may change."""

    key: str
    label: str  # in the note on what differs
    read: Callable[[Task], Any]  # the task's value, as `Value.same` holds the export's


def _hours_of(task: Task) -> float | None:
    return round(task.estimate.hours, 4) if task.estimate is not None else None


def _remaining_of(task: Task) -> float | None:
    return round(task.remaining.hours, 4) if task.remaining is not None else None


def text_of(value: Any) -> str | None:
    """A key of the team's own as text (a sprint named `5` is the sprint `5`), compared so; None when not set."""
    return None if value is None or value == "" else str(value)


def number_of(value: Any) -> Any:
    """A number as a float (`3` is `3.0`), compared so; anything else (a word the team wrote) as it is."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


FIELDS: tuple[Field, ...] = (
    Field("title", "title", lambda t: " ".join(t.title.split())),
    Field("status", "status", lambda t: t.status),
    Field("due", "due date", lambda t: t.due),
    Field("estimate", "estimate", _hours_of),
    Field("assignee", "assignee", lambda t: t.assignee),
    Field("priority", "priority", lambda t: t.priority),
    Field("tags", "tags", lambda t: frozenset(t.tags)),
    Field("parent", "parent", lambda t: t.parent),
    Field("start", "start date", lambda t: t.start),
    Field("remaining", "remaining work", _remaining_of),
    Field("depends_on", "dependencies", lambda t: frozenset(t.depends_on)),
    Field("sprint", "sprint", lambda t: text_of(t.raw.get("sprint"))),  # keys of the team's own (Jira's): read as written
    Field("story_points", "story points", lambda t: number_of(t.raw.get("story_points"))),
)


def id_field(key: str) -> Field:
    """The key that keeps a tracker's second ID of a task (`jira_id`), which imports before it was kept lack."""
    return Field(key, key, lambda t: str(t.extra[key]) if t.extra.get(key) is not None else None)


@dataclass(frozen=True)
class NewPerson:
    """An assignee the workspace has no person for: made when the task is updated to them."""

    name: str | None
    email: str | None


@dataclass(frozen=True)
class Value:
    """What the export says of one field: compared as `same`, written as `written`, shown as `shown`."""

    same: Any
    written: Any
    shown: str


@dataclass(frozen=True)
class FieldChange:
    key: str
    old: str
    new: Value


@dataclass(frozen=True)
class Conflict:
    """A field changed both in wm and in the tracker since the import: wm's value is kept."""

    relpath: str
    line: int
    doc_id: str
    key: str
    ours: str
    theirs: str
    imported: str
    written: Any = None  # the export's value as `wm set` takes it; None: a person the workspace does not have yet

    def __str__(self) -> str:
        return (
            f"{self.relpath}:{self.line}: {self.key}: changed in wm ({self.ours}) and in the export ({self.theirs}) since the import"
            f" ({self.imported}): wm's is kept (to take the export's: {self.fix})"
        )

    @property
    def fix(self) -> str:
        if self.written is None:
            return f"wm set {self.doc_id} {self.key}=..."
        if isinstance(self.written, (list, tuple)):
            value = ",".join(str(v) for v in self.written)
        else:
            value = self.written.isoformat() if isinstance(self.written, dt.date) else str(self.written)
        return f"wm set {shlex.quote(self.doc_id)} {shlex.quote(f'{self.key}={value}')}"


@dataclass
class Review:
    """What a newer export finds in one already-imported task."""

    changes: list[FieldChange] = field(default_factory=list)  # taken from the export
    conflicts: list[Conflict] = field(default_factory=list)
    kept: int = 0  # fields the team changed in wm and the export did not: kept, as they are the team's


def differing(task: Task, said: Mapping[str, Value], fields: Sequence[Field]) -> list[Field]:
    """The fields the export says something else of than the task does."""
    return [f for f in fields if f.key in said and said[f.key].same != f.read(task)]


def review(task: Task, baseline: Task, said: Mapping[str, Value], fields: Sequence[Field]) -> Review:
    """Each differing field of `task` taken from the export, kept, or a conflict (see the module's docstring)."""
    found = Review()
    for spec in fields:
        ours, theirs, imported = spec.read(task), said[spec.key], spec.read(baseline)
        if ours == imported:
            found.changes.append(FieldChange(spec.key, shown(task, spec), theirs))
        elif theirs.same == imported:
            found.kept += 1
        else:
            found.conflicts.append(
                Conflict(task.path, task.line_of(spec.key), task.id, spec.key, shown(task, spec), theirs.shown, shown(baseline, spec), theirs.written)
            )
    return found


def shown(task: Task, spec: Field) -> str:
    """A field's value as the file writes it (`1d`, not 8.0), or `none`."""
    value = task.raw.get(spec.key) if spec.key in task.raw else None
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def labels(task: Task, said: Mapping[str, Value], fields: Sequence[Field], workflow: Workflow) -> list[str]:
    """What differs, as the note on an import without --update says it: a status that is finished on one side
    only is `finished in the export` or `open in the export`."""
    found = []
    for spec in differing(task, said, fields):
        if spec.key == "status" and workflow.is_done(said["status"].same) != workflow.is_done(task.status):
            found.append("finished in the export" if workflow.is_done(said["status"].same) else "open in the export")
        else:
            found.append(spec.label)
    return found


def notes(changed: Mapping[str, list[str]], conflicts: Sequence[Conflict], kept: int, unbased: Mapping[str, list[str]], source_name: str) -> list[str]:
    """What re-importing tasks found, said with the import's warnings: what differs (without --update), the
    conflicts, the team's edits kept, and the tasks that have no baseline (with the fix)."""
    said = [note] if (note := differ_note(changed, source_name)) is not None else []
    said.extend(str(conflict) for conflict in conflicts)
    if kept:
        said.append(f"{kept} field{'s' if kept != 1 else ''} the team changed in wm since the import, which {source_name} still has as imported: kept as wm has them")
    for reason, paths in unbased.items():
        one = len(paths) == 1
        count = f"{len(paths)} task{'' if one else 's'} {'differs' if one else 'differ'} from {source_name}"
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        if reason == UNCOMMITTED:
            said.append(
                f"{count}, but {'its' if one else 'their'} import is not committed yet ({shown}), so wm cannot tell what the team changed since:"
                " not updated; commit the import (git add and git commit, or import with --commit), then import with --update again"
            )
        else:
            said.append(
                f"{count}, but {'was' if one else 'were'} not updated ({shown}): {reason}, and --update takes a field from the export only where it"
                " still has the value the import committed to git; commit the import in a git repository, then import with --update again"
            )
    return said


def differ_note(changed: Mapping[str, list[str]], source_name: str) -> str | None:
    """One line on the already-imported tasks that differ from the export, or None."""
    if not changed:
        return None
    ids = sorted({doc_id for found in changed.values() for doc_id in found})
    parts = ", ".join(f"{what}: {len(found)}" for what, found in sorted(changed.items()))
    shown_ids = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
    return (
        f"{len(ids)} task{'s' if len(ids) != 1 else ''} imported before differ from {source_name} ({parts}; {shown_ids}): an import "
        "never changes a document it made unless asked (edits made since are kept); update them with wm set or wm move, or import again with"
        " --update (which takes a field from the export where the team has not changed it since the import)"
    )


@dataclass(frozen=True)
class TaskUpdate:
    """The keys one task's file gets (None: removed), and what is said of each."""

    doc_id: str
    relpath: str
    values: dict[str, Any]
    said: tuple[str, ...]  # `due 2026-12-01 -> 2026-12-05`

    @property
    def message(self) -> str:
        return f"task {self.doc_id}: {'; '.join(self.said)}"


def task_update(index: Index, task: Task, changes: Sequence[FieldChange], finished_on: dt.date | None, person: Callable[[NewPerson], str]) -> TaskUpdate:
    """The edit `changes` make: a new assignee made a person (`person`), a status with the `done:` it carries."""
    values: dict[str, Any] = {}
    said = []
    for change in changes:
        written = person(change.new.same) if isinstance(change.new.same, NewPerson) else change.new.written
        values[change.key] = written
        said.append(f"{change.key} {change.old} -> {written if isinstance(change.new.same, NewPerson) else change.new.shown}")
    status = values.get("status")
    if isinstance(status, str):
        done = done_fields(index, task, status, explicit={})
        if done.get("done") is not None and finished_on is not None:
            done["done"] = finished_on  # the day the tracker says the work ended, not the day of the import
        if done:
            values.update(done)
            at = next(i for i, change in enumerate(changes) if change.key == "status")
            said[at] += f" (done: {done['done']})" if done["done"] is not None else f" (done: {task.raw.get('done')} removed)"
    return TaskUpdate(task.id, task.path, values, tuple(said))


@dataclass(frozen=True)
class _Checked:
    source: Source
    text: str
    update: TaskUpdate


def check_updates(index: Index, updates: Sequence[TaskUpdate]) -> list[_Checked]:
    """Each update's new text, checked as `wm set` checks an edit (it parses, reads back as given, makes no cycle);
    refused, naming the file, when a file changed on disk since the workspace was read. Nothing is written."""
    checked = []
    for update in updates:
        doc = index.by_path.get(update.relpath)
        if doc is None:
            raise WorkspaceError(f"{update.relpath}: file disappeared while wm was reading the workspace; nothing was written — run the import again")
        source = load_source(index, doc)
        text = set_keys(source.text, update.values, doc.path)
        check_edit(index, source, text, expect=update.values)
        checked.append(_Checked(source, text, update))
    return checked


def write_updates(checked: Sequence[_Checked]) -> list[Change]:
    """Write each checked update (atomically, refused if its file changed since it was read)."""
    written: list[Change] = []
    for item in checked:
        try:
            checked_write(item.source, item.text)
        except WorkspaceError as exc:
            if not written:
                raise
            done = ", ".join(c.relpath for c in written[:3]) + (" ..." if len(written) > 3 else "")
            raise WorkspaceError(f"{exc.message} ({len(written)} updated before it: {done}; import again to update the rest)", exc.exit_code) from None
        written.append(Change(item.update.relpath, item.update.message))
    return written
