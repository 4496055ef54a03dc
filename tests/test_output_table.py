"""`output.table`: fitting a table to the terminal cuts text (titles, reasons), never IDs, lists of IDs or numbers;
`output.runs`: the runs a list of activity is summed up by."""

from __future__ import annotations

from workspace_tool.output import runs, table


def test_a_list_of_ids_is_kept_whole_while_the_title_gives_way() -> None:
    rows = [("build", "Build the new website for the client", "design-system-tokens, booking-api", 12)]
    text = table(("id", "title", "depends on", "hours"), rows, width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "design-system-tokens, booking-api" in text and "Build the new website for the client" not in text


def test_a_table_that_cannot_fit_runs_past_the_edge_with_every_id_whole() -> None:
    rows = [("accessibility-review-of-the-checkout", "Review", "2026-11-25", "in-progress")]
    text = table(("id", "title", "due", "status"), rows, width=30)
    assert "accessibility-review-of-the-checkout" in text and "2026-11-25" in text and "in-progress" in text


def test_a_wrapped_list_goes_on_over_lines_between_items_and_is_never_cut() -> None:
    """`wm blocked`'s "blocked by": each item whole, the lines of one row's list each ending with a comma but
    the last, the other cells of the continuation lines empty; a list that fits stays on one line. The title gives
    way before an item is split; once it is as narrow as it goes, items go on between their words (never cut)."""
    reasons = "booking-ui-design (in-progress), booking-api (in-progress), design-system-tokens (review)"
    rows = [("booking-flow", "Booking flow frontend", reasons), ("docs", "Docs", "copy (todo)")]
    wide = table(("id", "title", "blocked by"), rows, width=100, wrap={2: ", "})
    assert wide.splitlines()[2:] == [
        "booking-flow  Booking flow frontend  booking-ui-design (in-progress), booking-api (in-progress),",
        "                                     design-system-tokens (review)",
        "docs          Docs                   copy (todo)",
    ]
    middle = table(("id", "title", "blocked by"), rows, width=60, wrap={2: ", "})
    assert middle.splitlines()[2:] == [
        "booking-flow  Booking flo…  booking-ui-design (in-progress),",
        "                            booking-api (in-progress),",
        "                            design-system-tokens (review)",
        "docs          Docs          copy (todo)",
    ]
    narrow = table(("id", "title", "blocked by"), rows, width=50, wrap={2: ", "})
    assert narrow.splitlines()[2:] == [
        "booking-flow  Booking…  booking-ui-design",
        "                        (in-progress),",
        "                        booking-api (in-progress),",
        "                        design-system-tokens",
        "                        (review)",
        "docs          Docs      copy (todo)",
    ]
    assert max(len(line) for line in middle.splitlines() + narrow.splitlines()) <= 60
    assert table(("id", "blocked by"), [("docs", "copy (todo), text (review)")], width=80, wrap={1: ", "}).splitlines()[2] == (
        "docs  copy (todo), text (review)"
    )


def test_health_reasons_wrap_at_their_semicolons() -> None:
    rows = [("portal", "red", "forecast end 2027-01-18 after due 2026-12-11; 90% of budget burnt; 2 open high-impact risks")]
    text = table(("project", "health", "reasons"), rows, width=70, wrap={2: "; "})
    assert text.splitlines()[2:] == [
        "portal   red     forecast end 2027-01-18 after due 2026-12-11;",
        "                 90% of budget burnt; 2 open high-impact risks",
    ]


def test_runs_group_consecutive_items_with_the_same_key_and_leave_keyless_ones_alone() -> None:
    items = [("a", 1), ("b", 1), ("c", None), ("d", None), ("e", 2), ("f", 1)]
    assert [[name for name, _ in run] for run in runs(items, lambda item: item[1])] == [["a", "b"], ["c"], ["d"], ["e"], ["f"]]
    assert list(runs([], lambda item: item)) == []
