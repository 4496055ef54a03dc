"""Page models: what each page of the site shows, as plain data.

`collect_pages(data)` returns every page of the site. A page's context
holds plain data (and pre-drawn SVG strings), and its body, if any, is
Markdown source with the links it may resolve; the render stage turns
both into HTML. The page collectors live in `pages_overview`,
`pages_project` and `pages_doc`; the shared row builders are here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import pickle
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, NamedTuple, TypeVar

from workspace_tool import blocking
from workspace_tool.model import Document, Task
from workspace_tool.site.context import SiteData, fmt_hours
from workspace_tool.site.contexts import AnyContext, Progress, TaskRow
from workspace_tool.site.deps import BODY
from workspace_tool.site.markdown import LinkMap, WikiTarget, relative_targets, resolve_relative

ContextT = TypeVar("ContextT", bound=AnyContext, covariant=True)
"""A page's context type (`contexts`): `Page[ProjectContext]` is a project page."""


@dataclass(frozen=True)
class BodySource:
    """A document body to render: Markdown, the document's path, its resolved links, and how many levels its headings
    go down (`below`: 1 on a project page, where the body sits under the page's own "About" `<h2>`)."""

    text: str
    doc_path: str
    links: LinkMap
    below: int = 0


@dataclass(frozen=True)
class Page(Generic[ContextT]):
    """One output page: its site path, template, title, context (a plain dict) and optional body."""

    path: str
    template: str
    title: str
    context: ContextT = field(default_factory=dict)  # type: ignore[assignment]  # {} fits only `SearchContext`
    body: BodySource | None = None
    attachments: tuple[str, ...] = ()
    section: str = ""

    def digest(self, salt: str = "") -> str:
        """A hash of everything the page's HTML depends on (with `salt`: templates and site-wide values).

        The values are pickled without a memo (`Pickler.fast`): the bytes then
        depend on the values alone, never on which objects a model happens to
        share (a memo writes a second reference to one object, but two equal
        objects twice). That is half the time of JSON, which every page made
        paid; a value pickle cannot take falls back to JSON.
        """
        parts = (self.template, self.title, self.context, self.body, self.attachments)
        buffer = io.BytesIO()
        try:
            pickler = pickle.Pickler(buffer, protocol=5)
            pickler.fast = True
            pickler.dump(parts)
            payload = b"p" + buffer.getvalue()
        except Exception:  # noqa: BLE001 - anything pickle refuses (or a Python without fast mode): JSON, as before
            payload = b"j" + json.dumps(parts, default=_plain, ensure_ascii=False, check_circular=False).encode("utf-8")
        return hashlib.sha256(salt.encode("utf-8") + payload).hexdigest()


def _plain(value: Any) -> Any:
    """JSON for what a context may hold besides plain data: dataclasses (body, links) and dates."""
    if hasattr(value, "__dataclass_fields__"):
        return [type(value).__name__, value.__dict__]
    return str(value)


class PageSpec(NamedTuple):
    """A page of the site before its model is made: its path, and how to make it (reading through `SiteData`).

    A named tuple: a build at 10,000 documents lists 10,000 specs, even when it makes one page.
    """

    path: str
    make: Callable[[], Page[AnyContext]]


def page_specs(data: SiteData) -> list[PageSpec]:
    """Every page of the site for the visible documents, in a fixed order (charts are numbered by it)."""
    from workspace_tool.site import pages_doc, pages_overview, pages_project

    return [*pages_overview.specs(data), *pages_project.specs(data), *pages_doc.specs(data)]


def collect_pages(data: SiteData) -> list[Page[AnyContext]]:
    """Every page of the site for the visible documents."""
    return [spec.make() for spec in page_specs(data)]


# -- shared builders -------------------------------------------------------


def body_source(data: SiteData, doc: Document) -> tuple[BodySource | None, tuple[str, ...]]:
    """A document's body with its `[[id]]` and relative links resolved, and the attachments it links to."""
    data.read(f"{BODY}{doc.id}")
    if not doc.body.strip():
        return None, ()
    wiki: dict[str, WikiTarget] = {}
    for link in doc.links:
        from workspace_tool.site.markdown import split_wiki

        target = split_wiki(link.target)[0]
        found = data.visible(target)
        wiki[target] = WikiTarget(found.title, data.page_of(found)) if found is not None else _unresolved(data, target)
    paths: dict[str, str] = {}
    attachments: list[str] = []
    seen: set[str] = set()
    for target in dict.fromkeys(relative_targets(doc.body)):  # each target looked at once (a file may link one 100,000 times)
        resolved = resolve_relative(doc.path, target)
        if resolved is None or resolved in seen:
            continue
        seen.add(resolved)
        linked = data.doc_at(resolved)
        if linked is not None:
            page = data.page_of(linked)
            if linked.id in data.vis.ids and data.index.docs.get(linked.id) is linked and page is not None:
                paths[resolved] = page
        elif not resolved.endswith(".md") and data.attachment_ok(resolved):
            paths[resolved] = f"files/{resolved}"
            attachments.append(resolved)
    text = without_title(doc.body, doc.title)
    if not text.strip():
        return None, tuple(sorted(attachments))
    return BodySource(text, doc.path, LinkMap(wiki, paths)), tuple(sorted(attachments))


def _unresolved(data: SiteData, target: str) -> WikiTarget:
    """A `[[target]]` that names no visible document: the bare ID, or, for a stem two or more notes on this site
    share (`Index.ambiguous`), the links to them. With fewer than two shown it stays the bare ID, as a hidden
    document's does: a list of one would tell that a hidden note has the stem too."""
    shown = _candidates(data, target)[0]
    for doc_id, _ in shown:
        data.read(f"d:{doc_id}")  # `d:{target}` is read already: a note that comes or goes with the stem emits it
    return WikiTarget(target, None, tuple(shown)) if len(shown) >= 2 else WikiTarget(target)


