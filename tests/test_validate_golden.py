"""`wm validate` on small workspaces, one per rule: tests/fixtures/validate/<case>/ beside expected.txt.

expected.txt holds the exit code on its first line, then the exact output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import pytest
from click.testing import Result
from conftest import FIXTURES, SAMPLE, check_golden

ROOT = FIXTURES / "validate"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_validate_fixture(case: str, wm: Callable[..., Result]) -> None:
    result = wm("-C", str(ROOT / case), "validate")
    check_golden(ROOT / f"{case}.expected.txt", f"exit {result.exit_code}\n{result.stdout}")


@pytest.mark.parametrize("case", CASES)
def test_validate_json_matches_text(case: str, wm: Callable[..., Result]) -> None:
    text = wm("-C", str(ROOT / case), "validate").stdout.splitlines()
    items = json.loads(wm("-C", str(ROOT / case), "validate", "--json").stdout)
    assert [f"{d['path']}:{d['line']}: {d['severity']}: {d['message']}" for d in items] == text
    assert all(set(d) == {"path", "line", "severity", "code", "message"} for d in items)


def test_warnings_alone_exit_zero_unless_strict(workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    write_doc("notes/a.md", "# A\n\nSee [[missing-note]].\n")
    assert wm("-C", str(workspace), "validate").exit_code == 0
    assert wm("-C", str(workspace), "validate", "--strict").exit_code == 1


def test_validation_never_modifies_documents(wm: Callable[..., Result]) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in ROOT.rglob("*.md")}
    for case in CASES:
        wm("-C", str(ROOT / case), "validate")
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in ROOT.rglob("*.md")}


def test_symlink_loop_is_read_once(workspace: Path, write_doc: Callable[[str, str], Path], wm: Callable[..., Result]) -> None:
    write_doc("notes/a.md", "# A\n")
    os.symlink(workspace / "notes", workspace / "notes" / "loop")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 0
    assert "notes/loop:1: warning: folder reached twice through a symlink" in result.stdout


def test_huge_file_is_reported_not_read(workspace: Path, wm: Callable[..., Result]) -> None:
    (workspace / "notes").mkdir()
    with open(workspace / "notes" / "huge.md", "w") as handle:
        handle.write("---\ntitle: huge\n---\n")
        handle.write(("x" * 1023 + "\n") * 50 * 1024)
    (workspace / "notes" / "small.md").write_text("# Small\n")
    result = wm("-C", str(workspace), "validate", "--json")
    assert json.loads(result.stdout) == [
        {"path": "notes/huge.md", "line": 1, "severity": "error", "code": "too-large",
         "message": "file is larger than 5 MB; documents are skipped above that size"}
    ]
    assert "notes/small" in wm("-C", str(workspace), "show", "notes/small").stdout


def test_file_vanishing_while_read(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool import loader
    from workspace_tool.workspace import load_index

    (workspace / "notes").mkdir()
    for name in ("a", "b", "c"):
        (workspace / "notes" / f"{name}.md").write_text(f"# {name}\n")
    real_discover = loader.discover

    def discover_then_delete(root: Path, settings: object) -> object:
        found = real_discover(root, settings)  # type: ignore[arg-type]
        (workspace / "notes" / "b.md").unlink()
        return found

    monkeypatch.setattr("workspace_tool.workspace.discover", discover_then_delete)
    index = load_index(workspace, use_cache=False)
    assert sorted(index.docs) == ["notes/a", "notes/c"]
    assert [str(d) for d in index.diagnostics()] == ["notes/b.md:1: warning: file disappeared while the workspace was read"]


@pytest.mark.skipif(not (SAMPLE / "workspace.yml").exists(), reason="sample workspace not present")
def test_sample_workspace_has_no_errors(wm: Callable[..., Result]) -> None:
    result = wm("-C", str(SAMPLE), "validate", "--strict")
    assert result.stdout == ""
    assert result.exit_code == 0
