"""Incremental site builds: an edit remakes only the page models that read what changed, and no page is ever stale.

Every test compares the incremental build with a full build of the same
workspace into another folder: they must be identical, file for file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_site_build import TODAY, _git, all_text, build, make_site_workspace, start_git

from workspace_tool.site import Audience
from workspace_tool.site.build import record_path, search_path
from workspace_tool.site.history_view import EVENTS_CACHE
from workspace_tool.site.render import shipped_templates

OLD_TITLE = "Design the flamingo login page"
NEW_TITLE = "Design the heron sign-in page"


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_same_as_full_build(ws: Path, out: Path, tmp_path: Path, **options: object) -> None:
    """The incremental output equals a build from scratch (no manifest entry, empty folder, no kept activity)."""
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    (ws / EVENTS_CACHE).unlink(missing_ok=True)
    build(ws, full, incremental=False, **options)
    got, want = files_of(out), files_of(full)
    assert sorted(got) == sorted(want)
    stale = [path for path in want if got[path] != want[path]]
    assert stale == []


_EDITED_AT = itertools.count(int(dt.datetime.combine(TODAY, dt.time(12)).timestamp()))
"""Edits are dated on the builds' `TODAY`, a second apart (a working copy is dated by its file's time, and an event
after the site's today is not shown), so the tests do not depend on the day they run."""


def dated(path: Path) -> None:
    stamp = next(_EDITED_AT)
    os.utime(path, (stamp, stamp))


def edit(ws: Path, relpath: str, old: str, new: str) -> None:
    path = ws / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    dated(path)


@pytest.fixture(params=["plain", "git"])
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The site test workspace, outside git or committed (so pages have history, activity and flow)."""
    root = make_site_workspace(tmp_path)
    if request.param == "git":
        start_git(root)
    return root


def test_nothing_changed_remakes_no_page_model(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first: Any = build(ws, out)
    again: Any = build(ws, out)
    assert first.models == first.pages and again.models == 0 and again.rendered == 0 and again.written == 0


def test_other_code_remakes_every_page_model(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer checkout of wm under the same version (`codeprint`) may make other pages from the same files."""
    from workspace_tool import codeprint

    out = tmp_path / "out"
    first: Any = build(ws, out)
    monkeypatch.setattr(codeprint, "_CODE", ["0.1.0+other-code"])
    again: Any = build(ws, out)
    assert again.models == again.pages == first.pages


def test_new_times_alone_remake_no_page_model(ws: Path, tmp_path: Path) -> None:
    """Every document file written anew with the same bytes (a fresh clone, a checkout, `touch`): no page can change,
    so none is made again, and nothing is written."""
    out = tmp_path / "out"
    build(ws, out)
    for path in sorted(ws.rglob("*.md")):
        dated(path)
    again: Any = build(ws, out)
    assert (again.models, again.rendered, again.written) == (0, 0, 0)
    assert_same_as_full_build(ws, out, tmp_path)


def test_file_prints_take_the_parse_cache_s_hashes(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files with new times (a fresh clone): the parse cache reads and hashes each once, and the site's print of it
    (size, time, hash) takes that hash instead of reading the file again. The prints are the ones read from the files."""
    from workspace_tool.site import BuildOptions, build_site, deps
    from workspace_tool.workspace import load_index

    out = tmp_path / "out"
    build_site(load_index(ws, TODAY), BuildOptions(out, jobs=1))
    for path in sorted(ws.rglob("*.md")):
        dated(path)
    read: list[str] = []
    real_print = deps.file_fingerprint

    def file_fingerprint(root: Path, relpath: str, *args: Any) -> str:
        read.append(relpath)
        return real_print(root, relpath, *args)

    monkeypatch.setattr(deps, "file_fingerprint", file_fingerprint)
    again: Any = build_site(load_index(ws, TODAY), BuildOptions(out, jobs=1))
    assert read == [] and (again.models, again.written) == (0, 0)
    files = _record(ws, out)["files"]
    assert len(files) > 10 and {path: entry[0] for path, entry in files.items()} == {path: real_print(ws, path) for path in files}


def test_an_uncommitted_file_touched_on_another_day_shows_that_day(tmp_path: Path) -> None:
    """An uncommitted version is dated by its file's time: new times alone do change its page."""
    ws = start_git(make_site_workspace(tmp_path))
    out = tmp_path / "out"
    path = ws / "projects/alpha/tasks/design.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA thought not committed yet.\n", encoding="utf-8")
    before, after = (dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(12)).timestamp() for days in (2, 1))
    os.utime(path, (before, before))
    build(ws, out)
    page = out / "d/design.html"
    old_day, new_day = (TODAY - dt.timedelta(days=days) for days in (2, 1))
    assert old_day.isoformat() in page.read_text(encoding="utf-8")
    os.utime(path, (after, after))
    again: Any = build(ws, out)
    assert again.models >= 1
    assert new_day.isoformat() in page.read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path)


def test_ci_clone_with_its_cache_restored_makes_only_what_the_new_commit_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI on a push: a fresh clone (every file new, at another path) with `.wm/` restored and vouched for, and the
    output folder where the last build left it. The pages made again are those the same commit remakes in place."""
    ws = start_git(make_site_workspace(tmp_path))
    out, in_place = tmp_path / "out", tmp_path / "in-place"
    first: Any = build(ws, out)
    build(ws, in_place)
    edit(ws, "projects/alpha/tasks/design.md", OLD_TITLE, NEW_TITLE)
    _git(ws, "commit", "-qam", "Rename the design task", date="2026-11-21T10:00:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ws), str(clone)], check=True, capture_output=True)
    shutil.copytree(ws / ".wm", clone / ".wm")
    monkeypatch.setenv("WM_TRUST_CACHE", "1")
    result: Any = build(clone, out)
    monkeypatch.delenv("WM_TRUST_CACHE")
    expected: Any = build(ws, in_place)
    assert 0 < result.models == expected.models < first.models
    assert NEW_TITLE in (out / "d/design.html").read_text(encoding="utf-8")
    assert files_of(out) == files_of(in_place)
    assert_same_as_full_build(clone, out, tmp_path)


def test_ci_checkout_at_another_path_keeps_the_record_of_an_output_folder_inside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner that checks out at a new path each run, with `.wm/` and `site/` restored inside the checkout: the
    record names the output by its path in the workspace, so the build makes only what the new commit changed."""
    ws = start_git(make_site_workspace(tmp_path / "run-1"))
    out = ws / "site"
    first: Any = build(ws, out)
    edit(ws, "projects/alpha/tasks/design.md", OLD_TITLE, NEW_TITLE)
    _git(ws, "commit", "-qam", "Rename the design task", date="2026-11-21T10:00:00")
    clone = tmp_path / "run-2" / "checkout"
    subprocess.run(["git", "clone", "-q", str(ws), str(clone)], check=True, capture_output=True)
    shutil.copytree(ws / ".wm", clone / ".wm")
    shutil.copytree(out, clone / "site")
    shutil.rmtree(tmp_path / "run-1")  # the last run's checkout is gone
    monkeypatch.setenv("WM_TRUST_CACHE", "1")
    result: Any = build(clone, clone / "site")
    assert 0 < result.models < first.models
    assert NEW_TITLE in (clone / "site/d/design.html").read_text(encoding="utf-8")
    assert [path.name for path in (clone / ".wm/site").glob("*.marshal") if ".search" not in path.name] == [record_path(clone, (clone / "site").resolve()).name]
    monkeypatch.delenv("WM_TRUST_CACHE")
    assert_same_as_full_build(clone, clone / "site", tmp_path)


