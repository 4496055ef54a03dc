"""The site's colours, print and narrow layout (audit A5: M1, M2, M5, M7, M8, M9, M10, H1's chip, L2's feed type).

The contrast tests read the colour variables of both schemes from the shipped
stylesheets, and which variable each rule uses from the rule itself, so a
later change of the palette or of a rule that breaks a pair fails here
(WCAG 2.1: 3:1 for focus rings, chart series and control borders, 4.5:1 for
text). The browser tests (print and a phone's width) are skipped only when
chromium or chromedriver is missing, as in test_browser.py.
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import needs_browser
from test_site_build import TODAY, build, make_site_workspace

from workspace_tool.errors import Diagnostic
from workspace_tool.site import BuildOptions, charts
from workspace_tool.site import serve as serve_module
from workspace_tool.site.serve import BuildState, SiteServer

STATIC = Path(__file__).resolve().parent.parent / "site_templates" / "static"
COMPONENTS = (STATIC / "components.css").read_text(encoding="utf-8")
STYLE = (STATIC / "style.css").read_text(encoding="utf-8")
SCHEMES = ("light", "dark")


def _declarations(block: str) -> dict[str, str]:
    return {name.strip(): value.strip() for name, value in re.findall(r"([-\w]+)\s*:\s*([^;]+)", block)}


def palette(scheme: str) -> dict[str, str]:
    """The colour variables of a scheme: the first `:root { … }`, then (dark) the `prefers-color-scheme: dark` one."""
    light = re.search(r"^:root\s*\{([^}]*)\}", COMPONENTS, re.M)
    dark = re.search(r"@media\s*(?:screen\s+and\s*)?\(prefers-color-scheme:\s*dark\)\s*\{[^:]*:root\s*\{([^}]*)\}", COMPONENTS)
    assert light and dark
    found = _declarations(light[1])
    if scheme == "dark":
        found.update(_declarations(dark[1]))
    return found


def older(variables: dict[str, str]) -> dict[str, str]:
    """The variables of a workspace's copy of components.css made before --focus, --input-line and --alert-*."""
    return {name: value for name, value in variables.items() if name not in ("--focus", "--input-line", "--alert-bg", "--alert-fg")}


def rule(selector: str, css: str = COMPONENTS + STYLE) -> dict[str, str]:
    """The declarations of every rule outside `@media` whose selector list names `selector` (later ones win)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "}", css)
    found: dict[str, str] = {}
    for selectors, block in re.findall(r"(?:^|(?<=\}))\s*([^{}@]+?)\s*\{([^{}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            found.update(_declarations(block))
    assert found, f"no rule for {selector}"
    return found


def colour(value: str, variables: dict[str, str]) -> str:
    """A colour as `#rrggbb`: the first `#hex` or `var(--x[, fallback])` in a declaration's value."""
    found = re.search(r"var\((--[\w-]+)\s*(?:,\s*([^)]+))?\)|#[0-9a-fA-F]{3,6}\b", value)
    assert found, f"no colour in {value!r}"
    if found[1]:
        name, fallback = found[1], found[2]
        assert name in variables or fallback, f"{name} is not defined"
        return colour(variables[name] if name in variables else fallback, variables)
    text = found[0].lstrip("#")
    return "#" + (text if len(text) == 6 else "".join(c * 2 for c in text)).lower()


