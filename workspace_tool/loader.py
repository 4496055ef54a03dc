"""Finding the workspace and its documents on disk, and reading them safely.

This is the I/O side of parsing: `parse` stays pure.
"""

from __future__ import annotations

import codecs
import errno
import functools
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import NamedTuple

from workspace_tool.config import Settings, default_settings, load_settings
from workspace_tool.errors import Diagnostic, NotFoundError
from workspace_tool.parse import Parsed, parse_document

CONFIG_NAME = "workspace.yml"
SKIPPED_DIRS = frozenset({"site", "templates", "node_modules", "__pycache__", "baselines"})
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SETTINGS_BYTES = 1024 * 1024
"""workspace.yml's limit: settings are a page or two; 54 MB of comments took 3.4 s and 700 MB to load."""
"""Documents larger than this are reported and skipped (a 50 MB file is not a task)."""


def find_root(start: Path) -> Path:
    """The folder holding `workspace.yml`, from `start` upwards (like git finds its repository)."""
    start = start.resolve()
    if not start.exists():
        raise NotFoundError(f"{start}: no such folder (-C DIR or WM_WORKSPACE names a workspace's folder)")
    if not start.is_dir():
        raise NotFoundError(f"{start}: a file, not a folder (-C DIR or WM_WORKSPACE names a workspace's folder)")
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise NotFoundError(
        f"no {CONFIG_NAME} in {start} or any folder above it: run 'wm init' to create a workspace, or use -C DIR / WM_WORKSPACE"
    )


