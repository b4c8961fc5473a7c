"""T rules about the main condition and the condition list as a whole.

T01 (no main condition), T04 (codes Norway forbids first in the main condition), T05
(additional-only code first in the main condition), T06 (WHO codes the Norwegian edition leaves
out), T10 (repeated codes), T12 (collective code as main condition) and T13 (unspecific main
condition). Symptoms beside or instead of the disease that explains them (T11, T34) are in
`symptoms.py`.

Sources: Kodeveiledning 2018 (IS-0622) §2.2, §4.2, §4.3, §11.2 and §12.2, and the coder's talk
(slides on U07/U09.9 and Z03). What counts as an additional code or a code that describes a
condition is `kodevakt.rules.vocabulary`'s, shared with the other rule modules.
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.codes.codebase import Status
from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.code_facts import CodeFacts
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import (
    ADDITIONAL_FLAGS,
    MultipleCoding,
    describes_condition,
    is_additional,
    is_atc,
    is_drug_code,
    is_icd10,
    is_special,
    matches,
)

# --- T01 -------------------------------------------------------------------------------------


@rule(
    "T01",
    "no-main-condition",
    Severity.ERROR,
    title="Hovedtilstand mangler",
    source="Kodeveiledning 2018 §2.2 s. 12",
    triggers=F.NO_MAIN,
    pure=True,
    fixable=False,
)
def no_main_condition(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the episode has a main condition, i.e. a first condition group with a code.

    Why: every contact has one main condition, the condition the care was mainly given for,
    judged at the end of the stay or consultation (Kodeveiledning 2018 §2.2 p. 12). NPR needs
    it, DRG grouping starts from it, and it is the most important fact the episode reports.
    """
    if not view.conditions:
        yield Hit(
            "Episoden har ingen tilstandskoder og dermed ingen hovedtilstand.",
            location="conditions",
            suggestion="Registrer tilstanden helsehjelpen hovedsakelig ble gitt for som "
            "første tilstand (hovedtilstand)",
        )
    elif not view.conditions[0]:
        yield Hit(
            "Første tilstandsgruppe er tom, så episoden mangler hovedtilstand.",
            location="conditions[0]",
            suggestion="Registrer hovedtilstanden i første tilstandsgruppe",
        )


# --- T04 -------------------------------------------------------------------------------------

_COVID = ("U07.1", "U07.2")
_POST_COVID = "U09.9"


