"""Formatting for people and machines: aligned tables that fit the terminal, JSON, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
import os
import re
import select
import shutil
import sys
import unicodedata
from typing import Any, Callable, Hashable, Iterable, Iterator, Mapping, Sequence, TypeVar

from workspace_tool.values import Duration

T = TypeVar("T")

DIM = "\x1b[2m"
RESET = "\x1b[0m"


def to_jsonable(value: Any) -> Any:
    """Dates as YYYY-MM-DD, durations as hours, tuples as lists, recursively; a number JSON cannot hold (a key of
    the team's own written `.nan` or `.inf`: the fields wm reads refuse them) as the YAML text it was written as."""
    if isinstance(value, Duration):
        return value.hours
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if value != value else (".inf" if value > 0 else "-.inf")
    return value


def dumps(data: Any) -> str:
    """`data` as indented JSON, valid UTF-8 whatever it holds (`utf8_safe`)."""
    return utf8_safe(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False))


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def utf8_safe(json_text: str) -> str:
    """JSON text with its lone surrogates written as `\\udcff` escapes. A file name that is not UTF-8 reaches wm
    with its bytes as such surrogates (Python's `surrogateescape`); printed raw they would be those bytes again,
    making the output invalid UTF-8. Escaped, the output stays valid UTF-8 (and ASCII-safe for that character), and
    Python's `os.fsencode(json.loads(...))` gives the file's bytes back."""
    if json_text.isascii() or _SURROGATE.search(json_text) is None:
        return json_text
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", json_text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
"""C0, DEL, C1, and the invisible characters that hide or reorder text: zero-width space, byte order mark, bidi
embeddings, overrides and isolates (`notes/rtl\u202egpj.md` showed as `...dm.jpg`: "Trojan Source"). The marks
right-to-left text needs (U+200E, U+200F) and the joiners of scripts and emoji (U+200C, U+200D) are kept."""
_NAMED = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}


def printable(text: str) -> str:
    """`text` safe to print to a terminal: each control character (C0, DEL, C1, so ESC too) and each character that
    hides or reorders text (`_CONTROL`) as a Python-style escape (`\\x1b`, `\\t`, `\\u202e`), as diagnostics show
    them. A document's title cannot then set the window's title, clear the screen, recolour what follows or show
    its letters in another order; the text stays as wide as it is shown."""
    if text.isprintable() or _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def printable_lines(text: str, tabs: bool = False) -> str:
    """Text of several lines, each `printable` (its line breaks kept; its tabs too with `tabs`: a document's body)."""
    if tabs:
        return "\n".join("\t".join(printable(part) for part in line.split("\t")) for line in text.split("\n"))
    return "\n".join(printable(line) for line in text.split("\n"))


