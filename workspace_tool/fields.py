"""One declaration of every document type's fields.

The parser converts frontmatter values with it, the validator checks
references with it, and the query language and `--sort` read it to know
which fields exist and of what kind.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from workspace_tool.model import PRIORITIES
from workspace_tool.values import DateRange, KeyResult, check_number, parse_duration, parse_recurrence

# Kinds of values. A kind ending in "ref" names another document.
STR, DATE, DURATION, NUMBER, BOOL, PRIORITY, STATUS, CHOICE = (
    "str", "date", "duration", "number", "bool", "priority", "status", "choice",
)
REF, REFS, STRS, WEEKDAYS, LEAVE, KEY_RESULTS = "ref", "refs", "strs", "weekdays", "leave", "key_results"

T = TypeVar("T")

LEVELS = ("low", "medium", "high")
VISIBILITIES = ("public", "private")


@dataclass(frozen=True)
class FieldSpec:
    """A frontmatter key: its kind, and for references the document type(s) it names."""

    name: str
    kind: str
    target: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    description: str = ""
    check: Callable[[str], object] | None = None  # a text field's rule: raises ValueError for a value it refuses

    @property
    def is_reference(self) -> bool:
        return self.kind in (REF, REFS)


def _f(
    name: str, kind: str, target: str | tuple[str, ...] = (), choices: tuple[str, ...] = (), description: str = "",
    check: Callable[[str], object] | None = None,
) -> FieldSpec:
    targets = (target,) if isinstance(target, str) else target
    return FieldSpec(name, kind, targets, choices, description, check)


COMMON: tuple[FieldSpec, ...] = (
    _f("title", STR, description="Title (else the first `# ` heading, else the file stem)"),
    _f("tags", STRS, description="List of tags"),
    _f("created", DATE, description="Date the document was created"),
    _f("visibility", CHOICE, choices=VISIBILITIES, description="`public` (default) or `private`"),
)

_PROJECT_REF = _f("project", REF, "project", description="The project it belongs to")

FIELDS: Mapping[str, tuple[FieldSpec, ...]] = {
    "project": (
        _f("status", STATUS),
        _f("owner", REF, "person"),
        _f("client", REF, "client"),
        _f("goals", REFS, "goal"),
        _f("start", DATE),
        _f("due", DATE),
        _f("budget", NUMBER),
        _f("rate", NUMBER),
        _f("billable", BOOL),
        _f("priority", PRIORITY, choices=PRIORITIES),
    ),
    "task": (
        _PROJECT_REF,
        _f("status", STATUS),
        _f("assignee", REF, "person"),
        _f("priority", PRIORITY, choices=PRIORITIES),
        _f("estimate", DURATION),
        _f("remaining", DURATION),
        _f("start", DATE),
        _f("due", DATE),
        _f("depends_on", REFS, "task"),
        _f("parent", REF, "task"),
        _f("milestone", BOOL),
        _f("done", DATE),
        _f("billable", BOOL),
        _f("rate", NUMBER),
        _f("recurrence", STR, check=parse_recurrence),
        _f("until", DATE),
    ),
    "decision": (
        _PROJECT_REF,
        _f("status", STATUS),
        _f("date", DATE),
        _f("deciders", REFS, "person"),
        _f("supersedes", REFS, "decision"),
    ),
    "risk": (
        _PROJECT_REF,
        _f("owner", REF, "person"),
        _f("status", STATUS),
        _f("probability", CHOICE, choices=LEVELS),
        _f("impact", CHOICE, choices=LEVELS),
        _f("due", DATE),
    ),
    "person": (
        _f("name", STR),
        _f("email", STR),
        _f("role", STR),
        _f("team", STR),
        _f("capacity", NUMBER),
        _f("rate", NUMBER),
        _f("workdays", WEEKDAYS),
        _f("leave", LEAVE),
    ),
    "client": (
        _f("name", STR),
        _f("contact", STR),
        _f("email", STR),
        _f("rate", NUMBER),
        _f("currency", STR),
    ),
    "goal": (
        _f("owner", REF, "person"),
        _f("due", DATE),
        _f("key_results", KEY_RESULTS),
    ),
    "timelog": (_f("person", REF, "person"),),
    "note": (_PROJECT_REF,),
}

RESERVED = frozenset({"id", "type"})


def specs_for(doc_type: str) -> dict[str, FieldSpec]:
    """Every known key of a type (common keys included), by name."""
    return {s.name: s for s in (*COMMON, *FIELDS.get(doc_type, ()))}


ALL_SPECS: dict[str, FieldSpec] = {}
for _type in FIELDS:
    for _spec in specs_for(_type).values():
        ALL_SPECS.setdefault(_spec.name, _spec)


WM_KEYS = frozenset({"previous", "series_day", "taskwarrior", "jira", "asana"})
"""Keys wm writes itself that are no field (a recurring task's `previous:` and `series_day:`, an import's tracker ID)."""

_OTHER_WORDS = {
    "due_date": "due", "duedate": "due", "due-date": "due", "deadline": "due", "start_date": "start", "startdate": "start",
    "start-date": "start", "tag": "tags", "labels": "tags", "label": "tags", "depends": "depends_on", "dependencies": "depends_on",
    "depends-on": "depends_on", "dependson": "depends_on", "blocked_by": "depends_on", "assigned_to": "assignee", "assigned": "assignee",
    "owner": "assignee", "assignees": "assignee", "state": "status", "effort": "estimate", "estimation": "estimate", "name": "title",
    "recur": "recurrence", "recurs": "recurrence", "repeat": "recurrence", "repeats": "recurrence", "recurring": "recurrence",
    "rrule": "recurrence",
}


@functools.lru_cache(maxsize=4096)
def suggest_field(doc_type: str, key: str) -> str | None:
    """The field of `doc_type` an unknown key most likely meant: another tracker's word for it (`due_date`,
    `labels`), or a misspelling (`asignee`); None for a key that looks like one of the user's own. Cached: a
    team's own keys repeat on every document that has them, and the parser asks for each."""
    import difflib

    specs = specs_for(doc_type)
    if key in specs or key in WM_KEYS or key in RESERVED:
        return None
    lowered = key.strip().lower()
    if lowered in specs:
        return lowered
    meant = _OTHER_WORDS.get(lowered)
    if meant in specs:
        return meant
    close = difflib.get_close_matches(lowered, list(specs), n=1, cutoff=0.8)
    return close[0] if close else None


