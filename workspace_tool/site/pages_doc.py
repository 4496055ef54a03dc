"""A page per document (projects have their own page): fields, body, backlinks, schedule, time, history."""

from __future__ import annotations

import functools
from typing import Any

from workspace_tool import fields as F
from workspace_tool.model import Client, Decision, Document, Goal, Person, Project, Task, TimeLog
from workspace_tool.output import cell, counted, to_jsonable
from workspace_tool.site.context import TYPE_LABELS, SiteData, doc_page, fmt_hours
from workspace_tool.site.contexts import AnyContext, Backlink, DocumentContext, DocumentExtras, EntryRow, FieldRow, Schedule
from workspace_tool.site.history_view import MONEY_FIELDS, PERSONAL_FIELDS
from workspace_tool.site.pages import Page, PageSpec, body_source, iso, sort_tasks, task_row

SKIPPED_FIELDS = frozenset({"title", "status", "visibility"})


def specs(data: SiteData) -> list[PageSpec]:
    found = []
    for number, doc in enumerate(data.docs()):
        if isinstance(doc, Project):
            continue
        if isinstance(doc, TimeLog) and not data.vis.audience.internal:
            continue
        found.append(PageSpec(doc_page(doc), functools.partial(doc_page_model, data, doc, number)))
    return found


def collect(data: SiteData) -> list[Page[AnyContext]]:
    return [spec.make() for spec in specs(data)]


def field_rows(data: SiteData, doc: Document) -> list[FieldRow]:
    """Each set field as text parts, references as links (hidden ones as bare IDs)."""
    rows: list[FieldRow] = []
    for name, spec in F.specs_for(doc.type).items():
        if name in SKIPPED_FIELDS or (name in MONEY_FIELDS and not data.money):
            continue
        if not data.vis.audience.internal and name in PERSONAL_FIELDS:
            continue
        value = getattr(doc, name, None)
        if value in (None, (), "", False):
            continue
        if spec.is_reference:
            targets = value if isinstance(value, tuple) else (value,)
            rows.append({"name": name, "refs": [data.ref(t) for t in targets]})
        elif name == "key_results":
            continue
        else:
            rows.append({"name": name, "text": _field_text(value)})
    if data.vis.audience.internal:
        for key, value in doc.extra.items():
            if key == "previous" and isinstance(value, str):  # a recurring series' instance before this one, as `wm show` resolves it
                rows.append({"name": "previous", "refs": [data.ref(value)]})
                continue
            row: FieldRow = {"name": str(key), "text": _field_text(value)}
            url = data.settings.link(str(key), value)
            if url:
                row["url"] = url
            rows.append(row)
        following = data.next_instance(doc.id) if isinstance(doc, Task) else None
        if following is not None and following in data.vis:  # the instance of its series made from it
            rows.append({"name": "next", "refs": [data.ref(following)]})
    return rows


def _field_text(value: Any) -> str:
    if isinstance(value, tuple) and value and hasattr(value[0], "__dataclass_fields__"):
        return "; ".join(cell(to_jsonable(v)) for v in value)
    if isinstance(value, str):
        return value
    return cell(to_jsonable(value)) if not hasattr(value, "hours") else str(value)


def backlinks(data: SiteData, doc: Document) -> list[Backlink]:
    seen: set[tuple[str, str]] = set()
    rows: list[Backlink] = []
    for ref in data.backlinks(doc.id):
        if ref.source not in data.vis or (ref.source, ref.field) in seen:
            continue
        if ref.field == "entry" and not data.vis.audience.internal:
            continue
        seen.add((ref.source, ref.field))
        rows.append({"ref": data.ref(ref.source), "field": ref.field})
    return rows


