"""`Workflow.suggest`: what a status someone typed most likely meant, for `wm move`, `wm set` and `wm validate`."""

from __future__ import annotations

import pytest

from workspace_tool.config import Workflow, default_settings

TASK = default_settings().workflows["task"]
PROJECT = default_settings().workflows["project"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("In Progress", "in-progress"),  # Jira's name, another case and spacing
        ("in_progress", "in-progress"),
        ("doing", "in-progress"),  # a word other trackers use
        ("To Do", "todo"),
        ("completed", "done"),
        ("canceled", "cancelled"),
        ("reveiw", "review"),  # a typo
        ("zebra", None),  # nothing close
    ],
)
def test_a_task_status_typed_another_way_suggests_the_workflow_s_own(typed: str, meant: str | None) -> None:
    assert TASK.suggest(typed) == meant


def test_a_word_that_is_a_status_of_the_workflow_is_itself_not_a_synonym() -> None:
    """`active` means in-progress to a task, but it is one of a project's statuses."""
    assert PROJECT.suggest("Active") == "active"
    assert TASK.suggest("active") == "in-progress"


def test_a_synonym_is_only_suggested_when_the_workflow_has_it() -> None:
    custom = Workflow(("backlog", "doing", "shipped"), ("shipped",))
    assert custom.suggest("in review") is None  # no status of it means `review`
    assert custom.suggest("Doing") == "doing"
    assert custom.suggest("in progress") == "doing"  # its own word for `in-progress`, as `wm import` maps it


# -- cancelled statuses ------------------------------------------------------------------------------------


def _workflow(text: str) -> tuple[Workflow | None, list[str]]:
    from workspace_tool.config import load_settings

    settings, problems = load_settings(text, "workspace.yml")
    return settings.workflow("task"), [p.message for p in problems]


def test_a_workflow_s_cancelled_statuses_are_named_or_taken_from_the_done_ones_that_mean_it() -> None:
    default = default_settings().workflow("task")
    assert default is not None and default.cancelled_statuses == ("cancelled",)
    dropped, problems = _workflow("workflows:\n  task:\n    statuses: [todo, doing, done, dropped]\n    done: [done, dropped]\n")
    assert problems == [] and dropped is not None and dropped.cancelled_statuses == ("dropped",)  # a synonym of cancelled
    assert dropped.is_cancelled("dropped") and not dropped.is_cancelled("done")
    named, problems = _workflow("workflows:\n  task:\n    statuses: [todo, done, shelved]\n    done: [done, shelved]\n    cancelled: [shelved]\n")
    assert problems == [] and named is not None and named.cancelled_statuses == ("shelved",)
    none, problems = _workflow("workflows:\n  task:\n    statuses: [todo, done, dropped]\n    done: [done, dropped]\n    cancelled: []\n")
    assert problems == [] and none is not None and none.cancelled_statuses == ()  # said: none of them
    _, problems = _workflow("workflows:\n  task:\n    statuses: [todo, done, shelved]\n    done: [done]\n    cancelled: [shelved]\n")
    assert problems == ["workflows: workflow 'task': cancelled status 'shelved' is not one of its done statuses ['done']"]


@pytest.mark.parametrize("hours", ["0", "-1", "25"])
def test_hours_per_day_must_be_a_working_day(hours: str) -> None:
    from workspace_tool.config import load_settings

    settings, problems = load_settings(f"calendar:\n  hours_per_day: {hours}\n", "workspace.yml")
    assert [p.line for p in problems] == [2] and "hours_per_day" in problems[0].message
    assert settings.calendar.hours_per_day == 8.0  # the default, said in the error
