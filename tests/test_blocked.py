"""One meaning of "blocked" everywhere: `is:blocked`/`is:ready`, `wm blocked`, `wm next` and the site dashboard
list blocked tasks (`blocking.is_blocked`); the portfolio report counts those held up now (`blocking.is_held_up`).

The workspace (today = 2026-11-26) has a workflow with a `blocked` status and
(a) `stalled`: status `blocked`, no dependencies;
(b) `later`: todo, depends on the open `prep`, starts in the future;
(c) `wip`: in progress, depends on the open `prep`;
(d) `free`: todo, depends only on the done `finished`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result
from test_site_incremental import assert_same_as_full_build

from workspace_tool.blocking import blockers, has_started, is_blocked, is_held_up, marked_blocked
from workspace_tool.index import Index
from workspace_tool.model import Task
from workspace_tool.site import BuildOptions, build_site
from workspace_tool.workspace import load_index

Run = Callable[..., Result]
TODAY = dt.date(2026, 11, 26)  # the `wm` fixture's WM_TODAY
BLOCKED = ["later", "stalled", "wip"]  # a, b, c by ID
HELD_UP = ["stalled", "wip"]  # a and c: b waits for a future plan

WORKSPACE_YML = """name: test
workflows:
  task:
    statuses: [todo, in-progress, blocked, review, done, cancelled]
    done: [done, cancelled]
