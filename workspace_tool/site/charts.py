"""Inline SVG charts drawn at build time: Gantt, line (burndown/burn-up), cumulative flow, bars.

Pure functions from data to an SVG string. Every chart has a visible title,
axis labels, and `<title>`/`<desc>` text alternatives (`role="img"`).
Colours come from CSS variables (`--wm-c0`...) with a readable fallback,
and text uses `currentColor`, so charts follow the light or dark scheme.
Every piece of document text is XML-escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Sequence

from workspace_tool.site.xmltext import escape, quoteattr

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
LABEL_WIDTH = 190
WIDTH = 760
TICK_GAP = 64  # pixels between the centres of two x-axis labels: a YYYY-MM-DD at font-size 10 is about 55 wide


@dataclass(frozen=True)
class Bar:
    """One Gantt row: a task from `start` to `end` (inclusive dates)."""

    label: str
    start: dt.date
    end: dt.date
    critical: bool = False
    milestone: bool = False
    late: bool = False
    done: bool = False
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


def _color(i: int) -> str:
    return f"var(--wm-c{i % len(PALETTE)}, {PALETTE[i % len(PALETTE)]})"


def _open(chart_id: str, title: str, desc: str, height: int, width: int = WIDTH) -> list[str]:
    return [
        f'<svg class="wm-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t" aria-describedby="{chart_id}-d" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" font-weight="bold" fill="currentColor">{escape(title)}</text>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="currentColor"{extra}>{escape(text)}</text>'


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gantt(chart_id: str, title: str, bars: Sequence[Bar], today: dt.date, page_url: str = "") -> str:
    """A Gantt chart: one row per bar, weeks on the x axis, today marked; critical bars outlined and labelled."""
    if not bars:
        return ""
    first = min(b.start for b in bars)
    last = max(b.end for b in bars)
    first = min(first, today) if (today - first).days < 120 else first
    last = max(last, today) if (today - last).days < 120 and today >= first else last
    span = max((last - first).days + 1, 7)
    row, top = 22, 44
    plot = WIDTH - LABEL_WIDTH - 20
    height = top + row * len(bars) + 76  # the "today" label, the axis caption, then the key, each on its own line
    critical = sum(b.critical for b in bars)
    desc = (
        f"{len(bars)} tasks from {first.isoformat()} to {last.isoformat()}; {critical} on the critical path. "
        + "; ".join(f"{b.label}: {b.start.isoformat()} to {b.end.isoformat()}{' (critical)' if b.critical else ''}{' (late)' if b.late else ''}{' (done)' if b.done else ''}" for b in bars[:60])
    )
    out = _open(chart_id, title, desc, height)

    def x_of(day: dt.date) -> float:
        return LABEL_WIDTH + plot * (day - first).days / span

    week = first - dt.timedelta(days=first.weekday())
    every = max(1, -(-span // 7 // 12))  # at most about a dozen labelled weeks
    number = 0
    while week <= last:
        number += 1
        if week >= first and (number - 1) % every == 0:
            x = x_of(week)
            out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 44}" stroke="currentColor" stroke-opacity="0.12"/>')
            out.append(_text(x, top - 10, week.strftime("%d %b"), "middle", ' font-size="10"'))
        week += dt.timedelta(days=7)
    for i, bar in enumerate(bars):
        y = top + i * row
        out.append(_row_label(bar, y))
        x0, x1 = x_of(bar.start), x_of(bar.end + dt.timedelta(days=1))
        # the fill says late, done or planned; a red outline says critical (a late critical task is both)
        state = "late" if bar.late else "done" if bar.done else "normal"
        fill = {"late": _color(1), "done": _color(2), "normal": _color(0)}[state]
        state += " wm-bar-critical" if bar.critical else ""
        tip = f"{bar.label}: {bar.start.isoformat()} – {bar.end.isoformat()}{' · critical path' if bar.critical else ''}{' · late' if bar.late else ''}{(' · ' + bar.note) if bar.note else ''}"
        if bar.milestone:
            cx, cy = x_of(bar.end), y + 10
            stroke = f' stroke="{_color(3)}" stroke-width="2.5"' if bar.critical else ""
            out.append(f'<path class="wm-bar-{state}" d="M{cx:.1f},{cy - 7} l7,7 l-7,7 l-7,-7 z" fill="{fill}"{stroke}><title>{escape(tip)}</title></path>')
            x0, x1 = cx - 7, cx + 7
        else:
            stroke = f' stroke="{_color(3)}" stroke-width="2.5"' if bar.critical else ""
            out.append(
                f'<rect class="wm-bar-{state}" x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 2):.1f}" height="13" rx="2" fill="{fill}"{stroke}>'
                f"<title>{escape(tip)}</title></rect>"
            )
        out.extend(_state_mark(bar, x0, x1, y))
    tx = x_of(today)
    if first <= today <= last:
        out.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{height - 44}" stroke="{_color(3)}" stroke-dasharray="4 3"/>')
        out.append(_text(tx, height - 34, "today", "middle", ' font-size="10"'))
    out.append(_text(LABEL_WIDTH + plot / 2, height - 20, "Date (weeks starting Monday)", "middle", ' font-size="11"'))
    _gantt_key(out, height - 4)
    out.append("</svg>")
    return "\n".join(out)


def _row_label(bar: Bar, y: float) -> str:
    """A row's label, cut to 27 characters; a cut one carries the full name (`<title>`, and the link's `aria-label`)."""
    short = _short(bar.label, 27)
    label = _text(LABEL_WIDTH - 6, y + 14, short, "end", ' font-size="11"')
    full = f"<title>{escape(bar.label)}</title>" if short != bar.label else ""
    if bar.url:
        named = f" aria-label={quoteattr(bar.label)}" if full else ""
        return f"<a href={quoteattr(bar.url)}{named}>{full}{label}</a>"
    return f"<g>{full}{label}</g>" if full else label


def _state_mark(bar: Bar, x0: float, x1: float, y: float) -> list[str]:
    """The bar's state in text as well as in colour: "✓" after a done bar, "late" after a late one (before the bar
    when there is no room after it)."""
    mark = "late" if bar.late else "✓" if bar.done else ""
    if not mark:
        return []
    room = 6.5 * len(mark) + 6
    if x1 + room <= WIDTH - 4:
        return [_text(x1 + 3, y + 14, mark, "start", ' font-size="10" class="wm-bar-mark" aria-hidden="true"')]
    return [_text(x0 - 3, y + 14, mark, "end", ' font-size="10" class="wm-bar-mark" aria-hidden="true"')]


def _gantt_key(out: list[str], y: float) -> None:
    """What the bars' colours, marks and outline mean."""
    x = float(LABEL_WIDTH)
    for name, fill, stroke in (
        ("planned", _color(0), ""), ("late (past its due date)", _color(1), ""), ("done ✓", _color(2), ""),
        ("critical path", "none", f' stroke="{_color(3)}" stroke-width="2.5"'),
    ):
        out.append(f'<rect x="{x:.1f}" y="{y - 9}" width="14" height="10" rx="2" fill="{fill}"{stroke}/>')
        out.append(_text(x + 19, y, name, "start", ' font-size="11"'))
        x += 30 + 6.2 * len(name)


