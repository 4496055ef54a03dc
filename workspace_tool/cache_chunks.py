"""The parse cache's chunk format: how a chunk of entries is pickled, read back and checked.

A chunk is a tuple of groups, one per document class: `(kind, paths, sizes,
mtimes, ctimes, read times, hashes, documents, diagnostics)`, a tuple per
column. A document is stored as its `__dict__` (a timelog's entries as
columns, one tuple per field), and loading makes each instance around the
dict the pickle built (`object.__new__` and setting `__dict__`): unpickling
whole objects built each dict twice, and made every date with a call of its
own. Before pickling, equal strings, dates, tuples of strings and small
value objects are made one object (`_Sharer`), so the pickle stores and
loads each once. Entries whose document is missing (a broken file) or not
the parser's shape are pickled whole in a group of their own.

Reading checks every column (length, exact types, each field dict has its
class's fields) before an entry is used, and unpickling admits only our
model classes and a few standard types, so a damaged or planted file raises
(and `cache.ParseCache` throws it away) and cannot run code.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import zlib
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import fields
from itertools import chain, islice, repeat
from typing import Any, BinaryIO, Protocol, TypeVar

from workspace_tool.errors import Diagnostic
from workspace_tool.model import DOCUMENT_CLASSES, Checklist, Document, Link, TimeEntry, TimeLog
from workspace_tool.parse import Parsed
from workspace_tool.values import DateRange, Duration, KeyResult

Entry = tuple[int, int, int, int, bytes, Parsed]
"""(size, mtime_ns, ctime_ns, read_ns, hash of the bytes (`gitindex.blob_id`), parsed): plain tuples load fastest."""
_T = TypeVar("_T")

_ALLOWED_MODULES = frozenset(
    {"workspace_tool.model", "workspace_tool.values", "workspace_tool.errors", "workspace_tool.parse"}
)
_ALLOWED_GLOBALS = frozenset(
    {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "complex"),
        ("copyreg", "_reconstructor"),
        ("builtins", "object"),
    }
)


_ENTRY_FIELDS = tuple(f.name for f in fields(TimeEntry))
_ENTRY_SLOTS = tuple(getattr(TimeEntry, name) for name in _ENTRY_FIELDS)
"""The slot descriptors of TimeEntry's fields: `slot.__set__(entry, value)` fills a field."""


def _entry_columns(entries: object) -> tuple[Any, ...] | None:
    """A timelog's entries as `(count, *columns)`, one tuple per field; None when they are not what the parser makes."""
    if type(entries) is not tuple or any(type(e) is not TimeEntry for e in entries):
        return None
    return (len(entries), *[tuple(map(slot.__get__, entries)) for slot in _ENTRY_SLOTS])


def _reduce_timelog(doc: TimeLog) -> Any:
    """Pickle a timelog with its entries as columns, one tuple per field, rebuilt by `_timelog`.

    Unpickling 100,000 entries as objects (a class lookup and a call to a
    Python `__setstate__` each) was most of a warm time report; columns
    load several times faster, and `_timelog` fills each field of all of a
    timelog's entries with one C-level pass. The cache's chunks store
    timelogs' entries the same way (`_Sharer.field_dicts`); this is for a
    timelog pickled whole (the `_OBJECTS` group).
    """
    columns = _entry_columns(doc.entries)
    if columns is None:
        return doc.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # not what the parser makes: pickle it as it is
    state = dict(doc.__dict__)
    state["entries"] = columns
    return _timelog, (state,)


def _timelog(state: dict[str, Any]) -> TimeLog:
    """A timelog from `_reduce_timelog`'s form (checked: a damaged cache file raises, and is rebuilt)."""
    count, *columns = state["entries"]
    if type(count) is not int or len(columns) != len(_ENTRY_SLOTS) or any(type(c) is not tuple or len(c) != count for c in columns):
        raise pickle.UnpicklingError("bad timelog entries in cache")
    entries = tuple(map(object.__new__, repeat(TimeEntry, count)))
    for slot, column in zip(_ENTRY_SLOTS, columns):
        deque(map(slot.__set__, entries, column), 0)  # the slot itself: TimeEntry is frozen
    doc = object.__new__(TimeLog)
    doc.__dict__.update(state)
    doc.__dict__["entries"] = entries
    return doc


