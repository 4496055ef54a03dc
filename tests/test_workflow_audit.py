"""Workflows and status edits: the findings of the process audit (#2, #3, #4, #5, #12's `wm move` note, #17's board
card), and WIP limits.

Each test writes a real workspace into a temporary folder and runs the real command line (or the library call the
finding was in), then reads the files or the output back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from workspace_tool.config import load_settings
from workspace_tool.workspace import load_index

TASKS = "projects/ops/tasks"
Write = Callable[[str, str], Path]


def _setup(workspace: Path, write_doc: Write, workflow: str, tasks: dict[str, str]) -> Path:
    """A workspace with project `ops`, the `task` workflow given (YAML under `workflows: task:`), and tasks by ID (their
    frontmatter lines, without the title)."""
    (workspace / "workspace.yml").write_text(f"name: test\nworkflows:\n  task:\n{workflow}", encoding="utf-8")
    write_doc("projects/ops/project.md", "---\ntitle: Ops\nstatus: active\n---\n")
    for task_id, lines in tasks.items():
        write_doc(f"{TASKS}/{task_id}.md", f"---\ntitle: {task_id.title()}\n{lines}---\n")
    return workspace


def _problems(text: str) -> tuple[Any, list[str]]:
    settings, problems = load_settings(text, "workspace.yml")
    return settings.workflow("task"), [f"{p.line}: {p.severity}: {p.message}" for p in problems]


def _status(ws: Path, task_id: str) -> str:
    text = (ws / TASKS / f"{task_id}.md").read_text(encoding="utf-8")
    return next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("status:"))


# -- #2: a workflow that names no done status ---------------------------------------------------------------


def test_a_workflow_without_done_counts_its_done_and_cancelled_statuses_as_done() -> None:
    workflow, problems = _problems("workflows:\n  task:\n    statuses: [todo, doing, done, cancelled]\n")
    assert problems == []
    assert workflow.done == ("done", "cancelled") and workflow.cancelled_statuses == ("cancelled",)
    left_empty, problems = _problems("workflows:\n  task:\n    statuses: [todo, done]\n    done:\n")
    assert problems == [] and left_empty.done == ("done",)  # `done:` with no value is not written out: the same rule
    one, problems = _problems("workflows:\n  task:\n    statuses: [todo, shipped]\n    done: shipped\n")
    assert problems == [] and one.done == ("shipped",)  # one status, not a list: not read letter by letter


def test_a_workflow_left_with_no_done_status_is_warned_at_its_line(workspace: Path, write_doc: Write, wm: Any) -> None:
    workflow, problems = _problems("name: x\nworkflows:\n  task:\n    statuses: [todo, doing, shipped]\n")
    assert workflow.done == ()
    assert problems == [
        "3: warning: workflow 'task' has no done status: nothing counts as finished; add done: [shipped] (the statuses that finish work)"
    ]
    _, problems = _problems("workflows:\n  task:\n    statuses: [todo, shipped]\n    done: []\n")
    assert [p.split(":")[0] for p in problems] == ["4"]  # said empty: at the `done:` line
    ws = _setup(workspace, write_doc, "    statuses: [todo, doing, shipped]\n", {"a": "status: todo\n"})
    result = wm("-C", str(ws), "validate")
    assert "workspace.yml:3: warning: workflow 'task' has no done status: nothing counts as finished" in result.output


def test_moving_to_done_in_a_workflow_without_done_records_the_date_and_the_next_instance(workspace: Path, write_doc: Write, wm: Any) -> None:
    ws = _setup(workspace, write_doc, "    statuses: [todo, doing, done]\n", {"weekly-review": "status: todo\ndue: 2026-11-26\nrecurrence: weekly\n"})
    result = wm("-C", str(ws), "move", "weekly-review", "done")
    assert result.exit_code == 0, result.output
    assert "todo -> done (done: 2026-11-26)" in result.output
    assert (ws / TASKS / "weekly-review-2026-12-03.md").is_file()  # the series goes on
    assert "done: 2026-11-26" in (ws / TASKS / "weekly-review.md").read_text(encoding="utf-8")


# -- #4: unknown keys in a workflow ---------------------------------------------------------------------------


def test_an_unknown_key_in_a_workflow_is_warned_with_the_key_meant(workspace: Path, write_doc: Write, wm: Any) -> None:
    workflow = (
        "    statuses: [todo, doing, review, done]\n    done: [done]\n    wip_limits: {doing: 1}\n"
        "    transtions:\n      todo: [doing]\n    colour: blue\n"
    )
    ws = _setup(workspace, write_doc, workflow, {"a": "status: todo\n"})
    result = wm("-C", str(ws), "validate")
    assert "workspace.yml:6: warning: unknown setting 'workflows.task.wip_limits' (did you mean 'wip'?)" in result.output
    assert "workspace.yml:7: warning: unknown setting 'workflows.task.transtions' (did you mean 'transitions'?)" in result.output
    assert (
        "workspace.yml:9: warning: unknown setting 'workflows.task.colour' (a workflow has statuses, done, cancelled, transitions, wip)"
        in result.output
    )
    assert result.exit_code == 0  # warnings: the workflow itself loads


# -- WIP limits -----------------------------------------------------------------------------------------------


def test_wip_limits_are_read_and_a_limit_of_an_unknown_status_is_warned() -> None:
    workflow, problems = _problems("workflows:\n  task:\n    statuses: [todo, doing, done]\n    wip:\n      doing: 3\n      doign: 1\n")
    assert workflow.wip == {"doing": 3}
    assert problems == [
        "6: warning: workflows.task.wip: 'doign' is not a status of the task workflow, so it has no limit (did you mean 'doing'? use todo, doing, done)"
    ]
    _, problems = _problems("workflows:\n  task:\n    statuses: [todo, doing, done]\n    wip: {doing: 0}\n")
    assert problems == ["1: error: workflows: workflow 'task': wip limit of 'doing' must be a whole number of at least 1, got 0"]


WIP = "    statuses: [todo, doing, done]\n    wip: {doing: 2}\n"


def test_moving_into_a_status_at_its_wip_limit_moves_and_warns(workspace: Path, write_doc: Write, wm: Any) -> None:
    ws = _setup(workspace, write_doc, WIP, {t: "status: todo\n" for t in ("a", "b", "c")})
    for task_id in ("a", "b"):
        result = wm("-C", str(ws), "move", task_id, "doing")
        assert result.exit_code == 0 and "WIP" not in result.output  # up to the limit: nothing to say
    result = wm("-C", str(ws), "move", "c", "doing")
    assert result.exit_code == 0, result.output
    assert "wm: doing is at its WIP limit 2: a, b (and now c)" in result.stderr
    assert _status(ws, "c") == "doing"  # moved all the same


def test_the_board_heads_a_limited_column_with_its_load(workspace: Path, write_doc: Write) -> None:
    from workspace_tool.views import board

    tasks = {"a": "status: doing\n", "b": "status: doing\n", "c": "status: todo\n"}
    ws = _setup(workspace, write_doc, WIP, tasks)
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    write_doc("projects/web/tasks/w.md", "---\ntitle: W\nstatus: doing\n---\n")
    index = load_index(ws)
    headings = {c.status: (c.heading, c.over) for c in board(index)}
    assert headings == {"todo": ("todo (1)", False), "doing": ("doing 3/2 over", True), "done": ("done (0)", False)}
    web = {c.status: c.heading for c in board(index, "web")}
    assert web["doing"] == "doing (1) WIP 3/2 over"  # one project's card; the limit counts the workspace
    (ws / "projects/web/tasks/w.md").unlink()
    assert {c.status: c.heading for c in board(load_index(ws), "ops")}["doing"] == "doing 2/2"


# -- #3: an empty `done:` placeholder ---------------------------------------------------------------------------


def test_an_empty_done_is_filled_in_on_its_own_line(workspace: Path, write_doc: Write, wm: Any) -> None:
    ws = _setup(workspace, write_doc, "    statuses: [todo, done]\n    done: [done]\n", {})
    before = "---\ntitle: Review\nstatus: todo\ndone:\npriority: high\n---\nText.\n"
    path = write_doc(f"{TASKS}/review.md", before)
    result = wm("-C", str(ws), "move", "review", "done")
    assert result.exit_code == 0, result.output
    assert "(done: 2026-11-26)" in result.output
    assert path.read_text(encoding="utf-8") == before.replace("status: todo", "status: done").replace("done:\n", "done: 2026-11-26\n")
    result = wm("-C", str(ws), "list", "done:2026-11-26", "--fields", "id")
    assert "review" in result.output


# -- #5: a status the workflow no longer has -----------------------------------------------------------------------


def test_a_task_in_a_removed_status_can_be_moved_and_is_told_why(workspace: Path, write_doc: Write, wm: Any) -> None:
    workflow = "    statuses: [todo, doing, done]\n    done: [done]\n    transitions: {todo: [doing], doing: [done]}\n"
    ws = _setup(workspace, write_doc, workflow, {"vendor-reply": "status: waiting\n"})
    result = wm("-C", str(ws), "move", "vendor-reply", "doing")
    assert result.exit_code == 0, result.output
    assert "allowed from waiting: none" not in result.output
    assert "vendor-reply's status 'waiting' was not in the task workflow (todo, doing, done), so any move out of it is allowed" in result.stderr
    assert _status(ws, "vendor-reply") == "doing"
    result = wm("-C", str(ws), "move", "vendor-reply", "todo")  # back in the workflow: its transitions hold again
    assert result.exit_code == 2 and "cannot move from doing to todo (allowed from doing: done)" in result.output


# -- #12: closing a parent with open subtasks ------------------------------------------------------------------------


def test_closing_a_parent_with_open_subtasks_notes_them(workspace: Path, write_doc: Write, wm: Any) -> None:
    tasks = {
        "audit": "status: todo\n",
        "reconcile": "status: todo\nparent: audit\n",
        "payslips": "status: in-progress\nparent: audit\n",
        "filed": "status: done\nparent: audit\n",
    }
    ws = _setup(workspace, write_doc, "    statuses: [todo, in-progress, done]\n", tasks)
    result = wm("-C", str(ws), "move", "audit", "done")
    assert result.exit_code == 0, result.output
    assert "wm: audit has open subtasks: payslips (in-progress), reconcile (todo)" in result.stderr
    assert _status(ws, "audit") == "done"  # the move still happens


# -- #17: checklist progress on board cards ---------------------------------------------------------------------------


def test_a_card_shows_its_checklist_progress(workspace: Path, write_doc: Write) -> None:
    from workspace_tool.show import checklist_text as checklist_progress

    ws = _setup(workspace, write_doc, "    statuses: [todo, doing, done]\n", {"plain": "status: todo\n"})
    write_doc(f"{TASKS}/onboard.md", "---\ntitle: Onboard\nstatus: todo\n---\n- [x] Laptop\n- [x] Accounts\n- [ ] Welcome lunch\n")
    index = load_index(ws)
    assert checklist_progress(index.docs["onboard"]) == "2/3"
    assert checklist_progress(index.docs["plain"]) == ""


def test_wm_board_prints_wip_loads_and_checklists(workspace: Path, write_doc: Write, wm: Any) -> None:
    import json

    ws = _setup(workspace, write_doc, WIP, {"a": "status: doing\n", "b": "status: doing\n", "c": "status: doing\n"})
    write_doc(f"{TASKS}/onboard.md", "---\ntitle: Onboard\nstatus: todo\n---\n- [x] Laptop\n- [ ] Welcome lunch\n")
    result = wm("-C", str(ws), "board", "--no-history")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split()
    assert header[:5] == ["todo", "(1)", "doing", "3/2", "over"]
    assert "[1/2] Onboard" in result.stdout
    columns = {c["status"]: c for c in json.loads(wm("-C", str(ws), "board", "--json", "--no-history").stdout)}
    assert columns["doing"]["wip_limit"] == 2 and columns["todo"]["wip_limit"] is None
    assert [c["checklist"] for c in columns["todo"]["cards"]] == ["1/2"] and columns["doing"]["cards"][0]["checklist"] is None


def test_the_site_board_shows_checklists_and_wip_limits(workspace: Path, write_doc: Write, tmp_path_factory: pytest.TempPathFactory) -> None:
    from workspace_tool.site import BuildOptions, build_site

    ws = _setup(workspace, write_doc, "    statuses: [todo, doing, done]\n    wip: {doing: 1}\n", {"b": "status: doing\n"})
    write_doc(f"{TASKS}/a.md", "---\ntitle: Onboard\nstatus: doing\n---\n- [x] Laptop\n- [x] Accounts\n- [ ] Welcome lunch\n")
    out = tmp_path_factory.mktemp("site")
    build_site(load_index(ws), BuildOptions(out, jobs=1))
    page = (out / "projects/ops.html").read_text(encoding="utf-8")
    assert '<section class="column over-limit" aria-label="doing"' in page
    assert ">WIP 2/1 over</span>" in page
    assert '<section class="column" aria-label="todo"' in page and "WIP 0/" not in page  # no limit, no figure
    assert '<div class="card-checklist" title="Checklist: 2/3 checked">☑ 2/3</div>' in page
    assert page.count("card-checklist") == 1  # b has no checklist


def test_a_custom_workflow_gets_the_status_other_trackers_mean(workspace: Path, write_doc: Write, wm: Any) -> None:
    """docs audit L3: `In Progress` and `wip` suggested `doing` only in the default workflow's words."""
    ws = _setup(workspace, write_doc, "    statuses: [backlog, todo, doing, blocked, done, dropped]\n    done: [done, dropped]\n", {"a": "status: todo\n"})
    for word in ("In Progress", "wip", "started"):
        result = wm("-C", str(ws), "move", "a", word)
        assert result.exit_code != 0 and f"unknown task status '{word}' — did you mean 'doing'?" in result.output
    assert "did you mean 'dropped'?" in wm("-C", str(ws), "move", "a", "canceled").output
    assert "did you mean 'todo'?" in wm("-C", str(ws), "move", "a", "To Do").output  # its own words first, not backlog's synonym
