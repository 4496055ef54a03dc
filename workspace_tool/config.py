"""`workspace.yml`: every setting declared once, loaded with every error reported at once.

`SETTINGS` is the single declaration (name, type, default, description).
It validates the file, fills defaults, and generates the settings table in
`docs/format.md` (see `settings_table`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from workspace_tool.errors import Diagnostic, nearest_name
from workspace_tool.yamlload import load_yaml_mapping, nested_key_lines

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DEFAULT_WORKFLOWS: Mapping[str, Mapping[str, Any]] = {
    "project": {"statuses": ["proposed", "active", "on-hold", "done", "cancelled"], "done": ["done", "cancelled"]},
    "task": {"statuses": ["todo", "in-progress", "review", "done", "cancelled"], "done": ["done", "cancelled"]},
    "decision": {
        "statuses": ["proposed", "accepted", "rejected", "deprecated", "superseded"],
        "done": ["accepted", "rejected", "deprecated", "superseded"],
    },
    "risk": {"statuses": ["open", "mitigated", "occurred", "closed"], "done": ["mitigated", "closed"]},
}


STATUS_SYNONYMS: Mapping[str, str] = {
    "to do": "todo", "open": "todo", "new": "todo", "backlog": "todo", "planned": "todo", "selected for development": "todo",
    "doing": "in-progress", "working on it": "in-progress", "in development": "in-progress", "wip": "in-progress", "started": "in-progress", "in progress": "in-progress", "inprogress": "in-progress", "active": "in-progress",
    "in review": "review", "reviewing": "review", "qa": "review", "testing": "review", "in qa": "review", "in testing": "review",
    "code review": "review", "ready for review": "review", "under review": "review",
    "closed": "done", "complete": "done", "completed": "done", "finished": "done", "resolved": "done",
    "canceled": "cancelled", "abandoned": "cancelled", "dropped": "cancelled", "wontfix": "cancelled", "won't do": "cancelled",
}
"""Words other trackers use for the default workflows' statuses (Jira's "To Do" and "In Progress", Taskwarrior's
"completed"), by their normalized form (`_status_words`): only ever a suggestion, never taken as the status."""


def _means_cancelled(status: str) -> bool:
    """`cancelled`, or a word other trackers use for it (`canceled`, `dropped`, `wontfix`, ...)."""
    words = _status_words(status)
    return words == "cancelled" or STATUS_SYNONYMS.get(words) == "cancelled"


def _status_words(text: str) -> str:
    """A status as words: lower case, hyphens and underscores as spaces (`In_Progress` -> `in progress`)."""
    return " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


@dataclass(frozen=True)
class Workflow:
    """Statuses of one document type, which count as done, and allowed moves."""

    statuses: tuple[str, ...]
    done: tuple[str, ...]
    transitions: Mapping[str, tuple[str, ...]] | None = None
    cancelled: tuple[str, ...] | None = None  # None: the done statuses named `cancelled` or a synonym (`_means_cancelled`)
    wip: Mapping[str, int] = field(default_factory=dict)  # status -> most documents in it across the workspace (`wip:`)

    @property
    def default(self) -> str:
        return self.statuses[0]

    def is_done(self, status: str | None) -> bool:
        return status in self.done

    @property
    def cancelled_statuses(self) -> tuple[str, ...]:
        """The done statuses that end work without doing it (left out of progress, throughput and estimates)."""
        if self.cancelled is not None:
            return self.cancelled
        return tuple(s for s in self.done if _means_cancelled(s))

    def is_cancelled(self, status: str | None) -> bool:
        return status in self.cancelled_statuses

    def suggest(self, status: str) -> str | None:
        """The status of this workflow someone who typed `status` most likely meant: the same words in another case
        or spelling (`In Progress`), a word other trackers use (`doing`, `closed`: `STATUS_SYNONYMS`), else the
        closest spelling; None when nothing is close."""
        meant = self.means(status)
        if meant is not None:
            return meant
        close = difflib.get_close_matches(status, self.statuses, n=1, cutoff=0.6)
        return close[0] if close else None

    def means(self, status: str, own_words: bool = True) -> str | None:
        """The status of this workflow that `status` names in other words: the same words in another case or
        spelling (`In Progress`), or a word other trackers use (`doing`, `closed`: `STATUS_SYNONYMS`), on either
        side: in a workflow of `doing`, `In Progress` and `wip` mean `doing` (when one status alone means it; not with
        `own_words` False, for a choice among several workflows where another may have the word itself)."""
        words = _status_words(status)
        for candidate in self.statuses:
            if _status_words(candidate) == words:
                return candidate
        mapped = STATUS_SYNONYMS.get(words, words.replace(" ", "-"))
        if mapped in self.statuses or not own_words:
            return mapped if mapped in self.statuses else None
        same = [c for c in self.statuses if STATUS_SYNONYMS.get(_status_words(c)) == mapped]
        return same[0] if len(same) == 1 else None

    def allowed_moves(self, current: str) -> tuple[str, ...]:
        """The statuses a document in `current` may move to: by `transitions`, else any other; from a status that is
        not in the workflow (it was removed from it) any status, as it is leaving one the workflow no longer has."""
        if self.transitions is None or current not in self.statuses:
            return tuple(s for s in self.statuses if s != current)
        return self.transitions.get(current, ())


@dataclass(frozen=True)
class Calendar:
    """The workspace's working calendar."""

    hours_per_day: float = 8.0
    workdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: frozenset[dt.date] = frozenset()
    day_start: dt.time = dt.time(9, 0)

    @property
    def days_per_week(self) -> int:
        return len(self.workdays)

    def is_workday(self, day: dt.date) -> bool:
        return WEEKDAYS[day.weekday()] in self.workdays and day not in self.holidays


