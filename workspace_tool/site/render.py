"""The render stage: Jinja2 templates (package defaults, overridable per workspace file by file) to HTML.

Every template renders in Jinja2's immutable sandbox: a workspace's
`site_templates/` is committed by anyone who can push, and the build runs
in CI with its secrets, so a template may read the values it is given and
call the site's filters, never reach Python (`cycler.__init__.__globals__`)
or change the data it is shown.

Runs in worker processes (see `make`): `init_worker` builds the
environment once per process; `render_page` turns a page model into HTML,
`write_if_changed` writes it when its bytes changed, and `links_in` lists
its links for the link check.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.resources
import os
import posixpath
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

import workspace_tool
from workspace_tool.filemode import new_file_mode
from workspace_tool.site.markdown import relative_url, render_body, shift_headings
from workspace_tool.site.pages import Page

_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""")
_SRC = re.compile(r"""src\s*=\s*["']([^"']*)["']""")  # two patterns with a literal start: found twice as fast as one alternation


def template_dirs(workspace_root: Path | None) -> list[Path]:
    """Where templates come from, first match wins: `<workspace>/site_templates`, then the shipped ones."""
    dirs = []
    if workspace_root is not None and (workspace_root / "site_templates").is_dir():
        dirs.append(workspace_root / "site_templates")
    dirs.append(shipped_templates())
    return dirs


def shipped_templates() -> Path:
    """The repository's `site_templates/` (editable installs), else the copy packaged as `workspace_tool/site_templates`."""
    beside = Path(workspace_tool.__file__).resolve().parent.parent / "site_templates"
    if (beside / "base.html").is_file():
        return beside
    packaged = importlib.resources.files("workspace_tool") / "site_templates"
    return Path(str(packaged))


def templates_digest(dirs: list[Path]) -> str:
    """A hash of every template and static file (a changed template re-renders every page)."""
    digest = hashlib.sha256()
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class RenderSettings:
    """What every worker needs: template folders, site-wide values, and whether raw HTML is allowed."""

    dirs: tuple[str, ...]
    globals: dict[str, Any]
    allow_html: bool = False
    layout: str = "base.html"
    hidden: tuple[str, ...] = ()  # titles of hidden documents, redacted from diffs
    out: str = ""  # the output folder pages are written to


def _lookup(ctx: jinja2.runtime.Context, name: str, default: Any = None) -> Any:
    """`ctx.get(name, default)` (the page's variables, then the render's), without raising a `KeyError` for a name not there."""
    if name in ctx.vars:
        return ctx.vars[name]
    return ctx.parent.get(name, default)


@jinja2.pass_context
def _url(ctx: jinja2.runtime.Context, target: str | None) -> str:
    """A site path as a link relative to the page being rendered."""
    if not target:
        return ""
    url_map = _lookup(ctx, "url_map")
    if url_map:  # MkDocs pages: only the mapped pages exist, at their MkDocs URLs
        path, hash_, fragment = target.partition("#")
        mapped = url_map.get(path)
        if mapped is None:
            return ""
        link = relative_url(mapped, _lookup(ctx, "page_path", "index.html"))
        return link + ("/" if mapped.endswith("/") and not link.endswith("/") else "") + hash_ + fragment
    return relative_url(target, _lookup(ctx, "page_path", "index.html"))


_LINKS: dict[tuple[str, str, str], Markup] = {}
"""Links by (site path, title, folder of the page): the same people and tasks are linked from thousands of pages."""


