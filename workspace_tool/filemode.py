"""The mode a new file gets: what `open()` would give it under the process's umask (0644 under umask 022).

`tempfile.mkstemp`, behind every atomic write, makes its file 0600 whatever the umask, and `os.replace` keeps
that mode: without this, every document, time log, invoice and export `wm` creates would be readable by its
owner alone (another user of a shared checkout, a web server serving an export, could not read it).
"""

from __future__ import annotations

import functools
import os


@functools.cache
def new_file_mode() -> int:
    """0o666 less the umask (read once: the umask can only be read by setting it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def mode_for(path: os.PathLike[str] | str) -> int:
    """The mode a file written over `path` should have: the file's own, or a new file's when there is none."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return new_file_mode()
