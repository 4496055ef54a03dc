"""XML text and attribute escaping, as `xml.sax.saxutils` does it (importing that module pulls in `urllib.request`),
plus what saxutils leaves out: characters XML 1.0 forbids become U+FFFD, so a title or commit message holding one
cannot make a feed or chart not well-formed."""

from __future__ import annotations

import re

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow, even as references: C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF."""


def escape(data: str) -> str:
    """`&`, `<` and `>` as entities (`xml.sax.saxutils.escape`); a character XML forbids as U+FFFD (`_FORBIDDEN`)."""
    return _FORBIDDEN.sub("\ufffd", data).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    """An attribute value with its quotes (`xml.sax.saxutils.quoteattr`): escaped, line breaks and tabs as character references,
    in double quotes unless the value holds a double quote and no single one."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"{}"'.format(data.replace('"', "&quot;"))
        return f"'{data}'"
    return f'"{data}"'
