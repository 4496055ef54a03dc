"""The persistent parse cache: hits, misses, invalidation, damage, races and concurrency."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Callable

import pytest

import workspace_tool.cache as cache_mod
from workspace_tool import codeprint
from workspace_tool.cache import DELTA_NAME, SNAPSHOT_NAME, ParseCache, load_with_cache
from workspace_tool.loader import FileStat, discover, read_settings
from workspace_tool.model import Person, Task
from workspace_tool.parse import Parsed
from workspace_tool.workspace import load_index

TASK = "---\nstatus: todo\nassignee: alice\nestimate: 2d\n---\n# {title}\n"


def task_text(title: str = "Write the brief") -> str:
    return TASK.format(title=title)


@pytest.fixture
def ws(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    write_doc("people/alice.md", "---\nname: Alice\n---\n# Alice\n")
    write_doc("projects/web/project.md", "---\nstatus: active\n---\n# Web\n")
    write_doc("projects/web/tasks/brief.md", task_text())
    write_doc("projects/web/tasks/build.md", "---\nstatus: todo\ndepends_on: [brief]\n---\n# Build\n")
    age_all(workspace)
    return workspace


def age_all(root: Path, seconds: float = 60) -> None:
    """Give every document an mtime in the past, so it is not 'racy' (just written)."""
    past = time.time() - seconds
    for path in root.rglob("*.md"):
        os.utime(path, (past, past))


def refresh(root: Path, files: list[FileStat] | None = None) -> tuple[ParseCache, dict[str, Parsed]]:
    settings, _ = read_settings(root)
    if files is None:
        files, _ = discover(root, settings)
    cache = ParseCache(root, settings)
    return cache, cache.refresh(files)


def title(parsed: dict[str, Parsed], relpath: str) -> str:
    document = parsed[relpath].document
    assert document is not None
    return document.title


def test_cold_run_parses_everything_and_writes_a_snapshot(ws: Path) -> None:
    cache, parsed = refresh(ws)
    assert (cache.stats.hits, cache.stats.parsed, cache.stats.wrote) == (0, 4, "snapshot")
    assert (ws / ".wm" / SNAPSHOT_NAME).is_file()
    assert (ws / ".wm" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert title(parsed, "projects/web/tasks/brief.md") == "Write the brief"


def test_warm_run_parses_nothing_and_gives_equal_documents(ws: Path) -> None:
    _, cold = refresh(ws)
    cache, warm = refresh(ws)
    assert (cache.stats.hits, cache.stats.parsed, cache.stats.wrote) == (4, 0, "")
    assert warm == cold
    assert list(warm) == sorted(warm)


def test_changed_file_is_reparsed_and_saved_in_the_delta(ws: Path) -> None:
    refresh(ws)
    (ws / "projects/web/tasks/brief.md").write_text(task_text("A longer, rewritten brief"), encoding="utf-8")
    cache, parsed = refresh(ws)
    assert (cache.stats.hits, cache.stats.parsed, cache.stats.wrote) == (3, 1, "delta")
    assert title(parsed, "projects/web/tasks/brief.md") == "A longer, rewritten brief"
    again, parsed = refresh(ws)
    assert again.stats.parsed == 0
    assert title(parsed, "projects/web/tasks/brief.md") == "A longer, rewritten brief"


def test_new_deleted_and_renamed_files(ws: Path) -> None:
    refresh(ws)
    (ws / "projects/web/tasks/build.md").rename(ws / "projects/web/tasks/build-site.md")
    (ws / "projects/web/tasks/brief.md").unlink()
    (ws / "notes").mkdir()
    (ws / "notes/idea.md").write_text("# Idea\n", encoding="utf-8")
    cache, parsed = refresh(ws)
    assert sorted(parsed) == ["notes/idea.md", "people/alice.md", "projects/web/project.md", "projects/web/tasks/build-site.md"]
    assert (cache.stats.parsed, cache.stats.dropped) == (2, 2)
    assert not any("brief" in p for p in cache.entries)


def test_same_second_edit_with_unchanged_stat_is_caught_by_the_hash(ws: Path) -> None:
    """A coarse-mtime filesystem: the edit keeps size, mtime and ctime. The entry is racy, so it is re-checked."""
    path = ws / "projects/web/tasks/brief.md"
    path.write_text(task_text("Version one"), encoding="utf-8")  # mtime = now: racy
    settings, _ = read_settings(ws)
    files, _ = discover(ws, settings)
    _, first = refresh(ws, files)
    assert title(first, "projects/web/tasks/brief.md") == "Version one"
    path.write_text(task_text("Version two"), encoding="utf-8")  # same size
    cache, second = refresh(ws, files)  # the stale stat, as a coarse clock would report it
    assert cache.stats.rechecked == 1 and cache.stats.parsed == 1
    assert title(second, "projects/web/tasks/brief.md") == "Version two"


def test_racy_entry_is_trusted_once_old_enough(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ws / "projects/web/tasks/brief.md"
    path.write_text(task_text("Fresh"), encoding="utf-8")
    refresh(ws)
    later = time.time_ns() + 10_000_000_000
    monkeypatch.setattr(cache_mod.time, "time_ns", lambda: later)
    checked, _ = refresh(ws)  # hash matches, and the mtime is now well in the past: re-stamped
    assert (checked.stats.rechecked, checked.stats.parsed, checked.stats.wrote) == (1, 0, "delta")
    trusted, parsed = refresh(ws)
    assert (trusted.stats.rechecked, trusted.stats.parsed) == (0, 0)
    assert title(parsed, "projects/web/tasks/brief.md") == "Fresh"


def test_old_entries_are_not_rechecked(ws: Path) -> None:
    refresh(ws)
    cache, _ = refresh(ws)
    assert cache.stats.rechecked == 0


def test_new_times_with_the_same_text_keep_the_entry_and_are_restamped(ws: Path) -> None:
    """chmod (a new ctime) and touch (a new mtime) leave the text as it was: it is hashed, not parsed, and the entry
    takes the new times, so the run after trusts it without reading."""
    refresh(ws)
    time.sleep(0.01)
    os.chmod(ws / "people/alice.md", 0o600)
    past = time.time() - 30
    os.utime(ws / "projects/web/tasks/brief.md", (past, past))
    cache, parsed = refresh(ws)
    assert (cache.stats.parsed, cache.stats.rechecked, cache.stats.wrote) == (0, 2, "delta")
    assert title(parsed, "projects/web/tasks/brief.md") == "Write the brief"
    again, _ = refresh(ws)
    assert (again.stats.parsed, again.stats.rechecked, again.stats.wrote) == (0, 0, "")


def test_same_size_edit_with_new_times_is_parsed(ws: Path) -> None:
    """The hash decides, not the size: an edit of the same length, dated in the past, is still read anew."""
    refresh(ws)
    path = ws / "projects/web/tasks/brief.md"
    path.write_text(task_text("Write the proof"), encoding="utf-8")  # as long as "Write the brief"
    past = time.time() - 30
    os.utime(path, (past, past))
    cache, parsed = refresh(ws)
    assert (cache.stats.parsed, cache.stats.rechecked) == (1, 1)
    assert title(parsed, "projects/web/tasks/brief.md") == "Write the proof"


def test_cache_restored_into_a_fresh_clone(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI: `.wm/` restored into a new clone, where git wrote every file anew (new mtime and ctime). Believed only
    with WM_TRUST_CACHE=1: then no file is parsed again except the one the new commit changed."""
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=ws, check=True)
    subprocess.run([*git, "add", "-A"], cwd=ws, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=ws, check=True)
    refresh(ws)
    (ws / "projects/web/tasks/build.md").write_text("---\nstatus: doing\ndepends_on: [brief]\n---\n# Build\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", "build started"], cwd=ws, check=True)
    for name, trust, parsed_count in (("untrusted", "0", 4), ("trusted", "1", 1)):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(ws), str(clone)], check=True)
        shutil.copytree(ws / ".wm", clone / ".wm")
        age_all(clone)  # new times, as a clone made a minute ago has (not racy)
        monkeypatch.setenv("WM_TRUST_CACHE", trust)
        cache, parsed = refresh(clone)
        assert (cache.stats.parsed, cache.stats.rechecked, cache.stats.wrote) == (parsed_count, 4 - parsed_count, "snapshot"), name
        build = parsed["projects/web/tasks/build.md"].document
        assert isinstance(build, Task) and build.status == "doing"
        monkeypatch.setenv("WM_TRUST_CACHE", "0")
        (clone / "people/alice.md").chmod(0o600)  # a new ctime: the snapshot is this folder's own now
        again, _ = refresh(clone)
        assert (again.stats.parsed, again.stats.rechecked) == (0, 1), name


