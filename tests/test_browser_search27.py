"""The search page and the page chrome for keyboard and screen-reader users (audit A5: H2, M6, L1, L2, L5, L8).

The browser tests run headless Chromium as tests/test_browser.py does, skipped only when chromium or chromedriver
is missing; the built HTML is checked without a browser.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import needs_browser
from test_site_build import build, make_site_workspace

PELICANS = 60  # notes titled "Pelican count NN"
MATCHES = PELICANS + 2  # "pelican" is also in two documents of the test workspace


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search27")
    ws = make_site_workspace(root)
    for n in range(PELICANS):
        (ws / "notes" / f"pelican-{n:02d}.md").write_text(f"---\ntitle: Pelican count {n:02d}\n---\nPelicans on the pier.\n", encoding="utf-8")
    out = root / "out"
    build(ws, out)
    return out



def search_page(browser: Any, site: Path, query: str = "") -> Any:
    from selenium.webdriver.common.by import By

    browser.get((site / "search.html").as_uri() + (f"?q={query}" if query else ""))
    return browser.find_element(By.ID, "q")


def state(browser: Any) -> dict[str, Any]:
    return browser.execute_script(
        """const q = document.getElementById('q'), options = [...document.querySelectorAll('#results [role=option]')];
        return {url: location.href, value: q.value, expanded: q.getAttribute('aria-expanded'),
                activedescendant: q.getAttribute('aria-activedescendant'), focus: document.activeElement.id,
                selected: options.filter(o => o.getAttribute('aria-selected') === 'true').map(o => o.id),
                unmarked: options.filter(o => !['true', 'false'].includes(o.getAttribute('aria-selected'))).length,
                titles: options.map(o => o.textContent), status: document.getElementById('search-status').textContent};"""
    )


@needs_browser
def test_the_box_is_a_combobox_over_a_listbox_of_options_that_chromium_exposes(browser: Any, site: Path) -> None:
    """H2: role=option needs a listbox parent, or Chromium drops it and no selected state reaches a screen reader."""
    box = search_page(browser, site)
    assert (box.get_attribute("role"), box.get_attribute("aria-expanded"), box.get_attribute("aria-controls")) == ("combobox", "false", "results")
    box.send_keys("flamingo login")
    assert state(browser)["expanded"] == "true"
    found = browser.execute_script(
        """const list = document.getElementById('results'), li = list.querySelector('li'), a = li.querySelector('a');
        return [list.getAttribute('role'), list.getAttribute('aria-label'), li.getAttribute('role'), a.getAttribute('role'),
                a.getAttribute('aria-selected'), a.id, a.getAttribute('href')];"""
    )
    assert found[:5] == ["listbox", "Results", "none", "option", "false"] and found[5] and found[6].endswith("d/design.html")
    browser.execute_cdp_cmd("Accessibility.enable", {})
    nodes = browser.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    by_id = {n["nodeId"]: n for n in nodes}

    def role(node: dict[str, Any]) -> str:
        return str((node.get("role") or {}).get("value", ""))

    listbox = next(n for n in nodes if role(n) == "listbox")
    assert (listbox.get("name") or {}).get("value") == "Results"
    options = [n for n in nodes if role(n) == "option" and not n.get("ignored")]
    assert [(o["name"]["value"], o["description"]["value"]) for o in options] == [("Design the flamingo login page", "task · design · in-progress · #ux")]
    properties = {p["name"]: p["value"].get("value") for p in options[0].get("properties", [])}
    assert properties.get("selected") is False
    ancestor = by_id.get(options[0].get("parentId", ""))
    while ancestor is not None and role(ancestor) in ("none", "generic", "listitem", "presentation"):
        ancestor = by_id.get(ancestor.get("parentId", ""))
    assert ancestor is not None and role(ancestor) == "listbox"  # no list item or stray text between them


@needs_browser
def test_arrow_keys_move_the_active_descendant_and_enter_opens_it(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    box = search_page(browser, site)
    box.send_keys("pelican count")
    first = state(browser)
    assert first["activedescendant"] is None and first["selected"] == [] and first["unmarked"] == 0
    box.send_keys(Keys.ARROW_DOWN)
    assert (state(browser)["activedescendant"], state(browser)["selected"]) == ("result-0", ["result-0"])
    box.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    now = state(browser)
    assert (now["activedescendant"], now["selected"], now["focus"]) == ("result-2", ["result-2"], "q")  # focus stays in the box
    box.send_keys(Keys.ARROW_UP)
    now = state(browser)
    assert (now["activedescendant"], now["selected"]) == ("result-1", ["result-1"])
    assert now["titles"][1] == "Pelican count 01"
    assert browser.execute_script("return document.querySelector('#results li.active a').id") == "result-1"  # the visible highlight
    box.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("/d/notes/pelican-01.html")


@needs_browser
def test_results_are_still_links_for_tab_and_the_mouse(browser: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = search_page(browser, site, "pelican+count")
    box.send_keys(Keys.TAB)
    assert state(browser)["focus"] == "result-0"
    browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)  # the hint's ↓ also works on a result reached by Tab
    assert (state(browser)["focus"], state(browser)["selected"]) == ("result-1", ["result-1"])
    browser.switch_to.active_element.send_keys(Keys.ARROW_UP, Keys.ARROW_UP)
    assert state(browser)["focus"] == "q"
    browser.switch_to.active_element.send_keys(Keys.TAB, Keys.TAB, Keys.ENTER)
    assert browser.current_url.endswith("/d/notes/pelican-01.html")
    search_page(browser, site, "flamingo")
    browser.find_element(By.ID, "result-0").click()
    assert browser.current_url.endswith("/d/design.html")


@needs_browser
def test_back_after_a_search_typed_on_the_page_returns_to_its_results(browser: Any, site: Path) -> None:
    """M6: the query goes into the URL as it is typed, so Back shows the same results again."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    box = search_page(browser, site)
    box.send_keys("flamingo login")
    assert state(browser)["url"].endswith("/search.html?q=flamingo%20login")
    history = browser.execute_script("return history.length")
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    assert browser.current_url.endswith("/d/design.html")
    browser.back()
    WebDriverWait(browser, 10).until(lambda b: state(b)["status"] == "1 result")
    back = state(browser)
    assert (back["value"], back["titles"]) == ("flamingo login", ["Design the flamingo login page"])
    assert browser.execute_script("return history.length") == history + 1  # typing made no history entries
    box = browser.switch_to.active_element
    for _ in "flamingo login":
        box.send_keys(Keys.BACKSPACE)
    assert state(browser)["url"].endswith("/search.html") and state(browser)["expanded"] == "false"


