"""`gitindex`: the blob ids git's index vouches for, checked against a real repository and `git hash-object`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_history_support import Repo, git

from workspace_tool.gitindex import blob_id, clean_blobs


def hash_object(data: bytes, tmp: Path) -> bytes:
    path = tmp / "object"
    path.write_bytes(data)
    return bytes.fromhex(subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True, check=True).stdout.strip())


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=300))
def test_blob_id_is_git_s_object_id(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    tmp = tmp_path_factory.mktemp("blob")
    assert blob_id(data) == hash_object(data, tmp)


def test_a_workspace_in_a_subfolder_gets_its_clean_files_by_their_paths_in_it(tmp_path: Path) -> None:
    """Paths are relative to the workspace; a file changed since the index was written, a file git is told not to
    look at and a file outside the workspace are not vouched for; every other tracked file gets its blob's id."""
    repo = Repo(tmp_path / "repo", "work/space")
    repo.write("tasks/kept.md", "---\nstatus: todo\n---\n# Kept\n")
    repo.write("tasks/edited.md", "---\nstatus: todo\n---\n# Edited\n")
    repo.write("tasks/ignored-by-git.md", "---\nstatus: todo\n---\n# Hidden\n")
    (repo.root / "outside.md").write_text("# Outside\n", encoding="utf-8")
    repo.commit("start", "2026-01-05T09:00:00+00:00")
    (repo.ws / "tasks/edited.md").write_text("---\nstatus: done\n---\n# Edited\n", encoding="utf-8")
    git(repo.ws, "update-index", "--assume-unchanged", "tasks/ignored-by-git.md")
    (repo.ws / "tasks/untracked.md").write_text("# New\n", encoding="utf-8")
    found = clean_blobs(repo.ws)
    assert sorted(found) == ["tasks/kept.md", "workspace.yml"]
    assert found["tasks/kept.md"] == blob_id((repo.ws / "tasks/kept.md").read_bytes())


def test_outside_a_repository_nothing_is_vouched_for(tmp_path: Path) -> None:
    (tmp_path / "task.md").write_text("# Task\n", encoding="utf-8")
    assert clean_blobs(tmp_path) == {}


@pytest.mark.parametrize("setting", [("core.trustctime", "false"), ("core.checkStat", "minimal")])
def test_a_file_edited_in_place_with_its_old_mtime_is_not_vouched_for_whatever_git_s_stat_settings(tmp_path: Path, setting: tuple[str, str]) -> None:
    """Same size, mtime put back: only the ctime (and, for checkStat, the rest) tells. git told to ignore it would
    vouch for the old blob, and the cache would serve the old text for good."""
    import os
    import time

    repo = Repo(tmp_path / "repo")
    doc = repo.ws / "tasks/t.md"
    repo.write("tasks/t.md", "---\nstatus: todo\n---\n")
    repo.commit("start", "2026-01-05T09:00:00+00:00")
    git(repo.ws, "config", *setting)
    before = doc.stat()
    time.sleep(1.1)
    git(repo.ws, "update-index", "--refresh")  # the index is newer than the file: git trusts its stat
    with open(doc, "r+", encoding="utf-8") as handle:  # in place: the same inode
        handle.write("---\nstatus: done\n---\n")
    os.utime(doc, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "tasks/t.md" not in clean_blobs(repo.ws)


def test_validate_reports_a_file_git_has_not_finished_merging(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """Deleted on one side, edited on the other: the file reads clean (no markers), but git waits for it."""
    repo = Repo(tmp_path / "repo")
    repo.write("tasks/t.md", "---\nstatus: todo\n---\n")
    repo.commit("start", "2026-01-05T09:00:00+00:00")
    git(repo.ws, "checkout", "-q", "-b", "other")
    git(repo.ws, "rm", "-q", "tasks/t.md")
    repo.commit("delete", "2026-01-06T09:00:00+00:00")
    git(repo.ws, "checkout", "-q", "-")
    repo.write("tasks/t.md", "---\nstatus: in-progress\n---\n")
    repo.commit("edit", "2026-01-07T09:00:00+00:00")
    subprocess.run(["git", "merge", "-q", "other"], cwd=repo.ws, capture_output=True)  # stops: modify/delete
    result = wm("-C", str(repo.ws), "validate")
    assert result.exit_code == 1
    assert "tasks/t.md:1: error: git has not finished merging this file" in result.stdout


def test_validate_notes_a_clone_that_has_not_registered_the_merge_driver(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """A fresh clone of a team's repository: `.gitattributes` names wm's drivers, `.git/config` does not have them.
    Said on stderr; not a diagnostic (a CI clone only validates, and --strict must pass there)."""
    repo = Repo(tmp_path / "repo")
    repo.write(".gitattributes", "*.md merge=wm\ntimelogs/**/*.md merge=wm-timelog\n")
    repo.write("tasks/t.md", "---\nstatus: todo\n---\n")
    repo.commit("start", "2026-01-05T09:00:00+00:00")
    result = wm("-C", str(repo.ws), "validate", "--strict")
    assert result.exit_code == 0
    assert "wm: note: the wm merge driver is not registered in this clone: run 'wm git-setup'" in result.stderr
    git(repo.ws, "config", "merge.wm.driver", "true")
    git(repo.ws, "config", "merge.wm-timelog.driver", "true")
    assert "note:" not in wm("-C", str(repo.ws), "validate").stderr