@rule(
    "T04",
    "code-not-allowed-first-in-main",
    Severity.ERROR,
    title="Koden kan ikke være første kode for hovedtilstanden i Norge",
    source="Foredrag (lysark U07/U09.9 og Z03)",
    years=(2020, None),
    triggers=F.at(F.MAIN, F.COVID | F.OBSERVATION),
    pure=True,
    fixable=True,
)
def code_not_allowed_first_in_main(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the first code of the main condition is not `U07.1`/`U07.2` (covid-19),
    `U09.9` (condition after covid-19) or `Z03.x` (observation for suspected disease ruled
    out).

    Why: Norwegian rules do not accept these as main-condition codes (the coder's talk, slides
    "U07.- og U09.9" and "Z03.-"). Covid-19 is coded by what the patient had: the infection
    (`J12.8`), the symptom (`R06.0`), or `R84.5` for a positive test without symptoms, with
    `U07.1`/`U07.2` after it. After a suspicion is ruled out, the symptom or sign that led to
    the contact goes first, or `Z71.1` for a worried but healthy person. The covid codes came
    in 2020, so the rule applies from 2020. `U07.0` (vaping) and the reserved `U07.3–U07.9`
    are not covid codes and are left alone. As other conditions these codes are allowed.
    """
    main = view.main_code
    if main is None or not is_icd10(main):
        return
    grouped = view.multiple_coding is not MultipleCoding.DAGGER_ONLY
    later = [ref for ref in view.main[1:] if describes_condition(ref)]
    if main.code in _COVID or main.code == _POST_COVID:
        others = [g[0] for g in view.conditions[1:] if g and describes_condition(g[0])]
        c = main.code
        fix: Fix | None = None
        if later or others:
            fix = fixes.promote(view, later[0] if later else others[0], join=grouped)
        if later:
            first = later[0].code
            suggestion = (
                f"Sett {first} først og {c} etter: {first}+{c}"
                if grouped
                else f"Sett {first} som hovedtilstand og {c} som annen tilstand"
            )
        elif others:
            first = others[0].code
            suggestion = (
                f"Er {first} det pasienten fikk helsehjelp for, sett den som hovedtilstand med "
                + (
                    f"{c} etter i samme gruppe: {first}+{c}"
                    if grouped
                    else f"{c} som annen tilstand"
                )
            )
        elif c in _COVID:
            if grouped:
                suggestion = (
                    f"Sett først koden for det pasienten hadde, med {c} etter i samme gruppe: "
                    f"infeksjonen (f.eks. J12.8+{c} ved viruspneumoni), symptomet (f.eks. "
                    f"R06.0+{c} ved dyspné) eller R84.5+{c} ved positiv prøve uten symptomer"
                )
            else:
                suggestion = (
                    "Sett koden for det pasienten hadde som hovedtilstand: infeksjonen (f.eks. "
                    "J12.8 ved viruspneumoni), symptomet (f.eks. R06.0 ved dyspné) eller R84.5 "
                    f"ved positiv prøve uten symptomer; {c} registreres som annen tilstand"
                )
        else:
            suggestion = (
                "Sett først koden for tilstanden pasienten har etter covid-19, og "
                f"{c} etter den" + (" i samme gruppe" if grouped else " som annen tilstand")
            )
        yield Hit(
            f"{main.label()} kan ikke være første kode for hovedtilstanden i Norge.",
            (c,),
            main.location,
            suggestion,
            fix=fix,
        )
    elif main.category == "Z03":
        symptoms = [
            ref
            for ref in view.condition_codes()
            if ref.flags & F.SYMPTOM and not is_additional(ref)
        ]
        fix = None
        if symptoms:
            symptom = symptoms[0]
            suggestion = (
                f"Sett symptomkoden {symptom.code} som hovedtilstand, med {main.code} etter"
            )
            if symptom.group == 0 or symptom.position == 0:
                fix = fixes.promote(view, symptom, join=False)
        else:
            suggestion = (
                "Bruk koden for symptomet eller tegnet som førte til kontakten (oftest en "
                "R-kode) som hovedtilstand, eller Z71.1 Kontakt for mistanke om sykdom uten at "
                "noen diagnose stilles"
            )
        yield Hit(
            f"{main.label()} er ikke gyldig som hovedtilstand i Norge.",
            (main.code,),
            main.location,
            suggestion,
            fix=fix,
        )


# --- T05 -------------------------------------------------------------------------------------


def _additional_kind(ref: CodeRef) -> str:
    flags = ref.flags
    if flags & F.MICROBE:
        return "mikroorganismekode"
    if flags & F.RESISTANCE:
        return "resistenskode"
    if flags & F.EXTERNAL:
        return "årsakskode for ytre årsak"
    if flags & F.SIRS:
        return "tilleggskode for alvorlighetsgrad ved infeksjon"
    if flags & F.DELIVERY_RESULT:
        return "kode for resultat av forløsning"
    if is_atc(ref):
        return "ATC-kode"
    if is_special(ref):
        return "særkode for legemiddel"
    return "tilleggskode"


def _what_goes_first(ref: CodeRef) -> str:
    flags = ref.flags
    if flags & (F.MICROBE | F.RESISTANCE):
        return "koden for infeksjonen (f.eks. N30.0 Akutt cystitt)"
    if flags & F.SIRS:
        return "koden for infeksjonen eller sepsisen (f.eks. A41.5 eller N10)"
    if flags & F.EXTERNAL:
        return "koden for skaden, forgiftningen eller bivirkningen (kapittel XIX eller A00–R99)"
    if flags & F.DELIVERY_RESULT:
        return "O-koden for fødselen eller det som kompliserte den"
    if is_drug_code(ref):
        return "koden for bivirkningen eller tilstanden legemidlet gjelder"
    return "koden for tilstanden som tilleggskoden beskriver"


@rule(
    "T05",
    "additional-code-first-in-main",
    Severity.ERROR,
    title="Tilleggskode som første kode for hovedtilstanden",
    source="Kodeveiledning 2018 §4.2 s. 30–35, §12.2 s. 95",
    triggers=F.at(F.MAIN, ADDITIONAL_FLAGS),
    pure=True,
    fixable=True,
)
def additional_code_first_in_main(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the first code of the main condition is not a code that can only add to another
    code: microorganism `B95–B98`, resistance `U82–U85`, external cause `V01–Y98` (Norwegian
    `V0n…`, `W0n…`, `Y4n` included), SIRS `R65.x`, septic shock `R57.2`, result of delivery
    `Z37.x`, drug codes (ATC, and the særkoder that stand in for them), and any code the code
    list flags as `Tilleggskode`.

    Why: these codes say nothing alone; they describe the cause, agent, severity or drug of the
    condition coded before them (Kodeveiledning 2018 §4.2 pp. 30–35; R65 and R57.2 only as
    additional codes to the infection, §12.2 p. 95). As first code of the main condition they
    leave the episode without a main condition and misgroup it. As the first code of an *other*
    condition they are the required standalone registration in 2016–2022 (and T29's concern
    from 2024), so only the main condition is checked here. Asterisk codes first are T02.
    """
    main = view.main_code
    if main is None or not is_additional(main):
        return
    later = [ref for ref in view.main[1:] if describes_condition(ref)]
    others = [group[0] for group in view.conditions[1:] if group and describes_condition(group[0])]
    grouped = view.multiple_coding is not MultipleCoding.DAGGER_ONLY
    fix = fixes.promote(view, (later or others)[0], join=grouped) if later or others else None
    if later:
        first = later[0].code
        suggestion = (
            f"Bytt rekkefølge: {first}+{main.code}"
            if grouped
            else f"Sett {first} som hovedtilstand og {main.code} som annen tilstand"
        )
    elif others:
        first = others[0].code
        suggestion = (
            f"Er {first} tilstanden helsehjelpen gjaldt, sett den som hovedtilstand med "
            + (
                f"{main.code} i samme gruppe: {first}+{main.code}"
                if grouped
                else f"{main.code} som annen tilstand"
            )
        )
    else:
        suggestion = f"Sett {_what_goes_first(main)} som hovedtilstand, med {main.code} etter"
    yield Hit(
        f"{main.label()} er en {_additional_kind(main)} og kan ikke være første kode for "
        "hovedtilstanden; den beskriver en annen kode.",
        (main.code,),
        main.location,
        suggestion,
        fix=fix,
    )


# --- T06 -------------------------------------------------------------------------------------

#: WHO's session codes for radiotherapy and chemotherapy of a tumour.
TUMOUR_SESSIONS = ("Z51.0", "Z51.1")

#: Norwegian alternatives the rulebook names for WHO codes it does not use.
_NORWEGIAN_ALTERNATIVE: tuple[tuple[tuple[str, ...], str], ...] = (
    # Kodeveiledning 2018 §11.2 p. 89: I25.0 not allowed; I25.9 only for known ischaemia
    # without atheromatosis.
    (
        ("I25.0",),
        "Bruk I25.1 Aterosklerotisk hjertesykdom; I25.8 eller I25.9 bare når ateromatose ikke "
        "er påvist",
    ),
    # O80–O84 (method of delivery) are absent from the Norwegian edition: the delivery is
    # shown by the O-code for what characterised it, Z37 for the result, and the method by
    # the NCSP chapter M procedure code.
    (
        ("O80-O84",),
        "Bruk O-koden som beskriver fødselen eller det som kompliserte den (f.eks. O60–O75), "
        "Z37.x for resultatet av forløsningen, og prosedyrekode fra NCSP kapittel M for "
        "forløsningsmåten",
    ),
    # Kodeveiledning 2018 §9.1 p. 76: since 2015 short stays for tumour drug treatment are
    # coded by the ordinary rules, the tumour (or the metastases) as main condition, the
    # treatment by procedure codes (WBOC …); Norway has no session codes Z51.0/Z51.1.
    (
        TUMOUR_SESSIONS,
        "Sett svulsten som behandles som hovedtilstand (primærsvulsten, eller metastasen når "
        "de fire kriteriene i §9.1 er oppfylt); behandlingen vises med prosedyrekoden "
        "(WBOC… med legemiddelkoden ved legemiddelbehandling, eller koden for "
        "strålebehandlingen), ikke med en Z51-kode",
    ),
    # The other WHO session codes: the condition treated is the main condition, and the
    # treatment is a procedure code, as for tumours.
    (
        ("Z51.2", "Z51.3", "Z51.6"),
        "Sett tilstanden som behandles som hovedtilstand; behandlingen vises med prosedyrekoden "
        "(f.eks. WBGM… med legemiddelkoden ved legemiddelbehandling)",
    ),
)


def _treated_tumour(view: EpisodeView) -> CodeRef | None:
    """The one tumour a session was for: the primary before its metastases (§9.1 p. 75);
    none when the episode codes no tumour, or several that could be the one treated."""
    tumours = [
        group[0]
        for group in view.conditions
        if group and is_icd10(group[0]) and group[0].flags & F.NEOPLASM
    ]
    primaries = [t for t in tumours if not t.flags & F.METASTASIS] or tumours
    if len({t.code for t in primaries}) != 1:
        return None
    return primaries[0]


def _who_only_suggestion(view: EpisodeView, ref: CodeRef) -> str | None:
    if ref.code in TUMOUR_SESSIONS and (tumour := _treated_tumour(view)) is not None:
        return (
            f"Sett {tumour.code} (svulsten som behandles) som hovedtilstand og fjern "
            f"{ref.code}; behandlingen vises med prosedyrekoden (WBOC… med legemiddelkoden "
            "ved legemiddelbehandling, eller koden for strålebehandlingen)"
        )
    for specs, text in _NORWEGIAN_ALTERNATIVE:
        if matches(ref, specs):
            return text
    ancestors = view.base.ancestors(ref.code, view.day)
    # The Norwegian merged categories (T4n, W0n, Y4n, V2s …) sit in the same block.
    blocks = [a for a in ancestors if "-" in a.code]
    if blocks:
        merged = [
            child
            for child in view.base.children(blocks[0].code, view.day)
            if len(child.code) == 3 and child.code[2].islower() and not child.who_only
        ]
        if merged:
            shown = ", ".join(f"{c.code} {c.display_text}".strip() for c in merged[:4])
            return f"Bruk den norske samlekategorien: {shown}"
    category = ref.code[:3]
    if category != ref.code:
        siblings = [
            c.code
            for c in view.base.children(category, view.day)
            if c.reportable and not c.who_only
        ]
        if siblings:
            return "Norske koder under " + category + ": " + ", ".join(siblings[:8])
    info = ref.facts.info
    if info is not None and info.notes:
        return " ".join(info.notes)
    return None


def _session_fix(view: EpisodeView, ref: CodeRef) -> Fix | None:
    """For a tumour session code alone in its group: the tumour as main condition in its
    place, or the code out when it is another condition; none when it is unclear which
    tumour was treated."""
    if ref.code not in TUMOUR_SESSIONS or len(view.conditions[ref.group]) != 1:
        return None
    if ref.group != 0:
        return fixes.drop(view, ref)
    chosen = _treated_tumour(view)
    if chosen is None:
        return None
    groups = fixes.written(view.conditions)
    rest = [group for i, group in enumerate(groups) if i not in (0, chosen.group)]
    return fixes.conditions([groups[chosen.group], *rest])


@rule(
    "T06",
    "who-code-not-used-in-norway",
    Severity.ERROR,
    title="WHO-kode som ikke brukes i den norske utgaven av ICD-10",
    source="Kodeveiledning 2018 §11.2 s. 89, §9.1 s. 76",
    triggers=F.NOT_OK,
    pure=True,
    fixable=True,
)
def who_code_not_used_in_norway(view: EpisodeView) -> Iterator[Hit]:
    """Checks: no code is a WHO ICD-10 code that the Norwegian edition leaves out (code status
    WHO-only: the code exists in WHO ICD-10 but neither is nor contains a Norwegian code).

    Why: only the Norwegian edition may be reported. The rulebook states that `I25.0` is not
    allowed in Norway (Kodeveiledning 2018 §11.2 p. 89); `O80–O84` (delivery method) are
    absent from the Norwegian list, which shows delivery by O-codes, `Z37` and NCSP chapter M
    procedures; many WHO categories of chapters XIX–XX are merged into Norwegian categories
    (`T4n`, `W0n`, `Y4n`); the session codes `Z51.0`/`Z51.1` (radiotherapy, chemotherapy)
    are not used since short stays for tumour drug treatment are coded by the ordinary rules,
    with the tumour as main condition and the treatment as procedure codes (§9.1 p. 76). K01
    only says a code is unknown; this rule names the Norwegian alternative: the rulebook's
    own, else the Norwegian merged category or the Norwegian codes under the same category,
    else the curated note. The only fix is for the tumour sessions: the tumour the episode
    codes becomes the main condition in the session code's place (the primary before its
    metastases; several primaries leave the choice to the coder).
    """
    for ref in view.all_codes():
        if ref.facts.status is not Status.WHO_ONLY:
            continue
        yield Hit(
            f"{ref.label()} finnes i WHOs ICD-10, men brukes ikke i den norske utgaven.",
            (ref.code,),
            ref.location,
            _who_only_suggestion(view, ref),
            fix=_session_fix(view, ref) if not ref.in_procedures else None,
        )


# --- T10 -------------------------------------------------------------------------------------


@rule(
    "T10",
    "code-repeated",
    Severity.WARNING,
    title="Samme kode registrert flere ganger",
    source="Kodeveiledning 2018 §2.2 s. 12",
    triggers=F.CODE_REPEATED,
    pure=True,
    fixable=True,
)
def code_repeated(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a condition code is registered only once: the same code twice in one group, or a
    code that describes a condition (not an additional-only code) twice in the episode, such as
    the main condition's first code repeated among the other conditions.

    Why: each condition is registered once, either as the main condition or as another
    condition (Kodeveiledning 2018 §2.2 p. 12); a repeated code counts the condition twice in
    statistics and can change the DRG. Additional codes are different: each condition group
    carries its own cause, agent or drug code, so `Y4n` or an ATC code in two groups (two
    adverse effects of one drug) is correct and not reported, only within one group.
    """
    repeats: list[tuple[CodeRef, CodeRef]] = []
    seen: dict[str, CodeRef] = {}
    for group in view.conditions:
        in_group: dict[str, CodeRef] = {}
        for ref in group:
            key = ref.code
            earlier = in_group.get(key)
            if earlier is None and not is_additional(ref):
                earlier = seen.get(key)
            if earlier is not None:
                repeats.append((ref, earlier))
                continue
            in_group[key] = ref
            if not is_additional(ref):
                seen.setdefault(key, ref)
    for ref, earlier in repeats:
        if earlier.group == 0 and earlier.position == 0:
            text = f"Hovedtilstandens kode {ref.label()} er registrert på nytt ({ref.location})."
            suggestion = f"Fjern {ref.code} fra andre tilstander"
        elif earlier.group == ref.group:
            text = f"{ref.label()} står to ganger i samme tilstandsgruppe."
            suggestion = f"Fjern den gjentatte {ref.code}"
        else:
            text = (
                f"{ref.label()} er registrert flere ganger ({earlier.location} og {ref.location})."
            )
            suggestion = f"Registrer {ref.code} bare én gang"
        same = [(r, e) for r, e in repeats if r.code == ref.code]
        yield Hit(text, (ref.code,), ref.location, suggestion, fix=_drop_repeated(view, same))


def _drop_repeated(view: EpisodeView, repeats: list[tuple[CodeRef, CodeRef]]) -> Fix:
    """The conditions without the repeats of one code (each with its first registration).

    A repeat that leads its group takes the codes after it along: they describe the same
    condition and join the group where it was registered first (those not there already).
    """
    found = fixes.cells(view)
    for ref, earlier in repeats:
        group = view.conditions[ref.group]
        if ref.position == 0 and earlier.group != ref.group:
            host = found[earlier.group]
            for other in group[1:]:
                code = found[ref.group][other.position]
                if code is not None and code not in host:
                    host.append(code)
                found[ref.group][other.position] = None
        found[ref.group][ref.position] = None
    return fixes.from_cells(found)


# --- T12 -------------------------------------------------------------------------------------

#: Collective codes for several related conditions (Kodeveiledning 2018 §4.3 p. 40).
_COLLECTIVE_CODES = ("B20.7", "I61.6", "S09.7", "S62.4")
_COLLECTIVE_CATEGORIES = ("F19", "T00-T07")


def is_collective(ref: CodeRef | CodeFacts) -> bool:
    """`B20.7`, `E10.7`–`E14.7`, `F19.x`, `I61.6`, `S09.7`, `S62.4`, `T00–T07`."""
    if not is_icd10(ref):
        return False
    if ref.flags & F.DIABETES and ref.code[4:5] == "7":
        return True
    return matches(ref, _COLLECTIVE_CODES + _COLLECTIVE_CATEGORIES)


COLLECTIVE = F.code_feature(is_collective, "samlekode for flere tilstander")


@rule(
    "T12",
    "collective-code-as-main",
    Severity.WARNING,
    title="Samlekode for flere tilstander som hovedtilstand",
    source="Kodeveiledning 2018 §4.3 s. 40",
    triggers=F.at(F.MAIN, COLLECTIVE),
    pure=True,
    fixable=False,
)
def collective_code_as_main(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the main condition is not a collective code for several related conditions:
    `B20.7`, `E10.7–E14.7`, `F19.x`, `I61.6`, `S09.7`, `S62.4`, `T00–T07`.

    Why: collective codes are used only by exception; each condition is coded by itself when
    practical. For the main condition they are acceptable only when the main-condition rules
    still cannot single out one condition, and then each condition is also coded separately
    (Kodeveiledning 2018 §4.3 p. 40). Whether that was so needs the documentation: a warning.
    """
    main = view.main_code
    if main is None or not is_collective(main):
        return
    others = [group[0].code for group in view.conditions[1:] if group]
    if others:
        suggestion = (
            "Velg tilstanden som krevde mest helsehjelp som hovedtilstand (f.eks. en av "
            f"{', '.join(others[:4])}); brukes samlekoden likevel, kod hver tilstand for seg i "
            "tillegg"
        )
    else:
        suggestion = (
            "Kod hver tilstand for seg og velg den som krevde mest helsehjelp som "
            "hovedtilstand; brukes samlekoden likevel, kod hver tilstand separat i tillegg"
        )
    yield Hit(
        f"Hovedtilstanden {main.label()} er en samlekode for flere tilstander og skal bare "
        "unntaksvis være hovedtilstand.",
        (main.code,),
        main.location,
        suggestion,
    )


# --- T13 -------------------------------------------------------------------------------------


@rule(
    "T13",
    "unspecific-main-condition",
    Severity.INFO,
    title="Uspesifikk kode som hovedtilstand",
    source="Kodeveiledning 2018 §4.3 s. 37–38",
    triggers=F.at(F.MAIN, F.UNSPECIFIC),
    pure=True,
    fixable=False,
)
def unspecific_main_condition(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the main condition's first code is not a code the code list marks unspecific
    (column `Uspesifikk_kode`, typically `.9` "uspesifisert").

    Why: unspecified codes are for when the cause or type is not known; when it is known, the
    specific code, or the "other specified" `.8` code, is used (Kodeveiledning 2018 §4.3
    pp. 37–38, the `J15.9` → `J13` correction in §2.2 p. 14). The documentation may well not
    allow more, so this is advice: the specific codes under the same category are listed.
    """
    main = view.main_code
    if main is None or not main.flags & F.UNSPECIFIC or not is_icd10(main):
        return
    category = main.code[:3]
    siblings = []
    if category != main.code:
        siblings = [
            c.code
            for c in view.children(category)
            if c.reportable and not c.unspecific and not c.who_only and c.code != main.code
        ]
    suggestion = (
        f"Mer spesifikke koder under {category}: {', '.join(siblings[:6])}"
        if siblings
        else "Sjekk om journalen gir grunnlag for en mer spesifikk kode"
    )
    yield Hit(
        f"Hovedtilstanden {main.label()} er en uspesifikk kode. Sjekk om dokumentasjonen gir "
        "grunnlag for en mer spesifikk kode.",
        (main.code,),
        main.location,
        suggestion,
    )
