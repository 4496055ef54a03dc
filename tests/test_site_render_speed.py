"""The render stage's fast paths write what the templates and filters they replaced wrote, byte for byte.

Each oracle is the replaced code, kept here: the `history` and `tags` macros
as they were (a loop in the template), `Markup % value` in the `link`,
`links` and `chip` filters, `Context.get`, and Jinja2's own `getattr`.
"""

from __future__ import annotations

from typing import Any

import jinja2
import jinja2.sandbox
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from workspace_tool.site.markdown import relative_url
from workspace_tool.site.render import RenderSettings, _chip, _Environment, _link, _links, _lookup, make_env, shipped_templates

OLD_MACROS = """
{% macro tags(items) -%}
{%- for t in items %}<span class="tag">#{{ t }}</span> {% endfor -%}
{%- endmacro %}

{% macro history(versions) %}
{% if versions %}
<section class="history"><h2>History</h2>
<ol class="versions">
{% for v in versions %}
<li class="version">
<div class="version-head"><time>{{ v.date }}</time> · <span class="author">{{ v.author }}</span> · <span class="message">{{ v.message }}</span> <code>{{ v.commit }}</code></div>
{% if v.changes %}<ul class="changes">{% for c in v.changes %}<li><code>{{ c.field }}</code>: {% if c.old %}<del>{{ c.old }}</del> → {% endif %}<ins>{{ c.new }}</ins></li>{% endfor %}</ul>{% endif %}
{% if v.diff %}<details><summary>Diff</summary><pre class="diff">{{ v.diff }}</pre></details>{% endif %}
</li>
{% endfor %}
</ol></section>
{% endif %}
{% endmacro %}
"""


def _env() -> jinja2.Environment:
    site = {"internal": True, "site_name": "Acme", "nav": [{"url": "index.html", "label": "Home", "section": "home"}], "nav_projects": [], "today": "2026-11-26"}
    return make_env(RenderSettings(dirs=(str(shipped_templates()),), globals=site))


def _old_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader({"old.html": OLD_MACROS}), autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )


ENV = _env()
NEW = ENV.from_string('{% import "_macros.html" as m %}{{ rows|history_section }}|{{ m.history(rows) }}|{{ m.tags(tags) }}|{{ tags|tag_list }}')
OLD = _old_env().from_string('{% import "old.html" as m %}{{ m.history(rows) }}|{{ m.history(rows) }}|{{ m.tags(tags) }}|{{ m.tags(tags) }}')

text = st.text(alphabet=st.sampled_from(list("ab <>&\"'\x00\n→·é")), max_size=12)
value = st.one_of(text, text, st.integers(-5, 5), text.map(Markup), st.none())
change = st.fixed_dictionaries({"field": value, "old": value, "new": value})
row = st.fixed_dictionaries({
    "commit": value, "author": value, "date": value, "message": value, "changes": st.lists(change, max_size=3), "diff": value,
})


@settings(max_examples=200, deadline=None)
@given(st.lists(row, max_size=5), st.lists(value, max_size=4))
def test_history_and_tags_are_the_old_macros(rows: list[dict[str, Any]], tags: list[Any]) -> None:
    assert NEW.render(rows=rows, tags=tags) == OLD.render(rows=rows, tags=tags)


def test_history_of_a_typical_row() -> None:
    rows = [
        {"commit": "abc1234567", "author": "Ann <a@x>", "date": "2026-11-02", "message": "Fix & ship", "changes": [], "diff": ""},
        {
            "commit": "uncommitted", "author": "Bob", "date": "2026-11-01", "message": "working copy (not committed)",
            "changes": [{"field": "status", "old": "", "new": "todo"}, {"field": "title", "old": "A", "new": "\"B\""}],
            "diff": "--- a/x.md\n+++ b/x.md\n@@ -1 +1 @@\n-<a>\n+<b>",
        },
    ]
    html = NEW.render(rows=rows, tags=[])
    assert html == OLD.render(rows=rows, tags=[])
    assert "<ins>&#34;B&#34;</ins>" in html and "<pre class=\"diff\">--- a/x.md\n+++ b/x.md\n@@ -1 +1 @@\n-&lt;a&gt;\n+&lt;b&gt;</pre>" in html
    assert NEW.render(rows=[], tags=[]) == "|||"


