"""One episode checked for the Sjekk page: its findings, each fix in the notation, and the DRG
before and after each fix when definition tables are loaded.

The findings are the checker's (`kodevakt check`'s rules); the DRG comparison is
`kodevakt.drg.effect.episode_effects`, the one `kodevakt effect` prints, with the tables of
the episode's year. A finding is named by its rule and location (`T02:conditions[0][0]`): the
"Bruk forslaget" button sends that name back, and the fix applied is the one a fresh check of
the submitted form gives, never codes sent by the browser.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from kodevakt.drg import Definitions, DrgResult, episode_input
from kodevakt.drg.effect import FIX, Effect, episode_effects
from kodevakt.drg.weights import Weights
from kodevakt.drg.years import TableYears
from kodevakt.episodes.model import Episode
from kodevakt.episodes.notation import format_conditions, format_procedures
from kodevakt.errors import CodeListError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Fix, Severity

log = logging.getLogger("kodevakt.web")


@dataclass(frozen=True, slots=True)
class CheckedFinding:
    finding: Finding
    key: str
    fixed_conditions: str | None  # the condition groups after the fix, when it changes them
    fixed_procedures: str | None
    effect: Effect | None  # DRG before and after the fix


@dataclass(frozen=True, slots=True)
class Checked:
    """The findings of one episode, most severe first, and its DRG as coded."""

    findings: list[CheckedFinding]
    drg: DrgResult | None = None
    weight: float | None = None
    drg_note: str | None = None  # why no DRG is shown although tables are loaded

    def count(self, severity: Severity) -> int:
        return sum(1 for item in self.findings if item.finding.severity is severity)


def finding_key(finding: Finding) -> str:
    return f"{finding.rule}:{finding.location}"


_FIELDS = {
    "patient": "pasienten",
    "patient.sex": "kjønn",
    "episode": "episoden",
    "id": "episode-id",
}
_PLACE = re.compile(r"(conditions|procedures)(?:\[(\d+)\])?(?:\[(\d+)\])?")


def place(location: str) -> str:
    """`conditions[1][0]` → "tilstand 2, kode 1", for coders; other locations as they are."""
    found = _PLACE.fullmatch(location)
    if found is None:
        return _FIELDS.get(location, location)
    part, group, position = found.groups()
    if group is None:
        return "tilstandene" if part == "conditions" else "prosedyrene"
    g = int(group)
    if part == "conditions":
        where = "hovedtilstanden" if g == 0 else f"tilstand {g + 1}"
    else:
        where = f"prosedyregruppe {g + 1}"
    return where if position is None else f"{where}, kode {int(position) + 1}"


def check_episode(
    episode: Episode,
    checker: Checker,
    definitions: Definitions | None = None,
    weights: Weights | None = None,
) -> Checked:
    findings = sorted(
        checker.check_episode(episode), key=lambda f: (-f.severity.rank, f.rule, f.location)
    )
    if definitions is None:
        return Checked([_checked(episode, f, None) for f in findings])
    try:
        tables = definitions.tables(TableYears(definitions.years).choose(episode.rule_date))
    except CodeListError as exc:
        note = f"DRG vises ikke: {exc.message}."
        return Checked([_checked(episode, f, None) for f in findings], drg_note=note)
    try:
        effects = {
            f"{effect.rule}:{effect.location}": effect
            for effect in episode_effects(episode, findings, tables, weights)
            if effect.kind == FIX
        }
        drg = tables.group(episode_input(episode, year=tables.year), explain_row=False)
    except Exception as exc:  # the findings are still worth showing; the CLI does the same
        log.error("DRG-grupperingen feilet (%s)", type(exc).__name__)  # no values: patient data
        note = "DRG kunne ikke beregnes for denne episoden."
        return Checked([_checked(episode, f, None) for f in findings], drg_note=note)
    weight = weights.weight(drg.drg, tables.year) if weights is not None else None
    return Checked(
        [_checked(episode, f, effects.get(finding_key(f))) for f in findings], drg, weight
    )


def fix_named(checked: Checked, key: str) -> Fix | None:
    """The fix of the finding named `key`, if the check still has it."""
    for item in checked.findings:
        if item.key == key and item.finding.fix is not None:
            return item.finding.fix
    return None


def _checked(episode: Episode, finding: Finding, effect: Effect | None) -> CheckedFinding:
    fix = finding.fix
    if fix is None:
        return CheckedFinding(finding, finding_key(finding), None, None, effect)
    fixed = fix.apply(episode)
    return CheckedFinding(
        finding,
        finding_key(finding),
        format_conditions(fixed.conditions) if fix.conditions is not None else None,
        format_procedures(fixed.procedures) if fix.procedures is not None else None,
        effect,
    )
