"""`wm report goals`: each goal's key results and the progress of the projects pointing at it.

Pure. A project's progress is `reports.progress`'s (the rule of `wm report
projects` and the site): its done effort over its total effort (the estimates
of its tasks), else its done tasks over its tasks, with how many of them have no
estimate (`unestimated_tasks`, why it is by tasks), as `wm report projects`
says it: "10% by tasks (9 unestimated)".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from workspace_tool.index import Index
from workspace_tool.model import Document, Goal, Project, Task
from workspace_tool.reports.progress import basis_text, project_progress
from workspace_tool.values import KeyResult


@dataclass(frozen=True)
class GoalProject:
    id: str
    title: str
    status: str
    progress: float | None
    done: bool
    progress_by: str | None = None  # "effort", "tasks" or "status" (`reports.progress.Progress.basis`)
    unestimated_tasks: int = 0  # counted tasks without an estimate: when any, progress is by tasks

    @property
    def progress_text(self) -> str:
        """The progress as a percent with what it counts, as `wm report projects` words it: "10% by tasks (9 unestimated)"."""
        return "" if self.progress is None else f"{self.progress:.0%}" + basis_text(self.progress_by, self.unestimated_tasks)


@dataclass(frozen=True)
class GoalRow:
    id: str
    title: str
    owner: str | None
    due: dt.date | None
    key_results: tuple[KeyResult, ...]
    projects: tuple[GoalProject, ...]

    @property
    def progress(self) -> float | None:
        """The mean progress of the key results that have a target (each between 0 and 1: one not begun, or gone the
        wrong way, adds nothing; one past its target, no more than done)."""
        known = [min(max(kr.progress, 0.0), 1.0) for kr in self.key_results if kr.progress is not None]
        return sum(known) / len(known) if known else None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "owner": self.owner, "due": self.due.isoformat() if self.due else None,
            "progress": _r(self.progress),
            "key_results": [
                {"title": k.title, "start": k.start, "current": k.current, "target": k.target, "progress": _r(k.progress)} for k in self.key_results
            ],
            "projects": [{"id": p.id, "title": p.title, "status": p.status, "progress": _r(p.progress), "progress_by": p.progress_by,
                 "unestimated_tasks": p.unestimated_tasks, "done": p.done} for p in self.projects],
        }


def _r(value: float | None) -> float | int | None:
    if value is None:
        return None
    rounded = round(value, 4)
    return int(rounded) if rounded.is_integer() else rounded


def read_documents(index: Index) -> list[Document]:
    """The documents whose values make the report's figures: goals (key results), and the tasks of the projects
    naming them (their progress)."""
    goals = index.of_type(Goal)
    ids = {g.id for g in goals}
    named = {p.id for p in index.projects() if ids.intersection(p.goals)}
    return [*goals, *(t for t in index.of_type(Task) if t.project in named)]


def _project(index: Index, project: Project) -> GoalProject:
    progress = project_progress(index, project)
    return GoalProject(project.id, project.title, project.status, progress.share, index.is_done(project), progress.basis, progress.unestimated)


def goals_report(index: Index) -> tuple[GoalRow, ...]:
    rows = []
    for goal in sorted(index.of_type(Goal), key=lambda g: (g.due is None, g.due or dt.date.min, g.id)):
        projects = [p for p in index.projects() if goal.id in p.goals]
        rows.append(GoalRow(
            goal.id, goal.title, goal.owner, goal.due, goal.key_results,
            tuple(_project(index, p) for p in sorted(projects, key=lambda p: p.id)),
        ))
    return tuple(rows)

