"""The fast body renderer: None, or exactly markdown-it's HTML (a differential property test), and how often it applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from workspace_tool.parse import split_frontmatter
from workspace_tool.site.markdown import LinkMap, WikiTarget, make_markdown, render_body
from workspace_tool.site.markdown_fast import fast_render

LINKS = LinkMap(
    {
        "a": WikiTarget("Task A", "d/a.html"),
        "b": WikiTarget('B "quoted" & <b>', "projects/p/index.html"),
        "T-00001": WikiTarget("T-00001", "d/T-00001.html"),
        "hidden": WikiTarget("hidden"),
    }
)
PAGES = ("d/a.html", "projects/p/index.html")
ORACLES: dict[bool, MarkdownIt] = {allow: make_markdown(allow) for allow in (False, True)}
SAMPLE = Path(__file__).resolve().parents[1] / "sample_workspace"


def oracle(body: str, page: str, allow_html: bool) -> str:
    return ORACLES[allow_html].render(body, {"links": LINKS, "doc_path": "projects/p/tasks/a.md", "page": page})


def assert_agrees(body: str) -> str | None:
    """The fast path's HTML on the first page (checked against markdown-it on every page, both ways), or None (on every page)."""
    results = {page: fast_render(body, page, LINKS) for page in PAGES}
    for page, html in results.items():
        if html is not None:
            for allow_html in (False, True):
                assert html == oracle(body, page, allow_html), (body, page, allow_html)
    assert len({html is None for html in results.values()}) == 1
    return results[PAGES[0]]


# --- the grammar: supported blocks, spiced (per body: not, lightly or heavily) with what must not be mistaken for them.
# Ingredients are drawn from lists of strings: hypothesis generates those much faster than nested strategies.

SPECIAL = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
ODD = "\t\r\x00\x0b\x0c\x1c\x85\xa0\u2028\u3000\ufeff"
ALPHABET = "abcXYZ019 éßЖ中İ" + SPECIAL + ODD + "\n"
# what a line (a paragraph's, an item's) may start with, and what it must not
LEADS = [
    "alpha",
    "Beta",
    "T-00001",
    "2026-06-01",
    "Ça",
    "中文",
    "İi",
    '"q"',
    "(p)",
    "'s'",
    "**Present:**",
    "`code`",
    "[[a]]",
    "[[x|y]]",
]
BAD_LEADS = [
    "&",
    "%",
    "#7",
    "1.",
    "3)",
    "-",
    "*",
    "+",
    "=",
    ">",
    "<",
    "|",
    ":",
    "[x]",
    " ",
    "  ",
    "\t",
    "```",
    "~~~",
    "**",
    "* x",
]
WORDS = [
    "alpha",
    "Beta",
    "T-00001",
    "2026-06-01",
    "x",
    "Ça",
    "中文",
    "İi",
    "a-b",
    "&",
    "& b",
    "%",
    '"q"',
    "'s'",
    "(p)",
    "x:y",
    "#7",
    "1.",
]
WIKI = [
    f"[[{target}{fragment}{label}]]"
    for target in ("a", "b", "T-00001", "hidden", "missing")
    for fragment in ("", "#part", "#", "#x y")
    for label in ("", "|", "|label", "|A & <B>", '|"l"', "| spaced ", "|*x*", "|`c`", "|&amp;")
]
STRONG = [
    f"**{word}**{tail}" for word in WORDS for tail in (("", " x", ":", ".", ",", ")") if word[-1].isalnum() else ("", " x"))
]
CODE = [f"`{code}`" for code in ("x", "a_b", "<b>", "&amp;", "a b", "a  b", "\\", "|", "#", "~~", "!", "^x")]
GOOD_ATOMS = WORDS * 8 + WIKI + STRONG + CODE
BAD_ATOMS = [
    *("3)", "C#", "&amp;", "&#35;", "&x", "**x**a", "**x:**.", "** x**", "**x **", "` a`", "`a]`", "`x*y`", "``x``", "`^[x]`"),
    *("**", "*", "`", "_", "~~", "[", "]", "[ ]", "<b>", "\\", "|", "^", "![x](y)", "[x](b.md)", "<http://x>", "&lt;", "[^1]"),
    *("[[ a ]]", "[[]]", "[[a b]]", "[[a|\tb]]", "[[a|x]", "[[a]]]", "[[[a]]", "[[a|[b]]]"),
    *ODD,
]
SEPARATORS = [" ", " ", " ", *(f"\n{lead} " for lead in LEADS)]
BAD_SEPARATORS = ["", "  ", " \n", "\n ", "\n\n", *(f"\n{lead}" for lead in BAD_LEADS)]
BAD_PERCENT = (0, 4, 25)  # per noise level, about how often an ingredient is a bad one


