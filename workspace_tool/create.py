"""`wm new`: a document from a template, in the folder its type belongs in, named by a slug.

No sequential counter: the ID is the slug of the title, and only when that
is taken a short random suffix is added, so two branches creating documents
never pick the same next number. Templates are Jinja2 files: the built-in
ones in `workspace_tool/templates/TYPE.md`, overridden by a workspace's own
`templates/TYPE.md`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from workspace_tool import fields as F
from workspace_tool.edit import DuplicateKeyError, Source, checked_write, render_value, set_keys
from workspace_tool.edit_ops import Change
from workspace_tool.edit_values import coerce, require_doc
from workspace_tool.errors import Diagnostic, UsageError, WorkspaceError
from workspace_tool.index import Index
from workspace_tool.model import DOC_TYPES
from workspace_tool.parse import parse_document

MAX_SLUG = 60
RESERVED_NAMES = frozenset(
    {"project", "index", "workspace", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
FOLDERS = {"person": "people", "client": "clients", "goal": "goals", "decision": "decisions", "risk": "risks", "note": "notes", "task": "tasks"}
PROJECT_SCOPED = ("task", "decision", "risk", "note")
OWNER_FIELD = {"task": "assignee", "project": "owner", "risk": "owner", "goal": "owner"}


_LATIN = str.maketrans({
    "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ẞ": "SS", "đ": "d", "Đ": "D",
    "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ł": "l", "Ł": "L", "ı": "i", "ħ": "h", "Ħ": "H",
})
"""Latin letters that decomposing into ASCII would drop (Søren → soren, not sren)."""


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by `-`, at most 60 characters, cut at a word."""
    text = unicodedata.normalize("NFKD", title.translate(_LATIN)).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


def check_slug(slug: str, title: str) -> str:
    if not slug:
        raise UsageError(f"the title {title!r} has no letters or digits a file name can hold (a-z, 0-9); pass --id NAME, e.g. --id tokyo-launch")
    if slug in RESERVED_NAMES:
        raise UsageError(f"{slug!r} is a reserved file name; pass --id NAME or change the title")
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", slug):
        raise UsageError(f"bad ID {slug!r}: use lowercase letters, digits, '-', '_' and '.'")
    return slug


@dataclass(frozen=True)
class NewDocument:
    """What `wm new` was asked for, before any checking."""

    doc_type: str
    title: str
    project: str | None = None
    owner: str | None = None
    estimate: str | None = None
    due: str | None = None
    depends_on: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    doc_id: str | None = None
    author: str = "unknown"


def relpath_for(doc_type: str, slug: str, project: str | None) -> str:
    if doc_type == "project":
        return f"projects/{slug}/project.md"
    folder = FOLDERS[doc_type]
    if project and doc_type in PROJECT_SCOPED:
        return f"projects/{project}/{folder}/{slug}.md"
    return f"{folder}/{slug}.md"


def _doc_id(doc_type: str, relpath: str, slug: str) -> str:
    return relpath.removesuffix(".md") if doc_type == "note" else slug


def unique_path(
    index: Index, doc_type: str, slug: str, project: str | None, reserved: frozenset[str] = frozenset(), seed: str | None = None,
) -> tuple[str, str]:
    """(relpath, id) for a new document; a taken slug gets a random 4-hex suffix, never a counter.

    `reserved` holds IDs already planned by the same command. With a `seed` (an import's tracker ID), the first
    suffix tried is the seed's hash, so a `--dry-run` names the files the real run will.
    """
    candidate = slug
    suffixes = iter([hashlib.blake2b(seed.encode(), digest_size=2).hexdigest()] if seed else [])
    for _ in range(20):
        relpath = relpath_for(doc_type, candidate, project)
        doc_id = _doc_id(doc_type, relpath, candidate)
        taken = doc_id in index.docs or doc_id in reserved or relpath in index.by_path or (index.root / relpath).exists()
        if doc_type == "project":
            taken = taken or (index.root / "projects" / candidate).exists()
        if not taken:
            return relpath, doc_id
        candidate = f"{slug}-{next(suffixes, None) or secrets.token_hex(2)}"
    raise WorkspaceError(f"could not find a free name for {slug!r}; pass --id NAME")


