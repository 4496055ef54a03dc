"""The site's plan cache: its key is the same in every process, whatever the hash seed; a kept plan equals a fresh one; damage is ignored."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import SAMPLE

from workspace_tool.site.sources import PLAN_CACHE, LazyTasks, Sources, _load_plan, _schedule
from workspace_tool.workspace import load_index

TODAY = dt.date(2026, 11, 26)

SCRIPT = f"""
import hashlib
from pathlib import Path
from workspace_tool.workspace import load_index
from workspace_tool.scheduling.plan_cache import stable_repr
from workspace_tool.scheduling.adapter import build_input
index = load_index(Path({str(SAMPLE)!r}), use_cache=False)
given = build_input(index)
assert len(given.calendar.holidays) > 1 and len(given.resources) > 1  # what could come out in another order
print(hashlib.blake2b(stable_repr(given).encode()).hexdigest())
"""


def test_plan_input_key_does_not_depend_on_the_hash_seed() -> None:
    keys = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "WM_TODAY": "2026-11-26"}
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True)
        keys.add(done.stdout.strip())
    assert len(keys) == 1


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLE, ws, ignore=shutil.ignore_patterns(".wm", "site"))
    return ws


def test_kept_plan_is_read_task_by_task_and_equals_a_fresh_one(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    index = load_index(ws, TODAY, use_cache=False)
    sources = Sources()
    fresh = _schedule(index, sources)
    assert not (ws / PLAN_CACHE).exists() and sources.task_bytes == {}  # kept later, while a site's workers work
    sources.settle()
    assert (ws / PLAN_CACHE).is_file() and len(sources.task_bytes) == len(fresh.tasks)
    kept = _schedule(index, Sources())
    assert isinstance(kept.tasks, LazyTasks) and not isinstance(fresh.tasks, LazyTasks)
    assert dict(kept.tasks) == dict(fresh.tasks) and kept.projects == fresh.projects and kept.links == fresh.links


@pytest.mark.parametrize("damage", ["truncate", "flip", "planted"])
def test_a_damaged_or_planted_plan_file_is_ignored(tmp_path: Path, damage: str) -> None:
    ws = _workspace(tmp_path)
    index = load_index(ws, TODAY, use_cache=False)
    sources = Sources()
    fresh = _schedule(index, sources)
    sources.settle()
    path = ws / PLAN_CACHE
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = len(head) + 1 + len(body) * 2 // 3  # inside a task's pickle: the checksum no longer matches
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :])
    else:  # with a right checksum: only the restricted unpickler stands in the way
        from workspace_tool.site.sources import _checksum

        planted = _Planted.payload(tmp_path)
        path.write_bytes(b"\n".join((head, b"", _checksum(planted).encode(), planted)))
    assert _load_plan(path, sources.plan_input) is None
    again = _schedule(index, Sources())
    assert dict(again.tasks) == dict(fresh.tasks)
    assert not (tmp_path / "pwned").exists()


class _Planted:
    @staticmethod
    def payload(tmp_path: Path) -> bytes:
        class Evil:
            def __reduce__(self) -> tuple[object, tuple[str]]:
                return (os.system, ("touch " + str(tmp_path / "pwned"),))

        return pickle.dumps(Evil())


def test_a_text_edit_takes_the_kept_plan_without_making_the_schedule_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's shortcut (every document's card, settings, today, commit) skips the scheduler's input; a field edit does not."""
    from workspace_tool.scheduling import adapter
    from workspace_tool.site import BuildOptions, build_site

    ws = _workspace(tmp_path)
    out = tmp_path / "out"
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))
    made: list[int] = []
    real = adapter.build_input
    monkeypatch.setattr(adapter, "build_input", lambda *a, **k: made.append(1) or real(*a, **k))
    task = next((ws / "projects").glob("*/tasks/*.md"))
    task.write_text(task.read_text(encoding="utf-8") + "\nA note that changes no field.\n", encoding="utf-8")
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))
    assert made == []
    text = task.read_text(encoding="utf-8")
    task.write_text(text.replace("\n---\n", "\ntags: [shortcut-test]\n---\n", 1), encoding="utf-8")
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))
    assert made == [1]


def test_the_work_booked_for_a_person_is_fingerprinted_without_unpickling_kept_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build whose plan input changed fingerprints `s:@ID` for each person: the tasks booked for them are found
    from the documents and hashed from the kept bytes, so no task of a kept plan is unpickled for it; what a page
    reads of them (`booked`) is the plan's tasks, summaries left out, as before."""
    from workspace_tool.site import BuildOptions, build_site
    from workspace_tool.site.build import load_stage

    ws = _workspace(tmp_path)
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "out", jobs=1))
    data = load_stage(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "out"))
    plan = data.sources.plan
    assert isinstance(plan.tasks, LazyTasks)
    unpickled: list[str] = []
    real = LazyTasks.__getitem__
    monkeypatch.setattr(LazyTasks, "__getitem__", lambda self, task_id: unpickled.append(task_id) or real(self, task_id))
    people = [doc.id for doc in data.index.docs.values() if doc.type == "person"]
    prints = {person: data.fingerprint(f"s:@{person}") for person in people}
    assert unpickled == [] and len(set(prints.values())) > 1
    fresh = _schedule(data.index, Sources(), shortcut="")
    for person in people:
        expected = [t for t in fresh.tasks.values() if t.assignee == person and t.id in data.vis and not t.summary]
        assert data.booked(person) == expected