def nice_scale(maximum: float, whole: bool = False) -> tuple[float, float]:
    """The axis's top and its step between ticks: a step of 1, 2, 2.5 or 5 times a power of ten (whole numbers
    only when `whole`: counts of tasks), about four steps up to the first tick at or above `maximum`."""
    if maximum <= 0:
        return (4.0, 1.0) if whole else (1.0, 0.25)
    exponent = math.floor(math.log10(maximum / 4))
    candidates = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 2.5, 5)]
    if whole:
        candidates = [c for c in candidates if c >= 1 and c.is_integer()] or [1.0]
    best: tuple[float, float] | None = None
    for step in sorted(candidates):
        ticks = math.ceil(maximum / step - 1e-9)
        if 3 <= ticks <= 6 or (whole and step == 1 and ticks < 3):
            top = step * max(ticks, 1)
            if best is None or top < best[0]:
                best = (top, step)
    if best is None:  # whole numbers up to 2: one a tick
        step = max(candidates)
        return step * math.ceil(maximum / step - 1e-9), step
    return best


def _y_axis(out: list[str], top: int, bottom: int, left: int, maximum: float, label: str, whole: bool = False) -> float:
    """Gridlines and labels at round values; returns the value at the top of the plot, which the caller scales by."""
    scale, step = nice_scale(maximum, whole)
    steps = round(scale / step)
    for i in range(steps + 1):
        value = step * i
        y = bottom - (bottom - top) * i / steps
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 20}" y2="{y:.1f}" stroke="currentColor" stroke-opacity="0.12"/>')
        # the zero sits a little above its line, clear of the first label of the x axis below
        out.append(_text(left - 6, y + (0 if i == 0 else 4), f"{value:g}", "end", ' font-size="10"'))
    mid = (top + bottom) / 2
    out.append(_text(14, mid, label, "middle", f' transform="rotate(-90 14 {mid:.0f})"'))
    return scale


