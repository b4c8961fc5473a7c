"""T rules for neoplasms: primary tumour and metastases (T22, T23, T35), uncertain behaviour
(T25), history (T33). The follow-up codes Z08/Z09 are in `follow_up.py`.

All from Kodeveiledning 2018 ch. 9 (pp. 75–83) and the coder's talk (slide on D37–D48).
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.code_facts import CodeFacts
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import is_icd10

UNKNOWN_PRIMARY = "C80.0"
IS_UNKNOWN_PRIMARY = F.code_feature(
    lambda facts: facts.code == UNKNOWN_PRIMARY, "primærsvulst med ukjent utgangspunkt"
)


def is_primary_malignancy(ref: CodeRef) -> bool:
    """A malignant neoplasm coded by its own site (C00–C76, C80–C97), not a metastasis."""
    return is_icd10(ref) and (
        F.in_range(ref.code, "C00", "C76") or F.in_range(ref.code, "C80", "C97")
    )


def _is_metastasis(ref: CodeRef) -> bool:
    return is_icd10(ref) and bool(ref.flags & F.METASTASIS)


def is_non_solid(ref: CodeRef) -> bool:
    """A malignant tumour of lymphoid, haematopoietic and related tissue (`C81–C96`:
    lymphomas, myeloma, leukaemias), for which the rulebook uses no metastasis codes."""
    return is_icd10(ref) and F.in_range(ref.code, "C81", "C96")


def is_solid_primary(ref: CodeRef) -> bool:
    """A primary malignant tumour that can metastasise in the coding sense: `C00–C76`,
    `C80` (site unknown or unspecified) and `C97` (independent multiple sites)."""
    return is_primary_malignancy(ref) and not is_non_solid(ref)


# --- T22 -------------------------------------------------------------------------------------


@rule(
    "T22",
    "metastasis-before-primary",
    Severity.WARNING,
    title="Metastase som hovedtilstand mens primærsvulsten er kodet",
    source="Kodeveiledning 2018 §9.1 s. 75–76, §9.4 s. 79–80",
    triggers=F.METASTASIS,
    pure=True,
    fixable=True,
)
def metastasis_before_primary(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a metastasis code `C77–C79` as the first code of the main condition while a
    primary malignant tumour (`C00–C76`, `C80`, `C97`, including `C80.0` primary unknown) is
    coded in the same episode.

    Why: while the primary tumour is present it is coded first and the metastases as other
    conditions; with the primary unknown, `C80.0` goes before the metastases (Kodeveiledning
    2018 §9.1 pp. 75–76). A metastasis may be the main condition only when all four criteria
    of §9.1 hold: the primary is gone, the stay is not mainly adjuvant treatment, the
    metastases were found after the primary treatment ended (or during adjuvant treatment),
    and the stay is mainly about them. The primary tumour is then still coded as another
    condition (§9.4 p. 80), so the coding cannot tell the allowed case from the error: a
    warning asks the coder to check the criteria. A metastasis coded after the primary (the
    rulebook's carcinoid example `C17.2`, `C78.7`, `E34.0`) is correct and not reported.
    Lymphoid and haematopoietic tumours (`C81–C96`) are no primary in this sense: they have no
    metastases (§9.4 p. 80), and a metastasis code beside one of them alone is T35's.
    """
    main = view.main_code
    if main is None or not _is_metastasis(main):
        return
    primaries = [ref for ref in view.condition_codes() if is_solid_primary(ref)]
    if not primaries:
        return  # with only a lymphoma or leukaemia, the metastasis code itself is T35's
    unknown = next((ref for ref in primaries if ref.code == UNKNOWN_PRIMARY), None)
    if unknown is not None:
        yield Hit(
            f"Metastasen {main.label()} står som hovedtilstand, men {UNKNOWN_PRIMARY} "
            "(primærsvulst med ukjent utgangspunkt) er også kodet. Når primærsvulsten er ukjent, "
            f"kodes {UNKNOWN_PRIMARY} foran metastasene.",
            (main.code, unknown.code),
            main.location,
            f"Sett {UNKNOWN_PRIMARY} som hovedtilstand og {main.code} som annen tilstand",
            fix=_primary_first(view, unknown),
        )
        return
    primary = primaries[0]
    yield Hit(
        f"Metastasen {main.label()} står som hovedtilstand, mens primærsvulsten "
        f"{primary.label()} også er kodet. Primærsvulsten skal stå først så lenge den er til "
        "stede. Metastasen kan bare være hovedtilstand når alle fire kriteriene er oppfylt: "
        "primærsvulsten er fjernet, oppholdet gjelder ikke hovedsakelig adjuvant behandling, "
        "metastasen ble oppdaget etter avsluttet primærbehandling eller under adjuvant "
        "behandling, og oppholdet gjelder hovedsakelig metastasen.",
        (main.code, primary.code),
        main.location,
        f"Sett {primary.code} som hovedtilstand og {main.code} som annen tilstand, med mindre "
        "journalen dokumenterer alle fire kriteriene",
        fix=_primary_first(view, primary),
    )