"""
DOCS = {
    "people/alice.md": "---\nname: Alice\n---\n",
    "projects/web/project.md": "---\ntitle: Website\nstatus: active\n---\n",
    "projects/web/tasks/stalled.md": "---\ntitle: Waiting on the vendor\nstatus: blocked\nassignee: alice\n---\n",
    "projects/web/tasks/later.md": "---\ntitle: Later work\nstatus: todo\nstart: 2026-12-07\ndepends_on: [prep]\n---\n",
    "projects/web/tasks/wip.md": "---\ntitle: Work in progress\nstatus: in-progress\ndepends_on: [prep]\n---\n",
    "projects/web/tasks/free.md": "---\ntitle: Free to go\nstatus: todo\ndepends_on: [finished]\n---\n",
    "projects/web/tasks/prep.md": "---\ntitle: Preparation\nstatus: todo\n---\n",
    "projects/web/tasks/finished.md": "---\ntitle: Finished\nstatus: done\n---\n",
}


@pytest.fixture
def ws(workspace: Path, write_doc: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "120")
    write_doc("workspace.yml", WORKSPACE_YML)
    for relpath, text in DOCS.items():
        write_doc(relpath, text)
    return workspace


def index_of(ws: Path) -> Index:
    return load_index(ws, TODAY, use_cache=False)


def run_json(wm: Run, ws: Path, *args: str) -> Any:
    result = wm("-C", str(ws), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def task(index: Index, task_id: str) -> Task:
    found = index.get(task_id)
    assert isinstance(found, Task)
    return found


# -- the two notions -------------------------------------------------------


def test_the_workspace_is_valid(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "validate")
    assert result.exit_code == 0, result.output


def test_blocked_and_held_up_per_task(ws: Path) -> None:
    index = index_of(ws)
    rows = {t.id: (is_blocked(t, index), is_held_up(t, index)) for t in index.of_type(Task)}
    assert rows == {
        "stalled": (True, True),  # (a) marked blocked
        "later": (True, False),  # (b) waits for prep, but starts later and has not started
        "wip": (True, True),  # (c) in progress while prep is open
        "free": (False, False),  # (d) its dependency is done
        "prep": (False, False),
        "finished": (False, False),
    }
    assert [d.id for d in blockers(task(index, "later"), index)] == ["prep"]
    assert blockers(task(index, "stalled"), index) == [] and marked_blocked(task(index, "stalled"))
    assert blockers(task(index, "free"), index) == []
    assert not has_started(task(index, "later"), index) and has_started(task(index, "wip"), index)


def test_a_started_subtask_of_a_waiting_parent_is_held_up(wm: Run, ws: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("projects/web/tasks/child.md", "---\ntitle: Part of it\nstatus: in-progress\nparent: wip\n---\n")
    index = index_of(ws)
    child = task(index, "child")
    assert (is_blocked(child, index), is_held_up(child, index)) == (True, True)
    [project] = run_json(wm, ws, "report", "projects")["projects"]
    assert project["blocked"] == ["child", "stalled"]  # wip, a parent now, counts through its subtask


@pytest.mark.parametrize(
    ("front", "held_up"),
    [
        ("start: 2026-11-26", True),  # its start has arrived
        ("due: 2026-11-20", True),  # past due
        ("status: review", True),  # started: past the workflow's default status
        ("start: 2026-11-27", False),
        ("due: 2026-12-24", False),
    ],
)
def test_held_up_when_started_or_its_dates_arrive(ws: Path, write_doc: Callable[[str, str], Path], front: str, held_up: bool) -> None:
    fields = {"status": "todo", "depends_on": "[prep]"}
    name, _, value = front.partition(": ")
    fields[name] = value
    write_doc("projects/web/tasks/extra.md", "---\ntitle: Extra\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n")
    index = index_of(ws)
    extra = task(index, "extra")
    assert is_blocked(extra, index) and is_held_up(extra, index) is held_up


def test_done_or_cancelled_tasks_are_never_blocked(ws: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("projects/web/tasks/dropped.md", "---\ntitle: Dropped\nstatus: cancelled\ndepends_on: [prep]\n---\n")
    index = index_of(ws)
    dropped = task(index, "dropped")
    assert blockers(dropped, index) != [] and not is_blocked(dropped, index) and not is_held_up(dropped, index)


# -- the query language and the commands -------------------------------------


def test_is_blocked_and_is_ready(wm: Run, ws: Path) -> None:
    assert [r["id"] for r in run_json(wm, ws, "list", "is:blocked")] == BLOCKED
    ready = [r["id"] for r in run_json(wm, ws, "list", "is:ready")]
    assert ready == ["free", "prep"]
    assert not set(ready) & set(BLOCKED)
    assert [r["id"] for r in run_json(wm, ws, "list", "type:task", "-is:blocked", "is:open")] == ready


def test_wm_blocked_lists_marked_and_waiting_tasks_with_their_blockers(wm: Run, ws: Path) -> None:
    result = wm("-C", str(ws), "blocked")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert sorted(rows) == BLOCKED
    assert rows["stalled"].rstrip().endswith("alice     status: blocked")
    assert rows["later"].rstrip().endswith("prep (todo)") and rows["wip"].rstrip().endswith("prep (todo)")
    assert "free" not in result.output


def test_wm_blocked_json_has_an_empty_blocked_by_for_a_task_blocked_by_its_status(wm: Run, ws: Path) -> None:
    found = {r["id"]: r for r in run_json(wm, ws, "blocked")}
    assert list(found) == BLOCKED
    assert found["stalled"]["status"] == "blocked" and found["stalled"]["blocked_by"] == []
    prep = {"id": "prep", "title": "Preparation", "status": "todo", "assignee": None}
    assert found["later"]["blocked_by"] == [prep] and found["wip"]["blocked_by"] == [prep]


def test_wm_blocked_a_task_marked_blocked_with_open_dependencies(wm: Run, ws: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("projects/web/tasks/both.md", "---\ntitle: Both\nstatus: blocked\ndepends_on: [prep, finished]\n---\n")
    result = wm("-C", str(ws), "blocked")
    assert [line for line in result.output.splitlines() if line.startswith("both ")][0].rstrip().endswith("status: blocked, prep (todo)")
    both = next(r for r in run_json(wm, ws, "blocked") if r["id"] == "both")
    assert [b["id"] for b in both["blocked_by"]] == ["prep"]


def test_wm_blocked_filters(wm: Run, ws: Path) -> None:
    assert [r["id"] for r in run_json(wm, ws, "blocked", "--who", "alice")] == ["stalled"]
    refused = wm("-C", str(ws), "blocked", "--project", "nope")  # a typo, not "nothing is blocked"
    assert refused.exit_code != 0 and "no project 'nope'; valid projects:" in refused.stderr
    refused = wm("-C", str(ws), "blocked", "--who", "zed")
    assert refused.exit_code != 0 and "no person 'zed'; valid people:" in refused.stderr


def test_wm_next_leaves_out_every_blocked_task(wm: Run, ws: Path) -> None:
    assert sorted(r["id"] for r in run_json(wm, ws, "next")) == ["free", "prep"]


def test_blocked_help_explains_both_notions(wm: Run) -> None:
    result = wm("blocked", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "its status is `blocked`" in text and "is:blocked" in text and "wm report projects" in text and "held up" in text


# -- the portfolio -------------------------------------------------------------


def test_portfolio_counts_the_tasks_held_up_now(wm: Run, ws: Path) -> None:
    (web,) = run_json(wm, ws, "report", "projects")["projects"]
    assert sorted(web["blocked"]) == HELD_UP
    assert set(web["blocked"]) <= set(BLOCKED)  # every held-up task is blocked; `later` is blocked only
    assert web["health"] == "amber" and web["reasons"] == ["2 blocked tasks", "5 open tasks have no estimate: the forecast leaves them out"]


# -- the site --------------------------------------------------------------


def build(ws: Path, out: Path, **options: Any) -> Any:
    return build_site(index_of(ws), BuildOptions(out, jobs=1, **options))


def dashboard_blocked(out: Path) -> dict[str, list[str]]:
    """The dashboard's Blocked list: task ID -> the IDs in its "blocked by"."""
    html = (out / "index.html").read_text(encoding="utf-8")
    section = re.search(r'<h2 id="h-blocked">Blocked(?: <span class="count">\(\d+\)</span>)?</h2>(.*?)</section>', html, re.S)
    assert section is not None
    found = {}
    for row in re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>", section.group(1), re.S):
        ids = re.findall(r'href="d/([^"]+)\.html"', row)
        by = re.search(r'<span class="blocked">blocked by (.*?)</span>', row, re.S)
        found[ids[0]] = re.findall(r'href="d/([^"]+)\.html"', by.group(1)) if by else []
    return found


