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
_HEADING1 = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
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
    prev_blank = True
    in_list = False
    for offset, line in enumerate(body.split("\n")):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
            prev_blank = False
            continue
        match = _FENCE.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            continue
        if not line.strip():
            prev_blank = True
            continue
        if line.startswith(("    ", "\t")) and prev_blank and not in_list:
            continue  # indented code block
        prev_blank = False
        task = _TASK_ITEM.match(line)
        if task:
            total += 1
            checked += task.group(1) != " "
        in_list = bool(task) or bool(re.match(r"^ *(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)", line)) or (
            in_list and line.startswith(" ")
        )
        if title is None:
            heading = _HEADING1.match(line)
            if heading:
                title = (heading.group(1) or "").strip() or None
        if "[[" in line:
            visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
            for wiki in _WIKI.finditer(visible):
                links.append(Link(wiki.group(1).strip(), first_line + offset))
    return BodyInfo(title, Checklist(total, checked), tuple(links))
