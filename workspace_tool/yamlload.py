"""Safe YAML loading with line numbers for top-level keys and guards against hostile input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from workspace_tool.errors import Diagnostic

try:  # LibYAML when present: ten times faster
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the build of pyyaml
    _Base = yaml.SafeLoader


class SafeLoader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, except that an impossible date (2026-13-01) stays a string.

    The field converter then reports it at its key's line instead of the
    whole file failing to load.
    """


def _timestamp(loader: Any, node: Any) -> Any:
    value = node.value
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        digits = value[:4] + value[5:7] + value[8:]
        if digits.isascii() and digits.isdigit():  # YYYY-MM-DD: what PyYAML makes of it, without its regex
            return _day(value)
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _day(value: str) -> dt.date | str:
    """A YYYY-MM-DD text as a date; an impossible date (2026-13-01) stays the text."""
    try:
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        return value


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
for _tag in ("binary", "set", "omap", "pairs"):  # not plain values: refused as any other tag ("the tag !!set is not allowed")
    del SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{_tag}"]

_MERGE = "tag:yaml.org,2002:merge"


def _no_merge(loader: Any, node: Any) -> None:
    """Refuse a merge key (`<<: *base`): nested merges copy the merged keys at every level, so a 500-byte text can
    cost minutes and gigabytes before any value exists to count (PyYAML's `flatten_mapping`, which this replaces)."""
    for key_node, _ in node.value:
        if key_node.tag == _MERGE:
            raise yaml.constructor.ConstructorError(
                None, None, "merge keys (<<) are not supported: write the keys out", key_node.start_mark
            )


SafeLoader.flatten_mapping = _no_merge

MAX_NODES = 20_000
"""How many values (counting every use of an alias) a frontmatter may expand to."""

_TOP_KEY = re.compile(r"^([^\s#:\-][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s|$)")


def key_lines(text: str, line_offset: int) -> dict[str, int]:
    """Map each top-level key of a YAML block mapping to its 1-based line.

    `line_offset` is the number of file lines before `text`. This is
    `_TOP_KEY` on each line, found with `find` when no quote opens the line:
    unquoted, the pattern's key runs from a first character that is not
    whitespace, `#`, `:` or `-` to the line's first `:` (it cannot pass a `:`
    or a `#`), which must be followed by whitespace or the line's end.
    """
    return _key_lines(text, line_offset)[0]


def _key_lines(text: str, line_offset: int) -> tuple[dict[str, int], bool]:
    """`key_lines`, and whether a key appeared on more than one line."""
    lines: dict[str, int] = {}
    repeated = False
    for number, line in enumerate(text.split("\n"), start=line_offset + 1):
        if not line:
            continue
        first = line[0]
        if first in " \t#:-" or first.isspace():
            continue
        if first in "\"'":
            match = _TOP_KEY.match(line)
            if match is None:
                continue
            key = match.group(1).strip().strip("\"'")
        else:
            colon = line.find(":")
            if colon < 0 or line[colon + 1 : colon + 2].strip() or "#" in line[:colon]:
                continue
            key = line[:colon].strip().strip("\"'")
        if key not in lines:
            lines[key] = number
        else:
            repeated = True
    return lines, repeated


