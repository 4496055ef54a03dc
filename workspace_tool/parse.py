"""The parser: a pure function from (text, path) to a document and its diagnostics.

No I/O happens here; `loader` reads files and hands their text in.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from workspace_tool import fields as F
from workspace_tool.body import scan_body
from workspace_tool.config import Settings, default_settings
from workspace_tool.errors import Diagnostic
from workspace_tool.itemlines import value_line
from workspace_tool.model import DOC_TYPES, DOCUMENT_CLASSES, Document, TimeLog
from workspace_tool.timelog import parse_entries
from workspace_tool.yamlload import load_yaml_mapping

TYPE_FOLDERS = {
    "tasks": "task",
    "decisions": "decision",
    "risks": "risk",
    "people": "person",
    "clients": "client",
    "goals": "goal",
    "timelogs": "timelog",
}
_SPECS = {doc_type: F.specs_for(doc_type) for doc_type in DOC_TYPES}
"""Each type's field specs, built once (read only here)."""
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?:\s|$)", re.MULTILINE)


@dataclass(frozen=True)
class Parsed:
    """What the parser returns: the document (None when unreadable) and diagnostics."""

    document: Document | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Split:
    """A file split into frontmatter and body, with the lines where each starts."""

    frontmatter: str | None
    body: str
    fm_line: int  # line of the first frontmatter line (after `---`)
    body_line: int  # line of the first body line
    error: Diagnostic | None = None


def split_frontmatter(text: str, path: str = "") -> Split:
    """Split `---` YAML `---` (or `...`) from the body; trailing whitespace after either `---` is allowed. Text must have `\\n` line endings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return Split(None, text, 1, 1)
    lines = text.split("\n")
    if lines[0].rstrip() != "---":  # `---` with trailing spaces opens it too (as the editor finds it: `edit.find_frontmatter`)
        return Split(None, text, 1, 1)
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            fm = "\n".join(lines[1:number])
            body = "\n".join(lines[number + 1 :])
            return Split(fm, body, 2, number + 2)
    error = Diagnostic(path, 1, "error", "unclosed-frontmatter", "frontmatter starts with '---' but never closes; add a '---' line after it")
    return Split(None, text, 1, 1, error)


def misplaced_frontmatter(text: str) -> int | None:
    """The line of a `---` that would open a closed frontmatter block but comes after blank lines at the top, or
    after an invisible character on its line (a zero-width space, a second byte order mark: `_invisible`), where
    nothing reads it as frontmatter (the parser, the editor, Jekyll, Hugo, Obsidian: only a line 1 of `---` opens it)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text[:1].isspace() and not _invisible(text[:1]):
        return None
    lines = text.split("\n")
    for number, line in enumerate(lines):
        shown = "".join(char for char in line if not _invisible(char)) if not line.isascii() else line
        if shown.strip() == "":
            continue
        if shown.rstrip() != "---" or not any(rest.rstrip() in ("---", "...") for rest in lines[number + 1 :]):
            return None
        return number + 1
    return None


def _invisible(char: str) -> bool:
    """A character that shows as nothing and is no space: a format character (Unicode's Cf: U+200B ZERO WIDTH
    SPACE, U+2060 WORD JOINER, U+FEFF as a byte order mark or zero-width no-break space, bidi marks...)."""
    return bool(char) and not char.isascii() and unicodedata.category(char) == "Cf"


def _misplaced_message(text: str, line: int) -> str:
    """The `frontmatter-not-first` message for a `---` on `line` (`misplaced_frontmatter`), naming the invisible
    characters before it, if any, so that they can be found."""
    head = "\n".join(text.removeprefix("\ufeff").split("\n")[:line])
    found = dict.fromkeys(filter(_invisible, head))
    hidden = ", ".join(f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip() for char in found)
    if line == 1:
        fix = f"an invisible {hidden} comes before it on that line: remove {'it' if len(found) == 1 else 'them'}"
    else:
        fix = "only line 1 can: remove the blank lines above it" + (f", and the invisible {hidden} in them" if hidden else "")
    return f"'---' on line {line} would open the frontmatter, but {fix} (until then its keys are read as body text)"


def detect_type(relpath: str) -> str:
    """The type a path implies when the frontmatter has no `type:`."""
    parts = _parts(relpath)
    if len(parts) >= 2 and parts[0] == "projects":
        if len(parts) == 3 and parts[2] == "project.md":
            return "project"
        if len(parts) == 2:
            return "project"
    for folder in parts[:-1]:
        if folder in TYPE_FOLDERS:
            return TYPE_FOLDERS[folder]
    return "note"


def path_project(relpath: str) -> str | None:
    """The project a path lies under (`projects/<slug>/...`), if any."""
    parts = _parts(relpath)
    if len(parts) >= 3 and parts[0] == "projects":
        return parts[1]
    return None


