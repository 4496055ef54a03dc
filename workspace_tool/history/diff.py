"""Unified diffs of versions: the texts through one `git cat-file`, the diff itself pure."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Sequence

from workspace_tool.history.blobs import read_blobs
from workspace_tool.history.gitrepo import GitRepo
from workspace_tool.history.model import Version
from workspace_tool.loader import read_text


def unified(old: str | None, new: str | None, old_path: str, new_path: str) -> str:
    """A unified diff (`/dev/null` for a side that does not exist)."""
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        (new or "").splitlines(keepends=True),
        fromfile=f"a/{old_path}" if old is not None else "/dev/null",
        tofile=f"b/{new_path}" if new is not None else "/dev/null",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def version_diffs(root: Path, versions: Sequence[Version]) -> list[str]:
    """The diff each version made, in the order given."""
    texts = _texts(root, versions)
    result = []
    for version in versions:
        old = texts.get(version.old_blob) if version.old_blob else None
        if version.commit is None:
            new = None if version.deleted else read_text(root, version.path)[0]
        else:
            new = texts.get(version.blob) if version.blob else None
        result.append(unified(old, new, version.old_path or version.path, version.path))
    return result


def _texts(root: Path, versions: Sequence[Version]) -> dict[str | None, str | None]:
    shas = [sha for v in versions for sha in (v.blob, v.old_blob) if sha]
    if not shas:
        return {}
    repo = GitRepo.open(root)
    if repo is None:
        return {}
    with repo:
        found = read_blobs(repo, shas)
    return {sha: data.decode("utf-8", "replace") if data is not None else None for sha, data in found.items()}
