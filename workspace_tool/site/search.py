"""The client-side search index: titles, IDs, tags and text of every visible document.

Written as `search-index.js` (a script that sets `window.WM_SEARCH`) so the
search page works from file:// as well as over HTTP, where `fetch` of a
JSON file would be blocked.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from workspace_tool.model import Document
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
    return [record for doc in data.docs() if (record := search_record(data, doc)) is not None]


def search_record(data: SiteData, doc: Document) -> dict[str, Any] | None:
    """One document's entry (None: not searchable on this site). It depends on the document's file and the audience only."""
    if doc.type == "timelog" and not data.vis.audience.internal:
        return None
    return {
        "id": doc.id,
        "title": doc.title,
        "type": doc.type,
        "tags": list(doc.tags),
        "status": getattr(doc, "status", None) or "",
        "url": doc_page(doc),
        "text": "" if doc.type == "timelog" or (doc.type == "person" and not data.vis.audience.internal) else plain_text(doc.body),
    }


def search_entries(data: SiteData, prints: Mapping[str, str], kept: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every searchable document's entry as JSON text, by file path, with the fingerprint of the file it was made from.

    `kept` holds the last build's (same audience and documents): a file whose
    fingerprint is the same keeps its text, so an edit encodes one entry.
    """
    entries: dict[str, list[str]] = {}
    for doc in data.docs():
        fingerprint = prints.get(doc.path, "")
        old = kept.get(doc.path)
        if fingerprint and isinstance(old, list) and len(old) == 2 and old[0] == fingerprint:
            entries[doc.path] = old
            continue
        record = search_record(data, doc)
        if record is not None:
            entries[doc.path] = [fingerprint, encode(record)]
    return entries


def encode(record: dict[str, Any]) -> str:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    # `<`, `>` and `&` as escapes: the data stays inert even if the script is ever inlined into a page
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def search_script(records: list[dict[str, Any]]) -> str:
    return script_of(encode(record) for record in records)


def script_of(encoded: Iterable[str]) -> str:
    """`search-index.js` from encoded entries (the same text as encoding the whole list at once)."""
    return "window.WM_SEARCH=[" + ",".join(encoded) + "];\n"
