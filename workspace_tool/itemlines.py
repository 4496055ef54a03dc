"""Where a value inside a frontmatter key's value is: the line of a list item, or of a key of a nested mapping.

The parse keeps only the top-level keys' lines (`yamlload.key_lines`). A
diagnostic about one item of a list (a `key_results:` entry whose `target`
is no number, a `leave:` range that ends before it starts, an unknown ID in
a block list of `depends_on`) asks here for that item's line, so documents
without problems pay nothing for it. YAML's own parser composes the
frontmatter and the path is followed through its nodes, whose marks are
exact whatever the layout: block or flow lists, comments and blank lines
between items, items over several lines, quoted keys. Pure, no I/O.
"""

from __future__ import annotations

import functools
from typing import Sequence

import yaml

from workspace_tool.yamlload import SafeLoader

Step = str | int
"""A mapping key, or a list index (from 0)."""


def value_line(frontmatter: str, path: Sequence[Step], line_offset: int = 0) -> int | None:
    """The 1-based file line of the value at `path` in `frontmatter`: a top-level key, then list indexes and keys
    of nested mappings (`("key_results", 2, "target")`). `line_offset` is the number of file lines before the text.

    A mapping key is at its key's line (the last of a key written twice: the one YAML reads); a list item at the
    line its value starts on (`- x`'s line; for `-` alone on a line, its value's next line). Where the path
    leads past what the text holds (an index beyond the list, a key a merge `<<:` brings in), the line of the
    deepest step found; None when not even the top-level key is there, or the text is no YAML.
    """
    node = _compose(frontmatter)
    line: int | None = None
    for step in path:
        found = _step(node, step)
        if found is None:
            break
        line, node = found
    return None if line is None else line_offset + line + 1


@functools.lru_cache(maxsize=1)
def _compose(frontmatter: str) -> yaml.Node | None:
    """The YAML node tree of `frontmatter` (None: no YAML), kept for the next call: a list with many refused items
    asks for each item's line, and composing the text once per item would be quadratic."""
    try:
        return yaml.compose(frontmatter, Loader=SafeLoader)  # noqa: S506 - SafeLoader/CSafeLoader only
    except yaml.YAMLError:
        return None


def _step(node: yaml.Node | None, step: Step) -> tuple[int, yaml.Node] | None:
    """The 0-based line of `step` within `node`, and the node it leads to; None when it is not there."""
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        found = None
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                found = key.start_mark.line, value
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        item = node.value[step]
        return item.start_mark.line, item
    return None

