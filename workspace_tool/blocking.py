"""What "blocked" means: the one definition every command, report and page uses.

Two notions, one built on the other:

* **blocked** (`is_blocked`): an open (not done) task whose status is
  `blocked` (a status a custom workflow may have, see docs/format.md), or
  that has *blockers* (`blockers`): `depends_on` documents that exist and
  are not done, `depends_on` IDs whose file could not be read (a stand-in
  task names the file), and the nearest open ancestor (`parent`, its parent,
  ...) that is itself marked `blocked` or has blockers of its own, since
  subtasks wait for their parent's dependencies (docs/scheduling.md).
  This is `is:blocked` (and `is:ready` = open and not blocked), `wm blocked`,
  what `wm next` leaves out and the site's lists of blocked work.
* **held up** (`is_held_up`): blocked *now* — blocked and either marked
  `blocked`, or started (its status is past its workflow's default), or its
  `start` or `due` date has arrived. A task merely waiting for its
  predecessors in a future plan is blocked but not held up. The portfolio
  report (`wm report projects`, its `blocked` field) counts these.

Pure functions of a task and the index. Each reads documents through a
`Reader`: the index's own look-ups (`reader`), or the site's (`SiteData`,
which records what each page reads, so a page is made again when a
dependency or an ancestor changes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from workspace_tool.index import Index
from workspace_tool.model import Document, Task

BLOCKED_STATUS = "blocked"
"""The workflow status that marks a task blocked whatever its dependencies."""


@dataclass(frozen=True)
class Reader:
    """Where the rule reads documents: `get` and `is_done` look-ups, and the index for what it alone knows (the
    files that could not be read, today, workflows), which the site treats as global to a build."""

    get: Callable[[str], Document | None]
    is_done: Callable[[Document], bool]
    index: Index


def reader(index: Index) -> Reader:
    """The index's own look-ups."""
    return Reader(index.get, index.is_done, index)


def marked_blocked(task: Task) -> bool:
    """The task's status is `blocked`."""
    return task.status == BLOCKED_STATUS


def open_dependencies(task: Task, get: Callable[[str], Document | None], is_done: Callable[[Document], bool]) -> list[Document]:
    """The documents `task` depends on that exist and are not done, in `depends_on` order.

    A dependency that names no document is `wm validate`'s business here (one whose file could not be read is
    a blocker of `blockers`: `unreadable_dependencies`).
    """
    found = []
    for dep in task.depends_on:
        target = get(dep)
        if target is not None and not is_done(target):
            found.append(target)
    return found


UNREADABLE = "unreadable"
"""The status of the stand-in for a dependency whose file could not be read: `unreadable: PATH`."""


def blockers(task: Task, index: Index | Reader) -> list[Document]:
    """What `task` waits for: its unfinished dependencies (`open_dependencies`), a stand-in task for each dependency
    whose file could not be read (status `unreadable: PATH`), and its nearest blocked open ancestor (`waiting_ancestor`)."""
    read = _reader(index)
    found = open_dependencies(task, read.get, read.is_done) + unreadable_dependencies(task, read)
    ancestor = waiting_ancestor(task, read)
    if ancestor is not None:
        found.append(ancestor)
    return found


def _reader(index: Index | Reader) -> Reader:
    return index if isinstance(index, Reader) else reader(index)


def unreadable_dependencies(task: Task, index: Index | Reader) -> list[Document]:
    """A stand-in task for each `depends_on` ID that names no document but a file that could not be read."""
    read = _reader(index)
    found: list[Document] = []
    for dep in task.depends_on:
        if read.get(dep) is not None:
            continue
        path = read.index.unreadable_ids().get(dep)
        if path is not None:
            problem = read.index.unreadable(dep)
            why = f"{path} could not be read" + (f": {problem.message}" if problem is not None else "")
            found.append(Task(id=dep, path=path, title=why, status=f"{UNREADABLE}: {path}"))
    return found


def _open_ancestors(task: Task, read: Reader) -> list[Task]:
    """The open tasks above `task` (parent first), up to the first that is missing, done or not a task (or a cycle)."""
    found: list[Task] = []
    seen = {task.id}
    parent = task.parent
    while parent is not None and parent not in seen:
        seen.add(parent)
        doc = read.get(parent)
        if not isinstance(doc, Task) or read.is_done(doc):
            break
        found.append(doc)
        parent = doc.parent
    return found


def waiting_ancestor(task: Task, index: Index | Reader) -> Task | None:
    """The nearest open ancestor of `task` marked `blocked` or with blockers of its own (dependencies, unreadable ones)."""
    read = _reader(index)
    for ancestor in _open_ancestors(task, read):
        if marked_blocked(ancestor) or open_dependencies(ancestor, read.get, read.is_done) or unreadable_dependencies(ancestor, read):
            return ancestor
    return None


def later_ancestor(task: Task, index: Index) -> Task | None:
    """The nearest open ancestor of `task` whose `start` is after today: its subtasks wait for it, as for their own."""
    today: dt.date = index.today
    return next((a for a in _open_ancestors(task, reader(index)) if a.start is not None and a.start > today), None)


def is_blocked(task: Task, index: Index | Reader) -> bool:
    """Open, and marked `blocked` or with blockers (see `blockers`)."""
    read = _reader(index)
    return not read.is_done(task) and (marked_blocked(task) or bool(blockers(task, read)))


def has_started(task: Task, index: Index) -> bool:
    """Its status is past its workflow's default, or its start or due date is today or earlier."""
    workflow = index.workflow(task)
    if workflow is not None and task.status != workflow.default:
        return True
    today = index.today
    return bool(task.start and task.start <= today) or bool(task.due and task.due <= today)


def is_held_up(task: Task, index: Index | Reader) -> bool:
    """Blocked now: blocked, and marked `blocked` or started (see `has_started`)."""
    read = _reader(index)
    return is_blocked(task, read) and (marked_blocked(task) or has_started(task, read.index))
