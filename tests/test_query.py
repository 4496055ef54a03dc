"""The query language: every operator, its errors, and sorting (pure, on a small index)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from query_helpers import TODAY, make_index

from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.query import (
    FIELDS,
    check_references,
    parse_query,
    parse_sort,
    select,
    sort_documents,
)
from workspace_tool.relative_dates import resolve_date


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return make_index(tmp_path)


def ids(index: Index, *terms: str) -> list[str]:
    query = parse_query(terms, index.today, index.settings)
    check_references(query, index)
    return [d.id for d in select(index, query)]


def error(index: Index, *terms: str) -> str:
    with pytest.raises(UsageError) as info:
        ids(index, *terms)
    assert info.value.exit_code == 2
    assert "\n" not in str(info.value)
    return str(info.value)


ALL = ["web", "build", "design", "docs", "launch", "test", "use-postgres", "alice", "bob", "notes/meeting"]
TASKS = ["build", "design", "docs", "launch", "test"]


# -- plain fields --------------------------------------------------------


def test_no_terms_selects_every_document_in_type_then_id_order(index: Index) -> None:
    assert ids(index) == ALL


def test_status_matches_exactly(index: Index) -> None:
    assert ids(index, "status:todo") == ["docs", "launch", "test"]


def test_comma_is_or_within_one_field(index: Index) -> None:
    assert ids(index, "status:todo,in-progress") == ["build", "docs", "launch", "test"]


def test_terms_are_anded(index: Index) -> None:
    assert ids(index, "status:todo", "assignee:alice") == ["docs"]


def test_type_term_and_comma(index: Index) -> None:
    assert ids(index, "type:task") == TASKS
    assert ids(index, "type:decision,person") == ["use-postgres", "alice", "bob"]


def test_project_matches_every_member_but_not_the_project_itself(index: Index) -> None:
    assert ids(index, "project:web") == [*TASKS, "use-postgres"]


def test_tag_is_an_alias_of_tags_and_matches_any_element(index: Index) -> None:
    assert ids(index, "tag:api") == ["build", "design"]
    assert ids(index, "tags:ui") == ["design"]
    assert ids(index, "tag:#release") == ["launch"]


def test_priority_choice(index: Index) -> None:
    assert ids(index, "priority:critical,high") == ["build", "design"]


def test_bool_field(index: Index) -> None:
    assert ids(index, "milestone:true") == ["launch"]
    assert ids(index, "type:task", "milestone:no") == ["build", "design", "docs", "test"]


def test_ref_list_field(index: Index) -> None:
    assert ids(index, "depends_on:build") == ["test"]


def test_id_glob_and_exact(index: Index) -> None:
    assert ids(index, "id:b*") == ["build", "bob"]
    assert ids(index, "id:BUILD") == ["build"]


def test_title_is_a_case_insensitive_substring(index: Index) -> None:
    assert ids(index, "title:SITE") == ["web", "build", "test"]  # "Website" too


def test_path_prefix_and_glob(index: Index) -> None:
    assert ids(index, "path:people") == ["alice", "bob"]
    assert ids(index, "path:*/tasks/d*.md") == ["design", "docs"]


def test_visibility_choice(index: Index) -> None:
    assert ids(index, "visibility:private") == ["docs"]


# -- negation ------------------------------------------------------------


def test_negation_also_matches_documents_without_the_field(index: Index) -> None:
    assert ids(index, "-status:done") == ["web", "build", "docs", "launch", "test", "use-postgres", "alice", "bob", "notes/meeting"]
    assert ids(index, "type:task", "-assignee:alice") == ["build", "launch", "test"]


def test_negated_comma_excludes_every_alternative(index: Index) -> None:
    assert ids(index, "type:task", "-status:done,todo") == ["build"]


def test_has_and_no(index: Index) -> None:
    assert ids(index, "type:task", "has:estimate") == ["build", "design", "test"]
    assert ids(index, "type:task", "no:estimate") == ["docs", "launch"]
    assert ids(index, "type:task", "-no:due") == ["build", "design", "launch", "test"]


# -- dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("due:2026-11-25", ["build"]),
        ("due:this-week", ["build"]),  # Mon 23 .. Sun 29 November
        ("due:next-week", ["test"]),  # Mon 30 November .. Sun 6 December
        ("due:last-week", ["design"]),
        ("due:..today", ["build", "design"]),
        ("due:today..", ["web", "launch", "test"]),
        ("due:-1d", ["build"]),
        ("due:+6d", ["test"]),
        ("due:tomorrow..+2w", ["launch", "test"]),
        ("due:..this-week", ["build", "design"]),
        ("due:2026-11", ["build", "design"]),
        ("due:2026-11-21..2026-12-02", ["build", "test"]),
        ("due:next-month", ["web", "launch", "test"]),
        ("created:..-2w", ["design", "docs"]),
    ],
)
def test_dates_absolute_relative_and_ranges(index: Index, term: str, expected: list[str]) -> None:
    assert ids(index, term) == expected


def test_relative_dates_follow_the_pinned_today(tmp_path: Path) -> None:
    index = make_index(tmp_path)
    index.today = dt.date(2026, 12, 1)  # the next Tuesday
    assert ids(index, "due:this-week") == ["test"]
    assert ids(index, "due:yesterday") == []
    assert ids(index, "due:+1d") == ["test"]


def test_resolve_date_spans() -> None:
    assert resolve_date("this-week", TODAY).start == dt.date(2026, 11, 23)
    assert resolve_date("this-week", TODAY).end == dt.date(2026, 11, 29)
    assert resolve_date("-2w", TODAY).start == dt.date(2026, 11, 12)
    assert resolve_date("2026-12", TODAY).end == dt.date(2026, 12, 31)
    assert resolve_date("next-month", dt.date(2026, 12, 5)).start == dt.date(2027, 1, 1)


# -- durations and numbers -----------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("estimate:4h", ["build"]),
        ("estimate:4h..", ["build", "design", "test"]),
        ("estimate:..1d", ["build"]),
        ("estimate:1d..2d", ["design"]),
        ("estimate:16", ["design"]),  # a bare number is hours
        ("estimate:1w", ["test"]),  # 5 days of 8 hours
        ("estimate:240m..", ["build", "design", "test"]),
    ],
)
def test_duration_values_and_ranges(index: Index, term: str, expected: list[str]) -> None:
    assert ids(index, term) == expected


def test_durations_use_the_workspace_calendar(tmp_path: Path) -> None:
    index = make_index(tmp_path, {"workspace.yml": "name: test\ncalendar:\n  hours_per_day: 2\n"})
    # With 2-hour days, build's 4h is 2d and design's "2d" is 4 hours.
    assert ids(index, "estimate:2d") == ["build", "design"]


def test_number_ranges(index: Index) -> None:
    assert ids(index, "capacity:..7") == ["alice"]
    assert ids(index, "capacity:6.5..8") == ["bob"]
    assert ids(index, "capacity:8") == ["bob"]


# -- is: -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("is:open", ["web", "build", "docs", "launch", "test"]),
        ("is:done", ["design", "use-postgres"]),
        ("is:overdue", ["build"]),
        ("is:blocked", ["launch", "test"]),
        ("is:ready", ["build", "docs"]),
        ("is:milestone", ["launch"]),
        ("is:private", ["docs"]),
        ("is:unassigned", ["launch", "test"]),
        ("is:overdue,blocked", ["build", "launch", "test"]),
        ("-is:open", ["design", "use-postgres", "alice", "bob", "notes/meeting"]),
    ],
)
def test_is_values(index: Index, term: str, expected: list[str]) -> None:
    assert ids(index, term) == expected


def test_is_critical_uses_the_scheduler(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    class Slot:
        def __init__(self, critical: bool) -> None:
            self.critical = critical

    class Plan:
        tasks = {"build": Slot(True), "test": Slot(False)}

    query = parse_query(["is:critical"], index.today, index.settings)
    assert [d.id for d in select(index, query, plan=Plan())] == ["build"]


def test_is_critical_without_the_scheduler_is_a_clear_error(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "workspace_tool.scheduling", None)  # makes the import fail
    message = error(index, "is:critical")
    assert "is:critical needs the scheduler" in message


# -- words and phrases ---------------------------------------------------


def test_bare_words_search_titles_and_bodies_case_insensitively(index: Index) -> None:
    assert ids(index, "login") == ["build", "notes/meeting"]
    assert ids(index, "KICKOFF") == ["notes/meeting"]


def test_several_words_must_all_appear(index: Index) -> None:
    assert ids(index, "login", "form") == ["build"]


def test_quoted_phrase_is_one_arg_with_a_space(index: Index) -> None:
    assert ids(index, "two words") == ["docs"]
    assert ids(index, "words two") == []


def test_negated_word(index: Index) -> None:
    assert ids(index, "type:task", "-login") == ["design", "docs", "launch", "test"]


def test_double_quotes_make_a_literal_phrase(index: Index) -> None:
    assert ids(index, '"status:todo"') == []
    assert ids(index, '"login page"') == ["notes/meeting"]


# -- errors --------------------------------------------------------------


def test_unknown_field_lists_the_valid_ones(index: Index) -> None:
    message = error(index, "colour:red")
    assert "unknown field 'colour'" in message
    for name in ("assignee", "due", "estimate", "id", "path", "project", "status", "tag", "title", "type"):
        assert name in message
    assert "is:" in message


@pytest.mark.parametrize(
    ("term", "fragment"),
    [
        ("due:someday", "bad date 'someday' (use YYYY-MM-DD"),
        ("due:2026-13-01", "bad date"),
        ("estimate:lots", "expected a duration such as 30m"),
        ("estimate:4h..x", "expected a duration"),
        ("capacity:many", "expected a number, got 'many'"),
        ("due:2026-12-01..2026-11-01", "its start is after its end"),
        ("estimate:2d..1h", "its start is after its end"),
        ("due:..", "bad range '..'"),
        ("due:1..2..3", "bad range"),
        ("status:todo..done", "ranges (A..B) work only on dates, durations and numbers"),
        ("status:doing", "unknown status 'doing' (did you mean 'in-progress'?); valid values: proposed, active"),
        ("status:todoo", "unknown status 'todoo' (did you mean 'todo'?); valid values: proposed, active"),
        ("priority:hihg", "unknown priority 'hihg' (did you mean 'high'?); valid values: critical, high, medium, low"),
        ("is:blockd", "unknown is:blockd (did you mean 'blocked'?); valid values: open, done"),
        ("asignee:alice", "unknown field 'asignee' in 'asignee:alice' (did you mean 'assignee'?); valid fields: assignee"),
        ("priority:urgent", "unknown priority 'urgent'; valid values: critical, high, medium, low"),
        ("type:epic", "unknown type 'epic'; valid values: project, task"),
        ("milestone:maybe", "expected true or false"),
        ("is:lost", "unknown is:lost; valid values: open, done, overdue"),
        ("status:", "needs a value"),
        ("status:,", "needs a value"),
        ("is:,", "needs a value"),
        ("has:colour", "unknown field 'colour'"),
        ("key_results:x", "unknown field 'key_results'"),
    ],
)
def test_bad_values_are_usage_errors(index: Index, term: str, fragment: str) -> None:
    message = error(index, term)
    assert fragment in message
    assert repr(term) in message  # the message names the term


def test_unknown_reference_lists_the_valid_targets(index: Index) -> None:
    message = error(index, "assignee:carol")
    assert message == "'assignee:carol': no person 'carol'; valid values: alice, bob"
    assert error(index, "assignee:alicee") == "'assignee:alicee': no person 'alicee' (did you mean 'alice'?); valid values: alice, bob"


def test_a_reference_used_by_documents_is_accepted_even_without_its_document(index: Index) -> None:
    assert ids(index, "depends_on:design") == ["build"]
    assert ids(index, "assignee:b*") == ["build"]  # globs are not checked


def test_every_declared_field_is_queryable() -> None:
    from workspace_tool.fields import ALL_SPECS, KEY_RESULTS

    assert {n for n, s in ALL_SPECS.items() if s.kind != KEY_RESULTS} <= set(FIELDS)
    assert {"id", "type", "path", "title"} <= set(FIELDS)


# -- sorting -------------------------------------------------------------


def sort_ids(index: Index, spec: str, *terms: str) -> list[str]:
    query = parse_query(terms or ("type:task",), index.today, index.settings)
    return [d.id for d in sort_documents(select(index, query), parse_sort(spec), index)]


def test_sort_ascending_with_missing_last(index: Index) -> None:
    assert sort_ids(index, "due") == ["design", "build", "test", "launch", "docs"]


def test_sort_descending_keeps_missing_last(index: Index) -> None:
    assert sort_ids(index, "-due") == ["launch", "test", "build", "design", "docs"]


def test_sort_by_several_keys(index: Index) -> None:
    # status in workflow order (todo, in-progress, ..., done), then estimate descending, missing last
    assert sort_ids(index, "status,-estimate") == ["test", "docs", "launch", "build", "design"]


def test_sort_priority_descending_puts_the_most_urgent_first(index: Index) -> None:
    assert sort_ids(index, "-priority") == ["build", "design", "docs", "launch", "test"]


def test_sort_by_duration_and_text(index: Index) -> None:
    assert sort_ids(index, "estimate") == ["build", "design", "test", "docs", "launch"]
    assert sort_ids(index, "-title") == ["docs", "test", "launch", "design", "build"]


def test_sort_by_type_uses_type_order(index: Index) -> None:
    assert sort_ids(index, "-type,id", "-type:task") == ["notes/meeting", "alice", "bob", "use-postgres", "web"]


def test_unknown_sort_field_lists_the_valid_ones(index: Index) -> None:
    with pytest.raises(UsageError, match="unknown field 'size'.*valid fields: assignee"):
        parse_sort("due,size")


def test_docs_list_every_query_field() -> None:
    import re

    from conftest import REPO

    from workspace_tool.query import fields_table

    text = (REPO / "docs" / "query.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- fields-table -->\n(.*?)\n<!-- /fields-table -->", text, re.S)
    assert block is not None
    assert block.group(1) == fields_table()


def test_a_query_kept_as_one_string_is_split_like_a_shell(index: Index) -> None:
    from workspace_tool.query import parse_query_text

    query = parse_query_text('type:task -status:done "login form"', index.today, index.settings)
    assert [d.id for d in select(index, query)] == ["build"]
    with pytest.raises(UsageError, match="bad query"):
        parse_query_text('"unclosed', index.today, index.settings)
