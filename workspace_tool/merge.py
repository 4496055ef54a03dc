"""A pure three-way merge of documents: frontmatter key by key, the body by lines.

Both sides changing different keys keeps both changes; the same key changed
two ways becomes a conflict for that key only, written with git's conflict
markers inside the frontmatter (which `wm validate` reports as
`merge-conflict` at the marker's line). The body goes through a line merge
passed in by the caller (`gitops.merge_body`, i.e. `git merge-file`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workspace_tool.edit import BOM, _bare, _key_of, find_frontmatter, split_lines

BodyMerge = Callable[[str, str, str], tuple[str, bool]]


@dataclass(frozen=True)
class Sides:
    """One version of a document cut into a prefix, per-key blocks and the body."""

    opening: str  # the `---` line (with its ending)
    preamble: str  # lines before the first key (comments, blank lines)
    keys: tuple[str, ...]
    blocks: dict[str, str]  # key -> its lines (key line, continuation lines, trailing comments)
    closing: str  # the closing `---` line
    body: str


def cut(text: str) -> Sides | None:
    """Cut a document; None when it has no readable frontmatter (then merge it as plain text)."""
    lines = split_lines(text)
    fm = find_frontmatter(lines)
    if fm is None:
        return None
    preamble: list[str] = []
    keys: list[str] = []
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for number in range(fm.start, fm.end):
        line = lines[number]
        key = _key_of(line)
        bare = _bare(line)
        if key is not None:
            if key in blocks:
                return None  # a duplicate key: leave it to the line merge
            current = key
            keys.append(key)
            blocks[key] = [line]
        elif current is None:
            if bare and bare[0] not in " \t#":
                return None  # not a plain mapping
            preamble.append(line)
        else:
            blocks[current].append(line)
    closing = lines[fm.end]
    if not closing.endswith("\n"):
        closing += "\n"
    return Sides(
        lines[0], "".join(preamble), tuple(keys), {k: "".join(v) for k, v in blocks.items()}, closing, "".join(lines[fm.end + 1 :])
    )


def _ensure_newline(block: str) -> str:
    return block if block.endswith("\n") else block + "\n"


def merge_text(base: str, ours: str, theirs: str, body_merge: BodyMerge, labels: tuple[str, str] = ("ours", "theirs")) -> tuple[str, bool]:
    """Merge three versions of a document; returns the merged text and whether a conflict remains."""
    bom = BOM if ours.startswith(BOM) else ""
    base_s, ours_s, theirs_s = (cut(t[1:] if t.startswith(BOM) else t) for t in (base, ours, theirs))
    if ours_s is None or theirs_s is None:
        return body_merge(base, ours, theirs)
    if base_s is None:
        base_s = Sides(ours_s.opening, "", (), {}, ours_s.closing, "")
    head_conflict, preamble = _merge_piece(base_s.preamble, ours_s.preamble, theirs_s.preamble)
    out = [ours_s.opening, preamble if not head_conflict else ours_s.preamble]
    conflict = False
    for key in _key_order(base_s, ours_s, theirs_s):
        clash, block = _merge_key(key, base_s, ours_s, theirs_s, labels)
        conflict = conflict or clash
        out.append(block)
    out.append(ours_s.closing)
    body, body_conflict = body_merge(base_s.body, ours_s.body, theirs_s.body)
    return bom + "".join(out) + body, conflict or body_conflict


def _merge_piece(base: str, ours: str, theirs: str) -> tuple[bool, str]:
    if ours == theirs or theirs == base:
        return False, ours
    if ours == base:
        return False, theirs
    return True, ours


def _key_order(base: Sides, ours: Sides, theirs: Sides) -> list[str]:
    """Our key order; keys only they added go after the key that precedes them on their side."""
    order = list(ours.keys)
    for position, key in enumerate(theirs.keys):
        if key in order or (key in base.blocks and key not in ours.blocks):
            continue
        before = next((k for k in reversed(theirs.keys[:position]) if k in order), None)
        order.insert(order.index(before) + 1 if before else 0, key)
    return order


def _merge_key(key: str, base: Sides, ours: Sides, theirs: Sides, labels: tuple[str, str]) -> tuple[bool, str]:
    b, o, t = base.blocks.get(key), ours.blocks.get(key), theirs.blocks.get(key)
    if o == t or t == b:
        return False, _ensure_newline(o) if o is not None else ""
    if o == b:
        return False, _ensure_newline(t) if t is not None else ""
    mine = _ensure_newline(o) if o is not None else ""
    yours = _ensure_newline(t) if t is not None else ""
    return True, f"<<<<<<< {labels[0]}\n{mine}=======\n{yours}>>>>>>> {labels[1]}\n"
