"""Document history from git: versions, field changes, activity and flow metrics.

The API is small:

    history = load_history(index)          # one `git log` pass (cached by HEAD)
    history.versions("design-mockups")     # [Version], newest first
    history.complete, history.warnings     # False / why, for a shallow clone
    history.done_dates()                   # {id: datetime} for the scheduler
    history.activity(since)                # versions since a time

See `docs/history.md`.
"""

from __future__ import annotations

from workspace_tool.history.history import History
from workspace_tool.history.model import Commit, DocHistory, FieldChange, FileChange, Version
from workspace_tool.history.read import document_filter, read
from workspace_tool.history.versions import apply_working, group, new_state
from workspace_tool.index import Index


def load_history(index: Index, use_cache: bool = True, progress: bool | None = None) -> History:
    """The history of every document in the index's workspace.

    Reads `git log` once (only the commits since the cached HEAD when there
    is a cache), blobs through one `git cat-file` process, and adds the
    working copy's uncommitted changes as a last version (`commit` None).
    `progress`: show a progress bar on stderr (default: when it is a terminal).
    """
    reading = read(index.root, index.settings, use_cache=use_cache, progress=progress)
    state = reading.state or new_state(reading.blobs, document_filter(index.settings))
    apply_working(state, reading.working, reading.user)
    documents = group(state)
    paths = {doc_id: doc.path for doc_id, doc in index.docs.items()}
    working = frozenset(w.path for w in reading.working)
    return History(tuple(documents), reading.complete, tuple(reading.warnings), reading.head, index.settings, paths, working)


__all__ = ["Commit", "DocHistory", "FieldChange", "FileChange", "History", "Version", "load_history"]
