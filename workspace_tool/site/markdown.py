"""Document bodies to safe HTML with markdown-it-py.

CommonMark plus tables, strikethrough, task lists, footnotes and heading
anchors. `[[id]]` links and relative links are resolved from a per-page
`LinkMap` computed when pages are collected (so a page's rendered HTML
depends only on its own inputs). Raw HTML is escaped unless the workspace
allows it; links with unsafe schemes, and relative links that leave the
workspace or name nothing visible, become plain text.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from urllib.parse import unquote

if TYPE_CHECKING:  # markdown-it is imported when a body first needs it (`make_markdown`): most take the fast path
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INLINE_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_WIKI = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_SLUG_DROPPED = re.compile(r"[^\w\u4e00-\u9fff\- ]")


def escape_html(raw: str) -> str:
    """`&`, `<`, `>` and `"` as entities: markdown-it's `escapeHtml`, without importing markdown-it."""
    return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def slugify(title: str) -> str:
    """A heading's anchor: the anchors plugin's default slug (GitHub's style), which `make_markdown` passes it, so the
    fast path and markdown-it make the same ids."""
    return _SLUG_DROPPED.sub("", title.lower().replace(" ", "-"))


def unique_slug(slug: str, slugs: set[str]) -> str:
    """`slug`, or `slug-1`, `slug-2`, ... when taken in this body (as the anchors plugin de-duplicates); recorded in `slugs`."""
    found = slug
    n = 1
    while found in slugs:
        found = f"{slug}-{n}"
        n += 1
    slugs.add(found)
    return found


@dataclass(frozen=True)
class WikiTarget:
    """What `[[target]]` renders as: a link to `url` (a site path), or the bare ID when `url` is None.

    `candidates`: for a `[[stem]]` that several notes share (`Index.ambiguous`), the (ID, site path) of each one
    this site shows; the link then renders as the bare stem marked ambiguous, with a link to each.
    """

    text: str
    url: str | None = None
    candidates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LinkMap:
    """The resolved links of one body: wiki targets, and workspace paths mapped to site paths."""

    wiki: Mapping[str, WikiTarget] = field(default_factory=dict)
    paths: Mapping[str, str] = field(default_factory=dict)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")


def shift_headings(html: str, by: int) -> str:
    """Rendered body HTML with every heading `by` levels lower (`<h2 id=..>` -> `<h3 id=..>`, at most `<h6>`), ids and
    permalinks kept: a body shown under a page's own `<h2>` (the project page's "About") nests beneath it. Only tags
    match: text and code in the HTML are escaped, so a literal `<h2` there reads `&lt;h2`."""
    if by <= 0:
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + by, 6)}", html)


def split_wiki(inner: str) -> tuple[str, str | None, str | None]:
    """`id#frag|label` -> (id, fragment, label)."""
    target, _, label = inner.partition("|")
    target, _, fragment = target.partition("#")
    return target.strip(), (fragment.strip() or None), (label.strip() or None)


def relative_targets(body: str) -> list[str]:
    """Relative link and image targets in a body (inline links and reference definitions), fragment removed."""
    found = []
    for match in (*_INLINE_TARGET.finditer(body), *_REF_DEFINITION.finditer(body)):
        raw = match.group(1)
        if _SCHEME.match(raw) or raw.startswith(("#", "/", "//")):
            continue
        found.append(unquote(raw.split("#", 1)[0].split("?", 1)[0]))
    return [t for t in found if t]