def _dumps(value: Any) -> bytes:
    """`pickle.dumps`, with timelogs in their compact form (see `_reduce_timelog`)."""
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return stream.getvalue()


_DISPATCH: dict[type, Any] = {TimeLog: _reduce_timelog}


class Unpickler(pickle.Unpickler):
    """An unpickler that only builds our model types and a few standard ones."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        if (module, name) == (__name__, "_timelog"):
            return _timelog
        if module in _ALLOWED_MODULES and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and found.__module__ == module:  # our classes, not what a module imported
                return found
        raise pickle.UnpicklingError(f"unexpected global {module}.{name} in cache")


# -- the chunk format: documents as their field dicts, grouped by class --------

_FIELDS: Mapping[type[Document], tuple[str, ...]] = {cls: tuple(f.name for f in fields(cls)) for cls in DOCUMENT_CLASSES.values()}
"""Each document class's fields in declaration order: the keys, in order, of the `__dict__` the parser gives its instances."""
_KIND: Mapping[type[Document], str] = {cls: kind for kind, cls in DOCUMENT_CLASSES.items()}
_OBJECTS = ""
"""The group of entries whose document (or None) is pickled whole: no document, or one the field-dict form does not fit."""
_GROUP_LENGTH = 9
"""(kind, paths, sizes, mtimes, ctimes, read times, hashes, documents, diagnostics)"""
_PARSED_FIELDS = tuple(f.name for f in fields(Parsed))
_EXACT_TYPES = frozenset({type(None), bool, int, float, str, bytes, dt.date})
"""Types whose values `repr` tells apart exactly (0.0 from -0.0, 1 from 1.0 and True): equal reprs, indistinguishable values."""
_VALUE_TYPES = frozenset({Checklist, Duration, Link, DateRange, KeyResult})
"""Frozen value objects: equal ones (fields of `_EXACT_TYPES`) can be one object too."""