def _pool(noise: int, good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """One of `good`, or with noise sometimes one of `bad`."""
    if noise == 0:
        return st.sampled_from(good)
    percent = BAD_PERCENT[noise]
    copies = max(1, round(len(bad) * (100 - percent) / (percent * len(good))))
    return st.sampled_from(good * copies + bad)


def _inline(noise: int) -> st.SearchStrategy[str]:
    """Text with soft line breaks, every line starting with a lead."""
    rest = st.lists(st.tuples(_pool(noise, SEPARATORS, BAD_SEPARATORS), _pool(noise, GOOD_ATOMS, BAD_ATOMS)), max_size=6)
    return st.builds(lambda lead, parts: lead + "".join(s + a for s, a in parts), _pool(noise, LEADS, BAD_LEADS), rest)


def _heading(noise: int) -> st.SearchStrategy[str]:
    marks = _pool(noise, ["#", "##", "###", "####", "#####", "######"], ["#######", "#  ", "#\t", "", " #"])
    titles = st.sampled_from(["Notes", "Notes", "notes", "Notes-1", "A [[a]] b", "**Bold** x", "`code` x", "İstanbul", "[[a]]"])
    return st.builds(lambda m, t: f"{m} {t.split(chr(10))[0]}", marks, st.one_of(titles, _inline(noise)))


def _item(noise: int) -> st.SearchStrategy[str]:
    marker = _pool(
        noise, ["- ", "- ", "- [ ] ", "- [x] ", "- [X] "], ["- [ ]", "-  ", "* ", "+ ", "1. ", "  - ", "-\t", "- [y] "]
    )
    more = ["", "", "\n  more text", "\n  [[a]] and **b**"]
    bad_more = ["\n   odd", "\nlazy", "\n  - nested", "\n    code", "\n  ---", "\n  # h", "\n\n  loose", "\n\n- loose"]
    return st.builds(lambda m, text, c: m + text.replace("\n", " ") + c, marker, _inline(noise), _pool(noise, more, bad_more))


def _block(noise: int) -> st.SearchStrategy[str]:
    paragraph = st.lists(_inline(noise), min_size=1, max_size=3).map("\n".join)
    good = [paragraph, _heading(noise), _item(noise), st.lists(_item(noise), min_size=2, max_size=4).map("\n".join)]
    odd = [
        "===",
        "---",
        "***",
        "> quote",
        "```",
        "    indented",
        "| a | b |\n|---|---|",
        "a | b\n- | -",
        "[^1]: note",
        "[x]: b.md",
        "<div>",
    ]
    bad = [st.text(ALPHABET, max_size=12), st.sampled_from(odd)]
    return st.one_of(*good, *([] if noise == 0 else good * (3 - noise) + bad))


BLOCKS = {noise: _block(noise) for noise in range(len(BAD_PERCENT))}  # built once: building strategies is slow
GAPS = st.sampled_from([None, None, None, "\n", "\n\n"])  # with noise: blocks one line apart, lists one blank line apart


def _join(blocks: list[str], gaps: list[str | None] | None = None) -> str:
    """Blocks a blank line apart, with a paragraph between two lists (a blank line alone would make one loose list)."""
    body = blocks[0] if blocks else ""
    for index, (before, block) in enumerate(zip(blocks, blocks[1:])):
        gap = gaps[index] if gaps else None
        lists = before.startswith("- ") and block.startswith("- ")
        body += gap if gap is not None else "\n\nbetween\n\n" if lists else "\n\n"
        body += block
    return body


@st.composite
def _body(draw: st.DrawFn, noises: tuple[int, ...] = (0, 1, 1, 2)) -> str:
    noise = draw(st.sampled_from(noises))
    blocks = draw(st.lists(BLOCKS[noise], min_size=1 if noise == 0 else 0, max_size=7))
    gaps = draw(st.lists(GAPS, min_size=len(blocks), max_size=len(blocks))) if noise else None
    return _join(blocks, gaps) + draw(st.sampled_from(["", "\n", "\n\n"]))


STRUCTURE = [
    "\n",
    "\n",
    "\n",
    "\n\n",
    " ",
    "  ",
    "   ",
    "    ",
    "- ",
    "* ",
    "# ",
    "1. ",
    "2) ",
    "> ",
    "---\n",
    "===\n",
    "[x]: a.md\n",
]
ENTITIES = ["&amp;", "&#35;", "&#x41;", "&x;", "&lt;", "&copy;", "&nbsp;", "&Amp;", "&#0;"]
BAD = st.one_of(
    *(st.sampled_from(bad) for bad in (BAD_ATOMS, BAD_LEADS, STRUCTURE, ENTITIES)), st.text(ALPHABET, min_size=1, max_size=3)
)


@st.composite
def _spliced(draw: st.DrawFn) -> str:
    """A body of the subset with one bad ingredient put in anywhere, or at a line's start: the fast path's edges."""
    body = draw(_body((0,)))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(body)))
    else:
        starts = [0] + [index + 1 for index, char in enumerate(body) if char == "\n"]
        at = starts[draw(st.integers(0, len(starts) - 1))]
    return body[:at] + draw(BAD) + body[at:]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_body(), st.sampled_from(PAGES), st.booleans())