def resolve_relative(doc_path: str, target: str) -> str | None:
    """A link target relative to a document, as a workspace path; None when it leaves the workspace."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), target))
    if joined.startswith("../") or joined == ".." or joined.startswith("/") or joined == ".":
        return None
    return joined


def relative_url(target: str, page: str) -> str:
    """A site path (`d/x.html`, or a folder URL ending in `/`) as seen from another site page, always relative."""
    cut = page.rfind("/")
    return _relative_url(target, page[:cut] if cut >= 0 else None)


@lru_cache(maxsize=65536)
def _relative_url(target: str, folder: str | None) -> str:
    """`relative_url` from the pages in `folder` (None: the top): kept per folder, which thousands of pages share."""
    base = folder.split("/") if folder is not None else []
    parts = target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    link = "../" * (len(base) - common) + "/".join(parts[common:])
    return link or "./"


def _wiki_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("[[", pos):
        return False
    match = _WIKI.match(src, pos)
    if match is None:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = match.group(1)
    state.pos = match.end()
    return True


def _render_wiki(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Mapping[str, Any]) -> str:
    return wiki_html(tokens[idx].content, env["links"], env["page"])


def wiki_html(inner: str, links: LinkMap, page: str) -> str:
    """`[[inner]]` as HTML on the site page at `page` (shared by markdown-it's rule and the fast path)."""
    target, fragment, label = split_wiki(inner)
    found = links.wiki.get(target)
    if found is not None and found.candidates:
        return ambiguous_html(target, found.candidates, fragment, page)
    if found is None or found.url is None:
        # unknown or not visible: the bare ID, never a title or label that could name it
        return f'<span class="wiki-missing">{escape_html(target)}</span>'
    href = relative_url(found.url, page) + (f"#{fragment}" if fragment else "")
    return f'<a class="wiki" href="{escape_html(href)}">{escape_html(label or found.text)}</a>'


def ambiguous_html(target: str, candidates: Sequence[tuple[str, str]], fragment: str | None, page: str) -> str:
    """A `[[stem]]` several notes share: the bare stem (never a label, which may name a hidden one), marked ambiguous,
    then a link to each of `candidates` (ID, site path), named by its ID."""
    anchor = f"#{fragment}" if fragment else ""
    links = ", ".join(
        f'<a class="wiki" href="{escape_html(relative_url(url, page) + anchor)}">{escape_html(doc_id)}</a>' for doc_id, url in candidates
    )
    title = escape_html(f"ambiguous link: {len(candidates)} notes are named {target}")
    return f'<span class="wiki-ambiguous" title="{title}">{escape_html(target)} <span class="wiki-candidates">({links})</span></span>'


def _safe_link(url: str) -> bool:
    scheme = _SCHEME.match(url.strip())
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def _rewrite(href: str, env: Mapping[str, Any]) -> str | None:
    """The final href of a link, or None to drop the link and keep its text."""
    if not _safe_link(href):
        return None
    if _SCHEME.match(href) or href.startswith(("#", "//")):
        return href
    if href.startswith("/"):
        return None
    path, hash_, fragment = href.partition("#")
    path = unquote(path.split("?", 1)[0])
    resolved = resolve_relative(env["doc_path"], path)
    links: LinkMap = env["links"]
    if resolved is None or resolved not in links.paths:
        return None
    return relative_url(links.paths[resolved], env["page"]) + (hash_ + fragment)


def _rewrite_links(state: Any) -> None:
    from markdown_it.token import Token

    env = state.env
    for block in state.tokens:
        if block.children is None:
            continue
        children: list[Token] = []
        dropping: list[bool] = []
        for token in block.children:
            if token.type == "link_open":
                href = _rewrite(str(token.attrGet("href") or ""), env)
                dropping.append(href is None)
                if href is None:
                    continue
                token.attrSet("href", href)
            elif token.type == "link_close":
                if dropping and dropping.pop():
                    continue
            elif token.type == "image":
                src = _rewrite(str(token.attrGet("src") or ""), env)
                if src is None:
                    alt = Token("text", "", 0)
                    alt.content = token.content
                    children.append(alt)
                    continue
                token.attrSet("src", src)
            children.append(token)
        block.children = children


ANCHOR_LABEL = "Link to this section"


def _name_anchors(state: Any) -> None:
    """Give each heading's "#" permalink a name (`ANCHOR_LABEL`), so a heading is not read as "Scope #"."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "link_open" and token.attrGet("class") == "header-anchor":
                token.attrSet("aria-label", ANCHOR_LABEL)


def _validate_link(url: str) -> bool:
    """Accept every link while parsing: `_rewrite_links` then drops unsafe ones, keeping their text."""
    return True


def make_markdown(allow_html: bool = False) -> MarkdownIt:
    """The body renderer; raw HTML only when `allow_html`."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.use(tasklists_plugin, label=True)  # each checkbox named by its item's text: `<label><input ...> text</label>`
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=4, slug_func=slugify, permalink=True, permalinkSymbol="#")
    md.inline.ruler.before("link", "wikilink", _wiki_rule)
    md.add_render_rule("wikilink", _render_wiki)
    md.core.ruler.push("wm_links", _rewrite_links)
    md.core.ruler.push("wm_anchor_names", _name_anchors)
    return md


_RENDERERS: dict[bool, MarkdownIt] = {}


PLAIN_BODY_CHARS = 1_000_000
"""A body longer than this is shown as written (escaped, in `<pre>`), not rendered: markdown-it takes about 6 s and
250 MB a megabyte of dense emphasis, links and code spans (24 s and 1 GB for a crafted 4 MB note), and no one
writes a note that long to be read as formatted text."""


def render_body(body: str, doc_path: str, page: str, links: LinkMap, allow_html: bool = False) -> str:
    """One document body as HTML for the site page at `page`: the exact fast path when it applies, else markdown-it;
    one over `PLAIN_BODY_CHARS` as plain text."""
    from workspace_tool.site.markdown_fast import fast_render  # imported here: that module imports this one

    if len(body) > PLAIN_BODY_CHARS:
        return (
            f'<p class="note">This text is {len(body.encode("utf-8", "surrogatepass")) / 1e6:.1f} MB, so it is shown as written, '
            f"without Markdown formatting or links.</p>\n<pre>{escape_html(body)}</pre>\n"
        )
    html = fast_render(body, page, links)
    if html is not None:
        return html
    md = _RENDERERS.get(allow_html)
    if md is None:
        md = _RENDERERS[allow_html] = make_markdown(allow_html)
    return md.render(body, {"links": links, "doc_path": doc_path, "page": page})