def default_id(relpath: str, doc_type: str) -> str:
    """The ID a document gets without an `id:` key."""
    parts = _parts(relpath)
    if doc_type == "project" and parts[-1] == "project.md" and len(parts) >= 2:
        return parts[-2]
    if doc_type in ("note", "timelog"):
        return "/".join((*parts[:-1], _stem(parts[-1])))
    return _stem(parts[-1])


def _parts(relpath: str) -> tuple[str, ...]:
    """`PurePosixPath(relpath).parts` for a clean relative path, without pathlib's cost (it ran per document)."""
    if "//" in relpath or relpath.startswith(("/", "./")) or "/./" in relpath or relpath.endswith("/"):
        return PurePosixPath(relpath).parts
    return tuple(relpath.split("/"))


def _stem(name: str) -> str:
    """`PurePosixPath(name).stem`: the name without its last suffix (`.md`); a leading dot is not a suffix."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def conflict_markers(text: str, path: str) -> list[Diagnostic]:
    """Unresolved git merge-conflict markers, each at its line."""
    result: list[Diagnostic] = []
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return result
    for match in _CONFLICT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        result.append(
            Diagnostic(path, line, "error", "merge-conflict", f"unresolved merge conflict marker '{match.group(1)}': resolve the conflict and remove the marker")
        )
    return result


def parse_document(text: str, path: str, settings: Settings | None = None) -> Parsed:
    """Parse one document's text. `path` is relative to the workspace root, with `/`."""
    settings = settings or default_settings()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        return Parsed(None, (Diagnostic(path, 1, "error", "binary", "file is binary, not a Markdown document"),))
    conflicts = conflict_markers(text, path)
    if conflicts:
        return Parsed(None, tuple(conflicts))
    split = split_frontmatter(text, path)
    if split.error:
        return Parsed(None, (split.error,))
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    diagnostics: list[Diagnostic] = []
    if split.frontmatter is None and (late := misplaced_frontmatter(text)) is not None:
        diagnostics.append(Diagnostic(path, late, "error", "frontmatter-not-first", _misplaced_message(text, late)))
    if split.frontmatter is not None:
        loaded, lines, diagnostics = load_yaml_mapping(split.frontmatter, path, split.fm_line - 1)
        if loaded is None:
            return Parsed(None, tuple(diagnostics))
        data = loaded
        if _FLOW_OR_COMMENT.match(split.frontmatter) and (flow := flow_mapping_line(split.frontmatter, split.fm_line)) is not None:
            diagnostics.append(Diagnostic(
                path, flow, "warning", "flow-frontmatter",
                "the frontmatter is written as one {...} mapping: wm reads it but cannot edit it (wm set and wm move refuse); "
                "write it as one 'key: value' per line, without the braces",
            ))
    return _build(data, lines, split, path, settings, diagnostics)


_FLOW_OR_COMMENT = re.compile(r"\s*[{#]")
"""A frontmatter whose first text is `{` (or a comment, before it may be): the only ones `flow_mapping_line` reads."""


def flow_mapping_line(frontmatter: str, first_line: int) -> int | None:
    """The file line of a frontmatter written as one YAML flow mapping `{...}` (its first line that is neither blank
    nor a comment starts with `{`), else None; `first_line` is the frontmatter's first line in the file."""
    for number, line in enumerate(frontmatter.split("\n")):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return first_line + number if stripped.startswith("{") else None
    return None