def test_fast_path_is_none_or_exactly_markdown_it(body: str, page: str, allow_html: bool) -> None:
    html = fast_render(body, page, LINKS)
    assert html is None or html == oracle(body, page, allow_html)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_spliced(), st.sampled_from(PAGES), st.booleans())
def test_one_bad_ingredient_is_none_or_exactly_markdown_it(body: str, page: str, allow_html: bool) -> None:
    html = fast_render(body, page, LINKS)
    assert html is None or html == oracle(body, page, allow_html)


@settings(max_examples=150, deadline=None)
@given(st.text(ALPHABET, max_size=60))
def test_random_text_is_none_or_exactly_markdown_it(body: str) -> None:
    assert_agrees(body)


@settings(max_examples=150, deadline=None)
@given(_body((0,)))
def test_bodies_of_the_subset_take_the_fast_path(body: str) -> None:
    assert assert_agrees(body) is not None, body


# --- how often real bodies take it


def _sample_bodies() -> dict[str, str]:
    kinds = ("tasks", "decisions", "notes")
    return {
        str(path.relative_to(SAMPLE)): split_frontmatter(path.read_text(encoding="utf-8")).body
        for path in sorted(SAMPLE.rglob("*.md"))
        if set(path.relative_to(SAMPLE).parts) & set(kinds)
    }


def test_most_sample_workspace_bodies_take_the_fast_path() -> None:
    bodies = _sample_bodies()
    slow = sorted(name for name, body in bodies.items() if assert_agrees(body) is None)
    assert len(bodies) >= 70
    assert not [name for name in slow if name.startswith("projects/")], slow  # every task body
    # measured: 76 of 77 (all but notes/2026-11-12-fjordline-replan.md, which has an ordered list)
    assert 1 - len(slow) / len(bodies) >= 0.97, slow


GENERATED = """# T-00042

Mobile test backlog layout for T-00042. layout backlog feedback analytics search.

Audit feedback analytics client layout for T-00042. invoice report search launch.

- [x] pricing report audit
- [ ] layout backlog analytics

See [[T-00001]].
"""


def test_a_generated_task_body_takes_the_fast_path() -> None:
    html = assert_agrees(GENERATED)
    assert html is not None
    assert html.startswith('<h1 id="t-00042">T-00042 <a class="header-anchor" href="#t-00042" aria-label="Link to this section">#</a></h1>\n<p>Mobile')
    assert '<ul class="contains-task-list">\n<li class="task-list-item"><label><input' in html
    assert '<a class="wiki" href="T-00001.html">T-00001</a>' in html


# --- tricky cases, each either None or markdown-it's HTML (checked by assert_agrees); some must be one or the other