@jinja2.pass_context
def _link(ctx: jinja2.runtime.Context, ref: dict[str, Any] | None) -> Markup:
    """A reference as a link to its page, else its title (visible, no page here), else its bare ID.

    A filter rather than a macro: pages hold hundreds of references and a
    macro call costs ten times more. (The pieces are joined as plain
    strings: `Markup("...%s...") % value` escapes the same, three times slower.)
    """
    if ref is None:
        return Markup("")
    url = ref.get("url")
    if url:
        if not _lookup(ctx, "url_map") and type(url) is str and type(ref["title"]) is str:  # the link depends on these alone
            page = _lookup(ctx, "page_path", "index.html")
            key = (url, ref["title"], page[: page.rfind("/") + 1])
            found = _LINKS.get(key)
            if found is None:
                if len(_LINKS) >= 100_000:
                    _LINKS.clear()
                found = _LINKS[key] = Markup("".join(('<a href="', escape(relative_url(url, page)), '">', escape(key[1]), "</a>")))
            return found
        href = _url(ctx, url)
        if href:
            return Markup("".join(('<a href="', escape(href), '">', escape(ref["title"]), "</a>")))
    if ref.get("visible"):
        return Markup("".join(('<span class="ref">', escape(ref["title"]), "</span>")))
    return Markup("".join(('<span class="bare-id">', escape(ref["id"]), "</span>")))


@jinja2.pass_context
def _links(ctx: jinja2.runtime.Context, refs: list[dict[str, Any]]) -> Markup:
    return Markup(", ".join([_link(ctx, r) for r in refs]))


def _shared(memo: dict[tuple[str, str, str], Markup]) -> Callable[..., Markup]:
    """The `shared(name)` template function of one environment (`memo` lives as long as it does)."""

    @jinja2.pass_context
    def shared(ctx: jinja2.runtime.Context, name: str) -> Markup:
        """Template `name` rendered once per folder and section, then reused: navigation shared by thousands of pages.

        Its links are relative to the page's folder, so it may use only the
        site-wide values, `section` and `|u`.
        """
        page_path = _lookup(ctx, "page_path", "index.html")
        section = _lookup(ctx, "section", "")
        if _lookup(ctx, "url_map"):  # MkDocs pages: every page has its own URL
            return Markup(ctx.environment.get_template(name).render(page_path=page_path, section=section))
        key = (name, posixpath.dirname(page_path), section)
        found = memo.get(key)
        if found is None:
            found = memo[key] = Markup(ctx.environment.get_template(name).render(page_path=page_path, section=section))
        return found

    return shared


def _chip(status: dict[str, Any] | None) -> Markup:
    if not status or not status.get("name"):
        return Markup("")
    name = escape(status["name"])
    return Markup("".join(('<span class="chip chip-', name, " chip-done" if status.get("done") else "", '">', name, "</span>")))


def _tag_list(tags: list[Any]) -> Markup:
    """`#tag` labels, each followed by a space (`_macros.html` `tags`; a filter where rows have tags, as time entries do)."""
    out: list[str] = []
    for tag in tags:
        out += ('<span class="tag">#', escape(tag), "</span> ")
    return Markup("".join(out))


@jinja2.pass_context
def _entry_rows(ctx: jinja2.runtime.Context, entries: list[dict[str, Any]]) -> Markup:
    """The table of time entries (`document.html`): date, person, what for, hours, note and tags; a column the rows
    leave out (`pages_doc._entries`: the page's own person or task) is left out of the table."""
    first = entries[0] if entries else {}
    out = ['<thead><tr><th scope="col">Date</th>']
    if "person" in first:
        out.append('<th scope="col">Person</th>')
    if "ref" in first:
        out.append('<th scope="col">For</th>')
    out.append('<th scope="col">Hours</th><th scope="col">Note</th></tr></thead><tbody>\n')
    for e in entries:
        out += ('<tr><td class="date">', escape(e["date"]), "</td>")
        if "person" in e:
            out += ("<td>", _link(ctx, e["person"]), "</td>")
        if "ref" in e:
            out += ("<td>", _link(ctx, e["ref"]), "</td>")
        out += ("<td>", escape(e["hours"]), "</td><td>", escape(e["note"]), " ", _tag_list(e["tags"]), "</td></tr>")
    out.append("</tbody>")
    return Markup("".join(out))


