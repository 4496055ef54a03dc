"""Commands: list (the query language), board, next, blocked, agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from itertools import zip_longest
from typing import Any

import click

from workspace_tool.cli.app import App
from workspace_tool.errors import UsageError
from workspace_tool.index import Index
from workspace_tool.model import Document
from workspace_tool.output import csv_text, dumps, printable, table
from workspace_tool.values import DateRange, Duration, KeyResult

COLUMNS: dict[str, tuple[str, ...]] = {
    "project": ("id", "title", "status", "owner", "client", "priority", "due"),
    "task": ("id", "title", "status", "assignee", "priority", "due", "estimate", "project"),
    "decision": ("id", "title", "status", "date", "project"),
    "risk": ("id", "title", "status", "owner", "probability", "impact", "due", "project"),
    "person": ("id", "title", "role", "team", "capacity", "email"),
    "client": ("id", "title", "contact", "email", "rate", "currency"),
    "goal": ("id", "title", "owner", "due"),
    "timelog": ("id", "person", "path"),
    "note": ("id", "title", "project", "path"),
}
MIXED_COLUMNS = ("id", "type", "title", "status", "due", "project")
NUMERIC = frozenset({"estimate", "remaining", "capacity", "rate", "budget"})


class QueryCommand(click.Command):
    """A command whose free arguments may start with `-` (`-status:done`) without being taken for options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = {o: p for p in self.get_params(ctx) if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
        before, after = (args[: args.index("--")], args[args.index("--") + 1 :]) if "--" in args else (args, [])
        kept: list[str] = []
        terms: list[str] = []
        takes_value = False
        for arg in before:
            if takes_value:
                kept.append(arg)
                takes_value = False
            elif arg in options:
                kept.append(arg)
                takes_value = not options[arg].is_flag
            elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
                terms.append(arg)
            elif arg.startswith("--") and len(arg) > 2 and arg.split("=", 1)[0] not in options:
                raise UsageError(f"no such option: {arg} (see wm {self.name} --help; after -- it is a term)")
            else:
                kept.append(arg)
        return super().parse_args(ctx, [*kept, "--", *terms, *after])


def display(doc: Document, name: str, index: Index) -> Any:
    """A field's value for a table or CSV cell (a key of the team's own as its text)."""
    from workspace_tool.query import FIELDS, custom_value

    if name == "type":
        return doc.type
    if name == "checklist":
        from workspace_tool.show import checklist_text

        return checklist_text(doc)
    if name not in FIELDS:
        value = custom_value(doc, name)
        return ", ".join(value) if isinstance(value, tuple) else value
    value = getattr(doc, name, None)
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and any(isinstance(v, (DateRange, KeyResult)) for v in value):
        from workspace_tool.show import item_text

        return ", ".join(item_text(v) for v in value)  # leave and key results in words, as wm show gives them
    return value


def columns_for(docs: Sequence[Document]) -> tuple[str, ...]:
    types = {d.type for d in docs}
    if len(types) == 1:
        return COLUMNS[types.pop()]
    return MIXED_COLUMNS


def _field_list(text: str, custom: Collection[str] = ()) -> tuple[str, ...]:
    from workspace_tool.query import resolve_field

    return tuple(resolve_field(n.strip(), f"--fields {text}", custom).name for n in text.split(",") if n.strip())


@click.command("list", cls=QueryCommand, context_settings={"ignore_unknown_options": True, "allow_interspersed_args": True})
@click.argument("terms", nargs=-1, type=click.UNPROCESSED)
@click.option("--type", "types", metavar="TYPE[,TYPE]", help="Only documents of these types (same as type:TYPE).")
@click.option("--sort", metavar="FIELD[,FIELD]", help="Sort by these fields; `-FIELD` descends. Missing values last.")
@click.option("--fields", metavar="FIELD[,FIELD]", help="Columns of the table or CSV (default: by the types shown).")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many documents.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of documents (the `wm show --json` shape).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with the table's columns.")
@click.pass_obj
def list_cmd(app: App, terms: tuple[str, ...], types: str | None, sort: str | None, fields: str | None, limit: int | None, as_json: bool, as_csv: bool) -> None:
    """List documents matching a query (every term must hold; see docs/query.md).

    Terms: FIELD:VALUE, FIELD:A,B (or), FIELD:A..B (range), -TERM (not),
    is:open|done|overdue|blocked|ready|milestone|private|unassigned|critical,
    has:FIELD, no:FIELD, and bare words or "quoted phrases" (title and body).
    Dates may be today, tomorrow, this-week, next-week, +3d, -2w.

    \b
    Example:
      wm list status:todo,in-progress assignee:alice due:..+7d -tag:infra
      wm list --type task estimate:4h.. --sort -priority,due --limit 10
    """
    from workspace_tool.query import check_references, custom_keys, parse_query, parse_sort, select, sort_documents

    if as_json and as_csv:
        raise UsageError("use either --json or --csv, not both")
    index = app.index()
    words = [*terms, *([f"type:{types}"] if types else [])]
    custom = custom_keys(index)
    query = parse_query(words, index.today, index.settings, custom)
    keys = parse_sort(sort, custom)
    columns = _field_list(fields, custom) if fields else None
    check_references(query, index)
    docs = sort_documents(select(index, query), keys, index)
    if limit is not None:
        docs = docs[:limit]
    if as_json:
        from workspace_tool.records import document_record

        click.echo(dumps([document_record(d, index) for d in docs]))
        return
    headers = columns or columns_for(docs)
    if as_csv:
        rows = [[_csv_value(d, h, index) for h in headers] for d in docs]
        click.echo(csv_text(headers, rows), nl=False)
        return
    if not docs:
        click.echo("no documents match", err=True)
        return
    dim = {i for i, d in enumerate(docs) if index.is_done(d)}
    right = [i for i, h in enumerate(headers) if h in NUMERIC]
    click.echo(table(headers, ([display(d, h, index) for h in headers] for d in docs), dim_rows=dim, right=right))


def _csv_value(doc: Document, name: str, index: Index) -> Any:
    from workspace_tool.query import FIELDS

    value = getattr(doc, name, None) if name in FIELDS and name != "type" else None
    if isinstance(value, Duration):
        return value.hours
    return display(doc, name, index)


@click.command("board")
@click.option("--project", metavar="PROJECT", help="Only this project's tasks.")
@click.option("--hide-done", is_flag=True, help="Leave out the columns of done statuses.")
@click.option("--no-history", is_flag=True, help="Do not read the git history: cards then show no days in their column.")
@click.option("--json", "as_json", is_flag=True, help="Print the columns and their cards as JSON.")
@click.pass_obj
def board_cmd(app: App, project: str | None, hide_done: bool, no_history: bool, as_json: bool) -> None:
    """Show tasks as a kanban board: one column per workflow status.

    In a git repository each open card says how long the task has been in
    its column, from the commit (or the uncommitted edit) that moved it
    there ("12 d · Build the new website"). A task in the workflow's first
    status since its first version counts from its `created:` date; of a
    task in another status since its first commit, the history cannot
    tell, and nothing is shown.

    A status with a WIP limit (`wip:` in workspace.yml) is headed with the
    workspace's tasks in it against the limit ("doing 3/3", "doing 4/3
    over"); a card with a checklist shows its progress ("[2/3] Title").

    \b
    Example:
      wm board --project studio-website --hide-done
    """
    from workspace_tool.history.read import in_git
    from workspace_tool.show import checklist_text
    from workspace_tool.views import board, check_project

    with_history = not no_history and in_git(app.root)
    index, history = app.index_and_history(warn=False) if with_history else (app.index(), None)  # (no commits yet: no days, no noise)
    check_project(index, project)
    columns = board(index, project, include_done=not hide_done)
    entered = _entered_days(app, history, [card.id for column in columns if not column.done for card in column.cards])
    if as_json:
        data = [
            {
                "status": c.status, "done": c.done, "wip_limit": c.limit,
                "cards": [{**_task_json(t), **_in_column(app.today, entered.get(t.id)), "checklist": checklist_text(t) or None} for t in c.cards],
            }
            for c in columns
        ]
        click.echo(dumps(data))
        return
    headers = [c.heading for c in columns]  # `doing (2)`; with a WIP limit `doing 3/3`, `doing 4/3 over`
    rows: list[list[str]] = []
    for cards in zip_longest(*(c.cards for c in columns)):
        rows.append([card.id if card else "" for card in cards])
        rows.append([_card_title(app.today, card.title, entered.get(card.id), checklist_text(card)) if card else "" for card in cards])
    click.echo(table(headers, rows, keep=[max((len(card.id) for card in c.cards), default=0) for c in columns]))  # IDs whole


def _entered_days(app: App, history: Any, ids: list[str]) -> dict[str, dt.date]:
    """The day each of these tasks entered its column, where the history tells (none without a history)."""
    if history is None:
        return {}
    from workspace_tool.history.flow import entered_days

    return entered_days(history, ids, app.today)


def _in_column(today: dt.date, since: dt.date | None) -> dict[str, Any]:
    """A card's `entered` (ISO day) and `days_in_column` in `wm board --json` (null when not known, or done)."""
    return {"entered": since.isoformat() if since else None, "days_in_column": (today - since).days if since else None}


def _card_title(today: dt.date, title: str, since: dt.date | None, checklist: str = "") -> str:
    """A card's second line: how long it has been in its column (the ID above stays whole in a narrow column), its
    checklist's progress (`[2/3]`, before the title, which a narrow column shortens), and its title."""
    title = f"[{checklist}] {title}" if checklist else title
    if since is None:
        return f"  {title}"
    days = (today - since).days
    return f"  {'today' if days == 0 else f'{days} d'} · {title}"


def _task_json(task: Any) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "status": task.status,
        "assignee": task.assignee,
        "priority": task.priority,
        "due": task.due,
        "project": task.project,
    }


