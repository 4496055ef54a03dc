"""Editing hand-written files with unusual formatting: the findings of the editing audit (F1-F4, F6-F9, F11-F14).

Each test writes real files into a temporary workspace and runs the real command line (or the edit primitive
the finding was in), then reads the file back.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from workspace_tool.config import default_settings
from workspace_tool.edit import DuplicateKeyError, add_log_entry, set_key, set_keys, split_lines
from workspace_tool.model import Task
from workspace_tool.parse import parse_document
from workspace_tool.recur import instance_text

TASKS = "projects/web/tasks"


@pytest.fixture
def ws(workspace: Path, write_doc) -> Path:  # type: ignore[no-untyped-def]
    write_doc("people/alice.md", "---\nname: Alice\nemail: alice@example.com\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    for name in ("api", "design", "copy"):
        write_doc(f"{TASKS}/{name}.md", f"---\ntitle: {name.title()}\nstatus: todo\n---\n")
    return workspace


def read(ws: Path, name: str) -> str:
    return (ws / TASKS / f"{name}.md").read_bytes().decode("utf-8")


def frontmatter(text: str) -> dict[str, object]:
    loaded = yaml.safe_load(text.replace("\r\n", "\n").replace("\r", "\n").split("---\n")[1])
    assert isinstance(loaded, dict)
    return loaded


# -- F1: a block list with a comment at column 0 ----------------------------------------------------------


COL0 = "---\ntitle: Col0\ndepends_on:\n- api\n# waiting on design too:\n- design\n# the next key:\nstatus: todo\n---\n"


def test_block_list_with_a_column_0_comment_is_replaced_whole(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/col0.md", COL0)
    result = wm("-C", str(ws), "set", "col0", "depends_on=api")
    assert result.exit_code == 0, result.output
    assert "nothing to change" not in result.output
    assert frontmatter(read(ws, "col0"))["depends_on"] == ["api"]
    result = wm("-C", str(ws), "set", "col0", "depends_on=copy")
    assert result.exit_code == 0, result.output
    text = read(ws, "col0")
    assert frontmatter(text)["depends_on"] == ["copy"]
    assert text == "---\ntitle: Col0\ndepends_on:\n- copy\n# the next key:\nstatus: todo\n---\n"  # the next key's comment stays


def test_block_list_with_a_column_0_comment_can_be_removed(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/col0.md", COL0)
    result = wm("-C", str(ws), "set", "col0", "depends_on=")
    assert result.exit_code == 0, result.output
    assert read(ws, "col0") == "---\ntitle: Col0\n# the next key:\nstatus: todo\n---\n"


# -- F2: a key written twice ----------------------------------------------------------------------------


DUP = "---\ntitle: Dup\nstatus: todo\npriority: low\nstatus: review\n---\n"


def test_duplicate_key_is_a_diagnostic_at_the_second_occurrence() -> None:
    parsed = parse_document(DUP, f"{TASKS}/dup.md")
    assert parsed.document is not None
    found = [d for d in parsed.diagnostics if d.code == "duplicate-key"]
    assert [(d.line, d.severity) for d in found] == [(5, "error")]
    assert "status" in found[0].message
    assert parsed.document.line_of("status") == 5  # the line YAML reads


def test_duplicate_key_inside_quotes_is_not_one() -> None:
    text = "---\ntitle: 'a\n\n  status: x'\nstatus: todo\n---\n"
    parsed = parse_document(text, f"{TASKS}/q.md")
    assert not [d for d in parsed.diagnostics if d.code == "duplicate-key"]


def test_validate_reports_a_duplicate_key(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/dup.md", DUP)
    result = wm("-C", str(ws), "validate")
    assert f"{TASKS}/dup.md:5: error: status:" in result.output


@pytest.mark.parametrize("args", [("move", "dup", "done"), ("set", "dup", "status=done")])
def test_editing_a_duplicated_key_is_refused_naming_file_and_line(ws: Path, write_doc, wm, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/dup.md", DUP)
    result = wm("-C", str(ws), *args)
    assert result.exit_code == 1
    assert f"{TASKS}/dup.md:5:" in result.output and "'status'" in result.output and "nothing was changed" in result.output
    assert read(ws, "dup") == DUP


def test_editing_another_key_of_a_file_with_a_duplicate_works(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/dup.md", DUP)
    result = wm("-C", str(ws), "set", "dup", "priority=high")
    assert result.exit_code == 0, result.output
    assert read(ws, "dup") == DUP.replace("priority: low", "priority: high")


def test_set_keys_names_the_duplicated_key() -> None:
    with pytest.raises(DuplicateKeyError, match=r"x\.md:5: .*'status'.*lines 3, 5"):
        set_keys(DUP, {"status": "done"}, "x.md")


# -- F3: values of your own keys are written as typed -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "written", "read_back"),
    [
        ("0012", "'0012'", "0012"),
        ("1:30", "'1:30'", "1:30"),
        ("+4912345", "'+4912345'", "+4912345"),
        ("0x1F", "'0x1F'", "0x1F"),
        ("1_000", "'1_000'", "1_000"),
        ("1.50", "'1.50'", "1.50"),
        ("call bob #urgent", "'call bob #urgent'", "call bob #urgent"),
        ("yes", "'yes'", "yes"),
        ("2026-12-01", "2026-12-01", dt.date(2026, 12, 1)),
        ("2026-02-30", "'2026-02-30'", "2026-02-30"),
        ("plain words", "plain words", "plain words"),
        ("12", "12", 12),
        ("-3", "-3", -3),
        ("2.5", "2.5", 2.5),
        ("true", "true", True),
        ("false", "false", False),
    ],
)
def test_own_keys_are_written_as_typed(ws: Path, wm, typed: str, written: str, read_back: object) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "set", "api", f"ticket={typed}")
    assert result.exit_code == 0, result.output
    text = read(ws, "api")
    assert f"\nticket: {written}\n" in text
    value = frontmatter(text)["ticket"]
    assert value == read_back and type(value) is type(read_back)


def test_new_field_is_written_as_typed(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "new", "task", "Imp", "--project", "web", "--field", "ticket=0012", "--field", "slot=1:30")
    assert result.exit_code == 0, result.output
    values = frontmatter(read(ws, "imp"))
    assert values["ticket"] == "0012" and values["slot"] == "1:30"


# -- F4: a document that is a symbolic link ---------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_editing_through_a_symlink_writes_the_target_and_keeps_the_link(ws: Path, tmp_path_factory: pytest.TempPathFactory, wm) -> None:  # type: ignore[no-untyped-def]
    """A link to a file inside the workspace (here in an excluded folder) is a document, edited through the link.
    A link out of the workspace is not read at all (`symlink-outside`: hostile audit #4), so it cannot be edited."""
    (ws / "workspace.yml").write_text("name: test\nexclude: [shared/**]\n", encoding="utf-8")
    shared = ws / "shared" / "shared.md"
    shared.parent.mkdir()
    shared.write_text("---\ntitle: Linked\nstatus: todo\n---\n", encoding="utf-8")
    link = ws / TASKS / "linked.md"
    link.symlink_to(shared)
    for args in (("set", "linked", "status=review"), ("comment", "linked", "looked at it")):
        result = wm("-C", str(ws), *args)
        assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(shared)
    text = shared.read_text(encoding="utf-8")
    assert "status: review" in text and "looked at it" in text
    assert [p.name for p in shared.parent.iterdir()] == ["shared.md"]  # no temporary file left beside the target
    outside = tmp_path_factory.mktemp("outside") / "outside.md"
    outside.write_text("---\ntitle: Outside\nstatus: todo\n---\n", encoding="utf-8")
    (ws / TASKS / "away.md").symlink_to(outside)
    refused = wm("-C", str(ws), "set", "away", "status=review")
    assert refused.exit_code != 0 and "status: todo" in outside.read_text(encoding="utf-8")
    assert f"{TASKS}/away.md:1: warning: symlink to {outside}, outside the workspace" in wm("-C", str(ws), "validate").output


# -- F6: an opening `---` with trailing whitespace --------------------------------------------------------


@pytest.mark.parametrize("opener", ["---  ", "---\t", "--- "])
def test_opening_line_with_trailing_whitespace_is_frontmatter(ws: Path, write_doc, wm, opener: str) -> None:  # type: ignore[no-untyped-def]
    text = f"{opener}\ntitle: Trailing spaces\nstatus: todo\n---\nbody\n"
    parsed = parse_document(text, f"{TASKS}/opener.md")
    assert parsed.document is not None and parsed.document.title == "Trailing spaces"
    write_doc(f"{TASKS}/opener.md", text)
    result = wm("-C", str(ws), "set", "opener", "status=review")
    assert result.exit_code == 0, result.output
    assert read(ws, "opener") == text.replace("status: todo", "status: review")
    shown = wm("-C", str(ws), "show", "opener", "--json").output
    assert '"status": "review"' in shown


@pytest.mark.parametrize("top", ["\n", "\n\n", "  \n", "\r\n"])
def test_frontmatter_after_blank_lines_is_an_error_and_edits_refuse(ws: Path, write_doc, wm, top: str) -> None:  # type: ignore[no-untyped-def]
    text = f"{top}---\ntitle: Late\nstatus: todo\n---\nbody\n"
    line = top.count("\n") + 1
    parsed = parse_document(text, f"{TASKS}/late.md")
    assert parsed.document is not None and parsed.document.title == "late"  # read as body, as every tool reads it
    [diagnostic] = parsed.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.severity) == ("frontmatter-not-first", line, "error")
    assert "remove the blank lines above it" in diagnostic.message
    write_doc(f"{TASKS}/late.md", text)
    result = wm("-C", str(ws), "validate")
    assert result.exit_code == 1 and f"{TASKS}/late.md:{line}: error: '---' on line {line}" in result.output
    result = wm("-C", str(ws), "set", "late", "status=review")
    assert result.exit_code == 1
    assert f"{TASKS}/late.md:{line}: error: the frontmatter starts after blank lines" in result.output
    assert (ws / TASKS / "late.md").read_bytes() == text.encode("utf-8")  # no second frontmatter written above it


