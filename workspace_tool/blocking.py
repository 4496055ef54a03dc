"""What "blocked" means: the one definition every command, report and page uses.

Two notions, one built on the other:

* **blocked** (`is_blocked`): an open (not done) task whose status is
  `blocked` (a status a custom workflow may have, see docs/format.md), or
  that has *blockers*: `depends_on` documents that exist and are not done.
  This is `is:blocked` (and `is:ready` = open and not blocked), `wm blocked`,
  what `wm next` leaves out, and the site's list of blocked work.
* **held up** (`is_held_up`): blocked *now* — blocked and either marked
  `blocked`, or started (its status is past its workflow's default), or its
  `start` or `due` date has arrived. A task merely waiting for its
  predecessors in a future plan is blocked but not held up. The portfolio
  report (`wm report projects`, its `blocked` field) counts these.

Pure functions of a task and the index. `open_dependencies` takes the two
look-ups as functions, so the site can make them through `SiteData` (which
records what each page reads).
"""

from __future__ import annotations

from collections.abc import Callable

from workspace_tool.index import Index
from workspace_tool.model import Document, Task

BLOCKED_STATUS = "blocked"
"""The workflow status that marks a task blocked whatever its dependencies."""


def marked_blocked(task: Task) -> bool:
    """The task's status is `blocked`."""
    return task.status == BLOCKED_STATUS


def open_dependencies(task: Task, get: Callable[[str], Document | None], is_done: Callable[[Document], bool]) -> list[Document]:
    """The documents `task` depends on that exist and are not done, in `depends_on` order.

    A dependency that names no document is `wm validate`'s business, not a blocker.
    """
    found = []
    for dep in task.depends_on:
        target = get(dep)
        if target is not None and not is_done(target):
            found.append(target)
    return found


def blockers(task: Task, index: Index) -> list[Document]:
    """The unfinished dependencies of `task` (see `open_dependencies`)."""
    return open_dependencies(task, index.get, index.is_done)


def is_blocked(task: Task, index: Index) -> bool:
    """Open, and marked `blocked` or with blockers."""
    return blocked_by(task, index.get, index.is_done)


def blocked_by(task: Task, get: Callable[[str], Document | None], is_done: Callable[[Document], bool]) -> bool:
    """`is_blocked` with the look-ups given (the site reads through `SiteData`, which records what each page reads)."""
    return not is_done(task) and (marked_blocked(task) or bool(open_dependencies(task, get, is_done)))


def has_started(task: Task, index: Index) -> bool:
    """Its status is past its workflow's default, or its start or due date is today or earlier."""
    workflow = index.workflow(task)
    if workflow is not None and task.status != workflow.default:
        return True
    today = index.today
    return bool(task.start and task.start <= today) or bool(task.due and task.due <= today)


def is_held_up(task: Task, index: Index) -> bool:
    """Blocked now: blocked, and marked `blocked` or started (see `has_started`)."""
    return held_up_by(task, index.get, index.is_done, index)


def held_up_by(task: Task, get: Callable[[str], Document | None], is_done: Callable[[Document], bool], index: Index) -> bool:
    """`is_held_up` with the look-ups given (`index` only for the task's workflow and today, which every page shares)."""
    return blocked_by(task, get, is_done) and (marked_blocked(task) or has_started(task, index))
