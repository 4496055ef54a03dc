"""The parser's fast paths give exactly what the plain versions they replaced give.

Each reference below is the straightforward implementation the parser used
before it was optimised (see docs/performance.md); hypothesis compares the
two on generated input, including the awkward cases (tabs, quotes, Unicode
letters and digits, aliases, deep nesting). The body scanner's reference
also tracks nested list items as a stack, as the scanner now does (the
markdown-it agreement test found the case; see the last test).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspace_tool import parse as P
from workspace_tool.body import _CODE_SPAN, _FENCE, _HEADING_ANY, _LIST_ITEM, _TASK_ITEM, _WIKI, scan_body
from workspace_tool.model import DOCUMENT_CLASSES, Checklist, Link
from workspace_tool.timelog import parse_entries, parse_entry
from workspace_tool.yamlload import MAX_DEPTH, MAX_NODES, SafeLoader, _check_size, _TooBig, key_lines, load_yaml

_TOP_KEY = re.compile(r"^([^\s#:\-][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s|$)")


def reference_key_lines(text: str, line_offset: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=line_offset + 1):
        if not line or line[0] in " \t#":
            continue
        match = _TOP_KEY.match(line)
        if match:
            key = match.group(1).strip().strip("\"'")
            lines.setdefault(key, number)
    return lines


def reference_too_big(value: Any) -> bool:
    budget = MAX_NODES
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((k, depth + 1) for k in node.keys())
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


def reference_scan(body: str, first_line: int = 1) -> tuple[str | None, Checklist, tuple[Link, ...]]:
    title: str | None = None
    total = checked = 0
    links: list[Link] = []
    fence: str | None = None
    paragraph = False
    columns: list[int] = []
    for offset, line in enumerate(body.split("\n")):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if not line.strip():
            paragraph = False
            continue
        indent = len(line) - len(line.lstrip(" "))
        if line.startswith(("    ", "\t")) and not paragraph and not (columns and indent >= columns[-1]):
            continue
        match = _FENCE.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            paragraph = False
            while columns and columns[-1] > indent:
                columns.pop()
            continue
        task = _TASK_ITEM.match(line)
        if task:
            total += 1
            checked += task.group(1) != " "
        item_match = _LIST_ITEM.match(line)
        heading = _HEADING_ANY.match(line)
        interrupts = bool(heading) or line.lstrip().startswith(">")
        if item_match or (columns and indent < columns[-1] and not (paragraph and not interrupts)):
            while columns and columns[-1] > indent:  # close the items this line is not inside
                columns.pop()
        if item_match:
            columns.append(item_match.start(1) if item_match.group(1) else len(line) + 1)
        if item_match:
            paragraph = bool((item_match.group(1) or "").strip())
        else:
            paragraph = not heading
        if title is None and heading and heading.group(1) == "#":
            title = (heading.group(2) or "").strip() or None
        if "[[" in line:
            visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
            for wiki in _WIKI.finditer(visible):
                links.append(Link(wiki.group(1).strip(), first_line + offset))
    return title, Checklist(total, checked), tuple(links)


# Line pieces chosen to hit every branch: indentation, markers, quotes, letters and digits
# outside ASCII (`\d` and `\s` are Unicode-aware), tabs, fences, code spans and links.
PREFIXES = st.sampled_from(["", " ", "  ", "   ", "    ", "     ", "\t", " \t", "\u00a0", "\u3000"])
STARTS = st.sampled_from(
    ["#", "##", "# ", "- ", "-", "* ", "+ ", "1. ", "12) ", "\u0663. ", "- [ ] ", "- [x] ", "* [X]", "> ", "```", "~~~", "``` x`",
     "a", "Z", "\u00e9", "\u0436", "\u4e2d", "_", "[[", "`", ":", "\"", "'", "key: ", "\"q:k\": ", "'a'  : ", "k:v", "k #c: ", "0: "]
)
RESTS = st.sampled_from(["", "text", " [[link-a]]", " `[[code]]` [[out|alias]]", ": value", ":", " # tail #", " [ ] x", "\u2028", "\x0c"])
LINE = st.builds(lambda a, b, c, d: a + b + c + d, PREFIXES, STARTS, RESTS, st.text(max_size=6))


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=16), st.integers(min_value=1, max_value=40))
def test_scan_body_matches_the_plain_scanner(lines: list[str], first_line: int) -> None:
    body = "\n".join(lines)
    info = scan_body(body, first_line)
    assert (info.title, info.checklist, info.links) == reference_scan(body, first_line)


@settings(max_examples=500)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=40))
def test_scan_body_matches_the_plain_scanner_on_any_text(body: str, first_line: int) -> None:
    info = scan_body(body, first_line)
    assert (info.title, info.checklist, info.links) == reference_scan(body, first_line)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(LINE, st.text(max_size=12)), max_size=16), st.integers(min_value=0, max_value=5))
def test_key_lines_matches_the_line_regex(lines: list[str], offset: int) -> None:
    text = "\n".join(lines)
    assert key_lines(text, offset) == reference_key_lines(text, offset)


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3), st.dates())
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(st.text(max_size=3), children, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_size_check_matches_the_plain_walk_on_values(value: Any) -> None:
    assert _raises(value) == reference_too_big(value)


def _raises(value: Any) -> bool:
    try:
        _check_size(value)
    except _TooBig:
        return True
    return False


def _nested(depth: int, leaf: Any, in_dict: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value} if in_dict else [value]
    return value


def test_size_check_matches_the_plain_walk_at_the_limits() -> None:
    for depth in range(MAX_DEPTH - 2, MAX_DEPTH + 3):
        for leaf in (1, [], {}, [1], {"a": 1}):
            for in_dict in (True, False):
                value = _nested(depth, leaf, in_dict)
                assert _raises(value) == reference_too_big(value), (depth, leaf, in_dict)
    for size in (MAX_NODES - 3, MAX_NODES - 2, MAX_NODES - 1, MAX_NODES, MAX_NODES + 1):
        for value in ([0] * size, {str(i): None for i in range(size // 2)}, [[0] * (size // 2)]):
            assert _raises(value) == reference_too_big(value)
    shared = list(range(50))
    bomb = [[shared] * 50] * 10  # what aliases load to: one list used many times
    assert _raises(bomb) and reference_too_big(bomb)


def test_alias_bomb_is_still_refused() -> None:
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)
    )
    data, diagnostics = load_yaml(text, "x.md", 1)
    assert data is None and diagnostics[0].code == "yaml-too-big"


@settings(max_examples=400)
@given(st.text(alphabet="0123456789-:T \u0663", min_size=8, max_size=12))
def test_timestamps_load_as_pyyaml_loads_them(value: str) -> None:
    text = f"a: {value}\nb: !!timestamp '{value}'\n"
    try:
        expected = yaml.load(text, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader
    except Exception as exc:  # noqa: BLE001 - whatever PyYAML raises, ours raises too
        try:
            yaml.load(text, Loader=SafeLoader)  # noqa: S506
        except Exception as ours:  # noqa: BLE001
            assert type(ours) is type(exc)
            return
        raise AssertionError(f"no error for {value!r}") from exc
    assert yaml.load(text, Loader=SafeLoader) == expected  # noqa: S506


class _PlainLoader(yaml.SafeLoader):
    """PyYAML's timestamps, with an impossible date kept as text (what `yamlload` promises)."""