@click.command("next")
@click.option("--who", metavar="PERSON", help="Only tasks assigned to this person.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many tasks to show.")
@click.option("--explain", is_flag=True, help="Show the parts of each task's urgency score.")
@click.option("--json", "as_json", is_flag=True, help="Print the ranked tasks, with their score parts, as JSON.")
@click.pass_obj
def next_cmd(app: App, who: str | None, limit: int, explain: bool, as_json: bool) -> None:
    """What to work on now: open, unblocked tasks ranked by urgency.

    Blocked tasks (see `wm blocked`), milestones, parents of open subtasks
    and tasks starting later are left out.

    Urgency adds points for priority, a near or past due date, being on the
    critical path (when the scheduler is available), blocking other tasks,
    and age.

    \b
    Example:
      wm next --who alice --limit 5 --explain
    """
    from workspace_tool.views import next_tasks, schedule_or_none

    index = app.index()
    plan, note = schedule_or_none(index)
    ranked = next_tasks(index, who, limit, plan)
    if as_json:
        data = [{**_task_json(r.task), "score": r.score, "parts": [{"name": p.name, "points": p.points, "reason": p.reason} for p in r.parts]} for r in ranked]
        click.echo(dumps(data))
        return
    if note and explain:
        click.echo(f"note: {note}", err=True)
    if not ranked:
        click.echo("nothing to do: no open, unblocked tasks" + (f" for {who}" if who else ""), err=True)
        return
    if not explain:
        headers = ("#", "id", "title", "score", "assignee", "priority", "due")
        rows = [(n, r.task.id, r.task.title, f"{r.score:.1f}", r.task.assignee, r.task.priority, r.task.due) for n, r in enumerate(ranked, 1)]
        click.echo(table(headers, rows, right=(0, 3)))
        return
    for n, r in enumerate(ranked, 1):
        click.echo(f"{n}. {r.task.id}  {printable(r.task.title)}  (score {r.score:.1f})")
        for part in r.parts:
            click.echo(f"     {part.name:<9}{part.points:>6.2f}  {part.reason}")


