"""Charts: well-formed SVG with titles, axis labels and text alternatives; document text escaped."""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from workspace_tool.site import charts

NS = "{http://www.w3.org/2000/svg}"
D = dt.date(2026, 11, 2)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_gantt_marks_critical_path_today_and_escapes_labels() -> None:
    bars = [
        charts.Bar("<script>x</script> & co", D, D + dt.timedelta(days=4), critical=True, url="../d/a.html"),
        charts.Bar("Second", D + dt.timedelta(days=5), D + dt.timedelta(days=9)),
        charts.Bar("Launch", D + dt.timedelta(days=10), D + dt.timedelta(days=10), milestone=True),
    ]
    svg = charts.gantt("g1", "Schedule", bars, D + dt.timedelta(days=6))
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "g1-t" and root.get("aria-describedby") == "g1-d"
    assert root.find(f"{NS}title").text == "Schedule"  # type: ignore[union-attr]
    desc = root.find(f"{NS}desc").text or ""  # type: ignore[union-attr]
    assert "3 tasks" in desc and "1 on the critical path" in desc and "(critical)" in desc
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('class="wm-bar-normal wm-bar-critical"') == 1  # the critical bar is outlined, in red
    assert ">today<" in svg and "Date (weeks starting Monday)" in svg
    assert svg.count("<path") == 1  # the milestone diamond
    for key in (">planned<", ">late (past its due date)<", ">done ✓<", ">critical path<"):
        assert key in svg  # the key says what colours and the outline mean


def test_a_late_critical_task_looks_late_and_critical() -> None:
    bars = [charts.Bar("Late and critical", D, D + dt.timedelta(days=4), critical=True, late=True), charts.Bar("On time", D, D)]
    svg = charts.gantt("g2", "Schedule", bars, D)
    late = re.search(r'<rect class="wm-bar-late wm-bar-critical"[^>]*>', svg)
    assert late is not None and 'stroke-width="2.5"' in late.group(0)  # orange, with the critical path's red outline
    assert 'class="wm-bar-normal"' in svg


def test_axes_have_round_ticks_and_counts_whole_ones() -> None:
    for maximum in (0.3, 1, 4, 37.5, 166, 1026, 12345):
        top, step = charts.nice_scale(maximum)
        assert top >= maximum and 3 <= round(top / step) <= 6, (maximum, top, step)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 6) in (1, 2, 2.5, 5), (maximum, step)
    assert charts.nice_scale(1026) == (1200, 200) and charts.nice_scale(166) == (200, 50)
    assert all(charts.nice_scale(m, whole=True)[1].is_integer() for m in (1, 2, 3, 4, 7, 19))
    svg = charts.stacked_area("cf", "Flow", ["d1", "d2"], [charts.Series("todo", (1.0, 2.0)), charts.Series("done", (0.0, 2.0))], "Tasks")
    labels = re.findall(r'text-anchor="end" fill="currentColor" font-size="10">([^<]+)<', svg)
    assert labels[:-1] == ["0", "1", "2", "3", "4"], labels  # task counts: whole numbers (then the last date, also at its end)


def test_gantt_without_bars_is_empty() -> None:
    assert charts.gantt("g", "Schedule", [], D) == ""


def test_line_chart_has_axes_legend_and_series() -> None:
    svg = charts.line_chart("b", "Burn-up", ["2026-11-02", "2026-11-09", "2026-11-16"], [charts.Series("scope", (10, 12, 12)), charts.Series("done", (0, 4, 9))], "Hours")
    root = parse(svg)
    assert len(root.findall(f"{NS}polyline")) == 2
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Hours" in texts and "Week" not in texts and "Date" in texts and "scope" in texts and "done" in texts
    assert "scope: from 10 to 12" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_stacked_area_stacks_layers() -> None:
    svg = charts.stacked_area("f", "Flow", ["a", "b"], [charts.Series("done", (1, 2)), charts.Series("todo", (3, 1))], "Tasks")
    root = parse(svg)
    assert len(root.findall(f"{NS}polygon")) == 2
    assert "done 2, todo 1" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_bars_with_capacity_line() -> None:
    svg = charts.bars("w", "Workload", ["W1", "W2"], [charts.Series("booked", (30, 45))], "Hours", "Week", charts.Series("capacity", (40, 40)))
    root = parse(svg)
    assert len(root.findall(f"{NS}rect")) >= 2 and len(root.findall(f"{NS}line")) >= 2
    assert "W2: booked 45, capacity 40" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_colours_follow_css_variables_for_dark_mode() -> None:
    svg = charts.bars("w", "W", ["a"], [charts.Series("x", (1,))], "h", "w")
    assert "var(--wm-c0, #4e79a7)" in svg and 'fill="currentColor"' in svg


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab &<>\"'\n\r\t;é")), max_size=30) | st.text(max_size=30))
def test_xml_escaping_is_saxutils(text: str) -> None:
    """The site's XML escaping (charts, feeds) gives what `xml.sax.saxutils` gives, without importing it, once the
    characters XML 1.0 forbids are U+FFFD (saxutils passes them, and the feed is then no XML)."""
    from xml.sax import saxutils

    from workspace_tool.site import xmltext

    clean = xmltext._FORBIDDEN.sub("\ufffd", text)
    assert xmltext.escape(text) == saxutils.escape(clean)
    assert xmltext.quoteattr(text) == saxutils.quoteattr(clean)


