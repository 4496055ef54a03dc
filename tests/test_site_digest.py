"""A page's digest: the hash of what its HTML depends on, which decides whether an incremental build renders it again."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from workspace_tool.site.markdown import LinkMap, WikiTarget
from workspace_tool.site.pages import BodySource, Page

ROOT = Path(__file__).resolve().parent.parent


def _context() -> dict[str, object]:
    owner = {"id": "alice", "url": "d/alice.html", "text": "Alice"}
    return {
        "owner": owner,
        "reviewer": owner,  # the same object twice
        "due": dt.date(2026, 12, 1),
        "budget": Decimal("1200.50"),
        "rows": [{"field": "status", "old": "todo", "new": "done"}],
        "hours": 7.5,
    }


def _page(context: dict[str, object]) -> Page:  # type: ignore[type-arg]
    body = BodySource("# T\n\nSee [[alice]].\n", "projects/a/tasks/t.md", LinkMap({"alice": WikiTarget("Alice", "d/alice.html")}))
    return Page("d/t.html", "document.html", "T", context, body)  # type: ignore[arg-type]


def test_equal_values_give_equal_digests_whatever_objects_they_share() -> None:
    shared = _context()
    separate = _context()
    separate["reviewer"] = copy.deepcopy(separate["owner"])  # equal, not the same object
    separate["rows"] = [{"field": "".join(["sta", "tus"]), "old": "todo", "new": "done"}]  # an equal string made anew
    assert _page(shared).digest("salt") == _page(separate).digest("salt")


def test_any_change_of_value_salt_or_body_changes_the_digest() -> None:
    base = _page(_context()).digest("salt")
    changed = _context()
    changed["rows"] = [{"field": "status", "old": "todo", "new": "review"}]
    assert _page(changed).digest("salt") != base
    assert _page(_context()).digest("other salt") != base
    later = _context()
    later["due"] = dt.date(2026, 12, 2)
    assert _page(later).digest("salt") != base
    page = _page(_context())
    other_body = Page(page.path, page.template, page.title, page.context, BodySource("# T\n\nSee [[bob]].\n", page.body.doc_path, page.body.links))  # type: ignore[union-attr]
    assert other_body.digest("salt") != base


def test_a_value_pickle_refuses_still_gets_a_stable_digest() -> None:
    import threading

    context = _context()
    context["lock"] = lock = threading.Lock()  # pickle refuses it; the JSON fallback writes its text
    first = _page(context).digest("salt")
    assert first == _page({**_context(), "lock": lock}).digest("salt")
    assert first != _page(_context()).digest("salt")


def test_the_digest_is_the_same_in_another_process() -> None:
    """Each build is a fresh process with its own string hashing: the digest must not depend on it."""
    script = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from test_site_digest import _context, _page\n"
        "print(_page(_context()).digest('salt'))\n"
    )
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT, env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert digests == {_page(_context()).digest("salt")}
