"""A fast, exact renderer for the plain Markdown most document bodies use.

markdown-it-py costs about half a millisecond per body, a sizeable part of a
cold site build, yet most bodies are a heading, a few paragraphs, a task list
and some `[[id]]` links. `fast_render` renders that subset with string
operations, about ten times faster, and returns *exactly* the string
`render_body` gets from markdown-it (`make_markdown`: CommonMark, tasklists,
footnotes, anchors with permalinks, wiki links); for anything else it returns
None and markdown-it renders the body. When in doubt it returns None: coverage
is traded for certainty. `tests/test_site_markdown_fast.py` checks the output
against markdown-it with differential property tests, for both `allow_html`
values (raw HTML cannot start in the subset, so both render alike).

The subset, line by line (lines split on `\\n` only, each one printable: no
tabs, control or Unicode space characters, no trailing spaces):

- blank lines (empty ones: a line of spaces is rejected);
- ATX headings `# text` .. `###### text`: one space after the marks, no
  closing `#`; levels 1-4 get the anchors plugin's `id` and permalink (named
  `ANCHOR_LABEL`), with its own slug and de-duplication functions, levels 5-6
  neither;
- paragraph lines, each starting with a letter or digit (but not an ordered
  list marker such as `1.`), a non-ASCII character, `(`, `"`, `'`, `[[`,
  `**x` or `` `x ``: nothing that starts another block;
- tight bullet lists of `- text` and task items `- [ ] text` / `- [x] text`
  (checkbox and text wrapped in a `<label>`, as the tasklists plugin's `label`),
  continuation lines indented by exactly two spaces. A list may interrupt a
  paragraph; after an item comes another item, a continuation, a heading or a
  blank line (never a lazy continuation), and an item after a blank line (a
  loose list) is rejected.

Inline: `[[...]]` links, rendered by `wiki_html` (the helper markdown-it's wiki
rule uses too); `**strong**` whose delimiters can only open (after a space or
at the start) or only close (before a space or the end, or `.,:;?)` right
after a letter or digit); `` `code` `` between single backticks, without
`[`, `]`, `*` or edge spaces; and text holding none of ``! * < > [ \\ ] ^ _ ` | ~``
nor an `&` that could start an entity. So no emphasis, links, images,
autolinks, raw HTML, entities, escapes, footnotes, strikethrough or tables can
start, and text is escaped as markdown-it escapes it (`escape_html`).
"""

from __future__ import annotations

import re

from workspace_tool.site.markdown import _WIKI, ANCHOR_LABEL, LinkMap, escape_html, slugify, unique_slug, wiki_html

_HEADING = re.compile(r"(#{1,6}) (\S.*)")
_TASK = re.compile(r"\[([ xX])\] ")
_SPECIAL = re.compile(r"[!*<>\[\\\]^_`|~]|&[#A-Za-z]")  # and `&` that may start an entity
_CODE_SPECIAL = re.compile(r"[\[\]*\n]")  # kept out of code spans, so that links and `**` split around them
_AFTER_WORD = frozenset(".,:;?)")  # may follow a closing `**` right after a letter or digit
_ORDERED = re.compile(r"[0-9]+[.)]")
_SAFE_ASCII_START = frozenset("(\"'[")
_ANCHOR_LEVELS = frozenset("1234")
_CHECKBOX = '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox">'
_CHECKED = '<input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox">'


class _Unsupported(Exception):
    """The body leaves the subset: markdown-it renders it."""


def fast_render(body: str, page: str, links: LinkMap) -> str | None:
    """`body` as HTML for the site page at `page`, exactly as markdown-it renders it; None outside the subset."""
    try:
        return _Renderer(page, links).render(body)
    except _Unsupported:
        return None


