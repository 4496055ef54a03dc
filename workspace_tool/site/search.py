"""The client-side search index: titles, IDs, tags and text of every visible document.

Written as `search-index.js` (a script that sets `window.WM_SEARCH`) so the
search page works from file:// as well as over HTTP, where `fetch` of a
JSON file would be blocked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from workspace_tool.site.context import SiteData, doc_page

TEXT_LIMIT = 1200
_WIKI = re.compile(r"\[\[([^\[\]|#\n]+)(?:[#|][^\[\]\n]*)?\]\]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[`*_>#~|<>\[\]]+")


def plain_text(body: str) -> str:
    """A body as searchable words: wiki links as their bare target (never a label), link texts kept, markup removed."""
    text = _WIKI.sub(lambda m: m.group(1), body) if "[[" in body else body
    text = _LINK.sub(lambda m: m.group(1), text) if "](" in text else text
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())[:TEXT_LIMIT]  # `str.split()` splits on exactly what `\s` matches, in C


def search_records(data: SiteData) -> list[dict[str, Any]]:
    records = []
    for doc in data.docs():
        if doc.type == "timelog" and not data.vis.audience.internal:
            continue
        records.append({
            "id": doc.id,
            "title": doc.title,
            "type": doc.type,
            "tags": list(doc.tags),
            "status": getattr(doc, "status", None) or "",
            "url": doc_page(doc),
            "text": "" if doc.type == "timelog" or (doc.type == "person" and not data.vis.audience.internal) else plain_text(doc.body),
        })
    return records


def search_script(records: list[dict[str, Any]]) -> str:
    payload = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    # `<`, `>` and `&` as escapes: the data stays inert even if the script is ever inlined into a page
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return "window.WM_SEARCH=" + payload + ";\n"