def _candidates(data: SiteData, target: str) -> tuple[list[tuple[str, str]], int]:
    """The notes sharing the stem `target` that have a page on this site, as (ID, page), and how many others do."""
    from workspace_tool.model import TimeLog

    shown: list[tuple[str, str]] = []
    owners = data.index.ambiguous(target)
    for doc_id in owners:
        doc = data.index.docs.get(doc_id)
        if doc is None or doc.id not in data.vis.ids or (isinstance(doc, TimeLog) and not data.vis.audience.internal):
            continue  # hidden, or without a page (`pages_doc.specs`)
        page = data.page_of(doc)
        if page is not None:
            shown.append((doc_id, page))
    return shown, len(owners) - len(shown)


def ambiguous_links(data: SiteData) -> list[str]:
    """The link check's warnings for `[[stem]]` links that several notes share, one per link on a page that shows the
    linking body, naming the page, the file and line, and the notes the site shows (others only counted)."""
    from workspace_tool.model import Person, TimeLog

    warnings: list[str] = []
    for doc in data.index.docs.values():
        if not doc.links or doc.id not in data.vis.ids or isinstance(doc, TimeLog):
            continue
        page = data.page_of(doc)
        if page is None or (isinstance(doc, Person) and not data.vis.audience.internal):
            continue  # no page, or no body on it (`pages_doc.doc_page_model`)
        for link in doc.links:
            if data.index.resolve(link.target) is not None:
                continue
            shown, others = _candidates(data, link.target)
            if not shown and not others:
                continue
            if shown:
                hidden = f" and {others} not on this site" if others else ""
                which = f": {', '.join(i for i, _ in shown)}{hidden}; link the one meant by its ID, e.g. [[{shown[0][0]}]]"
            else:
                which = ", none of them on this site; link the one meant by its ID"
            where = f"{page}: ambiguous link [[{link.target}]] ({doc.path}:{link.line})"
            warnings.append(f"{where}: {len(shown) + others} notes have that name{which}")
    return sorted(set(warnings))  # one per line and target


_TITLE_LINE = re.compile(r"^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")


def without_title(body: str, title: str) -> str:
    """The body without a leading `# Title` that only repeats the page's title (the page has it as its one `<h1>`)."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    match = _TITLE_LINE.match(first)
    if match is None or match.group(1).strip() != title.strip():
        return body
    return rest.lstrip("\n")


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _reader(data: SiteData) -> blocking.Reader:
    """The blocking rule's look-ups through `data`, so a page records the dependencies and ancestors it read."""
    return blocking.Reader(data.doc, data.is_done, data.index)


def blocked(data: SiteData, task: Task) -> list[str]:
    """The IDs of what an unfinished task waits for (`blocking.blockers`, read through `data`): unfinished
    dependencies, ones whose file could not be read, and the nearest blocked ancestor."""
    if data.is_done(task):
        return []
    return [d.id for d in blocking.blockers(task, _reader(data))]


def is_blocked(data: SiteData, task: Task) -> bool:
    """`blocking.is_blocked`, read through `data`."""
    return blocking.is_blocked(task, _reader(data))


def is_held_up(data: SiteData, task: Task) -> bool:
    """`blocking.is_held_up`, read through `data`."""
    return blocking.is_held_up(task, _reader(data))


def task_row(data: SiteData, task: Task) -> TaskRow:
    """A task as a table row or board card."""
    done = data.is_done(task)
    scheduled = data.scheduled(task.id)
    return {
        "ref": data.ref(task.id),
        "status": data.status(task),
        "assignee": data.ref(task.assignee) if task.assignee else None,
        "project": data.ref(task.project) if task.project else None,
        "priority": task.priority,
        "due": iso(task.due),
        "overdue": bool(task.due and task.due < data.today and not done),
        "estimate": fmt_hours(task.estimate.hours) if task.estimate else "",
        "logged": fmt_hours(data.logged(task.id)) if data.vis.audience.internal and data.logged(task.id) else "",
        "tags": list(task.tags),
        "milestone": task.milestone,
        "blocked_by": [data.ref(d) for d in blocked(data, task)],
        "end": iso(scheduled.end) if scheduled is not None and not done else "",
        "critical": bool(scheduled is not None and scheduled.critical and not done),
    }


def sort_tasks(tasks: list[Task]) -> list[Task]:
    from workspace_tool.model import PRIORITY_RANK

    return sorted(tasks, key=lambda t: (t.due or dt.date.max, PRIORITY_RANK.get(t.priority, 9), t.id))


def progress(data: SiteData, tasks: list[Task], closed: bool = False) -> Progress:
    """A project's progress by `reports.progress`'s rule, as `wm report projects` and `wm report goals` give it: by
    estimate hours when every counted task has one, else by tasks (saying how many have none), of its tasks less
    cancelled ones and parents of subtasks (a parent's estimate is its subtasks' work again); a closed project with no
    tasks is done (`closed`)."""
    from workspace_tool.reports.progress import counted_tasks, progress_of

    found = progress_of(counted_tasks(tasks, data.index.subtasks, data.index.is_cancelled), data.is_done, closed)
    share = found.share
    pct = 0 if share is None else round(100 * share)  # as the report's table rounds it
    label = "—" if share is None else found.label(f"{pct}%")
    return {
        "done": found.done_tasks, "total": found.tasks, "pct": pct, "label": label,
        "hours_done": fmt_hours(found.done_effort), "hours_total": fmt_hours(found.effort),
    }