class _Renderer:
    """One body's blocks, line by line: the open paragraph or list, and the heading slugs used so far."""

    __slots__ = ("page", "links", "out", "slugs", "para", "items", "in_item", "gap")

    def __init__(self, page: str, links: LinkMap) -> None:
        self.page = page
        self.links = links
        self.out: list[str] = []
        self.slugs: set[str] = set()
        self.para: list[str] = []
        self.items: list[tuple[str | None, list[str]]] = []  # (checkbox or None, lines) per list item
        self.in_item = False  # the previous line is an item or its continuation
        self.gap = False  # a list ended at a blank line: an item now would make it loose

    def render(self, body: str) -> str:
        for line in body.split("\n"):
            self._line(line)
        self._close()
        return "".join(self.out)

    def _line(self, line: str) -> None:
        if not line:
            self._close()
            self.gap = self.gap or self.in_item
            self.in_item = False
            return
        if line[-1] == " " or not line.isprintable():
            raise _Unsupported
        first = line[0]
        if first == "#":
            self._heading(line)
        elif first == "-":
            self._item(line)
        elif first == " ":
            self._continuation(line)
        else:
            self._paragraph_line(line)

    def _heading(self, line: str) -> None:
        match = _HEADING.fullmatch(line)
        if match is None or line[-1] == "#":
            raise _Unsupported
        self._close()
        self.gap = self.in_item = False
        marks, content = match.groups()
        html, title = self._inline(content)
        level = str(len(marks))
        if level not in _ANCHOR_LEVELS:
            self.out.append(f"<h{level}>{html}</h{level}>\n")
            return
        slug = escape_html(unique_slug(slugify(title), self.slugs))
        self.out.append(f'<h{level} id="{slug}">{html} <a class="header-anchor" href="#{slug}" aria-label="{ANCHOR_LABEL}">#</a></h{level}>\n')

    def _item(self, line: str) -> None:
        if not line.startswith("- ") or self.gap:
            raise _Unsupported
        content = line[2:]
        if content[0] == " ":
            raise _Unsupported
        self._close_paragraph()  # a bullet item interrupts a paragraph
        task = _TASK.match(content)
        if task is None:
            _check_start(content)
            self.items.append((None, [content]))
        else:
            self.items.append((_CHECKBOX if task.group(1) == " " else _CHECKED, [content]))
        self.in_item = True

    def _continuation(self, line: str) -> None:
        content = line[2:]
        if not (self.in_item and line.startswith("  ") and content[0] != " "):
            raise _Unsupported
        _check_start(content)
        self.items[-1][1].append(content)

    def _paragraph_line(self, line: str) -> None:
        if self.in_item:  # a lazy continuation of the item
            raise _Unsupported
        _check_start(line)
        self.gap = False
        self.para.append(line)

    def _close(self) -> None:
        self._close_paragraph()
        self._close_list()

    def _close_paragraph(self) -> None:
        if self.para:
            text = "\n".join(self.para)
            self.out.append(f"<p>{self._inline(text)[0]}</p>\n")
            self.para = []

    def _close_list(self) -> None:
        if not self.items:
            return
        tasks = any(checkbox is not None for checkbox, _ in self.items)
        out = self.out
        out.append('<ul class="contains-task-list">\n' if tasks else "<ul>\n")
        for checkbox, lines in self.items:
            text = "\n".join(lines)
            if checkbox is None:
                out.append(f"<li>{self._inline(text)[0]}</li>\n")
            else:  # the plugin drops `[ ]` from the first text, keeping the space, and labels the box with the text
                out.append(f'<li class="task-list-item"><label>{checkbox}{self._inline(text[3:])[0]}</label></li>\n')
        out.append("</ul>\n")
        self.items = []

    def _inline(self, text: str) -> tuple[str, str]:
        """Inline content as HTML, and its text (what the anchors plugin makes a heading's slug from)."""
        if "[" not in text and "`" not in text and "*" not in text:  # the common case: plain text
            if _SPECIAL.search(text) is not None:
                raise _Unsupported
            return escape_html(text), text
        pieces = _WIKI.split(text)  # text and wiki-link contents alternating, text first and last
        last = len(pieces) - 1
        html: list[str] = []
        title: list[str] = []
        for index, piece in enumerate(pieces):
            if index % 2:
                html.append(wiki_html(piece, self.links, self.page))
            elif "**" in piece:
                _strong(piece, index == 0, index == last, html, title)
            else:
                _text(piece, html, title)
        return "".join(html), "".join(title)


def _text(text: str, html: list[str], title: list[str]) -> None:
    """Text with `code` spans (single backticks), everything else plain."""
    if "`" not in text:
        _plain(text, html, title)
        return
    parts = text.split("`")
    if len(parts) % 2 == 0 or "``" in text:  # runs of two or more backticks pair up differently
        raise _Unsupported
    for index, part in enumerate(parts):
        if index % 2 == 0:
            _plain(part, html, title)
        elif part == "" or part[0] == " " or part[-1] == " " or _CODE_SPECIAL.search(part) is not None:
            raise _Unsupported
        else:
            html.append(f"<code>{escape_html(part)}</code>")
            title.append(part)


def _plain(text: str, html: list[str], title: list[str]) -> None:
    if _SPECIAL.search(text) is not None:
        raise _Unsupported
    html.append(escape_html(text))
    title.append(text)


def _strong(text: str, at_start: bool, at_end: bool, html: list[str], title: list[str]) -> None:
    """Text with `**strong**` spans whose delimiters can only open (after a space) or only close (before a space)."""
    parts = text.split("**")
    last = len(parts) - 1
    if last % 2:
        raise _Unsupported
    for index in range(1, last, 2):
        before, inner, after = parts[index - 1], parts[index], parts[index + 1]
        if inner == "" or inner[0] == " " or inner[-1] == " " or "\n" in inner:
            raise _Unsupported
        opens = before[-1:] in (" ", "\n") if before else at_start and index == 1
        if after:
            closes = after[0] in (" ", "\n") or (after[0] in _AFTER_WORD and inner[-1].isalnum())
        else:
            closes = at_end and index + 1 == last
        if not (opens and closes):
            raise _Unsupported
    for index, part in enumerate(parts):
        if index % 2:
            html.append("<strong>")
            _text(part, html, title)
            html.append("</strong>")
        else:
            _text(part, html, title)


def _check_start(line: str) -> None:
    """A block's first line must not start any other block (list, quote, fence, table, setext, HTML, reference...)."""
    first = line[0]
    if first == "*" and line[1:2] == "*" and line[2:3] not in ("", " ", "*"):
        return  # `**strong` opens a paragraph: neither a bullet nor a thematic break
    if first == "`" and line[1:2] not in ("", "`"):
        return  # `code`, not a fence
    if first.isascii():
        if first.isalnum():
            if first.isdigit() and _ORDERED.match(line) is not None:
                raise _Unsupported
        elif first not in _SAFE_ASCII_START:
            raise _Unsupported
