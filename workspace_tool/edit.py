"""Atomic, checked writes and minimal line edits of frontmatter.

Editing never re-serialises a document: it replaces the value part of one
`key:` line, replaces one key's block (for block lists), or inserts a new
`key: value` line at the end of the frontmatter. Every other byte of the
file (comments, quoting, unknown keys, CRLF line endings, a BOM, the body)
stays as it was.

Writes go to a temporary file in the same folder and are moved into place
with `os.replace`, after checking that the file on disk is still the one
that was read (else `ConflictError`, and nothing is written).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from workspace_tool.body import in_code_blocks
from workspace_tool.errors import ConflictError, WorkspaceError
from workspace_tool.exchange import exchange
from workspace_tool.filemode import new_file_mode
from workspace_tool.parse import misplaced_frontmatter

BOM = "\ufeff"
_TOP_KEY = re.compile(r"^(?P<key>[^\s#:\-\"'][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?=\s|$)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


# -- sources and safe writes ---------------------------------------------


@dataclass(frozen=True)
class Source:
    """A file as read: its bytes (to detect changes) and its decoded text.

    `text` keeps the file's own line endings; only a leading BOM is removed
    (and put back by `encode`).
    """

    path: Path
    relpath: str
    data: bytes | None  # None: the file does not exist yet
    text: str
    bom: bool = False

    def encode(self, text: str) -> bytes:
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def with_text(self, text: str) -> Source:
        return replace(self, text=text)


def read_source(root: Path, relpath: str) -> Source:
    """Read a document for editing; a missing file reads as empty with `data=None`."""
    path = root / relpath
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Source(path, relpath, None, "")
    except OSError as exc:
        raise WorkspaceError(f"{relpath}: cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkspaceError(f"{relpath}: file is not valid UTF-8 (byte {exc.start}); save it as UTF-8") from None
    bom = text.startswith(BOM)
    return Source(path, relpath, data, text[1:] if bom else text, bom)


def _write_bytes(fd: int, data: bytes) -> None:
    """Write all of `data` to `fd` (a seam for tests that simulate a full disk)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(
    path: Path, data: bytes, mode: int | None = None, check: Callable[[], None] | None = None, expected: bytes | None = None,
    create: bool = False,
) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, run `check` (which may raise), then put it in place:
    the check comes as late as it can, so what it vouches for holds up to the swap (an editor's save landing during
    the fsync is seen, not replaced).

    With `expected` (what `path` held when it was read), the new file is swapped with the old in one step
    (`exchange`) and the old, now under the temporary name, is compared with `expected`: a save that landed after
    the check is put back and `Displaced` raised, so nothing is replaced unseen. With `create` (there was no file),
    the new file is put in place only if none has appeared (a hard link, which fails on an existing name). Where
    names cannot be swapped or linked, `os.replace` (the check then is the last look).

    On any failure `path` is left as it was and the temporary file is removed (unless it holds a save it could not
    put back: `Displaced` names it). The file gets `mode`, else a new file's (`filemode.new_file_mode`: what the
    umask gives, not the temporary file's 0600).
    """
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".wm-tmp", dir=folder)
    try:
        try:
            _write_bytes(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, new_file_mode() if mode is None else mode)
        if check is not None:
            check()
        if create and _link(tmp, path):
            _remove(tmp)
            return
        if expected is None or not exchange(tmp, os.fspath(path)):
            os.replace(tmp, path)
            return
    except FileNotFoundError:  # deleted after the check: not written
        _remove(tmp)
        if expected is None:
            raise
        raise Displaced() from None
    except BaseException:
        _remove(tmp)
        raise
    _settle(path, tmp, expected)


def _link(tmp: str, path: Path) -> bool:
    """A new file put in place only if none is there yet (a hard link: it fails on an existing name); False where
    the file system has no hard links. A file made there after the check raises `Displaced`."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise Displaced() from None
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            return False
        raise
    return True


class Displaced(OSError):
    """A save landed between the check and the swap: it was put back (or, if that failed, kept under `kept`)."""

    def __init__(self, kept: str | None = None) -> None:
        super().__init__("the file changed on disk during the write")
        self.kept = kept