def read_settings(root: Path) -> tuple[Settings, list[Diagnostic]]:
    path = root / CONFIG_NAME
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return default_settings(), []
    except OSError as exc:
        return default_settings(), [Diagnostic(CONFIG_NAME, 1, "error", "unreadable", f"cannot read {CONFIG_NAME}: {exc}")]
    if len(data) > MAX_SETTINGS_BYTES:
        message = f"{CONFIG_NAME} is larger than {MAX_SETTINGS_BYTES // 1024} KB: not read, so the default settings apply"
        return default_settings(), [Diagnostic(CONFIG_NAME, 1, "error", "too-large", message)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"cannot read {CONFIG_NAME}: not UTF-8 text (byte 0x{data[exc.start]:02X}); save it as UTF-8"
        return default_settings(), [Diagnostic(CONFIG_NAME, line, "error", "unreadable", message)]
    return load_settings(text.replace("\r\n", "\n"), CONFIG_NAME)


class FileStat(NamedTuple):
    """What identifies a file's version for the cache: path, size, mtime (and ctime: chmod changes it).

    A named tuple: every command makes one per document file (10,000 at 10,000 documents).
    """

    relpath: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0


def discover(root: Path, settings: Settings) -> tuple[list[FileStat], list[Diagnostic]]:
    """Every document file below `root`, sorted by path, with its stat.

    Skips hidden folders, build output, templates and `exclude:` globs (a
    warning at each glob that excludes nothing), never loops on symlinked
    folders, and never follows a symlink that leads outside the root (a
    `symlink-outside` warning at the link: git stores the link, not the file
    it names, so that file is no document of the workspace).
    """
    found: list[FileStat] = []
    problems: list[Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()
    patterns = settings.exclude
    rules = ExcludeRules.of(patterns)
    used: set[int] = set()
    real_root: Path | None = None  # resolved on the first symlink met: most workspaces have none
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            info = folder.stat()
            key = (info.st_dev, info.st_ino)
            if key in seen_dirs:
                problems.append(Diagnostic(prefix.rstrip("/") or ".", 1, "warning", "symlink-loop", "folder reached twice through a symlink; read once"))
                continue
            seen_dirs.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(Diagnostic(prefix.rstrip("/") or ".", 1, "error", "unreadable", f"cannot read folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                if entry.is_symlink():  # from scandir's d_type: no system call for the entries that are no links
                    real_root = real_root or root.resolve()
                    target = _outside(entry.path, real_root)
                    if target is not None:
                        is_dir = entry.is_dir()
                        skipped = (not prefix and name in SKIPPED_DIRS) or bool(patterns and rules.matching(rel, is_dir, used))
                        if (is_dir or name.endswith(".md")) and not skipped:
                            problems.append(Diagnostic(rel, 1, "warning", "symlink-outside", f"symlink to {target}, outside the workspace: not read (git stores the link, not that file; move the file into the workspace, or remove the link)"))
                        continue
                if entry.is_dir():
                    if not prefix and name in SKIPPED_DIRS:
                        continue
                    if patterns and rules.matching(rel, True, used):
                        continue
                    stack.append((Path(entry.path), rel + "/"))
                elif name.endswith(".md") and entry.is_file():
                    if patterns and rules.matching(rel, False, used):
                        continue
                    st = entry.stat()
                    found.append(FileStat(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
                elif name.endswith(".md") and not (patterns and rules.matching(rel, False, used)):
                    problems.extend(_not_a_file(entry, rel))
            except OSError:  # a link loop (`is_dir` follows it), or vanished or unreadable between listing and stat
                if name.endswith(".md") and not (patterns and rules.matching(rel, False, used)):
                    problems.extend(_not_a_file(entry, rel))
    found.sort()  # by path: no two files share one
    if patterns and len(used) < len(patterns):
        problems.extend(_unused_excludes(root, rules.patterns, used))
    return found, problems


_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_a_file(entry: os.DirEntry[str], rel: str) -> list[Diagnostic]:
    """Why the `.md` entry `rel`, which is neither a regular file nor a folder, is not read: a dangling symlink, a
    symlink loop, a named pipe, a device or a socket (or a link to one); nothing when it vanished meanwhile or is a
    file or folder by now. Its `stat` is taken, never its contents: opening a pipe would wait for a writer."""
    shown = ""
    try:
        if entry.is_symlink():
            shown = f"symlink to {os.readlink(entry.path)}"
        info = os.stat(entry.path)
    except FileNotFoundError:
        if not shown or not os.path.lexists(entry.path):
            return []  # gone between listing and stat: not there
        return [Diagnostic(rel, 1, "warning", "symlink-dangling", f"{shown}, which does not exist: not read (fix the link, or remove it)")]
    except OSError as exc:
        if exc.errno == errno.ELOOP and shown:
            return [Diagnostic(rel, 1, "warning", "symlink-loop", f"{shown}, which never reaches a file (a symlink loop): not read (remove the link)")]
        return [Diagnostic(rel, 1, "error", "unreadable", f"cannot read file: {exc.strerror or exc}")]
    kind = next((name for test, name in _SPECIAL if test(info.st_mode)), None)
    if kind is None:
        return []  # a file or folder by now: the next run reads it
    what = f"{shown}, {kind}" if shown else kind
    return [Diagnostic(rel, 1, "warning", "not-a-file", f"{what}, not a regular file: not read (a document is a regular file; remove it, or rename it without .md)")]


def outside_workspace(root: Path, relpath: str) -> str | None:
    """Where the workspace path `relpath` really leads when a symlink (the file's, or a folder's on the way) takes
    it outside `root`, else None: such a file is no document of the workspace, and `discover` does not read it."""
    return _outside(os.path.join(root, relpath), Path(os.path.realpath(root)))


def _outside(link: str, real_root: Path) -> str | None:
    """Where the symlink `link` leads when that is outside `real_root` (the resolved root), else None (a link inside
    the workspace is read as the file or folder it names; a dangling one is left to the caller, which skips it)."""
    real = Path(os.path.realpath(link))
    return None if real.is_relative_to(real_root) else str(real)


class ExcludeRules:
    """The `exclude:` globs of `workspace.yml`, matched as `.gitignore` lines are (without `!`), against paths
    relative to the root:

    - `*` matches within one path segment (not `/`), `?` one character of one, `[abc]` one of a set;
    - `**` matches any number of segments, none included: `**/drafts` (at any depth), `drafts/**` (all inside),
      `a/**/b`;
    - a glob with a `/` at its start or in its middle is relative to the root (`/drafts`, `notes/*.md` matches
      `notes/a.md`, not `notes/sub/a.md`); without one it matches a name at any depth (`*.tmp.md`, `drafts`);
    - a glob ending in `/` matches folders only;
    - a folder that matches excludes everything in it.
    """

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        compiled = [_glob_regex(pattern) for pattern in patterns]
        self._each = [re.compile(regex) for regex, _ in compiled]
        self._folders_only = [folders_only for _, folders_only in compiled]
        self._any = re.compile("|".join(f"(?:{regex})" for regex, _ in compiled)) if patterns else None

    @staticmethod
    @functools.lru_cache(maxsize=16)
    def of(patterns: tuple[str, ...]) -> ExcludeRules:
        return ExcludeRules(patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matching(self, relpath: str, is_folder: bool, used: set[int] | None = None) -> bool:
        """Whether the file or folder `relpath` is excluded (`used` collects the indexes of the globs that match it)."""
        if self._any is None or self._any.fullmatch(relpath) is None:
            return False
        hits = [i for i, regex in enumerate(self._each) if (is_folder or not self._folders_only[i]) and regex.fullmatch(relpath)]
        if used is not None:
            used.update(hits)
        return bool(hits)


def excluded(relpath: str, patterns: tuple[str, ...], is_folder: bool = False) -> bool:
    """Whether `exclude:` (`patterns`) leaves out the file (or folder) `relpath`: `ExcludeRules`. A file is left out
    too when a folder above it is; `discover` never looks inside such a folder, a caller given a whole path asks this."""
    rules = ExcludeRules.of(patterns)
    if not rules:
        return False
    parts = relpath.split("/")
    folders = ("/".join(parts[:i]) for i in range(1, len(parts)))
    return any(rules.matching(folder, True) for folder in folders) or rules.matching(relpath, is_folder)


def _glob_regex(pattern: str) -> tuple[str, bool]:
    """A gitignore-style glob as a regular expression over a relative path (`ExcludeRules`), and whether it matches
    folders only (a trailing `/`).

    Built so that matching takes time linear in the path, whatever the glob (no exponential backtracking on
    `**/**/**/...`): runs of `**` are one `**`, and each `**/` before more of the glob is an atomic, lazy group
    (`(?>(?:[^/]*/)*?CHUNK/)`). The segments between two `**` match a fixed number of whole segments, so their first
    match is as good as any later one (the next `**` spans the gap) and is never taken back."""
    folders_only = pattern.endswith("/")
    body = pattern.rstrip("/")
    segments = body.lstrip("/").split("/")
    if "/" not in body:  # a name at any depth
        segments = ["**", *segments]
    chunks: list[list[str]] = [[]]  # the runs of segments between `**`s (the first and last may be empty)
    for segment in segments:
        if segment != "**":
            chunks[-1].append(_segment_regex(segment))
        elif chunks[-1] or len(chunks) == 1:  # `**/**` is `**`
            chunks.append([])
    if len(chunks) == 1:
        return "/".join(chunks[0]), folders_only
    parts = ["/".join(chunks[0]) + "/" if chunks[0] else ""]
    parts += [f"(?>(?:[^/]*/)*?{'/'.join(chunk)}/)" for chunk in chunks[1:-1]]
    parts.append(f"(?:[^/]*/)*{'/'.join(chunks[-1])}" if chunks[-1] else "(?s:.*)")
    return "".join(parts), folders_only


def _segment_regex(segment: str) -> str:
    """One path segment of a glob: `*` and `?` within the segment, `[...]` a set (`[!...]` its complement), `\\x` the
    character x. Between two `*`s each piece is matched atomically at its first place (`(?>[^/]*?PIECE)`), as
    `fnmatch` does: pieces have a fixed width, so `*a*a*a*b` cannot backtrack without bound on a long name."""
    pieces: list[list[str]] = [[]]
    i, size = 0, len(segment)
    while i < size:
        char = segment[i]
        i += 1
        if char == "*":
            if pieces[-1] or len(pieces) == 1:  # `**` within a segment is `*`
                pieces.append([])
        elif char == "?":
            pieces[-1].append("[^/]")
        elif char == "\\" and i < size:
            pieces[-1].append(re.escape(segment[i]))
            i += 1
        elif char == "[" and (end := _set_end(segment, i)) > 0:
            inner = segment[i:end]
            negate = inner[0] in "!^"
            inner = re.sub(r"([\\\[\]])", r"\\\1", inner[1:] if negate else inner)
            pieces[-1].append(f"[^/{inner}]" if negate else f"(?!/)[{inner}]")
            i = end + 1
        else:
            pieces[-1].append(re.escape(char))
    if len(pieces) == 1:
        return "".join(pieces[0])
    middle = "".join(f"(?>[^/]*?{''.join(piece)})" for piece in pieces[1:-1])
    return "".join(pieces[0]) + middle + "[^/]*" + "".join(pieces[-1])


def _set_end(segment: str, start: int) -> int:
    """Where the `]` closing a set that opens before `start` is (a `]` right after `[` or `[!` belongs to the set), or -1."""
    first = start + 1 if segment[start : start + 1] in ("!", "^") else start
    return segment.find("]", first + 1)


def _unused_excludes(root: Path, patterns: tuple[str, ...], used: set[int]) -> list[Diagnostic]:
    """A warning at each `exclude:` glob that left nothing out, at its line of `workspace.yml` (read again: this is
    rare); not for a glob that starts with a folder which does not exist, kept for when it does (as in `.gitignore`)."""
    from workspace_tool.yamlload import item_lines, key_lines

    unused = [
        (number, pattern)
        for number, pattern in enumerate(patterns)
        if number not in used and not ((folder := _leading_folder(pattern)) and not (root / folder).exists())
    ]
    if not unused:
        return []
    try:
        text = (root / CONFIG_NAME).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        text = ""
    key_line = key_lines(text, 0).get("exclude", 1)
    items = item_lines(text, "exclude", 0)
    lines = items if len(items) == len(patterns) else [key_line] * len(patterns)
    return [
        Diagnostic(
            CONFIG_NAME, lines[number], "warning", "exclude-unused",
            f"exclude: {pattern!r} excludes nothing (no document or folder that is not left out already matches it); globs are "
            "gitignore-style, relative to the root: `*` stays within a folder, `**` spans folders (see docs/format.md)",
        )
        for number, pattern in unused
    ]


def _leading_folder(pattern: str) -> str:
    """The path a glob relative to the root starts with, up to its first wildcard (`drafts` of `drafts/**`, `/drafts`
    and `/drafts/*.md`); "" for a glob that may match at any depth or starts with a wildcard."""
    body = pattern.rstrip("/")
    if "/" not in body:
        return ""
    segments = body.lstrip("/").split("/")
    literal = []
    for segment in segments:
        if any(char in segment for char in "*?[\\"):
            break
        literal.append(segment)
    return "/".join(literal)


def read_text(root: Path, relpath: str) -> tuple[str | None, Diagnostic | None]:
    """A document's text, or a diagnostic saying why it cannot be read."""
    return read_document(root, relpath)[1:]


def read_document(root: Path, relpath: str) -> tuple[bytes | None, str | None, Diagnostic | None]:
    """A document's bytes (None when it cannot be read whole: missing, unreadable or too large) and its text, or a
    diagnostic saying why it cannot be used."""
    path = root / relpath
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, None, Diagnostic(relpath, 1, "warning", "vanished", "file disappeared while the workspace was read")
    except OSError as exc:
        return None, None, Diagnostic(relpath, 1, "error", "unreadable", f"cannot read file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return None, None, Diagnostic(relpath, 1, "error", "too-large", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; documents are skipped above that size")
    if b"\x00" in data:
        encoding = _utf16_or_32(data)
        if encoding is not None:
            return data, None, Diagnostic(relpath, 1, "error", "not-utf8", f"file is {encoding} text (it starts with a {encoding} byte order mark), not UTF-8; save it as UTF-8")
        encoding = _utf16_or_32_unmarked(data)
        if encoding is not None:
            return data, None, Diagnostic(relpath, 1, "error", "not-utf8", f"file is {encoding} text (without a byte order mark), not UTF-8; save it as UTF-8")
        return data, None, Diagnostic(relpath, 1, "error", "binary", "file is binary, not a Markdown document")
    try:
        return data, data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return data, None, Diagnostic(relpath, line, "error", "not-utf8", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8")


_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _utf16_or_32(data: bytes) -> str | None:
    """"UTF-16" or "UTF-32" for text that starts with that encoding's byte order mark (Windows editors save such
    files), else None; its NUL bytes would make it look binary."""
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


_UNMARKED = (("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"))
_NOT_TEXT = frozenset({"Cc", "Cn", "Co", "Cs"})
"""Unicode categories that text does not hold (controls, unassigned, private use, surrogates): what bytes that are no
text in an encoding turn into when decoded in it anyway."""


def _utf16_or_32_unmarked(data: bytes) -> str | None:
    """"UTF-16" or "UTF-32" for text in that encoding without a byte order mark (the NUL bytes beside each ASCII
    character are what made it look binary), else None: the bytes decode in it strictly, to no NUL character, and
    the first 4,096 characters hold nothing but text (`_NOT_TEXT`, apart from tab and line breaks). The byte order
    is the one whose NULs fall where ASCII's high bytes are (`A\\0` is UTF-16-LE), and nearly all of its NULs fall
    on that side (text other than ASCII has few); a binary file fails the test."""
    odd = data[1:4096:2].count(0)
    even = data[0:4096:2].count(0)
    for codec, name in _UNMARKED:
        if len(data) % (4 if name == "UTF-32" else 2):
            continue
        if name == "UTF-16" and ((odd > even) != codec.endswith("le") or 10 * min(odd, even) > max(odd, even)):
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and not any(unicodedata.category(char) in _NOT_TEXT for char in text[:4096] if char not in "\t\n\r"):
            return name
    return None


def parse_file(root: Path, relpath: str, settings: Settings) -> Parsed:
    text, problem = read_text(root, relpath)
    if text is None:
        assert problem is not None
        return Parsed(None, (problem,))
    return parse_document(text, relpath, settings)
