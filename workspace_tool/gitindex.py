"""What git's index knows about the working tree: the blob each unchanged tracked file holds.

A fresh clone (a CI runner's), a checkout or a `git stash pop` writes files
anew: their times are new though most of their bytes are not. The parse
cache and the site's record recognise such a file by a hash of its bytes,
which means reading it (0.4 s for 10,000 documents). Git knows without
reading: its index records each tracked file's stat beside its blob id, and
`git diff-files` lists the files whose stat no longer matches, checking the
racily clean ones by content. So every other tracked file holds the blob the
index names, and both commands together take about 15 ms at 10,000 files.

That is why a file's hash (`blob_id`) is git's own object id: SHA-1 over
`blob <size>\\0` and the bytes. A file whose bytes git stores through a
filter (line endings, LFS) has another id in the index than its bytes have:
it is never taken as unchanged, only read.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

ENV = {"LANGUAGE": "C", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
"""Set for both git processes; neither writes anything (no index refresh)."""

_SHA1: list[Any] = []  # hashlib's sha1, imported on first use (loading OpenSSL costs about 2 ms a command)


def blob_id(data: bytes) -> bytes:
    """Git's object id of a file holding `data`: the hash the parse cache and the site's record keep of a file's bytes."""
    if not _SHA1:
        import hashlib

        _SHA1.append(hashlib.sha1)
    digest = _SHA1[0](b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return bytes(digest.digest())


def clean_blobs(root: Path) -> dict[str, bytes]:
    """Path below `root` (with `/`) -> blob id, for each tracked file git's index vouches for.

    That is a file in the index at stage 0 (not in a merge conflict), not
    marked assume-unchanged or skip-worktree (git would not look at it), and
    not listed by `git diff-files` (its stat matches the index, or its
    content does). Empty when `root` is not in a git work tree, git is
    missing, or either command fails: every file is then read.
    """
    env = {**os.environ, **ENV}
    commands = (
        ["git", "ls-files", "--stage", "-v", "-z"],  # `H <mode> <blob> <stage>\t<path>`, paths relative to root
        # only the workspace's folder is looked at; every stat field counts, whatever the repository's settings say,
        # since wm's own check found one changed (`core.trustctime=false` made git vouch for a file edited in place)
        ["git", "-c", "core.trustctime=true", "-c", "core.checkStat=default", "diff-files", "--name-only", "--relative", "-z", "--", "."],
    )
    try:
        processes = [subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) for command in commands]
    except OSError:  # git missing, or root gone
        return {}
    outputs = [process.communicate()[0] for process in processes]
    if any(process.returncode != 0 for process in processes):
        return {}
    listed, changed = outputs
    blobs: dict[str, bytes] = {}
    for record in listed.split(b"\0"):
        info, _, path = record.partition(b"\t")
        fields = info.split(b" ")
        if len(fields) != 4 or fields[0] != b"H" or fields[3] != b"0" or len(fields[2]) != 40:
            continue
        try:
            blobs[path.decode("utf-8", "surrogateescape")] = bytes.fromhex(fields[2].decode("ascii"))
        except ValueError:
            continue
    for path in changed.split(b"\0"):
        blobs.pop(path.decode("utf-8", "surrogateescape"), None)
    return blobs

