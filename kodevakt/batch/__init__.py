"""Batch analysis: patterns across episodes (rules M01–M07) and quality indicators.

A batch is a hospital's extract for a period: episodes with the findings the per-episode
checker gave them. The storage and report layers call these service functions:

    from kodevakt.batch import compute_indicators, run_patterns

    pairs = [(episode, checker.check_episode(episode)) for episode in episodes]
    values = compute_indicators(pairs, "2025T1")        # list[IndicatorValue]
    findings = run_patterns(pairs, "2025T1", previous=last_tertial_values)  # list[Finding]

- `compute_indicators(pairs, period=None, *, base=None)` → `IndicatorValue`s (unit kind
  total/institution/department, unit, period, indicator key, Norwegian label, kind
  share/mean, numerator, denominator, value, spread for means, institution). One pass; the
  indicators are listed in `INDICATORS` (`indicators.py`).
- `run_patterns(pairs, period=None, previous=None, *, base=None, drg=None, targets=None,
  rules=None)` → `Finding`s of M01–M07. M01–M03 and M06 are attached to an episode of this
  batch, the location naming the other episodes (`episodes[ep-1]`); M04, M05 and M07 are
  about a unit's practice: one finding per unit with no `episode_id`, the episodes behind it
  in `Finding.episodes` and the unit in the location
  (`department[HF1/MED].main_symptom_code@2025T1`). `previous` is the previous period as
  pairs or as its `IndicatorValue`s; `drg=drg_lookup(path)` adds M01's "same DRG".
  `batch_view(...)` and `view_findings(view, rules)` are its two steps, for a caller that
  also wants the batch's indicator values (`view.indicators`) without a second pass.
- `funnels(values, unit_kind)` → a `Funnel` per indicator and period: target, the units with
  their `FunnelLimits` (`outside` is "", "95" or "99.8"); `Funnel.limits(n)` and
  `funnel_curve(...)` give the curves to draw. `changes(values, pairs)` → `Change`s between
  periods with their z. `Tertial` / `parse_tertial` / `episode_tertial` handle `2025T1`.

Modules: `periods` (tertials), `funnel` (control limits), `indicators`, `compare` (funnels and
changes), `view` (`BatchView`, what the M rules read), `patterns/` (the rules, registered as
`PatternRule`s in `patterns/registry.py`), `catalogue` (every rule of both kinds, for listings
and docs/rules.md), `service`.
"""

from kodevakt.batch.compare import Change, Funnel, FunnelUnit, changes, funnels
from kodevakt.batch.funnel import FunnelLimits, funnel_curve, mean_limits, proportion_limits
from kodevakt.batch.indicators import (
    INDICATOR_BY_KEY,
    INDICATORS,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    UnitKind,
    compute_indicators,
)
from kodevakt.batch.periods import Tertial, episode_tertial, parse_tertial
from kodevakt.batch.service import (
    batch_view,
    drg_lookup,
    pattern_rules,
    run_patterns,
    view_findings,
)
from kodevakt.batch.view import BatchView, PatternHit, UnitHit

__all__ = [
    "INDICATORS",
    "INDICATOR_BY_KEY",
    "BatchView",
    "Change",
    "Funnel",
    "FunnelLimits",
    "FunnelUnit",
    "Indicator",
    "IndicatorKind",
    "IndicatorValue",
    "PatternHit",
    "Tertial",
    "UnitHit",
    "UnitKind",
    "batch_view",
    "changes",
    "compute_indicators",
    "drg_lookup",
    "episode_tertial",
    "funnel_curve",
    "funnels",
    "mean_limits",
    "parse_tertial",
    "pattern_rules",
    "proportion_limits",
    "run_patterns",
    "view_findings",
]
