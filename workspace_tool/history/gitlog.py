"""Reading `git log` in one pass: the command line, and a streaming parser of its output.

One `git log --raw -z -M -c` pass lists every commit of the current branch
(merged branches included) with each file it touched and the blob IDs on
both sides, so renames are followed without one `--follow` call per file.
The parser is pure: it takes the output in chunks of bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from workspace_tool.history.model import Commit, FileChange

RECORD = b"\x1e"
UNIT = b"\x1f"
NULL_SHA = "0" * 40
LOG_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f"


def log_args(revisions: str, prefix: str) -> list[str]:
    """Arguments for the one `git log` pass over `revisions` (e.g. `HEAD` or `OLD..HEAD`).

    `-c` lists, for a merge, only files whose merged content (or name) differs
    from every parent (a change made on a branch stays with the branch's
    commit), and `--combined-all-paths` (git 2.22) names the file in each parent;
    `--topo-order` never shows a parent before its children, whatever the dates.
    """
    args = [
        "log",
        f"--format={LOG_FORMAT}",
        "--raw",
        "--no-abbrev",
        "-z",
        "-M",
        "-c",
        "--combined-all-paths",
        "--topo-order",
        "--no-color",
        "--no-ext-diff",
        "--encoding=UTF-8",
        revisions,
        "--",
    ]
    if prefix:
        args.append(f":(top,literal){prefix}")
    return args


def parse_log(chunks: Iterable[bytes], prefix: str = "") -> Iterator[Commit]:
    """Commits from `git log` output (newest first, as git prints them).

    `prefix` is the workspace folder inside the repository (`""` or `ws/`):
    paths are made relative to it and files outside it are dropped.
    """
    pending = b""
    for chunk in chunks:
        pending += chunk
        records = pending.split(RECORD)
        pending = records.pop()
        for record in records:
            if record:
                yield parse_record(record, prefix)
    if pending:
        yield parse_record(pending, prefix)


def parse_record(record: bytes, prefix: str = "") -> Commit:
    """One commit: the header fields, then its raw diff lines."""
    parts = record.split(UNIT, 6)
    if len(parts) < 7:
        raise ValueError(f"unexpected git log record: {record[:80]!r}")
    sha, parents, author, email, date, message, rest = parts
    return Commit(
        sha=sha.decode("ascii"),
        parents=tuple(parents.decode("ascii").split()),
        author=_text(author),
        email=_text(email),
        date=dt.datetime.fromisoformat(date.decode("ascii")),
        message=_text(message).strip(),
        changes=tuple(_changes(rest, prefix)),
    )


def _text(value: bytes) -> str:
    """Names and messages: UTF-8, with bad bytes (legacy encodings) replaced."""
    return value.decode("utf-8", "replace")


def _path(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def _changes(rest: bytes, prefix: str) -> Iterator[FileChange]:
    tokens = rest.split(b"\x00")
    i = 0
    while i < len(tokens):
        meta = tokens[i].lstrip(b"\n")
        i += 1
        if not meta.startswith(b":"):
            continue
        fields = meta.lstrip(b":").split(b" ")
        status = fields[-1].decode("ascii")
        if meta.startswith(b"::"):  # a merge: modes..., blobs of each parent, result blob, statuses; each parent's path, the path
            parents = len(fields) // 2 - 1
            old_blob, new_blob = fields[parents + 1], fields[2 * parents + 1]
            names = tokens[i : i + parents + 1]
            i += parents + 1
            path, old_path = _path(names[-1]), None
            kind = "A" if old_blob == b"0" * 40 else "D" if new_blob == b"0" * 40 else "M"
            merged = _relative(kind, path, None, old_blob.decode("ascii"), new_blob.decode("ascii"), prefix)
            if merged is not None:
                sources = zip(names[:-1], fields[parents + 1 : 2 * parents + 1])
                yield merged._replace(merge_from=tuple(_source(name, blob, prefix) for name, blob in sources))
            continue
        else:
            old_blob, new_blob = fields[2], fields[3]
            kind = status[:1]
            if kind in ("R", "C"):
                old_path, path = _path(tokens[i]), _path(tokens[i + 1])
                i += 2
            else:
                path, old_path = _path(tokens[i]), None
                i += 1
        change = _relative(kind, path, old_path, old_blob.decode("ascii"), new_blob.decode("ascii"), prefix)
        if change is not None:
            yield change


def _relative(kind: str, path: str, old_path: str | None, old_blob: str, new_blob: str, prefix: str) -> FileChange | None:
    """The change with workspace-relative paths; a move across the workspace's edge is an add or a delete."""
    inside = _strip(path, prefix)
    before = _strip(old_path, prefix) if old_path is not None else None
    old = None if old_blob == NULL_SHA else old_blob
    new = None if new_blob == NULL_SHA else new_blob
    if kind == "C":
        kind, before, old = "A", None, None
    if kind == "T":
        kind = "M"
    if kind == "R":
        if inside is None and before is None:
            return None
        if inside is None:
            return FileChange("D", before or "", None, old, None)
        if before is None:
            return FileChange("A", inside, None, None, new)
        return FileChange("R", inside, before, old, new)
    if inside is None:
        return None
    return FileChange(kind if kind in ("A", "M", "D") else "M", inside, None, old, new)


def _source(name: bytes, blob: bytes, prefix: str) -> tuple[str | None, str | None]:
    """One parent's side of a merged file: (workspace-relative path, blob), None where it has none."""
    sha = blob.decode("ascii")
    if sha == NULL_SHA:
        return None, None
    return _strip(_path(name), prefix), sha


def _strip(path: str | None, prefix: str) -> str | None:
    if path is None:
        return None
    if not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None
