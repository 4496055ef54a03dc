"""Atomic file writes for the commands that write documents (invoices, imported entries) and exports' files.

A temporary file in the same folder, then `os.replace` (or `os.link` when the
file must not exist yet), so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workspace_tool.errors import ConflictError
from workspace_tool.filemode import mode_for


def _temp_beside(path: Path, text: str) -> str:
    """A temporary file beside `path` holding `text`, with the mode `path` has (a new file's when it has none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode_for(path))
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_new(path: Path, text: str) -> None:
    """Create `path` atomically; ConflictError when it already exists (even if created meanwhile)."""
    tmp = _temp_beside(path, text)
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise ConflictError(f"{path} already exists; not overwritten") from None
    finally:
        os.unlink(tmp)


def replace_file(path: Path, text: str) -> None:
    """Write `text` over `path` (or create it) atomically, whatever it held: an export's output file, which the
    user asked to have written (a spreadsheet may have saved it again in another encoding, or it may be binary)."""
    tmp = _temp_beside(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def replace_checked(path: Path, text: str, expected: str | None) -> None:
    """Replace `path` with `text`, first checking it still holds `expected` (None: must not exist)."""
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current != expected:
        raise ConflictError(f"{path} changed on disk while wm was working; run the command again")
    if expected is None:
        write_new(path, text)
        return
    replace_file(path, text)


def write_document(root: Path, relpath: str, text: str, expected: str | None) -> None:
    """Write a workspace file atomically if it still holds `expected` (None: must not exist).

    Uses the editing module's checked write when it is there, else the local one.
    """
    try:
        from workspace_tool.edit import checked_write, read_source
    except ImportError:  # the editing module is not there: the local helpers do the same
        replace_checked(root / relpath, text, expected)
        return
    source = read_source(root, relpath)
    current = source.text if source.data is not None else None
    if current != expected:
        raise ConflictError(f"{relpath} changed on disk while wm was working; nothing was written — run the command again")
    checked_write(source, text, root)
