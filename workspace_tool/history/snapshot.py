"""A version's frontmatter from its blob, and what changed between two versions. Pure functions."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from workspace_tool.history.model import FieldChange, Fields
from workspace_tool.index import nfc_id
from workspace_tool.model import DOC_TYPES
from workspace_tool.parse import default_id, detect_type, split_frontmatter
from workspace_tool.yamlload import load_yaml


def read_fields(data: bytes | None) -> Fields | None:
    """The frontmatter of a file's content as JSON-ready values; None when it cannot be read.

    A file without frontmatter has `{}`. Binary, non-UTF-8, unclosed or
    invalid YAML frontmatter gives None (the version is *unparseable*).
    """
    if data is None or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return fields_of_text(text)


def fields_of_text(text: str) -> Fields | None:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = split_frontmatter(text)
    if split.error is not None:
        return None
    if split.frontmatter is None:
        return {}
    if not split.frontmatter.strip():
        return {}
    loaded, diagnostics = load_yaml(split.frontmatter, "", 0)  # no key lines: only values are kept
    if diagnostics or not isinstance(loaded, dict):
        return None if diagnostics or loaded is not None else {}
    return {str(key): jsonable(value) for key, value in loaded.items()}


def jsonable(value: Any) -> Any:
    """YAML values as JSON values: dates and times as ISO text, anything odd as text."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def field_changes(old: Fields | None, new: Fields | None) -> tuple[FieldChange, ...]:
    """Keys whose value differs, in the new version's key order, then removed keys."""
    before = old or {}
    after = new or {}
    get = before.get
    changes = [FieldChange(k, was, v) for k, v in after.items() if (was := get(k)) != v]  # a new key set to None is no change
    changes.extend(FieldChange(k, v, None) for k, v in before.items() if v is not None and k not in after)
    return tuple(changes)


def identity(fields: Fields | None, path: str) -> tuple[str, str]:
    """The ID and type a version has, by the same rules as the parser, and in NFC as the index holds IDs (`nfc_id`):
    git keeps a file name as it was added, decomposed (NFD) when it came from macOS, and the document's history
    must have the ID the index gives it."""
    data = fields or {}
    declared = data.get("type")
    raw_id = data.get("id")
    doc_type = _path_type(path)
    if isinstance(declared, str) and declared.strip().lower() in DOC_TYPES:
        doc_type = declared.strip().lower()
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id).strip():
        return nfc_id(str(raw_id).strip()), doc_type
    return _default_id(path, doc_type), doc_type


@functools.lru_cache(maxsize=65536)
def _path_type(path: str) -> str:
    return detect_type(path)


@functools.lru_cache(maxsize=65536)
def _default_id(path: str, doc_type: str) -> str:
    return nfc_id(default_id(path, doc_type))


def display(value: Any) -> str:
    """A field value as text for people (`-` when absent)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(display(v) for v in value) + "]"
    return str(value)
