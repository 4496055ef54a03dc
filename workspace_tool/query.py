"""The query language of `wm list`: parse terms, select documents, sort them.

A query is a list of terms as the shell split them (nothing needs quoting):
`status:todo,in-progress assignee:alice due:..+7d estimate:4h.. -tag:infra
is:open "two words" word`. Every term must hold (AND); commas inside one
term are OR; a leading `-` negates (and then also matches documents that
lack the field); `A..B` is an inclusive range, open at either end, for
dates, durations and numbers; bare words and phrases search titles and
bodies, case-insensitively. docs/query.md is the reference.

Fields are read from the one declaration in `fields.ALL_SPECS`, plus `id`,
`type`, `path`, `checklist` (a body's `- [x]` progress, as text `2/3`), `title`,
`tag` (alias of `tags`), `is:`, `has:` and `no:`.
A key of the team's own (`colour: blue`, kept in a document's `extra`) is a
field too when some document has it (`custom`, the keys the index holds):
its values match as text, case-insensitively, or by a glob. Parsing is pure
(it needs only today's date, the settings and those keys); evaluation reads
only the index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from workspace_tool import fields as F
from workspace_tool.blocking import is_blocked
from workspace_tool.config import Settings
from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.model import DOC_TYPES, PRIORITY_RANK, Document, Task
from workspace_tool.relative_dates import DateSpan, resolve_date
from workspace_tool.values import parse_duration

ID, TYPE, PATH, CHECKLIST = "id", "type", "path", "checklist"
RANGE_KINDS = (F.DATE, F.DURATION, F.NUMBER)
NOT_QUERYABLE = (F.KEY_RESULTS,)
ALIASES = {"tag": "tags"}
IS_VALUES = ("open", "done", "overdue", "blocked", "ready", "milestone", "private", "public", "unassigned", "critical")
_TERM = re.compile(r"^(-?)([A-Za-z_][A-Za-z0-9_-]*):(.*)$", re.DOTALL)
CUSTOM = "custom"
"""The kind of a key of the team's own (not a wm field)."""
_GLOB = re.compile(r"\*")
"""Globs have one wildcard, `*` (any run of characters): `[`, `]` and `?` are themselves (`title:[WIP]`)."""
_OPERATOR = re.compile(r"^(-?)([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z]+):|(<=|>=|!=|==|=|<|>))(.*)$", re.DOTALL)
"""`due<2026-12-01`, `status=todo`, `due.before:2026-12-01`: JQL's and Taskwarrior's ways, refused with ours."""
_JOINERS = frozenset({"OR", "AND", "NOT", "||", "&&"})
_MODIFIERS = {
    "before": "<", "below": "<", "after": ">", "above": ">",  # Taskwarrior's: strictly before, as JQL's `<`
    "is": "=", "equals": "=", "has": "=", "contains": "=", "not": "!=", "isnt": "!=", "hasnt": "!=",
}
"""Taskwarrior's modifiers, as the JQL operator each means."""
_OPERATORS = {"<=": "{n}:..{v}", ">=": "{n}:{v}..", "=": "{n}:{v}", "==": "{n}:{v}", "!=": "-{n}:{v}"}
"""The term to write for each JQL operator; `<` and `>` in `_strictly`."""
_ABSOLUTE = re.compile(r"^\d{4}-\d{2}(?:-\d{2})?$")
"""A date or month as written, not relative to today (`2026-12-01`, `2026-12`)."""


def _query_specs() -> dict[str, F.FieldSpec]:
    specs = {
        ID: F.FieldSpec(ID, ID, description="The document's ID"),
        TYPE: F.FieldSpec(TYPE, TYPE, choices=DOC_TYPES, description="The document's type"),
        PATH: F.FieldSpec(PATH, PATH, description="The file path (a folder prefix or a glob)"),
        CHECKLIST: F.FieldSpec(CHECKLIST, CHECKLIST, description="The body's checklist progress: ticked of all items (`2/3`)"),
    }
    for name, spec in sorted(F.ALL_SPECS.items()):
        if spec.kind not in NOT_QUERYABLE:
            specs[name] = spec
    return specs


FIELDS: dict[str, F.FieldSpec] = _query_specs()
"""Every field a query (and `--sort`, `--fields`) may name, by name."""

Predicate = Callable[[Document, "Context"], bool]
Matcher = Callable[[Any], bool]


