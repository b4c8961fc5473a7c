"""P rules: procedure groups (NCSP, NCMP, NCRP) and their additional codes.

A procedure group is one registration: the procedure code first, then its additional codes
(chapter Z codes, ATC codes for drugs and radiopharmaceuticals). A group may hold several
procedure codes done in one session; an additional code then belongs to the nearest procedure
code before it, because the rulebook places additional codes straight after the part of the
operation they describe (Kodeveiledning 2018 §7.3 s. 57–58).

Episodes read from a flat NPR extract have groups rebuilt by guesswork
(`Episode.grouping_inferred`): additional codes may sit in another column family than their
procedure, and each procedure code starts its own group. Rules that depend on which group a
code sits in therefore never report errors for such episodes: P01 only fires when the episode
holds no procedure code at all, P04 and P05 look for the drug anywhere in the episode, P02 and
P03 findings are lowered one step (error to warning, warning to info), and P06 cannot see
operations at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from kodevakt.codes.model import Sex, System
from kodevakt.codes.procedures import parse_procedure
from kodevakt.codes.release import CodeList, Family
from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.phrases import SEX_PLURAL, SEX_SINGULAR
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import is_atc, is_drug_code

# Side codes for pure imaging examinations (NCRP) and their counterparts from NCSP, which
# image-guided interventions and nuclear medicine take (Kodeveiledning 2018 §8.4 s. 66).
_NCRP_SIDE_TO_NCSP = {"ZTX0XA": "ZXA00", "ZTX0XB": "ZXA05", "ZTX0XC": "ZXA10"}
_NCSP_SIDE_TO_NCRP = {ncsp: ncrp for ncrp, ncsp in _NCRP_SIDE_TO_NCSP.items()}
_SIDE_NAME = {
    "ZTX0XA": "høyre side",
    "ZTX0XB": "venstre side",
    "ZTX0XC": "begge sider",
    "ZXA00": "høyre side",
    "ZXA05": "venstre side",
    "ZXA10": "begge sider",
}

# The side codes of each list, for the triggers of the rules that look at side codes.
NCRP_SIDE = F.code_feature(lambda facts: facts.code in _NCRP_SIDE_TO_NCSP, "NCRP-sidekode")
NCSP_SIDE = F.code_feature(lambda facts: facts.code in _NCSP_SIDE_TO_NCRP, "NCSP-sidekode")

# Additional codes that the code lists reserve for surgical (NCSP) and radiological (NCRP)
# codes, for DRG grouping (Kodeveiledning 2018 §5.6 s. 43 names ZXA10; the full list is in the
# rulebook's chapter 26, which the embedded text does not reach).
_NOT_FOR_NCMP = frozenset({"ZXA10"})

# The radiopharmaceuticals of the rulebook's nuclear-medicine examples (§8.4 s. 69), used only
# to make the suggestion concrete; the code text names the radiopharmaceutical since 2016.
_RADIOPHARMACEUTICAL_EXAMPLES = {
    "TFY0AN": "V09GA02",
    "TSY0AN": "V09BA01",
    "TPJ0DN": "V09DB01",
    "TBA0AN": "V09FX01",
}

_DRUG_PREFIXES = ("WBOC", "WBGM", "AXFX00")

# Women-only NCSP chapters by shape (Kodeveiledning 2018 §7.2 s. 53–54): L female genital
# organs, M obstetrics. NCRP files its image-guided interventions under the same chapters.
_FEMALE_CHAPTERS = frozenset("LM")


# -- helpers -------------------------------------------------------------------------------


def _is_additional(ref: CodeRef) -> bool:
    """A procedure additional code (chapter Z of NCSP, NCMP or NCRP)."""
    shape = ref.facts.shape
    return shape is not None and shape.additional


def _is_procedure(ref: CodeRef) -> bool:
    """A procedure code proper (not an additional code)."""
    shape = ref.facts.shape
    return shape is not None and not shape.additional


def _owners(group: Sequence[CodeRef]) -> list[CodeRef | None]:
    """For each code in a group, the procedure code it belongs to (itself for a procedure).

    An additional or drug code belongs to the nearest procedure code before it; a code before
    every procedure code belongs to none.
    """
    owners: list[CodeRef | None] = []
    current: CodeRef | None = None
    for ref in group:
        if _is_procedure(ref):
            current = ref
        owners.append(current)
    return owners


def _compact(codes: Sequence[str]) -> str:
    """A group in the compact notation coders and the CLI use: `HAB16K+ZXA05`."""
    return "+".join(codes)


def _is_radiopharmaceutical(ref: CodeRef) -> bool:
    """ATC V09 (diagnostic) or V10 (therapeutic) radiopharmaceutical, or an NCRP one.

    NCRP lists radiopharmaceuticals without an ATC code in group ZT (Kodeveiledning 2018 §8.2
    s. 63) without naming one; every ZT code the rulebook names as a pure additional code is
    ZTX… (§8.3 s. 64–65), so any other NCRP ZT code is taken to be a radiopharmaceutical.
    """
    if is_atc(ref):
        return ref.code.startswith(("V09", "V10"))
    shape = ref.facts.shape
    return (
        shape is not None
        and shape.system is System.NCRP
        and ref.code.startswith("ZT")
        and not ref.code.startswith("ZTX")
    )


def _label(ref: CodeRef) -> str:
    text = ref.text
    return f"{ref.code} ({text})" if text else ref.code


def _side_code_hit(
    view: EpisodeView,
    group: Sequence[CodeRef],
    ref: CodeRef,
    owner: CodeRef,
    replacement: str,
    message: str,
    severity: Severity | None,
) -> Hit:
    """A side code `ref` from the wrong system on `owner`: the finding, suggesting the group
    with `replacement` in its place, and that correction as the fix."""
    suggested = _compact([c.code if c is not ref else replacement for c in group])
    return Hit(
        message,
        (ref.code, owner.code),
        ref.location,
        f"Bruk {replacement} ({_SIDE_NAME[replacement]}): {suggested}",
        severity,
        fix=fixes.replace_code(view, ref, replacement),
    )


def _regrouped(view: EpisodeView, g: int, group: Sequence[CodeRef]) -> Fix:
    """The procedures with group `g` holding `group`'s codes as written."""
    groups = fixes.written(view.procedures)
    groups[g] = [ref.facts.raw for ref in group]
    return fixes.procedures(groups)


