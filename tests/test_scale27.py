"""Costs that grew with a file's size: one "did you mean" per missing ID, not per link to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from workspace_tool import errors
from workspace_tool.validate import check_index
from workspace_tool.workspace import load_index


def test_a_missing_id_linked_many_times_is_looked_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """200,000 links to one missing ID asked difflib 200,000 times (20 s of `wm validate`); each still gets its warning."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/alpha-plan.md").write_text("---\ntitle: Plan\n---\n", encoding="utf-8")
    (tmp_path / "notes/x.md").write_text("---\ntitle: X\n---\n" + "[[alpha-plann]] and [[nope]]\n" * 50, encoding="utf-8")
    asked: list[str] = []
    real = errors.nearest_name
    monkeypatch.setattr(errors, "nearest_name", lambda name, *rest: asked.append(name) or real(name, *rest))
    found = [d for d in check_index(load_index(tmp_path, use_cache=False)) if d.path == "notes/x.md"]
    assert len(found) == 100
    assert sorted(asked) == ["alpha-plann", "nope"]
    assert sum("did you mean 'notes/alpha-plan'" in d.message for d in found) == 50


def test_a_body_over_a_megabyte_is_shown_as_written_not_rendered() -> None:
    """markdown-it spent 24 s and 1 GB on a crafted 4 MB note; such a body is escaped text in `<pre>` (nothing in it runs)."""
    from workspace_tool.site.markdown import PLAIN_BODY_CHARS, LinkMap, render_body

    body = "*a* [b](c) `d` <script>x</script>\n" * (PLAIN_BODY_CHARS // 30)
    html = render_body(body, "notes/x.md", "d/notes/x.html", LinkMap({}, {}))
    assert html.startswith('<p class="note">This text is 1.1 MB, so it is shown as written, without Markdown formatting or links.</p>\n<pre>')
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html and "<em>" not in html
    assert "<em>a</em>" in render_body(body[:1000], "notes/x.md", "d/notes/x.html", LinkMap({}, {}))  # a normal body is rendered


def test_a_target_linked_many_times_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each relative link target of a body is resolved and checked once, however often it is linked."""
    from test_site_build import make_site_workspace

    from workspace_tool.site import context
    from workspace_tool.site.build import BuildOptions, build_site

    ws = make_site_workspace(tmp_path)
    (ws / "notes").mkdir(exist_ok=True)
    (ws / "notes/links.md").write_text("---\ntitle: Links\n---\n" + "[b](missing.png) and [c](../diagram.png)\n" * 500, encoding="utf-8")
    checked: list[str] = []
    real = context.attachment_ok
    monkeypatch.setattr(context, "attachment_ok", lambda root, relpath: checked.append(relpath) or real(root, relpath))
    build_site(load_index(ws, use_cache=False), BuildOptions(tmp_path / "out", jobs=1))
    for path in ("notes/missing.png", "diagram.png"):  # by the page's links, and once more for the build's record of what it read
        assert 1 <= checked.count(path) <= 2, (path, checked.count(path))
