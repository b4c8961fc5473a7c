"""T rules about where the episode sits in the patient's care path: rehabilitation, transfers.

What counts as treatment during the episode is read by `treatments.py`, shared with T24.
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.codes.codebase import Status
from kodevakt.codes.model import System
from kodevakt.episodes.model import CareLevel
from kodevakt.rules import code_facts as F
from kodevakt.rules.conditions.treatments import treatments
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import is_icd10

# --- T31 -------------------------------------------------------------------------------------

_INPATIENT_REHABILITATION = frozenset({"Z50.80", "Z50.89"})


def _rehabilitation_procedures(view: EpisodeView) -> list[CodeRef]:
    refs = []
    for group in view.procedures:
        for ref in group:
            shape = ref.facts.shape
            if (
                shape is not None
                and shape.system is System.NCMP
                and shape.chapter == "O"
                and not shape.additional
            ):
                refs.append(ref)
    return refs


@rule(
    "T31",
    "inpatient-rehabilitation-code-misused",
    Severity.INFO,
    title="Z50.80/Z50.89 utenfor døgnopphold eller uten rehabiliteringsprosedyrer",
    source="Kodeveiledning 2018 §6.7 s. 50–51",
    years=(2018, None),
    triggers=F.REHABILITATION,
    fixable=False,
)
def inpatient_rehabilitation_code_misused(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `Z50.80` (complex rehabilitation) and `Z50.89` (simple rehabilitation) are used
    in inpatient stays, and such a stay has rehabilitation procedure codes from NCMP
    chapter O (habilitation and rehabilitation).

    Why: Kodeveiledning 2018 §6.7 p. 51 reserves the two codes for inpatient rehabilitation
    and requires procedure codes for both; outpatient rehabilitation uses `Z50.9` when the
    ISF requirements are met. Procedures relevant to rehabilitation can also sit in other
    chapters (p. 50), but a rehabilitation stay without a single chapter O code (mapping,
    measures, evaluation, cooperation: OA–OD) is probably under-registered. Day care counts
    as outside inpatient care. Info: procedure codes record what was actually done, so only a
    person can tell whether any are missing.
    """
    rehab = [ref for ref in view.condition_codes() if ref.code in _INPATIENT_REHABILITATION]
    if not rehab:
        return
    first = rehab[0]
    codes = tuple(dict.fromkeys(ref.code for ref in rehab))
    names = " og ".join(codes)
    level = view.care_level
    if level in (CareLevel.OUTPATIENT, CareLevel.DAY):
        where = "poliklinisk kontakt" if level is CareLevel.OUTPATIENT else "dagbehandling"
        yield Hit(
            f"{names} gjelder rehabilitering i døgnopphold, men episoden er {where}.",
            codes,
            first.location,
            "Bruk Z50.9 for poliklinisk rehabilitering (når kravene i ISF-regelverket er "
            "oppfylt), eller rett omsorgsnivået hvis pasienten var innlagt",
        )
    elif level is CareLevel.INPATIENT and not _rehabilitation_procedures(view):
        yield Hit(
            f"{names} er kodet, men episoden har ingen rehabiliteringsprosedyre fra NCMP "
            "kapittel O.",
            codes,
            first.location,
            "Registrer prosedyrene som ble gjennomført (kapittel O: kartlegging OA, tiltak OB, "
            "evaluering OC, samhandling OD), med tilleggskode for planlagt hyppighet",
        )


# --- T32 -------------------------------------------------------------------------------------


def _is_fracture(code: str, category: str) -> bool:
    # Fracture categories of chapter XIX: S02, S12, …, S92, and T02, T08, T10, T12, T14.2.
    if category.startswith("S") and category[2] == "2":
        return True
    return category in {"T02", "T08", "T10", "T12"} or code == "T14.2"


def _acute_treated_kind(ref: CodeRef) -> str | None:
    """The §2.4 kind of condition whose primary treatment usually ends at the first unit."""
    code, category = ref.code, ref.category
    if not is_icd10(ref):
        return None
    if _is_fracture(code, category):
        return "brudd"
    if F.in_range(code, "M15", "M19"):
        return "artrose"
    if F.in_range(code, "I60", "I62") or code in {"K92.0", "K92.1", "K92.2", "R58"}:
        return "blødning"
    return None


_KIND_PHRASE = {"brudd": "et brudd", "artrose": "artrose", "blødning": "en blødning"}
_AFTERCARE_HINT = {
    "brudd": "Z47.8 (annen ortopedisk etterbehandling), Z50.x (rehabilitering) eller Z09.4 "
    "(etterundersøkelse etter behandling av brudd)",
    "artrose": "Z47.8 (annen ortopedisk etterbehandling) eller Z50.x (rehabilitering)",
    "blødning": "Z48.8 (etterbehandling etter operasjon), Z50.x (rehabilitering) eller Z09.x "
    "(etterundersøkelse)",
}


@rule(
    "T32",
    "transferred-main-condition-already-treated",
    Severity.INFO,
    title="Overflyttet pasient: hovedtilstanden er en akutt tilstand som alt er behandlet",
    source="Kodeveiledning 2018 §2.4 s. 15–16",
    triggers=F.EP_TRANSFERRED_IN,
    fixable=False,
)
def transferred_main_condition_already_treated(view: EpisodeView) -> Iterator[Hit]:
    """Checks: an episode the patient was transferred into (`transferred_from` set) whose main
    condition is an acute condition the first unit treated — a fracture, arthrosis (treated
    with a joint prosthesis) or a haemorrhage (`I60–I62`, `K92.0–K92.2`, `R58`) — while no
    treatment of it is registered here (no surgery, image-guided intervention, tumour drug
    treatment or radiotherapy; rehabilitation and imaging codes are aftercare).

    Why: after a transfer the main condition is still what the care is mainly given for
    (Kodeveiledning 2018 §2.4 pp. 15–16). A myocardial infarction or a cancer is still present
    and stays the main condition; a fracture or bleeding whose primary treatment ended at the
    first unit, or an arthrosis replaced by a prosthesis, is no longer what the care is for,
    so an aftercare code (`Z42–Z48`, `Z50`, `Z51.5`, else `Z09`) comes first and the treated
    condition is coded as another condition. Info: a person must judge what the care was for.
    """
    if not view.episode.transferred_from:
        return
    main = view.main_code
    if main is None:
        return
    kind = _acute_treated_kind(main)
    if kind is None or treatments(view, interventions=True):
        return
    options = _AFTERCARE_HINT[kind]
    if view.base.resolve("Z51.5", view.day).status is Status.OK:
        options += "; ved palliativ behandling Z51.5"
    yield Hit(
        f"Pasienten er overflyttet fra {view.episode.transferred_from}, og hovedtilstanden "
        f"{main.label()} er {_KIND_PHRASE[kind]} uten behandling registrert her. Gjelder "
        "oppholdet etterbehandling, skal en etterbehandlingskode være hovedtilstand.",
        (main.code,),
        main.location,
        f"Vurder {options} som hovedtilstand, med {main.code} som annen tilstand",
    )
