"""The history cache: blob shards and encoded rows read only when needed, kept across saves, and safe when damaged."""

from __future__ import annotations

import json
import marshal
import zlib
from pathlib import Path
from typing import Any

import pytest
from test_history_support import Repo, git

from workspace_tool.history import History, store

STATUSES = ["todo", "in-progress", "review", "done"]


def fresh_process() -> None:
    """Forget what this process read of any cache (as a new `wm` process would)."""
    store._LOADED.clear()
    store._SHARDS.clear()


@pytest.fixture
def shard_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The prefixes of the blob shards read from disk (every read, through the class)."""
    reads: list[str] = []
    original = store._Shards._read_shard

    def counting(self: store._Shards, prefix: str, ref: store.ShardRef) -> dict[str, Any]:
        reads.append(prefix)
        return original(self, prefix, ref)

    monkeypatch.setattr(store._Shards, "_read_shard", counting)
    return reads


def many_documents(repo: Repo, count: int = 40, rounds: int = 3) -> None:
    """`count` tasks, each changed in `rounds` commits (about count * rounds blobs over most shards)."""
    for day in range(rounds):
        for n in range(count):
            repo.task(f"tasks/t-{n:02d}.md", STATUSES[(n + day) % 4], estimate=f"{n % 5 + 1}d", round=str(day))
        repo.commit(f"round {day}", f"2026-01-{day + 1:02d}T09:00:00+00:00")


def manifest(repo: Repo) -> dict[str, Any]:
    return dict(json.loads((repo.ws / ".wm/history/manifest.json").read_text()))


def everything(history: History) -> list[tuple[str, str, Any]]:
    return sorted((d.id, d.path, d.versions) for d in history.documents)


def blobs_of(history: History, doc_id: str) -> set[str]:
    return {sha for v in history.versions(doc_id) for sha in (v.blob, v.old_blob) if sha}


def test_one_documents_versions_read_only_the_shards_they_name(tmp_path: Path, shard_reads: list[str]) -> None:
    repo = Repo(tmp_path / "repo")
    many_documents(repo)
    expected = repo.history(use_cache=False)
    repo.history()  # writes the cache
    assert len(manifest(repo)["blobs"]) > 60  # 120 blobs: most of the 256 shards have some
    fresh_process()
    shard_reads.clear()
    history = repo.history()  # loads the cache (at HEAD), restores the state, groups the documents
    assert shard_reads == []
    versions = history.versions("t-07")
    assert versions == expected.versions("t-07") and len(versions) == 3
    assert set(shard_reads) <= {sha[:2] for sha in blobs_of(history, "t-07")}
    assert 1 <= len(shard_reads) <= 6


def test_restored_rows_are_decoded_only_for_the_versions_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool.history import versions

    repo = Repo(tmp_path / "repo")
    many_documents(repo, rounds=2)
    repo.history()
    repo.task("tasks/t-07.md", "done", estimate="8d")
    repo.commit("one more", "2026-02-01T09:00:00+00:00")
    repo.history()  # t-07's rows: two in the first segment, one in the second
    assert len(manifest(repo)["segments"]) == 2
    decoded: list[Any] = []
    loaded: list[Any] = []

    def counting(into: list[Any]) -> Any:
        class Counting:
            version, dumps = marshal.version, staticmethod(marshal.dumps)

            @staticmethod
            def loads(data: bytes) -> Any:
                into.append(marshal.loads(data))
                return into[-1]

        return Counting

    monkeypatch.setattr(versions, "marshal", counting(decoded))
    monkeypatch.setattr(store, "marshal", counting(loaded))
    fresh_process()
    history = repo.history()
    assert decoded == [] and len(history.documents) == 40
    assert len(loaded) == 3  # two segments (their rows stay encoded) and the state; no blob shard
    assert [v.message for v in history.versions("t-07")] == ["one more", "round 1", "round 0"]
    assert [[row[7] for row in rows] for rows in decoded] == [["t-07", "t-07"], ["t-07"]]


def test_a_working_copy_edit_reads_the_shard_of_its_previous_version_only(tmp_path: Path, shard_reads: list[str]) -> None:
    repo = Repo(tmp_path / "repo")
    many_documents(repo)
    repo.history()
    repo.task("tasks/t-03.md", "done", estimate="9d")
    fresh_process()
    shard_reads.clear()
    history = repo.history()
    read = list(shard_reads)
    assert read == [history.versions("t-03")[1].blob[:2]]  # the committed fields the working copy is compared with
    assert ("estimate", "4d", "9d") in [(c.field, c.old, c.new) for c in history.versions("t-03")[0].changes]
    assert history.versions("t-03") == repo.history(use_cache=False).versions("t-03")


def test_a_served_process_reuses_the_shards_it_read_or_wrote(tmp_path: Path, shard_reads: list[str]) -> None:
    repo = Repo(tmp_path / "repo")
    many_documents(repo)
    repo.history()
    fresh_process()
    everything(repo.history())  # reads every shard once
    read_once = len(shard_reads)
    assert read_once == len(manifest(repo)["blobs"])
    everything(repo.history())  # the same manifest
    repo.task("tasks/t-01.md", "done", note="new")
    repo.commit("one more", "2026-02-01T09:00:00+00:00")
    after = repo.history()  # adds a segment and rewrites one shard, which this process then holds
    assert everything(after) == everything(repo.history(use_cache=False))
    everything(repo.history())  # a new manifest: no shard is read again
    assert len(shard_reads) == read_once


def test_cached_reads_equal_a_fresh_read_as_blobs_are_added_to_shards(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    many_documents(repo)
    repo.history()
    folder = repo.ws / ".wm/history"
    added_to = 0
    for day in range(3, 9):
        for n in range(day, 30, 7):
            repo.task(f"tasks/t-{n:02d}.md", STATUSES[day % 4], estimate=f"{day}d")
        if day == 5:
            git(repo.root, "mv", "tasks/t-05.md", "tasks/moved.md")
        repo.commit(f"day {day}", f"2026-01-{day:02d}T09:00:00+00:00")
        before = manifest(repo)["blobs"]
        entries = {p: marshal.loads((folder / ref[0]).read_bytes()) for p, ref in before.items()}
        repo.history()  # saves: the new blobs go to their shards
        after = manifest(repo)["blobs"]
        assert before.keys() <= after.keys()
        rewritten = [p for p in before if after[p] != before[p]]
        added_to += len(rewritten)
        for prefix in rewritten:  # read, added to, written anew: the old entries are kept
            new = marshal.loads((folder / after[prefix][0]).read_bytes())
            assert entries[prefix].items() < new.items()
        fresh_process()
        assert everything(repo.history()) == everything(repo.history(use_cache=False))
    assert added_to >= 8
    assert not (folder / "rescan").exists()
    names = {p.name for p in folder.glob("blobs-*")}
    assert names == {ref[0] for ref in manifest(repo)["blobs"].values()}  # replaced shards are deleted


def test_merged_segments_keep_every_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_SEGMENTS", 2)
    repo = Repo(tmp_path / "repo")
    many_documents(repo, count=5, rounds=1)
    repo.history()
    for day in range(2, 8):
        repo.task("tasks/t-01.md", STATUSES[day % 4], estimate=f"{day}d")
        repo.task(f"tasks/t-0{day % 5}.md", STATUSES[(day + 1) % 4])
        repo.commit(f"day {day}", f"2026-01-{day:02d}T09:00:00+00:00")
        repo.history()
        assert len(manifest(repo)["segments"]) <= 2
        fresh_process()
        assert everything(repo.history()) == everything(repo.history(use_cache=False))
    assert len(repo.history().versions("t-01")) == 7


def damage(path: Path, how: str, repo: Repo, prefix: str) -> None:
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:-7])
    elif how == "garbage":  # the same size: only the checksum tells
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    else:  # "not a dict", with a size and checksum that match
        data = marshal.dumps([1, 2, 3])
        path.write_bytes(data)
        found = manifest(repo)
        found["blobs"][prefix] = [path.name, len(data), zlib.crc32(data)]
        (repo.ws / ".wm/history/manifest.json").write_text(json.dumps(found))


def damaged_cache(tmp_path: Path, how: str) -> tuple[Repo, History, str, str]:
    """A repository with a cache whose shard holding the newest blob of `t-07` is damaged: (repo, fresh read, prefix, file)."""
    repo = Repo(tmp_path / "repo")
    many_documents(repo)
    expected = repo.history(use_cache=False)
    repo.history()
    prefix = str(expected.versions("t-07")[0].blob)[:2]
    path = repo.ws / ".wm/history" / manifest(repo)["blobs"][prefix][0]
    damage(path, how, repo, prefix)
    fresh_process()
    return repo, expected, prefix, path.name


def assert_repaired(repo: Repo, prefix: str, damaged: str) -> None:
    """The next read folds every commit again and writes the damaged shard anew."""
    assert (repo.ws / ".wm/history/rescan").exists()
    fresh_process()
    repaired = repo.history()
    assert everything(repaired) == everything(repo.history(use_cache=False))
    assert not (repo.ws / ".wm/history/rescan").exists()
    ref = manifest(repo)["blobs"][prefix]
    data = (repo.ws / ".wm/history" / ref[0]).read_bytes()
    assert ref[0] != damaged and (len(data), zlib.crc32(data)) == (ref[1], ref[2])
    assert {sha for d in repaired.documents for sha in blobs_of(repaired, d.id) if sha.startswith(prefix)} <= set(marshal.loads(data))
    assert not (repo.ws / ".wm/history" / damaged).exists()
    fresh_process()
    assert everything(repo.history()) == everything(repo.history(use_cache=False))


HOW = ["deleted", "truncated", "garbage", "not a dict"]


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_shard_is_read_from_git_then_written_again(tmp_path: Path, how: str) -> None:
    repo, expected, prefix, damaged = damaged_cache(tmp_path, how)
    history = repo.history()  # the cache is at HEAD: nothing is saved
    assert history.versions("t-07") == expected.versions("t-07")  # no exception, no field read as None
    assert everything(history) == everything(expected)
    assert_repaired(repo, prefix, damaged)


@pytest.mark.parametrize("how", HOW)
def test_a_read_that_meets_a_damaged_shard_saves_nothing(tmp_path: Path, how: str) -> None:
    repo, _, prefix, damaged = damaged_cache(tmp_path, how)
    repo.task("tasks/t-07.md", "done")  # its previous version's blob is in the damaged shard
    repo.commit("after the damage", "2026-02-01T09:00:00+00:00")
    before = manifest(repo)
    history = repo.history()  # reads the one new commit; its shard is found damaged
    assert everything(history) == everything(repo.history(use_cache=False))
    assert manifest(repo) == before
    assert_repaired(repo, prefix, damaged)


def test_a_blob_missing_from_its_shard_is_read_from_git(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    many_documents(repo, count=10)
    expected = repo.history(use_cache=False)
    repo.history()
    sha = sorted(blobs_of(expected, "t-04"))[0]
    found = manifest(repo)
    name = found["blobs"][sha[:2]][0]
    entries = marshal.loads((repo.ws / ".wm/history" / name).read_bytes())
    del entries[sha]
    data = marshal.dumps(entries)
    (repo.ws / ".wm/history" / name).write_bytes(data)
    found["blobs"][sha[:2]] = [name, len(data), zlib.crc32(data)]
    (repo.ws / ".wm/history/manifest.json").write_text(json.dumps(found))
    fresh_process()
    assert repo.history().versions("t-04") == expected.versions("t-04")


def test_a_full_save_removes_temporary_files_a_save_ended_half_way_left(tmp_path: Path) -> None:
    """A history child stopped half-way (a command that failed early) can leave a temporary file: the next save that
    writes everything removes it once it is old enough to be no other save's that is still writing."""
    import os
    import time

    repo = Repo(tmp_path / "repo")
    many_documents(repo, count=4, rounds=1)
    repo.history()
    folder = repo.ws / ".wm/history"
    old, new = folder / ".tmp-abandoned", folder / ".tmp-writing"
    old.write_bytes(b"half")
    new.write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    (folder / "manifest.json").unlink()  # the next read reads every commit and saves everything
    fresh_process()
    history = repo.history()
    assert history.versions("t-01")
    assert not old.exists() and new.exists()