def _primary_first(view: EpisodeView, primary: CodeRef) -> Fix | None:
    """The primary tumour as main condition, the metastasis as the first other condition;
    None when the primary is an additional code of another condition (no plain reordering)."""
    if primary.group != 0 and primary.position != 0:
        return None
    return fixes.promote(view, primary, join=False)


# --- T23 -------------------------------------------------------------------------------------


@rule(
    "T23",
    "unknown-primary-with-known-primary",
    Severity.ERROR,
    title="C80.0 (ukjent utgangspunkt) sammen med en kjent primærsvulst",
    source="Kodeveiledning 2018 §9.1 s. 75",
    triggers=F.in_conditions(IS_UNKNOWN_PRIMARY),
    pure=True,
    fixable=True,
)
def unknown_primary_with_known_primary(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `C80.0` (malignant neoplasm, primary site stated unknown) in an episode that also
    codes a primary tumour with a known site (`C00–C76`).

    Why: `C80.0` is for the phase when only metastases are found and the primary is not known
    (Kodeveiledning 2018 §9.1 p. 75). Once the primary site is coded, the two codes contradict
    each other and the tumour is counted twice in cancer statistics. Lymphoid and
    haematopoietic tumours (`C81–C96`) have no primary site in this sense and are left out.
    """
    unknown = [ref for ref in view.condition_codes() if ref.code == UNKNOWN_PRIMARY]
    if not unknown:
        return
    known = [
        ref
        for ref in view.condition_codes()
        if is_icd10(ref) and F.in_range(ref.code, "C00", "C76")
    ]
    if not known:
        return
    names = ", ".join(dict.fromkeys(ref.code for ref in known))
    for ref in unknown:
        yield Hit(
            f"{UNKNOWN_PRIMARY} (primærsvulst med ukjent utgangspunkt) er kodet sammen med "
            f"{names}, som angir et kjent utgangspunkt.",
            (ref.code, *dict.fromkeys(k.code for k in known)),
            ref.location,
            f"Fjern {UNKNOWN_PRIMARY}; primærsvulsten er kodet med {known[0].code}",
            fix=fixes.drop(view, *unknown),
        )


# --- T25 -------------------------------------------------------------------------------------


def _clinically_uncertain(ref: CodeRef | CodeFacts) -> bool:
    bare = ref.code.replace(".", "")
    return bool(ref.flags & F.UNCERTAIN_NEOPLASM) and len(bare) == 5 and bare[4] == "1"


CLINICALLY_UNCERTAIN = F.code_feature(
    _clinically_uncertain, "klinisk usikkert malignitetspotensial"
)


@rule(
    "T25",
    "clinically-uncertain-neoplasm",
    Severity.INFO,
    title="Svulst med klinisk usikkert malignitetspotensial (D37–D48, femte tegn 1)",
    source="Kodeveiledning 2018 §9.7 s. 82–83; foredrag, lysbilde D37–D48",
    years=(2018, None),
    triggers=F.in_conditions(CLINICALLY_UNCERTAIN),
    pure=True,
    fixable=False,
)
def clinically_uncertain_neoplasm(view: EpisodeView) -> Iterator[Hit]:
    """Checks: codes from `D37–D48` with 5th character 1 (tumour with *clinically* uncertain
    malignant potential, e.g. `D37.41`), as opposed to 5th character 0 (uncertain potential
    shown by pathology, `D37.40`).

    Why: `D37–D48` is for tumour types whose behaviour is uncertain by morphology; it needs a
    pathology diagnosis unless the tumour is recognisable clinically or macroscopically
    (Kodeveiledning 2018 §9.7 pp. 82–83). The 5th character 1 is therefore only for tumours
    that are followed without a biopsy; it is never a code for "awaiting histology" — during
    work-up the symptom or finding is coded and corrected when the answer comes (talk, slide
    D37–D48; §9.1 p. 77). Info: the code is right for a tumour followed without biopsy.
    """
    for ref in view.condition_codes():
        if not _clinically_uncertain(ref):
            continue
        pathology = ref.code[:-1] + "0"
        suggestion = (
            "Venter dere på prøvesvar: kod symptomet eller funnet, og rett koden når svaret kommer"
        )
        if view.base.get(pathology, view.day) is not None:
            suggestion += f"; viser svaret usikkert malignitetspotensial, bruk {pathology}"
        yield Hit(
            f"{ref.code} (femte tegn 1: klinisk usikkert malignitetspotensial) brukes bare for "
            "svulster som følges uten vevsprøve, aldri mens man venter på histologisk eller "
            "cytologisk svar.",
            (ref.code,),
            ref.location,
            suggestion,
        )


# --- T33 -------------------------------------------------------------------------------------

# Z85 subcodes and the malignant neoplasm categories they stand for (WHO ICD-10, Z85).
_Z85_SITES: dict[str, tuple[tuple[str, str], ...]] = {
    "Z85.0": (("C15", "C26"),),
    "Z85.1": (("C33", "C34"),),
    "Z85.2": (("C30", "C32"), ("C37", "C39")),
    "Z85.3": (("C50", "C50"),),
    "Z85.4": (("C51", "C63"),),
    "Z85.5": (("C64", "C68"),),
    "Z85.6": (("C91", "C95"),),
    "Z85.7": (("C81", "C90"), ("C96", "C96")),
    "Z85.8": (("C00", "C14"), ("C40", "C49"), ("C69", "C76")),
    "Z85.9": (("C00", "C76"), ("C80", "C97")),
}
_SOLID_HISTORY = frozenset({"Z85.0", "Z85.1", "Z85.2", "Z85.3", "Z85.4", "Z85.5", "Z85.8", "Z85.9"})


def _same_site(history: str, cancer: CodeRef) -> bool:
    if F.in_range(cancer.code, "C97", "C97"):  # independent multiple primaries: any site
        return True
    return any(F.in_range(cancer.code, low, high) for low, high in _Z85_SITES.get(history, ()))


@rule(
    "T33",
    "cancer-history-with-current-cancer",
    Severity.INFO,
    title="Z85 (kreft i egen sykehistorie) i en episode som gjelder samme kreftsykdom",
    source="Kodeveiledning 2018 §9.1 s. 77, §9.4 s. 79–80, §9.5 s. 81–82",
    triggers=F.CANCER_HISTORY,
    pure=True,
    fixable=True,
)
def cancer_history_with_current_cancer(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `Z85.x` (personal history of malignant neoplasm) in an episode that treats or
    follows up the same cancer: a malignant neoplasm of the same site group (`Z85.0` digestive
    organs ↔ `C15–C26`, `Z85.1` ↔ `C33–C34`, `Z85.2` ↔ `C30–C32`/`C37–C39`, `Z85.3` ↔ `C50`,
    `Z85.4` ↔ `C51–C63`, `Z85.5` ↔ `C64–C68`, `Z85.6` ↔ `C91–C95`, `Z85.7` ↔ `C81–C90`/`C96`,
    `Z85.8` other sites, `Z85.9` any); metastases `C77–C79` with no primary coded; or the
    follow-up code `Z08` with no cancer coded.

    Why: `Z85` only adds information about an earlier cancer in contacts that are not about
    work-up, treatment or check-up of that cancer (Kodeveiledning 2018 §9.1 p. 77). Norway codes
    the original tumour with its C-code as another condition, even after removal, at follow-up
    (`Z08` first, §9.5 pp. 81–82) and when metastases are treated (§9.4 p. 80). A `Z85` for a
    different site (earlier breast cancer in a colon cancer stay) is correct and not reported;
    Info because the site groups are coarse.
    """
    conditions = list(view.condition_codes())
    primaries = [ref for ref in conditions if is_primary_malignancy(ref)]
    metastases = [ref for ref in conditions if _is_metastasis(ref)]
    follow_up = next((ref for ref in conditions if ref.category == "Z08"), None)
    history_codes = [ref for ref in conditions if ref.category == "Z85" and is_icd10(ref)]
    for ref in conditions:
        if ref.category != "Z85" or not is_icd10(ref):
            continue
        history = ref.code[:5]
        same = [c for c in primaries if _same_site(history, c)]
        if same:
            cancer = same[0]
            yield Hit(
                f"{ref.label()} er kodet sammen med {cancer.label()}. Z85 brukes bare når "
                "kontakten ikke gjelder utredning, behandling eller kontroll av kreftsykdommen.",
                (ref.code, cancer.code),
                ref.location,
                f"Fjern {ref.code}; kreftsykdommen er kodet med {cancer.code}",
                fix=fixes.drop(view, *(z for z in history_codes if z.code == ref.code)),
            )
        elif metastases and not primaries and history in _SOLID_HISTORY:
            metastasis = metastases[0]
            yield Hit(
                f"{ref.label()} er kodet sammen med metastasen {metastasis.label()}. Ved "
                "metastaser kodes den opprinnelige primærsvulsten med sin C-kode som annen "
                "tilstand, også når den er fjernet.",
                (ref.code, metastasis.code),
                ref.location,
                f"Erstatt {ref.code} med C-koden for den opprinnelige primærsvulsten",
            )
        elif follow_up is not None and not primaries:
            yield Hit(
                f"{ref.label()} er kodet sammen med etterundersøkelsen {follow_up.label()}. Ved "
                "etterkontroll av kreft kodes den opprinnelige svulsten med sin C-kode som "
                "annen tilstand, ikke med Z85.",
                (ref.code, follow_up.code),
                ref.location,
                f"Erstatt {ref.code} med C-koden for svulsten som kontrolleres",
            )


# --- T35 -------------------------------------------------------------------------------------


@rule(
    "T35",
    "metastasis-code-with-non-solid-tumour",
    Severity.ERROR,
    title="Metastasekode (C77–C79) ved lymfom, myelomatose eller leukemi",
    source="Kodeveiledning 2018 §9.1 s. 75, §9.4 s. 80",
    triggers=F.METASTASIS,
    pure=True,
    fixable=True,
)
def metastasis_code_with_non_solid_tumour(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a metastasis code `C77–C79` in an episode whose only malignant tumours are
    lymphoid or haematopoietic (`C81–C96`: lymphomas, myeloma, leukaemias), with no solid
    primary (`C00–C76`, `C80`, `C97`) and no earlier solid cancer (`Z85` other than `Z85.6`,
    `Z85.7`) that the metastasis could come from.

    Why: metastasis codes are not used for non-solid tumours (Kodeveiledning 2018 §9.1 p. 75);
    tumours of blood, blood-forming organs and lymphoid tissue have stages and spread, but the
    concept of metastasis does not apply to them (§9.4 p. 80). A lymphoma in abdominal lymph
    nodes is the lymphoma code alone, not the lymphoma plus `C77.2`; spread to other organs is
    described by the lymphoma code's own stage or type. The fix takes the metastasis codes
    out; with a solid primary or a solid cancer in the history, the metastasis may be that
    tumour's, and the rule is silent.
    """
    codes = [ref for ref in view.condition_codes() if is_icd10(ref)]
    metastases = [ref for ref in codes if _is_metastasis(ref)]
    if not metastases:
        return
    non_solid = [ref for ref in codes if is_non_solid(ref)]
    if not non_solid or any(is_solid_primary(ref) for ref in codes):
        return
    if any(ref.category == "Z85" and ref.code[:5] in _SOLID_HISTORY for ref in codes):
        return
    tumour = non_solid[0]
    for ref in metastases:
        yield Hit(
            f"{ref.label()} er en metastasekode, men den eneste kreftsykdommen i episoden er "
            f"{tumour.label()}; ved lymfom, myelomatose og leukemi brukes ikke metastasekoder.",
            (ref.code, tumour.code),
            ref.location,
            f"Fjern {ref.code}; utbredelsen beskrives av {tumour.code}",
            fix=fixes.drop(view, *metastases),
        )