class FieldError(ValueError):
    """A value of the wrong kind; the message is shown to the user.

    `at` says where inside the value the problem is, outermost first: list
    indexes and keys of nested mappings (`(2, "target")` for the third key
    result's target); empty for the value as a whole. The parser finds that
    line (`itemlines.value_line`) only when there is such an error.

    A list's items are converted one by one: when some are refused, `kept` is the value of the others (None when
    none is left) and `more` the errors of the refused items after the first (whose error this is); the parser
    keeps that value and reports each of `errors` at its item's line.
    """

    def __init__(self, message: str, at: tuple[str | int, ...] = (), kept: Any = None, more: tuple[FieldError, ...] = ()) -> None:
        super().__init__(message)
        self.at = at
        self.kept = kept
        self.more = more

    @property
    def errors(self) -> tuple[FieldError, ...]:
        """This error, then those of the list's other refused items, in the list's order."""
        return (self, *self.more)

    def within(self, step: str | int) -> FieldError:
        """The same error, one step further out (`step`: the list index or mapping key the value was at)."""
        return FieldError(str(self), (step, *self.at))


def as_date(value: Any) -> dt.date:
    """A YAML date or timestamp, or an ISO date text; `FieldError` otherwise (date fields, and the MkDocs plugin's `today:`)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(f"expected a date YYYY-MM-DD, got {value!r}")


def _as_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FieldError(f"expected a number, got {value!r}")
    try:
        check_number(value)  # before the sign: NaN is not below 0, and a huge int does not fit a float
    except ValueError as exc:
        raise FieldError(str(exc)) from None
    if value < 0:
        raise FieldError(f"expected a non-negative number, got {value!r}")
    return float(value)


def _as_str(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise FieldError(f"expected text, got {_describe(value)}")


def _as_id(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):  # `depends_on: [2026-12-01]`: YAML read the ID as a date
        return value.isoformat()
    raise FieldError(f"expected an ID, got {_describe(value)}")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    raise FieldError(f"expected a list, got {_describe(value)}")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    return repr(value)


def _each(items: list[Any], convert: Callable[[Any], T]) -> tuple[T, ...]:
    """`convert` of each item. When some are refused, a `FieldError` for the first (`at`: its index) that carries the
    others' errors (`more`) and the converted items that were not refused (`kept`): one bad ID in `depends_on`
    does not drop the good ones. The items are looked at one by one only after one failed: the plain `map` is
    what a document without a problem pays."""
    try:
        return tuple(map(convert, items))
    except FieldError:
        pass
    kept: list[T] = []
    refused: list[FieldError] = []
    for number, item in enumerate(items):
        try:
            kept.append(convert(item))
        except FieldError as exc:
            refused.append(exc.within(number))
    if not refused:
        return tuple(kept)
    first, *more = refused
    raise FieldError(str(first), first.at, tuple(kept) if kept else None, tuple(more))


def _bad_part(item: dict[Any, Any], parts: Mapping[str, Callable[[Any], object]]) -> tuple[str, ...]:
    """(the key,) of the first of `parts` whose conversion refuses its value in `item` (a value of None is taken as
    absent); () when none does. Asked only after a conversion of the item failed, to say where."""
    for key, convert in parts.items():
        if item.get(key) is not None:
            try:
                convert(item[key])
            except FieldError:
                return (key,)
    return ()


def _leave(value: Any) -> tuple[DateRange, ...]:
    """Days and `{from, to}` ranges; a refused item drops only itself (`_each`)."""
    return _each(_as_list(value), _leave_item)


def _leave_item(item: Any) -> DateRange:
    if isinstance(item, dict):
        if "from" not in item or "to" not in item:
            raise FieldError("a leave range needs both 'from' and 'to'")
        try:
            start, end = as_date(item["from"]), as_date(item["to"])
        except FieldError as exc:
            raise FieldError(str(exc), _bad_part(item, _LEAVE_PARTS)) from None
        if end < start:
            raise FieldError(f"leave range ends ({end}) before it starts ({start})")
        return DateRange(start, end)
    day = as_date(item)
    return DateRange(day, day)


_LEAVE_PARTS = {"from": as_date, "to": as_date}


def _key_results(value: Any) -> tuple[KeyResult, ...]:
    """Titles and `{title, target, current, start}` mappings; a refused item drops only itself (`_each`)."""
    return _each(_as_list(value), _key_result)


def _key_result(item: Any) -> KeyResult:
    if isinstance(item, str):
        return KeyResult(item)
    if not isinstance(item, dict) or "title" not in item:
        raise FieldError("each key result needs at least a 'title' ({title, target, current, start})")
    target, current, start = item.get("target"), item.get("current"), item.get("start")
    try:
        return KeyResult(
            _as_str(item["title"]),
            None if target is None else _as_number(target),
            None if current is None else _as_number(current),
            None if start is None else _as_number(start),
        )
    except FieldError as exc:
        raise FieldError(str(exc), _bad_part(item, _KEY_RESULT_PARTS)) from None


_KEY_RESULT_PARTS = {"title": _as_str, "target": _as_number, "current": _as_number, "start": _as_number}


def _weekdays(value: Any) -> tuple[str, ...]:
    """Weekday names (`mon` ... `sun`, or longer: `monday`); a refused item drops only itself (`_each`)."""
    return _each(_as_list(value), _weekday)


def _weekday(item: Any) -> str:
    from workspace_tool.config import WEEKDAYS

    name = str(item).lower()[:3]
    if name not in WEEKDAYS:
        raise FieldError(f"unknown weekday {item!r} (use {', '.join(WEEKDAYS)})")
    return name


def convert(spec: FieldSpec, value: Any, hours_per_day: float, days_per_week: float) -> Any:
    """Turn a raw YAML value into the field's typed value; raise FieldError."""
    kind = spec.kind
    if kind == DATE:
        return as_date(value)
    if kind == DURATION:
        try:
            return parse_duration(value, hours_per_day, days_per_week)
        except ValueError as exc:
            raise FieldError(str(exc)) from None
    if kind == NUMBER:
        return _as_number(value)
    if kind == BOOL:
        if not isinstance(value, bool):
            raise FieldError(f"expected true or false, got {value!r}")
        return value
    if kind in (PRIORITY, CHOICE):
        text = _as_str(value).strip().lower()
        if text not in spec.choices:
            raise FieldError(f"unknown {spec.name} {value!r} (use {', '.join(spec.choices)})")
        return text
    if kind == STATUS or kind == STR:
        text = _as_str(value)
        if spec.check is not None:
            try:
                spec.check(text)
            except ValueError as exc:
                raise FieldError(str(exc)) from None
        return text
    if kind == REF:
        return _as_id(value)
    if kind == REFS:
        return _each(_as_list(value), _as_id)
    if kind == STRS:
        return _each(_as_list(value), _as_str)
    if kind == WEEKDAYS:
        return _weekdays(value)
    if kind == LEAVE:
        return _leave(value)
    if kind == KEY_RESULTS:
        return _key_results(value)
    raise AssertionError(f"unhandled kind {kind}")
