"""Hostile input, the polish findings (audit 27, LOW 19-24 and 28) and a symlink leak in the history: special files
named in `wm validate`, a full disk during a site build, nested duplicate keys, `yaml-too-big` for too many keys, a
no-break space before a key's colon, UTF-16/32 without a byte order mark, an invisible character before `---`, and
the working copy of a symlink that leaves the workspace."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result

from workspace_tool.parse import parse_document
from workspace_tool.yamlload import load_yaml, load_yaml_mapping

Run = Callable[..., Result]
Write = Callable[[str, str], Path]

needs_links = pytest.mark.skipif(not hasattr(os, "symlink") or not hasattr(os, "mkfifo"), reason="needs symlinks and FIFOs")


# LOW 19: special files are named, with why they are not read


@needs_links
def test_special_files_are_warnings_naming_each_and_the_rest_loads(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("notes/real.md", "---\ntitle: Real\n---\n")
    os.symlink("nowhere.md", workspace / "notes/dangling.md")
    os.symlink("self.md", workspace / "notes/self.md")
    os.mkfifo(workspace / "notes/pipe.md")
    os.mkfifo(workspace / "notes/pipe-target")
    os.symlink("pipe-target", workspace / "notes/to-pipe.md")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 0, result.output  # warnings only
    assert result.output.splitlines() == [
        "notes/dangling.md:1: warning: symlink to nowhere.md, which does not exist: not read (fix the link, or remove it)",
        "notes/pipe.md:1: warning: a named pipe (FIFO), not a regular file: not read (a document is a regular file; remove "
        "it, or rename it without .md)",
        "notes/self.md:1: warning: symlink to self.md, which never reaches a file (a symlink loop): not read (remove the link)",
        "notes/to-pipe.md:1: warning: symlink to pipe-target, a named pipe (FIFO), not a regular file: not read (a document "
        "is a regular file; remove it, or rename it without .md)",
        "1 document, 0 errors, 4 warnings",
    ]
    codes = {d["path"]: d["code"] for d in json.loads(wm("-C", str(workspace), "validate", "--json").output)}
    assert codes == {"notes/dangling.md": "symlink-dangling", "notes/self.md": "symlink-loop", "notes/pipe.md": "not-a-file", "notes/to-pipe.md": "not-a-file"}


@needs_links
def test_an_excluded_special_file_is_skipped_without_a_word(workspace: Path, write_doc: Write, wm: Run) -> None:
    (workspace / "workspace.yml").write_text("name: test\nexclude: ['*.tmp.md']\n", encoding="utf-8")
    write_doc("notes/real.md", "---\ntitle: Real\n---\n")
    os.symlink("gone.md", workspace / "notes/x.tmp.md")
    os.mkfifo(workspace / "notes/y.tmp.md")
    result = wm("-C", str(workspace), "validate")
    assert result.output == "1 document, 0 errors, 0 warnings\n"


def test_a_device_named_md_is_a_warning(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("notes/real.md", "---\ntitle: Real\n---\n")
    try:
        os.mknod(workspace / "notes/null.md", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here")
    result = wm("-C", str(workspace), "validate")
    assert "notes/null.md:1: warning: a character device, not a regular file: not read" in result.output
    assert "1 document, 0 errors, 1 warning" in result.output


# LOW 20: a full disk during `wm site build`


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write of `write_if_changed` to its temporary file fails as on a full disk (the module's `open`)."""
    from workspace_tool.site import render

    real = open

    class Full:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real(file, mode, *args, **kwargs)
        return Full(handle) if "w" in mode else handle

    monkeypatch.setattr(render, "open", full_open, raising=False)


def test_a_full_disk_names_the_file_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workspace_tool.site.render import write_if_changed

    page = tmp_path / "out/page.html"
    page.parent.mkdir()
    page.write_bytes(b"old")
    _full_disk(monkeypatch)
    with pytest.raises(OSError) as caught:
        write_if_changed(page, b"new page")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(page)
    assert caught.value.strerror is not None and caught.value.strerror.startswith("cannot write: the disk is full; free some space")
    assert page.read_bytes() == b"old" and sorted(p.name for p in page.parent.iterdir()) == ["page.html"]


