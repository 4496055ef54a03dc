"""`wm invoice`: the invoice document, invoiced entries, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import check_golden
from test_reports_workspace import NOW, build_studio

from workspace_tool.reports.time import TimeQuery, time_report
from workspace_tool.workspace import load_index

GOLDEN = Path(__file__).parent / "golden" / "reports"


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WM_NOW", "16:30")
    return build_studio(tmp_path / "ws")


def _load(root: Path):  # type: ignore[no-untyped-def]
    import datetime as dt

    return load_index(root, dt.date(2026, 11, 26), use_cache=False)


def test_invoice_writes_document_and_marks_entries(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    before = time_report(_load(studio), TimeQuery(group_by=("client", "month"), unbilled=True), now=NOW)
    assert {r.key: round(r.hours, 4) for r in before.rows} == {("acme", "2026-10"): 3, ("acme", "2026-11"): 13.5, ("globex", "2026-11"): 6.75}
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert result.stdout == "invoices/acme-2026-10.md: 1 entries, 3h, 300.00 EUR\n"
    check_golden(GOLDEN / "invoice_acme_2026-10.md", (studio / "invoices/acme-2026-10.md").read_text(encoding="utf-8"))
    index = _load(studio)
    assert [str(d) for d in index.diagnostics()] == []  # the invoice is a clean note
    after = time_report(index, TimeQuery(group_by=("client", "month"), unbilled=True), now=NOW)
    assert {r.key: round(r.hours, 4) for r in after.rows} == {("acme", "2026-11"): 13.5, ("globex", "2026-11"): 6.75}
    # invoiced time is still time: the plain report is unchanged
    assert time_report(index, TimeQuery(), now=NOW).total_hours == time_report(_load(studio), TimeQuery(), now=NOW).total_hours


def test_the_summary_names_the_work_but_never_a_private_document(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    """The invoice is a note that the status site publishes: a private task is summed up by its ID alone."""
    task = studio / "projects/site/tasks/design.md"
    task.write_text(task.read_text(encoding="utf-8").replace("title: Design\n", "title: Design of the secret rebrand\nvisibility: private\n"), encoding="utf-8")
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "| `design` | 3.00 | 300.00 |" in result.stdout
    assert "secret rebrand" not in result.stdout


def test_invoiced_entries_are_recognised_after_lines_move(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    log = studio / "timelogs/alice/2026-10.md"
    log.write_text(log.read_text().replace("# Alice, October\n", "# Alice, October\n\nSome prose.\n\n"), encoding="utf-8")
    unbilled = time_report(_load(studio), TimeQuery(start=_d("2026-10-01"), end=_d("2026-10-31"), unbilled=True), now=NOW)
    assert unbilled.total_hours == 0


def test_a_second_run_for_a_month_invoices_nothing_twice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert wm("-C", str(studio), "invoice", "acme", "--month", "2026-10").exit_code == 0
    text = (studio / "invoices/acme-2026-10.md").read_text()
    again = wm("-C", str(studio), "invoice", "acme", "--month", "2026-10")
    assert again.exit_code == 1 and "Traceback" not in again.output
    assert "nothing to invoice: acme has no billable, uninvoiced time in 2026-10 (invoices/acme-2026-10.md has its time)" in again.stderr
    assert (studio / "invoices/acme-2026-10.md").read_text() == text
    assert sorted(p.name for p in (studio / "invoices").iterdir()) == ["acme-2026-10.md"]


def test_running_timer_blocks_the_invoice(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), "invoice", "acme", "--month", "2026-11", "--partial")
    assert result.exit_code == 1 and "timelogs/alice/2026-11.md:10: a timer is still running" in result.stderr
    assert not (studio / "invoices").exists()


def test_invoice_in_client_currency_with_exact_total(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    result = wm("-C", str(studio), "invoice", "globex", "--month", "2026-11", "--partial")
    assert result.stdout == "invoices/globex-2026-11.md: 2 entries, 6.75h, 540.00 USD\n"
    text = (studio / "invoices/globex-2026-11.md").read_text()
    assert "currency: USD" in text and "| **Total** | | | | **6.75** | | **540.00** |" in text


def test_invoice_without_a_rate_is_refused(tmp_path: Path, wm) -> None:  # type: ignore[no-untyped-def]
    root = build_studio(tmp_path / "ws", {"clients/acme.md": "---\nname: Acme\n---\n", "people/alice.md": "---\nname: Alice\n---\n"})
    result = wm("-C", str(root), "invoice", "acme", "--month", "2026-10")
    assert result.exit_code == 1 and "no rate for acme's entries of site" in result.stderr
    assert not (root / "invoices").exists()


def test_nothing_to_invoice_and_bad_arguments(studio: Path, wm) -> None:  # type: ignore[no-untyped-def]
    assert "nothing to invoice" in wm("-C", str(studio), "invoice", "acme", "--month", "2026-01").stderr
    assert wm("-C", str(studio), "invoice", "acme", "--month", "2026-13").exit_code == 2
    missing = wm("-C", str(studio), "invoice", "nobody", "--month", "2026-10")
    assert missing.exit_code == 1 and "no client with ID 'nobody'" in missing.stderr
    typo = wm("-C", str(studio), "invoice", "ACM", "--month", "2026-10")
    assert typo.exit_code == 1 and typo.stderr == "wm: no client with ID 'ACM' (did you mean 'acme'?)\n"


def _d(text: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(text)