@dataclass(frozen=True)
class Term:
    """One term as typed: `field` is a field name, `is`, `has`, `no`, or "" for words."""

    text: str
    field: str
    value: str
    negated: bool
    test: Predicate

    def matches(self, doc: Document, context: Context) -> bool:
        return self.test(doc, context) != self.negated


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...] = ()

    @property
    def needs_plan(self) -> bool:
        return any(t.field == "is" and "critical" in t.value.split(",") for t in self.terms)


class Context:
    """What evaluation may need beyond a document: the index, and the schedule (lazily)."""

    def __init__(self, index: Index, plan: Any = None) -> None:
        self.index = index
        self.plan = plan
        self._critical: frozenset[str] | None = None

    def critical(self) -> frozenset[str]:
        if self._critical is None:
            if self.plan is None:
                self.plan = plan_or_error(self.index, "is:critical")
            self._critical = frozenset(i for i, t in self.plan.tasks.items() if t.critical)
        return self._critical


def plan_or_error(index: Index, what: str) -> Any:
    """The schedule of the workspace; a UsageError if the scheduler is not there."""
    try:
        from workspace_tool.scheduling import schedule_index
    except ImportError:
        raise UsageError(f"{what} needs the scheduler (workspace_tool.scheduling), which is not available") from None
    return schedule_index(index)


# -- parsing -------------------------------------------------------------


def field_names() -> list[str]:
    return sorted([*FIELDS, *ALIASES])


def resolve_field(name: str, where: str, custom: Collection[str] = ()) -> F.FieldSpec:
    """The spec of a field name (aliases allowed), or of a key of the team's own that some document has (`custom`);
    UsageError listing the valid ones."""
    spec = FIELDS.get(ALIASES.get(name.lower(), name.lower()))
    if spec is not None:
        return spec
    for key in (name, name.lower()):
        if key in custom:
            return F.FieldSpec(key, CUSTOM, description="A key of your own")
    mine = sorted(custom)
    own = f"; keys of your own: {', '.join(mine[:20])}{', …' if len(mine) > 20 else ''}" if mine else ""
    raise UsageError(
        f"unknown field {name!r} in {where!r}{_did_you_mean(name.lower(), [*field_names(), *custom])}; valid fields: {', '.join(field_names())}"
        f" (and is:, has:, no:){own}"
    )


def custom_keys(index: Index) -> frozenset[str]:
    """The keys of the team's own that the index's documents have (`colour:`), for queries to name."""
    return frozenset(key for doc in index.docs.values() for key in doc.extra)


def parse_query(args: Iterable[str], today: dt.date, settings: Settings, custom: Collection[str] = ()) -> Query:
    """Parse terms as the shell split them; UsageError for unknown fields and bad values."""
    terms = []
    for arg in args:
        text = arg.strip()
        if text:
            terms.append(_parse_term(text, today, settings, custom))
    return Query(tuple(terms))