@dataclass(frozen=True)
class Settings:
    """The loaded `workspace.yml`, with defaults filled in."""

    name: str = "workspace"
    currency: str = "EUR"
    calendar: Calendar = Calendar()
    workflows: Mapping[str, Workflow] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    rate: float | None = None
    schedule_start: dt.date | None = None
    at_risk_ratio: float = 0.1
    autocommit: bool = False
    allow_html: bool = False
    links: Mapping[str, str] = field(default_factory=dict)  # key of your own -> URL template with {value}

    def link(self, key: str, value: object) -> str | None:
        """The URL a key of your own's value stands for (`jira: MOB-2` -> the issue in Jira), by `links:`; None
        for a key without one, or a value that is no single text or number."""
        template = self.links.get(key)
        if template is None or isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
            return None
        from urllib.parse import quote

        return template.replace("{value}", quote(str(value).strip(), safe=""))

    def workflow(self, doc_type: str) -> Workflow | None:
        return self.workflows.get(doc_type)


class SettingError(ValueError):
    """A bad value for one setting; the message is shown to the user."""


class SettingErrors(SettingError):
    """Some entries of a mapping setting refused: `kept` holds the others, `errors` one (entry key, message) each."""

    def __init__(self, kept: Any, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][1])
        self.kept = kept
        self.errors = errors


