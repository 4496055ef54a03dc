"""Caches are keyed by the code that wrote them (`codeprint`), not only by `__version__`."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from workspace_tool import __version__, codeprint
from workspace_tool.codeprint import code_print, code_version


def package(root: Path) -> Path:
    folder = root / "pkg"
    (folder / "sub").mkdir(parents=True)
    (folder / "__init__.py").write_text("x = 1\n", encoding="utf-8")
    (folder / "sub" / "mod.py").write_text("y = 2\n", encoding="utf-8")
    return folder


def later(path: Path) -> None:
    stamp = time.time() + 60
    os.utime(path, (stamp, stamp))


def test_a_source_tree_is_known_by_its_modules_stats(tmp_path: Path) -> None:
    folder = package(tmp_path)
    first = code_print(folder, "1.0")
    assert first.startswith("s") and code_print(folder, "1.0") == first
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"bytecode")
    (folder / "notes.txt").write_text("not code", encoding="utf-8")
    assert code_print(folder, "1.0") == first  # bytecode and other files are not the code
    later(folder / "sub" / "mod.py")
    assert code_print(folder, "1.0") != first  # an edit (a new time) is other code


def test_an_installed_package_is_known_by_the_hashes_pip_recorded(tmp_path: Path) -> None:
    folder = package(tmp_path / "site-packages")
    record = folder.parent / "pkg-1.0.dist-info" / "RECORD"
    record.parent.mkdir()
    lines = [
        "pkg/__init__.py,sha256=AAAA,6",
        "pkg/sub/mod.py,sha256=BBBB,6",
        "pkg/__pycache__/__init__.cpython-311.pyc,,",
        "pkg-1.0.dist-info/direct_url.json,sha256=CCCC,44",
        "../../../bin/wm,sha256=DDDD,223",
    ]
    record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = code_print(folder, "1.0")
    assert first.startswith("r")
    later(folder / "sub" / "mod.py")  # installed again, elsewhere or later: the same code
    other_install = ["pkg-1.0.dist-info/direct_url.json,sha256=EEEE,50", "../../bin/wm,sha256=FFFF,223"]
    record.write_text("\n".join([*reversed(lines[:3]), *other_install]) + "\n", encoding="utf-8")
    assert code_print(folder, "1.0") == first
    record.write_text("\n".join(["pkg/__init__.py,sha256=AAAA,6", "pkg/sub/mod.py,sha256=GGGG,6"]) + "\n", encoding="utf-8")
    assert code_print(folder, "1.0") != first  # a module with other bytes
    assert code_print(folder, "2.0").startswith("s")  # no RECORD for that version: the stats


def test_code_version_is_the_version_and_the_print_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codeprint, "_CODE", [])
    found = code_version()
    assert found.startswith(f"{__version__}+") and len(found) > len(__version__) + 10
    monkeypatch.setattr(codeprint, "code_print", lambda *args: pytest.fail("computed twice"))
    assert code_version() == found
