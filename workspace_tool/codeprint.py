"""Which code a cache was written by (`code_version`): part of every key that results of this package's code are kept under.

`__version__` alone is not enough: wm is installed from a checkout of its
repository as often as from a release, and between releases the code
changes under the same version. A cache of parses, history folds, plans,
events or page models made by other code would serve results this code
does not make (a parser's fix would not show until each file changed).

* **Installed** (`pip install .`, a wheel): the hashes pip recorded for the
  package's files (the `RECORD` of the `.dist-info` folder beside the
  package). The same code gives the same version wherever and whenever it
  was installed, so a CI runner that installs wm afresh on every run keeps
  its restored `.wm/` (see "Publishing from CI" in docs/site.md).
* **Run from a source tree** (`pip install -e`, `PYTHONPATH`): the size and
  modification time of every module. Any edit makes every cache anew,
  which is what whoever edits the code needs.

Either costs under a millisecond a process (one small file, or a stat per
module), once.
"""

from __future__ import annotations

import os
from pathlib import Path

from workspace_tool import __version__

try:  # hashlib's blake2b itself, without loading OpenSSL for the rest of hashlib
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python implementation
    from hashlib import blake2b

_CODE: list[str] = []


def code_version() -> str:
    """`__version__` and a print of this package's code (`code_print`), once per process."""
    if not _CODE:
        _CODE.append(f"{__version__}+{code_print(Path(__file__).resolve().parent, __version__)}")
    return _CODE[0]


def code_print(package: Path, version: str) -> str:
    """The package at `package` (a folder): its installed files' recorded hashes ("r…"), or its modules' stats ("s…")."""
    digest = blake2b(digest_size=12)
    recorded = _recorded(package.parent / f"{package.name}-{version}.dist-info" / "RECORD", package.name)
    if recorded:
        for line in recorded:
            digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
        return "r" + digest.hexdigest()
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        relative = os.path.relpath(folder, package)
        for name in sorted(names):
            if name.endswith(".py"):
                try:
                    info = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{relative}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return "s" + digest.hexdigest()


def _recorded(record: Path, name: str) -> list[str]:
    """The lines of a `RECORD` that name a file of the package with its hash, sorted ([] without one).

    Other lines depend on the install, not the code: the scripts' paths, `direct_url.json` (where it was installed
    from), and bytecode compiled after the install (listed without a hash).
    """
    try:
        text = record.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return []
    prefix = f"{name}/"
    return sorted(line for line in text.splitlines() if line.startswith(prefix) and ",sha256=" in line and "/__pycache__/" not in line)