def _settle(path: Path, tmp: str, expected: bytes) -> None:
    """After the swap: `tmp` names the file `path` had. The text read: removed. Anything else (a save after the
    check): swapped back, so the save is the file again, and `Displaced` raised."""
    try:
        displaced = Path(tmp).read_bytes()
    except OSError:
        displaced = None
    if displaced == expected:
        _remove(tmp)
        return
    try:
        exchange(tmp, os.fspath(path))
    except OSError:
        raise Displaced(tmp) from None  # the save stays under the temporary name: named, never removed
    _remove(tmp)
    raise Displaced()


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def checked_write(source: Source, text: str, root: Path | None = None) -> None:
    """Write `text` over the file `source` was read from, unless it changed since.

    A file that did not exist (`source.data is None`) must still not exist.
    Errors become one-line `WorkspaceError`s naming the file.
    """
    rel = source.relpath
    target = _write_target(source)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # first: the folder is what the lock is taken on
    except OSError as exc:
        raise WorkspaceError(f"{rel}: cannot write file: {exc.strerror or exc}; the file was left unchanged") from None
    with folder_lock(target.parent):
        mode = None
        if source.data is not None:
            try:
                mode = target.stat().st_mode & 0o7777
            except FileNotFoundError:
                _check_unchanged(source)  # says it was deleted
                raise
            if not mode & 0o222 or not os.access(target, os.W_OK):  # the bits too: root may write any file
                raise WorkspaceError(f"{rel}: file is read-only; nothing was written (make it writable, e.g. chmod u+w {rel})")
        try:
            atomic_write(target, source.encode(text), mode, check=lambda: _check_unchanged(source), expected=source.data, create=source.data is None)
        except Displaced as exc:  # a save landed after the check: it is the file again
            kept = f" (the save was kept as {os.path.relpath(exc.kept, target.parent)} beside it)" if exc.kept else ""
            raise ConflictError(f"{rel} changed on disk while wm was writing it{kept}; nothing was written — run the command again") from None
        except OSError as exc:
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise WorkspaceError(f"{rel}: cannot write file: {reason}; the file was left unchanged") from None


