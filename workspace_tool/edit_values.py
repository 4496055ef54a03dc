"""Command-line values (`key=value`) checked against the field declarations and the index.

`coerce` turns the text a user typed into the value to write (a date, a
number, a list, a duration's text...) or raises `UsageError` naming the key
and, for references, the nearest existing ID.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from workspace_tool import fields as F
from workspace_tool.errors import NotFoundError, UsageError, WorkspaceError, nearest_name
from workspace_tool.index import Index
from workspace_tool.model import Document
from workspace_tool.values import parse_duration

TRUE = ("true", "yes", "on", "1")
FALSE = ("false", "no", "off", "0")


def nearest(name: str, pool: Iterable[str]) -> str | None:
    """The "did you mean" of a name that names nothing (`errors.nearest_name`, ignoring case)."""
    return nearest_name(name, pool, cutoff=0.5)


def require_doc(index: Index, ref: str, types: Sequence[str] = ()) -> Document:
    """The document with ID `ref` (or that file: `Index.find`) of one of `types`, or NotFoundError with the nearest ID;
    an ID two documents have, or a note name two notes share, is refused (`refuse_ambiguous`)."""
    doc = index.find(ref)
    kind = " or ".join(types) if types else "document"
    if doc is None or (types and doc.type not in types):
        sharing = index.ambiguous(ref) if doc is None else []
        if sharing:
            raise NotFoundError(f"{ref!r} is ambiguous: {len(sharing)} notes have that name ({', '.join(sharing)}); name the one meant by its ID; nothing was changed")
        hint = index.nearest_id(ref, types, cutoff=0.5)
        found = f" ({ref!r} is a {doc.type})" if doc is not None else ""
        suggestion = f" — did you mean {hint!r}?" if hint else ""
        raise NotFoundError(f"no {kind} with ID {ref!r}{found}{suggestion}")
    refuse_ambiguous(index, doc)
    return doc


def refuse_ambiguous(index: Index, doc: Document) -> None:
    """Refuse to act on a document whose ID other documents have too: the command cannot tell which file is meant."""
    holders = index.same_id(doc.id)
    if holders:
        raise WorkspaceError(
            f"the ID {doc.id!r} is ambiguous: {len(holders)} files have it ({', '.join(d.path for d in holders)}); give one of them an "
            "'id:' of its own (or another file name), then run the command again; nothing was changed"
        )


def parse_assignments(items: Sequence[str]) -> list[tuple[str, str]]:
    """`key=value` arguments, in order."""
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"expected key=value, got {item!r}")
        pairs.append((key, value.strip()))
    return pairs


def parse_date(text: str, today: dt.date, what: str = "date") -> dt.date:
    """`YYYY-MM-DD`, `today`, `tomorrow`, `yesterday`, or `+Nd` / `-Nw` from today."""
    lowered = text.strip().lower()
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if lowered in named:
        return today + dt.timedelta(days=named[lowered])
    if lowered[:1] in ("+", "-") and lowered[1:-1].isdigit() and lowered[-1:] in ("d", "w"):
        amount = int(lowered[1:-1]) * (7 if lowered[-1] == "w" else 1)
        return today + dt.timedelta(days=amount if lowered[0] == "+" else -amount)
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}: expected a date YYYY-MM-DD (or today, tomorrow, yesterday, +3d, -1w), got {text!r}") from None


def _split(text: str) -> list[str]:
    """A list's items: `a,b`, or as YAML writes a list, `[a, b]`."""
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [part.strip() for part in text.split(",") if part.strip()]


KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
"""What `wm set` and `--field` take as a key: a plain name, written as is and read back as the same key."""


def check_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise UsageError(f"{key!r}: not a key wm can set (a key is a letter or _, then letters, digits, _ or -); nothing was changed")
    return key


RESERVED_WHY = {
    "id": "an ID is the file name, or its id: line; rename the file and its references by hand",
    "type": "a type comes from the file's folder, or its type: line, and decides which fields it has; "
            "move the file into the folder of the type (tasks/, notes/, ...) and check it with wm validate",
}
"""Why `wm set` refuses each key of `fields.RESERVED`, and what to do instead."""


def coerce(index: Index, doc_type: str, key: str, text: str) -> Any:
    """The value to write for `key=text` on a document of `doc_type`; None removes the key."""
    check_key(key)
    if key in F.RESERVED:
        raise UsageError(f"{key}: cannot be changed with wm set ({RESERVED_WHY[key]})")
    if text == "":
        return None
    spec = F.specs_for(doc_type).get(key)
    if spec is None:
        return _unknown(text)
    kind = spec.kind
    cal = index.settings.calendar
    if kind == F.DATE:
        return parse_date(text, index.today, key)
    if kind == F.DURATION:
        try:
            parse_duration(_number_or_text(text), cal.hours_per_day, cal.days_per_week)
        except ValueError as exc:
            raise UsageError(f"{key}: {exc}") from None
        return _number_or_text(text)
    if kind == F.NUMBER:
        value = _number_or_text(text)
        if isinstance(value, str) or value < 0:
            raise UsageError(f"{key}: expected a non-negative number, got {text!r}")
        return value
    if kind == F.BOOL:
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise UsageError(f"{key}: expected true or false, got {text!r}")
    if kind in (F.PRIORITY, F.CHOICE):
        if text.lower() not in spec.choices:
            raise UsageError(f"{key}: unknown value {text!r} (use {', '.join(spec.choices)})")
        return text.lower()
    if kind == F.STATUS:
        return check_status(index, doc_type, text)
    if kind == F.REF:
        return require_doc(index, text, spec.target).id
    if kind == F.REFS:
        return [require_doc(index, part, spec.target).id for part in _split(text)]
    if kind == F.STRS:
        return _split(text)
    if kind == F.WEEKDAYS:
        try:
            return list(F.convert(spec, _split(text), cal.hours_per_day, cal.days_per_week))
        except F.FieldError as exc:
            raise UsageError(f"{key}: {exc}") from None
    if kind == F.STR:
        if spec.check is not None:
            try:
                spec.check(text)
            except ValueError as exc:
                raise UsageError(f"{key}: {exc}") from None
        return text
    raise UsageError(f"{key}: this field holds a structured list; edit it in the file")


def check_status(index: Index, doc_type: str, status: str) -> str:
    workflow = index.settings.workflow(doc_type)
    if workflow is None:
        raise UsageError(f"a {doc_type} has no status")
    if status not in workflow.statuses:
        hint = workflow.suggest(status)
        near = f" — did you mean {hint!r}?" if hint else ""
        raise UsageError(f"unknown {doc_type} status {status!r}{near} (use {', '.join(workflow.statuses)})")
    return status


def _number_or_text(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _unknown(text: str) -> Any:
    """An unknown key's value: the text as typed, except a plain decimal number (`12`, `-3`, `2.5`) or `true` /
    `false`, which become a number or a boolean. Only a number YAML writes back exactly as typed is one:
    `0012`, `1.50`, `+49`, `1_000`, `0x1F`, `1:30` stay text (and are quoted so that they read back as text).
    A value in brackets (`[Acme, Globex]`, `[]`) is a list of such values, split at its commas."""
    if text.startswith("[") and text.endswith("]"):
        return [_unknown(item) for item in _split(text)]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text) and repr(float(text)) == text and not float(text).is_integer():  # `1.0` would be written `1`
        return float(text)
    if _DATE.fullmatch(text):  # a date as YAML writes one: unquoted, so a query compares it as a date
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text


_INT = re.compile(r"0|-?[1-9][0-9]*")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