def _plain_timestamp(loader: Any, node: Any) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_PlainLoader.add_constructor("tag:yaml.org,2002:timestamp", _plain_timestamp)


def test_impossible_dates_stay_text() -> None:
    for value in ("2026-13-01", "2026-02-30", "0000-01-01", "2026-00-10"):
        assert yaml.load(f"due: {value}", Loader=SafeLoader) == {"due": value}  # noqa: S506
    assert yaml.load("due: 2026-02-28", Loader=SafeLoader) == {"due": dt.date(2026, 2, 28)}  # noqa: S506


def test_documents_are_built_as_their_init_builds_them() -> None:
    for doc_type, cls in DOCUMENT_CLASSES.items():
        values = {"id": "x", "path": "p.md", "title": "T", "body": "b", "body_line": 3, "links": (), "checklist": Checklist(1, 0),
                  "raw": {"a": 1}, "lines": {"a": 2}, "extra": {}}
        for spec in P._SPECS[doc_type]:
            if spec not in values:
                values[spec] = f"v-{spec}"
        fast = P._new_document(doc_type, dict(values))
        plain = cls(**values)
        assert type(fast) is cls and fast == plain
        assert list(vars(fast).items()) == list(vars(plain).items())  # same state, same order: same pickle
    assert set(P._TEMPLATES) == set(DOCUMENT_CLASSES)


