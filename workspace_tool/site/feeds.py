"""Atom feeds of the activity: one for the workspace (`feed.xml`) and one per project (`feeds/<id>.xml`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Sequence

from workspace_tool.site.contexts import Event
from workspace_tool.site.markdown import relative_url
from workspace_tool.site.xmltext import escape, quoteattr

MAX_ENTRIES = 50


def _link(base_url: str, target: str, feed_path: str) -> str:
    """An absolute link with a base URL, else one relative to the feed file (resolved by the reader against the feed's URL)."""
    if base_url:
        return base_url.rstrip("/") + "/" + target
    return relative_url(target, feed_path)


def _updated(event: Event) -> str:
    """When an event happened: its commit's time (UTC), or the start of its day (a working-copy change)."""
    instant = event.get("instant")
    if instant is not None:
        return dt.datetime.fromtimestamp(instant, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{event['date']}T00:00:00Z"


def _entry_id(event: Event, seen: dict[str, int]) -> str:
    """An entry's ID: the same for the same event in every build (a reader shows an entry once), whatever came
    before it in the feed; a hash of what the event is (document, moment, kind, author), so no spaces."""
    key = "\0".join((event["ref"]["id"], str(event.get("instant", event["date"])), event["kind"], event.get("author", "")))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def atom(title: str, feed_path: str, home: str, events: Sequence[Event], base_url: str, site_id: str) -> str:
    """An Atom 1.0 document for events (newest first) as built by `pages_overview.activity_events`: each entry dated
    by its commit's time and signed by its author, so a feed reader sorts and shows them as the activity page does."""
    updated = max((_updated(e) for e in events[:MAX_ENTRIES]), default=dt.date(1970, 1, 1).isoformat() + "T00:00:00Z")
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(site_id)}:{escape(feed_path)}</id>",
        f"<updated>{updated}</updated>",
        f'<link rel="alternate" type="text/html" href={quoteattr(_link(base_url, home, feed_path))}/>',
        f'<link rel="self" href={quoteattr(_link(base_url, feed_path, feed_path))}/>',
        "<author><name>wm</name></author>",
    ]
    seen: dict[str, int] = {}
    for event in events[:MAX_ENTRIES]:
        ref = event["ref"]
        summary = f"{ref['title']} ({ref['id']}): {event['kind']}"
        if event.get("author"):
            summary += f" by {event['author']}"
        out += [
            "<entry>",
            f"<title>{escape(summary)}</title>",
            f"<id>{escape(site_id)}:entry:{_entry_id(event, seen)}</id>",
            f"<updated>{_updated(event)}</updated>",
        ]
        if event.get("author"):
            out.append(f"<author><name>{escape(event['author'])}</name></author>")
        if url := ref.get("url"):
            out.append(f'<link rel="alternate" type="text/html" href={quoteattr(_link(base_url, url, feed_path))}/>')
        out += [f"<summary>{escape(summary)}</summary>", "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"