def old_link(ctx: Any, ref: dict[str, Any] | None) -> Markup:
    if ref is None:
        return Markup("")
    href = ENV.filters["u"](ctx, ref["url"]) if ref.get("url") else ""
    if href:
        return Markup('<a href="%s">%s</a>') % (href, ref["title"])
    if ref.get("visible"):
        return Markup('<span class="ref">%s</span>') % ref["title"]
    return Markup('<span class="bare-id">%s</span>') % ref["id"]


def old_chip(status: dict[str, Any] | None) -> Markup:
    if not status or not status.get("name"):
        return Markup("")
    done = " chip-done" if status.get("done") else ""
    return Markup('<span class="chip chip-%s%s">%s</span>') % (status["name"], done, status["name"])


ref = st.fixed_dictionaries({"id": value, "title": value, "url": st.sampled_from([None, "", "d/x.html", "projects/p.html#a&b", "d/<q>.html"]), "visible": st.booleans()})
page = st.sampled_from(["index.html", "/y.html", "d/y.html", "projects/p/board.html"])


url_map = st.one_of(st.none(), st.just({"d/x.html": "x/", "projects/p.html": "p/index.html", "index.html": "./"}))


@settings(max_examples=300, deadline=None)
@given(st.lists(ref, max_size=3), page, url_map, st.one_of(st.none(), st.fixed_dictionaries({"name": value, "done": st.booleans()})))
def test_link_links_and_chip_are_the_old_filters(
    refs: list[dict[str, Any]], page_path: str, urls: dict[str, str] | None, status: dict[str, Any] | None
) -> None:
    ctx = ENV.from_string("").new_context({"page_path": page_path, "url_map": urls})
    for r in [None, *refs]:
        assert _link(ctx, r) == old_link(ctx, r)
        assert type(_link(ctx, r)) is Markup
    assert _links(ctx, refs) == Markup(", ").join(old_link(ctx, r) for r in refs)
    assert _chip(status) == old_chip(status)


OLD_TASK_TABLE = """
{% macro task_table(rows, show_project=false) %}
{% if rows %}
<div class="table-wrap"><table class="tasks">
<thead><tr><th scope="col">Task</th>{% if show_project %}<th scope="col">Project</th>{% endif %}<th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">Priority</th><th scope="col">Due</th><th scope="col">Estimate</th>{% if internal %}<th scope="col">Logged</th>{% endif %}</tr></thead>
<tbody>
{% for t in rows %}
<tr class="{% if t.overdue %}overdue{% endif %}{% if t.critical %} critical{% endif %}">
<td>{% if t.milestone %}<span title="milestone" aria-label="milestone">◆</span> {% endif %}{{ t.ref|link }}{% if t.blocked_by %} <span class="blocked">blocked by {{ t.blocked_by|links }}</span>{% endif %}</td>
{% if show_project %}<td>{{ t.project|link }}</td>{% endif %}
<td>{{ t.status|chip }}</td>
<td>{{ t.assignee|link }}</td>
<td>{{ t.priority }}</td>
<td class="date">{{ t.due }}{% if t.overdue %} <span class="late">overdue</span>{% endif %}</td>
<td>{{ t.estimate }}</td>
{% if internal %}<td>{{ t.logged }}</td>{% endif %}
</tr>
{% endfor %}
</tbody></table></div>
{% else %}<p class="empty">None.</p>
{% endif %}
{% endmacro %}
"""
"""The task table as the macro was before its rows became the filter `task_rows`."""