def _check_unchanged(source: Source) -> None:
    """Raise `ConflictError` when the file is not what `source` read (created, deleted or changed since)."""
    try:
        current: bytes | None = source.path.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WorkspaceError(f"{source.relpath}: cannot read file: {exc.strerror or exc}") from None
    if current != source.data:
        what = "was created" if source.data is None else ("was deleted" if current is None else "changed")
        raise ConflictError(f"{source.relpath} {what} on disk while wm was editing it; nothing was written — run the command again")


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder` while a file in it is checked and replaced, so two `wm` processes editing one
    file (two `wm log` at once) cannot both pass the check and one silently replace the other's edit: the second
    waits, then finds the file changed and refuses. `flock` on the folder (its inode outlives every replace of the
    files in it); without `fcntl` (Windows), when the folder cannot be opened or its file system has no locks, the
    check alone runs, as before."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network mounts): the check alone, as without fcntl
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_target(source: Source) -> Path:
    """The file to replace: `source.path`, or the file it is a symbolic link to (the link itself stays)."""
    path = source.path
    if not path.is_symlink():
        return path
    if source.data is None:
        raise WorkspaceError(f"{source.relpath} is a symbolic link to a file that does not exist; nothing was written")
    return Path(os.path.realpath(path))


# -- lines -----------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Lines with their own terminators (`\\n`, `\\r\\n` or a lone `\\r`, as the parser reads them); the last may have none."""
    return _LINE.findall(text)


def ends_line(text: str) -> bool:
    """Whether `text` ends with a line ending (`\\n`, `\\r\\n` or a lone `\\r`)."""
    return text.endswith(("\n", "\r"))


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def newline_of(text: str) -> str:
    """The file's line ending: that of its first line (CRLF, a lone CR or LF), else LF."""
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


@dataclass(frozen=True)
class Frontmatter:
    """Where the frontmatter lies: indices (into `split_lines`) of its first and closing lines."""

    start: int  # index of the first line after the opening `---`
    end: int  # index of the closing `---` / `...` line


def find_frontmatter(lines: Sequence[str]) -> Frontmatter | None:
    if not lines or _bare(lines[0]).rstrip() != "---":
        return None
    for number in range(1, len(lines)):
        if _bare(lines[number]).rstrip() in ("---", "..."):
            return Frontmatter(1, number)
    return None


def _key_of(line: str) -> str | None:
    bare = _bare(line)
    if not bare or bare[0] in " \t#-":
        return None
    match = _TOP_KEY.match(bare)
    return match.group("key").strip().strip("\"'") if match else None


class _FrontmatterShapeError(WorkspaceError):
    """An edit refused because of how the frontmatter is written (`problem`, at `line`), naming the key it would change."""

    problem = ""

    def __init__(self, key: str, line: int, path: str = "") -> None:
        self.key, self.line, self.path = key, line, path
        where = f"{path}:{line}" if path else f"line {line}"
        super().__init__(f"{where}: error: {self._problem()} before editing {key} with wm; nothing was changed")

    def _problem(self) -> str:
        return self.problem

    def at(self, path: str) -> _FrontmatterShapeError:
        """The same error, naming the file."""
        return type(self)(self.key, self.line, path)


class LateFrontmatterError(_FrontmatterShapeError):
    """The file's `---` block starts after blank lines, or after an invisible character on line 1: read as body, so an
    edit would add a second frontmatter."""

    problem = "the frontmatter starts after blank lines, so it is read as body text; remove the blank lines above '---'"

    def _problem(self) -> str:
        if self.line == 1:
            return (
                "an invisible character (such as U+200B ZERO WIDTH SPACE) comes before '---' on line 1, so the frontmatter is "
                "read as body text ('wm validate' names it); remove it"
            )
        return self.problem


class DuplicateKeyError(WorkspaceError):
    """A key an edit would change is written more than once: YAML reads the last, so no edit can be sure to count."""

    def __init__(self, key: str, lines: Sequence[int], path: str = "") -> None:
        self.key, self.lines, self.path = key, tuple(lines), path
        where = f"{path}:{self.lines[1]}" if path else f"line {self.lines[1]}"
        numbers = ", ".join(str(n) for n in self.lines)
        super().__init__(
            f"{where}: error: {key!r} is written more than once in the frontmatter (lines {numbers}), and YAML reads only the "
            f"last; remove the others before editing {key} with wm; nothing was changed"
        )

    def at(self, path: str) -> DuplicateKeyError:
        """The same error, naming the file."""
        return DuplicateKeyError(self.key, self.lines, path)


class FlowFrontmatterError(_FrontmatterShapeError):
    """The frontmatter is one YAML flow mapping (`{title: x, due: ...}`): no key has a line of its own to change, and
    rewriting the mapping would change the author's lines, so edits are refused."""

    problem = (
        "the frontmatter is written as one {...} mapping, which wm cannot edit without rewriting it; write it as one "
        "'key: value' per line, without the braces,"
    )


def flow_mapping_line(lines: Sequence[str], fm: Frontmatter) -> int | None:
    """The line (from 1) where the frontmatter opens a YAML flow mapping `{`, when that is what it is (its first line
    that is neither blank nor a comment starts with `{`); else None."""
    for number in range(fm.start, fm.end):
        stripped = _bare(lines[number]).strip()
        if stripped and not stripped.startswith("#"):
            return number + 1 if stripped.startswith("{") else None
    return None


def _refuse_flow_mapping(lines: Sequence[str], fm: Frontmatter, key: str) -> None:
    if (line := flow_mapping_line(lines, fm)) is not None:
        raise FlowFrontmatterError(key, line)


def key_block(lines: Sequence[str], fm: Frontmatter, key: str) -> tuple[int, int] | None:
    """The lines [first, stop) of a top-level key: its line plus its continuation lines.

    Continuation lines are indented lines and `- ` items at column 0. A comment-only line (indented or not) is
    part of the block only when more of the block follows it (a comment between list items), so a comment
    under a scalar key stays when the key is edited; inside a `|` or `>` scalar every indented line is text.
    A key written twice raises `DuplicateKeyError` (lines counted from 1, as in the file).
    """
    found = [number for number in range(fm.start, fm.end) if _key_of(lines[number]) == key]
    if not found:
        return None
    if len(found) > 1:
        raise DuplicateKeyError(key, [number + 1 for number in found])
    first = found[0]
    bare = _bare(lines[first])
    block_scalar = bare[_TOP_KEY.match(bare).end() :].lstrip(" \t").startswith(("|", ">"))  # type: ignore[union-attr]
    stop = first + 1
    for probe in range(first + 1, fm.end):
        bare = _bare(lines[probe])
        stripped = bare.strip()
        if not stripped:
            continue
        if bare[0] in " \t" and (block_scalar or not stripped.startswith("#")):
            stop = probe + 1
        elif bare.startswith("-"):
            stop = probe + 1
        elif not stripped.startswith("#"):
            break
    return first, stop


def frontmatter_keys(text: str) -> list[str]:
    lines = split_lines(text)
    fm = find_frontmatter(lines)
    if fm is None:
        return []
    return [k for k in (_key_of(lines[n]) for n in range(fm.start, fm.end)) if k is not None]


# -- YAML scalars ------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./@+()][A-Za-z0-9_ ./@+(),'&!?$%=~-]*$")


def yaml_scalar(value: Any) -> str:
    """A value as a YAML scalar with minimal quoting (plain when it reads back the same)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    if any(not _yaml_printable(ch) or ch in "\n\r\t\x85\u2028\u2029" for ch in text):
        return _double_quoted(text)
    if text and _PLAIN_SAFE.match(text) and not text.endswith(" ") and _reads_back(text):
        return text
    return "'" + text.replace("'", "''") + "'"


def _yaml_printable(ch: str) -> bool:
    code = ord(ch)
    return (
        0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    ) and code != 0xFEFF


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\", '"': '\\"'}


def _double_quoted(text: str) -> str:
    """A YAML double-quoted scalar; characters YAML cannot hold raw become \\x, \\u or \\U escapes."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _yaml_printable(ch) and ch not in "\x85\u2028\u2029":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader with LibYAML's scanner when present (the parser reads frontmatter with LibYAML too): the same
values, about ten times faster, and an import checks tens of thousands of values."""


def _safe_load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - the safe loader (LibYAML's when present)


def _reads_back(text: str) -> bool:
    try:
        return _safe_load(text) == text
    except (yaml.YAMLError, ValueError):  # PyYAML raises ValueError for an impossible date (2026-02-30)
        return False


def yaml_flow_list(values: Sequence[Any]) -> str:
    items = []
    for value in values:
        scalar = yaml_scalar(value)
        if any(ch in scalar for ch in ",[]{}#") and not scalar.startswith(("'", '"')):
            scalar = "'" + scalar.replace("'", "''") + "'"
        items.append(scalar)
    return "[" + ", ".join(items) + "]"


def render_value(value: Any) -> str:
    """The text after `key: ` for a scalar or a list (lists in flow style)."""
    if isinstance(value, (list, tuple)):
        return yaml_flow_list(value)
    return yaml_scalar(value)


# -- line edits ---------------------------------------------------------------


def _value_span(line: str) -> tuple[int, int]:
    """Start and end of the value part of a `key: value  # comment` line (without the comment).

    For `key:` with no value (maybe `key:   # comment`) both are where a value goes: the end of the line, or
    right after the colon when a comment follows (which then stays, with its spacing).
    """
    bare = _bare(line)
    match = _TOP_KEY.match(bare)
    assert match is not None
    start = match.end()
    while start < len(bare) and bare[start] in " \t":
        start += 1
    if start == len(bare):
        return start, start
    if bare[start] == "#":
        return match.end(), match.end()
    return start, start + _comment_start(bare[start:])


_UNREADABLE = object()


def _load_value(text: str) -> Any:
    try:
        return _safe_load(f"k: {text}\n")
    except (yaml.YAMLError, ValueError):  # ValueError: an impossible date
        return _UNREADABLE


def _comment_start(value: str) -> int:
    """Where a one-line value's trailing `# comment` begins (with the spaces before it), else where its text ends.

    The comment is the first ` #` whose removal leaves the value YAML reads (so a ` #` inside quotes is text).
    """
    candidates = [found.start() for found in re.finditer(r"[ \t]+#", value)]
    if candidates:
        whole = _load_value(value)
        if whole is _UNREADABLE:  # not a whole value (a line of a longer one): the first ` #` is a comment
            return candidates[0]
        for at in candidates:
            if _load_value(value[:at]) == whole:
                return at
    return len(value.rstrip(" \t"))


def _block_list_indent(lines: Sequence[str], first: int, stop: int) -> str | None:
    """The item indentation of a block list (`key:` then `  - item` lines), else None."""
    for number in range(first + 1, stop):
        bare = _bare(lines[number])
        stripped = bare.lstrip(" ")
        if stripped.startswith("- ") or stripped == "-":
            return bare[: len(bare) - len(stripped)]
    return None


def set_key(text: str, key: str, value: Any) -> str:
    """Set one top-level frontmatter key, touching only its own line(s).

    A scalar replaces the value part of the `key:` line (a trailing comment
    stays); a list replaces the key's block, keeping block style when the key
    was written as a block list; a new key goes on a new line at the end of
    the frontmatter. A file without frontmatter gets one.
    """
    lines = split_lines(text)
    newline = newline_of(text)
    fm = find_frontmatter(lines)
    if fm is None:
        if (late := misplaced_frontmatter(text.replace("\r\n", "\n").replace("\r", "\n"))) is not None:
            raise LateFrontmatterError(key, late)
        head = f"---{newline}{key}: {render_value(value)}{newline}---{newline}"
        return head + text
    _refuse_flow_mapping(lines, fm, key)
    block = key_block(lines, fm, key)
    if block is None:
        line_end = _ending(lines[fm.end - 1], newline)
        lines.insert(fm.end, f"{key}: {render_value(value)}{line_end}")
        return "".join(lines)
    first, stop = block
    ending = _ending(lines[first], newline)
    bare = _bare(lines[first])
    start, end = _value_span(lines[first])
    head = bare[: _TOP_KEY.match(bare).end()]  # type: ignore[union-attr]
    tail = bare[end:]  # the spacing and `# comment` after the value: kept
    if isinstance(value, (list, tuple)) and value and (indent := _block_list_indent(lines, first, stop)) is not None:
        lines[first:stop] = [f"{head}{tail}{ending}"] + [f"{indent}- {yaml_scalar(v)}{ending}" for v in value]
        return "".join(lines)
    rendered = render_value(value)
    if stop - first > 1:  # a block (list or multi-line scalar) becomes one line
        lines[first:stop] = [f"{head} {rendered}{tail}{ending}"]
        return "".join(lines)
    if start == end and (start == len(bare) or bare[start - 1] not in " \t"):
        rendered = " " + rendered  # `key:` with no value
    lines[first] = bare[:start] + rendered + bare[end:] + lines[first][len(bare) :]
    return "".join(lines)


def _ending(line: str, default: str) -> str:
    return line[len(_bare(line)) :] or default


def remove_key(text: str, key: str) -> str:
    """Remove a top-level key and its block; unchanged when it is absent."""
    lines = split_lines(text)
    fm = find_frontmatter(lines)
    if fm is None:
        return text
    _refuse_flow_mapping(lines, fm, key)
    block = key_block(lines, fm, key)
    if block is None:
        return text
    del lines[block[0] : block[1]]
    return "".join(lines)


def set_keys(text: str, values: dict[str, Any], path: str = "") -> str:
    """Apply several `set_key` / `remove_key` (value None) edits in order; `path` names the file in errors."""
    try:
        for key, value in values.items():
            text = remove_key(text, key) if value is None else set_key(text, key, value)
    except (DuplicateKeyError, LateFrontmatterError, FlowFrontmatterError) as exc:
        raise exc.at(path) from None
    return text


def append_to_body(text: str, addition: str) -> str:
    """Append lines at the end of the file, in its line-ending style (after a newline if missing)."""
    newline = newline_of(text)
    if text and not ends_line(text):
        text += newline
    return text + addition.replace("\n", newline)


def log_entry(day: dt.date | None, author: str, text: str) -> str:
    """A `## Log` entry as `wm comment` writes it: `- DATE AUTHOR: first line`, further lines indented under it."""
    lines = text.strip().split("\n")
    when = f"{day.isoformat()} " if day else ""
    return "\n".join([f"- {when}{author}: {lines[0].strip()}", *(f"  {line.rstrip()}" if line.strip() else "" for line in lines[1:])])


def add_log_entry(text: str, entry: str, heading: str = "## Log") -> str:
    """Append `entry` (one or more lines) to the `## Log` section, creating the section at the end.

    The entry goes after the section's last non-blank line, before the next
    heading of the same or a higher level.
    """
    lines = split_lines(text)
    newline = newline_of(text)
    fm = find_frontmatter(lines)
    body_start = fm.end + 1 if fm else 0
    level = len(heading) - len(heading.lstrip("#"))
    code = [False] * body_start + in_code_blocks([_bare(line) for line in lines[body_start:]])
    section = None
    for number in range(body_start, len(lines)):
        if not code[number] and _bare(lines[number]).strip().lower() == heading.lower():
            section = number
            break
    new_lines = [part + newline for part in entry.split("\n")]
    if section is None:
        if lines and not ends_line(lines[-1]):
            lines[-1] += newline
        gap = [] if not lines or not _bare(lines[-1]).strip() else [newline]
        return "".join(lines + gap + [heading + newline, newline] + new_lines)
    stop = len(lines)
    for number in range(section + 1, len(lines)):
        match = re.match(r"^(#{1,6})\s", _bare(lines[number]))
        if match and not code[number] and len(match.group(1)) <= level:
            stop = number
            break
    last = stop - 1
    while last > section and not _bare(lines[last]).strip():
        last -= 1
    if last == section:  # empty section: leave one blank line under the heading
        insert_at = section + 1
        if not ends_line(lines[section]):
            lines[section] += newline
        new_lines = [newline] + new_lines
        if insert_at < len(lines) and not _bare(lines[insert_at]).strip():
            new_lines = new_lines[1:]
            insert_at += 1
    else:
        if not ends_line(lines[last]):
            lines[last] += newline
        insert_at = last + 1
    lines[insert_at:insert_at] = new_lines
    return "".join(lines)
