"""XML text and attribute escaping, as `xml.sax.saxutils` does it (importing that module pulls in `urllib.request`)."""

from __future__ import annotations


def escape(data: str) -> str:
    """`&`, `<` and `>` as entities (`xml.sax.saxutils.escape`)."""
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    """An attribute value with its quotes (`xml.sax.saxutils.quoteattr`): escaped, line breaks and tabs as character references,
    in double quotes unless the value holds a double quote and no single one."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"{}"'.format(data.replace('"', "&quot;"))
        return f"'{data}'"
    return f'"{data}"'