def _x_labels(out: list[str], labels: Sequence[str], x_of: object, bottom: int, axis: str, last_centred: bool = False) -> None:
    """Every `every`-th label, none closer than TICK_GAP to another, and the last one: ending at its place (a line's
    last point is at the plot's edge: centred, it was cut off), or centred under it (`last_centred`: a bar's slot
    leaves it room), which keeps the one before it."""
    assert callable(x_of)
    last = len(labels) - 1
    step = float(x_of(1) - x_of(0)) if last > 0 else 0.0  # pixels from one label's place to the next
    every = max(1, math.ceil(TICK_GAP / step)) if step > 0 else 1
    room = 1.0 if last_centred else 1.5  # the last label's centre is at its place, or half a label left of it
    for i, label in enumerate(labels[:last]):
        if i % every == 0 and (last - i) * step >= room * TICK_GAP:
            out.append(_text(x_of(i), bottom + 14, label, "middle", ' font-size="10"'))
    anchor = "middle" if last_centred or not last else "end"
    out.append(_text(x_of(last), bottom + 14, labels[last], anchor, ' font-size="10"'))
    out.append(_text((60 + WIDTH - 20) / 2, bottom + 32, axis, "middle", ' font-size="11"'))


def _legend(out: list[str], names: Sequence[str], y: int, dashed: int | None = None) -> None:
    x = 60
    for i, name in enumerate(names):
        if i == dashed:
            out.append(f'<line x1="{x - 2}" y1="{y - 4}" x2="{x + 12}" y2="{y - 4}" stroke="currentColor" stroke-width="2" stroke-dasharray="4 2"/>')
        else:
            out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{_color(i)}"/>')
        out.append(_text(x + 14, y, _short(name, 24)))
        x += 24 + 7 * min(len(name), 24)


def _every_value(labels: Sequence[str], series: Sequence[Series]) -> str:
    """Every point in words, one label after another (the chart's full text alternative, as the bar charts give)."""
    return "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {s.values[i]:g}" for s in series if i < len(s.values)) for i, label in enumerate(labels)
    )


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], y_label: str, x_label: str = "Date") -> str:
    """Lines over a shared x axis (burndown, burn-up): one polyline per series, a legend, axes."""
    if not labels or not series:
        return ""
    top, bottom, left = 44, 210, 60
    height = bottom + 60
    maximum = max([v for s in series for v in s.values] + [1.0])
    desc = f"{title}, {labels[0]} to {labels[-1]}. " + "; ".join(
        f"{s.name}: from {s.values[0]:g} to {s.values[-1]:g}" for s in series if s.values
    ) + ". " + _every_value(labels, series)
    out = _open(chart_id, title, desc, height + 10)
    maximum = _y_axis(out, top, bottom, left, maximum, y_label)
    plot = WIDTH - 20 - left

    def x_of(i: int) -> float:
        return left + plot * (i / max(len(labels) - 1, 1))

    for n, s in enumerate(series):
        points = " ".join(f"{x_of(i):.1f},{bottom - (bottom - top) * v / maximum:.1f}" for i, v in enumerate(s.values))
        dash = ' stroke-dasharray="5 4"' if n % 2 else ""
        out.append(f'<polyline points="{points}" fill="none" stroke="{_color(n)}" stroke-width="2"{dash}><title>{escape(s.name)}</title></polyline>')
    _x_labels(out, labels, x_of, bottom, x_label)
    _legend(out, [s.name for s in series], height + 4)
    out.append("</svg>")
    return "\n".join(out)


