"""`history.diff.unified` gives what `difflib.unified_diff` gave, byte for byte (it finds the same blocks faster)."""

from __future__ import annotations

import difflib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspace_tool.history.diff import AUTOJUNK_LINES, _matching_blocks, unified


def oracle(old: str | None, new: str | None, old_path: str, new_path: str) -> str:
    """The implementation `unified` replaced (difflib itself)."""
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        (new or "").splitlines(keepends=True),
        fromfile=f"a/{old_path}" if old is not None else "/dev/null",
        tofile=f"b/{new_path}" if new is not None else "/dev/null",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def check(old: str | None, new: str | None, old_path: str = "notes/x.md", new_path: str = "notes/x.md") -> None:
    assert unified(old, new, old_path, new_path) == oracle(old, new, old_path, new_path)


# lines from a small set, so that texts repeat lines (frontmatter fences, blank lines) as documents do
LINES = ["---\n", "\n", "\n", "title: A\n", "status: todo\n", "status: done\n", "# T-1\n", "a\n", "b\n", "c\n", "- [ ] x\n", "- [x] x\n"]
ODD_LINES = ["x\r\n", "\r\n", "y\r", "z\x0c", "w\u2028", "v\x85", "u\x1c", "t\x0b"]
line = st.sampled_from(LINES)
lines = st.lists(line, max_size=40)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str | None, str | None]:
    """A document and a version of it with a few line edits (the usual history), in various encodings of lines."""
    old = draw(lines)
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(new)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "duplicate", "move"]))
        if kind == "replace" and new:
            new[min(where, len(new) - 1)] = draw(line)
        elif kind == "insert":
            new[where:where] = draw(st.lists(line, min_size=1, max_size=4))
        elif kind == "delete":
            del new[where : where + draw(st.integers(1, 4))]
        elif kind == "duplicate" and new:
            start = min(where, len(new) - 1)
            piece = new[start : start + draw(st.integers(1, 3))]
            new[start:start] = piece
        elif kind == "move" and new:
            start = min(where, len(new) - 1)
            piece = new[start : start + draw(st.integers(1, 3))]
            del new[start : start + len(piece)]
            at = draw(st.integers(0, len(new)))
            new[at:at] = piece
    texts = ["".join(old), "".join(new)]
    for n in range(2):
        form = draw(st.sampled_from(["plain", "plain", "no final newline", "crlf", "odd line", "none", "empty"]))
        if form == "no final newline":
            texts[n] = texts[n].rstrip("\n")
        elif form == "crlf":
            texts[n] = texts[n].replace("\n", "\r\n")
        elif form == "odd line":
            parts = texts[n].splitlines(keepends=True)
            parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(ODD_LINES)))
            texts[n] = "".join(parts)
        elif form == "empty":
            texts[n] = ""
    result: list[str | None] = list(texts)
    for n in range(2):
        if draw(st.integers(0, 9)) == 0:
            result[n] = None
    return result[0], result[1]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_edits_give_difflibs_diff(texts: tuple[str | None, str | None]) -> None:
    check(*texts)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\n\r\x0c", max_size=60), st.text(alphabet="ab\n\r\x0c", max_size=60))
def test_unrelated_texts_give_difflibs_diff(old: str, new: str) -> None:
    check(old, new)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a\n", "b\n", "\n"]), max_size=12), st.lists(st.sampled_from(["a\n", "b\n", "\n"]), max_size=12))
def test_texts_of_few_distinct_lines_give_difflibs_diff(old: list[str], new: list[str]) -> None:
    check("".join(old), "".join(new))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(line, min_size=AUTOJUNK_LINES - 5, max_size=AUTOJUNK_LINES + 60), st.data())
def test_long_texts_give_difflibs_diff(old: list[str], data: st.DataObject) -> None:
    """From `AUTOJUNK_LINES` lines on, difflib skips frequent lines when matching (its "autojunk")."""
    new = list(old)
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(new)))
        new[where:where] = data.draw(st.lists(line, max_size=3))
        del new[where + 3 : where + 3 + data.draw(st.integers(0, 3))]
    check("".join(old), "".join(new))


def test_a_changed_status() -> None:
    old = "---\ntitle: A\nstatus: todo\nowner: ann\n---\n\nBody.\n\nMore.\n"
    new = old.replace("todo", "done")
    assert unified(old, new, "t.md", "t.md") == (
        "--- a/t.md\n+++ b/t.md\n@@ -1,6 +1,6 @@\n ---\n title: A\n-status: todo\n+status: done\n owner: ann\n ---\n \n"
    )
    check(old, new)


def test_created_deleted_and_unchanged() -> None:
    assert unified(None, "a\nb", "x.md", "x.md") == "--- /dev/null\n+++ b/x.md\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"
    assert unified("a\n", None, "x.md", "x.md") == "--- a/x.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n"
    assert unified("a\n", "a\n", "x.md", "y.md") == "" == unified(None, "", "x.md", "x.md")
    for old, new in [(None, "a\nb"), ("a\n", None), ("", "a"), ("a", ""), (None, None), ("a\r\nb\r", "a\r\nc\r")]:
        check(old, new)


def test_repeated_lines_where_difflib_does_not_take_the_common_prefix_and_suffix() -> None:
    """Texts where the longest run of equal lines is not the common start or end (checked against difflib, not assumed)."""
    cases = [
        ("x\nx\nx\ny\n", "x\nx\nx\nx\ny\n"),  # an inserted copy of a repeated line: difflib puts it first
        ("p\nx\nx\nx\nx\n", "p\nx\nz\nx\nx\nx\n"),  # the common end appears earlier in the old text
        ("p\nx\nz\nx\nx\nx\n", "p\nx\nx\nx\nx\n"),  # ... and in the new text
        ("x\ny\nx\ny\nx\ny\n", "x\ny\nz\nx\ny\nx\ny\n"),  # ... shifted by two lines
        ("a\nb\nc\nq\nb\nc\nd\n", "a\nb\nc\nr\nb\nc\nd\n"),
        ("---\nt\n---\n\nx\n\n", "---\nt\n---\n\n\nx\n\n"),
    ]
    for old, new in cases:
        check(old, new)
        check(new, old)
    assert _matching_blocks(["x\n", "x\n", "x\n", "y\n"], ["x\n", "x\n", "x\n", "x\n", "y\n"]) == [(0, 1, 4), (4, 5, 0)]


def test_the_matching_blocks_are_difflibs() -> None:
    old = "---\ntitle: A\nstatus: todo\n---\n\nx\n\ny\n".splitlines(keepends=True)
    for new in (["---\n", "\n", "z\n", "\n", "x\n"], old[:2] + ["status: done\n"] + old[3:], old[:4] + old[5:], old + ["---\n"]):
        assert _matching_blocks(old, new) == [tuple(m) for m in difflib.SequenceMatcher(None, old, new).get_matching_blocks()]