@click.command("blocked")
@click.option("--who", metavar="PERSON", help="Only tasks assigned to this person.")
@click.option("--project", metavar="PROJECT", help="Only this project's tasks.")
@click.option("--json", "as_json", is_flag=True, help="Print the blocked tasks and their blockers as JSON.")
@click.pass_obj
def blocked_cmd(app: App, who: str | None, project: str | None, as_json: bool) -> None:
    """Blocked tasks, and what blocks them.

    A task is blocked when it is open and its status is `blocked`, or it
    depends on tasks that are not done (the same rule as `is:blocked`).
    The "blocked by" column lists those dependencies with their status,
    after "status: blocked" for a task marked so. In --json, "blocked_by"
    lists the dependencies only: a task blocked by its status alone has
    "status": "blocked" and an empty "blocked_by".

    `wm report projects` counts fewer of them as blocked: only those held
    up now (marked blocked, started, or at their start or due date).

    \b
    Example:
      wm blocked --project studio-website
    """
    from workspace_tool.blocking import BLOCKED_STATUS
    from workspace_tool.views import blocked_tasks, check_person, check_project

    index = app.index()
    check_person(index, who)
    check_project(index, project)
    found = blocked_tasks(index, who, project)
    if as_json:
        data = [{**_task_json(b.task), "blocked_by": [_blocker_json(d) for d in b.blockers]} for b in found]
        click.echo(dumps(data))
        return
    if not found:
        click.echo("nothing is blocked", err=True)
        return
    rows = []
    for b in found:
        reasons = [f"status: {BLOCKED_STATUS}"] if b.marked else []
        reasons += [f"{d.id} ({getattr(d, 'status', '')})" for d in b.blockers]
        rows.append((b.task.id, b.task.title, b.task.assignee, ", ".join(reasons)))
    click.echo(table(("id", "title", "assignee", "blocked by"), rows, wrap={3: ", "}))


