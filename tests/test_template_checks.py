"""`wm validate` checks the workspace's own templates (process audit #18): CI finds a broken one before `wm new` does."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from click.testing import Result


def test_validate_names_each_broken_template_at_its_line(workspace: Path, wm: Callable[..., Result]) -> None:
    processes = workspace / "templates" / "processes"
    processes.mkdir(parents=True)
    (workspace / "templates" / "note.md").write_text("---\ntitle: {{ titel }}\n---\n", encoding="utf-8")
    (workspace / "templates" / "task.md").write_text("---\ntitle: {% if %}\n---\n", encoding="utf-8")
    (processes / "broken.md").write_text(
        "---\ntitle: Broken\ntasks:\n  - {id: a, title: A, depends_on: [b]}\n  - {id: b, title: B, depends_on: [a]}\n---\n", encoding="utf-8"
    )
    (processes / "fine.md").write_text("---\ntitle: Fine\ntasks:\n  - {id: a, title: 'Order a laptop for {{ hire }}'}\n---\n", encoding="utf-8")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "templates/note.md:2: error: {{ titel }} is no variable wm sets (did you mean title?); the variables are author, date, "
        "fields, id, month, month_name, project, status, title, type",
        "templates/processes/broken.md:4: error: depends_on cycle: a -> b -> a",
        "templates/task.md:2: error: template error: Expected an expression, got 'end of statement block'",
    ]  # a step's {{ hire }} is no error: `wm apply --var hire=...` gives it


def test_a_workspace_with_sound_templates_validates_clean(workspace: Path, wm: Callable[..., Result]) -> None:
    (workspace / "templates").mkdir()
    (workspace / "templates" / "note.md").write_text("---\ntitle: {{ title | yaml }}\n---\n\n# {{ title }} ({{ month_name }})\n", encoding="utf-8")
    result = wm("-C", str(workspace), "validate", "--strict")
    assert result.exit_code == 0 and result.stdout == ""
