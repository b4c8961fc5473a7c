"""What a coding error costs: DRG and weight before and after each finding's fix.

For an episode and its findings, every finding that carries a machine-applicable `Fix` is
tried: the episode is grouped as coded and again with the fix applied, with the definition
tables for the episode's year, and the DRG, MDC, return code and (when weights are loaded) the
cost weight before and after are reported. Each fix is judged alone, against the episode as
coded.

Multiple coding is made explicit too. For every condition group with two or more diagnosis
codes (`J12.8+U07.1`), the tables are asked what they do with the first two codes as a
diagnosis pair (the second code then decides MDC and category, see docs/drg.md) and with the
first code alone (the second as a diagnosis of its own). When the two differ, a `pair` effect
says so, whatever the episode's year sends to the grouper: from 2023 the codes of a group go
as a pair, before 2023 only dagger/asterisk pairs do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.drg.grouper import DrgTables
from kodevakt.drg.input import episode_input
from kodevakt.drg.model import DrgInput, DrgResult
from kodevakt.drg.strings import DIAGNOSIS_PAIRS
from kodevakt.drg.weights import Weights
from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Finding, Fix

FIX = "fix"
PAIR = "pair"


@dataclass(frozen=True, slots=True)
class Effect:
    """One DRG comparison: a finding's fix (`kind` "fix") or a diagnosis pair ("pair").

    For a fix, `before` is the episode as coded and `after` the episode with the fix applied.
    For a pair, `before` is the group's first two codes as a pair and `after` the first code
    alone with the second as a diagnosis of its own; `pair` names the two codes.
    """

    kind: str
    episode_id: str
    line: int | None
    year: int
    rule: str | None
    location: str
    fix: Fix | None
    pair: tuple[str, str] | None
    before: DrgResult
    after: DrgResult
    weight_before: float | None
    weight_after: float | None
    note: str

    @property
    def changed(self) -> bool:
        """Whether DRG, MDC or return code differ."""
        return _outcome(self.before) != _outcome(self.after)

    @property
    def weight_change(self) -> float | None:
        if self.weight_before is None or self.weight_after is None:
            return None
        return round(self.weight_after - self.weight_before, 6)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape every machine format of `kodevakt effect` writes."""
        return {
            "episode_id": self.episode_id,
            "line": self.line,
            "year": self.year,
            "kind": self.kind,
            "rule": self.rule,
            "location": self.location,
            "fix": self.fix.to_dict() if self.fix is not None else None,
            "pair": list(self.pair) if self.pair is not None else None,
            "drg_before": self.before.drg,
            "drg_after": self.after.drg,
            "mdc_before": self.before.mdc,
            "mdc_after": self.after.mdc,
            "return_code_before": self.before.return_code,
            "return_code_after": self.after.return_code,
            "weight_before": self.weight_before,
            "weight_after": self.weight_after,
            "weight_change": self.weight_change,
            "note": self.note,
        }


def episode_effects(
    episode: Episode,
    findings: Iterable[Finding],
    tables: DrgTables,
    weights: Weights | None = None,
    *,
    line: int | None = None,
    discharge: str | None = None,
    pair_all_groups: bool | None = None,
) -> list[Effect]:
    """The fix effects of `findings` (those with a fix), then the episode's pair effects.

    `discharge` and `pair_all_groups` go to `episode_input` (by default the tables' year
    decides whether every group is sent as a pair, as `kodevakt drg` does).
    """
    options: dict[str, Any] = {"discharge": discharge, "pair_all_groups": pair_all_groups}
    coded = episode_input(episode, year=tables.year, **options)
    before = tables.group(coded, explain_row=False)
    seen: dict[Fix, DrgResult] = {}
    effects = []
    for finding in findings:
        fix = finding.fix
        if fix is None:
            continue
        after = seen.get(fix)
        if after is None:
            fixed = fix.apply(episode)
            after = tables.group(
                episode_input(fixed, year=tables.year, **options), explain_row=False
            )
            seen[fix] = after
        effects.append(
            _effect(
                FIX,
                episode,
                line,
                tables,
                weights,
                before,
                after,
                rule=finding.rule,
                location=finding.location,
                fix=fix,
                note=_fix_note(before, after),
            )
        )
    effects += pair_effects(episode, tables, weights, line=line, **options)
    return effects


