"""Accessibility of the site's markup and charts (audit a5): text cues beside colour, named controls and links, chart
text alternatives, and a Gantt whose labels do not overlap."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from test_site_build import build, make_site_workspace

from workspace_tool.site import charts
from workspace_tool.site.markdown import LinkMap, make_markdown, shift_headings
from workspace_tool.site.markdown_fast import fast_render

NS = "{http://www.w3.org/2000/svg}"
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def project_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test workspace's alpha project, its design task overdue (due 2026-11-20) and on the critical path."""
    root = tmp_path_factory.mktemp("a11y")
    ws = make_site_workspace(root)
    design = ws / "projects/alpha/tasks/design.md"
    design.write_text(design.read_text(encoding="utf-8").replace("due: 2026-12-01", "due: 2026-11-20"), encoding="utf-8")
    build(ws, root / "out")
    return (root / "out/projects/alpha.html").read_text(encoding="utf-8")


def _card(page: str, title: str) -> str:
    for card in re.findall(r'<li class="card[^"]*">.*?</li>', page, re.S):
        if f">{title}</a>" in card:
            return str(card)
    raise AssertionError(title)


def test_board_cards_say_critical_path_and_overdue_in_text_and_the_board_has_a_legend(project_page: str) -> None:
    design = _card(project_page, "Design the flamingo login page")
    assert design.startswith('<li class="card overdue critical">')
    assert '<span class="card-flag critical">critical path</span>' in design
    assert '<span class="card-flag overdue">overdue</span>' in design
    build_card = _card(project_page, "Build the login page")  # critical, not overdue
    assert '<span class="card-flag critical">critical path</span>' in build_card and "card-flag overdue" not in build_card
    assert "card-flag" not in _card(project_page, "&lt;script&gt;alert(&#39;title-xss&#39;)&lt;/script&gt; Evil")
    legend = re.search(r'<p class="board-legend">(.*?)</p>\s*<div class="board">', project_page, re.S)
    assert legend is not None and "critical path" in legend.group(1) and "overdue" in legend.group(1)


def test_project_feed_link_has_the_atom_type_and_progress_bars_are_named(project_page: str) -> None:
    assert '<a href="../feeds/alpha.xml" type="application/atom+xml">Atom feed of this project</a>' in project_page
    bars = re.findall(r'<span class="progress" role="progressbar"[^>]*>', project_page)
    assert bars and all('aria-label="Progress"' in bar and "aria-valuetext=" in bar for bar in bars)


def _gantt(bars: list[charts.Bar]) -> ET.Element:
    return ET.fromstring(charts.gantt("g1", "Schedule", bars, TODAY))


DAY = dt.date(2026, 11, 2)
BARS = [
    charts.Bar("Planned work", DAY, DAY + dt.timedelta(days=20)),
    charts.Bar("Finished work", DAY, DAY + dt.timedelta(days=5), done=True),
    charts.Bar("Slipping work", DAY, DAY + dt.timedelta(days=10), late=True),
]


def test_gantt_marks_done_and_late_bars_in_text_and_its_desc_says_done() -> None:
    root = _gantt(BARS)
    marks = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "wm-bar-mark"]
    assert marks == ["✓", "late"]
    desc = root.find(f"{NS}desc")
    assert desc is not None and "Finished work: 2026-11-02 to 2026-11-07 (done)" in (desc.text or "")
    assert "Planned work: 2026-11-02 to 2026-11-22;" in (desc.text or "")  # no state said for a planned bar
    assert "done ✓" in [t.text for t in root.iter(f"{NS}text")]  # the key explains the mark


def test_gantt_today_label_axis_caption_and_key_sit_on_separate_lines() -> None:
    root = _gantt(BARS)
    texts = {t.text: float(t.get("y", "0")) for t in root.iter(f"{NS}text")}
    today, caption, key = texts["today"], texts["Date (weeks starting Monday)"], texts["planned"]
    assert caption - today >= 12 and key - caption >= 12  # font sizes 10 and 11: at least a line apart
    line_end = max(float(line.get("y2", "0")) for line in root.iter(f"{NS}line"))
    assert today - 8 > line_end  # the label (about 7 px tall above its baseline) starts below the today line and gridlines


def test_gantt_row_labels_cut_short_carry_the_full_name() -> None:
    long_name = "Kickoff workshop with Greenleaf and the board"
    root = _gantt([charts.Bar(long_name, DAY, DAY, url="../d/kickoff.html"), charts.Bar("Short", DAY, DAY)])
    link = root.find(f"{NS}a")
    assert link is not None and link.get("aria-label") == long_name
    title = link.find(f"{NS}title")
    assert title is not None and title.text == long_name
    assert link.find(f"{NS}text") is not None and (link.find(f"{NS}text").text or "").endswith("…")  # type: ignore[union-attr]
    assert "Short" in [t.text for t in root.findall(f"{NS}text")]  # not cut: plain text, no group or title