def test_a_change_of_exclude_reads_the_history_again(tmp_path: Path) -> None:
    """Which files are documents decides what the fold holds: the cache of other rules is not used."""
    repo = Repo(tmp_path / "repo")
    repo.write("workspace.yml", "name: test\nexclude: ['drafts/**']\n")
    repo.task("drafts/plan.md", "todo")
    repo.task("tasks/kept.md", "todo")
    repo.commit("create", "2026-11-01T10:00:00+00:00")
    repo.task("drafts/plan.md", "in-progress")
    repo.commit("progress", "2026-11-05T10:00:00+00:00")
    assert "drafts/plan" not in {d.id for d in repo.history().documents}  # excluded, and now cached so
    repo.write("workspace.yml", "name: test\n")
    repo.commit("stop excluding drafts", "2026-11-20T10:00:00+00:00")
    fresh_process()
    warm = repo.history()
    assert warm.versions("drafts/plan") == repo.history(use_cache=False).versions("drafts/plan")
    assert len(warm.versions("drafts/plan")) == 2
    repo.write("workspace.yml", "name: test\nexclude: ['tasks/**']\n")
    repo.commit("exclude tasks", "2026-11-21T10:00:00+00:00")
    fresh_process()
    assert "kept" not in {d.id for d in repo.history().documents}


def test_history_and_index_agree_on_what_exclude_leaves_out(tmp_path: Path) -> None:
    """`exclude:` is matched as .gitignore globs (`loader.excluded`) by the index and by the history alike:
    `notes/*.md` leaves out notes/temp.md, not notes/sub/keep.md (fnmatch's `*` crossed the `/`)."""
    from test_history_support import Repo

    repo = Repo(tmp_path / "repo")
    repo.write("workspace.yml", 'name: test\nexclude: ["notes/*.md", "**/drafts/**"]\n')
    for relpath in ("notes/temp.md", "notes/sub/keep.md", "drafts/d1.md", "projects/p/drafts/d2.md", "notes/kept-too.txt.md"):
        repo.write(relpath, f"# {relpath}\n")
    repo.commit("start", "2026-01-05T09:00:00+00:00")
    from workspace_tool.workspace import load_index

    indexed = sorted(d.path for d in load_index(repo.ws).docs.values())
    assert indexed == ["notes/sub/keep.md"]
    history = repo.history(use_cache=False)
    assert sorted(d.path for d in history.documents) == indexed