def test_a_value_for_no_field_still_fails_as_init_fails() -> None:
    values = {"id": "x", "path": "p.md", "title": "T", "raw": {}, "lines": {}, "extra": {}, "nonsense": 1}
    try:
        P._new_document("task", values)
    except TypeError:
        return
    raise AssertionError("expected a TypeError")


def test_a_missing_default_factory_field_gets_its_factory_value() -> None:
    fast = P._new_document("note", {"id": "x", "path": "p.md", "title": "T"})
    assert fast.raw == {} and fast.lines == {} and fast.extra == {}


ENTRY_LINES = st.sampled_from(
    ["- 2026-11-02 1h t-1 work", "- 2026-11-02 30m t-1 work", "- 2026-11-03 09:00-10:30 t-2 call #billable", "- 2026-11-03 1h t-1 work #x",
     "- 2026-11-03 1h t-1 work #x #Y", "- 2026-13-03 1h t-1", "- 2026-11-04 2h", "- 2026-11-04 09:00- t-3 running", "- 2026-11-04 25h t-1",
     "* 2026-11-05 1.5h t-1 a#b", "+ 2026-11-05 90m p-1 # not a tag", "prose", "- 2026-11-02 1h t-1 work"]
)


@settings(max_examples=300)
@given(st.lists(ENTRY_LINES, max_size=12))
def test_timelog_entries_equal_those_parsed_one_by_one(lines: list[str]) -> None:
    body = "\n".join(lines)
    entries, diagnostics = parse_entries(body, 5, "ann", "timelogs/ann/2026-11.md")
    alone = [parse_entry(line, 5 + n, "ann", "timelogs/ann/2026-11.md") for n, line in enumerate(lines)]
    assert entries == [r for r in alone if r is not None and not hasattr(r, "severity")]
    assert diagnostics == [r for r in alone if r is not None and hasattr(r, "severity")]
    assert all(dataclasses.is_dataclass(e) for e in entries)


def test_a_line_that_leaves_a_nested_list_stays_in_the_outer_item() -> None:
    """Found by the markdown-it agreement test: the heading closes the nested list, not the outer
    item, so the next line (indented past the outer item's content) is text inside it, not code."""
    body = "- [ ] open\n  - [ ] nested\n   # indented title\n    code line [[c]]\n"
    info = scan_body(body)
    assert [link.target for link in info.links] == ["c"]
    assert (info.title, info.checklist.total) == ("indented title", 2)


# -- frontmatter read without the YAML parser (`yamlload._simple_mapping`) ----

_WORDS = ["yes", "No", "TRUE", "false", "On", "off", "null", "Null", "NULL", "y", "n", "inf", "nan", "e", "E5", "x", "T-00001", "person-019"]
_PIECES = [*_WORDS, "a", "Bob's", 'say "hi"', "a b", "a  b", "(draft)", "v1.2", "a/b", "a+b", "a;b", "why?", "a,", "a -", "a - b",
           "a: b", "a #b", "a#b", "[x]", "{x}", "&a", "*a", "!x", "|", ">", "%x", "@x", "`x`", "é", "\t", "\x7f", "ä b"]
_NUMBERS = ["0", "00", "007", "012", "0x1f", "0b101", "1_000", "12", "123456789012345678", "1234567890123456789", "-5", "+5", "1.5", ".5",
            "1e5", "1.5e+3", "1:20", "1w", "3d", "1.5h", "10e", "0h", "1.5E", "12h30"]
