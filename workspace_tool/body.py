"""The structure of a Markdown body: title heading, task-list checkboxes, `[[id]]` links.

A line scanner that follows CommonMark's rules for what it needs (fenced and
indented code blocks, ATX headings, list items with `[ ]`/`[x]`, inline code
spans) so that it agrees with markdown-it-py, which a property test checks,
at a fraction of its cost: the index reads every body on every cold run.
"""

from __future__ import annotations

import re
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
    in_list = False
    content_col = 0
    for offset, line in enumerate(body.split("\n")):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if not line.strip():
            paragraph = False
            continue
        if line.startswith(("    ", "\t")) and not paragraph and not (in_list and len(line) - len(line.lstrip(" ")) >= content_col):
            continue  # indented code block
        match = _FENCE.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            paragraph = False
            in_list = in_list and len(line) - len(line.lstrip(" ")) >= content_col
            continue
        task = _TASK_ITEM.match(line)
        if task:
            total += 1
            checked += task.group(1) != " "
        item_match = _LIST_ITEM.match(line)
        heading = _HEADING_ANY.match(line)
        interrupts = bool(heading) or line.lstrip().startswith(">")
        indent = len(line) - len(line.lstrip(" "))
        if item_match:
            in_list, content_col = True, item_match.start(1) if item_match.group(1) else len(line) + 1
        else:
            in_list = in_list and (indent >= content_col or (paragraph and not interrupts))
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
    return BodyInfo(title, Checklist(total, checked), tuple(links))