def row_of(out: Path, task_id: str) -> str:
    """The dashboard's blocked-list row of a task."""
    html = (out / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="h-blocked"') :]
    return next(row for row in section.split("<tr")[1:] if f'd/{task_id}.html"' in row)


def test_dashboard_lists_the_blocked_work_of_wm_blocked(wm: Run, ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    listed = dashboard_blocked(out)
    assert sorted(listed) == BLOCKED
    assert listed == {r["id"]: [b["id"] for b in r["blocked_by"]] for r in run_json(wm, ws, "blocked")}
    assert listed["stalled"] == []  # blocked by its status: shown by the status chip, no "blocked by"


def test_dashboard_follows_status_and_dependency_edits_in_incremental_builds(wm: Run, ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    free = ws / "projects/web/tasks/free.md"
    free.write_text(free.read_text(encoding="utf-8").replace("status: todo", "status: blocked"), encoding="utf-8")
    result = build(ws, out)
    assert result.models < result.pages  # incremental: only what read the task was remade
    assert sorted(dashboard_blocked(out)) == sorted([*BLOCKED, "free"])
    assert_same_as_full_build(ws, out, tmp_path)
    prep = ws / "projects/web/tasks/prep.md"
    prep.write_text(prep.read_text(encoding="utf-8").replace("status: todo", "status: done"), encoding="utf-8")
    build(ws, out)
    assert sorted(dashboard_blocked(out)) == ["free", "stalled"]  # later and wip wait for nothing now
    assert sorted(r["id"] for r in run_json(wm, ws, "blocked")) == ["free", "stalled"]
    assert_same_as_full_build(ws, out, tmp_path)


def test_dashboard_lists_subtasks_of_waiting_parents_and_tasks_waiting_on_unreadable_files(
    wm: Run, ws: Path, tmp_path: Path, write_doc: Callable[[str, str], Path]
) -> None:
    write_doc("projects/web/tasks/child.md", "---\ntitle: Part of the work in progress\nstatus: todo\nparent: wip\n---\n")
    write_doc("projects/web/tasks/broken.md", "---\ntitle: [unclosed\n---\n")
    write_doc("projects/web/tasks/after.md", "---\ntitle: After the broken one\nstatus: todo\ndepends_on: [broken]\n---\n")
    out = tmp_path / "out"
    build(ws, out)
    listed = dashboard_blocked(out)
    assert sorted(listed) == sorted([*BLOCKED, "after", "child"])
    assert listed["child"] == ["wip"]  # waits for its parent, which links to its page
    result = wm("-C", str(ws), "blocked", "--json")
    assert result.exit_code == 0, result.output
    blocked = json.loads(result.stdout)
    assert sorted(listed) == sorted(r["id"] for r in blocked)
    after = next(r for r in blocked if r["id"] == "after")
    assert [b["id"] for b in after["blocked_by"]] == ["broken"]  # the unreadable file: named, with no page to link
    assert listed["after"] == []
    assert "broken" in row_of(out, "after")
    prep = ws / "projects/web/tasks/prep.md"
    prep.write_text(prep.read_text(encoding="utf-8").replace("status: todo", "status: done"), encoding="utf-8")
    build(ws, out)
    assert sorted(dashboard_blocked(out)) == ["after", "stalled"]  # the parent's dependency is done: child is free
    assert_same_as_full_build(ws, out, tmp_path)
