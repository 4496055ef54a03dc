"""The client-side search index: titles, IDs, tags and text of every visible document.

Scripts that set `window.WM_SEARCH`, not JSON, so the search page works
from file:// as well as over HTTP (`fetch` of a file:// URL is blocked).

A site of fewer than `SHARD_FROM` visible documents has the whole index in
`search-index.js`. A larger one splits it into `SHARDS` shards by a hash of
each document's file path, `search-index-00.js` ... `search-index-15.js`,
and `search-index.js` only names them (`window.WM_SEARCH_SHARDS`) for
`static/search.js` to load (script elements, still no fetch): an edit of one
document then encodes and writes one shard, and its kept entries
(`build.search_path`), instead of the whole index (8 MB at 10,000 documents).
Every shard, like the one file, lists its entries in ID order, and the page
sorts the union by ID, so results and their order do not depend on the split.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from workspace_tool.model import Document
from workspace_tool.site.context import SiteData, doc_page
from workspace_tool.site.deps import same_text

TEXT_LIMIT = 1200
INDEX = "search-index.js"
SHARDS = 16  # at 10,000 documents: about 0.5 MB a shard (see docs/site.md, "Search")
SHARD_FROM = 1000  # visible documents; below, the whole index is one file (under 1 MB, rewritten in a few ms)
SPLIT = "CRC-32 of the file path"  # how `shard_of` splits; named in `loader_script`, so a change makes every shard again
LOADER = b"window.WM_SEARCH=[];window.WM_SEARCH_SHARDS="
_WIKI = re.compile(r"\[\[([^\[\]|#\n]+)(?:[#|][^\[\]\n]*)?\]\]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[`*_>#~|<>\[\]]+")


def plain_text(body: str) -> str:
    """A body as searchable words: wiki links as their bare target (never a label), link texts kept, markup removed."""
    text = _WIKI.sub(lambda m: m.group(1), body) if "[[" in body else body
    text = _LINK.sub(lambda m: m.group(1), text) if "](" in text else text
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split())[:TEXT_LIMIT]  # `str.split()` splits on exactly what `\s` matches, in C


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


def encoded(data: SiteData, doc: Document) -> str | None:
    """A document's entry as JSON text (None: not searchable on this site): the one `encode_early` made, else made now."""
    found = data.early_search.get(doc.path, "")
    if found == "":
        record = search_record(data, doc)
        found = encode(record) if record is not None else None
    return found


def encode_early(data: SiteData) -> None:
    """Every visible document's entry, encoded into `data.early_search`: a cold build does it while a forked child
    reads the history (each entry depends on the document's file and the audience only), so the search index's
    files take a few milliseconds once the pages are made."""
    data.early_search = {doc.path: encoded(data, doc) for doc in data.docs()}


def search_entries(
    data: SiteData, files: Mapping[str, Sequence[Any]], kept: Mapping[str, Any], docs: Iterable[Document] | None = None
) -> dict[str, list[str]]:
    """The entries of `docs` (default: every visible document) that are searchable, as JSON text by file path, with the fingerprint of the file.

    `files` is the build's record of document files (the fingerprint first).
    `kept` holds the last build's (same audience and documents): a file whose
    fingerprint is the same, or differs in its time alone (`deps.same_text`: an
    entry is made from the text), keeps its text, so an edit encodes one entry.
    """
    entries: dict[str, list[str]] = {}
    for doc in data.docs() if docs is None else docs:
        found = files.get(doc.path)
        fingerprint = found[0] if found else ""
        old = kept.get(doc.path)
        if fingerprint and isinstance(old, list) and len(old) == 2 and same_text(old[0], fingerprint):
            entries[doc.path] = old if old[0] == fingerprint else [fingerprint, old[1]]
            continue
        found = encoded(data, doc)
        if found is not None:
            entries[doc.path] = [fingerprint, found]
    return entries


def shard_count(data: SiteData) -> int:
    """1 (the whole index in `search-index.js`) or `SHARDS`, by the number of visible documents.

    When a build's count is not the last build's, `fresh_groups` finds the
    last split differs (`same_split`) and every shard is made again (the old
    files are removed).
    """
    return SHARDS if len(data.vis.ids) >= SHARD_FROM else 1


def shard_of(path: str, count: int) -> int:
    """A document's shard: a stable hash of its file path (the same in every process and build)."""
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % count if count > 1 else 0


