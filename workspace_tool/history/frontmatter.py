"""The frontmatter fields of many versions of many files, each distinct top-level entry parsed once.

A history of 20,000 commits holds about 50,000 versions of documents, and
YAML parsing was most of the time it took to read them: each version is a
new frontmatter, but one that differs from its predecessor in one or two
lines (a status, an assignee). `FieldsMemo` splits a frontmatter into its
top-level entries (a line at column 0 that starts a key, with the indented,
`- item`, blank and comment lines that follow it) and parses each distinct
entry once; a version's fields are its entries' mappings merged in order.

That is what parsing the whole mapping gives whenever the entries are
independent YAML. Anything that could make them depend on each other (a
`<<` merge key, a line at column 0 that opens a flow collection, a complex
key, a directive or a tag, a key given twice, an anchor (two entries that
each load alone may define the same one, which the whole file may not), a
carriage return, a very large frontmatter) or an entry that is not a mapping on its own (an alias
to another entry's anchor fails to load alone) sends the whole file through
`read_fields`, which stays the reference: a hypothesis test checks the two
agree on generated frontmatters.
"""

from __future__ import annotations

import re
from typing import Any

from workspace_tool.history.model import Fields
from workspace_tool.history.snapshot import jsonable, read_fields
from workspace_tool.yamlload import load_yaml

MAX_FAST_BYTES = 16_384
"""Larger frontmatters are parsed whole (so the whole-value size guard applies as before)."""

_ENTRY = re.compile(r"^(?=[^ \t\n\r\f\v#-])", re.M)
_ODD = re.compile(rb"^[{\[?:!&*%@`|>,\]}]|[\r\x00]|<<|[ \t\[{,]&[^ \t\n]", re.M)
_FAILED: dict[str, Any] = {}


class FieldsMemo:
    """`memo.fields(blob)`: what `read_fields(blob)` gives, with every distinct top-level entry parsed once."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any]] = {}
        self._whole: dict[bytes, Fields | None] = {}

    def fields(self, data: bytes | None) -> Fields | None:
        if data is None or not data.startswith(b"---\n"):
            return read_fields(data)
        end = _closing(data)
        if end < 0 or b"\x00" in data:
            return read_fields(data)
        head = data[4:end]
        found = self._whole.get(head, _FAILED)
        if found is _FAILED:
            found = self._whole[head] = self._merged(head)
            if found is _FAILED:
                found = self._whole[head] = read_fields(data[: end + 4] + b"\n")
        return found

    def _merged(self, head: bytes) -> Fields | None | dict[str, Any]:
        """The fields from the entries, or `_FAILED` when they may not be read one by one."""
        if len(head) > MAX_FAST_BYTES or not head.strip() or _ODD.search(head):
            return _FAILED
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            return _FAILED
        starts = [m.start() for m in _ENTRY.finditer(text)]
        if not starts:
            return _FAILED
        if any(line.strip(" ") and not line.lstrip(" ").startswith("#") for line in text[: starts[0]].split("\n")):
            return _FAILED  # something other than comments before the first key
        merged: dict[str, Any] = {}
        for start, stop in zip(starts, [*starts[1:], len(text)]):
            entry = text[start:stop]
            mapping = self._entries.get(entry)
            if mapping is None:
                mapping = self._entries[entry] = _mapping(entry) or _FAILED
            if mapping is _FAILED or not merged.keys().isdisjoint(mapping):
                return _FAILED  # not a mapping on its own, or a key given twice
            merged.update(mapping)
        return merged


def _closing(data: bytes) -> int:
    """Where the line closing the frontmatter starts (its `\\n`), or -1 when the first candidate is not a plain `---`/`...` line."""
    dashes = data.find(b"\n---", 3)
    dots = data.find(b"\n...", 3)
    end = dots if dashes < 0 or 0 <= dots < dashes else dashes
    if end < 0:
        return -1
    stop = data.find(b"\n", end + 1)
    line = data[end + 1 : stop if stop >= 0 else len(data)]
    return end if line.rstrip(b" ") in (b"---", b"...") else -1


def _mapping(text: str) -> dict[str, Any] | None:
    """An entry as JSON-ready fields; None when it is not a non-empty mapping on its own."""
    loaded, diagnostics = load_yaml(text, "", 0)
    if diagnostics or not isinstance(loaded, dict) or not loaded:
        return None
    return {str(key): jsonable(value) for key, value in loaded.items()}
