"""A cold run reads the git history in a forked child while it parses the documents, then loads what the child cached."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner
from test_history_store import everything, fresh_process, many_documents
from test_history_support import TODAY, Repo

from workspace_tool import background, cache
from workspace_tool.cli import main
from workspace_tool.config import Settings
from workspace_tool.history import load_history
from workspace_tool.loader import discover
from workspace_tool.site.history_view import MAX_DIFFS
from workspace_tool.workspace import load_index

read_module = sys.modules["workspace_tool.history.read"]

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is POSIX only")


@pytest.fixture(autouse=True)
def no_child_left() -> Iterator[None]:
    """A test that fails half-way leaves no child behind for the next one to count."""
    yield
    for key in list(background._CHILDREN):
        background.wait(key)


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


@pytest.fixture
def scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file each `scan` (the `git log` pass) appends its process ID to, in the child as in this process."""
    log = tmp_path / "scans.log"
    original = read_module.scan

    def logged(*args: Any, **kwargs: Any) -> Any:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(read_module, "scan", logged)
    return log


def scanned_by(log: Path) -> list[int]:
    return [int(line) for line in log.read_text(encoding="utf-8").split()] if log.exists() else []


def repository(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    many_documents(repo, count=12, rounds=3)
    return repo


@needs_fork
def test_a_cold_read_is_done_by_a_child_and_loaded_from_its_cache(tmp_path: Path, two_cores: None, scans: Path) -> None:
    repo = repository(tmp_path)
    expected = everything(repo.history(use_cache=False))
    scans.unlink()
    fresh_process()
    index = load_index(repo.ws, with_history=True)
    assert background.busy() == 1  # started before the documents were parsed, still counted until waited for
    history = load_history(index)
    assert background.busy() == 0
    assert everything(history) == expected
    readers = scanned_by(scans)
    assert len(readers) == 1 and readers[0] != os.getpid()  # the child read the commits; this process only loaded them
    assert (repo.ws / ".wm/history/manifest.json").is_file()


@needs_fork
def test_nothing_is_started_when_the_history_was_read_before(tmp_path: Path, two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    repo.history()  # writes the cache

    def no_fork() -> int:
        raise AssertionError("forked although the history is cached")

    monkeypatch.setattr(os, "fork", no_fork)
    index = load_index(repo.ws, with_history=True)
    assert background.busy() == 0
    assert everything(load_history(index)) == everything(repo.history(use_cache=False))


@needs_fork
def test_a_cache_from_another_folder_is_no_cache_unless_vouched_for(
    tmp_path: Path, two_cores: None, scans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copied (or restored) `.wm/` that `read` will not believe is read again in a child beside the parse, as on a
    cold run; with WM_TRUST_CACHE=1 it is believed, and nothing is started."""
    repo = repository(tmp_path)
    repo.history()  # writes the cache
    expected = everything(repo.history(use_cache=False))
    for name, trust, children in (("untrusted", "0", 1), ("trusted", "1", 0)):
        copy = tmp_path / name
        shutil.copytree(repo.root, copy)
        monkeypatch.setenv("WM_TRUST_CACHE", trust)
        scans.unlink(missing_ok=True)
        fresh_process()
        index = load_index(copy, with_history=True)
        assert background.busy() == children, name
        assert everything(load_history(index)) == expected, name
        assert len(scanned_by(scans)) == children and os.getpid() not in scanned_by(scans), name


@needs_fork
def test_when_the_child_fails_this_process_reads_the_history_itself(tmp_path: Path, two_cores: None, scans: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    expected = everything(repo.history(use_cache=False))
    scans.unlink()
    fresh_process()
    parent = os.getpid()
    logged = read_module.scan

    def fails_in_the_child(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            raise RuntimeError("the child's git log failed")
        return logged(*args, **kwargs)

    monkeypatch.setattr(read_module, "scan", fails_in_the_child)
    index = load_index(repo.ws, with_history=True)
    assert background.busy() == 1
    assert everything(load_history(index)) == expected
    assert scanned_by(scans) == [parent]


def test_no_child_with_one_core_or_beside_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not background.can_fork()
    assert background.fork("test:one-core", lambda: None) is False
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not background.can_fork()
        assert background.fork("test:threads", lambda: None) is False
    finally:
        stop.set()
        thread.join()
    assert background.busy() == 0
    assert background.wait("test:none") is None


@needs_fork
def test_wait_reports_whether_the_child_succeeded(two_cores: None) -> None:
    assert background.fork("test:ok", lambda: None)
    assert background.fork("test:ok", lambda: None)  # already running: not forked twice
    assert background.busy() == 1
    assert background.fork("test:fails", lambda: 1 / 0)
    assert background.wait("test:ok") is True
    assert background.wait("test:fails") is False
    assert background.busy() == 0


def test_the_parse_pool_leaves_a_core_to_a_child_at_work(tmp_path: Path, two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    settings = Settings()
    files, _ = discover(repo.ws, settings)
    monkeypatch.setattr(cache, "POOL_THRESHOLD", 2)
    _, pickled = cache.parse_many(repo.ws, files, settings, 0)
    assert len(pickled) >= 2  # two cores: this process and one worker
    monkeypatch.setitem(background._CHILDREN, "test:busy", -1)  # one core is the child's
    entries, pickled = cache.parse_many(repo.ws, files, settings, 0)
    assert pickled == [] and sorted(entries) == sorted(f.relpath for f in files)  # parsed here, all of them


@needs_fork
@pytest.mark.parametrize(("jobs", "started"), [([], 1), (["-j", "1"], 0)])
def test_site_build_reads_the_history_beside_the_parse_unless_told_one_process(
    tmp_path: Path, two_cores: None, monkeypatch: pytest.MonkeyPatch, jobs: list[str], started: int
) -> None:
    repo = repository(tmp_path)
    calls: list[dict[str, object]] = []
    original = read_module.prefetch
    monkeypatch.setattr(read_module, "prefetch", lambda root, settings, **options: calls.append(options) or original(root, settings, **options))
    result = CliRunner().invoke(main, ["-C", str(repo.ws), "--today", TODAY, "site", "build", "--out", str(tmp_path / "out"), *jobs])
    assert result.exit_code == 0, result.output
    # the texts of the versions whose diffs the pages show; a progress bar on a terminal (None: as stderr is one)
    assert calls == [{"progress": None, "keep_texts": MAX_DIFFS}] * started
    assert (tmp_path / "out/d/t-03.html").is_file() and background.busy() == 0


@needs_fork
def test_a_command_that_fails_before_reading_the_history_leaves_no_child(tmp_path: Path, two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """`wm site build --out` over the workspace fails after the parse: the child reading the history is ended and reaped."""
    repo = repository(tmp_path)
    started: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    result = CliRunner().invoke(main, ["-C", str(repo.ws), "--today", TODAY, "site", "build", "--out", str(repo.ws)])
    assert result.exit_code != 0 and "would write the site over the workspace" in result.output
    assert len(started) == 1 and background.busy() == 0
    with pytest.raises(ChildProcessError):  # reaped already: no zombie left
        os.waitpid(started[0], os.WNOHANG)


@needs_fork
def test_wm_history_reads_a_cold_history_beside_the_parse(tmp_path: Path, two_cores: None, monkeypatch: pytest.MonkeyPatch, scans: Path) -> None:
    """`wm history ID` on a workspace never read: the child reads the commits (its progress bar, on a terminal, is its
    own); the command shows the versions as a direct read does."""
    repo = repository(tmp_path)
    with monkeypatch.context() as one_core:  # nothing forked: read here
        one_core.setattr(os, "cpu_count", lambda: 1)
        expected = CliRunner().invoke(main, ["-C", str(repo.ws), "--today", TODAY, "history", "t-03"])
    assert expected.exit_code == 0, expected.output
    assert scanned_by(scans) == [os.getpid()]
    scans.unlink()
    for folder in (repo.ws / ".wm").glob("*"):
        if folder.is_dir():
            shutil.rmtree(folder)
    result = CliRunner().invoke(main, ["-C", str(repo.ws), "--today", TODAY, "history", "t-03"])
    assert result.exit_code == 0, result.output
    assert result.output == expected.output and "round 2" in result.output
    readers = scanned_by(scans)
    assert len(readers) == 1 and readers[0] != os.getpid() and background.busy() == 0


@needs_fork
def test_nothing_is_started_outside_git(tmp_path: Path, two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a repository there is no history (and never a cache): no child walks the workspace on every run."""
    ws = tmp_path / "plain"
    (ws / "tasks").mkdir(parents=True)
    (ws / "workspace.yml").write_text("name: plain\n", encoding="utf-8")
    (ws / "tasks/a.md").write_text("---\nstatus: todo\n---\n# A\n", encoding="utf-8")

    def no_fork() -> int:
        raise AssertionError("forked outside git")

    monkeypatch.setattr(os, "fork", no_fork)
    index = load_index(ws, with_history=True)
    assert background.busy() == 0 and "a" in index.docs
