"""What a cold site build does while a forked child reads the history: it compiles the templates (so the page workers
compile none), and once the history is read a second child makes the committed events while this process makes the
plan (`render.precompile`, `history_view.make_events_beside`). Either way the site is the same."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner
from test_history_store import fresh_process, many_documents
from test_history_support import TODAY, Repo
from test_site_build import TODAY as SITE_TODAY
from test_site_build import make_site_workspace

from workspace_tool import background
from workspace_tool.cli import main
from workspace_tool.site import Audience, history_view, render, search
from workspace_tool.site import build as site_build
from workspace_tool.site.context import SiteData
from workspace_tool.site.privacy import visibility
from workspace_tool.site.sources import Sources
from workspace_tool.workspace import load_index

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is POSIX only")


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def cold_build(repo: Repo, out: Path) -> None:
    """A cold build in a fresh process's state: no `.wm/`, nothing kept in memory."""
    fresh_process()
    history_view._COMMITTED.clear()
    history_view._DERIVED.clear()
    render._COMPILED.clear()
    for path in sorted((repo.ws / ".wm").rglob("*"), reverse=True) if (repo.ws / ".wm").exists() else ():
        path.rmdir() if path.is_dir() else path.unlink()
    result = CliRunner().invoke(main, ["-C", str(repo.ws), "--today", TODAY, "site", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert background.busy() == 0


@pytest.fixture
def compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file every template compilation appends its process ID to, in forked workers too."""
    log = tmp_path / "compiled.log"
    original = jinja2.Environment.compile

    def logged(self: jinja2.Environment, *args: Any, **kwargs: Any) -> Any:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", logged)
    return log


@needs_fork
def test_a_cold_build_compiles_while_it_waits_and_a_child_makes_the_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled: Path
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # compiled templates are kept there: empty now
    monkeypatch.delenv("WM_NO_CACHE", raising=False)
    repo = Repo(tmp_path / "repo")
    many_documents(repo, count=60, rounds=2)  # over `make.PARALLEL_MIN_PAGES`: pages are made by a forked worker too
    made_here: list[int] = []
    original_rows = history_view._grouped_event_rows

    here = os.getpid()

    def counted(*args: Any) -> Any:
        made_here.append(os.getpid())  # a forked child appends to its own copy of the list
        if os.getpid() != here:
            time.sleep(1)  # a slow child: this process still waits for it rather than make the events too
        return original_rows(*args)

    monkeypatch.setattr(history_view, "_grouped_event_rows", counted)
    precompiled: list[int] = []
    original_precompile = site_build.precompile

    def precompile(dirs: tuple[str, ...]) -> int:
        precompiled.append(original_precompile(dirs))
        return precompiled[-1]

    monkeypatch.setattr(site_build, "precompile", precompile)
    early: list[str] = []
    original_search, original_price = search.encode_early, SiteData.price_early
    monkeypatch.setattr(search, "encode_early", lambda data: (early.append("search"), original_search(data)))
    monkeypatch.setattr(SiteData, "price_early", lambda self: (early.append("price"), original_price(self)))

    cold_build(repo, tmp_path / "overlapped")
    assert precompiled and precompiled[0] >= 10  # every shipped template, while the history was read
    assert early == ["search", "price"]
    pids = compiled.read_text(encoding="utf-8").split()
    assert set(pids) == {str(os.getpid())} and len(pids) == precompiled[0]  # compiled once each, all here: no worker compiled one
    assert made_here == []  # the committed events were made by the child and read from disk here
    assert (repo.ws / history_view.EVENTS_CACHE).is_file()

    monkeypatch.setattr(site_build, "precompile", lambda dirs: 0)  # as before: each process compiles what it renders
    monkeypatch.setattr(history_view, "make_events_beside", lambda data, history: False)  # this process makes the events
    monkeypatch.setattr(search, "encode_early", lambda data: None)  # and the search entries and priced prints, later
    monkeypatch.setattr(SiteData, "price_early", lambda self: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache-2"))  # none kept from the first build either
    cold_build(repo, tmp_path / "plain")
    assert made_here == [os.getpid()]
    assert files_of(tmp_path / "plain") == files_of(tmp_path / "overlapped")


def test_precompiled_templates_are_not_compiled_again_in_this_process_even_without_a_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled: Path
) -> None:
    monkeypatch.setenv("WM_NO_CACHE", "1")  # no compiled template kept on disk: only this process's
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "good.html").write_text("<p>{{ title }}</p>", encoding="utf-8")
    (folder / "broken.html").write_text("<p>{% if %}</p>", encoding="utf-8")
    (folder / "notes.txt").write_text("{% not a template", encoding="utf-8")
    render._COMPILED.clear()
    assert render.precompile((str(folder),)) == 1  # the broken one is left to the render, which reports it
    compiled.unlink()
    env = render.make_env(render.RenderSettings((str(folder),), {}))
    assert env.get_template("good.html").render(title="t") == "<p>t</p>"
    assert not compiled.exists()
    (folder / "good.html").write_text("<p>{{ title }}!</p>", encoding="utf-8")  # an edited template is compiled again
    assert render.make_env(render.RenderSettings((str(folder),), {})).get_template("good.html").render(title="t") == "<p>t!</p>"
    assert compiled.exists()
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.get_template("broken.html")


@pytest.mark.parametrize("audience", [None, "client:acme", "team:web"])
def test_the_early_search_entries_and_priced_prints_are_what_the_build_would_make_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, audience: str | None
) -> None:
    ws = make_site_workspace(tmp_path)
    index = load_index(ws, SITE_TODAY)
    vis = visibility(index, Audience.parse(audience))

    def fresh() -> SiteData:
        return SiteData(index, vis, Sources())

    early, late = fresh(), fresh()
    search.encode_early(early)
    early.price_early()
    assert set(early.early_search) == {doc.path for doc in late.docs()}
    assert all(isinstance(found, str) for found in early.early_search.values())  # (audience sites show no time logs)
    for doc in late.docs():
        assert search.encoded(early, doc) == search.encoded(late, doc)
    keys = late.priced_keys()
    assert bool(keys) == (audience is None) and all(key.startswith("p:") for key in keys)  # money only on internal sites
    prints = {key: late.fingerprint(key) for key in keys}

    def priced_again(self: SiteData, key: str) -> Any:
        raise AssertionError(f"priced again: {key}")

    monkeypatch.setattr(SiteData, "_priced_group", priced_again)
    monkeypatch.setattr(search, "search_record", lambda data, doc: pytest.fail("a search entry made again"))
    assert {key: early.fingerprint(key) for key in keys} == prints
    for doc in late.docs():
        search.encoded(early, doc)
