"""A kodevakt `Episode` → the grouper's `DrgInput`.

- Sex `M`/`K` → `1`/`2`; age in days from the birth date (or the given age).
- Discharge mode: `R` (transferred) when the episode names where the patient went, else `H`;
  the episode model has no death field, so `E` must be given explicitly (`discharge=`).
- Length of stay: whole days from admission date to discharge date; 0 for day and outpatient
  care without dates; unknown otherwise.
- Condition groups → diagnosis pairs, main condition first. Codes that are not ICD-10 (ATC,
  procedure codes) are additional codes the tables do not know and are left out. From 2023
  (voluntary multiple coding, required from 2024) every group's first two codes form a pair,
  as the reference grouper reads the NPR message; before 2023 only dagger/asterisk groups do
  (the second code is an asterisk code), other groups give one diagnosis per code. Codes after
  the second stand alone. A code the tables do not know is kept: the logic decides (DRG 470).
- Procedure groups → their codes in order, additional codes included.
- At most 30 diagnosis pairs and 100 procedure codes, the room the reference input has.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from kodevakt.codes.attributes import Attribute, rows_for
from kodevakt.codes.model import Sex
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.drg.model import FEMALE, HOME, MALE, TRANSFERRED, DrgInput
from kodevakt.drg.strings import DIAGNOSIS_PAIRS, FIELDS, FIRST_PROCEDURE
from kodevakt.episodes.model import CareLevel, Episode

MULTIPLE_CODING_FROM = 2023
_ADDITIONAL_KINDS = (CodeKind.ATC, CodeKind.PROCEDURE)


def episode_input(
    episode: Episode,
    *,
    year: int | None = None,
    pair_all_groups: bool | None = None,
    discharge: str | None = None,
    is_asterisk: Callable[[str], bool] | None = None,
) -> DrgInput:
    """The grouper's view of `episode` for `year` (default: the discharge date's year)."""
    if year is None:
        day = episode.rule_date
        year = day.year if day else MULTIPLE_CODING_FROM
    all_groups = year >= MULTIPLE_CODING_FROM if pair_all_groups is None else pair_all_groups
    asterisk = is_asterisk or default_is_asterisk
    diagnoses: list[tuple[str, str]] = []
    for number, group in enumerate(episode.conditions):
        found = _pairs(group, all_groups, asterisk)
        if number == 0 and not found:
            found = [("", "")]  # no usable main condition: the principal diagnosis is missing
        diagnoses += found
    procedures = [_procedure_code(raw) for group in episode.procedures for raw in group.codes]
    return DrgInput(
        sex=_SEX.get(episode.patient.sex, "") if episode.patient.sex else "",
        age_days=episode.age_days,
        discharge=discharge or (TRANSFERRED if episode.transferred_to else HOME),
        los=_length_of_stay(episode),
        diagnoses=tuple(diagnoses[:DIAGNOSIS_PAIRS]),
        procedures=tuple(code for code in procedures if code)[: FIELDS - FIRST_PROCEDURE],
    )


_SEX = {Sex.MALE: MALE, Sex.FEMALE: FEMALE}


def _pairs(
    group: list[str], all_groups: bool, asterisk: Callable[[str], bool]
) -> list[tuple[str, str]]:
    codes = []
    for raw in group:
        found = normalise(raw)
        if found.kind in _ADDITIONAL_KINDS:
            continue
        if not found.code:
            continue
        codes.append((found.npr if found.kind is CodeKind.ICD10 else found.code, found))
    if not codes:
        return []
    first, second, rest = codes[0], codes[1] if len(codes) > 1 else None, codes[2:]
    if second is not None and (all_groups or second[1].mark == "*" or asterisk(second[1].code)):
        return [(first[0], second[0])] + [(code, "") for code, _ in rest]
    return [(code, "") for code, _ in codes]


def _procedure_code(raw: str) -> str:
    found = normalise(raw)
    return found.code if found.kind is not CodeKind.UNKNOWN else raw.strip()


def _length_of_stay(episode: Episode) -> int | None:
    if episode.admission is not None and episode.discharge is not None:
        return max(0, (episode.discharge.date() - episode.admission.date()).days)
    if episode.care_level in (CareLevel.DAY, CareLevel.OUTPATIENT):
        return 0
    return None


@lru_cache(maxsize=65_536)
def default_is_asterisk(code: str) -> bool:
    """Whether an ICD-10 code (canonical form) is an asterisk code, from the embedded facts."""
    rows = [row for row in rows_for(code) if row.attribute is Attribute.ASTERISK]
    if not rows:
        return False
    best = max(rows, key=lambda row: (row.selector.specificity, row.line))
    return bool(best.value)
