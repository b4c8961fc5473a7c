"""Building a rule's machine-applicable correction (`Fix`) from the episode it fired on.

Rules call these only when they fire, so checking stays as fast as before. Every helper starts
from the codes exactly as written (`CodeFacts.raw`) and changes only what the correction is
about; a condition group that a correction empties is removed, so the next group moves up.
Locations follow the view: `ref.group` and `ref.position` index the episode's groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kodevakt.rules.finding import Fix
from kodevakt.rules.view import CodeRef, EpisodeView

Groups = list[list[str]]
Cells = list[list[str | None]]  # None marks a code taken out of its place


def written(groups: Sequence[Sequence[CodeRef]]) -> Groups:
    """The codes of `groups` as the episode wrote them."""
    return [[ref.facts.raw for ref in group] for group in groups]


def cells(view: EpisodeView) -> Cells:
    """The condition codes as written, in cells a correction may empty (set to None)."""
    return [[ref.facts.raw for ref in group] for group in view.conditions]


def from_cells(found: Cells) -> Fix:
    """The fix for `found`: codes taken out are gone, and so is a group they emptied."""
    return Fix(
        conditions=tuple(
            tuple(code for code in group if code is not None)
            for group in found
            if not group or any(code is not None for code in group)
        )
    )


def conditions(groups: Iterable[Sequence[str]]) -> Fix:
    """A fix whose condition groups are `groups`."""
    return Fix(conditions=tuple(tuple(group) for group in groups))


def procedures(groups: Iterable[Sequence[str]]) -> Fix:
    """A fix whose procedure groups hold `groups` (same count and order, so dates stay)."""
    return Fix(procedures=tuple(tuple(group) for group in groups))


def drop(view: EpisodeView, *refs: CodeRef) -> Fix:
    """The conditions without the codes `refs`."""
    return edit(view, dropped=refs)


def edit(
    view: EpisodeView,
    replacements: Iterable[tuple[CodeRef, str]] = (),
    dropped: Iterable[CodeRef] = (),
) -> Fix:
    """The conditions with some codes replaced where they stand and others taken out."""
    found = cells(view)
    for ref, code in replacements:
        found[ref.group][ref.position] = code
    for ref in dropped:
        found[ref.group][ref.position] = None
    return from_cells(found)


def replace_code(view: EpisodeView, ref: CodeRef, code: str) -> Fix:
    """`ref` replaced by `code` where it stands (a condition or a procedure code)."""
    if ref.in_procedures:
        groups = written(view.procedures)
        groups[ref.group][ref.position] = code
        return procedures(groups)
    groups = written(view.conditions)
    groups[ref.group][ref.position] = code
    return conditions(groups)


def replace_written(view: EpisodeView, raw: str, code: str) -> Fix:
    """Every code written `raw`, condition or procedure, replaced by `code`."""
    conditions_now = written(view.conditions)
    procedures_now = written(view.procedures)
    new_conditions = [[code if c == raw else c for c in group] for group in conditions_now]
    new_procedures = [[code if c == raw else c for c in group] for group in procedures_now]
    return Fix(
        conditions=tuple(map(tuple, new_conditions)) if new_conditions != conditions_now else None,
        procedures=tuple(map(tuple, new_procedures)) if new_procedures != procedures_now else None,
    )


def move(view: EpisodeView, ref: CodeRef, host: CodeRef, *, before: bool = False) -> Fix:
    """The condition code `ref` moved next to `host` (after it, or before it), in host's group."""
    found = cells(view)
    code = found[ref.group][ref.position]
    found[ref.group][ref.position] = None
    found[host.group].insert(host.position if before else host.position + 1, code)
    return from_cells(found)


def move_to_group_end(view: EpisodeView, ref: CodeRef, group: int) -> Fix:
    """The condition code `ref` moved to the end of condition group `group`."""
    found = cells(view)
    code = found[ref.group][ref.position]
    found[ref.group][ref.position] = None
    found[group].append(code)
    return from_cells(found)


def promote(view: EpisodeView, ref: CodeRef, *, join: bool) -> Fix:
    """`ref`'s condition made the main condition.

    From another group: with `join`, the old main condition's codes follow the codes of ref's
    group in one group (`N30.0+B96.2` from `B96.2; N30.0`); without, ref's group moves to the
    front and the old main condition becomes the first other condition. From the main group:
    with `join`, ref moves to the front of the group; without, the old first code leaves the
    group and becomes the first other condition (`J12.8; U07.1` from `U07.1+J12.8`).
    """
    groups = written(view.conditions)
    if ref.group == 0:
        main = groups[0]
        code = main.pop(ref.position)
        if join:
            return conditions([[code, *main], *groups[1:]])
        old = main.pop(0)
        return conditions([[code, *main], [old], *groups[1:]])
    own = groups.pop(ref.group)
    if join:
        return conditions([own + groups[0], *groups[1:]])
    return conditions([own, *groups])
