"""Swapping two file names in one step (Linux `renameat2(..., RENAME_EXCHANGE)`), for writes that must not replace a
save they did not see.

An edit checks the file, then renames its new text over it; a save landing
between the two was replaced unseen. Exchanged instead of renamed, the new
text takes the name and the file that had it keeps living under the
temporary name, where the edit can look at it: the text it read, or a save
to put back (`edit.atomic_write`). Where the call is missing (not Linux, an
old C library) or the file system cannot swap, `exchange` says so and the
caller renames as before.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import sys
from typing import Any

RENAME_EXCHANGE = 2
AT_FDCWD = -100
_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM})
"""What `renameat2` answers where it cannot swap (a file system without the flag, a sandbox that forbids the call)."""


def exchange(a: str, b: str) -> bool:
    """Swap the names `a` and `b` (both must exist); False where this system cannot. Raises `OSError` for anything
    else (`b` gone: `FileNotFoundError`)."""
    call = _renameat2()
    if call is None:
        return False
    if call(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    number = ctypes.get_errno()
    if number in _UNSUPPORTED:
        return False
    raise OSError(number, os.strerror(number), b)


@functools.cache
def _renameat2() -> Any:
    """The C library's `renameat2`, or None (not Linux, or a C library without it: glibc before 2.28)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call
