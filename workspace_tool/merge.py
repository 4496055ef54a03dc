"""A pure three-way merge of documents: frontmatter key by key, the body by lines.

Both sides changing different keys keeps both changes; the same key changed
two ways becomes a conflict for that key only, written with git's conflict
markers inside the frontmatter (which `wm validate` reports as
`merge-conflict` at the marker's line). The body goes through a line merge
passed in by the caller (`gitops.merge_body`, i.e. `git merge-file`).

Two different documents created under one file name (an add/add with no
base) are a whole-file conflict, not one document edited twice, except two
next instances of one recurring task (the same `previous:`: one instance
completed on both sides), which are one document: merged key by key, the
earlier `created:` kept. Time logs
merge their body entry by entry (`merge_entries`): an entry edited or
removed on one side is not revived by the other side's appends.

The conflict markers name the sides as git names them (`conflict_labels`):
in a rebase, HEAD is the upstream and the other side is your commit being
replayed, which plain "ours"/"theirs" would get backwards.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

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


def both_added(base: str, ours: str, theirs: str) -> bool:
    """Whether both sides created the file with different texts (no base): two documents, not one edited twice. Two
    next instances of one recurring task (`_previous_of`) are one document."""
    return base == "" and ours != theirs and ours != "" and theirs != "" and _previous_of(ours, theirs) is None


_PREVIOUS = re.compile(r"previous:\s*(.*?)\s*(?:#.*)?$")
_CREATED = re.compile(r"created:\s*['\"]?(\d{4}-\d{2}-\d{2})['\"]?\s*(?:#.*)?$")


def _first_line(sides: Sides, key: str) -> str:
    lines = sides.blocks.get(key, "").splitlines()
    return lines[0].strip() if lines else ""


def _previous_of(ours: str, theirs: str) -> str | None:
    """The instance both texts continue, when they are two next instances of one recurring task: the same non-empty
    `previous:` on both sides (the file name, with the next due date, is the same too); else None."""
    sides = [cut(t[1:] if t.startswith(BOM) else t) for t in (ours, theirs)]
    found = [_PREVIOUS.match(_first_line(s, "previous")) if s is not None else None for s in sides]
    values = {m.group(1).strip("'\"") for m in found if m is not None}
    return values.pop() if len(values) == 1 and all(found) and "" not in values else None


def _earlier_created(ours: Sides, theirs: Sides) -> tuple[Sides, Sides]:
    """Both sides with the earlier of their two `created:` dates (the instance was made first on that side)."""
    found = [_CREATED.match(_first_line(s, "created")) for s in (ours, theirs)]
    if found[0] is None or found[1] is None or found[0].group(1) == found[1].group(1):
        return ours, theirs
    if found[0].group(1) < found[1].group(1):
        return ours, Sides(theirs.opening, theirs.preamble, theirs.keys, {**theirs.blocks, "created": ours.blocks["created"]}, theirs.closing, theirs.body)
    return Sides(ours.opening, ours.preamble, ours.keys, {**ours.blocks, "created": theirs.blocks["created"]}, ours.closing, ours.body), theirs


def merge_text(
    base: str,
    ours: str,
    theirs: str,
    body_merge: BodyMerge,
    labels: tuple[str, str] = ("ours", "theirs"),
    *,
    separate_adds: bool = True,
) -> tuple[str, bool]:
    """Merge three versions of a document; returns the merged text and whether a conflict remains.

    With `separate_adds`, two different files created on both sides (`both_added`) are a whole-file conflict.
    """
    bom = BOM if ours.startswith(BOM) else ""
    if separate_adds and both_added(base, ours, theirs):
        mine, yours = (_ensure_newline(t[1:] if t.startswith(BOM) else t) for t in (ours, theirs))
        return f"{bom}<<<<<<< {labels[0]}\n{mine}=======\n{yours}>>>>>>> {labels[1]}\n", True
    base_s, ours_s, theirs_s = (cut(t[1:] if t.startswith(BOM) else t) for t in (base, ours, theirs))
    if ours_s is None or theirs_s is None:
        return body_merge(base, ours, theirs)
    if base_s is None:
        base_s = Sides(ours_s.opening, "", (), {}, ours_s.closing, "")
        if base == "" and _previous_of(ours, theirs) is not None:  # one instance made on both sides: made first where it was
            ours_s, theirs_s = _earlier_created(ours_s, theirs_s)
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


# -- conflict labels: which side is which, as git names them ----------------------------

SHORT_SHA = 7  # git's shortest abbreviation
_PICKS = frozenset({"pick", "p", "reword", "r", "edit", "e", "squash", "s", "fixup", "f"})
_HEX = re.compile(r"[0-9a-f]{7,64}")
_MERGE_MSG = re.compile(r"^Merge (?:remote-tracking )?(?:branch|tag|commit) '([^'\n]+)'")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]+")
_PLACEHOLDERS = frozenset({"%S", "%X", "%Y"})  # what a git older than 2.44 leaves of the label placeholders


@dataclass(frozen=True)
class Replay:
    """A rebase in progress: the commit being replayed (your own: git's "theirs") and what HEAD was built from."""

    commit: str  # its SHA (full or abbreviated)
    subject: str  # its first message line ("" when not known)
    upstream: str  # the upstream's name (`origin/main`), or its SHA; "" when not known


def conflict_labels(
    path: str = "", given: tuple[str | None, str | None] = (None, None), replay: Replay | None = None, merging: str | None = None
) -> tuple[str, str]:
    """The labels of the two sides of a conflict (`<<<<<<< OURS`, `>>>>>>> THEIRS`).

    `given`: the labels git passed (`%X`, `%Y`: git 2.44 and later), used when both are. Else, in a
    rebase (`replay`), HEAD with the upstream it was built from and the replayed commit as git labels
    it (`HEAD (upstream: origin/main)`, `1a2b3c4 (Fix the login)`); in a merge of `merging`, `HEAD`
    and that name; else "ours PATH" and "theirs PATH".
    """
    ours, theirs = (usable_label(label) for label in given)
    if ours is not None and theirs is not None:
        return ours, theirs
    if replay is not None:
        upstream = one_line(replay.upstream)
        subject = one_line(replay.subject)
        head = f"HEAD (upstream: {short_sha(upstream)})" if upstream else "HEAD"
        return head, f"{replay.commit[:SHORT_SHA]} ({subject})" if subject else replay.commit[:SHORT_SHA]
    if merging:
        return "HEAD", one_line(merging)
    label = f" {path}" if path else ""
    return f"ours{label}", f"theirs{label}"


def usable_label(label: str | None) -> str | None:
    """A label git passed, on one line; None when it passed none (empty, or the placeholder an older git left as it is)."""
    if label is None or label.strip() in _PLACEHOLDERS:
        return None
    return one_line(label) or None


def one_line(text: str) -> str:
    return _UNPRINTABLE.sub(" ", text).strip()


def short_sha(name: str) -> str:
    """A full SHA abbreviated as git shows it; any other name as it is."""
    return name[:SHORT_SHA] if len(name) in (40, 64) and _HEX.fullmatch(name) else name


def replayed_commit(done: str) -> tuple[str, str] | None:
    """The commit a rebase is replaying, with its subject, from the last line of `rebase-merge/done`
    (`pick 1a2b3c4… Fix the login`); None when that line picks no commit (`exec`, `merge`, `label` …)."""
    lines = done.strip().splitlines()
    if not lines:
        return None
    words = lines[-1].split()
    if not words or words[0] not in _PICKS:
        return None
    rest = [w for w in words[1:] if not w.startswith("-")]  # `fixup -C SHA`
    if not rest or not _HEX.fullmatch(rest[0]):
        return None
    subject = lines[-1].split(rest[0], 1)[1].strip()
    return rest[0], subject


def merging_name(environ: Mapping[str, str], merge_msg: str | None = None) -> str | None:
    """The name git gives the other side of a merge: the `GITHEAD_<sha>` variable `git merge` sets for its one
    other head (`feature`; a `git pull` sets the SHA), else the branch `MERGE_MSG` names; None when neither says."""
    heads = [value for key, value in environ.items() if key.startswith("GITHEAD_")]
    if len(heads) == 1 and heads[0].strip():
        return heads[0]
    if merge_msg is not None:
        found = _MERGE_MSG.match(merge_msg)
        if found:
            return found.group(1)
    return None


def ref_name(refs: Sequence[str], exclude: str = "") -> str | None:
    """The name to show for a commit that the refs `refs` (full names) point at: a local branch, else a
    remote-tracking one, else a tag (`exclude`: the branch being rebased); None when none does."""
    ranked = sorted(
        (rank, name.removeprefix(prefix))
        for name in refs
        if name != exclude and not name.endswith("/HEAD")
        for rank, prefix in enumerate(("refs/heads/", "refs/remotes/", "refs/tags/"))
        if name.startswith(prefix)
    )
    return ranked[0][1] if ranked else None


# -- time logs: entries merged as a multiset of lines --------------------------------


def merge_timelog(base: str, ours: str, theirs: str, labels: tuple[str, str] = ("ours", "theirs")) -> tuple[str, bool]:
    """Merge three versions of a time log: frontmatter key by key, the entries with `merge_entries`."""
    return merge_text(base, ours, theirs, lambda b, o, t: merge_entries(b, o, t, labels), labels, separate_adds=False)


Hunk = tuple[int, int, list[str]]  # base[start:end] replaced by these lines (start == end: an insertion)


def _lines(text: str) -> list[str]:
    return [_ensure_newline(line) for line in text.splitlines(keepends=True)]


def _hunks(base: list[str], side: list[str]) -> list[Hunk]:
    matcher = SequenceMatcher(None, base, side, autojunk=False)
    hunks: list[Hunk] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            hunks.extend(_split(base, i1, i2, side[j1:j2]))
        elif op != "equal":
            hunks.append((i1, i2, side[j1:j2]))
    return hunks


def _split(base: list[str], start: int, end: int, lines: list[str]) -> list[Hunk]:
    """A replacement cut into one-line replacements of the lines most alike, in order, and plain insertions or
    removals of the rest: an entry edited next to one appended is an edit and an append, not one change."""
    old = base[start:end]
    pairs = min(len(old), len(lines))

    def likeness(offset: int) -> float:
        if len(lines) >= len(old):
            return sum(SequenceMatcher(None, old[k], lines[offset + k]).ratio() for k in range(pairs))
        return sum(SequenceMatcher(None, old[offset + k], lines[k]).ratio() for k in range(pairs))

    offset = max(range(abs(len(lines) - len(old)) + 1), key=likeness)
    hunks: list[Hunk] = []
    if len(lines) >= len(old):
        if offset:
            hunks.append((start, start, lines[:offset]))
        hunks.extend((start + k, start + k + 1, [lines[offset + k]]) for k in range(pairs))
        if offset + pairs < len(lines):
            hunks.append((end, end, lines[offset + pairs :]))
    else:
        if offset:
            hunks.append((start, start + offset, []))
        hunks.extend((start + offset + k, start + offset + k + 1, [lines[k]]) for k in range(pairs))
        if offset + pairs < len(old):
            hunks.append((start + offset + pairs, end, []))
    return hunks


def merge_entries(base: str, ours: str, theirs: str, labels: tuple[str, str] = ("ours", "theirs")) -> tuple[str, bool]:
    """A line merge for time-log bodies: ours, without the lines theirs removed or changed, plus the lines theirs
    added, where they stand (both sides' additions at one place: ours first).

    Lines count as a multiset: a line theirs added that ours added too is kept once (the same entry, made on
    both sides), as many times as both added it. Only a base line changed on both sides in different ways
    (or changed on one and removed on the other) is a conflict, with git's markers around both versions.
    """
    old, mine, yours = _lines(base), _lines(ours), _lines(theirs)
    ours_hunks, theirs_hunks = _hunks(old, mine), _hunks(old, yours)
    ours_added = Counter(line for _, _, lines in ours_hunks for line in lines)  # theirs' additions match these once each
    out: list[str] = []
    conflict = False
    position = 0
    while position <= len(old):
        for start, end, lines in ours_hunks:
            if start == end == position:
                out.extend(lines)
        for start, end, lines in theirs_hunks:
            if start == end == position:
                out.extend(_unmatched(lines, ours_added))
        if position == len(old):
            break
        end = _region_end(position, ours_hunks, theirs_hunks)
        if end == position:
            out.append(old[position])
            position += 1
            continue
        mine_in = [h for h in ours_hunks if position <= h[0] < end and h[0] < h[1] or position < h[0] < end]
        yours_in = [h for h in theirs_hunks if position <= h[0] < end and h[0] < h[1] or position < h[0] < end]
        region = old[position:end]
        mine_text, yours_text = _apply(region, position, mine_in), _apply(region, position, yours_in)
        if not yours_in:
            out.extend(mine_text)
        elif not mine_in:
            out.extend(_apply(region, position, [(start, stop, _unmatched(lines, ours_added)) for start, stop, lines in yours_in]))
        elif mine_text == yours_text:
            for _, _, lines in yours_in:
                _unmatched(lines, ours_added)
            out.extend(mine_text)
        elif not any(h[2] for h in mine_in + yours_in):  # removals only: drop what either side removed
            out.extend(_apply(region, position, sorted(mine_in + yours_in, key=lambda h: h[0]), overlapping=True))
        else:
            conflict = True
            out.append(f"<<<<<<< {labels[0]}\n")
            out.extend(mine_text)
            out.append("=======\n")
            out.extend(yours_text)
            out.append(f">>>>>>> {labels[1]}\n")
        position = end
    return "".join(out), conflict


def _region_end(position: int, *sides: Sequence[Hunk]) -> int:
    """The end of the base lines changed from `position` on by either side (hunks that overlap chain together)."""
    end = position
    for start, stop, _ in (h for side in sides for h in side):
        if start == position and stop > start:
            end = max(end, stop)
    grown = True
    while grown:
        grown = False
        for start, stop, _ in (h for side in sides for h in side):
            if position < start < end and stop > end:
                end, grown = stop, True
    return end


def _apply(region: list[str], offset: int, hunks: Sequence[Hunk], overlapping: bool = False) -> list[str]:
    """`region` (base lines from `offset`) with `hunks` applied; `overlapping` removals may cover the same lines."""
    if overlapping:
        gone = {i for start, stop, _ in hunks for i in range(start, stop)}
        return [line for i, line in enumerate(region, offset) if i not in gone]
    out: list[str] = []
    at = offset
    for start, stop, lines in hunks:
        out.extend(region[at - offset : start - offset])
        out.extend(lines)
        at = stop
    out.extend(region[at - offset :])
    return out


def _unmatched(lines: list[str], ours_added: Counter[str]) -> list[str]:
    """Lines theirs added, without those ours added too (each of ours matching one of theirs)."""
    out = []
    for line in lines:
        if ours_added[line] > 0:
            ours_added[line] -= 1
        else:
            out.append(line)
    return out


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def log_appends(base: str, ours: str, theirs: str, heading: str = "## Log") -> str | None:
    """The body both sides changed only by adding lines inside its `## Log` section (`wm comment` on two clones): base
    with ours' lines, then theirs', at each place; a line both added at one place is kept once. None when either side
    changed anything else (a line merge, with its conflicts if any, decides then). Pure."""
    base_lines, ours_lines, theirs_lines = _lines(base), _lines(ours), _lines(theirs)
    section = _section(base_lines, heading)
    if section is None:  # no log yet: each side may have started one at the end (its heading is then added once)
        if _section(ours_lines, heading) is None or _section(theirs_lines, heading) is None:
            return None
        section = (len(base_lines), len(base_lines))
    first, end = section  # insertions at indexes first..end (after the heading, up to the next heading) are the log's
    inserted: list[dict[int, list[str]]] = []
    for side in (ours_lines, theirs_lines):
        at: dict[int, list[str]] = {}
        for op, i1, _i2, j1, j2 in SequenceMatcher(None, base_lines, side, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            if op != "insert" or not first <= i1 <= end:
                return None
            at.setdefault(i1, []).extend(side[j1:j2])
        inserted.append(at)
    ours_at, theirs_at = inserted
    out: list[str] = []
    for index in range(len(base_lines) + 1):
        mine = ours_at.get(index, [])
        out.extend(mine)
        out.extend(line for line in theirs_at.get(index, []) if line not in mine)
        if index < len(base_lines):
            out.append(base_lines[index])
    return "".join(out)


def _section(lines: list[str], heading: str) -> tuple[int, int] | None:
    """The insertion points of the section under `heading` (case and spacing aside): from just after the heading line
    to the next heading of the same or a higher level (or the end); None without one. Code blocks aside."""
    wanted = heading.strip().lower()
    level = len(wanted) - len(wanted.lstrip("#"))
    start: int | None = None
    fenced = False
    for number, line in enumerate(lines):
        bare = line.strip()
        if bare.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced:
            continue
        found = _HEADING.match(bare)
        if start is None:
            if found and f"{found.group(1)} {found.group(2).strip()}".lower() == wanted:
                start = number + 1
        elif found and len(found.group(1)) <= level:
            return start, number
    return None if start is None else (start, len(lines))