def shard_file(shard: int, count: int) -> str:
    return INDEX if count == 1 else f"search-index-{shard:02d}.js"


def shard_docs(data: SiteData, count: int) -> list[list[Document]]:
    """The visible documents of each shard, in ID order."""
    shards: list[list[Document]] = [[] for _ in range(count)]
    for doc in data.docs():
        shards[shard_of(doc.path, count)].append(doc)
    return shards


def index_groups(count: int) -> dict[str, list[str]]:
    """The index's files by post-build group: `search` is `search-index.js` (every entry, or the list of shards); `search-NN` is shard NN's file."""
    groups = {"search": [INDEX]}
    if count > 1:
        groups.update((f"search-{shard:02d}", [shard_file(shard, count)]) for shard in range(count))
    return groups


def is_index_group(group: str) -> bool:
    return group == "search" or group.startswith("search-")


def group_shards(groups: Iterable[str], count: int) -> list[int]:
    """The shards whose entries the `groups` hold."""
    if count == 1:
        return [0] if "search" in groups else []
    return sorted(int(group.removeprefix("search-")) for group in groups if group.startswith("search-"))


def fresh_groups(count: int, edited: Iterable[str] | None, out: Path | None) -> dict[str, bool]:
    """Which of the index's groups the last build's files in `out` are still right for.

    `edited`: the document files changed since the last build of the same
    global key (None: another key, every group is made). An entry is made
    from its file and the global key only, so a shard none of whose files
    changed is the same, if the shards are split as in that build: its
    `search-index.js` says so (`same_split`).
    """
    if edited is None or not same_split(out, count):
        return dict.fromkeys(index_groups(count), False)
    touched = {shard_of(path, count) for path in edited}
    if count == 1:
        return {"search": not touched}
    return {"search": True, **{f"search-{shard:02d}": shard not in touched for shard in range(count)}}


def encode(record: dict[str, Any]) -> str:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    # `<`, `>` and `&` as escapes: the data stays inert even if the script is ever inlined into a page
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def script_of(encoded: Iterable[str]) -> str:
    """`search-index.js` of a site in one file, from encoded entries (the same text as encoding the whole list at once)."""
    return "window.WM_SEARCH=[" + ",".join(encoded) + "];\n"


def shard_script(encoded: Iterable[str], count: int) -> str:
    """A shard's file: its entries added to `window.WM_SEARCH` (shards load in any order); with one shard, `script_of`."""
    if count == 1:
        return script_of(encoded)
    return "window.WM_SEARCH=(window.WM_SEARCH||[]).concat([" + ",".join(encoded) + "]);\n"


def loader_script(count: int) -> str:
    """`search-index.js` of a sharded site: the shards' files, for `static/search.js` to load, relative to this script."""
    names = json.dumps([shard_file(shard, count) for shard in range(count)], separators=(",", ":"))
    shards = f"{{base:document.currentScript?document.currentScript.src:\"\",files:{names}}}"
    return f"{LOADER.decode()}{shards};/* {count} shards by {SPLIT} */\n"


def same_split(out: Path | None, count: int) -> bool:
    """Whether the `search-index.js` in `out` is of a build that split the index the same way (one small read).

    The count follows the number of visible documents: a build whose count
    is not the last one's, like a changed `SHARDS`, `SHARD_FROM` or
    `shard_of`, or an index of an older version, makes every shard again, as
    a changed global key does.
    """
    if out is None:
        return False
    expected = loader_script(count).encode() if count > 1 else b""
    try:
        with open(out / INDEX, "rb") as handle:
            head = handle.read(len(expected) + 1 if count > 1 else len(LOADER))
    except OSError:
        return False
    return head == expected if count > 1 else head.startswith(b"window.WM_SEARCH=[") and not head.startswith(LOADER)


def outdated_script(script: Path, count: int) -> str | None:
    """A warning when a workspace's own `static/search.js` cannot read a sharded index (`count` > 1): a copy made
    before the index was split reads `window.WM_SEARCH` only, and would find nothing. None when it can."""
    if count <= 1:
        return None
    try:
        text = script.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if "WM_SEARCH_SHARDS" in text:
        return None
    return (
        f"{script}:1: this search.js does not load the search index's shards (window.WM_SEARCH_SHARDS), which a site of "
        f"{SHARD_FROM:,} documents or more has: its search finds nothing; copy the shipped static/search.js again and redo your changes"
    )
