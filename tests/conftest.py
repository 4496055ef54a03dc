"""Shared fixtures: a workspace factory, a file writer, a CLI runner, export files and a headless browser."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_workspace"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UPDATE_GOLDEN = os.environ.get("WM_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Per-user caches (compiled site templates) go to a folder of this test run, not the user's home."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace (just `workspace.yml`) in a temporary folder."""
    (tmp_path / "workspace.yml").write_text("name: test\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def write_doc(workspace: Path) -> Callable[[str, str], Path]:
    """Write a document (relative path, text) into the workspace."""

    def write(relpath: str, text: str) -> Path:
        path = workspace / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def wm(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the real `wm` command line in-process: wm("-C", dir, "validate")."""
    from workspace_tool.cli import main

    monkeypatch.setenv("WM_TODAY", "2026-11-26")
    monkeypatch.delenv("WM_WORKSPACE", raising=False)

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


def check_golden(path: Path, actual: str) -> None:
    """Compare with a golden file; a missing golden file fails (WM_UPDATE_GOLDEN=1 writes it)."""
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden file {path} (run with WM_UPDATE_GOLDEN=1 and review it)"
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def export(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """Write an export file (name, text) outside the workspace, for `wm import`."""
    folder = tmp_path_factory.mktemp("export")

    def write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module (`browser_helpers.chromium`; mark the tests `needs_browser`)."""
    from browser_helpers import chromium

    with chromium() as driver:
        yield driver