def field_values(index: Index, request: NewDocument) -> dict[str, Any]:
    """Every given field, checked (unknown people, bad dates and durations fail here, before writing)."""
    specs = F.specs_for(request.doc_type)
    named: list[tuple[str, str | None]] = [
        (OWNER_FIELD.get(request.doc_type, "assignee"), request.owner),
        ("estimate", request.estimate),
        ("due", request.due),
        ("depends_on", request.depends_on),
    ]
    values: dict[str, Any] = {}
    for key, text in named:
        if text is None:
            continue
        if key not in specs:
            raise UsageError(f"a {request.doc_type} has no {key.replace('_', '-')} field")
        values[key] = coerce(index, request.doc_type, key, text)
    for key, text in request.fields:
        if key in ("title", "project"):
            raise UsageError(f"give the {key} as {'the TITLE argument' if key == 'title' else '--project'}, not --field")
        values[key] = coerce(index, request.doc_type, key, text)
    return {k: v for k, v in values.items() if v is not None}


def _loader(root: Path) -> jinja2.BaseLoader:
    builtin = resources.files("workspace_tool") / "templates"
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(root / "templates")), jinja2.FileSystemLoader(str(builtin))])


def person_name(person: Any) -> str:
    """How a time log's heading names its person: `name:`, else the title (which may be the ID)."""
    return str(getattr(person, "name", None) or person.title)


def month_name(day: dt.date) -> str:
    """The month of `day` in words, for templates (`November 2026`), whatever the locale."""
    return f"{MONTHS[day.month - 1]} {day.year}"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def render_template(root: Path, doc_type: str, context: dict[str, Any]) -> str:
    """The template of `doc_type` rendered with `context`; an unset value (`{{ project }}` without a project) is
    empty, and a name the template uses that is no variable (`{{ titel }}`) is an error naming the template.

    The template's source is read on every call, and compiled once per root, file and source (`_compiled`): an
    import renders thousands of documents from one template, and a changed template is compiled again."""
    env = _environment(str(root))
    name = f"{doc_type}.md"
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        template, names = _compiled(str(root), name, filename, source)
        _check_names(names, filename, context, env)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise WorkspaceError(f"{exc.filename or 'templates/' + doc_type + '.md'}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise WorkspaceError(f"templates/{doc_type}.md: template error: {exc}") from None


@functools.lru_cache(maxsize=16)
def _environment(root: str) -> jinja2.sandbox.ImmutableSandboxedEnvironment:
    """The Jinja environment of a workspace's templates (its own `templates/`, then the built-in ones). Its cache is
    off (`cache_size=0`): a template another includes is read again on each use, as before; `_compiled` keeps the
    templates rendered.

    Sandboxed (`ImmutableSandboxedEnvironment`): a template committed to a shared workspace is data, not code, so
    `{{ cycler.__init__.__globals__ }}` and the like are refused (a `SecurityError`, reported as a template error)."""
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=_loader(Path(root)), keep_trailing_newline=True, undefined=jinja2.ChainableUndefined, autoescape=False,
        finalize=lambda value: "" if value is None else value, cache_size=0,
    )
    env.filters["yaml"] = render_value
    return env


@functools.lru_cache(maxsize=64)
def _compiled(root: str, name: str, filename: str | None, source: str) -> tuple[jinja2.Template, frozenset[str]]:
    """A template compiled, and the names it uses that are no variable Jinja sets itself; cached by the source
    itself, so an edited template is compiled again (a syntax error is not cached: it is raised every time)."""
    env = _environment(root)
    template = env.template_class.from_code(env, env.compile(source, name, filename), env.make_globals(None), None)
    from jinja2 import meta

    return template, frozenset(meta.find_undeclared_variables(env.parse(source, name, filename)) - set(env.globals))