def _build(data: dict[str, Any], lines: dict[str, int], split: Split, path: str, settings: Settings, diagnostics: list[Diagnostic]) -> Parsed:
    """The document of loaded frontmatter and a body; `diagnostics` (the frontmatter's, such as `duplicate-key`) grows."""
    doc_type = detect_type(path)
    if "type" in data:
        declared = str(data["type"]).strip().lower()
        if declared in DOC_TYPES:
            doc_type = declared
        else:
            diagnostics.append(
                Diagnostic(path, lines.get("type", 1), "error", "unknown-type", f"unknown type {data['type']!r} (use {', '.join(DOC_TYPES)}); read as a {doc_type}")
            )
    doc_id = default_id(path, doc_type)
    if "id" in data:
        if isinstance(data["id"], (str, int)) and not isinstance(data["id"], bool) and str(data["id"]).strip():
            doc_id = str(data["id"]).strip()
        else:
            diagnostics.append(Diagnostic(path, lines.get("id", 1), "error", "bad-value", f"id: expected text, got {data['id']!r}"))
    specs = _SPECS.get(doc_type) or F.specs_for(doc_type)
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    hours_per_day, days_per_week = settings.calendar.hours_per_day, settings.calendar.days_per_week
    for key, raw in data.items():
        if key in F.RESERVED:
            continue
        spec = specs.get(key)
        if spec is None:
            extra[key] = raw
            if (meant := F.suggest_field(doc_type, key)) is not None:
                diagnostics.append(Diagnostic(
                    path, lines.get(key, 1), "warning", "unknown-key",
                    f"{key if key.isprintable() else ascii(key)}: not a field of a {doc_type}; did you mean '{meant}'? "
                    "(the key is kept, and wm does not read it)",
                ))
            continue
        if raw is None:
            continue
        try:
            values[key] = F.convert(spec, raw, hours_per_day, days_per_week)
        except F.FieldError as exc:
            if exc.kept is not None:  # a list keeps its valid items; each refused one is an error at its own line
                values[key] = exc.kept
            diagnostics.extend(
                Diagnostic(path, _line_in(key, error.at, lines, split), "error", "bad-value", f"{key}: {error}") for error in exc.errors
            )
    info = scan_body(split.body, split.body_line)
    title = values.pop("title", None) or info.title or _stem(_parts(path)[-1])
    if "project" not in values and doc_type != "project":
        under = path_project(path)
        if under is not None:
            values["project"] = under
    workflow = settings.workflow(doc_type)
    if workflow is not None and "status" not in values:
        values["status"] = workflow.default
    if doc_type == "timelog":
        values.update(_timelog_values(values, split, path, settings, diagnostics))
    document = _new_document(
        doc_type,
        {
            "id": doc_id,
            "path": path,
            "title": str(title),
            "body": split.body,
            "body_line": split.body_line,
            "links": info.links,
            "checklist": info.checklist,
            "raw": data,
            "lines": lines,
            "extra": extra,
            **values,
        },
    )
    return Parsed(document, tuple(diagnostics))


def _line_in(key: str, at: tuple[str | int, ...], lines: dict[str, int], split: Split) -> int:
    """The line of a value inside `key`'s value (`at`: list indexes and nested keys; see `F.FieldError`), found in the
    frontmatter only now that a diagnostic is about it; the key's line when `at` is empty or names nothing there."""
    line = lines.get(key, 1)
    if at and split.frontmatter is not None:
        return value_line(split.frontmatter, (key, *at), split.fm_line - 1) or line
    return line


def _templates() -> dict[str, tuple[dict[str, Any], frozenset[str]]]:
    """Per type, every field's default in declaration order, and the fields without a plain
    default (`_new_document` needs a value for each).

    Only for classes that a plain `__init__` would build the same way: no
    `__post_init__`, every field an `__init__` argument, and every field the
    parser sets (the specs and the common ones) declared.
    """
    templates: dict[str, tuple[dict[str, Any], frozenset[str]]] = {}
    common = {"id", "path", "title", "body", "body_line", "links", "checklist", "raw", "lines", "extra"}
    for doc_type, cls in DOCUMENT_CLASSES.items():
        declared = dataclasses.fields(cls)
        names = {f.name for f in declared}
        if hasattr(cls, "__post_init__") or not all(f.init for f in declared) or not (common | set(_SPECS[doc_type])) <= names:
            continue
        defaults = {f.name: None if f.default is dataclasses.MISSING else f.default for f in declared}
        templates[doc_type] = defaults, frozenset(f.name for f in declared if f.default is dataclasses.MISSING)
    return templates


def _new_document(doc_type: str, values: dict[str, Any]) -> Document:
    """`cls(**values)` for a document class, at a third of the cost (a frozen dataclass's `__init__`
    sets each of its ~25 fields through `object.__setattr__`).

    The instance gets the same `__dict__`, in the same order, as `__init__`
    would give it (and as unpickling it from the cache does). Without a value
    for every field lacking a plain default (`id`, `path`, `title`, and `raw`,
    `lines`, `extra` with their default factories), or with a value for no
    field, it is `__init__` that runs (and fills in or complains).
    """
    cls = DOCUMENT_CLASSES[doc_type]
    template = _TEMPLATES.get(doc_type)
    if template is None:
        return cls(**values)
    defaults, required = template
    state = defaults.copy()
    state.update(values)
    if len(state) != len(defaults) or not values.keys() >= required:
        return cls(**values)
    document = object.__new__(cls)
    document.__dict__.update(state)
    return document


_TEMPLATES = _templates()


def _timelog_values(values: dict[str, Any], split: Split, path: str, settings: Settings, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    person = values.get("person") or timelog_person(path)
    entries, problems = parse_entries(split.body, split.body_line, person or "", path, settings.calendar.hours_per_day)
    diagnostics.extend(problems)
    return {"person": person, "entries": tuple(entries)}


def timelog_person(path: str) -> str | None:
    """The person a timelog's folder names (`timelogs/<person>/2026-11.md`)."""
    parts = _parts(path)
    return parts[-2] if len(parts) >= 2 and parts[-2] != "timelogs" else None


__all__ = ["Parsed", "Split", "parse_document", "split_frontmatter", "detect_type", "default_id", "TimeLog"]
