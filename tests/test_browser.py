"""The built site in headless Chromium: dashboard, search, board, history, no console errors.

Skipped only when chromium or chromedriver is missing (CI installs them).
No screenshots are written.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import needs_browser
from test_site_build import _git, build, make_site_workspace, start_git

webdriver = pytest.importorskip("selenium.webdriver")
pytestmark = needs_browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    ws = make_site_workspace(root)
    start_git(ws, "Start the alpha project")
    design = ws / "projects/alpha/tasks/design.md"
    design.write_text(design.read_text().replace("status: in-progress", "status: review"))
    _git(ws, "commit", "-q", "-am", "Design ready for review", date="2026-11-18T15:00:00")
    design.write_text(design.read_text().replace("status: review", "status: in-progress"))
    _git(ws, "commit", "-q", "-am", "Back to work on the design", date="2026-11-24T11:00:00")
    out = root / "out"
    build(ws, out)
    return out



def open_page(browser: Any, out: Path, page: str) -> None:
    browser.get((out / page).as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], f"console errors on {page}: {errors}"


def test_dashboard_renders(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "index.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Acme Test"
    projects = browser.find_element(By.CSS_SELECTOR, "table.projects-table").text
    assert "Alpha portal" in projects and "Zanzibar" not in browser.page_source


def test_search_finds_a_task_by_a_word_of_its_title_and_opens_it_by_keyboard(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, site, "search.html")
    box = browser.find_element(By.ID, "q")
    box.send_keys("flamingo")
    results = browser.find_elements(By.CSS_SELECTOR, "#results li a")
    assert [r.text for r in results] == ["Design the flamingo login page"]
    assert browser.find_element(By.ID, "search-status").text == "1 result"
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert browser.current_url.endswith("/d/design.html")


def test_search_finds_a_tag_as_the_pages_show_it(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "search.html").as_uri() + "?q=%23ux")
    assert "Design the flamingo login page" in [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#results li a")]


def test_search_from_the_query_string(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get((site / "search.html").as_uri() + "?q=sqlite")
    assert "Use SQLite instead" in [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#results li a")]


def test_board_column_shows_the_right_cards(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "projects/alpha.html")
    todo = browser.find_element(By.CSS_SELECTOR, '.board section[data-status="todo"]')
    cards = {c.text for c in todo.find_elements(By.CSS_SELECTOR, ".card-title")}
    assert "Build the login page" in cards and "Design the flamingo login page" not in cards
    doing = browser.find_element(By.CSS_SELECTOR, '.board section[data-status="in-progress"]')
    assert [c.text for c in doing.find_elements(By.CSS_SELECTOR, ".card-title")] == ["Design the flamingo login page"]


def test_task_page_shows_its_history(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, "d/design.html")
    versions = browser.find_elements(By.CSS_SELECTOR, ".versions .version")
    messages = [v.find_element(By.CSS_SELECTOR, ".message").text for v in versions]
    assert messages[:3] == ["Back to work on the design", "Design ready for review", "Start the alpha project"]
    assert "status: review → in-progress" in versions[0].text
    details = versions[0].find_element(By.TAG_NAME, "details")
    assert details.get_attribute("open") is None
    details.find_element(By.TAG_NAME, "summary").click()
    assert "+status: in-progress" in details.find_element(By.CSS_SELECTOR, "pre.diff").text


@pytest.fixture(scope="module")
def sites_with_ties(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The test workspace and six notes of one title (equal scores), built with the index in one file and in four shards."""
    from workspace_tool.site import search

    root = tmp_path_factory.mktemp("shards")
    ws = make_site_workspace(root)
    for name in ("heron-f", "heron-b", "heron-e", "heron-a", "heron-d", "heron-c"):
        (ws / "notes" / f"{name}.md").write_text(f"---\ntitle: Heron sightings\n---\nA heron at {name}.\n", encoding="utf-8")
    one, sharded = root / "one", root / "sharded"
    build(ws, one)
    with pytest.MonkeyPatch.context() as patch:  # split the small site as a large one is
        patch.setattr(search, "SHARD_FROM", 1)
        patch.setattr(search, "SHARDS", 4)
        build(ws, sharded)
    assert not list(one.glob("search-index-*.js")) and len(list(sharded.glob("search-index-*.js"))) == 4
    return one, sharded


