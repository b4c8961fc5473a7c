"""T rules: do the codes fit the patient (sex, age) and the pregnancy or delivery?

T07 (sex-restricted code), T08 (age limits of newborn, delivery and obstetric codes), T09
(perinatal codes after infancy), T14 (diabetes coded outside O24 in pregnancy), T15 (other
chapter's condition in a pregnancy without an O-code before it) and T16 (delivery without
`Z37`). Sex and age limits come from the code list and the curated attribute table
(`Code.sex`, `Code.age_min_days`, `Code.age_max_days`); the year limits of chapter XV are the
catalogue's.
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.codes.model import Sex
from kodevakt.episodes.model import CareLevel
from kodevakt.rules import code_facts as F
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.phrases import SEX_PLURAL, SEX_SINGULAR, code_text
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import MultipleCoding, describes_condition, is_icd10, matches


def _age_text(view: EpisodeView) -> str:
    days = view.age_days
    if days is not None and days < 365:
        return f"{days} {'dag' if days == 1 else 'dager'} gammel"
    return f"{view.age_years} år"


# --- T07 -------------------------------------------------------------------------------------


@rule(
    "T07",
    "code-for-other-sex",
    Severity.ERROR,
    title="Koden gjelder bare det andre kjønnet",
    source="Kodeveiledning 2018 §7.2 s. 53 (kjønn i kodelistene), §3.3 s. 24",
    triggers=F.SEX_LIMITED,
    requires=F.any_of(
        (F.in_conditions(F.MALE_ONLY), F.EP_FEMALE), (F.in_conditions(F.FEMALE_ONLY), F.EP_MALE)
    ),
    fixable=False,
)
def code_for_other_sex(view: EpisodeView) -> Iterator[Hit]:
    """Checks: no condition code restricted to one sex (code list column `Kjønn`: chapter XV
    O-codes, `Z33–Z37`, `Z39`, `N70–N98`, `C51–C58` for women; `N40–N51`, `C60–C63` for men,
    and the rest of WHO's list) is used for a patient of the other sex.

    Why: the code lists carry the sex a code applies to so that codes can be checked against
    the patient's data (Kodeveiledning 2018 §7.2 p. 53). A sex conflict is either a wrong code
    or a wrong sex in the patient record, and NPR's validation rejects it. Patients with
    unknown sex are not checked (E03 reports the missing sex). Procedures are P08.
    """
    patient = view.sex
    if patient is None:
        return
    for ref in view.condition_codes():
        restricted = ref.facts.sex
        if restricted is None or restricted is patient:
            continue
        yield Hit(
            f"{ref.label()} gjelder bare {SEX_PLURAL[restricted]}, men pasienten er registrert "
            f"som {SEX_SINGULAR[patient]}.",
            (ref.code,),
            ref.location,
            f"Kontroller pasientens kjønn, eller velg en kode som passer for {SEX_PLURAL[patient]}",
        )


# --- T08 -------------------------------------------------------------------------------------

#: Chapter XV in completed years: outside the error band an error, outside the usual band a
#: warning (catalogue T08).
OBSTETRIC_ERROR_YEARS = (10, 60)
OBSTETRIC_USUAL_YEARS = (12, 55)
#: Z37 is registered for the mother: at least the lower obstetric age.
DELIVERY_RESULT_MIN_YEARS = 10
#: Z38 without a limit in the code data: the newborn's own birth episode, which starts at
#: birth or, born outside hospital, the day after.
NEWBORN_MAX_DAYS = 1


def _obstetric_hits(view: EpisodeView, codes: list[CodeRef]) -> Iterator[Hit]:
    years = view.age_years
    if years is None or not codes:
        return
    listed = ", ".join(dict.fromkeys(ref.code for ref in codes))
    low, high = OBSTETRIC_ERROR_YEARS
    usual_low, usual_high = OBSTETRIC_USUAL_YEARS
    if years < low or years > high:
        days = view.age_days
        if days is not None and days < 365:
            suggestion = (
                "O-koder hører til mors opphold; for barnet brukes P-koder (f.eks. P00–P04 når "
                "barnet er påvirket av tilstander hos mor)"
            )
        else:
            suggestion = "Kontroller fødselsdatoen og om kodene gjelder denne pasienten"
        yield Hit(
            f"Svangerskaps- og fødselskoder ({listed}) er kodet for en pasient på "
            f"{_age_text(view)}; de forutsetter en alder på {low}–{high} år.",
            tuple(dict.fromkeys(ref.code for ref in codes)),
            codes[0].location,
            suggestion,
        )
    elif years < usual_low or years > usual_high:
        yield Hit(
            f"Svangerskaps- og fødselskoder ({listed}) er kodet for en pasient på {years} år, "
            f"utenfor vanlig alder ({usual_low}–{usual_high} år).",
            tuple(dict.fromkeys(ref.code for ref in codes)),
            codes[0].location,
            "Kontroller fødselsdatoen og at kodene gjelder denne pasienten",
            Severity.WARNING,
        )


@rule(
    "T08",
    "age-does-not-fit-code",
    Severity.ERROR,
    title="Koden passer ikke med pasientens alder",
    source="Kodeveiledning 2018 §3.3 s. 24; kap. 16 (merknader til Z37 og Z38, «Nytt i 2018» s. 2)",
    triggers=F.PREGNANCY | F.DELIVERY_RESULT | F.NEWBORN | F.AGE_LIMITED,
    fixable=False,
)
def age_does_not_fit_code(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `Z38.x` (liveborn infant by place of birth) only in the newborn's own birth
    episode; `Z37.x` (result of delivery) only for the mother, aged 10 or more; chapter XV
    O-codes only for ages 10–60 (error) and, as a warning, outside the usual 12–55; any other
    code only within the age limits the code data give.

    Why: chapter XV covers pregnancy, delivery and puerperium of the woman herself
    (Kodeveiledning 2018 §3.3 p. 24); the newborn gets chapter XVI P-codes and `Z38`, the
    mother `Z37` (chapter 16 and the new notes on `Z37` and `Z38`, "Nytt i 2018" p. 2). A code
    outside its age span is a mix-up between mother's and child's records or a wrong birth
    date. The day limits of `Z38` come from the code data (born in hospital: 0 days, the
    episode starts at birth; born elsewhere: 1 day), else 1 day. The obstetric limits are
    checked in completed years, which the catalogue states, rather than in day counts that
    drift with leap years. Perinatal P-codes have a soft limit of their own (T09). Patients
    without a known age, or born after admission (E02), are not checked.
    """
    days = view.age_days
    years = view.age_years
    if days is None or years is None or days < 0:
        return
    obstetric: list[CodeRef] = []
    for ref in view.condition_codes():
        if not is_icd10(ref) or ref.flags & F.PERINATAL:
            continue
        info = ref.facts.info
        if ref.flags & F.PREGNANCY:
            obstetric.append(ref)
        elif ref.flags & F.DELIVERY_RESULT:
            if years < DELIVERY_RESULT_MIN_YEARS:
                yield Hit(
                    f"{ref.label()} (resultat av forløsning) registreres hos mor, men "
                    f"pasienten er {_age_text(view)}.",
                    (ref.code,),
                    ref.location,
                    f"Fjern {ref.code} fra barnets opphold; barnet får Z38.x (levendefødt "
                    "barn etter fødested) i sitt fødselsopphold",
                )
        elif ref.flags & F.NEWBORN:
            limit = NEWBORN_MAX_DAYS
            if info is not None and info.age_max_days is not None:
                limit = info.age_max_days
            if days > limit:
                mother = view.sex is Sex.FEMALE and years >= DELIVERY_RESULT_MIN_YEARS
                yield Hit(
                    f"{ref.label()} (levendefødt barn etter fødested) brukes bare i barnets "
                    f"eget fødselsopphold, men pasienten er {_age_text(view)}.",
                    (ref.code,),
                    ref.location,
                    "Hos mor brukes Z37.x (resultat av forløsning), ikke Z38.x"
                    if mother
                    else f"Fjern {ref.code}; kod tilstanden barnet får helsehjelp for",
                )
        elif info is not None and ref.flags & F.AGE_LIMITED:
            low, high = info.age_min_days, info.age_max_days
            if (low is not None and days < low) or (high is not None and days > high):
                span = f"{'' if low is None else low}–{'' if high is None else high} dager"
                yield Hit(
                    f"{ref.label()} har aldersgrense {span}, men pasienten er {_age_text(view)}.",
                    (ref.code,),
                    ref.location,
                    "Kontroller fødselsdatoen, eller velg en kode som passer for alderen",
                )
    yield from _obstetric_hits(view, obstetric)


# --- T09 -------------------------------------------------------------------------------------

#: Without a limit in the code data: perinatal codes beyond the first year of life are asked
#: about (catalogue T09).
PERINATAL_MAX_DAYS = 365


@rule(
    "T09",
    "perinatal-code-after-infancy",
    Severity.INFO,
    title="Perinatal kode (kapittel XVI) for en pasient over ett år: oppsto tilstanden perinatalt?",
    source="Kodeveiledning 2018 §3.3 s. 25, §4.3 s. 39",
    triggers=F.PERINATAL,
    fixable=False,
)
def perinatal_code_after_infancy(view: EpisodeView) -> Iterator[Hit]:
    """Checks: chapter XVI P-codes (conditions originating in the perinatal period) are not
    used for patients older than one year without a reason.

    Why: the perinatal period runs from 22 completed weeks of pregnancy to 7 days after birth
    (Kodeveiledning 2018 §3.3 p. 25, §4.3 p. 39); P-codes describe conditions that began then,
    at whatever age the patient is treated for them: the rulebook ties chapter XVI to when the
    condition arose, not to the patient's age (§4.3 p. 39), so bronchopulmonary dysplasia
    (`P27.1`) at three is right. An older patient is therefore only a question to the coder
    (info), never a warning. The limit is the code data's (365 days for P00–P96), else one
    year.
    """
    days = view.age_days
    if days is None or days < 0:
        return
    late: list[CodeRef] = []
    for ref in view.condition_codes():
        if not ref.flags & F.PERINATAL or not is_icd10(ref):
            continue
        info = ref.facts.info
        limit = PERINATAL_MAX_DAYS
        if info is not None and info.age_max_days is not None:
            limit = info.age_max_days
        if days > limit:
            late.append(ref)
    if not late:
        return
    codes = tuple(dict.fromkeys(ref.code for ref in late))
    yield Hit(
        f"Perinatal kode ({', '.join(codes)}) er brukt for en pasient på {_age_text(view)}. "
        "P-koder brukes i alle aldre for tilstander som oppsto i perinatalperioden.",
        codes,
        late[0].location,
        "Riktig hvis tilstanden oppsto i perinatalperioden (fra 22 fullgåtte svangerskapsuker "
        "til 7 dager etter fødselen); oppsto den senere, bruk koden fra organkapitlet",
    )


# --- T14 -------------------------------------------------------------------------------------

_PREGNANCY_Z = ("Z33-Z37", "Z39")
_O24_FOR = {"E10": "O24.0", "E11": "O24.1", "E12": "O24.2", "E13": "O24.3", "E14": "O24.3"}


def _pregnancy_signs(view: EpisodeView) -> list[CodeRef]:
    return [
        ref
        for ref in view.condition_codes()
        if is_icd10(ref)
        and ((ref.flags & F.PREGNANCY and ref.category != "O24") or matches(ref, _PREGNANCY_Z))
    ]


@rule(
    "T14",
    "diabetes-in-pregnancy-not-o24",
    Severity.WARNING,
    title="Diabetes kodet med E10–E14 hos gravid, fødende eller barselkvinne",
    source="Kodeveiledning 2018 §10.2 s. 86–87",
    triggers=F.DIABETES,
    requires=(F.in_conditions(F.PREGNANCY | F.Z_FACTOR),),
    pure=True,
    fixable=False,
)
def diabetes_in_pregnancy_not_o24(view: EpisodeView) -> Iterator[Hit]:
    """Checks: diabetes `E10–E14` is not coded without `O24` in an episode that shows
    pregnancy, delivery or puerperium (other O-codes, `Z33–Z37`, `Z39`).

    Why: during pregnancy, delivery and puerperium diabetes is coded with `O24` (pre-existing
    type 1 `O24.0`, type 2 `O24.1`, arising in pregnancy `O24.4`; Kodeveiledning 2018 §10.2
    p. 86). An `E10–E14` code may follow as additional detail (for a complication, or with
    `E16.0` hypoglycaemia, p. 87), so the rule is quiet as soon as an `O24` code is present.
    """
    if any(ref.category == "O24" for ref in view.condition_codes() if is_icd10(ref)):
        return
    signs = _pregnancy_signs(view)
    if not signs:
        return
    for ref in view.condition_codes():
        if not ref.flags & F.DIABETES or not is_icd10(ref):
            continue
        o24 = _O24_FOR.get(ref.category, "O24.9")
        extra = " (O24.4 hvis diabetesen oppsto i svangerskapet)" if o24 == "O24.3" else ""
        yield Hit(
            f"{ref.label()} er kodet i et opphold med svangerskap, fødsel eller barseltid "
            f"({signs[0].code}); da kodes diabetes med O24.",
            (ref.code, signs[0].code),
            ref.location,
            f"Bruk {code_text(view, o24)}{extra}; {ref.code} kan stå etter den for å beskrive "
            "komplikasjoner",
        )


# --- T15 -------------------------------------------------------------------------------------

#: Codes outside chapter XV that are themselves pregnancy-specific (WHO chapter XV exclusion
#: note): they need no O-code before them.
_PREGNANCY_SPECIFIC_ELSEWHERE = ("A34", "E23.0", "F53", "M83.0")

#: The O-code that takes a condition of another chapter: a specific one where chapter XV has
#: it, else O98/O99 by the condition's range (their subdivision follows the chapters).
_O98_O99: tuple[tuple[tuple[str, ...], str], ...] = (
    # Conditions with an O-code of their own come first (Kodeveiledning 2018 §4.2 p. 34 names
    # hypertension and urinary infection among them): O10 pre-existing hypertension, O23
    # urinary tract infection in pregnancy.
    (("I10",), "O10.0"),
    (("I11",), "O10.1"),
    (("I12",), "O10.2"),
    (("I13",), "O10.3"),
    (("I15",), "O10.4"),
    (("N10-N12",), "O23.0"),
    (("N30",), "O23.1"),
    (("N34",), "O23.2"),
    (("N39.0",), "O23.4"),
    (("A15-A19",), "O98.0"),
    (("A50-A53",), "O98.1"),
    (("A54",), "O98.2"),
    (("A55-A64",), "O98.3"),
    (("B15-B19",), "O98.4"),
    (("B20-B24",), "O98.7"),
    (("A80-B09", "B25-B34"), "O98.5"),
    (("B50-B64",), "O98.6"),
    (("A00-B99",), "O98.8"),
    (("D50-D64",), "O99.0"),
    (("D65-D89",), "O99.1"),
    (("E00-E90",), "O99.2"),
    (("F00-G99",), "O99.3"),
    (("I00-I99",), "O99.4"),
    (("J00-J99",), "O99.5"),
    (("K00-K93",), "O99.6"),
    (("L00-L99",), "O99.7"),
)


def _o_code_for(ref: CodeRef) -> str:
    for specs, code in _O98_O99:
        if matches(ref, specs):
            return code
    return "O99.8"


def _needs_o_code(ref: CodeRef) -> bool:
    """A disease from chapters I–XIV or XVII (not a symptom, injury, Z-code or additional
    code), and not diabetes, which T14 handles."""
    if not describes_condition(ref):
        return False
    if not matches(ref, ("A00-N99", "Q00-Q99")):
        return False
    return not (ref.flags & F.DIABETES or matches(ref, _PREGNANCY_SPECIFIC_ELSEWHERE))


@rule(
    "T15",
    "pregnancy-condition-without-o-code",
    Severity.INFO,
    title="Tilstand fra annet kapittel i svangerskapsopphold uten O-kode foran",
    source="Kodeveiledning 2018 §3.3 s. 24, §4.2 s. 34–35",
    triggers=F.PREGNANCY,
    pure=True,
    fixable=False,
)
def pregnancy_condition_without_o_code(view: EpisodeView) -> Iterator[Hit]:
    """Checks: in an episode with O-codes, a condition from another chapter (a disease from
    chapters I–XIV or XVII; not a symptom R, injury S/T, Z-code or additional code) has an
    O-code before it: in its own group from 2024, or earlier in the episode before 2024, when
    such codes were registered standalone (2016–2022) or grouping was voluntary (2023).

    Why: a condition that affects, or is affected by, pregnancy, delivery or puerperium is
    coded with an O-code first: a specific one (`O10` hypertension, `O22` thrombosis, `O23`
    urinary infection), else `O98`/`O99` followed by the code from the other chapter
    (Kodeveiledning 2018 §3.3 p. 24, §4.2 pp. 34–35). Symptoms, common injuries and Z-codes are
    the rulebook's exceptions, and a condition without any bearing on the pregnancy (the
    rulebook's hammer toe) is coded without an O-code: that is judgement, so this is advice.
    Diabetes is T14's; codes outside chapter XV that are pregnancy-specific themselves
    (`F53`, `M83.0`, `E23.0`, `A34`) need no O-code.
    """
    if not any(ref.flags & F.PREGNANCY for ref in view.all_codes()):
        return  # not a pregnancy or delivery stay: no code in O00–O99
    required = view.multiple_coding is MultipleCoding.REQUIRED
    grouped = view.multiple_coding is not MultipleCoding.DAGGER_ONLY
    o_before = False
    for group in view.conditions:
        if not group:
            continue
        first = group[0]
        if _needs_o_code(first) and not (o_before and not required):
            o_code = _o_code_for(first)
            alternative = (
                " eller en mer spesifikk O-kode" if o_code.startswith(("O98", "O99")) else ""
            )
            suggestion = (
                f"Har {first.code} betydning for svangerskapet, fødselen eller barseltiden "
                f"(eller omvendt), sett {o_code}{alternative} foran: "
                + (f"{o_code}+{first.code}" if grouped else f"{o_code}; {first.code}")
            )
            yield Hit(
                f"{first.label()} er kodet i et svangerskaps- eller fødselsopphold uten O-kode "
                "foran. Sjekk om tilstanden påvirker svangerskapet, fødselen eller barseltiden.",
                (first.code,),
                first.location,
                suggestion,
            )
        if any(ref.flags & F.PREGNANCY and is_icd10(ref) for ref in group):
            o_before = True


# --- T16 -------------------------------------------------------------------------------------

#: Condition codes that show that a delivery took place in the episode: labour and delivery
#: O60–O75, less O60.0 (preterm labour without delivery) and the postpartum O72–O73
#: (haemorrhage, retained placenta), which are also coded at readmissions after the delivery.
_DELIVERY_CONDITIONS = ("O60.1", "O60.2", "O60.3", "O61-O71", "O74-O75")


def _delivery_evidence(view: EpisodeView) -> CodeRef | None:
    for ref in view.condition_codes():
        if is_icd10(ref) and matches(ref, _DELIVERY_CONDITIONS):
            return ref
    for ref in view.procedure_codes():
        shape = ref.facts.shape
        if (
            shape is not None
            and shape.system.value == "NCSP"
            and shape.chapter == "M"
            and not shape.additional
            and ref.code[1:2] != "A"
        ):
            return ref
    return None


@rule(
    "T16",
    "delivery-without-result",
    Severity.WARNING,
    title="Fødsel uten kode for resultat av forløsning (Z37)",
    source="Kodeveiledning 2018 kap. 16 (merknad til Z37, «Nytt i 2018» s. 2)",
    triggers=F.PREGNANCY | F.OBSTETRIC_PROCEDURE,
    fixable=False,
)
def delivery_without_result(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a mother's episode that shows a delivery (labour and delivery codes `O60–O75`,
    or an NCSP chapter M delivery procedure) has a `Z37.x` result-of-delivery code.

    Why: the result of delivery (live or stillborn, single or multiple) is recorded in the
    mother's episode with `Z37` (Kodeveiledning 2018 chapter 16 and its note on `Z37`, "Nytt i
    2018" p. 2); birth statistics and the delivery DRGs rely on it. To keep false alarms low,
    `O60.0` (preterm labour without delivery) and the postpartum `O72–O73`, which readmissions
    after a delivery also carry, do not count as evidence of a delivery, nor do procedures of
    NCSP group MA (procedures during pregnancy rather than at delivery; the official procedure
    list is not embedded, so only the chapter letter M is known for sure); outpatient contacts
    (follow-up after a delivery) and male patients are not checked.
    """
    if view.sex is Sex.MALE or view.care_level is CareLevel.OUTPATIENT:
        return
    if view.has(F.DELIVERY_RESULT):
        return
    evidence = _delivery_evidence(view)
    if evidence is None:
        return
    where = (
        "i gruppen til fødselskoden"
        if view.multiple_coding is not MultipleCoding.DAGGER_ONLY
        else "som egen tilstand"
    )
    yield Hit(
        f"Oppholdet viser en fødsel ({evidence.label()}), men mangler kode for resultat av "
        "forløsning (Z37).",
        (evidence.code,),
        evidence.location,
        f"Legg til Z37.x (f.eks. Z37.0 Enkeltfødsel, levendefødt) {where}",
    )