def _luminance(hexcolour: str) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)

    r, g, b = (int(hexcolour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    x, y = _luminance(a), _luminance(b)
    return (max(x, y) + 0.05) / (min(x, y) + 0.05)


def over(fg: str, bg: str, alpha: float) -> str:
    """`fg` painted at `alpha` opacity over `bg`."""
    mixed = (round(int(fg[i:i + 2], 16) * alpha + int(bg[i:i + 2], 16) * (1 - alpha)) for i in (1, 3, 5))
    return "#" + "".join(f"{v:02x}" for v in mixed)


def backgrounds(variables: dict[str, str]) -> dict[str, str]:
    """The backgrounds a focus ring is drawn on: the page, the header, a board column and a board card."""
    return {where: colour(rule(selector)["background"], variables)
            for where, selector in (("page", "body"), ("header", "header.top"), ("board column", ".column"), ("board card", ".board .card"))}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_focus_ring_is_3_to_1_on_every_background_it_is_drawn_on(scheme: str) -> None:
    for variables in (palette(scheme), older(palette(scheme))):
        ring = colour(rule("a:focus-visible")["outline"], variables)
        for where, bg in backgrounds(variables).items():
            assert contrast(ring, bg) >= 3, f"{scheme}: focus ring {ring} on the {where} {bg}: {contrast(ring, bg):.2f}:1"


def _stacked_area_opacity() -> float:
    svg = charts.stacked_area("f", "Flow", ["a", "b"], [charts.Series("done", (1, 2)), charts.Series("todo", (3, 1))], "Tasks")
    found = re.search(r'<polygon [^>]*fill-opacity="([\d.]+)"', svg)
    return float(found[1]) if found else 1.0


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_chart_series_colour_is_3_to_1_on_the_chart_background_also_as_a_cumulative_flow_layer(scheme: str) -> None:
    variables = palette(scheme)
    background = colour(rule("body")["background"], variables)  # figure.chart has none of its own
    opacity = _stacked_area_opacity()
    for i in range(len(charts.PALETTE)):
        series = colour(variables[f"--wm-c{i}"], variables)
        layer = over(series, background, opacity)
        assert contrast(series, background) >= 3, f"{scheme}: --wm-c{i} {series}: {contrast(series, background):.2f}:1"
        assert contrast(layer, background) >= 3, f"{scheme}: --wm-c{i} at {opacity}: {contrast(layer, background):.2f}:1"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_search_box_border_is_3_to_1_on_its_field_and_on_the_header(scheme: str) -> None:
    box = rule("input[type=search]")
    for variables in (palette(scheme), older(palette(scheme))):
        border, field = colour(box["border"], variables), colour(box["background"], variables)
        header = colour(rule("header.top")["background"], variables)
        assert contrast(border, field) >= 3, f"{scheme}: border {border} on the field {field}: {contrast(border, field):.2f}:1"
        assert contrast(border, header) >= 3, f"{scheme}: border {border} on the header {header}: {contrast(border, header):.2f}:1"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_focused_heading_anchor_is_opaque_and_3_to_1(scheme: str) -> None:
    variables = palette(scheme)
    assert rule(".header-anchor:focus-visible")["opacity"] == "1"
    assert rule(".header-anchor")["opacity"] in ("0", "1")  # never faded (at .3 it was 1.6:1): hidden, or shown whole
    link, page = colour(rule("a")["color"], variables), colour(rule("body")["background"], variables)
    assert contrast(link, page) >= 3


def _inline_style(html_text: str) -> dict[str, str]:
    found = re.search(r'style="([^"]*)"', html_text)
    assert found
    return _declarations(found[1])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_serve_banners_are_4_5_to_1_in_both_schemes(scheme: str) -> None:
    variables = palette(scheme)
    failed = rule("#wm-build-error")
    for defined in (variables, older(variables)):
        text, bg = colour(failed["color"], defined), colour(failed["background"], defined)
        assert contrast(text, bg) >= 4.5, f"{scheme}: build error banner {text} on {bg}: {contrast(text, bg):.2f}:1"
    banner = BuildState(unreadable=(Diagnostic("notes/x.md", 2, "error", "yaml", "invalid YAML"),)).banner()
    style = _inline_style(banner)
    for defined in (variables, {}):  # with the site's stylesheet, and on a page without it (its fallbacks)
        text, bg = colour(style["color"], defined), colour(style["background"], defined)
        assert contrast(text, bg) >= 4.5, f"{scheme}: unreadable-files banner {text} on {bg}: {contrast(text, bg):.2f}:1"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("flag", ["critical", "overdue"])
def test_a_board_cards_flag_is_a_chip_readable_at_4_5_to_1(scheme: str, flag: str) -> None:
    variables = palette(scheme)
    modifier = re.search(rf"\.card-flag\.{flag}\s*[,{{]", COMPONENTS)
    chip = {**rule(".card-flag"), **(rule(f".card-flag.{flag}") if modifier else {})}
    assert "border" in chip and "border-radius" in chip  # drawn as the other chips are
    text, bg = colour(chip["color"], variables), colour(chip["background"], variables)
    assert contrast(text, bg) >= 4.5, f"{scheme}: .card-flag.{flag} {text} on {bg}: {contrast(text, bg):.2f}:1"


def test_only_the_feeds_are_atom() -> None:
    out, is_feed = Path("/site"), serve_module.is_feed
    assert is_feed(out / "feed.xml", out) and is_feed(out / "feeds/alpha.xml", out)
    assert not is_feed(out / "d/feed.xml", out) and not is_feed(out / "feeds/a/b.xml", out)
    assert not is_feed(out / "feeds/alpha.html", out) and not is_feed(Path("/elsewhere/feed.xml"), out)


def test_serve_sends_the_feeds_as_atom(tmp_path: Path) -> None:
    ws = make_site_workspace(tmp_path)
    server = SiteServer(ws, BuildOptions(tmp_path / "out", jobs=1), port=0, today=TODAY, log=lambda line: None)
    server.start()
    try:
        for path, kind in (("feed.xml", "application/atom+xml"), ("feeds/alpha.xml", "application/atom+xml"),
                           ("static/style.css", "text/css")):
            with urllib.request.urlopen(server.url + path, timeout=5) as response:
                assert response.headers["Content-Type"] == kind, path
    finally:
        server.stop()


# In headless Chromium: print and a phone's width.

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contrast27")
    out = root / "out"
    build(make_site_workspace(root), out)
    return out



def _emulate(browser: Any, width: int, media: str) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media, "features": []})