def parse_query_text(text: str, today: dt.date, settings: Settings, custom: Collection[str] = ()) -> Query:
    """Parse a query kept as one string (a saved view, a site page): split like a shell would."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"bad query {text!r}: {exc}") from None
    return parse_query(words, today, settings, custom)


def _foreign_syntax(text: str, custom: Collection[str], today: dt.date) -> str | None:
    """What to write instead of another tool's query syntax (`OR`, `status=todo`, `due.before:X`), else None: the
    exact equivalent (`due<2026-12-01` is `due:..2026-11-30`, ranges being inclusive)."""
    if text in _JOINERS:
        return (
            f"{text!r}: wm has no {text} between terms (every term must hold); for any of several values of one field "
            "write FIELD:A,B (status:todo,review), and -TERM for not"
        )
    match = _OPERATOR.match(text)
    if match is None:
        return None
    sign, name, modifier, operator, value = match.groups()
    known = name.lower() in (*FIELDS, *ALIASES) or name in custom
    if not known:
        return None
    if modifier is not None:
        operator = _MODIFIERS.get(modifier.lower())
        if operator is None:
            return f"{text!r}: wm has no .{modifier} modifier; write {name}:VALUE, {name}:A..B for a range, -{name}:VALUE for not"
    kind = CUSTOM if name in custom else FIELDS[ALIASES.get(name.lower(), name.lower())].kind
    if operator in ("<", "<=", ">", ">=") and kind not in RANGE_KINDS:
        return f"{text!r}: ranges work only on dates, durations and numbers, and {name} is not one; write {name}:VALUE"
    if operator in ("<", ">"):
        if sign and kind != F.DATE:  # not below 4h: from 4h on
            sign, operator = "", ">=" if operator == "<" else "<="
        else:
            shown, note = _strictly(name, operator == ">", value, kind, today)
            return f"{text!r}: write {'-' * bool(sign)}{shown}{note}"
    shown = _OPERATORS[operator].format(n=name, v=value)
    if sign:
        shown = shown[1:] if shown.startswith("-") else f"-{shown}"
    return f"{text!r}: write {shown}"


def _strictly(name: str, after: bool, value: str, kind: str, today: dt.date) -> tuple[str, str]:
    """What to write for `NAME<VALUE` (`after`: `NAME>VALUE`), and a note. Ranges are inclusive, so a date range
    ends the day before (starts the day after; of a period, the day after its end), and a duration or number range
    leaves the value itself out with a second term."""
    if kind == F.DATE:
        try:
            span = resolve_date(value, today)
            day = span.end + dt.timedelta(days=1) if after else span.start - dt.timedelta(days=1)
        except (ValueError, OverflowError):  # not a date: the term's own error follows once it is written as a range
            return (f"{name}:{value}.." if after else f"{name}:..{value}"), " (ranges are inclusive)"
        note = "" if _ABSOLUTE.match(value.strip()) else f" (the day {'after' if after else 'before'} {value}; ranges are inclusive)"
        return (f"{name}:{day}.." if after else f"{name}:..{day}"), note
    terms = f"{name}:{value}.. -{name}:{value}" if after else f"{name}:..{value} -{name}:{value}"
    return terms, f" (ranges are inclusive: the second term leaves {value} out)"


def _parse_term(text: str, today: dt.date, settings: Settings, custom: Collection[str] = ()) -> Term:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _words(text[1:-1], text, False)
    foreign = _foreign_syntax(text, custom, today)
    if foreign is not None:
        raise UsageError(foreign)
    match = _TERM.match(text)
    if match is None or (match.group(2).lower() not in (*FIELDS, *ALIASES, "is", "has", "no") and match.group(2) not in custom and " " in text):
        negated = text.startswith("-") and len(text) > 1
        return _words(text[1:] if negated else text, text, negated)
    sign, name, value = match.groups()
    if name not in custom:
        name = name.lower()
    if not value.replace(",", "").strip():
        raise UsageError(f"{text!r}: {name}: needs a value (e.g. {name}:VALUE)")
    if name == "is":
        return Term(text, "is", value, bool(sign), _is_test(value, text))
    if name in ("has", "no"):
        spec = resolve_field(value, text, custom)
        present = _presence(spec.name)
        return Term(text, name, value, bool(sign) != (name == "no"), present)
    spec = resolve_field(name, text, custom)
    matcher = _any_of([_alternative(spec, part.strip(), text, today, settings) for part in value.split(",") if part.strip()])
    return Term(text, spec.name, value, bool(sign), _field_test(spec.name, matcher))


def _words(phrase: str, text: str, negated: bool) -> Term:
    needle = phrase.casefold()  # casefold: `GRÖSSE` finds `größe`

    def test(doc: Document, context: Context) -> bool:
        return needle in doc.title.casefold() or needle in doc.body.casefold()

    return Term(text, "", phrase, negated, test)


def _any_of(matchers: list[Matcher]) -> Matcher:
    if len(matchers) == 1:
        return matchers[0]
    return lambda value: any(m(value) for m in matchers)


def _value_of(doc: Document, name: str) -> Any:
    if name == TYPE:
        return doc.type
    if name == CHECKLIST:
        from workspace_tool.show import checklist_text

        return checklist_text(doc) or None
    if name in FIELDS:
        return getattr(doc, name, None)
    return custom_value(doc, name)


def custom_value(doc: Document, name: str) -> Any:
    """A key of the team's own as a query compares it: text (`true`, `3`, `2026-12-01`), a list as a tuple of
    texts; None when the document lacks it."""
    value = doc.extra.get(name)
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return tuple(_text(v) for v in value if v is not None)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _field_test(name: str, matcher: Matcher) -> Predicate:
    def test(doc: Document, context: Context) -> bool:
        value = _value_of(doc, name)
        if value is None:
            return False
        if isinstance(value, tuple):
            return any(matcher(v) for v in value)
        return matcher(value)

    return test


def _presence(name: str) -> Predicate:
    def test(doc: Document, context: Context) -> bool:
        return _value_of(doc, name) not in (None, (), "")

    return test


def _alternative(spec: F.FieldSpec, text: str, where: str, today: dt.date, settings: Settings) -> Matcher:
    """A matcher for one comma-separated alternative of a field term."""
    kind = spec.kind
    if ".." in text:
        if kind not in RANGE_KINDS:
            raise UsageError(f"{where!r}: ranges (A..B) work only on dates, durations and numbers, and {spec.name} is not one")
        return _range(spec, text, where, today, settings)
    if kind == F.DATE:
        span = _date(spec, text, where, today)
        return lambda value: span.contains(value)
    if kind == F.LEAVE:
        span = _date(spec, text, where, today)
        return lambda value: value.start <= span.end and span.start <= value.end
    if kind in (F.DURATION, F.NUMBER):
        number = _number(spec, text, where, settings)
        return lambda value: abs(_as_number(value) - number) < 1e-6
    if kind == F.BOOL:
        flag = _bool(spec, text, where)
        return lambda value: value is flag
    if kind in (F.PRIORITY, F.CHOICE, TYPE):
        return _exact(_choice(spec.name, text, spec.choices, where))
    if kind == F.STATUS:
        workflows = settings.workflows.values()  # `doing`: in-progress; in a workflow of its own words only where none has it
        meant = next((found for w in workflows if (found := w.means(text, own_words=False))), None)
        meant = meant or next((found for w in workflows if (found := w.means(text))), None)
        return _exact(_choice(spec.name, text, _statuses(settings), where, meant))
    if kind == F.WEEKDAYS:
        from workspace_tool.config import WEEKDAYS

        return _exact(_choice(spec.name, text[:3], WEEKDAYS, where))
    if kind == PATH:
        return _path(text)
    if kind == CUSTOM:
        return _glob(text) if _GLOB.search(text) else _same_text(text)
    if kind == F.STR:
        return _glob(text) if _GLOB.search(text) else _substring(text)
    if kind == F.STRS and spec.name == "tags":
        text = text.lstrip("#")
    return _glob(text) if _GLOB.search(text) else _exact(text)


def _range(spec: F.FieldSpec, text: str, where: str, today: dt.date, settings: Settings) -> Matcher:
    parts = text.split("..")
    if len(parts) != 2 or not (parts[0] or parts[1]):
        raise UsageError(f"{where!r}: bad range {text!r} (use A..B, A.. or ..B)")
    low_text, high_text = parts
    low: Any = None
    high: Any = None
    if spec.kind == F.DATE:
        low = _date(spec, low_text, where, today).start if low_text else None
        high = _date(spec, high_text, where, today).end if high_text else None
    else:
        low = _number(spec, low_text, where, settings) if low_text else None
        high = _number(spec, high_text, where, settings) if high_text else None
    if low is not None and high is not None and low > high:
        raise UsageError(f"{where!r}: bad range {text!r}: its start is after its end")
    convert = (lambda v: v) if spec.kind == F.DATE else _as_number
    return lambda value: (low is None or convert(value) >= low) and (high is None or convert(value) <= high)


def _as_number(value: Any) -> float:
    return float(getattr(value, "hours", value))


def _date(spec: F.FieldSpec, text: str, where: str, today: dt.date) -> DateSpan:
    try:
        return resolve_date(text, today)
    except ValueError as exc:
        raise UsageError(f"{where!r}: {spec.name}: {exc}") from None


def _number(spec: F.FieldSpec, text: str, where: str, settings: Settings) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    if spec.kind == F.DURATION:
        try:
            return parse_duration(text, settings.calendar.hours_per_day, settings.calendar.days_per_week).hours
        except ValueError as exc:
            raise UsageError(f"{where!r}: {spec.name}: {exc}") from None
    raise UsageError(f"{where!r}: {spec.name}: expected a number, got {text!r}")


def _bool(spec: F.FieldSpec, text: str, where: str) -> bool:
    word = text.lower()
    if word in ("true", "yes"):
        return True
    if word in ("false", "no"):
        return False
    raise UsageError(f"{where!r}: {spec.name}: expected true or false, got {text!r}")


def _choice(name: str, text: str, choices: Sequence[str], where: str, meant: str | None = None) -> str:
    """`text` as one of `choices`; UsageError naming `meant` (else the nearest choice) and every choice."""
    if text.lower() in choices:
        return text.lower()
    if text in choices:
        return text
    hint = f" (did you mean {meant!r}?)" if meant else _did_you_mean(text.lower(), choices)
    raise UsageError(f"{where!r}: unknown {name} {text!r}{hint}; valid values: {', '.join(choices)}")


def _did_you_mean(text: str, pool: Iterable[str]) -> str:
    """" (did you mean 'todo'?)" for the nearest of `pool`, else nothing."""
    import difflib

    found = difflib.get_close_matches(text, list(pool), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


def _statuses(settings: Settings) -> list[str]:
    seen: dict[str, None] = {}
    for workflow in settings.workflows.values():
        seen.update(dict.fromkeys(workflow.statuses))
    return list(seen)


def _exact(text: str) -> Matcher:
    wanted = text.casefold()
    return lambda value: str(value).casefold() == wanted


def _same_text(text: str) -> Matcher:
    wanted = text.casefold()
    return lambda value: str(value).casefold() == wanted


def _substring(text: str) -> Matcher:
    wanted = text.casefold()
    return lambda value: wanted in str(value).casefold()


def _glob(text: str) -> Matcher:
    """`*` matches any run of characters (`/` too); everything else is itself, in any case."""
    pattern = re.compile(".*".join(re.escape(part) for part in text.casefold().split("*")), re.DOTALL)
    return lambda value: pattern.fullmatch(str(value).casefold()) is not None


def _path(text: str) -> Matcher:
    if _GLOB.search(text):
        return _glob(text)
    folder = text.rstrip("/") + "/"
    return lambda value: value == text or str(value).startswith(folder)


def _is_test(value: str, where: str) -> Predicate:
    tests = []
    for word in (w.strip().lower() for w in value.split(",") if w.strip()):
        if word not in IS_VALUES:
            raise UsageError(f"{where!r}: unknown is:{word}{_did_you_mean(word, IS_VALUES)}; valid values: {', '.join(IS_VALUES)}")
        tests.append(_IS[word])
    return lambda doc, context: any(t(doc, context) for t in tests)


def _has_workflow(doc: Document, context: Context) -> bool:
    return context.index.workflow(doc) is not None


def _is_open(doc: Document, context: Context) -> bool:
    return _has_workflow(doc, context) and not context.index.is_done(doc)


def _is_overdue(doc: Document, context: Context) -> bool:
    due = getattr(doc, "due", None)
    return due is not None and due < context.index.today and not context.index.is_done(doc)


def _is_blocked(doc: Document, context: Context) -> bool:
    """`blocking.is_blocked`: an open task marked `blocked` or with unfinished dependencies."""
    return isinstance(doc, Task) and is_blocked(doc, context.index)


_IS: dict[str, Predicate] = {
    "open": _is_open,
    "done": lambda doc, context: context.index.is_done(doc),
    "overdue": _is_overdue,
    "blocked": _is_blocked,
    "ready": lambda doc, context: isinstance(doc, Task) and _is_open(doc, context) and not _is_blocked(doc, context),
    "milestone": lambda doc, context: isinstance(doc, Task) and doc.milestone,
    "private": lambda doc, context: doc.is_private,
    "public": lambda doc, context: not doc.is_private,
    "unassigned": lambda doc, context: isinstance(doc, Task) and not doc.assignee,
    "critical": lambda doc, context: doc.id in context.critical(),
}


# -- evaluation ----------------------------------------------------------


def select(index: Index, query: Query, plan: Any = None) -> list[Document]:
    """The documents every term matches, in the default order (type, then ID)."""
    context = Context(index, plan)
    if query.needs_plan:
        context.critical()
    terms = query.terms
    found = [d for d in index.docs.values() if all(t.matches(d, context) for t in terms)]
    return sort_documents(found, (), index)


def check_references(query: Query, index: Index) -> None:
    """A reference value that names no document (and no document uses) is a UsageError listing the valid ones."""
    for term in query.terms:
        spec = FIELDS.get(term.field)
        if spec is None or not spec.is_reference:
            continue
        for value in (v.strip() for v in term.value.split(",")):
            if not value or _GLOB.search(value) or ".." in value:
                continue
            if _known_reference(spec, value, index):
                continue
            valid = sorted(d.id for d in index.docs.values() if d.type in spec.target)
            shown = ", ".join(valid[:30]) + (", …" if len(valid) > 30 else "")
            hint = _did_you_mean(value, valid)
            raise UsageError(f"{term.text!r}: no {'/'.join(spec.target)} {value!r}{hint}; valid values: {shown or '(none)'}")


def _known_reference(spec: F.FieldSpec, value: str, index: Index) -> bool:
    wanted = value.lower()
    if value in index.docs or any(i.lower() == wanted for i in index.docs):
        return True
    for doc in index.docs.values():
        current = getattr(doc, spec.name, None)
        values = current if isinstance(current, tuple) else (current,)
        if any(v is not None and str(v).lower() == wanted for v in values):
            return True
    return False


# -- sorting -------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


def parse_sort(text: str | None, custom: Collection[str] = ()) -> tuple[SortKey, ...]:
    """`due,-priority` -> keys; UsageError for unknown fields."""
    keys = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-+")
        keys.append(SortKey(resolve_field(name, f"--sort {text}", custom).name, descending))
    return tuple(keys)


def sort_value(doc: Document, name: str, index: Index) -> Any:
    """A comparable value of a field, or None when the document lacks it."""
    value = _value_of(doc, name)
    if value is None or value == () or value == "":
        return None
    if name not in FIELDS:  # a key of the team's own: numbers by their value, before text
        text = ", ".join(value) if isinstance(value, tuple) else value
        try:
            return (0, float(text), "")
        except ValueError:
            return (1, 0.0, text.lower())
    kind = FIELDS[name].kind
    if name == TYPE:
        return DOC_TYPES.index(value)
    if kind == F.PRIORITY:  # ascending: low .. critical; `-priority` puts the most urgent first
        return len(PRIORITY_RANK) - 1 - PRIORITY_RANK.get(value, len(PRIORITY_RANK) - 1)
    if kind == F.STATUS:
        workflow = index.workflow(doc)
        statuses = workflow.statuses if workflow else ()
        return statuses.index(value) if value in statuses else len(statuses)
    if kind in (F.DURATION, F.NUMBER):
        return _as_number(value)
    if kind == F.BOOL:
        return int(value)
    if kind == F.DATE:
        return value
    if kind == F.LEAVE:
        return value[0].start
    if kind == CHECKLIST:  # by the share ticked, then by size
        return (doc.checklist.checked / doc.checklist.total, doc.checklist.total)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value).lower()
    return str(value).lower()


def sort_documents(docs: Iterable[Document], keys: Sequence[SortKey], index: Index) -> list[Document]:
    """Sort by type order and ID, then by `keys` (first key most significant); missing values last."""
    result = sorted(docs, key=lambda d: (DOC_TYPES.index(d.type), d.id))
    for key in reversed(keys):
        values = {id(d): sort_value(d, key.field, index) for d in result}
        present = [d for d in result if values[id(d)] is not None]
        missing = [d for d in result if values[id(d)] is None]
        present.sort(key=lambda d: values[id(d)], reverse=key.descending)
        result = present + missing
    return result


# -- documentation -------------------------------------------------------

_MATCHING = {
    ID: "the exact ID (any case), or a glob `a*`",
    TYPE: "one of: " + ", ".join(DOC_TYPES),
    PATH: "a folder prefix (`projects/web`) or a glob (`*/tasks/*.md`)",
    CHECKLIST: "its progress as text (`2/3`), or a glob (`*/3`); `has:checklist` for a body with items",
    F.DATE: "a date, relative date or period; a range `A..B`",
    F.DURATION: "a duration (`30m`, `4h`, `2d`, `1w`, bare hours); a range",
    F.NUMBER: "a number; a range",
    F.BOOL: "`true`/`false` (or `yes`/`no`)",
    F.PRIORITY: "one of: " + ", ".join(PRIORITY_RANK),
    F.CHOICE: "one of its values",
    F.STATUS: "a status of the type's workflow",
    F.STR: "a case-insensitive substring, or a glob",
    F.REF: "the exact ID it names, or a glob",
    F.REFS: "any listed ID, or a glob",
    F.STRS: "any listed value (any case), or a glob",
    F.WEEKDAYS: "a weekday (`mon` … `sun`)",
    F.LEAVE: "a date or period the leave overlaps",
}


def fields_table() -> str:
    """The Markdown table of query fields for docs/query.md (checked by a test)."""
    rows = ["| field | types | matches |", "|---|---|---|"]
    for name, spec in FIELDS.items():
        having = [t for t in F.FIELDS if name in F.specs_for(t)]
        types = "all" if name in (ID, TYPE, PATH, CHECKLIST) or len(having) == len(F.FIELDS) else ", ".join(having)
        matching = _MATCHING[spec.kind]
        if spec.kind == F.CHOICE:
            matching = "one of: " + ", ".join(spec.choices)
        alias = " (also `tag`)" if name == "tags" else ""
        rows.append(f"| `{name}`{alias} | {types} | {matching} |")
    return "\n".join(rows)