def _entries(data: SiteData, doc: Document) -> list[EntryRow]:
    """The newest 200 entries of a task, a person or a time log, without the column that would repeat the page's own document."""
    if isinstance(doc, Person):
        chosen = data.entries_by("person", doc.id)
    elif isinstance(doc, TimeLog):
        chosen = data.entries_by("path", doc.path)
    elif isinstance(doc, Task):
        chosen = data.entries_by("ref", doc.id)
    else:
        return []
    chosen = sorted(chosen, key=lambda e: (e.date, e.line), reverse=True)[:200]
    # the column every row would show the same value in (the page's own task or person) is left out
    person = not isinstance(doc, Person) and (not isinstance(doc, TimeLog) or len({e.person for e in chosen}) > 1)
    ref = not isinstance(doc, Task)
    rows: list[EntryRow] = []
    internal = data.vis.audience.internal
    for e in chosen:
        # a client's or team's site shows who worked on what and how long, not the team's own notes and billing tags
        row: EntryRow = {"date": iso(e.date), "hours": fmt_hours(e.hours), "note": e.note if internal else "", "tags": list(e.tags) if internal else []}
        if person:
            row["person"] = data.ref(e.person)
        if ref:
            row["ref"] = data.ref(e.ref)
        rows.append(row)
    return rows


def _schedule(data: SiteData, doc: Document) -> Schedule | None:
    scheduled = data.scheduled(doc.id) if isinstance(doc, Task) else None
    if scheduled is None:
        return None
    return {
        "start": scheduled.start_at.strftime("%Y-%m-%d %H:%M"),
        "end": scheduled.end_at.strftime("%Y-%m-%d %H:%M"),
        "slack": fmt_hours(scheduled.slack_hours),
        "critical": scheduled.critical,
        "late": scheduled.late,
        "closed": scheduled.closed,
        "started": not scheduled.closed and getattr(doc, "status", None) != _first_status(data, doc),
    }


def _first_status(data: SiteData, doc: Document) -> str | None:
    workflow = data.settings.workflow(doc.type)
    return workflow.default if workflow is not None else None


def _extras(data: SiteData, doc: Document, number: int) -> DocumentExtras:
    from workspace_tool.site.history_view import status_since
    from workspace_tool.site.pages_overview import client_money, goal_rows, workload_chart
    from workspace_tool.site.pages_project import project_summary

    extra: DocumentExtras = {}
    if isinstance(doc, Person):
        open_tasks = [t for t in data.where(Task, "assignee", doc.id) if not data.is_done(t)]
        extra["assigned"] = [task_row(data, t) for t in sort_tasks(open_tasks)]
        extra["workload"] = workload_chart(data, doc, f"wl-doc{number}")
    elif isinstance(doc, Client):
        extra["projects"] = [project_summary(data, p) for p in data.where(Project, "client", doc.id)]
        if data.money:
            extra["billing"] = client_money(data, doc.id)
    elif isinstance(doc, Goal):
        extra["goal"] = goal_rows(data, doc)
    elif isinstance(doc, Decision):
        extra["superseded_by"] = [data.ref(s) for s in data.superseded_by(doc.id) if s in data.vis]
    elif isinstance(doc, Task):
        extra["subtasks"] = [task_row(data, data.doc(s)) for s in data.subtasks(doc.id) if s in data.vis]  # type: ignore[arg-type]
        extra["row"] = task_row(data, doc)
        since = status_since(data, doc)
        if since is not None:
            days = (data.today - since).days
            text = f"In {doc.status} since today" if days == 0 else f"In {doc.status} for {counted(days, 'day')}, since {since.isoformat()}"
            extra["in_status"] = {"text": text, "since": since.isoformat()}
    return extra


def doc_page_model(data: SiteData, doc: Document, number: int) -> Page[DocumentContext]:
    from workspace_tool.site.history_view import versions

    # a person's own text and history are internal (they speak of other clients and work)
    personal = isinstance(doc, Person) and not data.vis.audience.internal
    body, attachments = body_source(data, doc) if not isinstance(doc, TimeLog) and not personal else (None, ())
    context: DocumentContext = {
        "doc": {"id": doc.id, "type": doc.type, "type_label": TYPE_LABELS.get(doc.type, doc.type), "path": doc.path, "private": doc.is_private},
        "status": data.status(doc),
        "tags": list(doc.tags),
        "fields": field_rows(data, doc),
        "backlinks": backlinks(data, doc),
        "schedule": _schedule(data, doc),
        "entries": _entries(data, doc),
        "logged": fmt_hours(data.logged(doc.id)) if isinstance(doc, Task) and data.logged(doc.id) else "",
        "history": [] if personal else versions(data, doc.id),
        **_extras(data, doc, number),
    }
    return Page(doc_page(doc), "document.html", doc.title, context, body, attachments, section=doc.type)
