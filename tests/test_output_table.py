"""`output.table`: fitting a table to the terminal cuts text (titles, reasons), never IDs, lists of IDs or numbers."""

from __future__ import annotations

from workspace_tool.output import table


def test_a_list_of_ids_is_kept_whole_while_the_title_gives_way() -> None:
    rows = [("build", "Build the new website for the client", "design-system-tokens, booking-api", 12)]
    text = table(("id", "title", "depends on", "hours"), rows, width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert "design-system-tokens, booking-api" in text and "Build the new website for the client" not in text


def test_a_table_that_cannot_fit_runs_past_the_edge_with_every_id_whole() -> None:
    rows = [("accessibility-review-of-the-checkout", "Review", "2026-11-25", "in-progress")]
    text = table(("id", "title", "due", "status"), rows, width=30)
    assert "accessibility-review-of-the-checkout" in text and "2026-11-25" in text and "in-progress" in text
