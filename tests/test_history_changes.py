"""What changed between two versions (`field_changes`) and how a value is shown on a page (`_display`).

Both run for every field of every version a site shows, so they take
shortcuts; Hypothesis checks them against their plain definitions over
JSON-like frontmatter (what `jsonable` gives), with `None` and absent keys.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from workspace_tool.history.model import FieldChange
from workspace_tool.history.snapshot import display, field_changes
from workspace_tool.site.history_view import _display

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.sampled_from(["", "a", "b", "[a]", "-", "1"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2)), max_leaves=6)
frontmatters = st.one_of(st.none(), st.dictionaries(st.sampled_from(["title", "status", "tags", "due", "a", "b"]), values, max_size=5))


def reference_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[FieldChange, ...]:
    """Keys whose value differs (a missing key is None), in the new version's key order, then the keys it no longer has."""
    before, after = old or {}, new or {}
    kept = [FieldChange(k, before.get(k), after[k]) for k in after]
    gone = [FieldChange(k, before[k], None) for k in before if k not in after]
    return tuple(c for c in kept + gone if c.old != c.new)


@given(frontmatters, frontmatters)
def test_field_changes_are_the_keys_whose_value_differs(old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    assert field_changes(old, new) == reference_changes(old, new)


def test_field_changes_skip_none_for_absent_and_keep_order() -> None:
    old = {"status": "todo", "gone": 1, "empty": None, "tags": ["a"]}
    new = {"title": "T", "status": "done", "added": None, "tags": ["a"]}
    assert field_changes(old, new) == (FieldChange("title", None, "T"), FieldChange("status", "todo", "done"), FieldChange("gone", 1, None))


@given(st.one_of(values, st.lists(st.sampled_from(["a", "b c", "[x]", ""]), max_size=4)))
def test_display_on_pages_is_wm_historys_with_nothing_for_none(value: Any) -> None:
    assert _display(value) == ("" if value is None else display(value))


def test_display_of_a_list_of_text() -> None:
    assert _display(["a", "b c"]) == "[a, b c]"
    assert _display(["a", 2, None, True]) == "[a, 2, -, true]"
