"""A tracker's CSV export read as records: pure functions for `import_jira` and `import_asana`.

Trackers write CSV their own way: Jira repeats a column for each value of a list (`Labels,Labels,Comment`),
Asana's export saved through Google Sheets has spacer rows above its header, Excel adds a byte-order mark, and
a cell may hold line breaks. `read_records` finds the header by the columns it must have, keeps every value of a
repeated column, and names each record by the line it starts on. `parse_when` reads the dates trackers write.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from workspace_tool.imports import ImportFormatError

_HEADER_SEARCH = 20  # rows looked at for the header


@dataclass(frozen=True)
class Record:
    """One row of the export: its values by column (every value of a repeated column), and where it starts."""

    line: int
    cells: dict[str, tuple[str, ...]]  # by the column's name in lower case
    names: dict[str, str]  # a column's name in lower case -> as the export writes it

    def name(self, column: str) -> str:
        return self.names.get(column.lower(), column)

    def get(self, *columns: str) -> str:
        """The first non-empty value of the first of `columns` the export has, stripped; "" when none."""
        for column in columns:
            for value in self.cells.get(column.lower(), ()):
                if value.strip():
                    return value.strip()
        return ""

    def all(self, column: str) -> tuple[str, ...]:
        """Every non-empty value of a (repeated) column, stripped."""
        return tuple(v.strip() for v in self.cells.get(column.lower(), ()) if v.strip())

    def has(self, column: str) -> bool:
        return column.lower() in self.cells


def read_records(text: str, name: str, required: tuple[str, ...], what: str) -> list[Record]:
    """The records of a CSV export whose header has every column of `required` (any case); `what` says which
    export was expected, for the error naming `name`'s first line when no header matches. Commas first; a file
    whose header is only found split at `;` or tabs (Excel's CSV in a locale with decimal commas, a TSV) is read so."""
    text = text.removeprefix("\ufeff")
    for delimiter in (",", ";", "\t"):
        records = _records(text, name, required, delimiter)
        if records is not None:
            return records
    missing = ", ".join(repr(c) for c in required)
    raise ImportFormatError(f"{name}:1: no header with the columns {missing}: expected {what}")


def _records(text: str, name: str, required: tuple[str, ...], delimiter: str) -> list[Record] | None:
    """The records with `delimiter` between cells; None when no header with `required` is found so."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    header: list[str] | None = None
    names: dict[str, str] = {}
    records: list[Record] = []
    start = 1
    try:
        for row in reader:
            first, start = start, reader.line_num + 1
            if header is None:
                lowered = [cell.strip().lower() for cell in row]
                if all(column.lower() in lowered for column in required):
                    header = lowered
                    for cell in row:
                        names.setdefault(cell.strip().lower(), cell.strip())
                elif first > _HEADER_SEARCH:
                    break
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
                raise ImportFormatError(f"{name}:{first}: {len(row)} cells where the header has {len(header)} columns (is a value's {_SEPARATOR_NAMES[delimiter]} unquoted?)")
            cells: dict[str, list[str]] = {}
            for column, value in zip(header, row):
                cells.setdefault(column, []).append(value)
            records.append(Record(first, {column: tuple(values) for column, values in cells.items()}, names))
    except csv.Error as exc:
        if header is None:
            return None
        opened = _unclosed_quote(text, start, delimiter) if "end of data" in str(exc) else None
        if opened is not None:
            raise ImportFormatError(f"{name}:{opened}: not valid CSV: the quote that opens a cell here is never closed ({exc})") from None
        raise ImportFormatError(f"{name}:{reader.line_num}: not valid CSV: {exc}") from None
    return records if header is not None else None


def _unclosed_quote(text: str, first: int, delimiter: str) -> int | None:
    """The line where the quoted cell opens that runs to the end of the file, reading from line `first` (the start
    of the row the reader failed in, which takes every line after an unclosed quote); None when none does."""
    quoted, cell_start, opened = False, True, None
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if number < first:
            continue
        i = 0
        while i < len(line):
            char = line[i]
            if quoted:
                if char == '"' and line[i + 1:i + 2] == '"':
                    i += 1
                elif char == '"':
                    quoted, cell_start = False, False
            elif char == '"' and cell_start:
                quoted, opened = True, number
            else:
                cell_start = char in (delimiter, "\r", "\n")
            i += 1
    return opened if quoted else None


_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


_FORMATS = (
    "%d/%b/%y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%y", "%d/%b/%Y %I:%M %p", "%d/%b/%Y",  # Jira's default, 25/Feb/26 10:17 PM
    "%d %b %Y %I:%M %p", "%d %b %Y", "%b %d, %Y", "%B %d, %Y",
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")


def parse_when(value: str, where: str, column: str, date_format: str | None = None) -> dt.date | None:
    """The day a tracker's date or time stands for (its time of day dropped). An ISO time with its offset
    (`2024-03-13T03:00:00Z`, `…-08:00`) is a moment: its day is the local one, as for Taskwarrior's times; a time
    without one is the day as written. `date_format` (strptime's) is tried first, for exports in another locale's
    format (`%d.%m.%Y`); a time after the date (`25.02.2026 10:17`, `25 Feb 2026 16:38`) needs no code of its own.
    None for an empty value."""
    text = " ".join(value.split())
    if not text:
        return None
    for candidate in dict.fromkeys((text, _TIME_AFTER.sub("", text))):
        found = _day_of(candidate, date_format)
        if found is not None:
            return found
    hint = f"--date-format {date_format!r} does not read it either" if date_format else "pass --date-format with its format, e.g. --date-format '%m/%d/%Y'"
    raise ImportFormatError(f"{where}: {column} {value.strip()!r} is not a date wm reads ({hint})")


_TIME_AFTER = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?$")


def _day_of(text: str, date_format: str | None) -> dt.date | None:
    if date_format:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            pass
    match = _ISO.match(text)
    if match:
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if match.group(7) is None:
                return day
            zone = match.group(7).replace(":", "")
            offset = dt.timedelta(0) if zone == "Z" else (1 if zone[0] == "+" else -1) * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
            moment = dt.datetime.combine(day, dt.time(int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)), dt.timezone(offset))
            return moment.astimezone().date()
        except (ValueError, OverflowError):
            return None
    for form in _FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None