def _blocker_json(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "title": doc.title, "status": getattr(doc, "status", None), "assignee": getattr(doc, "assignee", None)}


@click.command("agenda")
@click.option("--who", metavar="PERSON", help="Only items assigned to or owned by this person.")
@click.option("--days", type=int, default=7, show_default=True, help="How many days from today.")
@click.option("--json", "as_json", is_flag=True, help="Print the overdue items and the days as JSON.")
@click.pass_obj
def agenda_cmd(app: App, who: str | None, days: int, as_json: bool) -> None:
    """Open items due or starting each day from today (overdue ones first).

    \b
    Example:
      wm agenda --who alice --days 14
    """
    from workspace_tool.views import AgendaItem, agenda

    index = app.index()
    result = agenda(index, who, days)

    def item_json(item: AgendaItem) -> dict[str, Any]:
        doc = item.doc
        who_value = getattr(doc, "assignee", None) or getattr(doc, "owner", None)
        return {"kind": item.kind, "date": item.date, "id": doc.id, "type": doc.type, "title": doc.title,
                "status": getattr(doc, "status", None), "who": who_value, "project": doc.project}

    if as_json:
        data = {
            "from": result.start,
            "to": result.end,
            "overdue": [item_json(i) for i in result.overdue],
            "days": [{"date": day, "items": [item_json(i) for i in items]} for day, items in result.days],
        }
        click.echo(dumps(data))
        return
    if not result.overdue and not result.days:
        click.echo(f"nothing due or starting from {result.start} to {result.end}", err=True)
        return
    sections: list[tuple[str, tuple[AgendaItem, ...]]] = []
    if result.overdue:
        sections.append(("Overdue", result.overdue))
    for day, items in result.days:
        label = f"{day:%a} {day.isoformat()}" + (" (today)" if day == result.start else "")
        sections.append((label, items))
    everything = [item_json(item) for _, items in sections for item in items]
    id_width = min(max(len(d["id"]) for d in everything), 40)  # one column across the days, as a table
    title_width = min(max(len(printable(d["title"])) for d in everything), 48)
    for number, (label, items) in enumerate(sections):
        if number:
            click.echo("")
        click.echo(label)
        for item in items:
            row = item_json(item)
            when = f"{item.date.isoformat()}  " if label == "Overdue" else ""
            line = f"  {when}{item.kind:<5}  {row['id']:<{id_width}}  {printable(row['title']):<{title_width}}" + (f"  ({row['who']})" if row["who"] else "")
            click.echo(line.rstrip())


COMMANDS = [list_cmd, board_cmd, next_cmd, blocked_cmd, agenda_cmd]
