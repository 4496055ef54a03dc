"""A progress bar on stderr for long history reads, shown only on a terminal and only after a moment."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 0.5
EVERY = 0.1
WIDTH = 30


class Progress:
    """`advance()` per unit of work; `close()` clears the line. Silent unless `stream` is a terminal."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._start < DELAY or now - self._last < EVERY:
            return
        self._last = now
        self._shown = True
        self._stream.write("\r" + self.render())
        self._stream.flush()

    def render(self) -> str:
        if self.total:
            filled = min(WIDTH, WIDTH * self.done // self.total)
            return f"{self.label} [{'#' * filled}{' ' * (WIDTH - filled)}] {self.done:,}/{self.total:,}"
        return f"{self.label} {self.done:,}"

    def close(self) -> None:
        if self._shown:
            self._stream.write("\r" + " " * len(self.render()) + "\r")
            self._stream.flush()
            self._shown = False
