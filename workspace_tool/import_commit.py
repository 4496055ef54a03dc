"""The commit message of one `wm import`: `Import 42 tasks and 2 new projects from jira.csv`.

An edit's `Result` joins its changes' messages (`task a: todo -> done; task b: ...`), which for an import of
thousands of files would be a message nobody reads; an import's result (`Result.summary`) says what it did in one line.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from workspace_tool.import_tasks import TaskImportPlan
from workspace_tool.output import counted


def export_name(name: str, tracker: str) -> str:
    """The export as a message names it: its file's name (`jira.csv`), or the tracker's on standard input."""
    return f"{tracker} (stdin)" if name == "<stdin>" else Path(name).name


def made(plan: TaskImportPlan) -> str:
    """`3 tasks, 1 new project and 2 new people`, of the documents a task import makes ("" for none)."""
    kinds = Counter(m.doc_type for m in plan.made)
    parts = [counted(kinds["task"], "task")] if kinds["task"] else []
    parts += [counted(kinds["project"], "new project")] if kinds["project"] else []
    parts += [f"{kinds['person']} new {'person' if kinds['person'] == 1 else 'people'}"] if kinds["person"] else []
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")


def task_message(plan: TaskImportPlan, export: str) -> str:
    """`Import 42 tasks from jira.csv`; `Import 2 tasks from jira.csv; update 3 tasks imported before`; `Update 3 tasks from jira.csv`."""
    new, updated = made(plan), counted(len(plan.updates), "task")
    if new and plan.updates:
        return f"Import {new} from {export}; update {updated} imported before"
    return f"Import {new} from {export}" if new else f"Update {updated} from {export}"


def entries_message(count: int, person: str, export: str) -> str:
    """`Import 12 time entries for alice from hours.timeclock`."""
    return f"Import {count} time {'entry' if count == 1 else 'entries'} for {person} from {export}"