def cell(value: Any) -> str:
    """A value as table text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    return str(value)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    width: int | None = None,
    dim_rows: set[int] | None = None,
    right: Sequence[int] = (),
    keep: Sequence[int] = (),
    wrap: Mapping[int, str] | None = None,
) -> str:
    """An aligned text table (control characters in it escaped: `printable`), its widest text columns shrunk (with '…') to fit `width` (`_fit`); `keep`: the width
    below which each column is not shrunk (a board column's IDs, in the same column as the titles); `wrap`: columns
    of lists, by the text between their items (`{3: ", "}` for `a-id (todo), b-id (review)`), that go on over more
    lines, between items, instead of being cut."""
    wrap = wrap or {}
    headers = [printable(h) for h in headers]
    text_rows = [[printable(cell(v).replace("\n", " ")) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    prose = [False] * len(headers)
    for row in text_rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], display_width(value))
            prose[i] = prose[i] or _is_prose(value)
    width = width or shutil.get_terminal_size((120, 24)).columns
    minimums = [max(len(header), keep[i] if i < len(keep) else 0) for i, header in enumerate(headers)]
    for i, between in wrap.items():  # lists: first down to their longest item, never cut
        end = len(between.rstrip())
        minimums[i] = max([minimums[i], *(len(item) + end for row in text_rows for item in _items(row[i], between))])
        prose[i] = True
    _fit(widths, minimums, width, prose)
    for i, between in wrap.items():  # then, when the text columns are as narrow as they go, down to a few words a line
        end = len(between.rstrip())
        minimums[i] = max([len(headers[i]), min(WRAP_MIN, widths[i]), *(len(word) + end for row in text_rows for word in row[i].split())])
    _fit(widths, minimums, width, prose)
    lines = [_line(headers, widths, right)]
    lines.append("  ".join("-" * w for w in widths))
    for number, row in enumerate(text_rows):
        wrapped = {i: _wrapped(row[i], widths[i], between) for i, between in wrap.items() if display_width(row[i]) > widths[i]}
        parts = [row] + [[wrapped[i][n] if i in wrapped and n < len(wrapped[i]) else "" for i in range(len(row))] for n in range(1, max(map(len, wrapped.values()), default=1))]
        for i, pieces in wrapped.items():
            row[i] = pieces[0]
        for part in parts:
            line = _line(part, widths, right)
            if dim_rows and number in dim_rows:
                line = f"{DIM}{line}{RESET}"
            lines.append(line)
    return "\n".join(lines)


def _items(value: str, between: str) -> list[str]:
    return value.split(between) if value else []


def _wrapped(value: str, width: int, between: str) -> list[str]:
    """A list's items over lines of at most `width` characters, each line but the last ending with the separator
    (without its space: `,` or `;`); an item that does not fit on a line of its own goes on between its words."""
    end = between.rstrip()
    lines: list[str] = []
    for item in _items(value, between):
        if lines and len(lines[-1]) + len(between) + len(item) + len(end) <= width:
            lines[-1] += between + item
            continue
        if lines:
            lines[-1] += end
        lines.append("")
        for word in item.split(" "):
            if lines[-1] and len(lines[-1]) + 1 + len(word) + len(end) > width:
                lines.append(word)
            else:
                lines[-1] = f"{lines[-1]} {word}" if lines[-1] else word
    return lines or [value]


PROSE_MIN = 8
"""The narrowest a text column is shrunk to (or its header's width)."""
WRAP_MIN = 24
"""The narrowest a column of lists is wrapped to (or its longest word): a few words a line."""


def _is_prose(value: str) -> bool:
    """Text with words (a title, a reason), not a single word or a list of them (`a-id, b-id`: IDs a command takes)."""
    return _WORDS.search(value) is not None


_WORDS = re.compile(r"[^,] ")
"""A space that does not follow a comma: words, not a list."""


def _fit(widths: list[int], minimums: list[int], total: int, prose: Sequence[bool]) -> None:
    """Shrink the widest text column (`prose`: titles, reasons) until the table fits `total` or each is `PROSE_MIN`
    wide. Columns of single words or lists of them (IDs, dates, numbers, statuses) are never cut: a cut ID cannot be
    typed into the next command, nor a cut date read. A table that still does not fit runs past the edge (the
    terminal wraps its long lines); `--json` and `--csv` never cut anything."""
    excess = sum(widths) + 2 * (len(widths) - 1) - total
    while excess > 0:
        shrinkable = [i for i, text in enumerate(prose) if text and widths[i] > max(minimums[i], PROSE_MIN)]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide characters (CJK, full-width forms) take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(value: str, width: int) -> str:
    """`value` cut with '…' to at most `width` columns."""
    out, used = [], 0
    for ch in value:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _line(values: Sequence[str], widths: Sequence[int], right: Sequence[int]) -> str:
    parts = []
    for i, (value, w) in enumerate(zip(values, widths)):
        shown = display_width(value)
        if shown > w:
            value = _cut(value, w)
            shown = display_width(value)
        pad = " " * max(w - shown, 0)
        parts.append(pad + value if i in right else value + pad)
    return "  ".join(parts).rstrip()


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row, lines ending in LF; a cell a spreadsheet would run as a formula is text (`_inert`), and a
    cell holding a CR is quoted (the writer's terminator is CRLF for that, cut to LF row by row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines: list[str] = []
    texts = ([cell(v) if not isinstance(v, bool) else ("true" if v else "false") for v in row] for row in rows)
    for values in itertools.chain([list(headers)], texts):
        writer.writerow([_inert(text) for text in values])
        lines.append(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()
    return "".join(lines)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _inert(text: str) -> str:
    """`text` with a `'` before it when it starts as a spreadsheet formula does (`=`, `+`, `-`, `@`, tab, CR), so Excel
    and Sheets show it instead of running it (OWASP "CSV Injection"); a plain number (`-3`, `-0.5`) stays a number."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def counted(count: int, noun: str) -> str:
    """A count and its noun: "1 document", "2 documents", "0 errors"."""
    return f"{count} {noun}{'s' * (count != 1)}"


def diagnostics_summary(documents: int, diagnostics: Sequence[Any]) -> str:
    """The line `wm validate` and `wm watch` end with: "12 documents, 1 error, 0 warnings"."""
    errors = sum(d.is_error for d in diagnostics)
    return f"{counted(documents, 'document')}, {counted(errors, 'error')}, {counted(len(diagnostics) - errors, 'warning')}"


def runs(items: Sequence[T], key: Callable[[T], Hashable | None]) -> Iterator[list[T]]:
    """`items` in runs of consecutive ones with the same key (an item whose key is None is a run of its own): the
    changes of one commit in a list of activity, to sum up a large one."""
    start = 0
    while start < len(items):
        found = key(items[start])
        end = start + 1
        while found is not None and end < len(items) and key(items[end]) == found:
            end += 1
        yield list(items[start:end])
        start = end


class WholeWrites(io.RawIOBase):
    """A file descriptor written in full or not at all: each write goes on until all of it is written, so a reader
    that leaves during a large write raises `BrokenPipeError` (EPIPE), as a small write does. Python's own stdout
    takes a short write (the 64 KiB a pipe held when its reader left) as done and drops the rest without an error,
    so `wm export json | head -c 10` would end with status 0 instead of 141."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def fileno(self) -> int:
        return self._fd

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:  # a terminal stays one (click keeps colour codes, tables their width)
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            try:
                done += os.write(self._fd, view[done:])
            except BlockingIOError:  # a non-blocking stdout (a terminal shared with such a program): wait until it takes more
                select.select([], [self._fd], [])
        return done


def whole_stdout() -> io.TextIOWrapper | None:
    """A text stdout like the interpreter's, over `WholeWrites` of the same file descriptor; None when stdout is not
    the process's own file (a test's capture, a Windows console) or cannot be wrapped. The one place all of wm's
    output goes through, when the CLI installs it as `sys.stdout`."""
    stream = sys.stdout
    if not isinstance(stream, io.TextIOWrapper) or stream is not sys.__stdout__:
        return None
    unbuffered = isinstance(stream.buffer, io.FileIO)  # PYTHONUNBUFFERED, python -u: no buffer between text and file
    if not unbuffered and not isinstance(getattr(stream.buffer, "raw", None), io.FileIO):
        return None
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    raw = WholeWrites(fd)
    return io.TextIOWrapper(
        raw if unbuffered else io.BufferedWriter(raw),  # type: ignore[arg-type]
        encoding=stream.encoding,
        errors=stream.errors,
        newline=None if os.name == "nt" else "\n",
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )
