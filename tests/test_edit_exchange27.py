"""An edit never replaces a save it did not see, even one landing between its last check and its write: the new text is
swapped in (renameat2 RENAME_EXCHANGE) and the file it displaced is compared with what was read; a save is put back."""

from __future__ import annotations

from pathlib import Path

import pytest

from workspace_tool import edit
from workspace_tool.edit import read_source
from workspace_tool.errors import ConflictError
from workspace_tool.exchange import exchange

EDITOR = "---\ntitle: Saved in the editor\n---\n"


def _after_the_check(monkeypatch: pytest.MonkeyPatch, then) -> None:  # type: ignore[no-untyped-def]
    """Something happens to the file right after the edit's last check passes (an editor's save, a delete)."""
    real = edit._check_unchanged

    def check(source) -> None:  # type: ignore[no-untyped-def]
        real(source)
        then(source.path)

    monkeypatch.setattr(edit, "_check_unchanged", check)


def _swaps(tmp_path: Path) -> bool:
    a, b = tmp_path / "swap-a", tmp_path / "swap-b"
    a.write_text("a"), b.write_text("b")
    try:
        return exchange(str(a), str(b)) and a.read_text() == "b"
    finally:
        a.unlink(), b.unlink()


def _doc(tmp_path: Path) -> Path:
    doc = tmp_path / "tasks" / "t.md"
    doc.parent.mkdir(exist_ok=True)
    doc.write_text("---\ntitle: T\n---\n", encoding="utf-8")
    return doc


def test_a_save_landing_after_the_check_is_put_back_and_the_edit_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _swaps(tmp_path):
        pytest.skip("this file system cannot swap names (renameat2 RENAME_EXCHANGE)")
    doc = _doc(tmp_path)
    source = read_source(tmp_path, "tasks/t.md")
    _after_the_check(monkeypatch, lambda path: path.write_text(EDITOR, encoding="utf-8"))
    with pytest.raises(ConflictError, match="changed on disk while wm was writing it"):
        edit.checked_write(source, "---\ntitle: From wm\n---\n")
    assert doc.read_text(encoding="utf-8") == EDITOR
    assert sorted(p.name for p in doc.parent.iterdir()) == ["t.md"]  # no temporary file left


def test_a_file_deleted_after_the_check_stays_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _swaps(tmp_path):
        pytest.skip("this file system cannot swap names (renameat2 RENAME_EXCHANGE)")
    doc = _doc(tmp_path)
    source = read_source(tmp_path, "tasks/t.md")
    _after_the_check(monkeypatch, lambda path: path.unlink())
    with pytest.raises(ConflictError):
        edit.checked_write(source, "---\ntitle: From wm\n---\n")
    assert list(doc.parent.iterdir()) == []


def test_a_file_made_after_the_check_is_not_replaced_by_a_new_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tasks").mkdir()
    source = read_source(tmp_path, "tasks/new.md")
    assert source.data is None
    _after_the_check(monkeypatch, lambda path: path.write_text(EDITOR, encoding="utf-8"))
    with pytest.raises(ConflictError):
        edit.checked_write(source, "---\ntitle: From wm\n---\n")
    assert (tmp_path / "tasks/new.md").read_text(encoding="utf-8") == EDITOR
    assert [p.name for p in (tmp_path / "tasks").iterdir()] == ["new.md"]


@pytest.mark.parametrize("swaps", [True, False], ids=["swapped", "renamed where names cannot be swapped"])
def test_an_edit_with_no_save_in_between_writes_and_keeps_the_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swaps: bool) -> None:
    if not swaps:
        monkeypatch.setattr(edit, "exchange", lambda a, b: False)
    doc = _doc(tmp_path)
    doc.chmod(0o640)
    edit.checked_write(read_source(tmp_path, "tasks/t.md"), "---\ntitle: From wm\n---\n")
    assert doc.read_text(encoding="utf-8") == "---\ntitle: From wm\n---\n"
    assert doc.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in doc.parent.iterdir()) == ["t.md"]
    edit.checked_write(read_source(tmp_path, "tasks/n.md"), "---\ntitle: New\n---\n")  # a new file, linked in place
    assert (tmp_path / "tasks/n.md").read_text(encoding="utf-8") == "---\ntitle: New\n---\n"
    assert sorted(p.name for p in doc.parent.iterdir()) == ["n.md", "t.md"]