def test_edited_title_shows_on_every_page_that_names_the_task(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first: Any = build(ws, out)
    edit(ws, "projects/alpha/tasks/design.md", OLD_TITLE, NEW_TITLE)
    result: Any = build(ws, out)
    assert 0 < result.models < first.models
    pages = {
        "d/design.html": "its page",
        "projects/alpha.html": "its project page and board",
        "index.html": "the dashboard (build is blocked by it)",
        "d/build.html": "a task depending on it",
        "d/notes/meeting.html": "a note linking to it",
        "d/alice.html": "its assignee",
    }
    for page, why in pages.items():
        assert NEW_TITLE in (out / page).read_text(encoding="utf-8"), why
    assert NEW_TITLE in (out / "search-index.js").read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path)


def test_a_project_s_flow_is_kept_until_one_of_its_tasks_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow series and days in column (`history_view.project_flow`) are a memo: a project page made again for
    another reason (its own text) takes them from the last build; a task of the project changed makes them again."""
    from workspace_tool.site import history_view

    ws = start_git(make_site_workspace(tmp_path))
    out = tmp_path / "out"
    build(ws, out)
    made: list[str] = []
    real_flow = history_view._flow

    def counted(data: Any, history: Any, project: str, derived: Any) -> Any:
        made.append(project)
        return real_flow(data, history, project, derived)

    monkeypatch.setattr(history_view, "_flow", counted)
    edit(ws, "projects/alpha/project.md", "The alpha portal for Acme.", "The alpha portal for Acme, phase two.")
    again: Any = build(ws, out)
    assert "phase two" in (out / "projects/alpha.html").read_text(encoding="utf-8") and again.models > 0
    assert made == []
    edit(ws, "projects/alpha/tasks/build.md", "status: todo", "status: in-progress")
    build(ws, out)
    assert made == ["alpha"]
    assert_same_as_full_build(ws, out, tmp_path)


def test_document_made_private_disappears_everywhere(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    edit(ws, "projects/alpha/tasks/design.md", "status: in-progress\n", "status: in-progress\nvisibility: private\n")
    result: Any = build(ws, out)
    assert result.removed >= 1 and not (out / "d/design.html").exists()
    assert OLD_TITLE not in all_text(out)
    assert_same_as_full_build(ws, out, tmp_path)


def test_changed_template_renders_every_page(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first: Any = build(ws, out)
    own = ws / "site_templates"
    own.mkdir()
    base = (shipped_templates() / "base.html").read_text(encoding="utf-8")
    assert "</body>" in base
    (own / "base.html").write_text(base.replace("</body>", "<p>TEMPLATE-MARKER</p></body>"), encoding="utf-8")
    result: Any = build(ws, out)
    assert result.models == result.pages and result.rendered == first.pages
    for page in out.rglob("*.html"):
        assert "TEMPLATE-MARKER" in page.read_text(encoding="utf-8"), page
    assert_same_as_full_build(ws, out, tmp_path)


def _append(relpath: str, text: str) -> Callable[[Path], None]:
    def change(ws: Path) -> None:
        with (ws / relpath).open("a", encoding="utf-8") as handle:
            handle.write(text)
        dated(ws / relpath)

    return change


def _replace(relpath: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda ws: edit(ws, relpath, old, new)


def _write(relpath: str, text: str) -> Callable[[Path], None]:
    def change(ws: Path) -> None:
        (ws / relpath).parent.mkdir(parents=True, exist_ok=True)
        (ws / relpath).write_text(text, encoding="utf-8")
        dated(ws / relpath)

    return change


def _delete(relpath: str) -> Callable[[Path], None]:
    return lambda ws: (ws / relpath).unlink()


def _commit_as(name: str, email: str, message: str) -> Callable[[Path], None]:
    """Commit everything as another author (in a workspace in git; outside git, nothing)."""

    def change(ws: Path) -> None:
        if not (ws / ".git").is_dir():
            return
        env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
               "GIT_AUTHOR_DATE": "2026-11-21T10:00:00", "GIT_COMMITTER_DATE": "2026-11-21T10:00:00"}
        subprocess.run(["git", "add", "-A"], cwd=ws, env=env, check=True, capture_output=True)
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=ws, env=env, check=True, capture_output=True)

    return change


EDITS: dict[str, Callable[[Path], None]] = {
    "body text": _append("projects/alpha/tasks/build.md", "\nA new paragraph.\n"),
    "task done": _replace("projects/alpha/tasks/design.md", "status: in-progress", "status: done\ndone: 2026-11-25"),
    "reassigned": _replace("projects/alpha/tasks/build.md", "assignee: bob", "assignee: alice"),
    "estimate": _replace("projects/alpha/tasks/build.md", "estimate: 3d", "estimate: 9d"),
    "moved to another project": _replace("projects/alpha/tasks/evil.md", "status: todo", "status: todo\nproject: beta"),
    "dependency dropped": _replace("projects/alpha/tasks/build.md", "depends_on: [design]\n", ""),
    "time logged": _append("timelogs/bob/2026-11.md", "- 2026-11-25 5h design pairing\n"),
    "rate": _replace("people/alice.md", "rate: 80", "rate: 120"),
    "person renamed": _replace("people/bob.md", "name: Bob Baker", "name: Robert Baker"),
    "decision superseded": _replace("decisions/use-sqlite.md", "supersedes: [use-postgres]\n", ""),
    "link added": _append("notes/meeting.md", "\nAlso see [[build]] and ![plan](../projects/alpha/diagram.png).\n"),
    "project retitled": _replace("projects/alpha/project.md", "title: Alpha portal", "title: Alpha web portal"),
    "client of a project": _replace("projects/beta/project.md", "client: globex", "client: acme"),
    "new task": _write("projects/alpha/tasks/extra.md", "---\ntitle: An extra task\nstatus: todo\nassignee: bob\n---\nMore.\n"),
    "task deleted": _delete("projects/alpha/tasks/build.md"),
    "task without time deleted": _delete("projects/alpha/tasks/evil.md"),
    "attachment added": _write("projects/alpha/new.png", "PNG"),
    "settings": _replace("workspace.yml", "rate: 100", "rate: 110"),
    "body heading retitles": _replace("notes/meeting.md", "# Kickoff meeting", "# Kickoff workshop"),
    "checklist ticked": _replace("projects/alpha/tasks/design.md", "- [ ] review", "- [x] review"),
    "text above a link": _replace("notes/meeting.md", "We talked about", "A new first paragraph.\n\nWe talked about"),
    "body link dropped": _replace("notes/meeting.md", "We talked about [[design]] and", "We talked about design and"),
    "project body text": _append("projects/alpha/project.md", "\nScope grew in week two.\n"),
    "time log line broken": _append("timelogs/bob/2026-11.md", "- 2026-11-26 lots of hours\n"),
}


GLOBAL = {"project retitled", "settings", "task deleted"}  # these change every page: the navigation, the settings, time logged against no task


@pytest.mark.parametrize("name", sorted(EDITS))
def test_incremental_build_equals_full_build(name: str, ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    if name == "attachment added":  # a link to a file that is not there yet, then the file appears
        _append("notes/meeting.md", "\n![new](../projects/alpha/new.png)\n")(ws)
        build(ws, out)
    EDITS[name](ws)
    result: Any = build(ws, out)
    if name not in GLOBAL:
        assert result.models < result.pages  # the edit was handled incrementally
    assert_same_as_full_build(ws, out, tmp_path)


def test_body_text_edit_remakes_only_its_own_page(ws: Path, tmp_path: Path) -> None:
    """Text that changes no field, title, checklist, link or entry: only the document's page and the search index."""
    out = tmp_path / "out"
    build(ws, out)
    EDITS["body text"](ws)
    first: Any = build(ws, out)
    if (ws / ".git").is_dir():  # the file is now uncommitted: a new event on the dashboard and the activity page
        assert first.models == 3
        _append("projects/alpha/tasks/build.md", "\nAnd another.\n")(ws)  # the same event: only the page
        again: Any = build(ws, out)
        assert again.models == 1 and again.rendered == 1
    else:
        assert first.models == 1 and first.rendered == 1
    assert "A new paragraph." in (out / "d" / "build.html").read_text(encoding="utf-8")
    assert "A new paragraph." in (out / "search-index.js").read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path)


