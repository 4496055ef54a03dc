"""A project's progress: one rule for `wm report projects`, `wm report goals` and the status site.

Pure. The tasks counted are the project's tasks less cancelled ones (the
workflow's `cancelled` statuses) and parents of subtasks (a parent's
estimate is its subtasks' work again). A counted task's size is its
estimate, else its `remaining:`; a milestone without either is of size 0
(a date, not work: the scheduler plans it so), any other task is
unestimated. Progress is by effort, done tasks' sizes over all sizes, when
no counted task is unestimated; else by tasks, done tasks over counted
tasks ("by tasks", with how many are unestimated): by effort, an
unestimated task's work would count as nothing, and a project whose one
estimated task is done would show 100%. A project with no task to count
is 100% once it is closed, else unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Container, Iterable

from workspace_tool.index import Index
from workspace_tool.model import Project, Task


@dataclass(frozen=True)
class Progress:
    tasks: int
    done_tasks: int
    effort: float  # the sizes of the counted tasks, in hours (`size`)
    done_effort: float
    closed: bool = False  # the project is in a done status
    unestimated: int = 0  # counted tasks without a size: progress is then by tasks

    @property
    def basis(self) -> str | None:
        """What `share` is measured by: "effort", "tasks", "status" (a closed project with no tasks), or None."""
        if self.effort and not self.unestimated:
            return "effort"
        if self.tasks:
            return "tasks"
        return "status" if self.closed else None

    @property
    def share(self) -> float | None:
        basis = self.basis
        if basis == "effort":
            return self.done_effort / self.effort
        if basis == "tasks":
            return self.done_tasks / self.tasks
        return 1.0 if basis == "status" else None

    def label(self, percent: str) -> str:
        """`percent` (the share as the caller words it) with what it counts (`basis_text`): "10% by tasks (9 unestimated)"."""
        return percent + basis_text(self.basis, self.unestimated)


def basis_text(basis: str | None, unestimated: int) -> str:
    """What follows a progress percent: nothing by effort, " by tasks", or " by tasks (9 unestimated)" when tasks
    without an estimate are why it is not by effort."""
    if basis != "tasks":
        return ""
    return " by tasks" + (f" ({unestimated} unestimated)" if unestimated else "")


def size(task: Task) -> float | None:
    """A task's size in hours: its estimate, else its `remaining:`, else 0 for a milestone; None: unestimated."""
    if task.estimate is not None:
        return task.estimate.hours
    if task.remaining is not None:
        return task.remaining.hours
    return 0.0 if task.milestone else None


def counted_tasks(tasks: Iterable[Task], parents: Container[str], is_cancelled: Callable[[Task], bool]) -> list[Task]:
    """The tasks progress counts: not cancelled (`Index.is_cancelled`: the workflow's cancelled statuses), not
    parents of subtasks (`parents`: `Index.subtasks`)."""
    return [t for t in tasks if not is_cancelled(t) and t.id not in parents]


def progress_of(tasks: Iterable[Task], is_done: Callable[[Task], bool], closed: bool = False) -> Progress:
    """The progress of counted tasks (`counted_tasks`); `closed`: the project is done."""
    effort = done_effort = 0.0
    done = unestimated = 0
    counted = 0
    for task in tasks:
        counted += 1
        hours = size(task)
        finished = is_done(task)
        done += finished
        if hours is None:
            unestimated += 1
            continue
        effort += hours
        if finished:
            done_effort += hours
    return Progress(counted, done, effort, done_effort, closed, unestimated)


def project_progress(index: Index, project: Project) -> Progress:
    return progress_of(counted_tasks(index.tasks_of(project.id), index.subtasks, index.is_cancelled), index.is_done, index.is_done(project))