HIDDEN = """
const width = document.documentElement.clientWidth;
const clipped = [...document.querySelectorAll('main *')].filter(e => e.scrollWidth > e.clientWidth + 2
  && ['auto', 'scroll', 'hidden'].includes(getComputedStyle(e).overflowX)).map(e => e.tagName + '.' + (e.className.baseVal ?? e.className));
const outside = [...document.querySelectorAll('.board .column, svg.wm-chart, main table')]
  .filter(e => e.getBoundingClientRect().right > width + 1).map(e => e.tagName + '.' + (e.className.baseVal ?? e.className));
return {clipped, outside, columns: document.querySelectorAll('.board .column').length};
"""


@needs_browser
@pytest.mark.parametrize("page", ["projects/alpha.html", "index.html", "time.html"])
def test_print_keeps_every_board_column_the_whole_chart_and_wide_tables(browser: Any, site: Path, page: str) -> None:
    _emulate(browser, 720, "print")  # an A4 page's printable width
    try:
        browser.get((site / page).as_uri())
        found = browser.execute_script(HIDDEN)
    finally:
        _emulate(browser, 1280, "")
    assert page != "projects/alpha.html" or found["columns"] >= 4
    assert found["clipped"] == [] and found["outside"] == [], found


@needs_browser
@pytest.mark.parametrize("width", [375, 320])
def test_at_a_phones_width_a_focused_board_card_is_fully_visible(browser: Any, site: Path, width: int) -> None:
    from selenium.webdriver.common.by import By

    _emulate(browser, width, "")
    try:
        browser.get((site / "projects/alpha.html").as_uri())
        links = browser.find_elements(By.CSS_SELECTOR, ".board .card a")
        assert len(links) >= 3
        for link in links:
            browser.execute_script("arguments[0].focus()", link)
            left, right, visible = browser.execute_script(
                "const r = document.activeElement.getBoundingClientRect(), b = document.querySelector('.board').getBoundingClientRect();"
                "return [r.left - 5, r.right + 5, Math.min(b.right, document.documentElement.clientWidth)];")  # 5: the ring
            assert left >= 0 and right <= visible, f"{link.text}: {left}–{right}, visible up to {visible}"
    finally:
        _emulate(browser, 1280, "")


@needs_browser
def test_a_page_printed_from_the_dark_scheme_keeps_the_light_colours(browser: Any, site: Path) -> None:
    """Paper is white and browsers drop backgrounds when printing: the dark scheme's light text would be all but
    invisible, so the dark palette applies on screens only."""
    colours = "return [getComputedStyle(document.body).color, getComputedStyle(document.documentElement).getPropertyValue('--fg').trim()];"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print", "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        browser.get((site / "index.html").as_uri())
        printed = browser.execute_script(colours)
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen", "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        browser.get((site / "index.html").as_uri())
        screen = browser.execute_script(colours)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
    assert printed == ["rgb(29, 35, 48)", "#1d2330"]  # the light scheme's --fg
    assert screen[1] == "#e6e9ef"  # the dark one on a screen


@needs_browser
def test_heading_anchors_show_on_a_touch_screen_which_has_no_hover(browser: Any, site: Path) -> None:
    """Shown on hover or focus elsewhere, a heading's `#` would never show where nothing hovers. Headless Chromium has
    no pointer (`hover: none`), as a phone has none: there they are shown whole."""
    browser.get((site / "projects/alpha.html").as_uri())
    if not browser.execute_script("return matchMedia('(hover: none)').matches"):
        pytest.skip("this browser has a pointer that hovers")
    opacity = browser.execute_script(  # a body heading as the Markdown renderers write it (the test workspace's bodies have none)
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<h2 id=\"t\">T <a class=\"header-anchor\" href=\"#t\">#</a></h2>');"
        "return getComputedStyle(document.querySelector('.header-anchor')).opacity;"
    )
    assert opacity == "1"
