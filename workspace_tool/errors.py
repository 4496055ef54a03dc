"""Diagnostics (what is wrong, where) and the one exception type the CLI turns into messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

SEVERITIES = ("error", "warning")


class DiagnosticJson(TypedDict):
    """A diagnostic as JSON (`Diagnostic.as_json`): `wm validate --json`, exports and the site's data quality page."""

    path: str
    line: int
    severity: str
    code: str
    message: str


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in a file: `path:line: severity: message`.

    `path` is relative to the workspace root with `/` separators; `code` is
    a stable identifier (e.g. `unknown-ref`) that scripts may rely on.
    """

    path: str
    line: int
    severity: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def as_json(self) -> DiagnosticJson:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class WorkspaceError(Exception):
    """An error to show the user as one line (no traceback unless --debug).

    The message names the file and, where it can, the fix.
    """

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class NotFoundError(WorkspaceError):
    """A document, file or workspace that does not exist, including an ID, person or project named on the command
    line (`wm show ID`, `--who`, `--project`): exit code 1, with the nearest name when one is near (`did_you_mean`)."""


def nearest_name(name: str, names: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one of `names` nearest to `name`, ignoring case (`WEBSITE-BUILD`, `alise`), or None when none is near:
    the "did you mean" of an ID, person or project that names nothing."""
    by_folded: dict[str, str] = {}
    for candidate in sorted(set(names)):
        by_folded.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=cutoff)
    return by_folded[close[0]] if close else None


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """` (did you mean 'alice'?)`, or "" when no name is near (`nearest_name`)."""
    near = nearest_name(name, names)
    return f" (did you mean {near!r}?)" if near is not None else ""


class UsageError(WorkspaceError):
    """Bad arguments or a bad query; exit code 2 like click's usage errors."""

    exit_code = 2


class ConflictError(WorkspaceError):
    """A file changed on disk between reading and writing it."""