def duplicate_keys(text: str, line_offset: int) -> dict[tuple[str | int, ...], list[int]]:
    """Keys written more than once in one mapping, each with the 1-based lines it is on (YAML reads the last): at
    the top level (`("title",)`) and nested (`("x", "a")`; `("tasks", 2, "id")` inside a list's third item).

    As YAML's parser sees the mappings (a `key:` line inside a quoted text is none); empty when it cannot. A
    mapping used again through an alias is looked at once, where it is written.
    """
    try:
        node = yaml.compose(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader/CSafeLoader only
    except yaml.YAMLError:
        return {}
    found: dict[tuple[str | int, ...], list[int]] = {}
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(node, ())]
    while stack:  # a loop, not recursion: nodes may nest as deep as `MAX_DEPTH`
        item, path = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        children: list[tuple[Any, tuple[str | int, ...]]] = []
        if isinstance(item, yaml.SequenceNode):
            children = [(child, (*path, number)) for number, child in enumerate(item.value)]
        elif isinstance(item, yaml.MappingNode):
            lines: dict[str, list[int]] = {}
            for key_node, value_node in item.value:
                if isinstance(key_node, yaml.ScalarNode):
                    lines.setdefault(str(key_node.value), []).append(line_offset + key_node.start_mark.line + 1)
                    children.append((value_node, (*path, str(key_node.value))))
            found.update(((*path, key), numbers) for key, numbers in lines.items() if len(numbers) > 1)
        stack.extend(reversed(children))  # in the order they are written: an anchor comes before its aliases
    return found


def key_path(path: tuple[str | int, ...]) -> str:
    """A key inside the frontmatter as its messages name it: `x.a`, `tasks[2].id` (a list index from 0)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


_NESTED_KEY = re.compile(r"^[ \t-]+([^\s:#][^:#\n]*?):(?:[ \t]|$)", re.MULTILINE)


def _nested_repeat(text: str) -> bool:
    """Whether `text` may hold a nested key written twice in one mapping, cheaply, before `duplicate_keys` asks the
    parser: a flow mapping (`{...}`), or a key on an indented or `- ` line at an indentation where the same key was
    already (items of one list repeat their keys too: the parser tells)."""
    if "{" in text:
        return True
    seen: set[tuple[int, str]] = set()
    for match in _NESTED_KEY.finditer(text):
        place = (match.start(1) - match.start(), match.group(1))
        if place in seen:
            return True
        seen.add(place)
    return False


def nested_key_lines(text: str, line_offset: int = 0) -> dict[str, int]:
    """Map dotted keys of block mappings (`calendar.hours_per_day`) to their 1-based lines."""
    lines: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=line_offset + 1):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith(("#", "-")):
            continue
        indent = len(line) - len(stripped)
        match = _TOP_KEY.match(stripped)
        if not match:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = match.group(1).strip().strip("\"'")
        dotted = ".".join([k for _, k in stack] + [key])
        lines.setdefault(dotted, number)
        stack.append((indent, key))
    return lines


def item_lines(text: str, key: str, line_offset: int) -> list[int]:
    """Lines of the block-list items under a top-level key (`key:` then `- x` lines)."""
    result: list[int] = []
    inside = False
    for number, line in enumerate(text.split("\n"), start=line_offset + 1):
        if line and line[0] not in " \t#-":
            match = _TOP_KEY.match(line)
            inside = bool(match and match.group(1).strip().strip("\"'") == key)
            continue
        if inside and line.lstrip().startswith("- ") and (line.startswith("-") or line.startswith(" ")):
            indent = len(line) - len(line.lstrip())
            if indent <= 2:
                result.append(number)
    return result


class _TooBig(Exception):
    pass


MAX_DEPTH = 64
"""How deeply values may nest."""

_LINE_START = re.compile(r"[\n\r\x85\u2028\u2029][ \t?:-]*")
"""A line break and the indentation and block indicators (`- `, `? `, `: `) after it."""


def _deepest_start(text: str) -> int | None:
    """The 0-based line of the first value nested deeper than `MAX_DEPTH` levels (counting as `_count` does), or None.

    Checked before LibYAML sees the text: its composer recurses once per level in C and crashes the process at
    about 25,000 (`[[[[...`, `- - - ...`), and its scanner slows down with depth. A block collection starts at
    a column no further right than the indentation and indicators of its line, and every second level is further
    right than its parent; a flow level needs a `[` or `{` (and an implicit `[a: b]` mapping, one more level). So
    when that bound is at most `MAX_DEPTH` (ordinary frontmatter) nothing else is done. Otherwise PyYAML's
    pure-Python parser reads events up to the first too-deep one: it keeps no stack in C, and it is linear.
    """
    opens = text.count("[") + text.count("{")
    if 2 * opens <= MAX_DEPTH:
        widest = max(map(len, _LINE_START.findall("\n" + text)))  # one more than the widest start
        if 2 * opens + 2 * widest + 1 <= MAX_DEPTH:
            return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            kind = type(event)
            if kind in _ENDS:
                depth -= 1
            elif kind in _NODES:
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return int(mark.line) if mark is not None else 0
                if kind in _STARTS:
                    depth += 1
    except yaml.YAMLError:
        return None  # LibYAML reports it, at the same place
    return None


_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_NODES = (*_STARTS, yaml.ScalarEvent, yaml.AliasEvent)


def _too_deep(text: str, path: str, line_offset: int) -> Diagnostic | None:
    """A `yaml-too-big` error at the top-level key whose value nests deeper than `MAX_DEPTH` (`_deepest_start`)."""
    found = _deepest_start(text)
    if found is None:
        return None
    line = line_offset + found + 1
    owner = [(number, key) for key, number in key_lines(text, line_offset).items() if number <= line]
    number, key = max(owner) if owner else (line, "")
    where = f"{key}: " if key else ""
    noticed = f" (at line {line})" if number != line else ""
    return Diagnostic(path, number, "error", "yaml-too-big", f"{where}{_TOO_BIG}{noticed}")


_TOO_BIG = f"YAML expands to more than {MAX_NODES} values or nests deeper than {MAX_DEPTH} levels"
"""The one message of both limits (the same before and after the nesting check that runs before the parser)."""


def _reader_line(text: str, exc: yaml.reader.ReaderError) -> int:
    """The 0-based line of a character the YAML reader refused (LibYAML counts UTF-8 bytes, PyYAML characters)."""
    if _Base is yaml.SafeLoader:  # pragma: no cover - depends on the build of pyyaml
        return text[: exc.position].count("\n")
    return text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n")


def _check_size(value: Any) -> None:
    """Count the loaded value's nodes (an alias counts each time it is used) and depth; raise `_TooBig`."""
    if value.__class__ in _CONTAINERS and _count(value, 0, MAX_NODES) < 0:
        raise _TooBig


