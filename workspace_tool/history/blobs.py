"""Reading blobs through one `git cat-file --batch` process.

Blob IDs are written to the process as they become known while a reader
thread takes the answers, so reading overlaps with the `git log` pass.
Leaving the `with` block closes the process (no `git cat-file` is left running).
"""

from __future__ import annotations

import contextlib
import threading
from typing import IO, Callable

from workspace_tool.history.gitrepo import GitRepo

MAX_BLOB_BYTES = 5 * 1024 * 1024
"""Blobs larger than this are skipped like large files on disk (`handler` gets None)."""

Handler = Callable[[str, "bytes | None"], None]


class BlobReader:
    """`with BlobReader(repo, handler) as reader: reader.request(sha)`; `handler(sha, data)` runs on a reader thread.

    `data` is None for a missing blob (e.g. beyond a shallow clone's edge) or
    one larger than `max_bytes`.
    """

    def __init__(self, repo: GitRepo, handler: Handler, max_bytes: int = MAX_BLOB_BYTES) -> None:
        self._repo = repo
        self._handler = handler
        self._max = max_bytes
        self._stack = contextlib.ExitStack()
        self._stdin: IO[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.requested = 0

    def __enter__(self) -> BlobReader:
        proc = self._stack.enter_context(self._repo.popen(["cat-file", "--batch"], stdin=True))
        assert proc.stdin is not None and proc.stdout is not None
        self._stdin = proc.stdin
        self._thread = threading.Thread(target=self._read, args=(proc.stdout,), name="wm-cat-file", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, sha: str) -> None:
        assert self._stdin is not None, "use BlobReader in a with block"
        self._stdin.write(sha.encode("ascii") + b"\n")
        self.requested += 1

    def close(self) -> None:
        """Wait for every requested blob, then stop the process."""
        if self._stdin is not None:
            with contextlib.suppress(OSError):
                self._stdin.close()
            self._stdin = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._stack.close()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _read(self, out: IO[bytes]) -> None:
        try:
            while True:
                header = out.readline()
                if not header:
                    return
                parts = header.split()
                sha = parts[0].decode("ascii")
                if len(parts) < 3:  # `<sha> missing`
                    self._handler(sha, None)
                    continue
                size = int(parts[2])
                if size > self._max:
                    _skip(out, size + 1)
                    self._handler(sha, None)
                    continue
                data = out.read(size + 1)[:-1]
                self._handler(sha, data)
        except BaseException as exc:  # surfaced by close()
            self._error = exc
            _skip(out, -1)


def _skip(out: IO[bytes], size: int) -> None:
    """Read and drop `size` bytes (-1: everything), so git never blocks on a full pipe."""
    while size != 0:
        chunk = out.read(1 << 16 if size < 0 else min(size, 1 << 16))
        if not chunk:
            return
        if size > 0:
            size -= len(chunk)


def read_blobs(repo: GitRepo, shas: list[str]) -> dict[str, bytes | None]:
    """A few blobs' contents at once (for diffs)."""
    found: dict[str, bytes | None] = {}

    def keep(sha: str, data: bytes | None) -> None:
        found[sha] = data

    with BlobReader(repo, keep) as reader:
        for sha in dict.fromkeys(shas):
            reader.request(sha)
    return found
