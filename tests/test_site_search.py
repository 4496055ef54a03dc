"""The search index's text: wiki links as their bare target, link texts kept, markup and runs of whitespace collapsed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from workspace_tool.site.search import TEXT_LIMIT, plain_text

_WIKI = re.compile(r"\[\[([^\[\]|#\n]+)(?:[#|][^\[\]\n]*)?\]\]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[`*_>#~|<>\[\]]+")


def reference(body: str) -> str:
    """The straightforward version (four regular expressions, always)."""
    text = _WIKI.sub(lambda m: m.group(1), body)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _MARKUP.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()[:TEXT_LIMIT]


PIECES = st.sampled_from(["[[a|b]]", "[[x#y]]", "[t](u)", "![i](p.png)", "[", "]", "(", ")", "**", "_", "`", "#", "\u00a0", "\u2003", "\t", "\n", " ", "\x1c", "\x85", "word", "é"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_plain_text_equals_the_reference(body: str) -> None:
    assert plain_text(body) == reference(body)


def test_plain_text_examples() -> None:
    assert plain_text("See [[task-a|the label]] and [docs](d.md)\n\n**bold**  text") == "See task-a and docs bold text"
    assert len(plain_text("word " * 1000)) == TEXT_LIMIT