def test_the_kept_plan_stands_while_nothing_the_scheduler_reads_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut is made from the cards of tasks, people, projects and time logs only: a new note or a decision's
    field keeps the plan without making the scheduler's input; a new task, logged hours or a duplicate ID do not."""
    from workspace_tool.scheduling import adapter
    from workspace_tool.site import BuildOptions, build_site

    ws = _workspace(tmp_path)
    out = tmp_path / "out"
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))
    made: list[str] = []
    real = adapter.build_input
    monkeypatch.setattr(adapter, "build_input", lambda *a, **k: made.append(step) or real(*a, **k))

    def rebuild(name: str, change: Callable[[], object]) -> None:
        nonlocal step
        step = name
        change()
        build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))

    step = ""
    decision = ws / "decisions/eu-hosting-for-booking.md"
    task = ws / "projects/fjordline-portal/tasks/api-architecture.md"
    log = ws / "timelogs/alice/2026-11.md"
    rebuild("note", lambda: (ws / "notes/retro-plan.md").write_text("# Retro plan\n\nSee [[api-architecture]].\n", encoding="utf-8"))
    rebuild("decision", lambda: decision.write_text(decision.read_text(encoding="utf-8").replace("status: proposed", "status: accepted"), encoding="utf-8"))
    rebuild("task", lambda: (ws / "projects/fjordline-portal/tasks/new-step.md").write_text("---\ntitle: New step\nestimate: 1d\n---\n", encoding="utf-8"))
    rebuild("hours", lambda: log.write_text(log.read_text(encoding="utf-8") + "- 2026-11-25 1h api-architecture More design\n", encoding="utf-8"))
    rebuild("duplicate", lambda: (ws / "notes/aaa.md").write_text("---\nid: api-architecture\n---\n# Shadow\n", encoding="utf-8"))
    assert made == ["task", "hours", "duplicate"]
    assert task.is_file()


def test_an_uncommitted_edit_moves_history_dates_only_when_its_version_changes_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body edit of an open task moves no date history gives (the kept plan is taken); an uncommitted version that made
    a task done dates it, so editing only its text on another day makes the scheduler's input again and remakes the
    pages that show history's dates (the project's flow charts), as a full build would."""
    from test_site_build import make_site_workspace, start_git
    from test_site_incremental import _touch, assert_same_as_full_build

    from workspace_tool.scheduling import adapter
    from workspace_tool.site import BuildOptions, build_site

    ws = make_site_workspace(tmp_path)
    start_git(ws)
    out = tmp_path / "out"

    def build() -> None:
        build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(out, jobs=1))

    build()
    made: list[int] = []
    real = adapter.build_input
    monkeypatch.setattr(adapter, "build_input", lambda *a, **k: made.append(1) or real(*a, **k))
    open_task, done_task = ws / "projects/alpha/tasks/build.md", ws / "projects/alpha/tasks/design.md"
    open_task.write_text(open_task.read_text(encoding="utf-8") + "\nAn uncommitted paragraph.\n", encoding="utf-8")
    build()
    assert made == []  # a newly uncommitted open task: no done date can change
    done_task.write_text(done_task.read_text(encoding="utf-8").replace("status: in-progress", "status: done"), encoding="utf-8")
    _touch(done_task, "2026-11-20T12:00:00")
    build()
    assert made == [1]  # a card changed
    done_task.write_text(done_task.read_text(encoding="utf-8") + "\nDone, with notes.\n", encoding="utf-8")
    _touch(done_task, "2026-11-24T12:00:00")
    build()
    assert made == [1, 1]  # the same card, but its working-copy version (which made it done) is of another day
    assert_same_as_full_build(ws, out, tmp_path)



def test_a_fresh_plan_is_pickled_and_kept_while_the_pages_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that schedules pickles and keeps the plan in the pages stage's meanwhile (beside the render workers),
    not before they start; the next build takes it without scheduling."""
    from workspace_tool.scheduling import adapter
    from workspace_tool.site import BuildOptions, build_site, make

    ws = _workspace(tmp_path)
    seen: list[tuple[str, bool]] = []
    real_run = make.run

    def run(job: Any, jobs: Any, meanwhile: Any = None, progress: Any = None) -> Any:
        sources = job.data.sources
        seen.append(("pages start", sources.unsaved is not None))

        def watched() -> None:
            assert meanwhile is not None
            meanwhile()
            seen.append(("after meanwhile", sources.unsaved is not None))

        return real_run(job, jobs, watched, progress)

    monkeypatch.setattr(make, "run", run)
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "out", jobs=1))
    assert seen == [("pages start", True), ("after meanwhile", False)]
    assert (ws / PLAN_CACHE).is_file()
    made: list[int] = []
    real = adapter.build_input
    monkeypatch.setattr(adapter, "build_input", lambda *a, **k: made.append(1) or real(*a, **k))
    build_site(load_index(ws, TODAY, use_cache=False), BuildOptions(tmp_path / "out", jobs=1))
    assert made == []
