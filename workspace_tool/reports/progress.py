"""A project's progress: one rule for `wm report projects`, `wm report goals` and the status site.

Pure. The tasks counted are the project's tasks less cancelled ones (the
workflow's `cancelled` statuses) and
parents of subtasks (a parent's estimate is its subtasks' work again).
Progress is their done effort over their total effort (estimates); when no
counted task has an estimate, their done tasks over their tasks ("by
tasks"); a project with no task to count is 100% once it is closed, else
unknown.
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
    effort: float  # estimate hours of the counted tasks
    done_effort: float
    closed: bool = False  # the project is in a done status

    @property
    def basis(self) -> str | None:
        """What `share` is measured by: "effort", "tasks", "status" (a closed project with no tasks), or None."""
        if self.effort:
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


def counted_tasks(tasks: Iterable[Task], parents: Container[str], is_cancelled: Callable[[Task], bool]) -> list[Task]:
    """The tasks progress counts: not cancelled (`Index.is_cancelled`: the workflow's cancelled statuses), not
    parents of subtasks (`parents`: `Index.subtasks`)."""
    return [t for t in tasks if not is_cancelled(t) and t.id not in parents]


def progress_of(tasks: Iterable[Task], is_done: Callable[[Task], bool], closed: bool = False) -> Progress:
    """The progress of counted tasks (`counted_tasks`); `closed`: the project is done."""
    counted = list(tasks)
    done = [t for t in counted if is_done(t)]
    effort = sum(t.estimate.hours for t in counted if t.estimate)
    done_effort = sum(t.estimate.hours for t in done if t.estimate)
    return Progress(len(counted), len(done), effort, done_effort, closed)


def project_progress(index: Index, project: Project) -> Progress:
    return progress_of(counted_tasks(index.tasks_of(project.id), index.subtasks, index.is_cancelled), index.is_done, index.is_done(project))
