"""T rules for the follow-up codes `Z08` (after treatment of a malignant tumour) and `Z09`
(after treatment of other conditions): not when treatment is given (T24), and `Z08`, not
`Z09`, for a cancer (T39).

Sources: Kodeveiledning 2018 §9.1 pp. 76–77 and §9.5 p. 81. What counts as treatment during
the episode is read by `treatments.py`, shared with T32.
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.conditions.treatments import treatments
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import is_icd10


def _follow_ups(view: EpisodeView) -> list[CodeRef]:
    return [ref for ref in view.conditions_with(F.FOLLOW_UP) if is_icd10(ref)]


# --- T24 -------------------------------------------------------------------------------------


@rule(
    "T24",
    "follow-up-with-treatment",
    Severity.WARNING,
    title="Etterundersøkelse (Z08/Z09) kodet mens det gis behandling",
    source="Kodeveiledning 2018 §9.5 s. 81, §9.1 s. 76–77",
    triggers=F.in_conditions(F.FOLLOW_UP),
    pure=True,
    fixable=True,
)
def follow_up_with_treatment(view: EpisodeView) -> Iterator[Hit]:
    """Checks: no follow-up code `Z08.x` (after treatment for a malignant neoplasm) or `Z09.x`
    (after treatment for other conditions), as main or other condition, in an episode whose
    procedures show treatment: surgery (an NCSP code of chapters A–Q that is not an
    additional code), tumour drug treatment (`WBOC…`, NCMP action category OC), other drug
    treatment (`WBGM…`) or radiotherapy (NCMP action categories OA/OB, NCRP nuclear medicine
    therapy).

    Why: the follow-up codes are for planned routine checks without treatment and without new
    symptoms; a contact where treatment is given is coded by the ordinary rules, with the
    condition treated as main condition, and the follow-up code is not used at all
    (Kodeveiledning 2018 §9.5 p. 81, summary §9.1 pp. 76–77). `Z09` follows the same logic for
    other conditions. Image-guided interventions (NCRP, mostly biopsies) are not counted; a
    diagnostic NCSP code (endoscopy with biopsy) cannot be told from an operation by its
    shape, so the finding is a warning for a person to judge. The fix takes the follow-up code
    out, and when it was the main condition puts the one condition that can have been treated
    first; with several candidates there is no fix.
    """
    found = _follow_ups(view)
    if not found:
        return
    given = treatments(view, drugs=True)
    if not given:
        return
    kinds = ", ".join(dict.fromkeys(t.kind.value for t in given))
    shown = ", ".join(dict.fromkeys(t.ref.code for t in given))
    main = view.main_code
    for ref in found:
        fix: Fix | None = None
        if ref is main:
            candidates = _treated_conditions(view, ref)
            if candidates:
                suggestion = (
                    f"Sett {candidates[0].code} (tilstanden som behandles) som hovedtilstand"
                )
            elif ref.category == "Z08":
                suggestion = "Sett kreftsykdommen som behandles (C-koden) som hovedtilstand"
            else:
                suggestion = "Sett tilstanden som behandles som hovedtilstand"
            if len(candidates) == 1 and len(view.main) == 1:
                fix = _promoted_without(view, candidates[0])
            where = "hovedtilstand"
        else:
            suggestion = f"Fjern {ref.code}"
            if ref.position == 0 and len(view.conditions[ref.group]) == 1:
                fix = fixes.drop(view, ref)
            where = "kodet"
        yield Hit(
            f"{ref.label()} er {where}, men episoden har {kinds} ({shown}). "
            "Etterundersøkelseskoden brukes bare ved rutinekontroll uten behandling og uten nye "
            "symptomer.",
            (ref.code, *dict.fromkeys(t.ref.code for t in given)),
            ref.location,
            suggestion,
            fix=fix,
        )


def _treated_conditions(view: EpisodeView, follow_up: CodeRef) -> list[CodeRef]:
    """The other conditions that could be what the treatment was for (first codes of groups:
    no factor, external cause or additional code; a tumour for `Z08`)."""
    found = []
    for group in view.conditions[1:]:
        if not group:
            continue
        ref = group[0]
        if not is_icd10(ref) or ref.flags & (F.Z_FACTOR | F.EXTERNAL | F.ADDITIONAL_ONLY):
            continue
        if follow_up.category == "Z08" and not ref.flags & F.NEOPLASM:
            continue
        found.append(ref)
    return found


def _promoted_without(view: EpisodeView, condition: CodeRef) -> Fix:
    """The conditions without the main condition's group, `condition`'s group first."""
    groups = fixes.written(view.conditions)
    own = groups[condition.group]
    rest = [g for i, g in enumerate(groups) if i not in (0, condition.group)]
    return fixes.conditions([own, *rest])


# --- T39 -------------------------------------------------------------------------------------

#: `Z09` subcodes and the `Z08` subcode for the same treatment after a malignant tumour;
#: `Z09.3` (psychotherapy) and `Z09.4` (fracture) have no counterpart and are not checked.
_Z08_FOR_Z09 = {
    "Z09.0": "Z08.0",
    "Z09.1": "Z08.1",
    "Z09.2": "Z08.2",
    "Z09.7": "Z08.7",
    "Z09.8": "Z08.8",
    "Z09.9": "Z08.9",
}


def _cancer_signs(view: EpisodeView) -> list[CodeRef]:
    """Malignant tumours (`C00–C97`) and personal history of one (`Z85`) in the episode."""
    return [
        ref
        for ref in view.condition_codes()
        if is_icd10(ref) and (F.in_range(ref.code, "C00", "C97") or ref.category == "Z85")
    ]


@rule(
    "T39",
    "follow-up-for-cancer-coded-z09",
    Severity.WARNING,
    title="Z09 (etterundersøkelse for andre tilstander) ved ondartet svulst; bruk Z08",
    source="Kodeveiledning 2018 §9.1 s. 76–77, §9.5 s. 81",
    triggers=F.in_conditions(F.FOLLOW_UP),
    pure=True,
    fixable=True,
)
def follow_up_for_cancer_coded_z09(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a follow-up code `Z09.x` (after treatment for conditions other than malignant
    tumours) is not used in an episode that codes a malignant tumour (`C00–C97`) or a
    personal history of one (`Z85`).

    Why: follow-up after treatment of a malignant tumour has its own category, `Z08`, with the
    original tumour coded as another condition even when it has been removed
    (Kodeveiledning 2018 §9.1 pp. 76–77, §9.5 p. 81); `Z09` is for other conditions, so a
    `Z09` beside a cancer code hides the cancer follow-up from statistics. The fourth
    character (surgery, radiotherapy, chemotherapy, combined, other, unspecified treatment)
    carries over (`Z09.0` → `Z08.0`), which is the fix. `Z09.3` (psychotherapy) and `Z09.4`
    (fracture treatment) are follow-ups of something else and are left alone. A warning: the
    contact may, rarely, follow up another condition in a patient who also has cancer.
    """
    signs = _cancer_signs(view)
    if not signs:
        return
    for ref in _follow_ups(view):
        replacement = _Z08_FOR_Z09.get(ref.code)
        if replacement is None:
            continue
        yield Hit(
            f"{ref.label()} gjelder etterundersøkelse etter behandling for andre tilstander enn "
            f"ondartet svulst, men episoden har {signs[0].label()}.",
            (ref.code, signs[0].code),
            ref.location,
            f"Bruk {replacement} (etterundersøkelse etter behandling for ondartet svulst) i "
            f"stedet for {ref.code}",
            fix=fixes.replace_code(view, ref, replacement),
        )