@pytest.mark.parametrize("text", ["\nNo frontmatter here.\n", "\n---\nA rule, then text.\n", "\n\n# Title\n\n---\n\nmore\n---\n"])
def test_blank_lines_and_rules_without_frontmatter_are_fine(text: str) -> None:
    assert parse_document(text, f"{TASKS}/plain.md").diagnostics == ()


# -- F7: recurrence rules ---------------------------------------------------------------------------------


def test_set_refuses_an_unknown_recurrence(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    before = read(ws, "api")
    result = wm("-C", str(ws), "set", "api", "recurrence=every other week")
    assert result.exit_code == 2
    assert "unknown recurrence 'every other week'" in result.output
    assert read(ws, "api") == before
    assert wm("-C", str(ws), "set", "api", "recurrence=every 2 weeks").exit_code == 0


def test_validate_reports_an_unknown_recurrence(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/rec.md", "---\ntitle: Rec\nstatus: todo\nrecurrence: every other week\n---\n")
    result = wm("-C", str(ws), "validate")
    assert f"{TASKS}/rec.md:4: error: recurrence: unknown recurrence 'every other week'" in result.output


@pytest.mark.parametrize("args", [("move", "rec", "done"), ("set", "rec", "status=done")])
def test_completing_a_task_with_a_bad_recurrence_writes_nothing(ws: Path, write_doc, wm, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    text = "---\ntitle: Rec\nstatus: todo\ndue: 2026-11-27\nrecurrence: every other week\n---\n"
    write_doc(f"{TASKS}/rec.md", text)
    result = wm("-C", str(ws), *args)
    assert result.exit_code == 1
    assert "unknown recurrence 'every other week'" in result.output and "nothing was written" in result.output
    assert read(ws, "rec") == text
    assert sorted(p.name for p in (ws / TASKS).iterdir()) == ["api.md", "copy.md", "design.md", "rec.md"]


def test_next_instance_is_made_from_the_edited_file(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/rec.md", "---\ntitle: Rec\nstatus: todo\ndue: 2026-11-27\nrecurrence: weekly\n---\n")
    result = wm("-C", str(ws), "set", "rec", "status=done", "priority=high")
    assert result.exit_code == 0, result.output
    values = frontmatter(read(ws, "rec-2026-12-04"))
    assert values["status"] == "todo" and values["priority"] == "high" and values["previous"] == "rec"


# -- F8: comments in the frontmatter survive edits --------------------------------------------------------


COMMENTS = (
    "---\ntitle: Comments\nstatus: todo\n  # waiting for bob to sign off\ntags: [a, b]   # topics\n"
    "depends_on:   # blocked until these ship\n  - api\nestimate:    # later\n---\n"
)


def test_frontmatter_comments_survive_edits(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/cm.md", COMMENTS)
    result = wm("-C", str(ws), "set", "cm", "status=review", "tags=c", "depends_on=design", "estimate=1d")
    assert result.exit_code == 0, result.output
    assert read(ws, "cm") == (
        "---\ntitle: Comments\nstatus: review\n  # waiting for bob to sign off\ntags: [c]   # topics\n"
        "depends_on:   # blocked until these ship\n  - design\nestimate: 1d    # later\n---\n"
    )


def test_move_keeps_a_comment_line_under_status(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/cm.md", COMMENTS)
    result = wm("-C", str(ws), "move", "cm", "in-progress")
    assert result.exit_code == 0, result.output
    assert read(ws, "cm") == COMMENTS.replace("status: todo", "status: in-progress")


@pytest.mark.parametrize(
    ("line", "value", "expected"),
    [
        ("tags: [a, b]   # topics", ["c", "d"], "tags: [c, d]   # topics"),
        ("tags: ['x #y', b]  # t", ["c"], "tags: [c]  # t"),
        ("note: 'a #b'   # c", "new", "note: new   # c"),
        ("note: 'a #b'", "new", "note: new"),
        ("note:\t# later", "x", "note: x\t# later"),
        ("note: # later", "x", "note: x # later"),
    ],
)
def test_trailing_comments_stay_on_one_line_values(line: str, value: object, expected: str) -> None:
    assert set_key(f"---\n{line}\n---\n", line.split(":")[0], value) == f"---\n{expected}\n---\n"


def test_a_block_list_becoming_one_line_keeps_the_key_line_comment() -> None:
    text = "---\ntags:   # topics\n  - a\n  - b\n---\n"
    assert set_key(text, "tags", []) == "---\ntags: []   # topics\n---\n"
    assert set_key(text, "tags", "solo") == "---\ntags: solo   # topics\n---\n"


def test_a_literal_block_keeps_its_comment_like_lines_as_text() -> None:
    text = "---\nnotes: |\n  first\n  # not a comment\nnext: 1\n---\n"
    assert set_key(text, "notes", "short") == "---\nnotes: short\nnext: 1\n---\n"


# -- F9: `## Log` and code fences ----------------------------------------------------------------------------


FENCED = (
    "---\ntitle: Code in log\nrecurrence: weekly\ndue: 2026-11-27\n---\n\n## Log\n\n- 2026-11-20 bob: ran\n\n"
    "```sh\n# restart the app\nsystemctl restart app\n```\n\n## After\n\nkept\n"
)


def test_comment_goes_after_a_code_block_in_the_log() -> None:
    edited = add_log_entry(FENCED, "- 2026-11-26 alice: after")
    assert edited == FENCED.replace("```\n\n## After", "```\n- 2026-11-26 alice: after\n\n## After")


def test_next_instance_drops_a_log_with_code_whole(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc(f"{TASKS}/codelog.md", FENCED)
    result = wm("-C", str(ws), "move", "codelog", "done")
    assert result.exit_code == 0, result.output
    text = read(ws, "codelog-2026-12-04")
    assert "restart" not in text and "```" not in text
    assert text.endswith("---\n\n## After\n\nkept\n")


def test_a_log_heading_inside_code_is_not_the_log() -> None:
    text = "---\nt: 1\n---\n\n```md\n## Log\n```\n\n## Log\n\n- one\n"
    parsed = parse_document(text, f"{TASKS}/x.md")
    assert isinstance(parsed.document, Task)
    day = dt.date(2026, 1, 1)
    new = instance_text(text, parsed.document, "x-2", day, default_settings(), day)
    assert "```md\n## Log\n```\n" in new and "- one" not in new


# -- F12: CR-only line endings ---------------------------------------------------------------------------------


CR_ONLY = "---\rtitle: CR only\rstatus: todo\r---\rbody\r"


def test_cr_only_lines_are_split_as_the_parser_reads_them() -> None:
    assert split_lines(CR_ONLY) == ["---\r", "title: CR only\r", "status: todo\r", "---\r", "body\r"]


def test_cr_only_file_is_edited_in_place(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    (ws / TASKS / "cronly.md").write_bytes(CR_ONLY.encode())
    result = wm("-C", str(ws), "set", "cronly", "status=review", "priority=high")
    assert result.exit_code == 0, result.output
    assert read(ws, "cronly") == "---\rtitle: CR only\rstatus: review\rpriority: high\r---\rbody\r"
    result = wm("-C", str(ws), "comment", "cronly", "seen")
    assert result.exit_code == 0, result.output
    text = read(ws, "cronly")
    assert text.startswith("---\rtitle: CR only\rstatus: review\rpriority: high\r---\rbody\r\r## Log\r\r- 2026-11-26 ")
    assert text.endswith(": seen\r") and "\n" not in text
    shown = wm("-C", str(ws), "show", "cronly", "--json").output
    assert '"title": "CR only"' in shown and '"status": "review"' in shown


# -- F13: keys are checked --------------------------------------------------------------------------------------


@pytest.mark.parametrize("assignment", ["#k=1", "k:=1", '"q"=1', "a b=1", "1x=1", "k#=1"])
def test_set_refuses_a_key_that_is_not_a_plain_name(ws: Path, wm, assignment: str) -> None:  # type: ignore[no-untyped-def]
    before = read(ws, "api")
    result = wm("-C", str(ws), "set", "api", assignment)
    assert result.exit_code == 2
    assert "not a key wm can set" in result.output
    assert read(ws, "api") == before


def test_new_refuses_a_field_key_that_is_not_a_plain_name(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "new", "task", "Imp", "--project", "web", "--field", "#k=1")
    assert result.exit_code == 2 and "not a key wm can set" in result.output
    assert not (ws / TASKS / "imp.md").exists()


def test_plain_own_keys_are_taken(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "set", "api", "story-points=3", "_x=1", "Sprint2=a")
    assert result.exit_code == 0, result.output
    assert {"story-points": 3, "_x": 1, "Sprint2": "a"}.items() <= frontmatter(read(ws, "api")).items()


# -- F14: a file without write permission ----------------------------------------------------------------------


def test_file_without_write_bits_is_refused_even_for_root(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    path = ws / TASKS / "api.md"
    before = read(ws, "api")
    path.chmod(0o444)
    try:
        result = wm("-C", str(ws), "set", "api", "priority=high")
    finally:
        path.chmod(0o644)
    assert result.exit_code == 1
    assert "read-only" in result.output
    assert read(ws, "api") == before


# -- F11: the file changed after the index read it --------------------------------------------------------------


def test_edit_is_refused_when_the_file_no_longer_holds_what_the_index_read(ws: Path, wm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from workspace_tool import edit_ops

    real = edit_ops.read_source

    def someone_marks_it_done(root: Path, relpath: str):  # type: ignore[no-untyped-def]
        path = root / relpath
        path.write_bytes(path.read_bytes().replace(b"status: todo", b"status: done\ndone: 2026-11-20"))
        return real(root, relpath)

    monkeypatch.setattr(edit_ops, "read_source", someone_marks_it_done)
    result = wm("-C", str(ws), "move", "api", "in-progress")
    assert result.exit_code == 1
    assert "changed on disk" in result.output and "nothing was written" in result.output
    assert read(ws, "api") == "---\ntitle: Api\nstatus: done\ndone: 2026-11-20\n---\n"


@pytest.mark.parametrize("fields", [(), ("--field", "priority=high")])
def test_new_refuses_a_template_that_writes_a_key_twice(ws: Path, write_doc, wm, fields: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    write_doc("templates/task.md", "---\ntitle: {{ title | yaml }}\npriority: low\nstatus: {{ status }}\npriority: medium\n---\n")
    result = wm("-C", str(ws), "new", "task", "Imp", "--project", "web", *fields)
    assert result.exit_code == 1
    assert "the template made an invalid document" in result.output and "priority" in result.output
    assert not (ws / TASKS / "imp.md").exists()
