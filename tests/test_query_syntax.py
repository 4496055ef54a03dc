"""The query language and the read commands say what they cannot do, instead of answering "no documents match".

Other tools' syntax (OR between terms, JQL operators, Taskwarrior modifiers)
is refused with our way of writing it; `[` and `?` are themselves; case
folding is Unicode's; leave and key results print in words; a date-like ID
is an ID; wide characters keep tables aligned; dates past the calendar's
end are a usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from workspace_tool.output import display_width, table


@pytest.fixture
def ws(workspace: Path, write_doc: Callable[[str, str], Path]) -> Path:
    write_doc("people/ann.md", "---\nname: Ann\nleave: [2026-10-16, {from: 2026-12-14, to: 2026-12-18}]\n---\n")
    write_doc("projects/web/project.md", "---\ntitle: Web\nstatus: active\n---\n")
    write_doc("projects/web/tasks/wip.md", '---\ntitle: "[WIP] Login page"\nstatus: todo\nassignee: ann\n---\n')
    write_doc("projects/web/tasks/size.md", "---\ntitle: Größe prüfen\nstatus: todo\n---\n")
    write_doc("projects/web/tasks/order.md", "---\ntitle: Work order for the shop\nstatus: review\n---\n")
    return workspace


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.split()[0] for line in result.stdout.splitlines()[2:]]


@pytest.mark.parametrize(
    ("term", "advice"),
    [
        ("OR", "wm has no OR between terms"),
        ("AND", "wm has no AND between terms"),
        ("due<2026-12-01", "write due:..2026-11-30"),
        ("due>=2026-12-01", "write due:2026-12-01.."),
        ("status=todo", "write status:todo"),
        ("status!=done", "write -status:done"),
        ("due.before:2026-12-01", "write due:..2026-11-30"),
        ("project.is:web", "write project:web"),
        ("tags.not:infra", "write -tags:infra"),
        ("-status=done", "write -status:done"),
        ("due.someday:x", "wm has no .someday modifier"),
    ],
)
def test_other_tools_syntax_is_refused_with_ours(ws: Path, wm, term: str, advice: str) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "list", "status:todo", term)
    assert result.exit_code == 2 and advice in result.stderr and "Traceback" not in result.output


def test_words_that_only_look_like_operators_are_still_words(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert ids(wm("-C", str(ws), "list", "or")) == ["order"]  # "Work order": a lower-case word is a word
    assert wm("-C", str(ws), "list", "x=y").stderr.strip() == "no documents match"  # not a field: text to find


def test_brackets_and_question_marks_are_themselves(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert ids(wm("-C", str(ws), "list", "title:[WIP]")) == ["wip"]
    assert ids(wm("-C", str(ws), "list", "title:[WIP]*")) == ["wip"]
    assert wm("-C", str(ws), "list", "title:page?").stderr.strip() == "no documents match"
    assert ids(wm("-C", str(ws), "list", "id:w*")) == ["web", "wip"]


def test_case_folding_is_unicode_s(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert ids(wm("-C", str(ws), "list", "GRÖSSE")) == ["size"]
    assert ids(wm("-C", str(ws), "list", "title:GRÖSSE")) == ["size"]


def test_leave_prints_in_words_in_tables_and_csv(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    shown = wm("-C", str(ws), "list", "id:ann", "--fields", "id,leave")
    assert "2026-10-16, 2026-12-14 to 2026-12-18" in shown.stdout and "DateRange" not in shown.stdout
    csv = wm("-C", str(ws), "list", "id:ann", "--fields", "id,leave", "--csv")
    assert csv.stdout == 'id,leave\nann,"2026-10-16, 2026-12-14 to 2026-12-18"\n'


def test_a_date_like_id_is_an_id_in_depends_on(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("projects/web/tasks/2026-12-01.md", "---\ntitle: Dated\nstatus: todo\n---\n")
    write_doc("projects/web/tasks/after.md", "---\ntitle: After\nstatus: todo\ndepends_on: [2026-12-01]\n---\n")
    result = wm("-C", str(ws), "validate")
    assert "after.md" not in result.output, result.output
    assert ids(wm("-C", str(ws), "list", "is:blocked")) == ["after"]


def test_an_unknown_option_before_the_terms_is_refused(ws: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), "list", "--forse")
    assert result.exit_code == 2 and "no such option: --forse" in result.stderr


@pytest.mark.parametrize("args", [("agenda", "--days", "10000000"), ("schedule", "--from", "9999-12-31")])
def test_a_date_past_the_calendars_end_is_a_usage_error(ws: Path, wm, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(ws), *args)
    assert result.exit_code == 2 and "a date out of range" in result.stderr and "internal error" not in result.stderr


def test_wide_characters_keep_the_columns_aligned() -> None:
    text = table(["id", "title", "status"], [["jp", "日本語のタイトル", "todo"], ["en", "English title", "review"]], width=200)
    lines = text.splitlines()
    starts = {display_width(line[: line.index(word)]) for line, word in zip(lines[2:], ("todo", "review"))}
    assert len(starts) == 1  # the status column starts at the same terminal column in both rows
    assert display_width("日本") == 4 and display_width("e\u0301") == 1
    cut = table(["title"], [["日本語のタイトルとても長い説明"], ["x y"]], width=12).splitlines()[2]
    assert cut.endswith("…") and display_width(cut) <= 12


def test_a_capacity_of_a_fraction_is_warned_about(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    write_doc("people/bo.md", "---\nname: Bo\ncapacity: 0.5\n---\n")
    result = wm("-C", str(ws), "validate")
    assert "people/bo.md:3: warning: capacity 0.5 is hours a day (30 minutes); for 50% of a 8-hour day write capacity: 4" in result.output


def test_read_commands_say_a_file_was_left_out(ws: Path, write_doc, wm) -> None:  # type: ignore[no-untyped-def]
    """A task whose YAML is broken is on no list: every command says so in one line; validate and show explain it."""
    write_doc("projects/web/tasks/broken.md", "---\ntitle: B: the middle step\n---\n")
    line = "wm: warning: 1 file could not be read and is left out: projects/web/tasks/broken.md:2 (wm validate shows why)\n"
    for args in (("list",), ("board",), ("next",), ("blocked",), ("agenda",), ("list", "--json")):
        result = wm("-C", str(ws), *args)
        assert result.exit_code == 0 and result.stderr.startswith(line), (args, result.stderr)
    assert "could not be read and" not in wm("-C", str(ws), "validate").stderr
    assert "could not be read and" not in wm("-C", str(ws), "show", "wip").stderr
