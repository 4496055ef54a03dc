"""When committed documents entered a done status, kept in `.wm/done-dates.marshal` under the HEAD and settings they came from.

The scheduler's input needs the done date of every done task without a
`done:` key, and finding one walks the task's versions (`flow.done_dates`):
thousands of them in a large workspace, at every edit that changes a field.
A document whose file is as committed (not in `History.working_paths`) has
the same versions, so the same date, until HEAD moves; such dates are read
from here, and only the working copy's documents are walked again.

Entries are by path, with the ID they were found for: `(ID, ISO date-time
or None)`. marshal holds only plain values, so a damaged or planted file
cannot run code; the file is disposable (a bad one is made again).
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

from workspace_tool.cachefile import replace_file

DONE_CACHE = ".wm/done-dates.marshal"
FORMAT = 1

Kept = dict[str, Any]
"""Path -> (ID, when it entered a done status in ISO form, or None: not done)."""


def _key(history: Any) -> list[Any]:
    from workspace_tool.cache import settings_fingerprint
    from workspace_tool.codeprint import code_version

    # `complete`: dates read from a shallow clone's commits are not those of the whole history at the same HEAD
    return [FORMAT, code_version(), history.head, settings_fingerprint(history.settings), bool(getattr(history, "complete", True))]


def load(root: Path, history: Any) -> Kept | None:
    """The kept dates for this HEAD and settings ({} when there are none yet); None when they cannot be used (no commit,
    or the working copy's files are not known)."""
    if history.head is None or history.working_paths is None:
        return None
    try:
        found = marshal.loads((root / DONE_CACHE).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if isinstance(found, tuple) and len(found) == 2 and found[0] == _key(history) and isinstance(found[1], dict):
        kept: Kept = found[1]
        return kept
    return {}


def save(root: Path, history: Any, kept: Kept) -> None:
    """Write atomically (`cachefile.replace_file`); a read-only workspace finds them again next time."""
    path = root / DONE_CACHE
    try:
        replace_file(path, marshal.dumps((_key(history), kept)))
    except (OSError, ValueError):
        pass
