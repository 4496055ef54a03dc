"""The texts of documents' newest versions, kept by a cold history read for the site's diffs (`.wm/history-texts.marshal`).

A cold read has every document blob in hand once: `scan` reads them all
through `git cat-file` for their frontmatter. The site shows a diff for
each of the newest versions of every document, and used to read those
blobs a second time (another `git cat-file` per range of pages: at 2,000
documents 0.3 CPU-seconds of git, and its pipe). With `keep_texts`
(`read.read`) the read writes the texts of each document file's newest
changes here, and a full site build takes them from the file (`load`),
asking git only for the others.

Blobs are named by their content, so an entry is never stale; the file is
written only by a read that scanned the whole history, and a text it lacks
(a newer version, a renamed file's older ones) is read from git as
before. marshal holds only plain values, so a damaged or planted file
cannot run code; the file is disposable.
"""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Callable, Iterable, Mapping

from workspace_tool.cachefile import replace_file
from workspace_tool.history.model import Commit

TEXTS_FILE = ".wm/history-texts.marshal"
FORMAT = 1


def newest_blobs(commits: Iterable[Commit], is_document: Callable[[str], bool], per_path: int) -> set[str]:
    """Both blobs of the newest `per_path` changes of each document file (`commits` oldest first)."""
    counts: dict[str, int] = {}
    wanted: set[str] = set()
    for commit in reversed(list(commits)):
        for change in commit.changes:
            if not is_document(change.path):
                continue
            seen = counts.get(change.path, 0)
            if seen >= per_path:
                continue
            counts[change.path] = seen + 1
            wanted.update(sha for sha in (change.old_blob, change.new_blob) if sha is not None)
    return wanted


def save(root: Path, texts: Mapping[str, bytes], wanted: Iterable[str]) -> None:
    """Keep the texts of `wanted` that were read, atomically (`cachefile.replace_file`); a read-only workspace keeps none."""
    kept = {sha: texts[sha] for sha in wanted if sha in texts}
    path = root / TEXTS_FILE
    try:
        replace_file(path, marshal.dumps((FORMAT, kept)))
    except (OSError, ValueError):
        pass


def load(root: Path) -> dict[str, bytes]:
    """The kept texts by blob ID ({} when there are none, or the file is damaged)."""
    try:
        found = marshal.loads((root / TEXTS_FILE).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if isinstance(found, tuple) and len(found) == 2 and found[0] == FORMAT and isinstance(found[1], dict):
        return {sha: data for sha, data in found[1].items() if isinstance(sha, str) and isinstance(data, bytes)}
    return {}
