"""The pattern rules' registry: rules over a whole batch (M01–M07), a kind of rule of its own.

A pattern rule declares the metadata every rule does (`kodevakt.rules.registry.Rule`), but its
check is handed a `BatchView` instead of an episode and yields `PatternHit`s naming the episode
each finding belongs to, or `UnitHit`s naming the episodes behind a finding about a unit's
practice. `kodevakt.batch.view_findings` runs these rules; the per-episode `Checker` never
sees them. The registry is complete whenever this module can be read: importing it imports
its package first, whose `__init__` imports every pattern module. The rules' examples, a
small batch each, are `M.toml` in this folder (see `kodevakt.rules.examples`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files

from kodevakt.batch.view import BatchCheck
from kodevakt.rules.finding import Severity
from kodevakt.rules.registry import Registry, Rule, RuleStatus


class Scope(StrEnum):
    """The part of a batch a pattern rule's findings depend on, besides the whole batch's
    figures (`BatchTotals`): its check gives the same findings about that part from a view
    of the part (handed the totals) as from a view of the whole batch. A distributed run
    (`kodevakt.spark`) splits a batch by it; tests/batch/test_pattern_parts.py holds every
    rule to it."""

    PATIENT = "patient"  # one patient's episodes, with the previous period's (`by_patient`)
    INSTITUTION = "institution"  # one institution's episodes, its departments' with them


@dataclass(frozen=True, slots=True)
class PatternRule(Rule[BatchCheck]):
    """A rule over a whole batch: its check reads a `BatchView`."""

    scope: Scope = Scope.INSTITUTION


PATTERN_RULES: Registry[PatternRule] = Registry(files("kodevakt.batch.patterns") / "M.toml")


def pattern_rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    title: str,
    source: str,
    fixable: bool,
    scope: Scope,
    years: tuple[int | None, int | None] = (None, None),
    status: RuleStatus = RuleStatus.STABLE,
    aliases: tuple[str, ...] = (),
) -> Callable[[BatchCheck], BatchCheck]:
    """Register the decorated function as pattern rule `code` (see `kodevakt.rules.registry.rule`
    for `fixable` and `aliases`; `Scope` for `scope`)."""

    return PATTERN_RULES.registering(
        PatternRule,
        code,
        name,
        severity,
        title=title,
        source=source,
        years=years,
        status=status,
        fixable=fixable,
        aliases=aliases,
        scope=scope,
    )
