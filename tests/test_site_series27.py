"""A recurring series on the site: an instance's `previous:` links to the instance before it (as `wm show` resolves it)."""

from __future__ import annotations

from pathlib import Path

from test_site_build import build, make_site_workspace


def _series(tmp_path: Path, status: str) -> Path:
    """The test workspace with a monthly payroll done in October and its November instance (`status`)."""
    ws = make_site_workspace(tmp_path)
    tasks = ws / "projects/alpha/tasks"
    (tasks / "payroll.md").write_text("---\ntitle: Run payroll\nstatus: done\nrecurrence: monthly\ndue: 2026-10-30\n---\n", encoding="utf-8")
    (tasks / "payroll-2026-11-30.md").write_text(
        f"---\ntitle: Run payroll\nstatus: {status}\nrecurrence: monthly\ndue: 2026-11-30\nprevious: payroll\n---\n", encoding="utf-8"
    )
    return ws


def test_previous_instance_is_a_link_to_its_page(tmp_path: Path) -> None:
    ws = _series(tmp_path, "todo")
    out = tmp_path / "out"
    build(ws, out)
    page = (out / "d/payroll-2026-11-30.html").read_text(encoding="utf-8")
    assert '<a href="payroll.html">Run payroll</a>' in page
    assert "<dd>payroll</dd>" not in page  # (it was the bare ID, as text)


def test_an_instance_links_to_the_next_one_also_after_an_incremental_build(tmp_path: Path) -> None:
    """The older instance's page names the instance made from it; a new instance made after a build dirties the older
    page (its `previous:` is a reference for the incremental build), so the next build shows it too."""
    ws = _series(tmp_path, "done")
    tasks = ws / "projects/alpha/tasks"
    out = tmp_path / "out"
    build(ws, out)
    assert '<a href="payroll-2026-11-30.html">Run payroll</a>' in (out / "d/payroll.html").read_text(encoding="utf-8")
    assert "<dt>next</dt>" not in (out / "d/payroll-2026-11-30.html").read_text(encoding="utf-8")
    (tasks / "payroll-2026-12-30.md").write_text(
        "---\ntitle: Run payroll (December)\nstatus: todo\nrecurrence: monthly\ndue: 2026-12-30\nprevious: payroll-2026-11-30\n---\n",
        encoding="utf-8",
    )
    result = build(ws, out)
    assert result.rendered < result.pages  # type: ignore[attr-defined]  # incremental
    page = (out / "d/payroll-2026-11-30.html").read_text(encoding="utf-8")
    assert '<dt>next</dt><dd><a href="payroll-2026-12-30.html">Run payroll (December)</a>' in page