@given(st.integers(min_value=2, max_value=400))
def test_date_labels_never_overlap(days: int) -> None:
    """The x axis labels every few days and always the last day; a regular label close to the last one is left out
    (a date label is about 55 px wide at this size)."""
    start = dt.date(2026, 1, 1)
    labels = [(start + dt.timedelta(days=i)).isoformat() for i in range(days)]
    svg = charts.line_chart("c", "Burn-up", labels, [charts.Series("scope", tuple(float(i) for i in range(days)))], "Hours")
    root = ET.fromstring(svg)
    texts = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("font-size") == "10" and t.text in labels]
    assert texts[0].text == labels[0] and texts[-1].text == labels[-1]
    width = 55  # a YYYY-MM-DD at font-size 10
    spans = [(x - width / 2, x + width / 2) if t.get("text-anchor") == "middle" else (x - width, x) for t in texts for x in [float(t.get("x", 0))]]
    assert all(right + 4 <= left for (_, right), (left, _) in zip(spans, spans[1:])), spans  # apart, in order
    assert spans[0][0] >= 0 and spans[-1][1] <= float(root.get("viewBox", "0 0 0 0").split()[2]), spans  # inside the chart


@given(st.integers(min_value=2, max_value=80))
def test_week_labels_of_bars_never_overlap_and_stay_inside(weeks: int) -> None:
    """The same for bars (the workload and time charts): the last label is centred under its bar when the bar's slot
    leaves it room, so the one before it is not left out for nothing."""
    labels = [f"2026-W{i % 53 + 1:02d}" for i in range(weeks)]
    svg = charts.bars("w", "Workload", labels, [charts.Series("booked", tuple(float(i) for i in range(weeks)))], "Hours", "Week")
    root = ET.fromstring(svg)
    texts = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("font-size") == "10" and t.text in labels]
    assert texts[0].text == labels[0] and texts[-1].text == labels[-1]
    width = 50  # a YYYY-Www at font-size 10
    spans = [(x - width / 2, x + width / 2) if t.get("text-anchor") == "middle" else (x - width, x) for t in texts for x in [float(t.get("x", 0))]]
    assert all(right + 4 <= left for (_, right), (left, _) in zip(spans, spans[1:])), spans
    assert spans[0][0] >= 0 and spans[-1][1] <= float(root.get("viewBox", "0 0 0 0").split()[2]), spans


def test_eight_weeks_of_bars_label_every_week() -> None:
    labels = ["2026-W48", "2026-W49", "2026-W50", "2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    svg = charts.bars("w", "Workload", labels, [charts.Series("booked", (1, 2, 3, 4, 5, 6, 7, 8))], "Hours", "Week")
    shown = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text") if t.text in labels]
    assert shown == labels


def test_hours_and_numbers_read_as_people_write_them() -> None:
    from workspace_tool.site.context import fmt_hours
    from workspace_tool.site.render import number_text

    # quarter hours as logged, so months add up to their total as `wm report time` prints them (180.75 + 330.75 ...)
    assert [fmt_hours(h) for h in (286.25, 0.75, 966.5, 40.0, 0.0, 1 / 3)] == ["286.25h", "0.75h", "966.5h", "40h", "0h", "0.33h"]
    assert [number_text(v) for v in (1.0, 4.0, 2.5, 150000, None)] == ["1", "4", "2.5", "150,000", ""]  # "1 of 4", not "1.0 of 4.0"