def _links(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingError("expected a mapping of keys to web addresses, e.g. jira: https://acme.atlassian.net/browse/{value}")
    found, refused = {}, []
    for key, template in value.items():
        if not isinstance(template, str) or not template.startswith(("https://", "http://")) or "{value}" not in template:
            refused.append((str(key), f"{key}: expected a web address (http:// or https://) with {{value}} where the value goes, got {template!r}"))
        else:
            found[str(key)] = template
    if refused:  # each bad entry is an error at its line; the good ones still link
        raise SettingErrors(found, refused)
    return found


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingError(f"expected a non-empty string, got {value!r}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SettingError(f"expected a non-negative number, got {value!r}")
    return float(value)


def _hours_per_day(value: Any) -> float:
    hours = _number(value)
    if not 0 < hours <= 24:
        raise SettingError(f"expected working hours in a day, more than 0 and at most 24, got {value!r}")
    return hours


def _opt_number(value: Any) -> float | None:
    return None if value is None else _number(value)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise SettingError(f"expected a date YYYY-MM-DD, got {value!r}")


def _opt_date(value: Any) -> dt.date | None:
    return None if value is None else _date(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingError(f"expected true or false, got {value!r}")
    return value


def _globs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingError("expected a list of glob patterns")
    return tuple(value)


def _weekdays(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise SettingError(f"expected a list of weekdays such as [mon, tue], got {value!r}")
    days = []
    for day in value:
        name = str(day).lower()[:3]
        if name not in WEEKDAYS:
            raise SettingError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
        days.append(name)
    return tuple(days)


def _holidays(value: Any) -> frozenset[dt.date]:
    """Dates and ranges `{from: DATE, to: DATE}` (both days included, as a person's `leave`), as the days they cover."""
    if not isinstance(value, list):
        raise SettingError(f"expected a list of dates and ranges {{from: DATE, to: DATE}}, got {_as_yaml(value)}")
    days: set[dt.date] = set()
    for number, item in enumerate(value, 1):
        if isinstance(item, dict) and set(item) == {"from", "to"}:
            start, end = _holiday(item["from"]), _holiday(item["to"])
            if start is not None and end is not None and end < start:
                raise SettingError(f"item {number}: the range ends before it starts, got {_as_yaml(item)}")
            if start is not None and end is not None:
                days.update(start + dt.timedelta(days=n) for n in range((end - start).days + 1))
                continue
        elif (day := _holiday(item)) is not None:
            days.add(day)
            continue
        raise SettingError(f"item {number}: expected a date YYYY-MM-DD or a range {{from: YYYY-MM-DD, to: YYYY-MM-DD}}, got {_as_yaml(item)}")
    return frozenset(days)


def _holiday(value: Any) -> dt.date | None:
    """A holiday's date (a YAML date, or ISO text as `leave` takes it), else None."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return _date(value) if isinstance(value, dt.date) else None


def _as_yaml(value: Any) -> str:
    """A value as it would be written in workspace.yml (`{from: 2026-12-24}`), for messages."""
    import yaml

    return str(yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1000)).strip().removesuffix("\n...").strip()


def _clock(value: Any) -> dt.time:
    if isinstance(value, int) and not isinstance(value, bool):  # YAML 1.1 reads 09:00 as sexagesimal 540
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return dt.time(hours, minutes)
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        hours, minutes = (int(p) for p in value.split(":"))
        if hours < 24 and minutes < 60:
            return dt.time(hours, minutes)
    raise SettingError(f"expected a clock time HH:MM, got {value!r}")


def _ratio(value: Any) -> float:
    number = _number(value)
    if number > 1:
        raise SettingError(f"expected a fraction between 0 and 1, got {value!r}")
    return number


def _workflows(value: Any) -> dict[str, Workflow]:
    if not isinstance(value, dict):
        raise SettingError("expected a mapping of document type to {statuses, done, transitions}")
    result = {}
    for doc_type, spec in value.items():
        if doc_type not in DEFAULT_WORKFLOWS:
            raise SettingError(f"workflows for {doc_type!r} are not supported (use {', '.join(DEFAULT_WORKFLOWS)})")
        result[doc_type] = _workflow(doc_type, spec)
    return result


WORKFLOW_KEYS: tuple[str, ...] = ("statuses", "done", "cancelled", "transitions", "wip")
"""The keys of `workflows.<type>`; any other gets an `unknown setting` warning (`workflow_warnings`)."""

IMPLIED_DONE: tuple[str, ...] = ("done", "cancelled")
"""The statuses that are done in a workflow that names no `done:` (when it has a status of that name)."""


def _names(value: Any) -> list[Any]:
    """A list of statuses as written: a list, one status, or nothing (`done:` left empty)."""
    return [] if value is None else value if isinstance(value, list) else [value]


def _workflow(doc_type: str, spec: Any) -> Workflow:
    if not isinstance(spec, dict) or not isinstance(spec.get("statuses"), list) or not spec["statuses"]:
        raise SettingError(f"workflow {doc_type!r} needs a non-empty list 'statuses'")
    statuses = tuple(str(s) for s in spec["statuses"])
    if spec.get("done") is None:  # omitted (or left empty): the statuses named `done` and `cancelled`
        done = tuple(s for s in statuses if s in IMPLIED_DONE)
    else:
        done = tuple(str(s) for s in _names(spec["done"]))
    for status in done:
        if status not in statuses:
            raise SettingError(f"workflow {doc_type!r}: done status {status!r} is not in its statuses")
    cancelled = None
    if spec.get("cancelled") is not None:
        cancelled = tuple(str(s) for s in _names(spec["cancelled"]))
        for status in cancelled:
            if status not in done:
                raise SettingError(f"workflow {doc_type!r}: cancelled status {status!r} is not one of its done statuses {list(done)}")
    transitions = None
    if spec.get("transitions") is not None:
        raw = spec["transitions"]
        if not isinstance(raw, dict):
            raise SettingError(f"workflow {doc_type!r}: transitions must map a status to a list of statuses")
        transitions = {}
        for source, targets in raw.items():
            targets = targets if isinstance(targets, list) else [targets]
            for status in [source, *targets]:
                if str(status) not in statuses:
                    raise SettingError(f"workflow {doc_type!r}: transition names unknown status {status!r}")
            transitions[str(source)] = tuple(str(t) for t in targets)
    return Workflow(statuses, done, transitions, cancelled, _wip(doc_type, spec.get("wip"), statuses))


def _wip(doc_type: str, raw: Any, statuses: tuple[str, ...]) -> dict[str, int]:
    """`wip: {doing: 3}`: the WIP limit of each status named; one the workflow does not have is left out (and
    warned about: `workflow_warnings`)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SettingError(f"workflow {doc_type!r}: wip must map a status to its limit, e.g. wip: {{doing: 3}}")
    limits = {}
    for status, limit in raw.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise SettingError(f"workflow {doc_type!r}: wip limit of {status!r} must be a whole number of at least 1, got {limit!r}")
        if str(status) in statuses:
            limits[str(status)] = limit
    return limits


def workflow_warnings(raw: Any, workflows: Mapping[str, Workflow], lines: Mapping[str, int], path: str) -> list[Diagnostic]:
    """What a `workflows:` section that loaded may still get wrong, as warnings at their lines: a key no workflow
    has (a misspelt `transtions:` would silently allow every move), a workflow with no done status (nothing would
    ever count as finished), a WIP limit for a status the workflow does not have."""
    found = []
    for doc_type, spec in raw.items() if isinstance(raw, dict) else ():
        workflow = workflows.get(doc_type)
        if workflow is None or not isinstance(spec, dict):
            continue
        key = f"workflows.{doc_type}"
        here = lines.get(key, lines.get("workflows", 1))
        for name in spec:
            if str(name) not in WORKFLOW_KEYS:
                found.append(Diagnostic(path, lines.get(f"{key}.{name}", here), "warning", "unknown-setting", f"unknown setting {f'{key}.{name}'!r}{_meant(str(name))}"))
        if not workflow.done:
            found.append(Diagnostic(
                path, lines.get(f"{key}.done", here), "warning", "bad-setting",
                f"workflow {doc_type!r} has no done status: nothing counts as finished; add done: [{workflow.statuses[-1]}] (the statuses that finish work)",
            ))
        limits = spec.get("wip")
        for status in limits if isinstance(limits, dict) else ():
            if str(status) not in workflow.statuses:
                near = nearest_name(str(status), workflow.statuses)
                hint = f"did you mean {near!r}? " if near else ""
                found.append(Diagnostic(
                    path, lines.get(f"{key}.wip.{status}", lines.get(f"{key}.wip", here)), "warning", "bad-setting",
                    f"{key}.wip: {status!r} is not a status of the {doc_type} workflow, so it has no limit ({hint}use {', '.join(workflow.statuses)})",
                ))
    return found


def _meant(name: str) -> str:
    """` (did you mean 'transitions'?)` for a misspelt key of a workflow, else the keys it may have."""
    near = "wip" if "wip" in name.lower() or "limit" in name.lower() else nearest_name(name, WORKFLOW_KEYS)
    return f" (did you mean {near!r}?)" if near else f" (a workflow has {', '.join(WORKFLOW_KEYS)})"


@dataclass(frozen=True)
class Setting:
    """One declared setting: a dotted key, its parser, default and description."""

    key: str
    kind: str
    default: Any
    description: str
    convert: Callable[[Any], Any]


SETTINGS: tuple[Setting, ...] = (
    Setting("name", "string", "workspace", "The workspace's name, shown in titles.", _str),
    Setting("currency", "string", "EUR", "Currency of budgets and rates (ISO code).", _str),
    Setting("rate", "number", None, "Default hourly billing rate.", _opt_number),
    Setting("exclude", "list of globs", [], "Paths (relative to the root) that are not documents.", _globs),
    Setting("calendar.hours_per_day", "number", 8, "Working hours in a working day; `1d` of effort.", _hours_per_day),
    Setting("calendar.workdays", "list of weekdays", ["mon", "tue", "wed", "thu", "fri"], "Working weekdays.", _weekdays),
    Setting("calendar.holidays", "list of dates and ranges", [], "Days nobody works: dates, and ranges `{from: DATE, to: DATE}` (both days included).", _holidays),
    Setting("calendar.day_start", "HH:MM", "09:00", "When a working day starts.", _clock),
    Setting(
        "workflows", "mapping", {},
        "Per type: `statuses`, `done` statuses, `cancelled` (the done ones that end work undone), `transitions` (FROM: [TO]), `wip` limits (STATUS: N).",
        _workflows,
    ),
    Setting("schedule.start", "date", None, "A fixed plan start (else today), for reproducible plans.", _opt_date),
    Setting("schedule.at_risk", "fraction", 0.1, "A project is at risk when its slack to due is under this share of its remaining work.", _ratio),
    Setting("git.autocommit", "bool", False, "Editing commands commit the files they touched.", _bool),
    Setting("site.allow_html", "bool", False, "Render raw HTML in document bodies on the site.", _bool),
    Setting(
        "links", "mapping", {},
        "Per key of your own, the web address of its value, `{value}` standing for it (`jira: https://acme.atlassian.net/browse/{value}`): a link on the site and in `wm show`.",
        _links,
    ),
)

_KNOWN_SECTIONS = {s.key.split(".")[0] for s in SETTINGS}


def load_settings(text: str, path: str) -> tuple[Settings, list[Diagnostic]]:
    """Parse `workspace.yml` text; bad settings become diagnostics and fall back to defaults."""
    data, lines, diagnostics = load_yaml_mapping(text, path, line_offset=0)
    if data is None:  # unreadable: the defaults, as without a workspace.yml (the workflows too), and its one error
        return default_settings(), diagnostics
    values: dict[str, Any] = {}
    lines = {**lines, **nested_key_lines(text)}
    for setting in SETTINGS:
        raw = _lookup(data, setting.key)
        if raw is _MISSING:
            continue
        try:
            values[setting.key] = setting.convert(raw)
        except SettingErrors as exc:
            values[setting.key] = exc.kept
            for entry, message in exc.errors:
                line = lines.get(f"{setting.key}.{entry}", lines.get(setting.key, 1))
                diagnostics.append(Diagnostic(path, line, "error", "bad-setting", f"{setting.key}: {message}"))
        except (SettingError, ValueError, TypeError) as exc:
            line = lines.get(setting.key, lines.get(setting.key.split(".")[0], 1))
            diagnostics.append(Diagnostic(path, line, "error", "bad-setting", f"{setting.key}: {exc}"))
    if "workflows" in values:
        diagnostics.extend(workflow_warnings(data["workflows"], values["workflows"], lines, path))
    for key in data:
        if key not in _KNOWN_SECTIONS:
            diagnostics.append(
                Diagnostic(path, lines.get(str(key), 1), "warning", "unknown-setting", f"unknown setting {key!r}")
            )
    return _build(values), diagnostics


_MISSING = object()


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _build(values: Mapping[str, Any]) -> Settings:
    calendar = Calendar(
        hours_per_day=values.get("calendar.hours_per_day", 8.0),
        workdays=values.get("calendar.workdays", Calendar.workdays),
        holidays=values.get("calendar.holidays", frozenset()),
        day_start=values.get("calendar.day_start", dt.time(9, 0)),
    )
    workflows = {t: _workflow(t, spec) for t, spec in DEFAULT_WORKFLOWS.items()}
    workflows.update(values.get("workflows", {}))
    return Settings(
        name=values.get("name", "workspace"),
        currency=values.get("currency", "EUR"),
        calendar=calendar,
        workflows=workflows,
        exclude=values.get("exclude", ()),
        rate=values.get("rate"),
        schedule_start=values.get("schedule.start"),
        at_risk_ratio=values.get("schedule.at_risk", 0.1),
        autocommit=values.get("git.autocommit", False),
        allow_html=values.get("site.allow_html", False),
        links=values.get("links", {}),
    )


def default_settings() -> Settings:
    return _build({})


def settings_table() -> str:
    """The Markdown table of settings for `docs/format.md`."""
    rows = ["| setting | type | default | description |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default in (None, [], {}) else f"`{s.default}`"
        rows.append(f"| `{s.key}` | {s.kind} | {default} | {s.description} |")
    return "\n".join(rows)