def results_for(browser: Any, out: Path, query: str) -> list[str]:
    """The results of a search from the query string, once the index (all its shards) is loaded; no console errors."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((out / "search.html").as_uri() + "?q=" + query)
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "search-status").text.endswith(("result", "results")))
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], f"console errors: {errors}"
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#results li")]


def test_sharded_search_finds_a_task_by_a_word_of_its_title_and_opens_it_by_keyboard(browser: Any, sites_with_ties: tuple[Path, Path]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    _, sharded = sites_with_ties
    open_page(browser, sharded, "search.html")
    box = browser.find_element(By.ID, "q")
    box.send_keys("flamingo")
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "search-status").text == "1 result")
    assert [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#results li a")] == ["Design the flamingo login page"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert browser.current_url.endswith("/d/design.html")


def test_sharded_search_gives_the_same_results_in_the_same_order(browser: Any, sites_with_ties: tuple[Path, Path]) -> None:
    """Ties (same score, same title) in ID order, as the one-file index lists the documents: the split changes nothing."""
    one, sharded = sites_with_ties
    for query in ("heron", "login", "a", "alpha page"):
        assert results_for(browser, sharded, query) == results_for(browser, one, query), query
    herons = results_for(browser, sharded, "heron")
    assert [r.split(" · ")[1] for r in herons] == [f"notes/heron-{c}" for c in "abcdef"]


@pytest.fixture(scope="module")
def material_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The MkDocs plugin's pages in a Material site, one built in Material's light scheme and one in its dark (slate)."""
    import subprocess
    import sys

    from test_site_mkdocs import _registered

    pytest.importorskip("material", reason="mkdocs-material is not installed (it is in the test extra)")
    if not _registered():
        pytest.skip("the `workspace` MkDocs entry point is not installed")
    root = tmp_path_factory.mktemp("material")
    make_site_workspace(root)
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# Home\n")
    sites = {}
    for scheme in ("default", "slate"):
        config = root / f"mkdocs-{scheme}.yml"
        config.write_text(
            f"site_name: Material\ndocs_dir: docs\nsite_dir: site-{scheme}\ntheme:\n  name: material\n  font: false\n  palette:\n    scheme: {scheme}\n"
            "plugins:\n  - workspace:\n      root: ws\n      today: '2026-11-26'\n"
        )
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)], cwd=root, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        sites[scheme] = root / f"site-{scheme}"
    return sites


def _rgb_sum(css_colour: str) -> int:
    return sum(int(part) for part in css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")[:3])


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_plugin_pages_lay_out_in_material(browser: Any, material_sites: dict[str, Path], scheme: str) -> None:
    """Material's typeset rules outrank the components' own: the Gantt chart keeps the content's width (a figure
    shrinks to its content there), board cards and field values are not indented, and cards follow Material's scheme."""
    browser.set_window_size(1300, 1000)
    open_page(browser, material_sites[scheme], "workspace/projects/alpha/index.html")
    found = browser.execute_script(
        """const svg = document.querySelector('figure.chart svg'), content = document.querySelector('.md-content__inner');
        const card = document.querySelector('.board .card'), column = card.closest('.column');
        return {chart: svg.getBoundingClientRect().width, content: content.getBoundingClientRect().width,
                indent: card.getBoundingClientRect().left - column.getBoundingClientRect().left,
                dd: getComputedStyle(document.querySelector('.facts dd')).marginLeft,
                card: getComputedStyle(card).backgroundColor};"""
    )
    assert found["chart"] >= 0.9 * min(found["content"], 900), found
    assert found["indent"] <= 12, found  # the column's padding and border only
    assert found["dd"] == "0px", found
    assert (_rgb_sum(found["card"]) < 200) if scheme == "slate" else (_rgb_sum(found["card"]) > 600), found


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import SAMPLE

    root = tmp_path_factory.mktemp("sample")
    ws = root / "ws"
    shutil.copytree(SAMPLE, ws, ignore=shutil.ignore_patterns(".wm"))
    build(ws, root / "out")
    return root / "out"


def test_no_page_scrolls_sideways_on_a_phone(browser: Any, sample_site: Path) -> None:
    """At a phone's width wide content scrolls in its own box (tables, the board, charts), never the whole page; a
    chart keeps a readable width rather than shrinking its text. Every overview and project page, and one page per
    kind of document, of the sample workspace."""
    browser.set_window_size(390, 900)
    pages = [p.relative_to(sample_site).as_posix() for p in sorted(sample_site.glob("*.html")) + sorted(sample_site.glob("projects/*.html"))]
    kinds: dict[str, str] = {}
    for page in sorted(sample_site.glob("d/**/*.html")):
        kind = page.read_text(encoding="utf-8").split('<body class="section-', 1)[1].split('"', 1)[0]
        kinds.setdefault(kind, page.relative_to(sample_site).as_posix())
    assert len(kinds) >= 6 and len(pages) > 10
    wide = []
    for page in pages + sorted(kinds.values()):
        open_page(browser, sample_site, page)
        page_width, view_width = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if page_width > view_width:
            wide.append((page, page_width, view_width))
    assert wide == []
    open_page(browser, sample_site, "projects/fjordline-portal.html")
    assert browser.execute_script("return document.querySelector('figure.chart svg').getBoundingClientRect().width") >= 760  # text at 12px


def test_dates_in_tables_are_never_broken_at_a_hyphen(browser: Any, sample_site: Path) -> None:
    """At a laptop's width the sample dashboard's project and task tables, a project's task table and the decision
    log are crowded; each date cell (2026-12-11, 2026-W48) still stays on one line."""
    browser.set_window_size(1000, 900)
    checked = 0
    for page in ("index.html", "projects/fjordline-portal.html", "decisions.html", "time.html"):
        open_page(browser, sample_site, page)
        broken = browser.execute_script(
            "return Array.from(document.querySelectorAll('td.date')).filter(td => td.textContent.trim())"
            ".map(td => { const r = document.createRange(); r.selectNodeContents(td.firstChild);"
            " return [td.textContent.trim(), r.getClientRects().length]; })"
        )
        checked += len(broken)
        assert [text for text, lines in broken if lines > 1] == [], page
    assert checked > 20