@jinja2.pass_context
def _task_rows(ctx: jinja2.runtime.Context, rows: list[dict[str, Any]], show_project: bool = False) -> Markup:
    """The `<tr>` of each task row (`_macros.html` `task_table`): the task with its milestone mark and blockers, its
    project (with `show_project`), status, assignee, priority, due date, estimate and (internal sites) logged time.

    A filter rather than a loop in the macro: the attention page and a large
    project's page hold thousands of rows, of a dozen look-ups and escapes
    each. Every value is escaped as `{{ value }}` would; the markup is the macro's.
    """
    internal = _lookup(ctx, "internal")
    out: list[str] = []
    for t in rows:
        overdue = t["overdue"]
        out += ('<tr class="', "overdue" if overdue else "", " critical" if t["critical"] else "", '">\n<td>')
        if t["milestone"]:
            out.append('<span title="milestone" aria-label="milestone">◆</span> ')
        out.append(_link(ctx, t["ref"]))
        if t["blocked_by"]:
            out += (' <span class="blocked">blocked by ', _links(ctx, t["blocked_by"]), "</span>")
        out.append("</td>\n")
        if show_project:
            out += ("<td>", _link(ctx, t["project"]), "</td>")
        out += ("<td>", _chip(t["status"]), "</td>\n<td>", _link(ctx, t["assignee"]), "</td>\n<td>", escape(t["priority"]), '</td>\n<td class="date">', escape(t["due"]))
        if overdue:
            out.append(' <span class="late">overdue</span>')
        out += ("</td>\n<td>", escape(t["estimate"]), "</td>\n")
        if internal:
            out += ("<td>", escape(t["logged"]), "</td>")
        out.append("</tr>\n")
    return Markup("".join(out))


_SEPARATOR = "\x00"  # not changed by escaping


def _escaped(values: list[Any]) -> list[str]:
    """`markupsafe.escape` of each value as the templates' `{{ value }}` would give it: strings escaped in one call."""
    if {*map(type, values)} <= {str}:
        parts = str.split(escape(_SEPARATOR.join(values)), _SEPARATOR)
        if len(parts) == len(values):  # else a value holds the separator
            return parts
    return [str(escape(value)) for value in values]


def _history_section(versions: list[dict[str, Any]]) -> Markup:
    """A page's History section (the `history` macro of `_macros.html`): nothing without versions.

    A filter, so that a document page, which shows it, needs no import of
    the macros (an import *with context* makes them again at every render).
    """
    if not versions:
        return Markup("")
    return Markup("".join(('<section class="history"><h2>History</h2>\n<ol class="versions">\n', _version_items(versions), "</ol></section>\n")))


def _version_items(versions: list[dict[str, Any]]) -> Markup:
    """The `<li>` of each version row (`_macros.html` `history`): the list of a page in one piece.

    A filter rather than a loop in the macro: a document page shows up to
    30 versions with their field changes and diffs, and the template spent
    a dozen attribute look-ups and escapes on each. Every value is escaped
    as `{{ value }}` would; the markup is the macro's.
    """
    values: list[Any] = []
    for v in versions:
        values += (v["date"], v["author"], v["message"], v["commit"])
        for c in v["changes"]:
            values += (c["field"], c["old"], c["new"]) if c["old"] else (c["field"], c["new"])
        if v["diff"]:
            values.append(v["diff"])
    escaped = iter(_escaped(values))
    out: list[str] = []
    for v in versions:
        out += (
            '<li class="version">\n<div class="version-head"><time>',
            next(escaped),
            '</time> · <span class="author">',
            next(escaped),
            '</span> · <span class="message">',
            next(escaped),
            '</span> <code>',
            next(escaped),
            "</code></div>\n",
        )
        changes = v["changes"]
        if changes:
            out.append('<ul class="changes">')
            for c in changes:
                out += ("<li><code>", next(escaped), "</code>: ")
                if c["old"]:
                    out += ("<del>", next(escaped), "</del> → ")
                out += ("<ins>", next(escaped), "</ins></li>")
            out.append("</ul>")
        if v["diff"]:
            out += ('<details><summary>Diff</summary><pre class="diff">', next(escaped), "</pre></details>")
        out.append("</li>\n")
    return Markup("".join(out))