_DATES = ["2027-02-15", "2026-02-30", "0000-01-01", "2027-2-5", "2027-02-15T10:00", "2027-02-15 10:00:00", "20270215"]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_scalar = st.one_of(
    st.sampled_from(_PIECES + _NUMBERS + _DATES),
    st.tuples(st.sampled_from("aYnOT9"), st.text("aeNoY09 _.,'\"()/+?;-:#[]", max_size=12)).map("".join),  # the plain-text characters, and a few more
    st.lists(st.sampled_from(_PIECES + _NUMBERS), min_size=1, max_size=4).map(" ".join),
    st.sampled_from(_PIECES + _NUMBERS + [" pad ", "", "#x", "a:b"]).map(_quoted),
)
_value = st.one_of(
    _scalar,
    st.just(""),
    st.lists(st.sampled_from(_PIECES + _NUMBERS + _DATES), max_size=4).flatmap(
        lambda items: st.sampled_from([", ", ",", " , "]).map(lambda sep: "[" + sep.join(items) + "]")
    ),
    st.sampled_from(["[a, ]", "[ a ]", "[a b, c]", "[]", "[ ]", "[a,,b]"]),
)
_key = st.sampled_from(["title", "status", "due", "depends_on", "_x", "a-b", "on", "Yes", "null", "e", "2k", "-x", "a b", "A"])
_line = st.one_of(
    st.tuples(_key, st.sampled_from([": ", ":  ", ":", ": "]), _value, st.sampled_from(["", " ", "  "])).map("".join),
    st.sampled_from(["", "# a comment", "  indented: x", "- item", "---", "   ", "#: x"]),
)


def _typed(value: Any) -> Any:
    """A value with the type of every part (so `1 == True` and `'1' == 1` are told apart)."""
    if isinstance(value, dict):
        return {_typed(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_line, st.lists(_line, min_size=2, max_size=8).map("\n".join)))  # one line: most take the fast path
def test_a_plain_frontmatter_reads_as_yaml_reads_it(text: str) -> None:
    from workspace_tool.yamlload import _simple_mapping

    fast = _simple_mapping(text)
    if fast is None:
        return  # left to the parser
    assert _typed(fast) == _typed(yaml.load(text, Loader=SafeLoader))  # noqa: S506 - the project's safe loader
    assert load_yaml(text, "f.md", 0) == (fast, [])


def test_plain_frontmatters_are_read_without_the_parser() -> None:
    from workspace_tool.yamlload import _simple_mapping

    task = "title: Test audit, backlog (v2)\nstatus: in-progress\nassignee: person-019\nestimate: 1.5d\ndue: 2027-02-15\ntags: [analytics, on boarding]\n"
    assert _simple_mapping(task) == {
        "title": "Test audit, backlog (v2)", "status": "in-progress", "assignee": "person-019", "estimate": "1.5d",
        "due": dt.date(2027, 2, 15), "tags": ["analytics", "on boarding"],
    }  # fmt: skip
    assert _simple_mapping("# kept\nbudget: 12000\nnote: 'a: b # c'\nempty:\nlist: []\nbad: 2026-02-30\n") == {
        "budget": 12000, "note": "a: b # c", "empty": None, "list": [], "bad": "2026-02-30",
    }  # fmt: skip
    for odd in ("active: yes", "on: x", "tags: [a, no]", "n: 012", "h: 0x1f", "t: a # c", "d: 2027-2-5", "k: a: b", "x: é", "nested:\n  a: 1", "a: 1\na: 2"):
        assert _simple_mapping(odd) is None, odd


def test_plain_frontmatter_keeps_the_size_guard() -> None:
    from workspace_tool.yamlload import _simple_mapping

    huge = "tags: [" + ", ".join(f"t{n}" for n in range(MAX_NODES + 1)) + "]\n"
    assert _simple_mapping(huge) is not None  # read without the parser...
    data, problems = load_yaml(huge, "f.md", 3)
    assert data is None and [(p.line, p.code) for p in problems] == [(4, "yaml-too-big")]  # ...and refused as the parser's result is