class _Sharer:
    """Makes equal immutable values one object before pickling, so that the pickle stores each once.

    The pickle's memo then refers back to the first copy: loading makes one
    `date` for the 8,000 tasks due the same week instead of one each (each
    a call), one `Checklist(0, 0)`, one `Duration("2d")`, one "todo". Only
    values that cannot be told apart are made one: strings, dates (not
    datetimes: equal across time zones), tuples of strings, and value
    objects whose fields have equal reprs; never mutable ones (lists,
    dicts), which each document keeps its own. Each column is shared in
    C-level passes where it can be. At 10,000 documents this saves ~20 ms
    of every warm load; writing a whole snapshot in this format (cold runs,
    folding the delta) takes ~60 ms longer than pickling the objects did.
    """

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.dates: dict[dt.date | None, dt.date | None] = {None: None}
        self.tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.objects: dict[Hashable, Any] = {}

    def column(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """These values, each equal immutable one made one object."""
        kinds = {*map(type, values)}
        if kinds <= {str}:
            return tuple(map(self.strings.setdefault, values, values))
        if kinds <= {dt.date, type(None)}:
            return tuple(map(self.dates.setdefault, values, values))
        if kinds <= {tuple} and {*map(type, chain.from_iterable(values))} <= {str}:
            return tuple(map(self.tuples.setdefault, values, values))
        if kinds & _VALUE_TYPES and kinds <= _VALUE_TYPES | {type(None)}:
            return self._value_objects(values)
        if kinds & {str, dt.date}:
            return self._mixed(values)
        return values

    def _mixed(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A column of several types (raw frontmatter values): its strings and dates shared, one by one."""
        strings, dates = self.strings, self.dates
        return tuple(
            strings.setdefault(value, value) if kind is str else dates.setdefault(value, value) if kind is dt.date else value
            for kind, value in zip(map(type, values), values)
        )

    def _value_objects(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A column of value objects (and None): shared by (class, field names, reprs of the fields), made in C."""
        present = tuple(filter(None, values))  # dataclass instances are true, None is not
        states: tuple[dict[str, Any], ...] = tuple(map(vars, present))  # type: ignore[arg-type]
        rows: tuple[tuple[Any, ...], ...] = tuple(map(tuple, map(dict.values, states)))
        if not {*map(type, chain.from_iterable(rows))} <= _EXACT_TYPES:
            return values
        keys = zip(map(type, present), map(tuple, states), map(tuple, map(map, repeat(repr), rows)))
        shared = iter(tuple(map(self.objects.setdefault, keys, present)))
        return tuple(value and next(shared) for value in values)

    def mappings(self, mappings: tuple[Any, ...]) -> tuple[Any, ...]:
        """Copies of these dicts (raw frontmatter, lines) with their keys and values shared."""
        if not {*map(type, mappings)} <= {dict}:
            return mappings
        items = zip(self.column(tuple(chain.from_iterable(mappings))), self.column(tuple(chain.from_iterable(map(dict.values, mappings)))))
        return tuple(map(dict, map(islice, repeat(items), map(len, mappings))))

    def field_dicts(self, cls: type[Document], docs: tuple[Document, ...]) -> tuple[dict[str, Any], ...]:
        """What the cache stores of these documents (all of class `cls`, each of the parser's shape): their `__dict__`s, values shared."""
        names = _FIELDS[cls]
        columns = dict(zip(names, zip(*map(dict.values, map(vars, docs)))))
        for name, column in columns.items():
            columns[name] = self.mappings(column) if name in ("raw", "lines") else self.column(column)
        if cls is TimeLog:
            columns["entries"] = tuple(map(self.entries, columns["entries"]))
        return tuple(map(dict, map(zip, repeat(names), zip(*columns.values()))))

    def entries(self, entries: tuple[TimeEntry, ...]) -> tuple[Any, ...]:
        """A timelog's entries as columns (`_entry_columns`), shared."""
        columns = _entry_columns(entries)
        assert columns is not None  # (`_fits`)
        return (columns[0], *map(self.column, columns[1:]))


def _fits(cls: type, docs: tuple[Any, ...]) -> bool:
    """Whether these documents, all of class `cls`, have the parser's shape, which the field dicts assume:
    their `__dict__` has exactly their class's fields, in order, and a timelog's entries are all `TimeEntry`."""
    if cls not in _FIELDS or {*map(tuple, map(vars, docs))} != {_FIELDS[cls]}:
        return False
    return cls is not TimeLog or all(_entry_columns(doc.entries) is not None for doc in docs)


def encode_chunk(entries: Mapping[str, Entry]) -> bytes:
    """One chunk of the cache (see the module docstring): the entries grouped by document class, as columns."""
    by_class: dict[type, list[tuple[str, Entry]]] = {}
    for relpath, entry in entries.items():
        by_class.setdefault(type(entry[5].document), []).append((relpath, entry))
    groups: dict[str, list[tuple[str, Entry]]] = {}
    for cls, rows in by_class.items():
        if _fits(cls, tuple(row[1][5].document for row in rows)):
            groups[_KIND[cls]] = rows
        else:  # each that fits (a class's group holds no misfit), the rest as objects
            for row in rows:
                doc = row[1][5].document
                groups.setdefault(_KIND[cls] if _fits(cls, (doc,)) else _OBJECTS, []).append(row)
    share = _Sharer()
    return _dumps(tuple(_encode_group(kind, rows, share) for kind, rows in groups.items()))


def _encode_group(kind: str, rows: list[tuple[str, Entry]], share: _Sharer) -> tuple[Any, ...]:
    paths, entries = zip(*rows)
    sizes, mtimes, ctimes, read_ns, hashes, parsed = zip(*entries)
    documents = tuple(p.document for p in parsed)
    stored = documents if kind == _OBJECTS else share.field_dicts(DOCUMENT_CLASSES[kind], documents)  # type: ignore[arg-type]
    return (kind, paths, sizes, mtimes, ctimes, read_ns, hashes, stored, tuple(p.diagnostics for p in parsed))


def decode_chunk(stream: _Readable) -> Iterator[tuple[str, Entry]]:
    """The (path, entry) pairs of the chunk (`encode_chunk`) at the stream's position, which moves to its end.

    Raises (at once, or while the pairs are taken) on anything not in the chunk's shape.
    """
    groups = Unpickler(stream).load()
    if type(groups) is not tuple:
        raise ValueError("not a tuple of groups")
    return chain.from_iterable(map(_decode_group, groups))


def _decode_group(group: object) -> Iterator[tuple[str, Entry]]:
    """A group's (path, entry) pairs, every column checked first: a damaged or planted file raises here, not later."""
    if type(group) is not tuple or len(group) != _GROUP_LENGTH:
        raise ValueError("not a group")
    kind, paths, sizes, mtimes, ctimes, read_ns, hashes, documents, diagnostics = group
    count = len(paths) if type(paths) is tuple else -1
    _check(paths, count, str)
    for column in (sizes, mtimes, ctimes, read_ns):
        _check(column, count, int)
    _check(hashes, count, bytes)
    _check(diagnostics, count, tuple)
    if not {*map(type, chain.from_iterable(diagnostics))} <= {Diagnostic}:
        raise ValueError("not diagnostics")
    docs = _documents(kind, _check(documents, count))
    parsed = _filled(Parsed, dict(zip(_PARSED_FIELDS, (docs, diagnostics), strict=True)), count)
    return zip(paths, zip(sizes, mtimes, ctimes, read_ns, hashes, parsed))


def _check(column: object, count: int, kind: type | None = None) -> tuple[Any, ...]:
    """A column of a group: a tuple of `count` values, each of type `kind` exactly (bool is no int) when given."""
    if type(column) is not tuple or len(column) != count or (kind is not None and not {*map(type, column)} <= {kind}):
        raise ValueError("bad column")
    return column


def _documents(kind: object, stored: tuple[Any, ...]) -> tuple[Document | None, ...]:
    """A group's documents: rebuilt from their field dicts, or (the `_OBJECTS` group) as unpickled."""
    if kind == _OBJECTS:
        if not all(doc is None or isinstance(doc, Document) for doc in stored):
            raise ValueError("not documents")
        return stored
    cls = DOCUMENT_CLASSES[kind]  # type: ignore[index]  # KeyError for an unknown kind: corrupt
    names = _FIELDS[cls]
    if not {*map(type, stored)} <= {dict} or not {*map(len, stored)} <= {len(names)} or not set().union(*stored) <= set(names):
        raise ValueError(f"not the fields of {cls.__name__}")  # (each has as many keys as there are fields, all of them fields)
    if cls is TimeLog:
        return tuple(map(_timelog, stored))
    return _instances(cls, stored, len(stored))


def _instances(cls: type[_T], states: Iterable[dict[str, Any]], count: int) -> tuple[_T, ...]:
    """Instances of a (frozen) dataclass with these dicts as their `__dict__`, as unpickling makes them (no
    `__init__`), minus copying each dict into a new one: the pickle built these dicts, and they are used as they are."""
    objects = tuple(map(object.__new__, repeat(cls, count)))
    deque(map(object.__setattr__, objects, repeat("__dict__"), states), 0)
    return objects


def _filled(cls: type[_T], columns: Mapping[str, tuple[Any, ...]], count: int) -> tuple[_T, ...]:
    """Instances of a small (frozen) dataclass, filled field by field from a column each: for `Parsed`, twice
    as fast as `__init__` (Python code) or a dict each."""
    objects = tuple(map(object.__new__, repeat(cls, count)))
    for name, column in columns.items():
        deque(map(object.__setattr__, objects, repeat(name), column), 0)
    return objects


class _Readable(Protocol):
    """What an unpickler reads from."""

    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self) -> bytes: ...


class CheckedReader:
    """A cache file as the unpickler reads it, frame by frame (64 KiB at a time), with the CRC and length of what was read.

    Reading the whole file into one bytes object first, as before, cost
    ~8 ms of a 10,000-document load: a fresh 11 MB block of memory to
    fault in, copied into, and checksummed in a second pass. The checksum
    is compared once every chunk is read, before any entry is used.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.crc = 0
        self.length = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self.handle.read(size)
        self.crc = zlib.crc32(data, self.crc)
        self.length += len(data)
        return data

    def readline(self) -> bytes:
        data = self.handle.readline()
        self.crc = zlib.crc32(data, self.crc)
        self.length += len(data)
        return data
