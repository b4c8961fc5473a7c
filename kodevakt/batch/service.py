"""The service functions the CLI, storage and reports call: `run_patterns` (or its two
steps `batch_view` and `view_findings`), `drg_lookup`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import cast

from kodevakt.batch.indicators import (
    IndicatorValue,
    compute_indicators,
    default_facts,
)
from kodevakt.batch.patterns.registry import PATTERN_RULES, PatternRule
from kodevakt.batch.periods import Tertial, parse_tertial, period_label
from kodevakt.batch.view import BatchView, DrgLookup, UnitHit
from kodevakt.codes.codebase import CodeBase
from kodevakt.episodes.model import Episode
from kodevakt.errors import KodevaktError
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.finding import Finding, make_finding
from kodevakt.rules.registry import choose

Pairs = Iterable[tuple[Episode, Sequence[Finding]]]


def pattern_rules(
    select_codes: Iterable[str] = ("M",), ignore: Iterable[str] = ()
) -> list[PatternRule]:
    """The pattern rules chosen by code prefix (default: all of M01–M07 that are not preview)."""
    return choose(PATTERN_RULES.listed(), select_codes, ignore, preview=False)


def run_patterns(
    episodes_with_findings: Pairs,
    period: Tertial | str | None = None,
    previous: Pairs | Iterable[IndicatorValue] | None = None,
    *,
    base: CodeBase | None = None,
    drg: DrgLookup | None = None,
    targets: Mapping[str, float] | None = None,
    rules: Sequence[PatternRule] | None = None,
) -> list[Finding]:
    """Findings of the pattern rules M01–M07 over one batch.

    `episodes_with_findings`: each episode of the batch with its per-episode findings (from
    `Checker.check_episode`). `period`: the batch's label (`2025T1`); without it every episode
    counts in the tertial of its discharge date. `previous`: the previous period, either as
    (episode, findings) pairs — its episodes then also serve as context for stays split across
    the period boundary — or as its `IndicatorValue`s; M05 compares against it. `drg`: a DRG
    lookup (`drg_lookup(...)`) for M01's "same DRG"; without it M01 compares 3-character
    categories only. `targets`: reference values per indicator key for M04 instead of the
    pooled batch value. Findings belong to episodes of this batch only; one about a unit's
    practice (M04, M05, M07) comes once, with no `episode_id` and the episodes behind it in
    `Finding.episodes`.
    """
    view = batch_view(episodes_with_findings, period, previous, base=base, drg=drg, targets=targets)
    return view_findings(view, rules)


def batch_view(
    episodes_with_findings: Pairs,
    period: Tertial | str | None = None,
    previous: Pairs | Iterable[IndicatorValue] | None = None,
    *,
    base: CodeBase | None = None,
    drg: DrgLookup | None = None,
    targets: Mapping[str, float] | None = None,
) -> BatchView:
    """The batch as the pattern rules read it (arguments as for `run_patterns`); its
    `indicators` are the batch's indicator values, which the store keeps with the findings."""
    facts = default_facts(base)
    previous_values, context = _previous(previous, period, facts)
    return BatchView(
        episodes_with_findings,
        facts,
        period=period,
        previous_indicators=previous_values,
        context=context,
        drg=drg,
        targets=targets,
    )


def view_findings(view: BatchView, rules: Sequence[PatternRule] | None = None) -> list[Finding]:
    """The findings of the pattern rules (default: all in force) over a built `BatchView`."""
    findings: list[Finding] = []
    for current in rules if rules is not None else pattern_rules():
        for found in current.check(view):
            if isinstance(found, UnitHit):
                episode, involved = found.episodes[0], tuple(e.id for e in found.episodes)
            else:
                episode, involved = found.episode, ()
            year = view.year_of(episode)
            if not current.in_force(year):
                continue
            episode_id = "" if involved else episode.id
            findings.append(make_finding(episode_id, current, year, found.hit, involved))
    return findings


def _previous(
    previous: Pairs | Iterable[IndicatorValue] | None,
    period: Tertial | str | None,
    facts: FactsCache,
) -> tuple[list[IndicatorValue], list[Episode]]:
    items = list(previous) if previous is not None else []
    if not items:
        return [], []
    if all(isinstance(item, IndicatorValue) for item in items):
        return cast(list[IndicatorValue], items), []
    pairs = cast(list[tuple[Episode, Sequence[Finding]]], items)
    label = None
    if period is not None:
        tertial = period if isinstance(period, Tertial) else parse_tertial(period_label(period))
        label = tertial.previous().label if tertial is not None else None
    values = compute_indicators(pairs, label, facts=facts)
    return values, [episode for episode, _ in pairs]


def drg_lookup(definitions: object = None) -> DrgLookup:
    """A DRG lookup for `run_patterns` from definition tables (a `Definitions`, `DrgTables`,
    or a path; default `KODEVAKT_DRG_DEFINITIONS`). An episode the tables cannot group (no
    tables for its year, say) gets None. Loading fails with `CodeListError` when no tables
    are given at all.
    """
    from kodevakt.drg import Definitions, DrgTables, group, load_definitions

    loaded: Definitions | DrgTables
    if isinstance(definitions, Definitions | DrgTables):
        loaded = definitions
    else:
        loaded = load_definitions(cast(str | Path | None, definitions))

    def lookup(episode: Episode) -> str | None:
        try:
            return group(episode, loaded, explain=False).drg
        except KodevaktError:
            return None

    return lookup
