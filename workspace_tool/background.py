"""Work forked to run beside this process, and the cores it keeps busy.

A cold command that needs both the documents and the git history reads the
history in a forked child while it parses the documents itself
(`history.read.prefetch`); the child leaves its result in a cache the
parent then reads. Pools started meanwhile (the parse pool) count the
children still running (`busy`) and leave them their core.

A child is only forked while this process runs a single thread (forking
beside threads can deadlock) and only on a machine with more than one core.
It exits with `os._exit`, so it never runs the parent's exit handlers or
flushes the parent's buffered output; whatever it fails at, the parent does
again itself.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Callable

_CHILDREN: dict[str, int] = {}
"""Key -> process ID of each child forked and not yet waited for."""


def can_fork() -> bool:
    """Whether a child can work beside this process: fork exists, more than one core, and no other thread runs."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def fork(key: str, work: Callable[[], object]) -> bool:
    """Run `work` in a forked child known by `key`; False (nothing started) when `can_fork` does not hold or fork fails."""
    if key in _CHILDREN:
        return True
    if not can_fork():
        return False
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child: work, then leave without running anything of the parent's
        code = 1
        try:
            work()
            code = 0
        except BaseException:  # the parent does the work again and reports what goes wrong
            pass
        finally:
            os._exit(code)
    _CHILDREN[key] = pid
    return True


def wait(key: str) -> bool | None:
    """Wait for the child known by `key`: None when there is none, else whether it succeeded."""
    pid = _CHILDREN.pop(key, None)
    if pid is None:
        return None
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0


def busy() -> int:
    """How many forked children have not been waited for (each keeps a core busy)."""
    return len(_CHILDREN)


def stop_all() -> None:
    """End every child not waited for (its work is not needed: the command that wanted it has ended) and reap it.

    A child only ever writes a cache whose manifest, naming its files, is
    replaced last: one ended half-way leaves at most files no manifest names
    (removed by the next full save), never a cache that reads wrong.
    """
    for key in list(_CHILDREN):
        pid = _CHILDREN.pop(key)
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
