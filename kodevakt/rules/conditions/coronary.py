"""T rules for chronic ischaemic heart disease codes that contradict what else the episode
says about the coronary arteries: `I25.6` (silent ischaemia) beside angina or known coronary
atheromatosis (T37), and `I25.9` (unspecified) where the atheromatosis is known (T38).

Source: Kodeveiledning 2018 ch. 11 (§11.2 pp. 88–89, coding before, at and after PCI).
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import is_icd10, is_procedure, matches

SILENT_ISCHAEMIA = "I25.6"
UNSPECIFIED_ISCHAEMIA = "I25.9"
ATHEROSCLEROTIC = "I25.1"

#: Codes that say the coronary arteries are atheromatous: atherosclerotic heart disease, and
#: the status after a coronary stent or bypass graft.
_ATHEROMATOSIS = (ATHEROSCLEROTIC, "Z95.1", "Z95.5")
#: Myocardial infarction related to PCI (type 4a) or stent thrombosis (type 4b): a PCI was
#: done (Kodeveiledning 2018 §11.2 p. 89, fifth characters from 2015).
_PCI_INFARCTION_TYPES = ("a", "b")


def _pci(view: EpisodeView) -> CodeRef | None:
    """The PCI of the stay: an NCSP code for percutaneous coronary intervention (`FNG…`), or
    an infarction coded as PCI-related or as stent thrombosis (`I21.4a`, `I21.0b`)."""
    for ref in view.procedure_codes():
        if is_procedure(ref) and ref.code.startswith("FNG"):
            return ref
    for ref in view.condition_codes():
        if (
            is_icd10(ref)
            and ref.flags & F.INFARCTION
            and len(ref.code) == 6
            and ref.code[5] in _PCI_INFARCTION_TYPES
        ):
            return ref
    return None


def _atheromatosis(view: EpisodeView) -> CodeRef | None:
    """A code that says coronary atheromatosis is known (`I25.1`, `Z95.1`, `Z95.5`), or the
    stay's PCI."""
    for ref in view.condition_codes():
        if is_icd10(ref) and matches(ref, _ATHEROMATOSIS):
            return ref
    return _pci(view)


IS_SILENT_ISCHAEMIA = F.code_feature(
    lambda facts: facts.code == SILENT_ISCHAEMIA, "stum myokardiskemi (I25.6)"
)
IS_UNSPECIFIED_ISCHAEMIA = F.code_feature(
    lambda facts: facts.code == UNSPECIFIED_ISCHAEMIA,
    "uspesifisert kronisk iskemisk hjertesykdom (I25.9)",
)


def _coded(view: EpisodeView, code: str) -> list[CodeRef]:
    return [ref for ref in view.condition_codes() if is_icd10(ref) and ref.code == code]


# --- T37 -------------------------------------------------------------------------------------


@rule(
    "T37",
    "silent-ischaemia-with-angina-or-atheromatosis",
    Severity.WARNING,
    title="I25.6 (stum myokardiskemi) sammen med angina pectoris eller påvist koronarsykdom",
    source="Kodeveiledning 2018 §11.2 s. 89",
    triggers=F.in_conditions(IS_SILENT_ISCHAEMIA),
    pure=True,
    fixable=True,
)
def silent_ischaemia_with_angina_or_atheromatosis(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `I25.6` (silent myocardial ischaemia) is not coded together with angina
    pectoris (`I20.x`) or with known coronary atheromatosis (`I25.1`, a coronary stent or
    bypass `Z95.5`/`Z95.1`, or a PCI in the stay).

    Why: among the other conditions of a coronary patient the `I25` subcodes may be added when
    they are assessed or treated, but not `I25.6` when angina is present or coronary
    atheromatosis has been shown (Kodeveiledning 2018 §11.2 p. 89): ischaemia that gives
    angina is not silent, and the atheromatosis has its own code. The fix takes `I25.6` out.
    """
    silent = _coded(view, SILENT_ISCHAEMIA)
    if not silent:
        return
    reason = next(
        (ref for ref in view.condition_codes() if is_icd10(ref) and ref.category == "I20"),
        None,
    ) or _atheromatosis(view)
    if reason is None:
        return
    what = "angina pectoris" if reason.category == "I20" else "påvist koronar ateromatose"
    for ref in silent:
        yield Hit(
            f"{ref.label()} er kodet sammen med {reason.label()}; stum myokardiskemi kodes ikke "
            f"når pasienten har {what}.",
            (ref.code, reason.code),
            ref.location,
            f"Fjern {ref.code}",
            fix=fixes.drop(view, *silent),
        )


# --- T38 -------------------------------------------------------------------------------------


@rule(
    "T38",
    "unspecified-ischaemia-with-known-atheromatosis",
    Severity.WARNING,
    title="I25.9 (uspesifisert kronisk iskemisk hjertesykdom) ved PCI eller påvist ateromatose",
    source="Kodeveiledning 2018 §11.2 s. 88–89",
    triggers=F.in_conditions(IS_UNSPECIFIED_ISCHAEMIA),
    pure=True,
    fixable=True,
)
def unspecified_ischaemia_with_known_atheromatosis(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `I25.9` (chronic ischaemic heart disease, unspecified) is not coded in a stay
    with PCI (an `FNG…` procedure, or an infarction of type 4a/4b), nor beside `I25.1` or a
    coronary stent or bypass (`Z95.5`, `Z95.1`).

    Why: `I25.9` presupposes that the disease is known to be ischaemic but not that
    atheromatosis is present, so it has no place where PCI is done (Kodeveiledning 2018 §11.2
    p. 89); the chronic coronary disease treated with PCI is `I25.1` atherosclerotic heart
    disease (p. 88). The fix puts `I25.1` in its place, or takes `I25.9` out when `I25.1` is
    coded already.
    """
    unspecified = _coded(view, UNSPECIFIED_ISCHAEMIA)
    if not unspecified:
        return
    reason = _atheromatosis(view)
    if reason is None:
        return
    known = bool(_coded(view, ATHEROSCLEROTIC))
    if reason.in_procedures or reason.flags & F.INFARCTION:
        why = f"det er gjort PCI ({reason.code})"
    else:
        why = f"ateromatose er påvist ({reason.code})"
    for ref in unspecified:
        if known:
            suggestion, fix = f"Fjern {ref.code}; {ATHEROSCLEROTIC} er kodet", fixes.drop(view, ref)
        else:
            suggestion = (
                f"Bruk {ATHEROSCLEROTIC} Aterosklerotisk hjertesykdom i stedet for {ref.code}"
            )
            fix = fixes.replace_code(view, ref, ATHEROSCLEROTIC)
        yield Hit(
            f"{ref.label()} brukes bare når tilstanden er kjent iskemisk uten at ateromatose er "
            f"påvist, men {why}.",
            (ref.code, reason.code),
            ref.location,
            suggestion,
            fix=fix,
        )