def _base_procedures(view: EpisodeView) -> bool:
    return any(_is_procedure(ref) for ref in view.procedure_codes())


# -- P01 -----------------------------------------------------------------------------------


def _only_adds(ref: CodeRef) -> bool:
    """A code that only adds to the procedure code before it: a chapter Z additional code, or
    the drug given (ATC code or særkode)."""
    return _is_additional(ref) or is_drug_code(ref)


def _noun(ref: CodeRef) -> str:
    return "Legemiddelkoden" if is_drug_code(ref) else "Tilleggskoden"


@rule(
    "P01",
    "procedure-additional-code-first",
    Severity.ERROR,
    title="Tilleggskode eller legemiddelkode først i prosedyregruppen eller alene",
    source="Kodeveiledning 2018 §5.6 s. 43, kap. 6 s. 47, §7.3 s. 56, §8.3 s. 64, §8.4 s. 68",
    triggers=F.at(F.PROCEDURE_FIRST, F.PROC_ADDITIONAL | F.ATC | F.SPECIAL),
    pure=True,
    fixable=True,
)
def procedure_additional_code_first(view: EpisodeView) -> Iterator[Hit]:
    """Checks: no procedure group starts with, or consists only of, a code that only adds to a
    procedure code: a chapter Z additional code (NCSP `ZX…`, `ZZ…`, `ZS…`, NCMP `ZWNM…`, NCRP
    `ZT…`) or a drug code (ATC, særkode) for the drug or radiopharmaceutical given.

    Why: Z codes only add information to the procedure code they follow and mean nothing on
    their own; they may never stand alone or as the first procedure code (Kodeveiledning 2018
    §5.6 s. 43, §7.3 s. 56, §8.3 s. 64). The drug code is registered with the drug treatment
    it belongs to (`WBOC…`, `WBGM…`: ch. 6 s. 47; the radiopharmaceutical with its
    nuclear-medicine code: §8.4 s. 68): first in the group it would stand for a procedure,
    which it is not. In an episode whose groups were rebuilt from a flat NPR extract, a code
    that starts a group may belong to a procedure in another column (ZXA05 to the NCRP code
    HAB16K, an ATC code to its WBOC code), so the rule fires there only when the episode
    holds no procedure code at all.
    """
    if view.episode.grouping_inferred and _base_procedures(view):
        return
    for g, group in enumerate(view.procedures):
        if not group or not _only_adds(group[0]):
            continue
        first = next((i for i, ref in enumerate(group) if _is_procedure(ref)), None)
        if first is not None:
            leading = [ref.code for ref in group[:first]]
            rest = [ref.code for ref in group[first + 1 :]]
            reordered = _compact([group[first].code, *leading, *rest])
            yield Hit(
                f"{_noun(group[0])} {group[0].code} står først i prosedyregruppen "
                f"{_compact([ref.code for ref in group])}; prosedyrekoden {group[first].code} "
                "skal stå først.",
                (group[0].code, group[first].code),
                group[0].location,
                f"Registrer gruppen som {reordered}",
                fix=_regrouped(view, g, [group[first], *group[:first], *group[first + 1 :]]),
            )
            continue
        codes = [ref.code for ref in group]
        drugs = all(is_drug_code(ref) for ref in group)
        if drugs:
            noun = "Legemiddelkoden" if len(codes) == 1 else "Legemiddelkodene"
            why = "legemidlet registreres sammen med prosedyren for legemiddelbehandlingen"
            first_code = (
                "prosedyrekoden for behandlingen (WBOC… ved svulstbehandling, ellers WBGM…)"
            )
        else:
            noun = "Tilleggskoden" if len(codes) == 1 else "Tilleggskodene"
            why = "tilleggskoder har ingen betydning uten prosedyren de utdyper"
            first_code = "prosedyrekoden"
        pronoun = "den" if len(codes) == 1 else "de"
        previous = view.procedures[g - 1] if g > 0 and view.procedures[g - 1] else None
        if previous is not None and _is_procedure(previous[0]):
            suggestion = (
                f"Før {noun.lower()} inn etter prosedyren {pronoun} gjelder, f.eks. "
                f"{_compact([ref.code for ref in previous] + codes)}"
            )
        else:
            suggestion = f"Registrer {first_code} først: <prosedyrekode>+{_compact(codes)}"
        yield Hit(
            f"{noun} {_compact(codes)} står alene uten prosedyrekode; {why}.",
            tuple(codes),
            group[0].location,
            suggestion,
        )


