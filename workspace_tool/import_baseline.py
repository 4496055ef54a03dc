"""What an import wrote: each imported file as the commit that created it holds it, for `wm import --update`.

A field of an imported task is brought up to date with a newer export only when the team has not changed it in wm
since: when its value now is the value the import wrote, its baseline. git keeps the baseline: the file's version in
the commit that added it (followed back through a rename git saw, `git mv`). Read for every candidate file in two
git calls, however many there are: one `git log` of the workspace's additions and renames (newest first) and one
`git cat-file --batch` for their blobs. A file with no such commit (not committed yet) or a workspace outside git
has none, and is not updated; `Baselines` says why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workspace_tool.config import Settings
from workspace_tool.errors import WorkspaceError
from workspace_tool.model import Task
from workspace_tool.parse import parse_document

UNCOMMITTED = "its import is not committed yet"


@dataclass
class Baselines:
    """The text each file had when it was created (by relpath), and why a file has none."""

    texts: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why no file has one (not a git repository, nothing committed yet), else None
    _parsed: dict[str, Task | None] = field(default_factory=dict, repr=False)

    def task(self, relpath: str, settings: Settings) -> Task | None:
        """The task the file was created as; None when it has no baseline or that version is no task (see `reason`)."""
        if relpath not in self._parsed:
            text = self.texts.get(relpath)
            document = parse_document(text, relpath, settings).document if text is not None else None
            self._parsed[relpath] = document if isinstance(document, Task) else None
        return self._parsed[relpath]

    def reason(self, relpath: str) -> str:
        """Why `relpath` has no baseline task."""
        if self.problem is not None:
            return self.problem
        if relpath not in self.texts:
            return UNCOMMITTED
        return "the version its import committed is no task wm can read"


def read_baselines(root: Path, relpaths: Collection[str]) -> Baselines:
    """The baselines of `relpaths` (relative to the workspace `root`), in two git calls."""
    if not relpaths:
        return Baselines()
    from workspace_tool.history.blobs import read_blobs
    from workspace_tool.history.gitrepo import GitError, GitRepo

    try:
        repo = GitRepo.open(root)
    except GitError as exc:
        return Baselines(problem=str(exc))
    if repo is None:
        return Baselines(problem=f"{root} is not in a git repository")
    with repo:
        prefix = repo.prefix_of(root)
        try:
            out = repo.run(
                ["log", "-M", "--diff-filter=AR", "--raw", "--no-abbrev", "--no-color", "-z", "--format=%x01",
                 "--", f":(literal){prefix}" if prefix else "."]
            )
        except GitError as exc:
            if "does not have any commits" in str(exc):  # a new repository: nothing is committed, the import neither
                return Baselines()
            raise WorkspaceError(f"--update: git log failed: {exc}") from None
        blobs = first_versions(out, {prefix + path: path for path in relpaths})
        found = read_blobs(repo, list(dict.fromkeys(blobs.values())))
    texts = {}
    for relpath, blob in blobs.items():
        data = found.get(blob)
        if data is not None:
            text = data.decode("utf-8", errors="replace")
            texts[relpath] = text.removeprefix("\ufeff")
    return Baselines(texts)


def first_versions(log: bytes, wanted: dict[str, str]) -> dict[str, str]:
    """The blob each wanted file (a path from the repository's top -> its relpath) was added with, from `git log
    -M --diff-filter=AR --raw -z` (newest first): a file's newest addition, or, renamed since, its old name's."""
    names = dict(wanted)  # a file's name at this point of the history -> its relpath now
    blobs: dict[str, str] = {}
    for status, blob, paths in _raw_entries(log):
        if status == "A" and paths[0] in names:
            blobs[names.pop(paths[0])] = blob
        elif status == "R" and len(paths) == 2 and paths[1] in names:
            names[paths[0]] = names.pop(paths[1])
    return blobs


def _raw_entries(log: bytes) -> Iterator[tuple[str, str, list[str]]]:
    """(status letter, new blob, paths) of each `--raw -z` entry: `:MODE MODE OLD NEW STATUS`, then one path (two
    for a rename or copy), each ended by NUL; the commit lines between them are skipped."""
    tokens = log.split(b"\0")
    at = 0
    while at < len(tokens):
        meta = tokens[at].lstrip(b"\n").split()
        at += 1
        if len(meta) != 5 or not meta[0].startswith(b":"):
            continue
        status = meta[4][:1].decode("ascii", "replace")
        count = 2 if status in ("R", "C") else 1
        paths = [token.decode("utf-8", "surrogateescape") for token in tokens[at : at + count]]
        at += count
        yield status, meta[3].decode("ascii"), paths