_OLD_TABLE_ENV = _Environment(loader=jinja2.DictLoader({"old.html": OLD_TASK_TABLE}), autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_OLD_TABLE_ENV.filters.update(ENV.filters)
_OLD_TABLE_ENV.globals.update(ENV.globals)
OLD_TABLE = _OLD_TABLE_ENV.from_string('{% import "old.html" as m with context %}{{ m.task_table(rows, show_project) }}')
NEW_TABLE = ENV.from_string('{% import "_macros.html" as m with context %}{{ m.task_table(rows, show_project) }}')
status = st.one_of(st.none(), st.fixed_dictionaries({"name": value, "done": st.booleans()}))
task = st.fixed_dictionaries({
    "ref": ref, "status": status, "assignee": st.one_of(st.none(), ref), "project": st.one_of(st.none(), ref), "priority": value,
    "due": value, "overdue": st.booleans(), "estimate": value, "logged": value, "milestone": st.booleans(),
    "blocked_by": st.lists(ref, max_size=2), "critical": st.booleans(),
})


@settings(max_examples=200, deadline=None)
@given(st.lists(task, max_size=4), st.booleans(), st.booleans(), page)
def test_task_tables_are_the_old_macro(rows: list[dict[str, Any]], show_project: bool, internal: bool, page_path: str) -> None:
    given = {"rows": rows, "show_project": show_project, "internal": internal, "page_path": page_path}
    assert NEW_TABLE.render(**given) == OLD_TABLE.render(**given)


def test_links_kept_per_folder_tell_escaped_from_markup_titles() -> None:
    for page_path in ("d/a.html", "d/b.html", "dx", "x.html", "/x.html", "projects/p.html"):
        ctx = ENV.from_string("").new_context({"page_path": page_path})
        for title in ("a<b", Markup("a<b"), "a<b", 1, True):
            r = {"id": "x", "title": title, "url": "d/x.html", "visible": True}
            assert _link(ctx, r) == old_link(ctx, r)


def test_lookup_is_context_get() -> None:
    template = ENV.from_string("{% set local = 1 %}{{ probe() }}")
    seen = []

    @jinja2.pass_context
    def probe(ctx: jinja2.runtime.Context) -> str:
        for name in ("local", "page_path", "internal", "absent", "url_map"):
            seen.append((name, _lookup(ctx, name, "default"), ctx.get(name, "default")))
        return ""

    template.render(probe=probe, page_path="d/a.html", url_map=None)
    assert seen and all(mine == jinjas for _, mine, jinjas in seen)
    assert [v for _, v, _ in seen] == [1, "d/a.html", True, "default", None]


class Row(dict[str, Any]):
    title = "an attribute"


class Thing:
    title = "a thing"


def test_attribute_lookup_is_jinjas() -> None:
    env = _Environment(undefined=jinja2.StrictUndefined)
    plain = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    for obj in ({"title": "T", "items": "an item"}, {}, Row(title="key"), Thing(), ["a"], None):
        for name in ("title", "items", "keys", "get", "missing", "__class__"):
            mine, jinjas = env.getattr(obj, name), plain.getattr(obj, name)
            if isinstance(jinjas, jinja2.Undefined):
                assert type(mine) is type(jinjas) and mine._undefined_name == name and mine._undefined_obj is obj
            else:
                assert mine == jinjas
    row = {"title": "T", "items": "an item"}
    assert env.getattr(row, "title") == "T" and env.getattr(row, "items") == row.items  # the method, as in Jinja2
    assert env.getattr(Row(title="key"), "title") == "an attribute"


def old_templates() -> dict[str, str]:
    """The shipped templates as they were: document.html importing the macros and calling `tags` and `history`, the macros as loops."""
    folder = shipped_templates()
    found = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.html")}
    document = found["document.html"]
    entries = (
        '<table><thead><tr><th scope="col">Date</th><th scope="col">Person</th><th scope="col">For</th><th scope="col">Hours</th>'
        '<th scope="col">Note</th></tr></thead><tbody>\n'
        '{% for e in entries %}<tr><td class="date">{{ e.date }}</td><td>{{ e.person|link }}</td><td>{{ e.ref|link }}</td><td>{{ e.hours }}</td>'
        "<td>{{ e.note }} {{ m.tags(e.tags) }}</td></tr>{% endfor %}\n</tbody></table>"
    )
    imports = '{% import "_macros.html" as m with context %}\n'
    replaced = (
        ("{{ tags|tag_list }}", "{{ m.tags(tags) }}"),
        ("<table>{{ entries|entry_rows }}</table>", entries),
        ("{{ history|history_section }}", "{{ m.history(history) }}"),
        (document[document.index("{# The macros are imported only") :].split("\n", 1)[0] + "\n", imports),
    )
    for new, old in replaced:
        assert new in document
        document = document.replace(new, old)
    macros = found["_macros.html"]
    old_tags, old_history = OLD_MACROS.strip().split("\n\n")
    macros = macros.replace("{% macro tags(items) -%}{{ items|tag_list }}{%- endmacro %}", old_tags)
    macros = macros[: macros.index("{# The History section")] + old_history + "\n"
    return {**found, "document.html": document, "_macros.html": macros}


def _old_document_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader(old_templates()), autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )
    env.filters.update(ENV.filters)
    env.filters.update({"link": jinja2.pass_context(old_link), "links": jinja2.pass_context(lambda ctx, refs: Markup(", ").join(old_link(ctx, r) for r in refs))})
    env.filters["chip"] = old_chip
    env.globals.update(ENV.globals)
    return env


