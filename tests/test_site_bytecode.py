"""Compiled templates are kept in the user's cache folder, never in the workspace, and only in a private folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from test_site_build import build, make_site_workspace

from workspace_tool.site.render import bytecode_cache


def _built_with_kept_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Path]]:
    """The site workspace, built once with compiled templates kept in a scratch user cache: (workspace, their files)."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("WM_NO_CACHE", raising=False)
    ws = make_site_workspace(tmp_path)
    build(ws, tmp_path / "out")
    return ws, list(cache.glob("wm/templates-*/__jinja2_*.cache"))


def test_compiled_templates_go_to_the_users_cache_not_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, kept = _built_with_kept_templates(tmp_path, monkeypatch)
    assert kept, "no compiled template was kept"
    assert (os.stat(kept[0].parent).st_mode & 0o777) == 0o700
    assert not [p for p in ws.rglob("*") if "jinja" in p.name]
    before = {p: p.stat().st_mtime_ns for p in kept}
    build(ws, tmp_path / "out2")  # read back, not written again
    assert {p: p.stat().st_mtime_ns for p in kept} == before


def test_no_cache_when_turned_off_or_when_others_can_write_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("WM_NO_CACHE", "1")
    assert bytecode_cache() is None
    monkeypatch.delenv("WM_NO_CACHE")
    assert bytecode_cache() is not None
    folder = next((tmp_path / "wm").glob("templates-*"))
    folder.chmod(0o777)
    assert bytecode_cache() is None


def test_a_damaged_compiled_template_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, kept = _built_with_kept_templates(tmp_path, monkeypatch)
    assert kept
    for path in kept:  # past the header, into the checksum's pickle
        path.write_bytes(path.read_bytes()[:20])
    result: Any = build(ws, tmp_path / "out2")
    assert result.rendered == result.pages and "Build it." in (tmp_path / "out2" / "d" / "build.html").read_text()


def test_a_user_cache_that_cannot_be_written_fails_no_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    from workspace_tool.site import render

    def full_disk(self: Any, bucket: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", full_disk)
    render._COMPILED.clear()  # compiled again in this process, so written again
    ws, kept = _built_with_kept_templates(tmp_path, monkeypatch)
    assert not kept
    assert "Build it." in (tmp_path / "out" / "d" / "build.html").read_text()