def test_site_build_on_a_full_disk_says_which_file(workspace: Path, write_doc: Write, wm: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    write_doc("notes/a.md", "---\ntitle: A\n---\nText.\n")
    out = workspace / "public"
    _full_disk(monkeypatch)
    result = wm("-C", str(workspace), "site", "build", "--out", str(out), "--jobs", "1")
    assert result.exit_code == 1
    assert f"wm: {out}{os.sep}" in result.output and ": cannot write: the disk is full; free some space" in result.output, result.output
    assert "Traceback" not in result.output
    left = [p for p in workspace.rglob("*") if p.name.endswith(".wm-tmp")]
    assert left == []


# LOW 21: nested duplicate keys


@pytest.mark.parametrize(
    ("frontmatter", "line", "key"),
    [
        ("x:\n  a: 1\n  a: 2\n", 5, "x.a"),
        ("x:\n  y:\n    a: 1\n    b: 2\n    a: 3\n", 7, "x.y.a"),
        ("items:\n- a: 1\n  a: 2\n", 5, "items[0].a"),
        ("x: {a: 1, a: 2}\n", 3, "x.a"),
    ],
    ids=["nested", "deeper", "in-a-list", "flow"],
)
def test_a_nested_key_written_twice_is_an_error_at_its_line(frontmatter: str, line: int, key: str) -> None:
    parsed = parse_document(f"---\ntitle: T\n{frontmatter}---\n", "notes/n.md")
    found = [(d.line, d.code, d.severity, d.message) for d in parsed.diagnostics]
    assert found == [(line, "duplicate-key", "error", f"{key}: the key is written more than once, and YAML reads only the last one — remove the others")]


def test_validate_lists_a_nested_duplicate(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("notes/n.md", "---\ntitle: T\nx:\n  a: 1\n  a: 2\n---\n")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 1 and "notes/n.md:5: error: x.a: the key is written more than once" in result.output


def test_a_nested_duplicate_in_workspace_yml_is_reported_too() -> None:
    _, _, found = load_yaml_mapping("name: t\ncalendar:\n  hours_per_day: 8\n  hours_per_day: 6\n", "workspace.yml", 0)
    assert [(d.line, d.code) for d in found] == [(4, "duplicate-key")] and found[0].message.startswith("calendar.hours_per_day: ")


@pytest.mark.parametrize(
    "frontmatter",
    [
        "key_results:\n  - title: a\n    target: 1\n  - title: b\n    target: 2\n",  # list items repeat their keys
        "x:\n  a: 1\ny:\n  a: 2\n",  # two mappings, one key each
        "x: &r\n  a: 1\ny: *r\n",  # a mapping used again through an alias
        "note: |\n  a: 1\n  a: 2\n",  # keys in a text are text
    ],
    ids=["list-items", "two-mappings", "alias", "block-text"],
)
def test_the_same_key_in_different_mappings_is_no_duplicate(frontmatter: str) -> None:
    _, _, found = load_yaml_mapping(frontmatter, "notes/n.md", 1)
    assert found == []


# LOW 22: too many keys blame the whole frontmatter, not its first key


def test_too_many_keys_are_not_blamed_on_the_first_key() -> None:
    text = "title: T\n" + "".join(f"k{n}: {n}\n" for n in range(100_000))
    data, found = load_yaml(text, "notes/big.md", 1)
    assert data is None and [(d.line, d.code) for d in found] == [(2, "yaml-too-big")]
    assert found[0].message.startswith("the frontmatter as a whole is too big (100001 top-level keys): YAML expands to more than")


def test_one_big_value_is_still_blamed_on_its_key() -> None:
    text = "title: T\nbig: [" + ", ".join(["1"] * 20_001) + "]\n"
    _, found = load_yaml(text, "notes/big.md", 1)
    assert [(d.line, d.message.split(":")[0]) for d in found] == [(3, "big")]


# LOW 23: a no-break space before the colon


def test_a_key_with_a_no_break_space_before_its_colon_is_reported_at_its_line() -> None:
    parsed = parse_document("---\nstatus: todo\ntitle\u00a0: x\n---\n", "tasks/t.md")
    assert [(d.line, d.code, d.message.split(": ")[0]) for d in parsed.diagnostics] == [(3, "unknown-key", "'title\\xa0'")]
    assert parsed.document is not None and parsed.document.lines["title\u00a0"] == 3


# LOW 24: UTF-16 and UTF-32 without a byte order mark


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_or_32_without_a_bom_is_named_so(workspace: Path, wm: Run, codec: str) -> None:
    (workspace / "notes").mkdir()
    (workspace / "notes/u.md").write_bytes("---\ntitle: Café 一\n---\nbody\n".encode(codec))
    name = codec[:6].upper()
    assert wm("-C", str(workspace), "validate").output == (
        f"notes/u.md:1: error: file is {name} text (without a byte order mark), not UTF-8; save it as UTF-8\n"
        "0 documents, 1 error, 0 warnings\n"
    )


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", bytes(range(256)) * 4, b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff"],
    ids=["png", "all-bytes", "gif"],
)
def test_binary_files_stay_binary(workspace: Path, wm: Run, data: bytes) -> None:
    (workspace / "notes").mkdir()
    (workspace / "notes/b.md").write_bytes(data)
    assert "notes/b.md:1: error: file is binary, not a Markdown document" in wm("-C", str(workspace), "validate").output