NONE = [
    "Title\n===\n",
    "Title\n---\n",
    "1. item\n",
    "- a\n\n- b\n",
    "line with a hard break  \nnext\n",
    "[[unclosed link\n",
    "a [[b] c\n",
    "a &amp; entity\n",
    "a &#35; entity\n",
    "a &x entity\n",
    "- a\nlazy continuation\n",
    "- a\n  - nested\n",
    "*em* text\n",
    "a *b* c\n",
    "text ~~struck~~\n",
    "tab\there\n",
    "| a | b |\n|---|---|\n",
    "``two ticks``\n",
    "**not closed\n",
    "**a**b\n",
]
SAME = [
    "para\n- list right after a paragraph line\n",
    "# Notes\n\n## Notes\n\n### Notes\n",
    "##### Level five [[a]]\n###### Six\n",
    "- a\n- b\n\nafter the list\n",
    "# h\n- a\n# h\n",
    "Harbor & Co. kickoff\n",
    "**Present:** [[a]], [[b|label]]\n",
    "- item\n  continued\n- [ ] task\n  continued\n",
    "See `offset_days` and `<b>`.\n",
    "Quotes \"here\" and 'there'.\n",
]


@pytest.mark.parametrize("body", NONE)
def test_outside_the_subset_falls_back(body: str) -> None:
    assert assert_agrees(body) is None


@pytest.mark.parametrize("body", SAME)
def test_tricky_bodies_inside_the_subset(body: str) -> None:
    assert assert_agrees(body) is not None


def test_repeated_headings_get_numbered_slugs_and_levels_five_and_six_none() -> None:
    html = fast_render("# Notes\n\n## Notes\n\n### Notes-1\n\n##### Notes\n", "d/a.html", LINKS)
    assert html is not None
    assert [line.split('"')[1] for line in html.splitlines() if " id=" in line] == ["notes", "notes-1", "notes-1-1"]
    assert "<h5>Notes</h5>" in html


def test_render_body_uses_the_fast_path_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool.site import markdown_fast

    answers: list[str | None] = []
    real = markdown_fast.fast_render
    monkeypatch.setattr(markdown_fast, "fast_render", lambda *args: answers.append(real(*args)) or answers[-1])
    body = "# A\n\nSee [[a]] and **this**.\n"
    expected = oracle(body, "d/a.html", False)
    assert render_body(body, "x.md", "d/a.html", LINKS) == expected == render_body(body, "x.md", "d/a.html", LINKS, True)
    assert answers == [expected, expected]  # both came from the fast path
    assert render_body("*em*", "x.md", "d/a.html", LINKS) == "<p><em>em</em></p>\n"
    assert answers[2:] == [None]  # asked, declined, and markdown-it rendered it


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_escaping_and_slugs_are_markdown_it_s_own(text: str) -> None:
    """The fast path escapes and slugs without importing markdown-it: the same functions' results."""
    from markdown_it.common.utils import escapeHtml
    from mdit_py_plugins.anchors.index import slugify as plugin_slugify
    from mdit_py_plugins.anchors.index import unique_slug as plugin_unique_slug

    from workspace_tool.site.markdown import escape_html, slugify, unique_slug

    assert escape_html(text) == escapeHtml(text)
    assert slugify(text) == plugin_slugify(text)
    ours: set[str] = {"a", "a-1", "b"}
    theirs = set(ours)
    for slug in ("a", "a", "b", "c", "c", slugify(text), slugify(text)):
        assert unique_slug(slug, ours) == plugin_unique_slug(slug, theirs)
    assert ours == theirs


def test_a_fast_path_body_does_not_import_markdown_it() -> None:
    """Most bodies take the fast path, so a build that renders only those never pays markdown-it's import (30 ms)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from workspace_tool.site.build import build_site\n"
        "from workspace_tool.site.markdown import LinkMap, render_body\n"
        "html = render_body('# Title\\n\\nText and [[a]].\\n', 'x.md', 'd/a.html', LinkMap())\n"
        "assert 'id=\"title\"' in html, html\n"
        "print(sorted(name for name in sys.modules if name.startswith(('markdown_it', 'mdit_py_plugins'))))\n"
        "render_body('*em*', 'x.md', 'd/a.html', LinkMap())\n"
        "print('markdown_it' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.splitlines() == ["[]", "True"]