_COMPILED: dict[tuple[str, str, str], Any] = {}
"""Templates compiled (or loaded from `bytecode_cache`) in this process: code objects by the user's cache folder they
are kept in ("" for none), Jinja2's bucket key (name and file) and the source's checksum. Every environment made later
in this process with that folder loads them from here, and so does every worker forked from it: `precompile` fills it
while a cold build waits for its history."""


class _CompiledHere(jinja2.BytecodeCache):
    """`_COMPILED` first, then the user's bytecode cache (`files`, None when there is none)."""

    def __init__(self, files: jinja2.FileSystemBytecodeCache | None) -> None:
        self.files = files
        self.folder = files.directory if files is not None else ""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = _COMPILED.get((self.folder, bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
            return
        if self.files is not None:
            self.files.load_bytecode(bucket)
            if bucket.code is not None:
                _COMPILED[(self.folder, bucket.key, bucket.checksum)] = bucket.code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is None:
            return
        _COMPILED[(self.folder, bucket.key, bucket.checksum)] = bucket.code
        if self.files is not None:
            try:
                self.files.dump_bytecode(bucket)
            except OSError:  # a full disk, a folder made read-only: the cache is only a speed-up, never a failed page
                pass


def precompile(dirs: tuple[str, ...]) -> int:
    """Compile every template of `dirs` into `_COMPILED` (and the user's bytecode cache); how many compiled.

    A cold build calls it while a forked child reads the history, when this
    process has nothing else to do: the page workers forked later, and this
    process, then load each template instead of compiling it (the shipped
    templates take about 50 ms to compile, in each process that renders). A
    template that does not compile is left to the render, which reports it
    with the page that uses it.
    """
    env = make_env(RenderSettings(dirs, {}))
    compiled = 0
    for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 - reported by the render, with its page
            continue
        compiled += 1
    return compiled


def bytecode_cache() -> jinja2.FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (compiling them is a fifth of a small rebuild), in the user's cache folder.

    Not in the workspace's `.wm/`: compiled templates are code, and a
    repository must not be able to plant code that a build then runs. The
    folder is the user's own (`$XDG_CACHE_HOME/wm`, else `~/.cache/wm`), made
    private; entries are keyed by the template's name and checked against a
    hash of its source, so an edited template is compiled again.
    `WM_NO_CACHE=1` turns it off, as it does the index cache.
    """
    from workspace_tool.cachefile import disabled

    if disabled():
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # "sandbox": code compiled for a sandboxed environment checks every call; code compiled before it did not
    folder = os.path.join(base, "wm", f"templates-sandbox-{jinja2.__version__}-{sys.implementation.cache_tag}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
            return None  # someone else's folder, or one others can write to: compile every time
    except OSError:
        return None
    return _BytecodeCache(folder)


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """A damaged entry (a truncated file: a full disk, a killed write) is compiled again, not an error on every page."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # pickle, marshal and I/O errors alike: the entry is only a cache
            bucket.reset()


_DICT_NAMES = frozenset(dir(dict))


class _Environment(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with `row.name` on a plain dict looked up as the key `name` straight away.

    Jinja2 tries the attribute first, and on a dict that raises and catches
    an `AttributeError` for every look-up (a page makes hundreds). A plain
    dict has no attribute of a name that is not in `dir(dict)`, so for
    those names the key is what Jinja2 would find too (a key is data, never
    code: the sandbox has nothing to check); other names (`items`,
    `keys`, `__class__`...) and other objects take the sandbox's way.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def number_text(value: float | int | None) -> str:
    """A number as people write it: `1`, not `1.0`; `2.5`; `150,000`; up to two decimals."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def make_env(settings: RenderSettings) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(list(settings.dirs)),
        bytecode_cache=_CompiledHere(bytecode_cache()),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["u"] = _url
    env.filters["num"] = number_text
    env.filters["link"] = _link
    env.filters["links"] = _links
    env.filters["chip"] = _chip
    env.filters["version_items"] = _version_items
    env.filters["history_section"] = _history_section
    env.filters["tag_list"] = _tag_list
    env.filters["entry_rows"] = _entry_rows
    env.filters["task_rows"] = _task_rows
    env.globals["shared"] = _shared({})
    env.globals.update(settings.globals)
    env.globals["layout"] = settings.layout
    return env


_WORKER: dict[str, Any] = {}


def init_worker(settings: RenderSettings) -> None:
    from workspace_tool.site.history_view import hidden_pattern

    _WORKER["env"] = make_env(settings)
    _WORKER["settings"] = settings
    _WORKER["hidden"] = hidden_pattern(settings.hidden)


def worker_env(settings: RenderSettings) -> jinja2.Environment:
    """This process's environment for `settings` (made by `init_worker`, or now)."""
    if _WORKER.get("settings") is not settings:
        init_worker(settings)
    env: jinja2.Environment = _WORKER["env"]
    return env


def render_page(env: jinja2.Environment, settings: RenderSettings, page: Page) -> str:
    body_html = ""
    if page.body is not None:
        body_html = shift_headings(render_body(page.body.text, page.body.doc_path, page.path, page.body.links, settings.allow_html), page.body.below)
    context = page.context
    if any("texts" in row for row in context.get("history", ())):
        from workspace_tool.site.history_view import hidden_pattern, make_diffs

        hidden = _WORKER["hidden"] if _WORKER.get("settings") is settings else hidden_pattern(settings.hidden)
        context = {**context, "history": make_diffs(context["history"], hidden)}
    template = env.get_template(page.template)
    return template.render(page_path=page.path, title=page.title, section=page.section, body_html=Markup(body_html), **context)


def links_in(html: str) -> list[str]:
    return sorted(set(_HREF.findall(html)).union(_SRC.findall(html)))


def write_if_changed(path: Path, content: bytes) -> bool:
    """Write when different; atomic (temporary file then rename). True when written.

    The temporary file has a short name of its own (`.XXXXXXXX.wm-tmp`): a
    page named near the disk's 255-byte limit still has room, and two
    writers never share one. It gets a new file's mode, not `mkstemp`'s 0600
    (a web server serving the folder must read the page). A write that fails
    (a full disk) removes it and raises an `OSError` naming `path`, with the
    fix (`_write_error`); the file there is left as it was.
    """
    name = os.fspath(path)
    try:
        if os.stat(name).st_size == len(content):
            with open(name, "rb") as handle:
                if handle.read() == content:
                    return False
    except OSError:
        pass
    try:
        _replace(name, content)
    except OSError as exc:
        raise _write_error(exc, name) from None
    return True


def _replace(name: str, content: bytes) -> None:
    """`content` written to a temporary file beside `name`, then renamed over it; on any failure the temporary
    file is removed."""
    folder = os.path.dirname(name)
    try:
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".wm-tmp", dir=folder)
    except FileNotFoundError:  # the folder is new (a fresh build): made once, not checked for every page
        os.makedirs(folder, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".wm-tmp", dir=folder)
    try:
        with open(fd, "wb") as output:
            output.write(content)
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_error(exc: OSError, name: str) -> OSError:
    """`exc` as an error naming the file `name` that could not be written (the system's own names none, or the
    temporary file's), with what to do: the CLI shows it as `wm: NAME: cannot write: ...`. Of `exc`'s class
    (`OSError` picks it by the error number), so that a caller catching one kind still does."""
    if exc.errno == errno.ENOSPC:
        reason = "cannot write: the disk is full; free some space and run the build again (the file was left as it was)"
    else:
        reason = f"cannot write: {exc.strerror or exc} (the file was left as it was)"
    return OSError(exc.errno, reason, name)


def describe_error(exc: Exception) -> str:
    """One line; for a template error, the template file and line first."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}"
    if isinstance(exc, jinja2.TemplateError):
        import traceback

        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".html")]
        where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
        return f"{where}{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc}"