def stacked_area(chart_id: str, title: str, labels: Sequence[str], layers: Sequence[Series], y_label: str) -> str:
    """A cumulative flow diagram: one band per status, stacked, the first layer at the bottom."""
    if not labels or not layers:
        return ""
    top, bottom, left = 44, 210, 60
    height = bottom + 60
    totals = [sum(layer.values[i] for layer in layers) for i in range(len(labels))]
    maximum = max(totals + [1.0])
    desc = (
        f"{title}, {labels[0]} to {labels[-1]}. Latest: " + ", ".join(f"{layer.name} {layer.values[-1]:g}" for layer in layers)
        + ". " + _every_value(labels, layers)
    )
    out = _open(chart_id, title, desc, height + 10)
    maximum = _y_axis(out, top, bottom, left, maximum, y_label, whole=all(float(v).is_integer() for layer in layers for v in layer.values))
    plot = WIDTH - 20 - left

    def x_of(i: int) -> float:
        return left + plot * (i / max(len(labels) - 1, 1))

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * v / maximum

    base = [0.0] * len(labels)
    for n, layer in enumerate(layers):
        upper = [b + v for b, v in zip(base, layer.values)]
        forward = [f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(upper)]
        backward = [f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in reversed(list(enumerate(base)))]
        out.append(f'<polygon points="{" ".join(forward + backward)}" fill="{_color(n)}"><title>{escape(layer.name)}</title></polygon>')
        base = upper
    _x_labels(out, labels, x_of, bottom, "Date")
    _legend(out, [layer.name for layer in layers], height + 4)
    out.append("</svg>")
    return "\n".join(out)


def bars(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], y_label: str, x_label: str, limit: Series | None = None) -> str:
    """Grouped vertical bars per label, with an optional limit line (capacity)."""
    if not labels or not series:
        return ""
    top, bottom, left = 44, 210, 60
    height = bottom + 60
    maximum = max([v for s in series for v in s.values] + list(limit.values if limit else ()) + [1.0])
    desc = f"{title}. " + "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {s.values[i]:g}" for s in [*series, *([limit] if limit else [])]) for i, label in enumerate(labels)
    )
    out = _open(chart_id, title, desc, height + 10)
    maximum = _y_axis(out, top, bottom, left, maximum, y_label)
    plot = WIDTH - 20 - left
    slot = plot / len(labels)
    width = max(slot * 0.8 / len(series), 1)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    for i in range(len(labels)):
        for n, s in enumerate(series):
            v = s.values[i]
            x = left + slot * i + slot * 0.1 + n * width
            h = (bottom - top) * v / maximum
            out.append(f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{width:.1f}" height="{h:.1f}" fill="{_color(n)}"><title>{escape(f"{labels[i]} {s.name}: {v:g}")}</title></rect>')
        if limit is not None:
            y = bottom - (bottom - top) * limit.values[i] / maximum
            out.append(f'<line x1="{left + slot * i:.1f}" y1="{y:.1f}" x2="{left + slot * (i + 1):.1f}" y2="{y:.1f}" stroke="currentColor" stroke-width="2" stroke-dasharray="4 2"/>')
    _x_labels(out, labels, x_of, bottom, x_label, last_centred=slot >= TICK_GAP / 2)
    _legend(out, [s.name for s in series] + ([f"{limit.name} (dashed)"] if limit else []), height + 4, len(series) if limit else None)
    out.append("</svg>")
    return "\n".join(out)