OLD_DOCUMENT = _old_document_env().get_template("document.html")
NEW_DOCUMENT = ENV.get_template("document.html")
person = st.fixed_dictionaries({"id": st.just("ann"), "title": st.sampled_from(["Ann", "A & B"]), "url": st.just("d/ann.html"), "visible": st.just(True)})
entry = st.fixed_dictionaries({"date": value, "person": person, "ref": ref, "hours": value, "note": value, "tags": st.lists(value, max_size=3)})
field = st.one_of(st.fixed_dictionaries({"name": text, "text": value}), st.fixed_dictionaries({"name": text, "refs": st.lists(ref, max_size=2)}))


@settings(max_examples=150, deadline=None)
@given(st.lists(value, max_size=3), st.lists(field, max_size=3), st.lists(entry, max_size=3), st.lists(row, max_size=3), st.booleans())
def test_document_pages_are_the_old_templates(tags: list[Any], fields: list[Any], entries: list[Any], rows: list[Any], private: bool) -> None:
    context = {
        "page_path": "d/x.html", "title": "X <y>", "section": "documents", "body_html": Markup("<p>body</p>"),
        "doc": {"type_label": "Task", "id": "x", "private": private, "path": "projects/p/tasks/x.md"},
        "status": {"name": "todo"}, "tags": tags, "fields": fields, "logged": "", "schedule": None,
        "entries": entries, "backlinks": [{"ref": {"id": "y", "title": "Y", "url": "d/y.html", "visible": True}, "field": "depends_on"}], "history": rows,
    }
    assert NEW_DOCUMENT.render(**context) == OLD_DOCUMENT.render(**context)


def test_document_page_tags_and_history_markup() -> None:
    context = {
        "page_path": "d/x.html", "title": "X", "section": "documents", "body_html": Markup(""),
        "doc": {"type_label": "Task", "id": "x", "private": False, "path": "x.md"}, "status": {}, "tags": ["ux", "a&b"],
        "fields": [], "logged": "", "schedule": None, "backlinks": [],
        "entries": [{"date": "2026-11-02", "person": {"id": "ann", "title": "Ann", "url": "d/ann.html", "visible": True}, "ref": None, "hours": "2h", "note": "n", "tags": ["t"]}],
        "history": [{"commit": "c", "author": "Ann", "date": "2026-11-01", "message": "m", "changes": [{"field": "status", "old": "", "new": "todo"}], "diff": "-a\n+<b>"}],
    }
    html = NEW_DOCUMENT.render(**context)
    assert '<p><span class="tag">#ux</span> <span class="tag">#a&amp;b</span> </p>' in html
    assert '<tr><td class="date">2026-11-02</td><td><a href="ann.html">Ann</a></td><td></td><td>2h</td><td>n <span class="tag">#t</span> </td></tr>' in html
    assert (
        '<ol class="versions">\n<li class="version">\n<div class="version-head"><time>2026-11-01</time> · <span class="author">Ann</span> · '
        '<span class="message">m</span> <code>c</code></div>\n<ul class="changes"><li><code>status</code>: <ins>todo</ins></li></ul>'
        '<details><summary>Diff</summary><pre class="diff">-a\n+&lt;b&gt;</pre></details></li>\n</ol></section>\n\n<p class="source">'
    ) in html
    assert html == OLD_DOCUMENT.render(**context)


def old_relative_url(target: str, page: str) -> str:
    base = page.rsplit("/", 1)[0].split("/") if "/" in page else []
    parts = target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    link = "../" * (len(base) - common) + "/".join(parts[common:])
    return link or "./"


site_path = st.lists(st.sampled_from(["d", "projects", "p", "", "x.html", "index.html"]), max_size=4).map("/".join)


@settings(max_examples=500, deadline=None)
@given(site_path, site_path)
def test_relative_url_kept_per_folder_is_the_old_one(target: str, page: str) -> None:
    assert relative_url(target, page) == old_relative_url(target, page)
    assert relative_url("d/x.html", "/y.html") == old_relative_url("d/x.html", "/y.html") == "../d/x.html"