def _check_names(names: frozenset[str], filename: str | None, context: dict[str, Any], env: jinja2.Environment) -> None:
    """A name the template uses that is no variable of `context`: an error naming the template and the closest variable."""
    if filename is None:
        return
    problem = _unknown_name(names, context, env)
    if problem:
        raise WorkspaceError(f"templates/{Path(filename).name}: {problem}")


def _unknown_name(names: frozenset[str], context: dict[str, Any], env: jinja2.Environment, hint: str = "") -> str | None:
    """"{{ titel }} is no variable wm sets (did you mean title?); the variables are ..." for the first name used that
    is no variable of `context`, then `hint` (its `{name}` filled in); None when every name is one."""
    unknown = sorted(names - set(context) - set(env.globals))
    if not unknown:
        return None
    import difflib

    name = unknown[0]
    close = difflib.get_close_matches(name, list(context), n=1)
    meant = f" (did you mean {close[0]}?)" if close else ""
    return f"{{{{ {name} }}}} is no variable wm sets{meant}; the variables are {', '.join(sorted(context))}{hint.format(name=name)}"


TEMPLATE_VARIABLES = ("title", "id", "type", "date", "month", "month_name", "author", "project", "fields", "status")
"""The variables `wm new` gives a document template (`build`)."""


def template_problem(root: Path, doc_type: str) -> tuple[int, str] | None:
    """What is wrong with the workspace's template of `doc_type` (`templates/TYPE.md`), as (line, message): a syntax
    error, or a name that is no variable `wm new` sets; None when it renders (or the workspace has none)."""
    path = root / "templates" / f"{doc_type}.md"
    if not path.is_file():
        return None
    try:
        source = path.read_bytes().decode("utf-8-sig")
        _, names = _compiled(str(root), f"{doc_type}.md", str(path), source)
    except (OSError, UnicodeDecodeError) as exc:
        return 1, f"cannot read the template: {exc}"
    except jinja2.TemplateSyntaxError as exc:
        return exc.lineno or 1, f"template error: {exc.message}"
    problem = _unknown_name(names, dict.fromkeys(TEMPLATE_VARIABLES), _environment(str(root)))
    if problem is None:
        return None
    name = problem.split("}}", 1)[0].strip("{ ")
    line = next((n for n, text in enumerate(source.splitlines(), start=1) if name in text), 1)
    return line, problem


def render_text(root: Path, source: str, context: dict[str, Any], where: str, hint: str = "") -> str:
    """A piece of text (a process step's title or description) rendered by the rules of `render_template`: the same
    environment, `yaml` filter and unset values, and a name that is no variable of `context` refused, naming `where`
    (`templates/processes/x.md:5`) and the variables, then `hint` (`{name}`: the unknown name)."""
    env = _environment(str(root))
    try:
        template, names = _compiled(str(root), "<text>", None, source)
        problem = _unknown_name(names, context, env, hint)
        if problem:
            raise WorkspaceError(f"{where}: {problem}")
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise WorkspaceError(f"{where}: template error: {exc.message} (a literal {{{{ is written {{{{ '{{{{' }}}}, or inside {{% raw %}}...{{% endraw %}})") from None
    except jinja2.TemplateError as exc:
        raise WorkspaceError(f"{where}: template error: {exc}") from None


def text_variables(root: Path, source: str) -> frozenset[str]:
    """The variables a text that `render_text` rendered uses (`{{ hire }}`: hire)."""
    return _compiled(str(root), "<text>", None, source)[1]