def test_many_files_git_vouches_for_are_not_read(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh clone with `.wm/` restored (CI): git's index says which files still hold the blobs the cache hashed,
    and those are not read. A file changed since the clone (its stat is no longer the index's), or one git is told
    not to look at (assume-unchanged), is read, and parsed again when its bytes changed."""
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=ws, check=True)
    subprocess.run([*git, "add", "-A"], cwd=ws, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=ws, check=True)
    refresh(ws)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ws), str(clone)], check=True)
    shutil.copytree(ws / ".wm", clone / ".wm")
    (clone / "projects/web/tasks/brief.md").write_text(task_text("Write the proof"), encoding="utf-8")  # as long as before
    subprocess.run(["git", "update-index", "--assume-unchanged", "people/alice.md"], cwd=clone, check=True)
    (clone / "people/alice.md").write_text("---\nname: Alica\n---\n# Alica\n", encoding="utf-8")
    monkeypatch.setenv("WM_TRUST_CACHE", "1")
    monkeypatch.setattr(cache_mod, "GIT_FROM", 1)
    reads: list[str] = []
    real_read = cache_mod.read_document

    def read_document(root: Path, relpath: str) -> object:
        reads.append(relpath)
        return real_read(root, relpath)

    monkeypatch.setattr(cache_mod, "read_document", read_document)
    cache, parsed = refresh(clone)
    assert (cache.stats.vouched_by_git, cache.stats.rechecked, cache.stats.parsed) == (2, 4, 2)
    assert sorted(set(reads)) == ["people/alice.md", "projects/web/tasks/brief.md"]
    assert title(parsed, "projects/web/tasks/brief.md") == "Write the proof"
    alice = parsed["people/alice.md"].document
    assert isinstance(alice, Person) and alice.name == "Alica"


def test_a_cache_from_another_folder_is_not_believed_for_files_with_new_times(ws: Path, tmp_path: Path) -> None:
    """A `.wm/` committed and cloned, or copied in, could tell of texts that are not these: its entries for files
    whose stat is new (every file git writes) are never used, whatever their hashes say."""
    refresh(ws)
    planted = tmp_path / "planted"
    shutil.copytree(ws, planted)  # the documents and the cache, as a copy or a clone would bring them
    path = planted / "projects/web/tasks/brief.md"
    path.write_text(task_text("Write the proof"), encoding="utf-8")  # as long as "Write the brief"
    text_hash = cache_mod.file_hash(planted, "projects/web/tasks/brief.md")
    cache = ParseCache(planted, read_settings(planted)[0])
    cache._load_disk()
    entry = cache.entries["projects/web/tasks/brief.md"]
    cache.entries["projects/web/tasks/brief.md"] = (*entry[:4], text_hash, entry[5])  # the old parse under the new text's hash
    cache._write(SNAPSHOT_NAME, cache.entries)
    shutil.move(str(planted / ".wm"), str(tmp_path / "moved"))
    shutil.copytree(tmp_path / "moved", planted / ".wm")  # the cache in a folder it was not written in
    age_all(planted)
    checked, parsed = refresh(planted)
    assert checked.stats.parsed == 4
    assert title(parsed, "projects/web/tasks/brief.md") == "Write the proof"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_made_unreadable_is_reported_not_served_from_the_cache(ws: Path) -> None:
    refresh(ws)
    path = ws / "people/alice.md"
    os.chmod(path, 0)
    try:
        _, parsed = refresh(ws)
        assert parsed["people/alice.md"].document is None
        assert parsed["people/alice.md"].diagnostics[0].code == "unreadable"
    finally:
        os.chmod(path, 0o644)


def test_broken_file_keeps_its_diagnostics_until_fixed(ws: Path) -> None:
    path = ws / "projects/web/tasks/brief.md"
    path.write_text("---\nstatus: [todo\n---\n# Broken\n", encoding="utf-8")
    age_all(ws)
    refresh(ws)
    cache, parsed = refresh(ws)
    assert cache.stats.parsed == 0
    assert parsed["projects/web/tasks/brief.md"].document is None
    assert [(d.line, d.code) for d in parsed["projects/web/tasks/brief.md"].diagnostics] == [(2, "yaml")]
    path.write_text(task_text("Fixed"), encoding="utf-8")
    cache, parsed = refresh(ws)
    assert cache.stats.parsed == 1
    assert parsed["projects/web/tasks/brief.md"].diagnostics == ()
    assert title(parsed, "projects/web/tasks/brief.md") == "Fixed"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "flipped byte"])
def test_damaged_cache_is_thrown_away_and_rebuilt(ws: Path, damage: str) -> None:
    _, cold = refresh(ws)
    snapshot = ws / ".wm" / SNAPSHOT_NAME
    data = snapshot.read_bytes()
    damaged = {
        "garbage": os.urandom(200),
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "flipped byte": data[:-20] + bytes([data[-20] ^ 0xFF]) + data[-19:],
    }[damage]
    snapshot.write_bytes(damaged)
    cache, parsed = refresh(ws)
    assert parsed == cold
    assert cache.stats.parsed == 4 and cache.stats.wrote == "snapshot"
    assert cache.stats.discarded and "corrupt" in cache.stats.discarded[0]
    assert refresh(ws)[0].stats.hits == 4  # and it is whole again


def test_damaged_delta_only_costs_the_files_in_it(ws: Path) -> None:
    refresh(ws)
    (ws / "people/alice.md").write_text("---\nname: Alice Smith\n---\n# Alice\n", encoding="utf-8")
    refresh(ws)
    (ws / ".wm" / DELTA_NAME).write_bytes(b"\x80\x05 not a pickle")
    cache, parsed = refresh(ws)
    assert (cache.stats.hits, cache.stats.parsed) == (3, 1)
    assert parsed["people/alice.md"].document is not None


def test_cache_from_an_older_schema_or_version_is_rebuilt(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "SCHEMA_VERSION", cache_mod.SCHEMA_VERSION - 1)
    refresh(ws)
    monkeypatch.undo()
    cache, _ = refresh(ws)
    assert cache.stats.parsed == 4
    assert "another version" in cache.stats.discarded[0]
    monkeypatch.setattr(codeprint, "_CODE", ["0.1.0+other-code"])  # the same version, other code (a newer checkout)
    assert refresh(ws)[0].stats.parsed == 4


def test_changed_settings_rebuild_because_values_depend_on_the_calendar(ws: Path) -> None:
    _, parsed = refresh(ws)
    task = parsed["projects/web/tasks/brief.md"].document
    assert isinstance(task, Task) and task.estimate is not None and task.estimate.hours == 16
    (ws / "workspace.yml").write_text("name: test\ncalendar:\n  hours_per_day: 6\n", encoding="utf-8")
    cache, parsed = refresh(ws)
    assert cache.stats.parsed == 4
    task = parsed["projects/web/tasks/brief.md"].document
    assert isinstance(task, Task) and task.estimate is not None and task.estimate.hours == 12


def test_settings_fingerprint_is_stable_across_processes(ws: Path) -> None:
    (ws / "workspace.yml").write_text("name: t\ncalendar:\n  holidays: [2026-12-24, 2026-12-25, 2026-12-31]\n", encoding="utf-8")
    code = "import sys; from pathlib import Path; from workspace_tool.loader import read_settings; from workspace_tool.cache import settings_fingerprint; print(settings_fingerprint(read_settings(Path(sys.argv[1]))[0]))"
    prints = {
        subprocess.run([sys.executable, "-c", code, str(ws)], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(prints) == 1


@pytest.mark.parametrize("where", ["chunk", "a group's document", "second chunk", "header"])
def test_a_planted_pickle_cannot_run_code(ws: Path, where: str) -> None:
    refresh(ws)
    marker = ws / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    group = ("", ("people/alice.md",), (60,), (1,), (1,), (1,), (b"",), (Evil(),), ((),))
    chunks = {
        "chunk": [pickle.dumps(Evil())],
        "a group's document": [pickle.dumps((group,))],
        "second chunk": [pickle.dumps(()), pickle.dumps(Evil())],
        "header": [],
    }[where]
    body = b"".join(chunks)
    fields = {"key": cache_mod.cache_key(read_settings(ws)[0]), "chunks": len(chunks), "crc": zlib.crc32(body), "length": len(body)}
    header = pickle.dumps(Evil() if where == "header" else fields)
    (ws / ".wm" / SNAPSHOT_NAME).write_bytes(header + body)
    cache, parsed = refresh(ws)
    assert not marker.exists()
    assert cache.stats.parsed == 4 and "corrupt" in cache.stats.discarded[0]
    assert parsed["people/alice.md"].document is not None


def test_unwritable_cache_folder_is_not_an_error(ws: Path) -> None:
    (ws / ".wm").write_text("a file where the cache folder should be", encoding="utf-8")
    cache, parsed = refresh(ws)
    assert len(parsed) == 4 and cache.stats.wrote == ""


def test_file_vanishing_during_a_run_is_reported_then_dropped(ws: Path) -> None:
    settings, _ = read_settings(ws)
    files, _ = discover(ws, settings)
    (ws / "people/alice.md").unlink()
    cache = ParseCache(ws, settings)
    parsed = cache.refresh(files)
    assert parsed["people/alice.md"].diagnostics[0].code == "vanished"
    again, parsed = refresh(ws)
    assert "people/alice.md" not in parsed and again.stats.dropped == 1


def test_delta_is_folded_into_a_new_snapshot_when_it_grows(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "DELTA_LIMIT", 1)
    refresh(ws)
    (ws / "people/alice.md").write_text("---\nname: Alice B\n---\n", encoding="utf-8")
    assert refresh(ws)[0].stats.wrote == "delta"
    (ws / "people/alice.md").write_text("---\nname: Alice C\n---\n", encoding="utf-8")
    (ws / "projects/web/project.md").write_text("---\nstatus: done\n---\n# Web\n", encoding="utf-8")
    assert refresh(ws)[0].stats.wrote == "snapshot"
    assert not (ws / ".wm" / DELTA_NAME).exists()
    assert refresh(ws)[0].stats.hits == 4


def test_process_pool_gives_the_same_results(ws: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = read_settings(ws)[0]
    loaded = load_with_cache(ws, settings, discover(ws, settings)[0])
    assert loaded is not None
    serial, hashes = loaded
    pids = tmp_path_factory.mktemp("pids") / "pids.txt"
    real_parse_one = cache_mod.parse_one

    def recording_parse_one(root: Path, relpath: str, settings: object) -> tuple[bytes, Parsed]:
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_parse_one(root, relpath, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_mod, "parse_one", recording_parse_one)
    monkeypatch.setattr(cache_mod, "POOL_THRESHOLD", 1)
    stats = discover(ws, settings)[0]
    entries, chunks = cache_mod.parse_many(ws, stats, settings, time.time_ns())
    assert [entries[s.relpath][5] for s in stats] == list(serial.values())
    assert {s.relpath: entries[s.relpath][4] for s in stats} == hashes
    assert len(chunks) > 1
    parsers = set(pids.read_text(encoding="utf-8").split())
    assert str(os.getpid()) in parsers and len(parsers) > 1  # this process parsed a share, a worker the rest


def test_load_index_with_and_without_cache_agree(ws: Path, write_doc: Callable[[str, str], Path]) -> None:
    write_doc("notes/bad.md", "---\ntype: wizard\n---\nSee [[nowhere]].\n")
    plain = load_index(ws, use_cache=False)
    load_index(ws)
    warm = load_index(ws)
    assert warm.docs == plain.docs
    assert warm.diagnostics() == plain.diagnostics()


def test_wm_no_cache_environment_skips_the_cache(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WM_NO_CACHE", "1")
    load_index(ws)
    assert not (ws / ".wm").exists()


@pytest.mark.parametrize("value", ["0", ""])
def test_wm_no_cache_set_to_0_or_empty_leaves_the_cache_on(ws: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("WM_NO_CACHE", value)
    load_index(ws)
    assert (ws / ".wm").is_dir()


WRITER = """
import sys, time
from pathlib import Path
from workspace_tool.cache import ParseCache
from workspace_tool.loader import discover, read_settings
root, me = Path(sys.argv[1]), sys.argv[2]
settings, _ = read_settings(root)
for round in range(15):
    (root / "notes" / f"{me}.md").write_text(f"# {me} round {round}\\n" + "x" * round, encoding="utf-8")
    ParseCache(root, settings).refresh(discover(root, settings)[0])
"""


def test_concurrent_writers_never_leave_a_corrupt_cache(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_mod, "DELTA_LIMIT", 3)  # alternate delta and snapshot writes
    (ws / "notes").mkdir()
    refresh(ws)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(ws), f"w{i}"], env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}) for i in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    cache, parsed = refresh(ws)
    assert cache.stats.discarded == []
    for i in range(4):
        assert title(parsed, f"notes/w{i}.md") == f"w{i} round 14"
    assert not [p for p in (ws / ".wm").iterdir() if p.name.endswith(".tmp")]


def test_file_edited_during_a_run_is_reparsed_next_time(ws: Path) -> None:
    """The stat is taken before the read: an edit in between is stored under the old stat, so it never sticks."""
    settings, _ = read_settings(ws)
    files, _ = discover(ws, settings)  # the stat: before the edit
    (ws / "people/alice.md").write_text("---\nname: Alice Edited Meanwhile\n---\n", encoding="utf-8")
    during = ParseCache(ws, settings)
    parsed = during.refresh(files)  # reads the new text, files it under the old stat
    assert during.stats.parsed == 4
    person = parsed["people/alice.md"].document
    assert isinstance(person, Person) and person.name == "Alice Edited Meanwhile"
    again, parsed = refresh(ws)
    assert (again.stats.parsed, again.stats.hits) == (1, 3)  # the stat moved on: parsed again, not trusted
    person = parsed["people/alice.md"].document
    assert isinstance(person, Person) and person.name == "Alice Edited Meanwhile"


def test_every_entry_carries_git_s_id_of_its_bytes(ws: Path) -> None:
    """Racy or not: a file whose times change later is checked against it (`test_new_times_with_the_same_text...`),
    or against git's index (`test_many_files_git_vouches_for_are_not_read`), which names the same ids."""
    (ws / "people/alice.md").write_text("---\nname: Alice Now\n---\n", encoding="utf-8")  # just written: racy
    cache, _ = refresh(ws)
    assert len(cache.entries) == 4
    paths = sorted(cache.entries)
    ids = subprocess.run(["git", "hash-object", *paths], cwd=ws, capture_output=True, text=True, check=True).stdout.split()
    assert {path: cache.entries[path][4].hex() for path in paths} == dict(zip(paths, ids))


def test_deleting_files_alone_writes_nothing_until_they_outgrow_the_limit(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh(ws)
    (ws / "people/alice.md").unlink()
    cache, parsed = refresh(ws)
    assert "people/alice.md" not in parsed and (cache.stats.dropped, cache.stats.wrote) == (1, "")
    assert refresh(ws)[0].stats.dropped == 1  # still in the snapshot, never returned
    monkeypatch.setattr(cache_mod, "DELTA_LIMIT", 0)
    (ws / "projects/web/tasks/build.md").unlink()
    cache, _ = refresh(ws)
    assert cache.stats.wrote == "snapshot"
    assert refresh(ws)[0].stats.dropped == 0
