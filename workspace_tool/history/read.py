"""Reading history from git: one `git log` pass, blobs through one `git cat-file`, the cache, the working copy.

This is the I/O side; `versions` turns what is read here into histories.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Container, Mapping

from workspace_tool import background
from workspace_tool.config import Settings
from workspace_tool.gcpause import paused
from workspace_tool.history import store, texts, versions
from workspace_tool.history.blobs import BlobReader
from workspace_tool.history.frontmatter import FieldsMemo
from workspace_tool.history.gitlog import log_args, parse_log
from workspace_tool.history.gitrepo import GitError, GitRepo, RepoInfo
from workspace_tool.history.model import Commit, Fields
from workspace_tool.history.progress import Progress
from workspace_tool.history.snapshot import fields_of_text
from workspace_tool.history.versions import WorkingFile
from workspace_tool.loader import SKIPPED_DIRS, discover, excluded, outside_workspace, read_text

SHALLOW_WARNING = "history is incomplete: this is a shallow clone; run 'git fetch --unshallow' to read all of it"
NO_GIT_WARNING = "the workspace is not in a git repository: there is no history, only the working copy"
NO_COMMITS_WARNING = "the git repository has no commits yet: there is no history, only the working copy"


@dataclass
class Reading:
    """Everything read for one history: the commits folded into versions, blob frontmatter, the working copy."""

    state: versions.State | None = None
    blobs: Mapping[str, Fields | None] = field(default_factory=dict)
    working: list[WorkingFile] = field(default_factory=list)
    head: str | None = None
    complete: bool = True
    warnings: list[str] = field(default_factory=list)
    user: tuple[str, str] = ("", "")


def document_filter(settings: Settings) -> Callable[[str], bool]:
    """Which workspace-relative paths are documents: the rules `loader.discover` walks by."""

    @functools.lru_cache(maxsize=65536)
    def is_document(path: str) -> bool:
        if not path.endswith(".md"):
            return False
        parts = PurePosixPath(path).parts
        if any(p.startswith(".") for p in parts) or (len(parts) > 1 and parts[0] in SKIPPED_DIRS):
            return False
        return not (settings.exclude and excluded(path, settings.exclude))

    return is_document


def documents_key(settings: Settings) -> str:
    """What `document_filter` depends on, as text: a history folded under other rules (other globs, or the same
    ones matched the way older releases did, with fnmatch) is read again."""
    return json.dumps(["gitignore", *sorted(settings.exclude)])


def prefetch(root: Path, settings: Settings, progress: bool | None = False, keep_texts: int = 0) -> bool:
    """Start reading the history of the workspace at `root` in a forked child, when there is no history cache yet.

    A cold run spends as long on the history (one `git log` pass, every
    version's frontmatter) as on parsing the documents; the child does the
    first while this process does the second, and writes the cache that
    `read` then loads (it waits for the child first). With a cache there is
    little to read, and nothing is started; a cache `read` would not believe
    (`store.believed`: another schema or Python, or restored from elsewhere
    without `WM_TRUST_CACHE`) is no cache. `progress`: the child's progress
    bar on stderr, as for `read` (this process, waiting, shows none);
    `keep_texts`, as for `read`. True when a child was started.
    """
    if store.believed(root) or not in_git(root):
        return False
    return background.fork(_prefetch_key(root), functools.partial(read, root, settings, True, progress, keep_texts))


def in_git(root: Path) -> bool:
    """Whether a `.git` (a folder, or a worktree's file) is in `root` or a folder above it: outside git there is no
    history to read, and no cache is ever written, so a child would walk the workspace for nothing on every run."""
    folder = root.resolve()
    return any((candidate / ".git").exists() for candidate in (folder, *folder.parents))


def _prefetch_key(root: Path) -> str:
    return f"history:{os.path.realpath(root)}"


def read(root: Path, settings: Settings, use_cache: bool = True, progress: bool | None = None, keep_texts: int = 0) -> Reading:
    """Read the history of the workspace at `root` (after the child `prefetch` started, if any, has written the cache).

    `keep_texts`: when every commit is read (no cache yet), keep the texts of
    each document file's newest `keep_texts` changes for the site's diffs (`texts`).
    """
    background.wait(_prefetch_key(root))
    is_document = document_filter(settings)
    repo = GitRepo.open(root)
    if repo is None:
        files, _ = discover(root, settings)
        return Reading(working=[_working_file(root, f.relpath) for f in files], complete=False, warnings=[NO_GIT_WARNING])
    with repo:
        status = repo.start(status_args(repo.prefix_of(root)))  # runs while the commits are read
        info = repo.info(root)
        reading = Reading(head=info.head, user=(info.user_name, info.user_email))
        if info.head is None:
            reading.warnings.append(NO_COMMITS_WARNING)
        else:
            _read_commits(repo, info, root, is_document, reading, use_cache, progress, keep_texts, documents_key(settings))
        if info.shallow:
            reading.complete = False
            reading.warnings.append(SHALLOW_WARNING)
        reading.working = working_copy(status(), info, root, is_document)
    return reading


def _read_commits(
    repo: GitRepo,
    info: RepoInfo,
    root: Path,
    is_document: Callable[[str], bool],
    reading: Reading,
    use_cache: bool,
    progress: bool | None,
    keep_texts: int = 0,
    documents: str = "",
) -> None:
    """Fold the commits into `reading.state`: from the cache, plus `git log OLD..HEAD` (or everything).

    A cache folded for another folder of the repository, or under other rules
    for which files are documents (`exclude:`), keeps only its blobs.
    """
    with paused():  # tens of thousands of small objects, none of them cyclic garbage
        cached = store.load(root) if use_cache else store.Cached()
        same_scope = cached.prefix == info.prefix and cached.documents == documents and not info.shallow
        state = _restored(cached, cached.blobs, is_document) if same_scope else None
    if not same_scope:
        cached = store.Cached(blobs=cached.blobs)
    assert info.head is not None
    blobs = cached.blobs
    incremental = (
        state is not None and cached.head is not None and (cached.head == info.head or _is_ancestor(repo, cached.head, info.head))
    )
    if state is None or not incremental:
        state = versions.new_state(blobs, is_document)
    reading.state, reading.blobs = state, blobs
    if incremental and cached.head == info.head:
        return
    revisions = f"{cached.head}..{info.head}" if incremental else info.head
    total = _count(repo, revisions) if (progress if progress is not None else _tty()) else None
    meter = Progress("wm: reading history", total, enabled=progress)
    read_texts: dict[str, bytes] | None = {} if keep_texts and use_cache and not incremental else None
    try:
        new_commits, new_blobs = scan(repo, revisions, info.prefix, is_document, blobs, meter, read_texts)
    finally:
        meter.close()
    blobs.update(new_blobs)
    state.rows = {} if use_cache else None
    versions.fold(state, new_commits)
    new_rows = versions.take_rows(state)
    if use_cache and not info.shallow:  # a shallow clone's history is cut short: kept, it would outlive `git fetch --unshallow`
        cached.head, cached.prefix, cached.state, cached.documents = info.head, info.prefix, versions.export_state(state), documents
        store.save(root, cached, new_rows, new_blobs, rebuilt=not incremental)
    if read_texts is not None:
        texts.save(root, read_texts, texts.newest_blobs(new_commits, is_document, keep_texts))


def _restored(cached: store.Cached, blobs: store.BlobTable, is_document: Callable[[str], bool]) -> versions.State | None:
    if cached.state is None:
        return None
    try:
        return versions.restore(blobs, is_document, cached.state, cached.rows, cached.commits)
    except (KeyError, ValueError, TypeError, IndexError):
        return None


def scan(
    repo: GitRepo,
    revisions: str,
    prefix: str,
    is_document: Callable[[str], bool],
    known: Container[str],
    meter: Progress | None = None,
    contents: dict[str, bytes] | None = None,
) -> tuple[list[Commit], dict[str, Fields | None]]:
    """One `git log` pass over `revisions`, reading each new document blob once (commits returned oldest first; with
    `contents`, each blob's content is put in it too)."""
    found: dict[str, Fields | None] = {}
    memo = FieldsMemo()  # versions differ in a line or two: each distinct top-level entry is parsed once
    lock = threading.Lock()

    def parse_blob(sha: str, data: bytes | None) -> None:
        fields = memo.fields(data)
        with lock:
            found[sha] = fields
            if contents is not None and data is not None:
                contents[sha] = data

    commits: list[Commit] = []
    wanted: set[str] = set()
    with BlobReader(repo, parse_blob) as reader:
        for commit in parse_log(repo.stream(log_args(revisions, prefix)), prefix):
            commits.append(commit)
            for change in commit.changes:
                if not (is_document(change.path) or (change.old_path and is_document(change.old_path))):
                    continue
                for sha in (change.new_blob, change.old_blob):
                    if sha is not None and sha not in known and sha not in wanted:
                        wanted.add(sha)
                        reader.request(sha)
            if meter is not None:
                meter.advance()
    commits.reverse()
    return commits, found


def status_args(prefix: str) -> list[str]:
    """`git status` of the workspace folder (`prefix`, see `GitRepo.prefix_of`), for `working_copy`."""
    return ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", f":(top,literal){prefix}" if prefix else ":(top)"]


def working_copy(out: bytes, info: RepoInfo, root: Path, is_document: Callable[[str], bool]) -> list[WorkingFile]:
    """Document files whose working copy differs from HEAD (changed, new, or deleted), from `git status` (`status_args`)."""
    result = []
    seen: set[str] = set()
    for entry in out.split(b"\x00"):
        if len(entry) < 4:
            continue
        path = entry[3:].decode("utf-8", "surrogateescape")
        if info.prefix:
            if not path.startswith(info.prefix):
                continue
            path = path[len(info.prefix) :]
        if is_document(path) and path not in seen:  # one path listed twice (`git rm --cached`: deleted, and untracked)
            seen.add(path)
            result.append(_working_file(root, path))
    return result


def _working_file(root: Path, relpath: str) -> WorkingFile:
    """The working copy of `relpath`; one that a symlink takes outside the workspace is there but not read (as the
    loader does not: `outside_workspace`), so its text never shows in a history."""
    path = root / relpath
    try:
        mtime = path.stat().st_mtime
        if outside_workspace(root, relpath) is not None:  # the link's own date: not even the outside file's
            return WorkingFile(relpath, True, dt.datetime.fromtimestamp(path.lstat().st_mtime).astimezone())
    except OSError:
        return WorkingFile(relpath, False, dt.datetime.now().astimezone())
    text, _problem = read_text(root, relpath)
    fields = fields_of_text(text) if text is not None else None
    return WorkingFile(relpath, True, dt.datetime.fromtimestamp(mtime).astimezone(), fields)


def changed_documents(root: Path, settings: Settings, old: str, new: str) -> frozenset[str] | None:
    """The document files (`document_filter`) the commits `old..new` touched (`changed_paths`).

    Asked once per range in a process: the site's record and its kept
    activity usually both were made at the same older HEAD.
    """
    key = (os.path.realpath(root), old, new, tuple(settings.exclude))
    if key not in _CHANGED:
        paths = changed_paths(root, old, new)
        is_document = document_filter(settings)
        _CHANGED.clear()
        _CHANGED[key] = None if paths is None else frozenset(path for path in paths if is_document(path))
    return _CHANGED[key]


_CHANGED: dict[tuple[str, str, str, tuple[str, ...]], frozenset[str] | None] = {}
"""The last range `changed_documents` listed, and what it found."""


def changed_paths(root: Path, old: str, new: str) -> set[str] | None:
    """The workspace paths the commits `old..new` touched (each side of a rename, each parent's of a merge), or None
    when `old` is not an ancestor of `new` (a rebase, a reset: older commits may have changed) or git cannot say."""
    repo = GitRepo.open(root)
    if repo is None:
        return None
    try:
        with repo:
            if not _is_ancestor(repo, old, new):
                return None
            prefix = repo.prefix_of(root)
            paths: set[str] = set()
            for commit in parse_log(repo.stream(log_args(f"{old}..{new}", prefix)), prefix):
                for change in commit.changes:
                    paths.add(change.path)
                    if change.old_path:
                        paths.add(change.old_path)
                    paths.update(path for path, _ in change.merge_from if path)
            return paths
    except (OSError, ValueError, GitError):
        return None


def _is_ancestor(repo: GitRepo, old: str, new: str) -> bool:
    with repo.popen(["merge-base", "--is-ancestor", old, new]) as proc:
        proc.communicate()
    return proc.returncode == 0


def _count(repo: GitRepo, revisions: str) -> int | None:
    try:
        return int(repo.run(["rev-list", "--count", revisions]).strip() or 0)
    except ValueError:
        return None


def _tty() -> bool:
    import sys

    return sys.stderr.isatty()