# -- P02 -----------------------------------------------------------------------------------


@rule(
    "P02",
    "surgical-additional-code-on-ncmp",
    Severity.WARNING,
    title="Tilleggskode forbeholdt kirurgiske og radiologiske koder brukt med NCMP-kode",
    source="Kodeveiledning 2018 §5.6 s. 43",
    years=(2016, None),
    triggers=F.at(F.PROCEDURE_LATER, NCSP_SIDE),
    requires=(F.in_procedures(F.NCMP),),
    pure=True,
    fixable=False,
)
def surgical_additional_code_on_ncmp(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `ZXA10` (bilateral), and other additional codes reserved for NCSP and NCRP
    codes, is not attached to an NCMP code.

    Why: additional codes may in principle follow codes from all three procedure systems, but
    some, such as ZXA10, are reserved for surgical and radiological intervention codes because
    of DRG grouping (Kodeveiledning 2018 §5.6 s. 43). The full list sits in the rulebook's
    chapter 26; only ZXA10, which §5.6 names, is checked until the code list carries a flag
    for it. Lowered to info when the groups were rebuilt from a flat NPR extract.
    """
    inferred = view.episode.grouping_inferred
    for group in view.procedures:
        for ref, owner in zip(group, _owners(group), strict=True):
            if ref.code not in _NOT_FOR_NCMP or owner is None:
                continue
            shape = owner.facts.shape
            if shape is None or shape.system is not System.NCMP:
                continue
            yield Hit(
                f"{_label(ref)} er forbeholdt kirurgiske (NCSP) og radiologiske (NCRP) "
                f"prosedyrekoder, men er knyttet til NCMP-koden {owner.code}.",
                (ref.code, owner.code),
                ref.location,
                f"Fjern {ref.code}; registrer {owner.code} én gang for hver side om prosedyren "
                "ble gjort på begge sider",
                Severity.INFO if inferred else None,
            )


# -- P03 -----------------------------------------------------------------------------------


@rule(
    "P03",
    "wrong-side-code-system",
    Severity.ERROR,
    title="Sidekode fra feil kodeverk (NCRP- eller NCSP-sidekode)",
    source="Kodeveiledning 2018 §8.4 s. 66",
    years=(2016, None),
    triggers=F.at(F.PROCEDURE_LATER, NCRP_SIDE | NCSP_SIDE),
    requires=F.any_of(
        (F.at(F.PROCEDURE_LATER, NCRP_SIDE), F.in_procedures(F.IMAGE_GUIDED | F.NUCLEAR)),
        (F.at(F.PROCEDURE_LATER, NCSP_SIDE), F.in_procedures(F.IMAGING)),
    ),
    pure=True,
    fixable=True,
)
def wrong_side_code_system(view: EpisodeView) -> Iterator[Hit]:
    """Checks: image-guided interventions and nuclear medicine take the NCSP side codes
    (`ZXA00`/`ZXA05`/`ZXA10`), pure imaging examinations (NCRP chapter S) the NCRP side codes
    (`ZTX0XA`/`ZTX0XB`/`ZTX0XC`).

    Why: the NCRP side codes describe pure imaging examinations only; with an image-guided
    intervention or a nuclear-medicine code the side must come from NCSP (Kodeveiledning 2018
    §8.4 s. 66, repeated for nuclear medicine s. 69). An NCRP side code on an intervention is
    an error. An NCSP side code on an examination is a warning: the meaning is clear, but
    chapter S has its own side codes. Both are lowered one step (warning, info) when the groups
    were rebuilt from a flat NPR extract.
    """
    inferred = view.episode.grouping_inferred
    for group in view.procedures:
        for ref, owner in zip(group, _owners(group), strict=True):
            if owner is None or owner is ref:
                continue
            shape = owner.facts.shape
            if shape is None:
                continue
            if ref.code in _NCRP_SIDE_TO_NCSP and (shape.image_guided or shape.nuclear_medicine):
                kind = (
                    "en kode for bildeveiledet intervensjon"
                    if shape.image_guided
                    else "en nukleærmedisinsk kode"
                )
                yield _side_code_hit(
                    view,
                    group,
                    ref,
                    owner,
                    _NCRP_SIDE_TO_NCSP[ref.code],
                    f"{ref.code} er NCRPs sidekode for rene bildediagnostiske undersøkelser, "
                    f"men {_label(owner)} er {kind}; sidekoden skal hentes fra NCSP.",
                    Severity.WARNING if inferred else None,
                )
            elif ref.code in _NCSP_SIDE_TO_NCRP and shape.imaging:
                yield _side_code_hit(
                    view,
                    group,
                    ref,
                    owner,
                    _NCSP_SIDE_TO_NCRP[ref.code],
                    f"{ref.code} er NCSPs sidekode, men {_label(owner)} er en ren "
                    "bildediagnostisk undersøkelse, som har egne sidekoder i NCRP.",
                    Severity.INFO if inferred else Severity.WARNING,
                )


# -- P04 -----------------------------------------------------------------------------------


@rule(
    "P04",
    "nuclear-medicine-without-radiopharmaceutical",
    Severity.ERROR,
    title="Nukleærmedisinsk prosedyre uten radiofarmakum",
    source="Kodeveiledning 2018 §8.4 s. 68",
    years=(2016, None),
    triggers=F.NUCLEAR,
    pure=True,
    fixable=False,
)
def nuclear_medicine_without_radiopharmaceutical(view: EpisodeView) -> Iterator[Hit]:
    """Checks: every nuclear-medicine code (NCRP chapter T) has the radiopharmaceutical used
    in its group: an ATC code `V09…` (diagnostic) or `V10…` (therapeutic), or an NCRP
    radiopharmaceutical code (group ZT, outside the ZTX additional codes).

    Why: the radiopharmaceutical is a required additional code for every nuclear-medicine
    procedure, even though the code text names it (Kodeveiledning 2018 §8.4 s. 68). When the
    groups were rebuilt from a flat NPR extract, a radiopharmaceutical anywhere in the
    episode's procedures is accepted.
    """
    inferred = view.episode.grouping_inferred
    if inferred and any(_is_radiopharmaceutical(ref) for ref in view.procedure_codes()):
        return
    for group in view.procedures:
        if any(_is_radiopharmaceutical(ref) for ref in group):
            continue
        for ref in group:
            shape = ref.facts.shape
            if shape is None or not shape.nuclear_medicine:
                continue
            example = _RADIOPHARMACEUTICAL_EXAMPLES.get(ref.code)
            codes = [c.code for c in group]
            if example is not None:
                suggestion = (
                    f"Legg til ATC-koden for radiofarmakumet som ble gitt, f.eks. "
                    f"{_compact([*codes, example])}"
                )
            else:
                suggestion = (
                    f"Legg til ATC-koden (V09… eller V10…) eller NCRP-koden for "
                    f"radiofarmakumet: {_compact([*codes, '<radiofarmakum>'])}"
                )
            yield Hit(
                f"Den nukleærmedisinske koden {_label(ref)} mangler kode for radiofarmakumet "
                "som ble brukt.",
                (ref.code,),
                ref.location,
                suggestion,
            )


# -- P05 -----------------------------------------------------------------------------------


@rule(
    "P05",
    "drug-treatment-without-drug",
    Severity.ERROR,
    title="Legemiddelbehandling uten kode for legemidlet",
    source="Kodeveiledning 2018 §6.5 s. 47",
    years=(2016, None),
    triggers=F.DRUG_TREATMENT,
    pure=True,
    fixable=False,
)
def drug_treatment_without_drug(view: EpisodeView) -> Iterator[Hit]:
    """Checks: drug treatment of tumours (`WBOC…`), pharmacotherapy (`WBGM…`) and the
    diagnostic drug test `AXFX00` have the drug in their group, as an ATC code or a særkode.

    Why: when drug treatment is coded, the drug must be coded too, with a særkode where one
    exists and otherwise the ATC code; for WBOC this holds at every admission and outpatient
    contact (Kodeveiledning 2018 p. 47, in chapter 6's section on special procedure codes,
    which the table of contents numbers 6.5; the catalogue's "§6.4" points to the same page).
    When the groups were rebuilt from a flat NPR extract, a drug code anywhere in the
    episode's procedures is accepted.
    """
    if view.episode.grouping_inferred and any(is_drug_code(r) for r in view.procedure_codes()):
        return
    for group in view.procedures:
        if any(is_drug_code(ref) for ref in group):
            continue
        for ref in group:
            if not ref.code.startswith(_DRUG_PREFIXES) or not _is_procedure(ref):
                continue
            codes = [c.code for c in group]
            hint = (
                "ATC-koden (kreftlegemidler: ATC-gruppe L01/L02) eller særkoden"
                if ref.code.startswith("WBOC")
                else "ATC-koden eller særkoden"
            )
            yield Hit(
                f"{_label(ref)} er registrert uten kode for legemidlet som ble gitt.",
                (ref.code,),
                ref.location,
                f"Legg til {hint} for legemidlet: {_compact([*codes, '<ATC-kode>'])}",
            )


# -- P06 -----------------------------------------------------------------------------------


@rule(
    "P06",
    "reoperation-code-not-first",
    Severity.WARNING,
    title="Reoperasjonskoden står ikke først i operasjonen",
    source="Kodeveiledning 2018 §7.3 s. 57",
    triggers=F.REOPERATION,
    pure=True,
    fixable=True,
)
def reoperation_code_not_first(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a reoperation code (NCSP, W in position 2, e.g. `JWA…`) comes before the other
    procedure codes of its operation.

    Why: the reoperation code should be the first code registered for a reoperation, followed
    by the codes of the specific procedures done during it (Kodeveiledning 2018 §7.3 s. 57).
    "Its operation" is the procedure group: one session's codes are registered together, the
    main procedure first (§7.3 s. 58). Separate groups on the same day may be separate
    operations, so the order of groups is not judged. Episodes whose groups were rebuilt from
    a flat NPR extract hold one procedure code per group, so the rule cannot fire there.
    """
    for group in view.procedures:
        for i, ref in enumerate(group):
            if not ref.flags & F.REOPERATION:
                continue
            before = [c for c in group[:i] if _is_procedure(c) and not c.flags & F.REOPERATION]
            if not before:
                continue
            end = i + 1
            while end < len(group) and not _is_procedure(group[end]):
                end += 1
            moved = [c.code for c in group[i:end]]
            rest = [c.code for c in group[:i]] + [c.code for c in group[end:]]
            fix = _regrouped(view, ref.group, [*group[i:end], *group[:i], *group[end:]])
            yield Hit(
                f"Reoperasjonskoden {ref.code} står etter {', '.join(c.code for c in before)} "
                "i samme operasjon; den skal registreres først, fulgt av kodene for inngrepene "
                "under reoperasjonen.",
                (ref.code, *(c.code for c in before)),
                ref.location,
                f"Registrer gruppen som {_compact(moved + rest)}",
                fix=fix,
            )


# -- P07 -----------------------------------------------------------------------------------

_GROUP_INDEX: dict[int, tuple[CodeList, dict[str, list[str]]]] = {}


def _specific_siblings(view: EpisodeView, ref: CodeRef, limit: int = 6) -> list[str]:
    """Codes of the same procedure group (first three characters and system) that are valid on
    the episode's date and are not "other" codes, from the procedure list in force."""
    code_list = view.base.code_list(Family.PROCEDURE, view.day)
    own = ref.facts.shape
    if code_list is None or own is None:
        return []
    cached = _GROUP_INDEX.get(id(code_list))
    if cached is None or cached[0] is not code_list:
        index: dict[str, list[str]] = {}
        for item in code_list:
            index.setdefault(item.code[:3], []).append(item.code)
        cached = (code_list, index)
        _GROUP_INDEX[id(code_list)] = cached
    found: list[str] = []
    for code in cached[1].get(ref.code[:3], []):
        item = code_list.codes[code]
        shape = parse_procedure(code)
        if (
            code == ref.code
            or shape is None
            or shape.other
            or shape.additional
            or shape.system is not own.system
            or (view.day is not None and not item.valid_on(view.day))
        ):
            continue
        found.append(code)
        if len(found) >= limit:
            break
    return found


@rule(
    "P07",
    "other-procedure-code",
    Severity.INFO,
    title="«Annen»-prosedyrekode: bare for prosedyrer uten egen kode",
    source="Kodeveiledning 2018 §7.2 s. 55",
    triggers=F.OTHER_PROCEDURE,
    fixable=False,
)
def other_procedure_code(view: EpisodeView) -> Iterator[Hit]:
    """Checks: "other" procedure codes (NCSP `99` in positions 4–5, or `9` in position 4 in
    chapters F, G, J, K, L, M and group BC; NCMP `99` at the end; NCRP interventions with W in
    position 3) are pointed out.

    Why: "other" codes are for procedures the classification does not yet have, never for a
    procedure that is merely unspecified (Kodeveiledning 2018 §7.2 s. 55; §8.4 s. 67 for NCRP
    "other image-guided intervention"). The coder should confirm that no specific code fits;
    the finding is advice, not an error.
    """
    for ref in view.procedure_codes():
        if not ref.flags & F.OTHER_PROCEDURE:
            continue
        siblings = _specific_siblings(view, ref)
        suggestion = (
            f"Sjekk om en spesifikk kode dekker prosedyren, f.eks. {', '.join(siblings)}"
            if siblings
            else "Sjekk om en spesifikk kode dekker prosedyren før «annen»-koden brukes"
        )
        yield Hit(
            f"{_label(ref)} er en «annen»-kode: den skal bare brukes for prosedyrer som ikke "
            "har egen kode, ikke som uspesifisert kode.",
            (ref.code,),
            ref.location,
            suggestion,
        )


# -- P08 -----------------------------------------------------------------------------------


def _procedure_sex(ref: CodeRef) -> Sex | None:
    """The sex a procedure code is restricted to: the code list's flag, else the chapter."""
    if ref.facts.sex is not None:
        return ref.facts.sex
    shape = ref.facts.shape
    if shape is None or shape.additional:
        return None
    if shape.system is System.NCSP or shape.image_guided:
        return Sex.FEMALE if shape.chapter in _FEMALE_CHAPTERS else None
    return None


@rule(
    "P08",
    "procedure-sex-conflict",
    Severity.ERROR,
    title="Prosedyre forbeholdt det andre kjønn",
    source="Kodeveiledning 2018 §7.2 s. 53",
    triggers=F.SEX_LIMITED,
    requires=F.any_of(
        (F.in_procedures(F.MALE_ONLY), F.EP_FEMALE), (F.in_procedures(F.FEMALE_ONLY), F.EP_MALE)
    ),
    fixable=False,
)
def procedure_sex_conflict(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a procedure restricted to one sex is not coded for a patient of the other sex.

    Why: the procedure code workbook marks codes reserved in principle for one sex
    (Kodeveiledning 2018 §7.2 s. 53); such a code on the other sex is a wrong code or a wrong
    sex. The code list's flag decides where it is set (this also covers the male genital
    groups of chapter K, which the shape cannot tell from the urinary organs). Without a flag,
    NCSP chapters L (female genital organs) and M (obstetrics), and the NCRP image-guided
    interventions filed under them, count as women only (§7.2 s. 54). Unknown sex is E03's.
    """
    sex = view.sex
    if sex is None:
        return
    for ref in view.procedure_codes():
        restricted = _procedure_sex(ref)
        if restricted is None or restricted is sex:
            continue
        yield Hit(
            f"{_label(ref)} er en prosedyre for {SEX_PLURAL[restricted]}, men pasienten er "
            f"registrert som {SEX_SINGULAR[sex]}.",
            (ref.code,),
            ref.location,
            "Kontroller prosedyrekoden og pasientens kjønn",
        )


# -- P09 -----------------------------------------------------------------------------------


@rule(
    "P09",
    "procedure-date-outside-episode",
    Severity.ERROR,
    title="Prosedyredato utenfor episodens inn- og utskrivningsdato",
    source="Kodeveiledning 2018 §5.4 s. 42",
    triggers=F.EP_PROCEDURE_DATE_OUTSIDE,
    fixable=False,
)
def procedure_date_outside_episode(view: EpisodeView) -> Iterator[Hit]:
    """Checks: each procedure group's date lies between the admission and discharge dates.

    Why: a procedure is registered when it is done, in the contact where it is done, with the
    codes valid on that day (Kodeveiledning 2018 §5.4 s. 42); a date outside the episode means
    a wrong date or a procedure registered on the wrong episode. Dates are compared without
    the time of day, so an outpatient procedure on the day of the contact is fine. A missing
    episode date is E01's.
    """
    episode = view.episode
    first = episode.admission.date() if episode.admission else None
    last = episode.discharge.date() if episode.discharge else None
    if first is not None and last is not None and last < first:
        return  # E01 reports reversed dates
    for g, day in enumerate(view.procedure_dates):
        group = view.procedures[g]
        if day is None or not group:
            continue
        if first is not None and day < first:
            where = f"før innskrivning ({first.isoformat()})"
        elif last is not None and day > last:
            where = f"etter utskrivning ({last.isoformat()})"
        else:
            continue
        span = f"{first.isoformat() if first else '…'}–{last.isoformat() if last else '…'}"
        yield Hit(
            f"Prosedyren {_compact([ref.code for ref in group])} er datert {day.isoformat()}, "
            f"{where}.",
            (group[0].code,),
            f"procedures[{g}]",
            f"Rett datoen til en dag i episoden ({span}), eller registrer prosedyren på "
            "kontakten der den ble utført",
        )


# -- P10 -----------------------------------------------------------------------------------


def _group_day(view: EpisodeView, g: int) -> date | None:
    """The group's date, else the contact's date when the episode lasts a single day."""
    day = view.procedure_dates[g]
    if day is not None:
        return day
    first, last = view.episode.admission, view.episode.discharge
    if first is not None and last is not None and first.date() == last.date():
        return first.date()
    return None


@rule(
    "P10",
    "imaging-code-repeated-same-day",
    Severity.INFO,
    title="Samme bildediagnostiske kode flere ganger samme dag",
    source="Kodeveiledning 2018 §8.4 s. 67–68",
    years=(2016, None),
    triggers=F.PROCEDURE_REPEATED,
    fixable=False,
)
def imaging_code_repeated_same_day(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the same NCRP imaging examination code (chapter S) is not registered twice on
    the same day.

    Why: an examination of one or more regions in the same session, day and modality is
    registered with one code where possible (Kodeveiledning 2018 §8.4 s. 67–68, rules 2 and
    4). Repeats are right when the examinations were independent (different times, e.g. before
    and after reduction; separate clinical questions documented), so this is advice. Two
    registrations with `ZTX0XA` and `ZTX0XB` are the permitted way to code a two-sided
    examination (rule 6) and are not reported.
    """
    seen: dict[tuple[str, date], tuple[CodeRef, str | None]] = {}
    reported: set[tuple[str, date]] = set()
    for g, group in enumerate(view.procedures):
        day = _group_day(view, g)
        if day is None:
            continue
        owners = _owners(group)
        for ref in group:
            shape = ref.facts.shape
            if shape is None or not shape.imaging:
                continue
            side = next(
                (
                    c.code
                    for c, owner in zip(group, owners, strict=True)
                    if owner is ref and c.code in _NCRP_SIDE_TO_NCSP
                ),
                None,
            )
            key = (ref.code, day)
            earlier = seen.get(key)
            if earlier is None:
                seen[key] = (ref, side)
                continue
            if {earlier[1], side} == {"ZTX0XA", "ZTX0XB"} or key in reported:
                continue
            reported.add(key)
            once = _compact([ref.code, "ZTX0XC"]) if earlier[1] or side else f"{ref.code} én gang"
            yield Hit(
                f"{_label(ref)} er registrert flere ganger {day.isoformat()}; én undersøkelse "
                "i samme seanse og modalitet registreres med én kode.",
                (ref.code,),
                ref.location,
                f"Registrer {once}, eller dokumenter at undersøkelsene var uavhengige (ulike "
                "tidspunkt eller ulike kliniske problemstillinger)",
            )


# -- P11 -----------------------------------------------------------------------------------


@rule(
    "P11",
    "imaging-side-code-on-surgical-or-medical-code",
    Severity.WARNING,
    title="NCRP-sidekode knyttet til en NCSP- eller NCMP-kode",
    source="Kodeveiledning 2018 §7.3 s. 58, §8.4 s. 66",
    years=(2016, None),
    triggers=F.at(F.PROCEDURE_LATER, NCRP_SIDE),
    pure=True,
    fixable=True,
)
def imaging_side_code_on_surgical_or_medical_code(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the NCRP side codes `ZTX0XA`/`ZTX0XB`/`ZTX0XC` are attached only to imaging
    examinations, not to surgical (NCSP) or medical (NCMP) procedure codes.

    Why: the rulebook gives NCRP its own side codes for pure imaging examinations only
    (Kodeveiledning 2018 §8.4 p. 66); surgery and other procedures take their side from the
    NCSP additional codes `ZXA..` (§7.3 p. 58). The catalogue's P03 covers image-guided
    interventions and nuclear medicine; this rule covers the remaining procedure codes. It is a
    warning, not an error, because the side is still clear; it is lowered to info when the
    groups were rebuilt from a flat NPR extract.
    """
    inferred = view.episode.grouping_inferred
    for group in view.procedures:
        for ref, owner in zip(group, _owners(group), strict=True):
            if owner is None or owner is ref or ref.code not in _NCRP_SIDE_TO_NCSP:
                continue
            shape = owner.facts.shape
            if shape is None or shape.additional or shape.system is System.NCRP:
                continue
            yield _side_code_hit(
                view,
                group,
                ref,
                owner,
                _NCRP_SIDE_TO_NCSP[ref.code],
                f"{ref.code} er NCRPs sidekode for bildediagnostiske undersøkelser, men står "
                f"til {_label(owner)} ({shape.system.value}); sidekoden skal hentes fra NCSP.",
                Severity.INFO if inferred else None,
            )