def pair_effects(
    episode: Episode,
    tables: DrgTables,
    weights: Weights | None = None,
    *,
    line: int | None = None,
    discharge: str | None = None,
    pair_all_groups: bool | None = None,
    changed_only: bool = True,
) -> list[Effect]:
    """For each condition group with two or more diagnosis codes: the tables' DRG for its
    first two codes as a pair and for the first code alone (`changed_only`: only where the
    two differ in DRG, MDC or return code)."""
    coded = episode_input(
        episode, year=tables.year, discharge=discharge, pair_all_groups=pair_all_groups
    )
    effects = []
    offset = 0
    for index, group in enumerate(episode.conditions):
        if offset >= len(coded.diagnoses):
            break
        codes = _diagnosis_codes(group)
        if len(codes) < 2:
            # one diagnosis; an empty main condition is sent as a missing principal diagnosis
            offset += len(codes) or (1 if index == 0 else 0)
            continue
        (first, first_npr), (second, second_npr) = codes[0], codes[1]
        sent_as_pair = coded.diagnoses[offset][1] != ""
        count = len(codes) - 1 if sent_as_pair else len(codes)
        rest = tuple((npr, "") for _, npr in codes[2:])
        head, tail = coded.diagnoses[:offset], coded.diagnoses[offset + count :]
        paired = (*head, (first_npr, second_npr), *rest, *tail)
        split = (*head, (first_npr, ""), (second_npr, ""), *rest, *tail)
        as_pair = tables.group(_with(coded, paired), explain_row=False)
        alone = tables.group(_with(coded, split), explain_row=False)
        if not changed_only or _outcome(as_pair) != _outcome(alone):
            note = _pair_note(
                tables, index, (first, second), second_npr, as_pair, alone, sent_as_pair
            )
            effects.append(
                _effect(
                    PAIR,
                    episode,
                    line,
                    tables,
                    weights,
                    as_pair,
                    alone,
                    location=f"conditions[{index}]",
                    pair=(first, second),
                    note=note,
                )
            )
        offset += count
    return effects


def _with(case: DrgInput, diagnoses: tuple[tuple[str, str], ...]) -> DrgInput:
    return replace(case, diagnoses=diagnoses[:DIAGNOSIS_PAIRS])


_NOT_DIAGNOSES = (CodeKind.ATC, CodeKind.PROCEDURE)


def _diagnosis_codes(group: list[str]) -> list[tuple[str, str]]:
    """(display form, tables' form) of the codes of a group the grouper input keeps: as
    `kodevakt.drg.input` does, ATC and procedure codes are left out."""
    codes = []
    for raw in group:
        found = normalise(raw)
        if found.kind in _NOT_DIAGNOSES or not found.code:
            continue
        codes.append((found.code, found.npr if found.kind is CodeKind.ICD10 else found.code))
    return codes


def _effect(
    kind: str,
    episode: Episode,
    line: int | None,
    tables: DrgTables,
    weights: Weights | None,
    before: DrgResult,
    after: DrgResult,
    *,
    rule: str | None = None,
    location: str = "",
    fix: Fix | None = None,
    pair: tuple[str, str] | None = None,
    note: str = "",
) -> Effect:
    year = tables.year
    return Effect(
        kind=kind,
        episode_id=episode.id,
        line=line,
        year=year,
        rule=rule,
        location=location,
        fix=fix,
        pair=pair,
        before=before,
        after=after,
        weight_before=weights.weight(before.drg, year) if weights is not None else None,
        weight_after=weights.weight(after.drg, year) if weights is not None else None,
        note=note,
    )


def _outcome(result: DrgResult) -> tuple[str, str, str]:
    return (result.drg, result.mdc, result.return_code)


def _describe(result: DrgResult) -> str:
    """`DRG 470 (MDC 99, returkode 8: koden kan ikke brukes som hoveddiagnose)`."""
    text = f"DRG {result.drg} (MDC {result.mdc}"
    if result.return_code != "0":
        text += f", returkode {result.return_code}: {result.return_text}"
    return text + ")"


def _fix_note(before: DrgResult, after: DrgResult) -> str:
    if _outcome(before) == _outcome(after):
        return f"Rettingen endrer ikke grupperingen: {_describe(before)}."
    return f"Rettingen flytter episoden fra {_describe(before)} til {_describe(after)}."


def _pair_note(
    tables: DrgTables,
    index: int,
    codes: tuple[str, str],
    second_npr: str,
    as_pair: DrgResult,
    alone: DrgResult,
    sent_as_pair: bool,
) -> str:
    first, second = codes
    where = "hovedtilstanden" if index == 0 else f"annen tilstand nr. {index}"
    how = (
        f"som diagnosepar, der {second} bestemmer MDC og kategori,"
        if second_npr in tables.dx
        else f"som diagnosepar ({second} finnes ikke i tabellene for {tables.year}),"
    )
    sent = (
        "Episoden grupperes med paret."
        if sent_as_pair
        else "Episoden grupperes med kodene hver for seg (før 2023 sendes bare "
        "sverd/stjerne-par som par)."
    )
    return (
        f"{first}+{second} i {where}: {how} gir tabellene for {tables.year} "
        f"{_describe(as_pair)}; {first} alene, med {second} som egen diagnose, gir "
        f"{_describe(alone)}. {sent}"
    )
