"""Jira's wiki markup (what its CSV export holds for descriptions and comments) as Markdown.

Pure and line by line: headings (`h2. `), lists (`*`, `#`, nested `**`, `#*`), quotes (`bq. `, `{quote}`), code
and `{noformat}` blocks (copied verbatim into fences), tables (`||head||`, `|cell|`), rules (`----`), and inline
bold, italics, monospace, strike-through, links (`[text|url]`, `[url]`), mentions (`[~name]`, `[~accountid:ID]`:
by the name the export pairs with the account, when it does), images and attachments (`!file.png!`, its display
options such as `|thumbnail` dropped), `{color}` spans (their text kept), escapes (`\\*not bold\\*`) and forced line
breaks (two backslashes). What it does not know stays as written: no other text is ever dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")
_LIST = re.compile(r"^([*#-]+)\s+(.*)$")
_BLOCK = re.compile(r"^\{(code|noformat)(?::([^}]*))?\}(.*)$")
_QUOTE = re.compile(r"^\{quote\}(.*)$")
_TABLE_HEAD = re.compile(r"^\|\|(.*)\|\|\s*$")
_TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")

_LINK = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]+)\]|\[(https?://[^\[\]|\s]+|mailto:[^\[\]|\s]+)\]")
_MENTION = re.compile(r"\[~(?:accountid:)?([^\]]+)\]")
_IMAGE = re.compile(r"!([^!\s|][^!|\n]*?\.[A-Za-z0-9]{2,5})(?:\|[^!\n]*)?!")
_MONO = re.compile(r"\{\{(.+?)\}\}")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w-])-(?=[^\s-])([^-\n]+?)(?<=[^\s-])-(?![\w-])")
_COLOR = re.compile(r"\{color(?::[^}]*)?\}")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation: the character as it is
_URL = re.compile(r"\bhttps?://[^\s<>\x00]*[^\s<>\x00.,;:!?)\]'\"]")


def to_markdown(text: str, depth: int = 0, names: Mapping[str, str] | None = None) -> str:
    """`text` in Jira's wiki markup as Markdown (see the module's docstring); `depth` moves headings down (`h1.`
    is `###` at depth 2, for a description under the document's `## Notes`), never below `######`; `names` (account
    ID -> name) names the people mentioned by account."""
    known = names or {}
    out: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        block = _BLOCK.match(line.strip())
        if block:
            kind, language, rest = block.groups()
            closing = "{" + kind + "}"
            lang = (language or "").split("|")[0].strip() if kind == "code" else ""
            lang = lang if re.fullmatch(r"[\w+#.-]+", lang) else ""
            if closing in rest:  # the whole block on one line: {noformat}text{noformat}
                rest, _, after = rest.partition(closing)
                if after.strip():
                    lines.insert(number, after.lstrip())
                fence = "~~~" if rest.lstrip().startswith("```") else "```"
                out += [fence + lang, rest, fence] if rest.strip() else []
                continue
            body: list[str] = [rest] if rest.strip() else []
            while number < len(lines) and closing not in lines[number]:
                body.append(lines[number])
                number += 1
            if number < len(lines):
                before, _, after = lines[number].partition(closing)
                if before.strip():
                    body.append(before)
                number += 1
                if after.strip():
                    lines.insert(number, after.lstrip())
            fence = "~~~" if any(b.lstrip().startswith("```") for b in body) else "```"
            out += [fence + lang, *body, fence]
            continue
        quote = _QUOTE.match(line.strip())
        if quote:
            rest = quote.group(1)
            if "{quote}" in rest:  # the whole quote on one line: {quote}text{quote}
                rest, _, after = rest.partition("{quote}")
                if after.strip():
                    lines.insert(number, after.lstrip())
                out += ["> " + _inline(rest, known)] if rest.strip() else []
                continue
            body = [rest] if rest.strip() else []
            while number < len(lines) and "{quote}" not in lines[number]:
                body.append(lines[number])
                number += 1
            if number < len(lines):
                body.append(lines[number].replace("{quote}", ""))
                number += 1
            out += ["> " + _inline(b, known) if b.strip() else ">" for b in body if b.strip() or body]
            continue
        out.append(_line(line, depth, known))
    return _blocks(_tables("\n".join(out)).split("\n")).strip("\n")


def _line(line: str, depth: int, names: Mapping[str, str]) -> str:
    stripped = line.strip()
    heading = _HEADING.match(stripped)
    if heading:
        return "#" * min(6, int(heading.group(1)) + depth) + " " + _inline(heading.group(2), names)
    if stripped.startswith("bq. "):
        return "> " + _inline(stripped[4:], names)
    if re.fullmatch(r"-{4,}", stripped):
        return "---"
    listed = _LIST.match(stripped)
    if listed and not (listed.group(1) == "-" * len(listed.group(1)) and len(listed.group(1)) > 1):
        marks, item = listed.groups()
        indent = "   " * (len(marks) - 1)
        bullet = "1." if marks[-1] == "#" else "-"
        return f"{indent}{bullet} {_inline(item, names)}"
    if _TABLE_ROW.match(stripped):
        return _inline(line, names)
    return _inline(line, names, "\n")  # each line its own paragraph (`_blocks`), as Jira breaks it


def _inline(text: str, names: Mapping[str, str], line_break: str = " ") -> str:
    """A line's inline markup; a forced line break (`\\`) as `line_break`: a new line for a line of text, a
    space in a list item, heading or table cell, which one line must hold."""
    spans: list[str] = []

    def keep(markdown: str) -> str:  # a finished span, kept out of the later rules
        spans.append(markdown)
        return f"\x00{len(spans) - 1}\x00"

    text = _MONO.sub(lambda m: keep(_code(m.group(1))), text)
    text = text.replace("\\\\", "\x01")
    text = _ESCAPE.sub(lambda m: keep("\\" + m.group(1)), text)
    text = _LINK.sub(lambda m: keep(f"[{m.group(1).strip() or m.group(2)}]({m.group(2).strip()})" if m.group(2) else f"<{m.group(3)}>"), text)
    text = _MENTION.sub(lambda m: keep("@" + names.get(m.group(1).strip(), m.group(1))), text)
    text = _IMAGE.sub(lambda m: keep(f"(attachment: {m.group(1)})"), text)
    text = _URL.sub(lambda m: keep(f"<{m.group(0)}>"), text)  # a bare address whole, asterisks and all
    text = _COLOR.sub("", text)
    text = _BOLD.sub(lambda m: keep(f"**{m.group(1)}**"), text)
    text = _ITALIC.sub(lambda m: keep(f"*{m.group(1)}*"), text)
    text = _STRIKE.sub(lambda m: keep(f"~~{m.group(1)}~~"), text)
    text = text.replace("*", "\\*")  # what is left is literal (`2*3*4`), as Jira showed it
    while "\x00" in text:
        text = re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)
    if "\x01" in text:
        text = "\x01".join(part.strip() if line_break == "\n" else part for part in text.split("\x01"))
        text = re.sub(" ?\x01 ?", " ", text) if line_break == " " else text.replace("\x01", "\n")
    return text


_FENCE = re.compile(r"^(```|~~~)")
_KINDS = (("list", re.compile(r"^\s*(?:-|\d+\.)\s")), ("quote", re.compile(r"^>")), ("table", re.compile(r"^\|")))


def _blocks(lines: list[str]) -> str:
    """Blank lines where Markdown needs them to show what Jira showed: between a quote, list or table and the
    text after it (else the text runs into it), before a rule (else the text above becomes a heading), and between
    two lines of text (Jira shows a line break; Markdown would join them)."""
    out: list[str] = []
    previous = "blank"
    in_code = False
    for line in lines:
        if in_code:
            out.append(line)
            in_code = not _FENCE.match(line.strip())
            previous = "code" if not in_code else previous
            continue
        if not line.strip():
            out.append(line)
            previous = "blank"
            continue
        kind = "fence" if _FENCE.match(line.strip()) else next((name for name, pattern in _KINDS if pattern.match(line)), "text")
        if previous != "blank" and not (kind == previous and kind in ("list", "quote", "table")):
            out.append("")
        out.append(line)
        if kind == "fence":
            in_code, previous = True, "code"
        else:
            previous = kind
    return "\n".join(out)


def _code(text: str) -> str:
    ticks = "``" if "`" in text else "`"
    return f"{ticks}{text}{ticks}" if ticks == "`" else f"{ticks} {text} {ticks}"


def _tables(text: str) -> str:
    """Jira's tables as Markdown's: a `||head||` row gets the separator row Markdown needs under it; a table
    without a head row gets an empty one."""
    out: list[str] = []
    previous_row = False
    for line in text.split("\n"):
        head = _TABLE_HEAD.match(line.strip())
        row = _TABLE_ROW.match(line.strip())
        if head:
            cells = [c.strip() for c in head.group(1).split("||")]
            out += ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]
            previous_row = True
        elif row and "|" in row.group(1) or row and previous_row:
            cells = [c.strip() for c in row.group(1).split("|")] if row else []
            if not previous_row:
                out += ["|" + " |" * len(cells), "|" + "---|" * len(cells)]
            out.append("| " + " | ".join(cells) + " |")
            previous_row = True
        else:
            out.append(line)
            previous_row = False
    return "\n".join(out)