def test_charts_are_named_by_their_title_and_described_by_their_desc() -> None:
    root = _gantt(BARS)
    assert root.get("aria-labelledby") == "g1-t" and root.get("aria-describedby") == "g1-d"


def test_burn_up_and_cumulative_flow_descs_give_every_value_and_layers_are_opaque() -> None:
    labels = ["2026-11-02", "2026-11-09", "2026-11-16"]
    line = ET.fromstring(charts.line_chart("b1", "Burn-up", labels, [charts.Series("scope", (10, 12, 12)), charts.Series("completed", (0, 3, 7))], "Hours"))
    assert "2026-11-09: scope 12, completed 3" in (line.find(f"{NS}desc").text or "")  # type: ignore[union-attr]
    flow_svg = charts.stacked_area("f1", "Flow", labels, [charts.Series("done", (0, 1, 4)), charts.Series("todo", (5, 4, 1))], "Tasks")
    assert "2026-11-16: done 4, todo 1" in (ET.fromstring(flow_svg).find(f"{NS}desc").text or "")  # type: ignore[union-attr]
    assert "fill-opacity" not in flow_svg  # translucent layers fell under 3:1 against the page


BODY = "# Scope\n\nIntro.\n\n- [ ] Slot search\n- [x] Booking **form**\n  second line\n"


def test_checklist_boxes_are_labelled_and_heading_anchors_named_by_both_renderers() -> None:
    slow = make_markdown().render(BODY, {"links": LinkMap(), "doc_path": "x.md", "page": "d/x.html"})
    assert fast_render(BODY, "d/x.html", LinkMap()) == slow
    assert '<h1 id="scope">Scope <a class="header-anchor" href="#scope" aria-label="Link to this section">#</a></h1>' in slow
    assert '<li class="task-list-item"><label><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> Slot search</label></li>' in slow
    assert "<label><input class=\"task-list-item-checkbox\" checked=\"checked\" disabled=\"disabled\" type=\"checkbox\"> Booking <strong>form</strong>\nsecond line</label>" in slow


def test_markdown_it_labels_checkboxes_in_bodies_the_fast_path_leaves_to_it() -> None:
    body = "## Plan\n\n1. first\n\n- [ ] a [link](https://example.com)\n"  # an ordered list and a link: markdown-it renders it
    assert fast_render(body, "d/x.html", LinkMap()) is None
    html = make_markdown().render(body, {"links": LinkMap(), "doc_path": "x.md", "page": "d/x.html"})
    assert '<label><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> a <a href="https://example.com">link</a></label>' in html
    assert 'href="#plan" aria-label="Link to this section">#</a></h2>' in html


def test_shift_headings_nests_a_body_under_the_page_heading_keeping_anchors() -> None:
    body = "# Scope\n\nText with `<h2>` in code.\n\n## Status\n\n###### Deep\n"
    html = make_markdown().render(body, {"links": LinkMap(), "doc_path": "x.md", "page": "d/x.html"})
    shifted = shift_headings(html, 1)
    assert '<h2 id="scope">Scope <a class="header-anchor" href="#scope" aria-label="Link to this section">#</a></h2>' in shifted
    assert '<h3 id="status">Status' in shifted and shifted.count("</h3>") == 1
    assert "<h6>Deep</h6>" in shifted  # the lowest level stays the lowest
    assert "<code>&lt;h2&gt;</code>" in shifted  # text that looks like a tag is left alone
    assert shift_headings(html, 0) == html


def test_a_project_body_is_nested_under_the_pages_about_heading(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """L7: the project page's body sits under its own "About" h2, so the body's `## Scope` is an h3 there (anchor kept);
    a task page, whose body is not under such a heading, keeps its levels."""
    ws = make_site_workspace(tmp_path)
    project = ws / "projects/alpha/project.md"
    project.write_text(project.read_text(encoding="utf-8") + "\n## Scope\n\nThe portal.\n", encoding="utf-8")
    task = ws / "projects/alpha/tasks/build.md"
    task.write_text(task.read_text(encoding="utf-8") + "\n## Scope\n\nThe page.\n", encoding="utf-8")
    out = tmp_path / "out"
    build(ws, out)
    page = (out / "projects/alpha.html").read_text(encoding="utf-8")
    assert '<h3 id="scope">Scope <a class="header-anchor" href="#scope"' in page and '<h2 id="scope">' not in page
    assert '<h2 id="scope">Scope' in (out / "d/build.html").read_text(encoding="utf-8")
