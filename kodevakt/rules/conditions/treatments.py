"""Procedure codes read as treatment given during the episode: surgery, tumour drug treatment,
radiotherapy, image-guided intervention. The follow-up rule T24 (`follow_up.py`) and the transfer
rule T32 (`care_path.py`) share this reading; it registers no rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kodevakt.codes.model import System
from kodevakt.rules.view import CodeRef, EpisodeView


class Treatment(StrEnum):
    """Kinds of treatment a procedure code shows (Norwegian names, for messages)."""

    SURGERY = "kirurgisk inngrep"
    TUMOUR_DRUGS = "medikamentell svulstbehandling"
    DRUGS = "legemiddelbehandling"
    RADIOTHERAPY = "strålebehandling"
    INTERVENTION = "bildeveiledet intervensjon"


@dataclass(frozen=True, slots=True)
class TreatmentCode:
    """The first code of a procedure group read as treatment."""

    ref: CodeRef
    kind: Treatment


# NCSP organ chapters (KV2018 §7.2 p. 53); Y (organ harvesting) and Z (additional) are no
# treatment of the patient.
_SURGERY_CHAPTERS = frozenset("ABCDEFGHJKLMNPQ")
# NCMP action categories in positions 3–4 (KV2018 ch. 6 pp. 44–45, table): OA radiotherapy,
# OB brachytherapy, OC cytostatic therapy. Chapters I and O do not use these categories.
_RADIOTHERAPY_CATEGORIES = frozenset({"OA", "OB"})


def treatment_kind(ref: CodeRef) -> Treatment | None:
    """What treatment a procedure code shows, from its shape alone; `None` if none.

    - surgery: an NCSP code of the organ chapters A–Q that is not an additional code. The
      shape cannot tell a diagnostic endoscopy or biopsy from an operation, so those count.
    - tumour drug treatment: NCMP `WBOC…`, or action category OC (KV2018 §6.4 p. 47).
    - other drug treatment: NCMP action category GM, pharmacotherapy other than cytostatics
      (`WBGM…`; KV2018 ch. 6 pp. 45, 47); only T24 counts it.
    - radiotherapy: NCMP action category OA or OB, or NCRP nuclear medicine therapy (chapter
      T with modality T, e.g. radioiodine).
    - image-guided intervention: NCRP interventions under the organ chapters (`HAB16K`);
      they include biopsies, so only T32 counts them.
    """
    shape = ref.facts.shape
    if shape is None or shape.additional:
        return None
    code = shape.code
    if shape.system is System.NCSP:
        return Treatment.SURGERY if shape.chapter in _SURGERY_CHAPTERS else None
    if shape.system is System.NCMP:
        if shape.chapter in "IO":
            return None
        if code.startswith("WBOC") or code[2:4] == "OC":
            return Treatment.TUMOUR_DRUGS
        if code[2:4] == "GM":  # WBGM… and the organ chapters' pharmacotherapy
            return Treatment.DRUGS
        if code[2:4] in _RADIOTHERAPY_CATEGORIES:
            return Treatment.RADIOTHERAPY
        return None
    if shape.system is System.NCRP:
        if shape.nuclear_medicine and code[5] == "T":
            return Treatment.RADIOTHERAPY
        if shape.image_guided:
            return Treatment.INTERVENTION
    return None


def treatments(
    view: EpisodeView, *, interventions: bool = False, drugs: bool = False
) -> list[TreatmentCode]:
    """The procedure groups of the episode whose first code is treatment.

    Image-guided interventions count only with `interventions=True` (many are biopsies), and
    pharmacotherapy (`WBGM…`) only with `drugs=True` (a drug given during aftercare is no
    treatment of the acute condition that T32 asks about).
    """
    found = []
    for group in view.procedures:
        if not group:
            continue
        kind = treatment_kind(group[0])
        if kind is None or (kind is Treatment.INTERVENTION and not interventions):
            continue
        if kind is Treatment.DRUGS and not drugs:
            continue
        found.append(TreatmentCode(group[0], kind))
    return found