def build(index: Index, request: NewDocument, person: str | None = None) -> tuple[str, str, str]:
    """(relpath, id, text) of the new document, checked; nothing is written."""
    if request.doc_type not in DOC_TYPES:
        raise UsageError(f"unknown type {request.doc_type!r} (use {', '.join(DOC_TYPES)})")
    project = None
    if request.project:
        if request.doc_type not in PROJECT_SCOPED:
            raise UsageError(f"a {request.doc_type} does not belong to a project (--project is for {', '.join(PROJECT_SCOPED)})")
        project = require_doc(index, request.project, ("project",)).id
    values = field_values(index, request)
    today = index.today
    title = request.title
    if request.doc_type == "timelog":
        who = request.doc_id or person or request.title
        owner = require_doc(index, who, ("person",))
        values["person"], title = owner.id, person_name(owner)  # "# Frank Ibarra: November 2026"
        relpath = f"timelogs/{values['person']}/{today:%Y-%m}.md"
        if (index.root / relpath).exists():
            raise WorkspaceError(f"{relpath} already exists; wm log appends entries to it")
        doc_id = relpath.removesuffix(".md")
    else:
        _refuse_twin(index, request)
        slug = check_slug(request.doc_id or slugify(request.title), request.title)
        relpath, doc_id = unique_path(index, request.doc_type, slug, project)
        if request.doc_id and doc_id != _doc_id(request.doc_type, relpath_for(request.doc_type, slug, project), slug):
            raise UsageError(f"the ID {request.doc_id!r} is taken; choose another --id")
    workflow = index.settings.workflow(request.doc_type)
    context = {
        "title": title, "id": doc_id, "type": request.doc_type, "date": today.isoformat(), "month": f"{today:%Y-%m}", "month_name": month_name(today),
        "author": request.author, "project": project, "fields": values,
        "status": workflow.default if workflow else None,
    }
    try:
        text = set_keys(render_template(index.root, request.doc_type, context), values, relpath)
    except DuplicateKeyError as exc:
        raise WorkspaceError(f"the template made an invalid document: {exc.key} is written more than once (lines {', '.join(map(str, exc.lines))}); fix the template") from None
    _check(index, relpath, text)
    return relpath, doc_id, text


ONE_OF_A_KIND = ("project", "person", "client", "goal")
"""Types a second document of the same name is almost always a slip for (two "Alice Moreau"s split her time)."""


def _refuse_twin(index: Index, request: NewDocument) -> None:
    """A project, person, client or goal named as one the workspace has: refused, naming it, unless an --id is given."""
    if request.doc_type not in ONE_OF_A_KIND or request.doc_id:
        return
    wanted = " ".join(request.title.split()).casefold()
    for doc in index.docs.values():
        if doc.type == request.doc_type and wanted in {" ".join(str(n).split()).casefold() for n in (doc.title, getattr(doc, "name", None)) if n}:
            raise UsageError(f"a {doc.type} named {request.title!r} exists already: {doc.id} ({doc.path}); pass --id NAME to make another")


def _check(index: Index, relpath: str, text: str) -> None:
    """The new text parses without errors, and its status is one of its workflow's (as `wm validate` checks)."""
    parsed = parse_document(text, relpath, index.settings)
    errors: Sequence[Diagnostic] = [d for d in parsed.diagnostics if d.is_error]
    if parsed.document is None or errors:
        raise WorkspaceError(f"the template made an invalid document: {(errors or parsed.diagnostics)[0]}")
    doc = parsed.document
    workflow = index.settings.workflow(doc.type)
    status = getattr(doc, "status", None)
    if workflow is not None and status is not None and status not in workflow.statuses:
        raise WorkspaceError(
            f"the template made an invalid document: {relpath}:{doc.line_of('status')}: unknown status {status!r} for a {doc.type} "
            f"(use {', '.join(workflow.statuses)}); fix templates/{doc.type}.md"
        )


def create(index: Index, request: NewDocument, person: str | None = None) -> Change:
    """Build and write the new document (refusing if the file appeared meanwhile)."""
    relpath, doc_id, text = build(index, request, person)
    checked_write(Source(index.root / relpath, relpath, None, ""), text)
    return Change(relpath, f"{request.doc_type} {doc_id}: created", created=True)