@needs_browser
def test_more_than_fifty_results_say_so_and_show_all_is_a_keyboard_button(browser: Any, site: Path) -> None:
    """L5: the count names how many are listed, and a button (the next Tab stop after the last result) lists the rest."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    search_page(browser, site, "pelican")
    first = state(browser)
    assert first["status"] == f"Showing 50 of {MATCHES} results" and len(first["titles"]) == 50
    button = browser.find_element(By.ID, "show-all")
    assert button.is_displayed() and button.text == f"Show all {MATCHES} results" and button.tag_name == "button"
    browser.find_element(By.ID, "result-49").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "show-all"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    every = state(browser)
    assert every["status"] == f"{MATCHES} results" and len(every["titles"]) == MATCHES
    assert not button.is_displayed() and every["focus"] == "result-50"  # on to the first result it added
    assert every["url"].endswith("?q=pelican&all=1")
    browser.refresh()
    assert len(state(browser)["titles"]) == MATCHES
    search_page(browser, site, "flamingo")
    assert not browser.find_element(By.ID, "show-all").is_displayed()


@needs_browser
def test_no_console_error_for_a_favicon_over_http(browser: Any, site: Path) -> None:
    """L1: without an icon link Chromium asks the server for /favicon.ico, and its 404 is a console error."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get_log("browser")
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        browser.execute_script("return document.title")
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/search.html")
        errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert errors == []


def test_built_pages_name_the_icon_the_feed_type_and_each_search_landmark(site: Path) -> None:
    """L1, L2, L8 in the built HTML: an empty icon (no favicon request), the footer's feed link typed as Atom, and the
    header's and the search page's role=search landmarks told apart by their labels."""
    for page in ("index.html", "projects/alpha.html", "d/design.html", "search.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert '<link rel="icon" href="data:,">' in html, page
        footer = html[html.index("<footer>") :]
        assert re.search(r'<a href="[./]*feed\.xml" type="application/atom\+xml">Atom feed</a>', footer), page
    search = (site / "search.html").read_text(encoding="utf-8")
    landmarks = re.findall(r'<form [^>]*role="search"[^>]*>', search)
    labels = [re.search(r'aria-label="([^"]+)"', form) for form in landmarks]
    assert len(landmarks) == 2 and all(labels)
    assert len({label.group(1) for label in labels if label}) == 2
