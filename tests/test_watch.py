"""`wm watch`: debounced re-indexing under a running watcher, diagnostics diffs, ignores, signals."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from workspace_tool.errors import Diagnostic
from workspace_tool.model import Task
from workspace_tool.watch import Change, Watcher, diff_diagnostics, is_ignored, watch

GOOD = "---\nstatus: todo\n---\n# Fine\n"
BAD = "---\nstatus: [todo\n---\n# Broken\n"
TIMEOUT = 15.0


def diag(path: str, line: int, message: str = "bad thing", code: str = "yaml") -> Diagnostic:
    return Diagnostic(path, line, "error", code, message)


def test_diff_reports_new_and_fixed() -> None:
    before = [diag("a.md", 2), diag("b.md", 3)]
    after = [diag("b.md", 3), diag("c.md", 1)]
    assert diff_diagnostics(before, after) == ((diag("c.md", 1),), (diag("a.md", 2),))


def test_diff_ignores_a_diagnostic_that_only_moved_lines() -> None:
    assert diff_diagnostics([diag("a.md", 2)], [diag("a.md", 5)]) == ((), ())


def test_diff_counts_repeated_diagnostics() -> None:
    new, fixed = diff_diagnostics([diag("a.md", 2)], [diag("a.md", 2), diag("a.md", 7)])
    assert new == (diag("a.md", 7),) and fixed == ()


@pytest.mark.parametrize(
    ("relpath", "ignored"),
    [
        ("tasks/a.md", False),
        ("workspace.yml", False),
        ("tasks", False),
        (".wm/cache.pickle", True),
        (".wm/cache-delta.pickle", True),
        (".git/index", True),
        ("site/index.html", True),
        ("tasks/.a.md.swp", True),
        ("tasks/a.md~", True),
        ("notes/picture.png", True),
    ],
)
def test_ignored_paths(tmp_path: Path, relpath: str, ignored: bool) -> None:
    assert is_ignored(tmp_path.resolve(), str(tmp_path / relpath)) is ignored


def test_paths_outside_the_workspace_are_ignored(tmp_path: Path) -> None:
    assert is_ignored((tmp_path / "ws").resolve(), str(tmp_path / "elsewhere.md"))


class Running:
    """A watcher running in a thread, its reports collected in a queue."""

    def __init__(self, root: Path) -> None:
        self.changes: queue.Queue[Change] = queue.Queue()
        self.errors: queue.Queue[str] = queue.Queue()
        self.ready: queue.Queue[Change] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=watch, args=(root, self.ready.put, self.changes.put, self.errors.put, self.stop), kwargs={"debounce": 0.1}, daemon=True
        )
        self.thread.start()
        self.first = self.ready.get(timeout=TIMEOUT)
        time.sleep(0.3)  # let the observer settle before the test edits files

    def next_change(self, match: Callable[[Change], bool] = lambda c: True) -> Change:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                change = self.changes.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if match(change):
                return change
        raise AssertionError("no matching change reported in time")


@pytest.fixture
def running(workspace: Path, write_doc: Callable[[str, str], Path]) -> Iterator[Running]:
    write_doc("tasks/one.md", GOOD)
    write_doc("tasks/two.md", GOOD)
    watcher = Running(workspace)
    yield watcher
    watcher.stop.set()
    watcher.thread.join(timeout=TIMEOUT)
    assert not watcher.thread.is_alive(), "the watcher did not stop"


def test_breaking_and_fixing_a_file_under_a_running_watcher(running: Running, workspace: Path) -> None:
    assert running.first.diagnostics == ()
    (workspace / "tasks/one.md").write_text(BAD, encoding="utf-8")
    broken = running.next_change(lambda c: bool(c.new))
    assert [(d.path, d.line, d.code) for d in broken.new] == [("tasks/one.md", 2, "yaml")]
    assert broken.stats.parsed == 1 and broken.stats.hits == 1  # only the changed file was parsed
    (workspace / "tasks/one.md").write_text(GOOD, encoding="utf-8")
    fixed = running.next_change(lambda c: bool(c.fixed))
    assert [(d.path, d.code) for d in fixed.fixed] == [("tasks/one.md", "yaml")]
    assert fixed.new == () and fixed.diagnostics == ()


def test_new_deleted_and_renamed_files_are_picked_up(running: Running, workspace: Path) -> None:
    (workspace / "tasks/three.md").write_text("---\nstatus: todo\ndepends_on: [two]\n---\n# Three\n", encoding="utf-8")
    added = running.next_change(lambda c: c.index.get("three") is not None)
    assert added.stats.parsed == 1
    (workspace / "tasks/two.md").rename(workspace / "tasks/deux.md")
    moved = running.next_change(lambda c: c.index.get("deux") is not None)
    assert moved.index.get("two") is None
    assert [(d.path, d.code) for d in moved.new] == [("tasks/three.md", "unresolved")] or any(d.path == "tasks/three.md" for d in moved.new)


def test_a_burst_of_writes_is_one_reindex(running: Running, workspace: Path) -> None:
    for number in range(20):
        (workspace / f"tasks/burst-{number}.md").write_text(GOOD, encoding="utf-8")
    change = running.next_change(lambda c: c.stats.parsed > 0)
    time.sleep(0.5)
    later = [running.changes.get_nowait() for _ in range(running.changes.qsize())]
    assert change.stats.parsed + sum(c.stats.parsed for c in later) == 20
    assert len(later) <= 1  # debounced: one re-index (two if the burst straddled a quiet gap)


def test_writes_to_the_cache_and_build_folders_do_not_trigger_a_reindex(running: Running, workspace: Path) -> None:
    (workspace / ".wm" / "scratch").write_text("x", encoding="utf-8")
    (workspace / "site").mkdir()
    (workspace / "site" / "index.md").write_text("# built page\n", encoding="utf-8")
    time.sleep(0.6)
    assert running.changes.empty()


def test_survives_binary_and_non_utf8_files(running: Running, workspace: Path) -> None:
    (workspace / "tasks/blob.md").write_bytes(b"\x00\x01\x02")
    (workspace / "tasks/latin.md").write_bytes("---\nstatus: todo\n---\n# Caf\xe9\n".encode("latin-1"))
    change = running.next_change(lambda c: {d.path for d in c.diagnostics} >= {"tasks/blob.md", "tasks/latin.md"})
    assert {d.code for d in change.new} >= {"binary", "not-utf8"}
    (workspace / "tasks/one.md").write_text(BAD, encoding="utf-8")
    assert running.next_change(lambda c: bool(c.new)).new[0].path == "tasks/one.md"


def test_a_failing_reindex_is_reported_and_watching_goes_on(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("tasks/one.md", GOOD)
    watcher = Watcher(workspace, debounce=0.05)
    calls = {"n": 0}
    real = watcher.reindex

    def flaky(paths: tuple[str, ...] = ()) -> Change:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk on fire")
        return real(paths)

    watcher.reindex = flaky  # type: ignore[method-assign]
    changes: list[Change] = []
    errors: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(changes.append, errors.append, stop), daemon=True)
    thread.start()
    watcher.mark(str(workspace / "tasks/one.md"))
    deadline = time.monotonic() + TIMEOUT
    while not errors and time.monotonic() < deadline:
        time.sleep(0.02)
    watcher.mark(str(workspace / "tasks/one.md"))
    while not changes and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(timeout=TIMEOUT)
    assert errors == ["re-index failed: RuntimeError: disk on fire"]
    assert len(changes) == 1 and changes[0].index.get("one") is not None


def test_mark_ignores_own_cache_and_loop_stops_promptly(workspace: Path) -> None:
    watcher = Watcher(workspace)
    watcher.mark(str(workspace / ".wm" / "cache.pickle"))
    stop = threading.Event()
    assert not watcher._changed.is_set()
    stop.set()
    started = time.monotonic()
    assert watcher.wait_for_quiet(stop) is False
    assert time.monotonic() - started < 1


def _spawn_watch(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "WM_TODAY": "2026-11-26", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workspace_tool", "-C", str(root), "watch", "--verbose"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    return proc


def _read_until(proc: subprocess.Popen[str], needle: str) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    found = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if needle in line:
                found.set()
                return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    if not found.wait(TIMEOUT):
        proc.kill()
        raise AssertionError(f"{needle!r} not seen in output: {lines}")
    return lines


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_wm_watch_process_reports_changes_and_stops_cleanly_on_signal(workspace: Path, write_doc: Callable[[str, str], Path], sig: int) -> None:
    write_doc("tasks/one.md", BAD)
    proc = _spawn_watch(workspace)
    start = _read_until(proc, "(Ctrl-C to stop)")
    assert "tasks/one.md:2: error: invalid YAML" in "\n".join(start)
    time.sleep(0.3)
    (workspace / "tasks/one.md").write_text(GOOD, encoding="utf-8")
    changed = _read_until(proc, "parsed")
    assert any(line.startswith("fixed  tasks/one.md:2: error:") for line in changed)
    assert any("1 document, 0 errors, 0 warnings (1 parsed, 0 removed," in line for line in changed)
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert "stopped watching" in out
    assert "Traceback" not in out


def test_reindex_reparses_everything_when_settings_change(workspace: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("tasks/one.md", "---\nestimate: 1d\n---\n# One\n")
    write_doc("tasks/two.md", GOOD)
    watcher = Watcher(workspace)
    first = watcher.reindex()
    assert first.stats.parsed == 2 and estimate_hours(first, "one") == 8
    assert watcher.reindex().stats.parsed == 0
    (workspace / "workspace.yml").write_text("name: test\ncalendar:\n  hours_per_day: 7\n", encoding="utf-8")
    changed = watcher.reindex()
    assert changed.stats.parsed == 2 and estimate_hours(changed, "one") == 7


def estimate_hours(change: Change, task_id: str) -> float | None:
    task = change.index.get(task_id)
    assert isinstance(task, Task)
    return task.estimate.hours if task.estimate else None