# LOW 28: an invisible character before `---`


@pytest.mark.parametrize("mark", ["\u200b", "\u2060", "\ufeff\ufeff"], ids=["zero-width-space", "word-joiner", "third-bom"])
def test_an_invisible_character_before_the_opening_line_is_reported(mark: str) -> None:
    parsed = parse_document(f"{mark}---\ntitle: Hidden\n---\nbody\n", "notes/z.md")
    [found] = parsed.diagnostics
    assert (found.line, found.code, found.severity) == (1, "frontmatter-not-first", "error")
    name = {"\u200b": "U+200B ZERO WIDTH SPACE", "\u2060": "U+2060 WORD JOINER"}.get(mark, "U+FEFF ZERO WIDTH NO-BREAK SPACE")
    assert found.message == (
        f"'---' on line 1 would open the frontmatter, but an invisible {name} comes before it on that line: remove it "
        "(until then its keys are read as body text)"
    )


def test_invisible_characters_on_blank_lines_above_are_named(workspace: Path, write_doc: Write, wm: Run) -> None:
    write_doc("notes/z.md", "\u200b\n---\ntitle: Hidden\n---\n")
    result = wm("-C", str(workspace), "validate")
    assert result.exit_code == 1
    assert "notes/z.md:2: error: '---' on line 2 would open the frontmatter, but only line 1 can: remove the blank lines above " \
        "it, and the invisible U+200B ZERO WIDTH SPACE in them" in result.output


def test_a_single_bom_and_visible_text_before_a_rule_are_fine() -> None:
    assert parse_document("\ufeff---\ntitle: T\n---\n", "notes/a.md").diagnostics == ()
    assert parse_document("\u200bHello\n\n---\nmore\n---\n", "notes/a.md").diagnostics == ()


# the history does not read through a symlink out of the workspace


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@x"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@needs_links
@pytest.mark.parametrize("tracked", [False, True], ids=["new-link", "file-replaced-by-link"])
def test_history_does_not_read_a_working_copy_linked_outside(
    workspace: Path, write_doc: Write, wm: Run, tmp_path_factory: pytest.TempPathFactory, tracked: bool
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("---\ntitle: Secret\nstatus: hunter2\n---\nTOKEN\n", encoding="utf-8")
    write_doc("notes/real.md", "---\ntitle: Real\n---\n")
    if tracked:
        write_doc("notes/leak.md", "---\ntitle: Leak\n---\n")
    _git(workspace, "init", "-q")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-qm", "init")
    (workspace / "notes/leak.md").unlink(missing_ok=True)
    os.symlink(outside / "secret.md", workspace / "notes/leak.md")
    from workspace_tool.config import default_settings
    from workspace_tool.history import read

    reading = read(workspace, default_settings(), use_cache=False)
    [working] = [w for w in reading.working if w.path == "notes/leak.md"]
    assert working.exists and working.fields is None  # there, and not read
    shown = wm("-C", str(workspace), "history", "notes/leak", "--json").output
    assert "Secret" not in shown and "hunter2" not in shown


def test_an_edit_of_a_file_with_an_invisible_character_before_the_opening_line_says_so(workspace: Path, write_doc: Write, wm: Run) -> None:
    """`wm set` refuses (the frontmatter is body text), naming the invisible character, not blank lines it does not have."""
    write_doc("notes/z.md", "\u200b---\ntitle: Hidden\n---\n")
    before = (workspace / "notes/z.md").read_bytes()
    result = wm("-C", str(workspace), "set", "notes/z", "status=done")
    assert result.exit_code != 0
    assert "an invisible character (such as U+200B ZERO WIDTH SPACE) comes before '---' on line 1" in result.output
    assert "blank lines" not in result.output
    assert (workspace / "notes/z.md").read_bytes() == before
