"""The workspace's own templates checked for `wm validate`, so CI finds a broken one before the next `wm new` or
`wm apply` does: each document template compiles and names only variables `wm new` sets, and each process template
reads (its steps, roles, offsets and dependencies: `process.parse_process`)."""

from __future__ import annotations

import re

from workspace_tool.create import template_problem
from workspace_tool.errors import Diagnostic, WorkspaceError
from workspace_tool.index import Index
from workspace_tool.model import DOC_TYPES
from workspace_tool.process import FOLDER, load_process, template_names

_WHERE = re.compile(r"^(?P<path>[^:\n]+\.md):(?P<line>\d+): (?P<message>.*)$", re.DOTALL)


def template_diagnostics(index: Index) -> list[Diagnostic]:
    """One `template` error per broken template of the workspace (none for the built-in ones)."""
    found = []
    for doc_type in DOC_TYPES:
        problem = template_problem(index.root, doc_type)
        if problem is not None:
            found.append(Diagnostic(f"templates/{doc_type}.md", problem[0], "error", "template", problem[1]))
    for name in template_names(index.root):
        try:
            load_process(index, name)
        except WorkspaceError as exc:
            match = _WHERE.match(exc.message)
            path, line, message = (match["path"], int(match["line"]), match["message"]) if match else (f"{FOLDER}/{name}.md", 1, exc.message)
            found.append(Diagnostic(path, line, "error", "template", message))
        except (OSError, UnicodeDecodeError) as exc:
            found.append(Diagnostic(f"{FOLDER}/{name}.md", 1, "error", "template", f"cannot read the template: {exc}"))
    return found