def _count(node: Any, depth: int, budget: int) -> int:
    """The budget left after this node and everything below it (negative: too many, or too deep).

    Depth first with an early stop, so an alias bomb costs at most `MAX_NODES`
    steps; scalars in a mapping or list are counted without a call each.
    """
    budget -= 1
    kind = type(node)
    if kind is dict:
        if node and depth >= MAX_DEPTH:  # its keys and values lie deeper than allowed
            return -1
        budget -= len(node)  # the keys: scalars (a list or mapping is not hashable)
        children: Any = node.values()
    elif kind is list:
        if node and depth >= MAX_DEPTH:
            return -1
        children = node
    else:
        return budget
    for child in children:
        if type(child) in _CONTAINERS:
            budget = _count(child, depth + 1, budget)
            if budget < 0:
                return budget
        else:
            budget -= 1
    return budget


_CONTAINERS = (dict, list)


# -- the plain case, without a YAML parser ----------------------------------
# Most frontmatter lines are `key: value` with a value whose type plain
# YAML decides from its first characters alone. Such a text is read here,
# with the same result as `yaml.load` (tests/test_parse_fastpaths.py checks
# generated texts against it); anything else, down to one odd line, goes to
# the YAML parser. What the patterns take:
#   text   starts with a letter, then letters, digits, spaces and `_.,'"()/+?;-`
#          (never `:`, `#` or a YAML indicator; trailing spaces dropped), and is
#          not one of YAML 1.1's booleans or nulls: a string
#   date   YYYY-MM-DD: a date (an impossible one stays a string: `_day`, as the loader's)
#   int    0, or a digit 1-9 and up to 17 digits: an int
#   amount a digit 1-9, digits, maybe `.digits`, then letters (`3d`, `1.5h`): a string
#   'x'    single-quoted, `''` for a quote: a string
#   [a, b] a flow list of text items without quotes or `,:#[]{}`: a list of strings
#   empty  nothing after the colon: None
# Keys are letters, digits, `_` and `-`, starting with a letter or `_`.
# Lines may also be blank or comments at column 0; only printable ASCII.
_ITEM = r"[A-Za-z][A-Za-z0-9_./+-]*(?: +[A-Za-z0-9_./+-]+)*"
_SIMPLE_LINE = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_-]*):(?: +(?:"
    r"(?P<text>[A-Za-z](?:[A-Za-z0-9 _.,'\"()/+?;-]*[A-Za-z0-9_.,'\"()/+?;-])?)"
    r"|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"|(?P<int>0|[1-9][0-9]{0,17})"
    r"|(?P<amount>[1-9][0-9]*(?:\.[0-9]+)?[A-Za-z]+)"
    r"|'(?P<quoted>(?:[^'\n]|'')*)'"
    r"|(?P<list>\[(?P<items> *(?:" + _ITEM + r") *(?:, *(?:" + _ITEM + r") *)*)?\])"
    r"))? *"
)
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null"})
"""Plain scalars YAML 1.1 reads as booleans or null, in any case (`yes`, `Off`, `NULL`...): left to the parser."""


def _simple_mapping(text: str) -> dict[str, Any] | None:
    """`text` as a mapping when every line is a plain `key: value` (see above) or blank or a comment; else None."""
    if not text.isascii() or "\t" in text or "\r" in text:
        return None
    found: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line or line[0] == "#" or line.isspace():
            continue
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None or not line.isprintable():
            return None
        key = match["key"]
        if key in found or key.lower() in _YAML_WORDS:
            return None
        text_value, date, number, amount, quoted, flow, items = match.group("text", "date", "int", "amount", "quoted", "list", "items")
        value: Any
        if text_value is not None:
            if text_value.lower() in _YAML_WORDS:
                return None
            value = text_value
        elif date is not None:
            value = _day(date)
        elif number is not None:
            value = int(number)
        elif amount is not None:
            value = amount
        elif quoted is not None:
            value = quoted.replace("''", "'")
        elif flow is not None:
            value = [item.strip(" ") for item in items.split(",")] if items is not None else []
            if any(item.lower() in _YAML_WORDS for item in value):
                return None
        else:
            value = None
        found[key] = value
    return found or None


def _tab_at(text: str, line: int, column: int) -> bool:
    """A tab on `line` (from 0) up to `column`: what LibYAML calls a character that cannot start a token."""
    lines = text.split("\n")
    return 0 <= line < len(lines) and "\t" in lines[line][: column + 1]


def load_yaml(text: str, path: str, line_offset: int) -> tuple[Any, list[Diagnostic]]:
    """Load YAML safely; any failure becomes a diagnostic at the right file line.

    A text of plain `key: value` lines is read without the parser (`_simple_mapping`).
    """
    data = _simple_mapping(text)
    if data is None:
        deep = _too_deep(text, path, line_offset)
        if deep is not None:
            return None, [deep]
    try:
        if data is None:
            data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader/CSafeLoader only
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark
        line = line_offset + (mark.line + 1 if mark is not None else 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}: {exc.problem}"
        if exc.context_mark and exc.problem_mark and exc.problem_mark.line != exc.context_mark.line:
            problem += f" (noticed at line {line_offset + exc.problem_mark.line + 1})"
        if "could not determine a constructor" in str(exc):
            found = re.search(r"'([^']+)'", problem)
            tag = (found.group(1) if found else "?").replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {tag} is not allowed (only plain YAML values are read)"
        elif exc.problem_mark is not None and _tab_at(text, exc.problem_mark.line, exc.problem_mark.column):
            problem += " (YAML indents with spaces, not tabs: replace the tabs at the start of the line)"
        return None, [Diagnostic(path, line, "error", "yaml", f"invalid YAML: {problem}")]
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        escape = f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"
        problem = f"{exc.reason} (U+{code:04X}): remove it, or write it as {escape} inside double quotes"
        return None, [Diagnostic(path, line_offset + _reader_line(text, exc) + 1, "error", "yaml", f"invalid YAML: {problem}")]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(path, line_offset + 1, "error", "yaml", f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [Diagnostic(path, line_offset + 1, "error", "yaml", "YAML is nested too deeply")]
    except (ValueError, TypeError, OverflowError) as exc:
        return None, [Diagnostic(path, line_offset + 1, "error", "yaml", f"invalid YAML value: {exc}")]
    try:
        _check_size(data)
    except _TooBig:
        key = _too_big_key(data)
        line = key_lines(text, line_offset).get(key, line_offset + 1) if key is not None else line_offset + 1
        where = f"{key}: " if key is not None else _whole(data)
        return None, [
            Diagnostic(
                path,
                line,
                "error",
                "yaml-too-big",
                f"{where}{_TOO_BIG}",
            )
        ]
    return data, []


def _too_big_key(data: Any) -> str | None:
    """The top-level key at whose value `_check_size` gives up (counting as it does, key by key), where the
    mapping is too big; None for a list, or a mapping too big by its keys alone (`_whole`)."""
    if type(data) is not dict:
        return None
    budget = MAX_NODES - 1 - len(data)
    if budget < 0:  # no one key's value is to blame
        return None
    for key, value in data.items():
        budget = _count(value, 1, budget) if type(value) in _CONTAINERS else budget - 1
        if budget < 0:
            return str(key)
    return None


def _whole(data: Any) -> str:
    """What a `yaml-too-big` error at the frontmatter's first line blames when no one key does (`_too_big_key`): the
    whole mapping or list (`_check_size` raises only for those)."""
    return f"the frontmatter as a whole is too big ({len(data)} top-level {'keys' if type(data) is dict else 'items'}): "


def load_yaml_mapping(text: str, path: str, line_offset: int) -> tuple[dict[str, Any] | None, dict[str, int], list[Diagnostic]]:
    """Load a YAML mapping with the line of each top-level key."""
    data, diagnostics = load_yaml(text, path, line_offset)
    if diagnostics:
        return None, {}, diagnostics
    if data is None:
        return {}, {}, []
    if not isinstance(data, dict):
        kind = type(data).__name__
        return None, {}, [Diagnostic(path, line_offset + 1, "error", "not-mapping", f"expected a mapping of key: value, got a {kind}")]
    clean = {str(k): v for k, v in data.items()}
    lines, repeated = _key_lines(text, line_offset)
    if not lines.keys() >= clean.keys():  # a key ending in a space YAML keeps (`title\u00a0: x`), or not text (`1:`)
        lines.update(_kept_space_key_lines(text, line_offset, clean.keys() - lines.keys()))
    found: list[Diagnostic] = []
    if repeated or _nested_repeat(text):  # rare: confirmed, with each line, by YAML's own parser
        for keys, numbers in duplicate_keys(text, line_offset).items():
            if len(keys) == 1:
                lines[str(keys[0])] = numbers[-1]  # the one YAML reads
            found.extend(
                Diagnostic(path, number, "error", "duplicate-key", f"{key_path(keys)}: the key is written more than once, and YAML reads only the last one — remove the others")
                for number in numbers[1:]
            )
    return clean, lines, sorted(found)


def _kept_space_key_lines(text: str, line_offset: int, keys: set[str]) -> dict[str, int]:
    """The lines of top-level `keys` that `key_lines` misses because it strips what Python calls a space and YAML
    keeps as part of the key (a no-break space before the colon: `title\\u00a0: x` is the key 'title\\xa0')."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=line_offset + 1):
        colon = line.find(":")
        if colon > 0 and line[0] not in " \t#:-\"'" and not line[colon + 1 : colon + 2].strip(" \t"):
            key = line[:colon].rstrip(" \t")
            if key in keys:
                found.setdefault(key, number)
    return found
