"""Writing a file of the `.wm/` cache whole or not at all.

Cache files are disposable (each reader treats a missing or damaged one as
absent), so they are not synced to disk as documents are (`edit.atomic_write`);
they only must never be seen half-written, by a reader or by the next run
after a crash.
"""

from __future__ import annotations

import os
from pathlib import Path


def replace_file(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path` (named by this process), then rename it over `path`.

    Raises what the write raises (`OSError`: a read-only or full disk); the
    temporary file is gone either way.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # gone after the rename; left only by a failed write