def test_dashboard_remade_for_the_activity_keeps_the_project_summaries(git_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text edit adds an event, so the dashboard is made again; the projects' summaries and the attention rows it
    shows are the last build's memos (nothing they read changed), and a status change computes them again."""
    from workspace_tool.site import pages_overview, pages_project

    out = tmp_path / "out"
    build(git_ws, out)
    computed: list[str] = []
    real_summary, real_rows = pages_project._project_summary, pages_overview._attention_rows
    monkeypatch.setattr(pages_project, "_project_summary", lambda data, project: computed.append(project.id) or real_summary(data, project))
    monkeypatch.setattr(pages_overview, "_attention_rows", lambda data, limit: computed.append("attention") or real_rows(data, limit))
    EDITS["body text"](git_ws)
    first: Any = build(git_ws, out)
    assert first.models == 3 and computed == []  # the task's page, the dashboard and the activity page
    assert_same_as_full_build(git_ws, out, tmp_path)
    computed.clear()
    EDITS["task done"](git_ws)
    build(git_ws, out)
    assert "alpha" in computed and "attention" in computed
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_the_attention_rows_of_other_projects_are_kept(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The overdue, blocked and due-this-week rows are one memo per project (`_attention_chunk`): a task of beta made
    overdue makes beta's rows again and sorts alpha's kept ones in; the pages equal a full build's."""
    from workspace_tool.site import pages_overview

    out = tmp_path / "out"
    build(ws, out)
    computed: list[str | None] = []
    real = pages_overview._attention_chunk
    monkeypatch.setattr(pages_overview, "_attention_chunk", lambda data, project: computed.append(project) or real(data, project))
    edit(ws, "projects/beta/tasks/beta-task.md", "estimate: 1d\n", "estimate: 1d\ndue: 2026-11-20\n")
    build(ws, out)
    assert computed == ["beta"]
    assert "Quokka migration" in (out / "attention.html").read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path)


def test_status_change_that_books_nothing_else_keeps_the_workload_charts(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moving a task to review leaves the plan as it was: the People page and the assignee's page are made again, with
    the last build's workload charts (memos); a longer estimate books more hours, so the assignee's charts are made again."""
    from workspace_tool.site import pages_overview

    out = tmp_path / "out"
    build(ws, out)
    computed: list[str] = []
    real = pages_overview._workload_chart
    monkeypatch.setattr(pages_overview, "_workload_chart", lambda data, person, chart_id: computed.append(person.id) or real(data, person, chart_id))
    edit(ws, "projects/alpha/tasks/design.md", "status: in-progress", "status: review")
    build(ws, out)
    assert computed == []
    alice = (out / "d" / "alice.html").read_text(encoding="utf-8")
    assert 'chip-review">review' in alice and "Workload of Alice Able" in alice  # her page was made again, with the kept chart
    assert_same_as_full_build(ws, out, tmp_path)
    computed.clear()
    EDITS["estimate"](ws)  # bob's build task: 3d to 9d
    build(ws, out)
    assert computed and set(computed) <= {"alice", "bob"} and "bob" in computed
    assert_same_as_full_build(ws, out, tmp_path)


def test_text_written_above_a_link_is_a_body_text_edit(ws: Path, tmp_path: Path) -> None:
    """Moving a link down a line changes nothing the site shows but the note's text: only the note's page is
    remade (with the activity pages in git), and the kept plan is taken without making the scheduler's input."""
    from workspace_tool.scheduling import adapter

    out = tmp_path / "out"
    build(ws, out)
    inputs: list[object] = []
    real = adapter.build_input
    adapter_calls = lambda *args, **kwargs: inputs.append(args) or real(*args, **kwargs)  # noqa: E731
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(adapter, "build_input", adapter_calls)
        EDITS["text above a link"](ws)
        result: Any = build(ws, out)
    assert inputs == []
    assert result.models == (3 if (ws / ".git").is_dir() else 1)
    assert "A new first paragraph." in (out / "d" / "notes" / "meeting.html").read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path)


LATER_TASK = "---\ntitle: The later task\nstatus: todo\nassignee: bob\nestimate: 1d\n---\nLater.\n"

# (what is there first, what comes or goes, whether that is done incrementally)
COMINGS_AND_GOINGS: dict[str, tuple[list[Callable[[Path], None]], Callable[[Path], None], bool]] = {
    "task that links named before it existed": (
        [_write("notes/later.md", "# Later\n\nSee [[later-task]] and [the file](../projects/alpha/tasks/later-task.md).\n")],
        _write("projects/alpha/tasks/later-task.md", LATER_TASK),
        True,
    ),
    "task that a relative link named before it existed": (
        [_write("notes/later.md", "# Later\n\nSee [the file](../projects/alpha/tasks/later-task.md).\n")],
        _write("projects/alpha/tasks/later-task.md", LATER_TASK),
        True,
    ),
    "note whose stem a link named": ([_write("notes/plan.md", "# Plan\n\nAfter the [[retro]].\n")], _write("notes/retro.md", "# Retro\n\nHow it went.\n"), True),
    "note that makes a stem ambiguous": (
        [_write("notes/retro.md", "# Retro\n"), _write("notes/plan.md", "# Plan\n\nAfter the [[retro]].\n")],
        _write("notes/archive/retro.md", "# Last year's retro\n"),
        True,  # `[[retro]]` names no note now: the plan's page, and the first retro's backlinks, are made again
    ),
    "note deleted, its stem no longer shared": (
        [_write("notes/retro.md", "# Retro\n"), _write("notes/archive/retro.md", "# Last year's retro\n"), _write("notes/plan.md", "# Plan\n\nAfter the [[retro]].\n")],
        _delete("notes/archive/retro.md"),
        True,  # `[[retro]]` names the other retro again: it gains the plan as a backlink
    ),
    "task whose ID a note's stem had": (
        [_write("notes/retro.md", "# Retro\n"), _write("notes/plan.md", "# Plan\n\nAfter the [[retro]].\n")],
        _write("projects/alpha/tasks/retro.md", LATER_TASK),
        False,
    ),
    "linked note deleted": ([_write("notes/plan.md", "# Plan\n\nAfter the [[retro]] and [[meeting]].\n")], _delete("notes/meeting.md"), True),
    "task with time logged before it existed": (
        [_append("timelogs/bob/2026-11.md", "- 2026-11-25 2h later-task prep\n")],
        _write("projects/alpha/tasks/later-task.md", LATER_TASK),
        False,
    ),
    "private task": ([], _write("projects/alpha/tasks/secret.md", "---\ntitle: Osprey secret\nstatus: todo\nvisibility: private\n---\nhush\n"), False),
    "decision superseding another": (
        [],
        _write("decisions/use-duckdb.md", "---\ntitle: Use DuckDB\nstatus: proposed\nproject: alpha\ndate: 2026-11-20\ndeciders: [bob]\nsupersedes: [use-sqlite]\n---\nMaybe.\n"),
        True,
    ),
    "subtask": ([], _write("projects/alpha/tasks/sub.md", "---\ntitle: A subtask\nstatus: todo\nparent: design\nassignee: alice\n---\nPart.\n"), True),
    "person": ([], _write("people/carol.md", "---\nname: Carol Cole\nteam: web\n---\n# Carol\n"), True),
    "person with work, time and commits before": (
        [
            _replace("projects/alpha/tasks/build.md", "assignee: bob", "assignee: dave"),
            _write("timelogs/dave/2026-11.md", "---\nperson: dave\n---\n- 2026-11-24 3h build pairing\n"),
            _commit_as("Dave Doe", "dave@example.com", "Dave takes the build"),
        ],
        _write("people/dave.md", "---\nname: Dave Doe\nemail: dave@example.com\nteam: web\nrate: 95\ncapacity: 4\n---\n# Dave\n"),
        True,  # named, priced, scheduled and credited from now on: every page that shows any of it is made again
    ),
    "person deleted": ([], _delete("people/bob.md"), True),
    "risk that occurred": (
        [],
        _write("risks/vendor-delay.md", "---\nproject: alpha\nowner: bob\nstatus: occurred\nprobability: high\nimpact: high\ndue: 2026-12-01\n---\n# Vendor delay\n\nSee [[build]].\n"),
        True,  # the project's page, health and the dashboard show it
    ),
    "client that a project named before": (
        [_replace("projects/beta/project.md", "client: globex", "client: initech")],
        _write("clients/initech.md", "---\nname: Initech\nrate: 120\n---\n# Initech\n"),
        True,  # its page, the clients list, the project's header and its priced time
    ),
    "client deleted": ([], _delete("clients/globex.md"), True),
    "first goal": (
        [_replace("projects/alpha/project.md", "client: acme", "client: acme\ngoals: [ship-v2]")],
        _write("goals/ship-v2.md", "---\nowner: alice\ndue: 2027-03-01\n---\n# Ship v2\n"),
        False,  # the Goals page joins the navigation of every page
    ),
    "second goal": (
        [_write("goals/grow.md", "---\nowner: bob\n---\n# Grow\n"), _replace("projects/alpha/project.md", "client: acme", "client: acme\ngoals: [ship-v2]")],
        _write("goals/ship-v2.md", "---\nowner: alice\ndue: 2027-03-01\n---\n# Ship v2\n"),
        True,
    ),
    "risk deleted": ([_write("risks/vendor-delay.md", "---\nproject: alpha\nowner: bob\nstatus: open\nprobability: low\nimpact: high\n---\n# Vendor delay\n")], _delete("risks/vendor-delay.md"), True),
    "a new month's time log": ([], _write("timelogs/bob/2026-12.md", "---\nperson: bob\n---\n- 2026-11-26 3h build review\n- 2026-11-26 1h design notes\n"), True),
    "a time log deleted": (
        [_write("timelogs/bob/2026-10.md", "---\nperson: bob\n---\n- 2026-10-30 2h build spike\n")], _delete("timelogs/bob/2026-10.md"), True
    ),
    "a time log deleted, its stem no longer shared": ([], _delete("timelogs/bob/2026-11.md"), True),  # alice's 2026-11 is now `[[2026-11]]`
    "a time log whose stem a link named": (
        [_write("notes/plan.md", "# Plan\n\nHours in [[2026-12]].\n")],
        _write("timelogs/alice/2026-12.md", "---\nperson: alice\n---\n- 2026-11-26 2h design review\n"),
        True,
    ),
    "a time log that makes a stem ambiguous": (
        [_write("timelogs/bob/2026-12.md", "---\nperson: bob\n---\n- 2026-11-26 1h build\n"), _write("notes/plan.md", "# Plan\n\nHours in [[2026-12]].\n")],
        _write("timelogs/alice/2026-12.md", "---\nperson: alice\n---\n- 2026-11-26 2h design review\n"),
        True,  # the month's second time log: `[[2026-12]]` no longer names bob's
    ),
    "a time log beside two of the same stem": ([], _write("timelogs/bob/archive/2026-11.md", "---\nperson: bob\n---\n- 2026-11-02 1h build\n"), True),
    "task renamed": ([], lambda ws: (ws / "projects/alpha/tasks/evil.md").rename(ws / "projects/alpha/tasks/wicked.md"), True),
    "task moved with its ID": (
        [_replace("projects/alpha/tasks/evil.md", "status: todo", "id: evil\nstatus: todo")],
        lambda ws: (ws / "projects/alpha/tasks/evil.md").rename(ws / "projects/beta/tasks/evil.md"),
        True,
    ),
    "note made a decision": ([], _replace("notes/meeting.md", "# Kickoff meeting", "---\ntype: decision\nstatus: accepted\n---\n# Kickoff meeting"), True),
}


@pytest.mark.parametrize("name", sorted(COMINGS_AND_GOINGS))
def test_a_document_that_comes_or_goes_leaves_no_stale_page(name: str, ws: Path, tmp_path: Path) -> None:
    """Adding or deleting a task, note or decision remakes only the pages that read what it emits (then or now);
    what changes how other documents resolve or what is hidden (a stem taken twice, time logged against no document
    yet, a private document, a person) remakes every page. Either way the output is a full build's."""
    setup, change, incremental = COMINGS_AND_GOINGS[name]
    for step in setup:
        step(ws)
    out = tmp_path / "out"
    build(ws, out)
    change(ws)
    result: Any = build(ws, out)
    assert (result.models < result.pages) == incremental
    assert_same_as_full_build(ws, out, tmp_path)
    again: Any = build(ws, out)
    assert again.models == 0


def test_priced_time_is_kept_when_a_note_comes_and_made_again_when_a_time_log_does(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Priced time's fingerprints are kept while only tasks, notes and decisions came or went (time logged against
    one that was not there is global), so they are not made again; a time log's entries are priced time, so after
    one comes they are made again. The output is a full build's."""
    from workspace_tool.site.context import SiteData

    out = tmp_path / "out"
    build(ws, out)
    made: list[str] = []
    real = SiteData.fingerprint
    monkeypatch.setattr(SiteData, "fingerprint", lambda self, key: made.append(key) or real(self, key))
    _write("notes/later.md", "# Later\n\nSee [[design]].\n")(ws)
    result: Any = build(ws, out)
    assert result.models < result.pages
    assert [key for key in made if key.startswith("p:")] == []
    _append("timelogs/bob/2026-11.md", "- 2026-11-25 1h design review\n")(ws)  # a card changed: priced again
    build(ws, out)
    assert [key for key in made if key.startswith("p:")] != []
    assert_same_as_full_build(ws, out, tmp_path)
    made.clear()
    _write("timelogs/bob/2026-12.md", "---\nperson: bob\n---\n- 2026-11-26 2h build review\n")(ws)  # a new time log: incremental, priced again
    result = build(ws, out)
    assert result.models < result.pages
    assert "p:project=alpha" in made
    assert_same_as_full_build(ws, out, tmp_path)


def test_a_task_added_to_a_client_site(ws: Path, tmp_path: Path) -> None:
    """On a client's site a task in one of its projects is added by its keys; one in another client's project is
    hidden, so what is hidden changed and every page is made again, as for a new time log (no client sees one). The
    output is a full build's either way."""
    acme = Audience.parse("client:acme")
    out = tmp_path / "acme"
    build(ws, out, audience=acme)
    _write("projects/alpha/tasks/later-task.md", LATER_TASK)(ws)
    result: Any = build(ws, out, audience=acme)
    assert result.models < result.pages
    assert "The later task" in (out / "projects/alpha.html").read_text(encoding="utf-8")
    assert_same_as_full_build(ws, out, tmp_path, audience=acme)
    _write("timelogs/alice/2026-12.md", "---\nperson: alice\n---\n- 2026-11-26 5h build pairing\n")(ws)  # a new month's time log
    build(ws, out, audience=acme)  # a client's site shows no time log: it is one more hidden document (global)
    assert_same_as_full_build(ws, out, tmp_path, audience=acme)
    _write("projects/beta/tasks/quiet.md", "---\ntitle: Globex heron work\nstatus: todo\nproject: beta\n---\nx\n")(ws)
    result = build(ws, out, audience=acme)
    assert result.models == result.pages
    assert "heron" not in all_text(out)
    assert_same_as_full_build(ws, out, tmp_path, audience=acme)


def test_kept_pages_links_are_checked_again_when_a_document_comes(ws: Path, tmp_path: Path) -> None:
    """A page kept while the set of output files changed is checked again (its folder's shared links once): a link
    the new page mends is no longer reported, one still broken is, in that build and the next (from the page's
    record entry), as a full build reports them."""
    own = ws / "site_templates"
    own.mkdir()
    base = (shipped_templates() / "base.html").read_text(encoding="utf-8")
    links = '<a href="later-task.html">l</a>{% if page_path == "d/use-postgres.html" %}<a href="gone.html">g</a>{% endif %}</body>'
    (own / "base.html").write_text(base.replace("</body>", links), encoding="utf-8")
    out = tmp_path / "out"
    first: Any = build(ws, out)
    gone, mended = (f"d/use-postgres.html: broken link to {href}" for href in ("gone.html", "later-task.html"))
    assert gone in first.warnings and mended in first.warnings  # beside its folder's shared links, and one of them
    page = out / "d/use-postgres.html"
    written = page.stat().st_mtime_ns
    _write("projects/alpha/tasks/later-task.md", LATER_TASK)(ws)  # d/later-task.html: what every d/ page links to
    second: Any = build(ws, out)
    assert second.models < second.pages and page.stat().st_mtime_ns == written  # kept, not made again
    assert gone in second.warnings and mended not in second.warnings
    third: Any = build(ws, out)
    assert third.models == 0
    full: Any = build(ws, tmp_path / "full", incremental=False)
    assert second.warnings == third.warnings == full.warnings


def test_a_run_of_edits_never_leaves_a_stale_page(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    for name in ("body text", "reassigned", "time logged", "task done", "link added", "estimate", "decision superseded"):
        EDITS[name](ws)
        build(ws, out)
    assert_same_as_full_build(ws, out, tmp_path)


def test_damaged_record_means_a_full_build(ws: Path, tmp_path: Path) -> None:
    import marshal

    out = tmp_path / "out"
    build(ws, out)
    manifest_path = record_path(ws, out.resolve())
    manifest = marshal.loads(manifest_path.read_bytes())
    record = manifest["record"]
    record["files"] = {path: 7 for path in record["files"]}
    record["pages"] = {path: {"hash": 1, "keys": "x"} for path in record["pages"]}
    manifest_path.write_bytes(marshal.dumps(manifest))
    EDITS["body text"](ws)
    result: Any = build(ws, out)
    assert result.models == result.pages
    assert_same_as_full_build(ws, out, tmp_path)


@pytest.mark.parametrize("damage", [b"", b"not marshal at all", b"\xe3\x00garbage"])
def test_unreadable_manifest_or_events_mean_a_full_build(damage: bytes, ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    record_path(ws, out.resolve()).write_bytes(damage)
    if (ws / EVENTS_CACHE).exists():
        (ws / EVENTS_CACHE).write_bytes(damage)
    EDITS["body text"](ws)
    result: Any = build(ws, out)
    assert result.models == result.pages
    assert_same_as_full_build(ws, out, tmp_path)


@pytest.mark.parametrize("damage", [b"", b"\xe3\x00garbage", "planted"])
def test_damaged_search_cache_is_ignored(damage: Any, ws: Path, tmp_path: Path) -> None:
    """The kept search entries are only reused for unchanged files of the same site; a damaged or planted file is not trusted."""
    import marshal

    out = tmp_path / "out"
    build(ws, out)
    cache = search_path(ws, out.resolve())
    if damage == "planted":  # well-formed, but claims the edited file's old fingerprint with false text
        data = marshal.loads(cache.read_bytes())
        data["entries"] = {path: [entry[0], entry[1].replace("Build it.", "PLANTED")] for path, entry in data["entries"].items()}
        cache.write_bytes(marshal.dumps(data))
    else:
        cache.write_bytes(damage)
    EDITS["body text"](ws)
    build(ws, out)
    text = (out / "search-index.js").read_text(encoding="utf-8")
    assert "A new paragraph." in text and "PLANTED" not in text
    assert_same_as_full_build(ws, out, tmp_path)


STARTED_DESIGN = "moved design to review"


@pytest.fixture
def git_ws(tmp_path: Path) -> Path:
    root = make_site_workspace(tmp_path)
    start_git(root)
    return root


def test_uncommitted_edit_adds_its_activity_to_the_kept_events(git_ws: Path, tmp_path: Path) -> None:
    """Committed versions' events come from the cache (same HEAD); the working copy's are made again."""
    out = tmp_path / "out"
    build(git_ws, out)
    assert (git_ws / EVENTS_CACHE).is_file()
    kept = (git_ws / EVENTS_CACHE).read_bytes()
    edit(git_ws, "projects/alpha/tasks/design.md", "status: in-progress", "status: review")
    result: Any = build(git_ws, out)
    assert result.models < result.pages
    assert (git_ws / EVENTS_CACHE).read_bytes() == kept  # HEAD did not move: the committed events were reused
    for page in ("activity.html", "index.html", "feed.xml"):
        assert STARTED_DESIGN in (out / page).read_text(encoding="utf-8"), page
    assert_same_as_full_build(git_ws, out, tmp_path)
    edit(git_ws, "projects/alpha/tasks/design.md", "status: review", "status: in-progress")  # back to the committed text
    build(git_ws, out)
    assert STARTED_DESIGN not in (out / "activity.html").read_text(encoding="utf-8")
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_new_commit_between_builds(git_ws: Path, tmp_path: Path) -> None:
    """A commit moves HEAD: the events are made again from the new history, and the working copy's event becomes a committed one."""
    out = tmp_path / "out"
    build(git_ws, out)
    edit(git_ws, "projects/alpha/tasks/design.md", "status: in-progress", "status: review")
    build(git_ws, out)
    kept = (git_ws / EVENTS_CACHE).read_bytes()
    _git(git_ws, "commit", "-q", "-am", "Design to review", date="2026-11-24T15:00:00")
    build(git_ws, out)
    assert (git_ws / EVENTS_CACHE).read_bytes() != kept
    activity = (out / "activity.html").read_text(encoding="utf-8")
    assert STARTED_DESIGN in activity and "2026-11-24" in activity
    assert "Design to review" in (out / "d/design.html").read_text(encoding="utf-8")
    assert_same_as_full_build(git_ws, out, tmp_path)
    EDITS["body text"](git_ws)  # and an uncommitted edit on top of the new HEAD
    result: Any = build(git_ws, out)
    assert result.models < result.pages
    assert_same_as_full_build(git_ws, out, tmp_path)


def _commit(message: str, date: str = "2026-11-24T15:00:00") -> Callable[[Path], None]:
    return lambda ws: (_git(ws, "add", "-A"), _git(ws, "commit", "-q", "-m", message, date=date))[-1]


# (what the working copy has at the first build, what happens in the repository before the second, whether that build is incremental)
COMMITS: dict[str, tuple[list[Callable[[Path], None]], list[Callable[[Path], None]], bool]] = {
    "the working copy's status change committed": ([_replace("projects/alpha/tasks/design.md", "status: in-progress", "status: review")], [_commit("Design to review")], True),
    "a note's edit committed": ([_append("notes/meeting.md", "\nMinutes sent.\n")], [_commit("Minutes")], True),
    "a task of another project done": ([], [_replace("projects/beta/tasks/beta-task.md", "status: todo", "status: done"), _commit("Quokka done")], True),
    "two commits, one renaming a task": (
        [_replace("projects/alpha/tasks/evil.md", "status: todo", "status: in-progress")],
        [_commit("Start evil", "2026-11-23T10:00:00"), lambda ws: _git(ws, "mv", "projects/alpha/tasks/evil.md", "projects/alpha/tasks/wicked.md"), _commit("Rename evil")],
        True,
    ),
    "one commit touching three documents": (
        [],
        [_replace("projects/alpha/tasks/evil.md", "status: todo", "status: review"), _replace("projects/alpha/tasks/build.md", "status: todo", "status: in-progress"),
         _append("notes/meeting.md", "\nMore.\n"), _commit("Three at once")],
        True,
    ),
    "a task deleted in a commit": ([], [lambda ws: _git(ws, "rm", "-q", "projects/alpha/tasks/evil.md"), _commit("Drop evil")], True),
    "the last commit amended": ([_append("notes/meeting.md", "\nAmended.\n")], [lambda ws: _git(ws, "commit", "-q", "-a", "--amend", "-m", "Start again")], False),
}


@pytest.mark.parametrize("name", sorted(COMMITS))
def test_commits_between_builds_remake_what_they_touched(name: str, git_ws: Path, tmp_path: Path) -> None:
    """A commit dirties the history of the documents it touched (their versions, their projects' flow series, the
    activity), also when the working copy was already built as it is; a HEAD the last one is not an ancestor of
    (an amend, a rebase) remakes every page. The output is a full build's either way."""
    out = tmp_path / "out"
    _git(git_ws, "commit", "-q", "--allow-empty", "-m", "Before", date="2026-11-20T09:00:00")
    before, between, incremental = COMMITS[name]
    for step in before:
        step(git_ws)
    build(git_ws, out)
    for step in between:
        step(git_ws)
    result: Any = build(git_ws, out)
    assert (result.models < result.pages) == incremental
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_a_commit_makes_again_only_the_events_of_what_it_touched(git_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed events are kept by document: after a commit only the touched documents' events are made again
    (from their versions), and the activity is a full build's, ties between events of one commit included."""
    from workspace_tool.site import history_view

    out = tmp_path / "out"
    _git(git_ws, "commit", "-q", "--allow-empty", "-m", "Before", date="2026-11-20T09:00:00")
    build(git_ws, out)
    made: list[str] = []
    real = history_view._event_rows

    def counting(docs: Any, *args: Any, **kwargs: Any) -> Any:
        rows = real(docs, *args, **kwargs)
        made.extend(doc.path for doc in docs if rows)
        return rows

    monkeypatch.setattr(history_view, "_event_rows", counting)
    edit(git_ws, "projects/alpha/tasks/evil.md", "status: todo", "status: review")
    edit(git_ws, "notes/meeting.md", "# Kickoff meeting", "# Kickoff meeting, take two")
    _commit("Two at once")(git_ws)
    build(git_ws, out)
    assert sorted(made) == ["notes/meeting.md", "projects/alpha/tasks/evil.md"]
    assert "Two at once" in (out / "d/evil.html").read_text(encoding="utf-8")
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_events_dated_after_today_are_not_kept_for_the_next_edit(git_ws: Path, tmp_path: Path) -> None:
    """The kept committed events are those a page can show: one dated after the site's today (a `--today` in the past)
    is left out of `.wm/site-events.marshal`, kept by document, and shown by no page."""
    import marshal

    from workspace_tool.site.history_view import EVENTS_BY_DOCUMENT

    out = tmp_path / "out"
    edit(git_ws, "notes/meeting.md", "# Kickoff meeting", "# Kickoff meeting, later")
    _commit("Later retitle", date="2026-12-05T10:00:00")(git_ws)  # after TODAY (2026-11-26)
    build(git_ws, out)
    key, rows = marshal.loads((git_ws / EVENTS_CACHE).read_bytes())
    assert rows and all(row[1] <= TODAY.isoformat() for row in rows)
    _, groups = marshal.loads((git_ws / EVENTS_BY_DOCUMENT).read_bytes())
    assert any(row[1] == "2026-12-05" for found in groups.values() for row in found)
    assert "2026-12-05" not in (out / "activity.html").read_text(encoding="utf-8")
    EDITS["body text"](git_ws)
    build(git_ws, out)
    assert marshal.loads((git_ws / EVENTS_CACHE).read_bytes()) == (key, rows)  # the same HEAD: read, not made again
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_the_commits_since_the_last_build_are_listed_once(git_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record and the kept activity were made at the same HEAD: one `git log` of the range serves both."""
    read_module = importlib.import_module("workspace_tool.history.read")
    out = tmp_path / "out"
    build(git_ws, out)
    ranges: list[tuple[str, str]] = []
    real = read_module.changed_paths
    monkeypatch.setattr(read_module, "changed_paths", lambda root, old, new: ranges.append((old, new)) or real(root, old, new))
    edit(git_ws, "notes/meeting.md", "# Kickoff meeting", "# Kickoff meeting, take two")
    _commit("Retitled")(git_ws)
    build(git_ws, out)
    assert len(ranges) == 1
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_a_commit_of_no_document_remakes_no_page(git_ws: Path, tmp_path: Path) -> None:
    """A commit that touched only files that are not documents (an attachment nothing links to) changes no history."""
    out = tmp_path / "out"
    build(git_ws, out)
    _write("projects/alpha/photo.png", "PNG")(git_ws)
    _commit("A photo")(git_ws)
    result: Any = build(git_ws, out)
    assert result.models == 0
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_a_commit_to_a_task_remakes_its_project_s_flow(git_ws: Path, tmp_path: Path) -> None:
    """The burn-up of a project is made from its tasks' histories: a commit that only dates a status change the
    working copy already had (the file is the same) moves the series (dated by the commit now, not by the file's
    time), and the project's page is made again."""
    out = tmp_path / "out"
    edit(git_ws, "projects/alpha/tasks/build.md", "status: todo", "status: done")
    _touch(git_ws / "projects/alpha/tasks/build.md", "2026-11-25T12:00:00")
    build(git_ws, out)
    page = out / "projects/alpha.html"
    before = page.read_text(encoding="utf-8")
    _commit("Build done", "2026-07-01T09:00:00")(git_ws)
    result: Any = build(git_ws, out)
    assert result.models < result.pages
    assert page.read_text(encoding="utf-8") != before
    assert_same_as_full_build(git_ws, out, tmp_path)


def test_audience_build_record_is_the_same_in_every_process(tmp_path: Path) -> None:
    """The global key (which includes the hidden titles) must not depend on the hash seed, or every run remakes every page."""
    import marshal
    import os
    import subprocess
    import sys

    ws = make_site_workspace(tmp_path)
    for n, title in enumerate(("Beta task one", "Beta task two", "Beta task six", "Beta task ten")):  # hidden, of equal length
        _write(f"projects/beta/tasks/same-{n}.md", f"---\ntitle: {title}\nstatus: todo\n---\nx\n")(ws)
    out = tmp_path / "acme"
    script = (
        "import datetime as dt, sys; from pathlib import Path\n"
        "from workspace_tool.site import Audience, BuildOptions, build_site\n"
        "from workspace_tool.workspace import load_index\n"
        "index = load_index(Path(sys.argv[1]), dt.date(2026, 11, 26), use_cache=False)\n"
        "print(build_site(index, BuildOptions(Path(sys.argv[2]), audience=Audience.parse('client:acme'), jobs=1)).models)\n"
    )
    keys, models = [], []
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", script, str(ws), str(out)], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True)
        models.append(int(done.stdout.strip()))
        keys.append(marshal.loads(record_path(ws, out.resolve()).read_bytes())["record"]["key"])
    assert len(set(keys)) == 1
    assert models[1:] == [0, 0]


def test_each_output_folder_keeps_its_own_record(ws: Path, tmp_path: Path) -> None:
    """Building another site (another folder, another audience) in between does not make the next build of the first a full one."""
    first, other = tmp_path / "first", tmp_path / "other"
    build(ws, first)
    build(ws, other, audience=Audience.parse("client:acme"))
    assert record_path(ws, first.resolve()) != record_path(ws, other.resolve())
    EDITS["reassigned"](ws)
    result: Any = build(ws, first)
    assert result.models < result.pages
    assert_same_as_full_build(ws, first, tmp_path)


@pytest.mark.parametrize("sharded", [False, True])
def test_records_of_output_folders_that_are_gone_are_removed(sharded: bool, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the folder's record go its search entries: of the one-file index, or of every shard."""
    from workspace_tool.site import search

    if sharded:
        monkeypatch.setattr(search, "SHARD_FROM", 1)
    first, gone = tmp_path / "first", tmp_path / "gone"
    build(ws, gone)
    stale = record_path(ws, gone.resolve())
    kept = sorted(stale.parent.glob(stale.stem + ".search*.marshal"))
    assert stale.is_file() and len(kept) == (search.SHARDS if sharded else 1)
    shutil.rmtree(gone)
    build(ws, first)
    assert not stale.exists() and not any(path.exists() for path in kept)
    assert record_path(ws, first.resolve()).is_file()


def test_a_record_kept_by_the_output_s_absolute_path_is_removed(ws: Path, tmp_path: Path) -> None:
    """Before output folders in the workspace were named by their path there, their records were kept by the absolute
    path: the first build under the new name removes that record (and its search entries) instead of keeping it forever."""
    out = ws / "site"
    build(ws, out)
    old = record_path(ws, out.resolve()).with_name("0123456789abcdef.marshal")
    record_path(ws, out.resolve()).rename(old)
    record_path(ws, out.resolve()).with_suffix(".search.marshal").rename(old.with_suffix(".search.marshal"))
    listing = ws / ".wm/site/outputs.json"
    listing.write_text(json.dumps({old.name: str(out.resolve())}), encoding="utf-8")
    build(ws, out)
    assert not old.exists() and not old.with_suffix(".search.marshal").exists()
    assert json.loads(listing.read_text(encoding="utf-8")) == {record_path(ws, out.resolve()).name: "site"}


def _record(ws: Path, out: Path) -> Any:
    import marshal

    return marshal.loads(record_path(ws, out.resolve()).read_bytes())["record"]


def _touch(path: Path, when: str) -> None:
    import datetime as dt
    import os

    stamp = dt.datetime.fromisoformat(when).timestamp()
    os.utime(path, (stamp, stamp))


def _full_build_print(ws: Path, tmp_path: Path) -> str:
    full = tmp_path / "full-print"
    shutil.rmtree(full, ignore_errors=True)
    build(ws, full, incremental=False)
    found: str = _record(ws, full)["derived"]["ev"]
    return found


@pytest.mark.parametrize("kept_instants", [512, 1])
@pytest.mark.parametrize("when", ["2026-11-25T12:00:00", "2026-11-20T12:00:00"])
def test_body_edit_keeps_the_activity_print_without_the_committed_events(
    kept_instants: int, when: str, git_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a body-only edit the activity's fingerprint is made from the last build's committed part and the kept
    instants (the committed events are not read), and equals a full build's, wherever the working-copy event falls
    among the committed ones; when it is older than every kept instant they are read, with the same result."""
    from workspace_tool.site import history_view

    monkeypatch.setattr(history_view, "KEPT_INSTANTS", kept_instants)
    _git(git_ws, "commit", "-q", "--allow-empty", "-m", "Later", date="2026-11-24T15:00:00")
    edit(git_ws, "projects/alpha/tasks/design.md", "status: in-progress", "status: review")  # a working-copy event
    _git(git_ws, "commit", "-q", "-am", "Design to review", date="2026-11-22T09:00:00")
    out = tmp_path / "out"
    task = git_ws / "projects/alpha/tasks/design.md"
    task.write_text(task.read_text(encoding="utf-8") + "\nFirst uncommitted paragraph.\n", encoding="utf-8")
    _touch(task, when)
    build(git_ws, out)
    assert _record(git_ws, out)["derived"]["ev"] == _full_build_print(git_ws, tmp_path)
    reads: list[object] = []
    real = history_view.committed_events
    monkeypatch.setattr(history_view, "committed_events", lambda *args: reads.append(args) or real(*args))
    task.write_text(task.read_text(encoding="utf-8") + "\nSecond uncommitted paragraph.\n", encoding="utf-8")
    _touch(task, when.replace("12:00", "12:05"))  # a new working-copy state (the in-process memo is by it)
    result: Any = build(git_ws, out)
    assert result.models < result.pages
    newer_than_kept = kept_instants > 2 or when > "2026-11-24"
    assert bool(reads) != newer_than_kept
    assert "Second uncommitted paragraph." in (out / "d/design.html").read_text(encoding="utf-8")
    assert _record(git_ws, out)["derived"]["ev"] == _full_build_print(git_ws, tmp_path)
    assert_same_as_full_build(git_ws, out, tmp_path)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab:=\\\nq")), max_size=8), max_size=12), st.lists(st.text(alphabet=st.sampled_from(list("ab:=\\\nq")), max_size=8), max_size=24))
def test_packed_keys_are_the_keys(keys: list[str], others: list[str]) -> None:
    """A record's packed keys unpack to the same keys, and a page reads a dirty key exactly when the key is among its own
    (keys may hold line breaks and backslashes; small and large dirty sets take different paths)."""
    from workspace_tool.site import deps

    packed = deps.pack(keys)
    assert [deps.unescape(k) for k in deps.unpack(packed)] == keys
    for dirty in ({k} for k in others + keys[:1]):
        wanted = bool(set(keys) & dirty)
        assert deps.reads_any(packed, {deps.pack([k])[1:-1] for k in dirty}) == wanted
    many = set(others) | {f"filler-{n}" for n in range(20)}
    assert deps.reads_any(packed, {deps.pack([k])[1:-1] for k in many}) == bool(set(keys) & many)


def test_a_text_edit_of_an_uncommitted_status_change_on_another_day_remakes_the_flow_charts(git_ws: Path, tmp_path: Path) -> None:
    """The flow charts date a status change by its version: an uncommitted one by the file's time. Editing only the text of
    such a file on another day moves it; the project page is made again (the plan is not involved: `done:` is given)."""
    ws, out = git_ws, tmp_path / "out"
    task = ws / "projects/alpha/tasks/design.md"
    task.write_text(task.read_text(encoding="utf-8").replace("status: in-progress", "status: done\ndone: 2026-11-19"), encoding="utf-8")
    _touch(task, "2026-11-20T12:00:00")
    build(ws, out)
    before = (out / "projects/alpha.html").read_text(encoding="utf-8")
    task.write_text(task.read_text(encoding="utf-8") + "\nDone, with notes.\n", encoding="utf-8")
    _touch(task, "2026-11-24T12:00:00")
    build(ws, out)
    assert (out / "projects/alpha.html").read_text(encoding="utf-8") != before
    assert_same_as_full_build(ws, out, tmp_path)


def test_record_keeps_each_page_s_links_beside_its_folder_s_shared_ones(ws: Path, tmp_path: Path) -> None:
    """Each page's entry keeps only the links its folder's pages do not all share (the navigation is kept once per folder);
    with those, the record gives exactly the links in each output file, after a full build and after incremental ones."""
    from workspace_tool.site import deps
    from workspace_tool.site.render import links_in

    out = tmp_path / "out"
    build(ws, out)
    for name in ("", "body text", "link added", "reassigned", "decision superseded"):
        if name:
            EDITS[name](ws)
            build(ws, out)
        record = deps.Record.from_json(_record(ws, out))
        shared = record.shared_sets()
        assert {"../index.html", "../decisions.html", "../static/style.css"} <= shared["d/"], name
        assert all("rest" in entry and "links" not in entry for entry in record.pages.values()), name
        for path, entry in record.pages.items():
            assert deps.page_links(entry, shared, path) == links_in((out / path).read_text(encoding="utf-8")), (name, path)


def test_nothing_changed_leaves_the_record_unwritten(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(ws, out)
    record = record_path(ws, out.resolve())
    _touch(record, "2026-01-01T00:00:00")
    before = record.stat().st_mtime_ns
    build(ws, out)
    assert record.stat().st_mtime_ns == before
    EDITS["body text"](ws)
    build(ws, out)
    assert record.stat().st_mtime_ns != before


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["index.html", "a.html", "d/x.html", "d/y.html", "d/z.html", "d/n/q.html", "p/one.html"]),
    st.lists(st.text(alphabet=st.sampled_from(list("ab./#\\\n")), min_size=1, max_size=6), unique=True).map(sorted),
    min_size=1,
))
def test_links_kept_beside_shared_ones_are_the_links(links: dict[str, list[str]]) -> None:
    """`links_entry` then `page_links` give back every page's sorted links (line breaks and backslashes too), whether the page
    holds all of its folder's shared links (stored as the rest) or not (stored whole)."""
    from workspace_tool.site import deps

    record = deps.Record(shared=deps.shared_links(links))
    shared = record.shared_sets()
    for path, hrefs in links.items():
        assert shared.get(deps.folder_of(path), frozenset()) <= set(hrefs)
    extra = dict(links, **{"d/w.html": ["other"]})  # a page missing the shared links keeps them all
    for path, hrefs in extra.items():
        assert deps.page_links(deps.links_entry(path, hrefs, shared), shared, path) == hrefs


def _next_status(ws: Path) -> None:
    path = ws / "projects/alpha/tasks/design.md"
    text = path.read_text(encoding="utf-8")
    order = ["todo", "in-progress", "review", "done"]
    now = re.search(r"(?m)^status: (\S+)$", text)
    assert now is not None
    path.write_text(text.replace(f"status: {now.group(1)}", f"status: {order[(order.index(now.group(1)) + 1) % 4]}", 1), encoding="utf-8")


def _new_note(ws: Path) -> None:
    count = len(list((ws / "notes").glob("n-*.md")))
    _write(f"notes/n-{count}.md", f"# Note {count}\n\nAbout [[design]], after [[n-{count - 1}]] and before [[n-{count + 1}]].\n")(ws)


def _drop_note(ws: Path) -> None:
    made = sorted((ws / "notes").glob("n-*.md"))
    if made:
        made[-1].unlink()


def _new_task(ws: Path) -> None:
    count = len(list((ws / "projects/alpha/tasks").glob("r-*.md")))
    _write(f"projects/alpha/tasks/r-{count}.md", f"---\ntitle: Random task {count}\nstatus: todo\nassignee: bob\nestimate: 1d\n---\nSee [[n-0]].\n")(ws)


def _commit_all(ws: Path) -> None:
    count = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=ws, capture_output=True, text=True, check=True).stdout)
    _git(ws, "add", "-A")
    _git(ws, "commit", "-q", "--allow-empty", "-m", f"Step {count}", date=f"2026-11-{min(12 + count, 25):02d}T10:00:00")


def _rename_task(ws: Path) -> None:
    made = sorted((ws / "projects/alpha/tasks").glob("r-*.md"))
    if made:
        made[-1].rename(made[-1].with_name(f"renamed-{made[-1].name}"))


def _drop_task(ws: Path) -> None:
    made = sorted((ws / "projects/alpha/tasks").glob("*r-*.md"))
    if made:
        made[0].unlink()


def _amend(ws: Path) -> None:
    _git(ws, "commit", "-q", "--amend", "--allow-empty", "-m", "Amended", date="2026-11-25T18:00:00")


OPERATIONS: dict[str, Callable[[Path], None]] = {
    "task renamed": _rename_task,
    "task deleted": _drop_task,
    "amend": _amend,
    "stem taken twice": _write("notes/archive/meeting.md", "# An old meeting\n"),
    "text": _append("notes/meeting.md", "\nAnother line.\n"),
    "status": _next_status,
    "new note": _new_note,
    "note deleted": _drop_note,
    "new task": _new_task,
    "time logged": _append("timelogs/bob/2026-11.md", "- 2026-11-25 1h design pairing\n"),
    "commit": _commit_all,
}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=1, max_size=6))
def test_any_run_of_edits_documents_and_commits_equals_a_full_build(operations: list[str]) -> None:
    """Edits, documents that come and go (renamed, a stem taken twice), time logged, commits and an amend, in any
    order, each followed by an incremental build: the output is a full build's. (300 runs of up to 8 steps were
    checked when this was written; the suite runs 40 of up to 6.)"""
    with tempfile.TemporaryDirectory() as folder:
        tmp_path = Path(folder)
        ws = start_git(make_site_workspace(tmp_path))
        out = tmp_path / "out"
        build(ws, out)
        for name in operations:
            OPERATIONS[name](ws)
            build(ws, out)
        assert_same_as_full_build(ws, out, tmp_path)


def test_a_build_without_its_record_still_removes_pages_it_no_longer_writes(tmp_path: Path) -> None:
    """`.wm/` deleted (or a CI cache that restored `site/` without it): a page of a document made private since must
    not stay published; the list the last build left in the output folder says what it wrote."""
    ws = make_site_workspace(tmp_path)
    out = tmp_path / "out"
    build(ws, out)
    page = out / "d/build.html"
    assert page.is_file() and "d/build.html" in (out / ".wm-files").read_text(encoding="utf-8").splitlines()
    edit(ws, "projects/alpha/tasks/build.md", "title:", "visibility: private\ntitle:")
    shutil.rmtree(ws / ".wm")
    result = build(ws, out)
    assert not page.exists() and result.removed >= 1
    assert "d/build.html" not in (out / ".wm-files").read_text(encoding="utf-8").splitlines()
