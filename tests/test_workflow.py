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
    assert custom.suggest("in progress") is None  # `in-progress` is not one of its statuses
    assert custom.suggest("Doing") == "doing"
