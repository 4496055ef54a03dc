"""The structure of a Markdown body: title heading, task-list checkboxes, `[[id]]` links.

A line scanner that follows CommonMark's rules for what it needs (fenced and
indented code blocks, ATX headings, list items with `[ ]`/`[x]`, inline code
spans) so that it agrees with markdown-it-py, which a property test checks,
at a fraction of its cost: the index reads every body on every cold run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workspace_tool.model import Checklist, Link

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_HEADING_ANY = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]+(.*)|$)")
_TASK_ITEM = re.compile(r"^ *(?:[-+*]|\d{1,9}[.)])[ \t]+\[([ xX])\](?:[ \t]|$)")
_WIKI = re.compile(r"\[\[([^\[\]|#\n]+?)(?:[#|][^\[\]\n]*)?\]\]")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


@dataclass(frozen=True)
class BodyInfo:
    title: str | None
    checklist: Checklist
    links: tuple[Link, ...]


def scan_body(body: str, first_line: int = 1) -> BodyInfo:
    """Read a body's title, checklist and wiki links; `first_line` is the body's line in the file."""
    title: str | None = None
    total = checked = 0
    links: list[Link] = []
    fence: str | None = None
    paragraph = False  # the previous line is paragraph text (an indented line continues it)
    columns: list[int] = []  # content columns of the open list items, innermost last
    for offset, line in enumerate(body.split("\n")):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if not line.strip():
            paragraph = False
            continue
        rest = line.lstrip(" ")
        indent = len(line) - len(rest)
        if indent >= 4 or line[0] == "\t":
            if not paragraph and not (columns and indent >= columns[-1]):
                continue  # indented code block
        # Each pattern below can only match with its own first character after the
        # spaces, so a line is matched only against the patterns that can match it.
        first = rest[0]
        if first.isalpha():  # plain text, the usual line: only the paragraph and list state move on
            if columns and indent < columns[-1] and not paragraph:
                _close(columns, indent)
            paragraph = True
            if "[[" in line:
                _links(line, first_line + offset, links)
            continue
        if first in "`~":
            match = _FENCE.match(line)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                paragraph = False
                _close(columns, indent)
                continue
        item_match = heading = None
        if first in "-+*" or first.isdecimal():
            task = _TASK_ITEM.match(line)
            if task:
                total += 1
                checked += task.group(1) != " "
            item_match = _LIST_ITEM.match(line)
        elif first == "#":
            heading = _HEADING_ANY.match(line)
        interrupts = bool(heading) or line.lstrip().startswith(">")
        if item_match:
            _close(columns, indent)
            columns.append(item_match.start(1) if item_match.group(1) else len(line) + 1)
        elif columns and indent < columns[-1] and not (paragraph and not interrupts):
            _close(columns, indent)
        if item_match:
            paragraph = bool((item_match.group(1) or "").strip())
        else:
            paragraph = not heading
        if title is None and heading and heading.group(1) == "#":
            title = (heading.group(2) or "").strip() or None
        if "[[" in line:
            _links(line, first_line + offset, links)
    checklist = _CHECKLISTS.get((total, checked))
    if checklist is None:
        checklist = Checklist(total, checked)
        if total < 64:  # the usual counts: one shared object each (the cache then stores it once)
            _CHECKLISTS[total, checked] = checklist
    return BodyInfo(title, checklist, tuple(links))


_CHECKLISTS: dict[tuple[int, int], Checklist] = {}


def in_code_blocks(lines: Sequence[str]) -> list[bool]:
    """For each line (without its line ending), whether it belongs to a fenced code block, its fences included.

    The fences `scan_body` knows: three or more backticks or tildes, closed by at least as many of the same.
    """
    inside: list[bool] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            inside.append(True)
            continue
        match = _FENCE.match(line) if line.lstrip(" ")[:1] in ("`", "~") else None
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
        inside.append(fence is not None)
    return inside


def _close(columns: list[int], indent: int) -> None:
    """Close the list items a line at this indent is not inside (an outer item may still hold it)."""
    while columns and columns[-1] > indent:
        columns.pop()


def _links(line: str, number: int, links: list[Link]) -> None:
    """The `[[id]]` links of one line, outside code spans."""
    visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
    for wiki in _WIKI.finditer(visible):
        links.append(Link(wiki.group(1).strip(), number))
