"""Property tests: the parser never crashes, and the fast body scanner agrees with markdown-it-py."""

from __future__ import annotations

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from workspace_tool.body import scan_body
from workspace_tool.errors import Diagnostic
from workspace_tool.parse import parse_document

PATHS = st.sampled_from(
    ["notes/x.md", "projects/p/project.md", "projects/p/tasks/t.md", "people/a.md", "timelogs/a/2026-11.md", "goals/g.md"]
)


def _check(result: object) -> None:
    parsed = result
    assert parsed.document is not None or parsed.diagnostics  # type: ignore[attr-defined]
    for diagnostic in parsed.diagnostics:  # type: ignore[attr-defined]
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.line >= 1 and diagnostic.severity in ("error", "warning")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), PATHS)
def test_random_bytes_never_crash(data: bytes, path: str) -> None:
    _check(parse_document(data.decode("utf-8", errors="replace"), path))


@settings(max_examples=300)
@given(st.text(max_size=400), PATHS)
def test_random_text_after_frontmatter_marker_never_crashes(text: str, path: str) -> None:
    _check(parse_document("---\n" + text, path))
    _check(parse_document("---\n" + text + "\n---\n" + text, path))


YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), st.dates()
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["title", "status", "estimate", "remaining", "due", "start", "depends_on", "assignee", "milestone", "leave",
     "workdays", "capacity", "key_results", "tags", "type", "id", "visibility", "priority", "rate", "budget", "x"]
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, YAML_VALUES, max_size=8), PATHS)
def test_random_yaml_frontmatter_never_crashes(data: dict, path: str) -> None:
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n# Body\n"
    _check(parse_document(text, path))


LINES = st.sampled_from(
    ["# Title", "## Sub", "#NoSpace", "   # indented title", "- [ ] open", "- [x] done", "* [X] star", "1. [ ] numbered",
     "-  [ ] two spaces", "- [ ]", "  - [ ] nested", "```", "~~~", "    code line [[c]]", "text [[link-a]] and [[link-b|alias]]",
     "`[[in-code]]` and [[out]]", "", "", "> quote [[q]]", "plain paragraph", "- item", "+ [ ] plus"]
)
_MD = MarkdownIt("commonmark")
_WIKI = re.compile(r"\[\[([^\[\]|#\n]+?)(?:[#|][^\[\]\n]*)?\]\]")


def _reference(body: str) -> tuple[str | None, int, int, list[str]]:
    """What markdown-it-py reads: first h1, task-list items, wiki links outside code."""
    tokens = _MD.parse(body)
    title = None
    total = checked = 0
    links: list[str] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1" and title is None:
            title = tokens[i + 1].content.strip() or None
        if token.type == "list_item_open":
            j = i + 1
            while tokens[j].type == "paragraph_open" and j + 1 < len(tokens):
                j += 1
            if tokens[j].type == "inline":
                match = re.match(r"^\[([ xX])\](?:\s|$)", tokens[j].content)
                if match:
                    total += 1
                    checked += match.group(1) != " "
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "text":
                    links.extend(m.group(1).strip() for m in _WIKI.finditer(child.content))
    return title, total, checked, links


@settings(max_examples=500)
@given(st.lists(LINES, max_size=14))
def test_body_scanner_agrees_with_markdown_it(lines: list[str]) -> None:
    body = "\n".join(lines) + "\n"
    info = scan_body(body)
    title, total, checked, links = _reference(body)
    assert info.title == title
    assert (info.checklist.total, info.checklist.checked) == (total, checked)
    assert [link.target for link in info.links] == links
