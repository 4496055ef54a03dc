"""Body rendering: extensions, wiki links, relative links, unsafe links, raw HTML."""

from __future__ import annotations

import pytest

from workspace_tool.site.markdown import LinkMap, WikiTarget, relative_targets, render_body, resolve_relative

LINKS = LinkMap(
    {"task-a": WikiTarget("Task A", "d/task-a.html"), "hidden": WikiTarget("hidden")},
    {"projects/p/tasks/b.md": "d/b.html", "projects/p/pic.png": "files/projects/p/pic.png"},
)


def render(text: str, allow_html: bool = False) -> str:
    return render_body(text, "projects/p/tasks/a.md", "d/a.html", LINKS, allow_html)


def test_wiki_link_to_visible_document_uses_its_title_and_a_relative_url() -> None:
    assert render("See [[task-a]].") == '<p>See <a class="wiki" href="task-a.html">Task A</a>.</p>\n'
    assert 'href="task-a.html#part">label</a>' in render("[[task-a#part|label]]")


@pytest.mark.parametrize("text", ["[[hidden]]", "[[hidden|Secret label]]", "[[nowhere]]"])
def test_wiki_link_to_hidden_or_unknown_document_is_the_bare_id(text: str) -> None:
    html = render(text)
    assert "<a" not in html and "Secret" not in html and "wiki-missing" in html


def test_code_spans_keep_wiki_syntax() -> None:
    assert "<code>[[task-a]]</code>" in render("`[[task-a]]`")


def test_relative_links_are_rewritten_or_dropped() -> None:
    html = render("[b](b.md#x) [pic](../pic.png) [gone](c.md) [up](../../../../etc/passwd) [web](https://example.com)")
    assert '<a href="b.html#x">b</a>' in html
    assert '<a href="../files/projects/p/pic.png">pic</a>' in html
    assert "gone" in html and "c.md" not in html
    assert "passwd" not in html and "up" in html
    assert '<a href="https://example.com">web</a>' in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html,<b>x</b>", "file:///etc/passwd"])
def test_unsafe_schemes_are_dropped(url: str) -> None:
    html = render(f"[click]({url}) ![img]({url}) <{url}>")
    assert "href=" not in html and "src=" not in html
    assert "click" in html


def test_raw_html_is_escaped_unless_allowed() -> None:
    assert "&lt;script&gt;" in render("<script>alert(1)</script>")
    assert "<b>bold</b>" in render("<b>bold</b>", allow_html=True)


def test_tables_task_lists_footnotes_and_anchors() -> None:
    html = render("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\nText[^1]\n\n[^1]: note\n")
    assert '<h1 id="title">' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'checked="checked"' in html and html.count('type="checkbox"') == 2
    assert 'class="footnotes"' in html


def test_relative_targets_and_resolution() -> None:
    assert relative_targets("[a](b.md) [c](https://x) [d](#top) ![e](img/p%20q.png)\n[ref]: other.md") == ["b.md", "img/p q.png", "other.md"]
    assert resolve_relative("notes/a.md", "../tasks/b.md") == "tasks/b.md"
    assert resolve_relative("notes/a.md", "../../b.md") is None
