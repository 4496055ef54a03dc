"""Cache files are written whole or not at all (`cachefile.replace_file`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workspace_tool.cachefile import replace_file


def test_a_cache_file_is_replaced_whole_and_no_temporary_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "kept.marshal"
    path.write_bytes(b"old")
    replace_file(path, b"new content")
    assert path.read_bytes() == b"new content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.marshal"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kept.marshal"
    path.write_bytes(b"old")

    def full_disk(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        replace_file(path, b"new content")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.marshal"]


def test_the_cache_folder_is_made_with_a_gitignore_so_git_never_shows_a_cache_file(tmp_path: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    replace_file(tmp_path / ".wm" / "site" / "record.marshal", b"r")  # the first cache file written, two folders down
    replace_file(tmp_path / ".wm" / "done-dates.marshal", b"d")
    assert (tmp_path / ".wm" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert status.stdout == ""
    replace_file(tmp_path / "out" / "page.html", b"p")  # not in the cache folder: no ignore file of its own
    assert not (tmp_path / "out" / ".gitignore").exists()
