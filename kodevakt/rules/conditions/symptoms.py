"""T rules for symptoms and the disease that explains them: as main condition (T11) and beside
it (T34).

A symptom a known disease or injury explains is not coded (Kodeveiledning 2018 §2.2 p. 12,
§4.3 p. 38) unless it is a problem in itself; and when it is, the disease is still the main
condition if care was also given for it (§2.2 p. 13). Two tables say which symptoms which
diseases explain:

- `EXPECTED`: the symptom is part of the disease as such (fever with an infection, cough with
  a cold or pneumonia, pain with an injury, chest pain with angina). Coded beside the disease
  it says nothing more (T34), and as main condition it stands where the disease should (T11).
  Rows marked `advice` (heart failure beside an infarction) only ask.
- `ORGAN`: the symptom belongs to the organ system of the disease, but may well be a problem
  of its own (urinary retention with prostatic hyperplasia, the rulebook's own example of a
  symptom that is right as main condition when nothing was done for the disease, §2.2 p. 13).
  As main condition it is only worth a question (T11 as info); beside the disease, nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.code_facts import CodeFacts
from kodevakt.rules.conditions.infection_codes import is_infection
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.phrases import condition_name
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import describes_condition, is_additional, is_icd10, matches


@dataclass(frozen=True, slots=True)
class Explained:
    """Symptom codes that diseases of the `diseases` ranges explain (`infection`: any code
    `infection_codes.is_infection` counts as an infection explains them too). `advice`: the
    code cannot tell the expected manifestation from a condition of its own, so the finding
    is a question (info) and has no fix."""

    symptoms: tuple[str, ...]
    diseases: tuple[str, ...]
    source: str
    infection: bool = False
    advice: bool = False


_GENERAL = "Kodeveiledning 2018 §4.3 s. 38 (symptom ved kjent sykdom kodes ikke)"
_INJURY = "Kodeveiledning 2018 §4.3 s. 38 (smerter kodes ikke ved skader)"
_RESPIRATORY = ("J00-J22", "J40-J47", "A15-A16", "A37")

#: Symptoms that are part of the disease as such: never coded beside it (T34), and not the
#: main condition while it is coded (T11, warning).
EXPECTED: tuple[Explained, ...] = (
    # Fever with an infection (§2.2 p. 12, §4.3 p. 38); R50.2 drug fever has another cause.
    Explained(
        ("R50.0", "R50.1", "R50.8", "R50.9"),
        (),
        "Kodeveiledning 2018 §2.2 s. 12, §4.3 s. 38 (feber ved infeksjon)",
        infection=True,
    ),
    # Cough with a cold or pneumonia (§4.3 p. 38), and other airway disease.
    Explained(
        ("R05",),
        _RESPIRATORY,
        "Kodeveiledning 2018 §4.3 s. 38 (hoste ved forkjølelse eller lungebetennelse)",
    ),
    # Pain with an injury of the same region (§4.3 p. 38).
    Explained(("R51",), ("S00-S09",), _INJURY),
    Explained(("R07.1", "R07.2", "R07.3", "R07.4"), ("S20-S29",), _INJURY),
    Explained(("R10",), ("S30-S39",), _INJURY),
    Explained(("M54",), ("S12-S13", "S22-S23", "S32-S33"), _INJURY),
    Explained(("M25.5", "M79.6"), ("S40-S99",), _INJURY),
    Explained(("R52",), ("S00-T14",), _INJURY),
    # Flank pain and fever with pyelonephritis (§2.3 example 1 p. 14), abdominal pain with
    # the abdominal disease that causes it.
    Explained(
        ("R10",),
        ("K25-K29", "K35-K38", "K50-K52", "K56-K57", "K80-K87", "A00-A09", "N10-N12", "N20-N23"),
        "Kodeveiledning 2018 §2.3 s. 14 (eksempel 1: flankesmerter ved nyrebekkenbetennelse), "
        "§4.3 s. 38",
    ),
    Explained(("R11",), ("A00-A09", "K29", "O21"), _GENERAL),
    Explained(("R11", "R42"), ("S06",), _GENERAL),  # nausea and dizziness with concussion
    Explained(("R07.0",), ("J02-J03", "J06"), _GENERAL),
    Explained(("R07.1", "R07.2", "R07.3", "R07.4"), ("I20-I24", "I26", "I30"), _GENERAL),
    Explained(("R06.0", "R06.2"), ("J12-J18", "J44-J46", "I50", "I26", "J81"), _GENERAL),
    Explained(("R30", "R35"), ("N30", "N34", "N39.0", "N41"), _GENERAL),
    Explained(("R51",), ("G43-G44", "G00-G03", "J01"), _GENERAL),
    Explained(("R17",), ("B15-B19", "K70-K77", "K80-K83"), _GENERAL),
    Explained(("R74.0",), ("B15-B19", "K70-K77"), _GENERAL),
    Explained(("R60",), ("I50", "N04", "I80"), _GENERAL),
    Explained(("R73", "R81"), ("E10-E14", "O24"), _GENERAL),
    Explained(("R80",), ("N00-N08", "O14"), _GENERAL),
    Explained(("R03.0",), ("I10-I15", "O10-O16"), _GENERAL),
    Explained(("R01",), ("I05-I09", "I34-I38", "Q20-Q24"), _GENERAL),
    Explained(("R00",), ("I47-I49",), _GENERAL),
    Explained(("R42",), ("H81",), _GENERAL),
    Explained(("R56.8",), ("G40-G41",), _GENERAL),  # not R56.0 febrile convulsions (§4.3 p. 38)
    Explained(("R21",), ("B01-B09", "L20-L30", "L50"), _GENERAL),
    Explained(("R75",), ("B20-B24", "Z21"), _GENERAL),
    Explained(("R91",), ("J12-J18", "A15-A16", "C34"), _GENERAL),
    Explained(("R92",), ("C50", "D05"), _GENERAL),
    # Acute heart failure set off by an infarction is a manifestation of the infarction;
    # chronic heart failure is a condition of its own (§2.2 pp. 12–13). The code does not say
    # which, so this is a question.
    Explained(
        ("I50",),
        ("I21-I22",),
        "Kodeveiledning 2018 §2.2 s. 12–13 (akutt hjertesvikt utløst av infarkt)",
        advice=True,
    ),
)

_ORGAN_SOURCE = "Kodeveiledning 2018 §2.2 s. 12–13, §3.3 s. 25"

#: Symptom blocks and the organ chapters whose diseases may explain them, though the symptom
#: may be a problem of its own (T11 as info). Neoplasms are absent: a complication of cancer
#: treated as such goes first and the cancer after it (§9.6 p. 82).
ORGAN: tuple[Explained, ...] = (
    Explained(("R00",), ("I20-I52",), _ORGAN_SOURCE),
    Explained(("R01",), ("I00-I09", "I30-I52", "Q20-Q28"), _ORGAN_SOURCE),
    Explained(("R02",), ("I70-I79", "E10-E14"), _ORGAN_SOURCE),
    Explained(("R03",), ("I10-I15",), _ORGAN_SOURCE),
    Explained(("R04-R09",), ("J00-J99", "I20-I28", "I30-I52", "I71"), _ORGAN_SOURCE),
    Explained(("R10-R19",), ("K00-K93", "A00-A09"), _ORGAN_SOURCE),
    Explained(("R20",), ("G00-G99",), _ORGAN_SOURCE),
    Explained(("R21-R23",), ("L00-L99", "B00-B09"), _ORGAN_SOURCE),
    Explained(("R25-R29",), ("G00-G99", "M00-M99"), _ORGAN_SOURCE),
    Explained(("R30-R39",), ("N00-N39", "N40-N42"), _ORGAN_SOURCE),
    Explained(("R40-R41",), ("F00-F09", "G00-G99"), _ORGAN_SOURCE),
    Explained(("R42",), ("H81-H83", "I95"), _ORGAN_SOURCE),
    Explained(("R43-R46",), ("F00-F99", "G00-G99"), _ORGAN_SOURCE),
    Explained(("R47-R49",), ("G00-G99", "I60-I64", "J37-J38"), _ORGAN_SOURCE),
    Explained(("R51",), ("G43-G44",), _ORGAN_SOURCE),
    Explained(("R55",), ("I20-I52", "I95"), _ORGAN_SOURCE),
    Explained(("R56",), ("G40-G41",), _ORGAN_SOURCE),
    Explained(("R57",), ("I20-I52",), _ORGAN_SOURCE),
    Explained(("R60",), ("I50", "I80-I89", "N00-N19"), _ORGAN_SOURCE),
    Explained(("R71",), ("D50-D64",), _ORGAN_SOURCE),
    Explained(("R73",), ("E10-E14",), _ORGAN_SOURCE),
    Explained(("R74",), ("K70-K77",), _ORGAN_SOURCE),
    Explained(("R75",), ("B20-B24",), _ORGAN_SOURCE),
    Explained(("R80-R82",), ("N00-N39",), _ORGAN_SOURCE),
    Explained(("R81",), ("E10-E14",), _ORGAN_SOURCE),
    Explained(("R91",), ("J00-J99",), _ORGAN_SOURCE),
    Explained(("R92",), ("N60-N64",), _ORGAN_SOURCE),
)

#: Late effects: they follow the code of the residual condition (§4.2 p. 34), never explain it.
_SEQUELAE = ("B90-B94", "E64", "E68", "G09", "I69", "O94", "O97", "T90-T98")

#: Febrile convulsions are a problem of their own that is always coded (§4.3 p. 38).
_ALWAYS_CODED = ("R56.0",)


def _can_explain(ref: CodeRef) -> bool:
    """A code that names a disease or injury: not a symptom, factor, late effect or
    additional code, and not covid-19 `U07.1`/`U07.2`, which follows the symptom it caused
    when there is no clinical disease to code (the talk, slide «U07.- og U09.9»)."""
    return (
        describes_condition(ref)
        and not ref.flags & (F.SYMPTOM | F.Z_FACTOR | F.COVID)
        and not matches(ref, _SEQUELAE)
    )


def explaining(
    view: EpisodeView, symptom: CodeRef, table: tuple[Explained, ...]
) -> tuple[CodeRef, Explained] | None:
    """The first condition code in the episode that a row of `table` says explains
    `symptom`, with the row. Codes after the symptom in its own group describe the symptom
    and do not count."""
    if matches(symptom, _ALWAYS_CODED):
        return None
    rows = [row for row in table if matches(symptom, row.symptoms)]
    if not rows:
        return None
    for ref in view.condition_codes():
        if ref.group == symptom.group and ref.position >= symptom.position:
            continue
        if not _can_explain(ref):
            continue
        for row in rows:
            if matches(ref, row.diseases) or (row.infection and is_infection(ref.code)):
                return ref, row
    return None


#: Codes outside chapter XVIII that the tables treat as symptoms: pain codes of chapter XIII,
#: and heart failure as a manifestation of an infarction.
_SYMPTOM_LIKE = ("M25.5", "M54", "M79.6", "I50")


def _symptom_kind(facts: CodeRef | CodeFacts) -> bool:
    """A code of the kind `_is_symptom` names, by its code alone (for the rules' triggers)."""
    return bool(facts.flags & F.SYMPTOM) or matches(facts, _SYMPTOM_LIKE)


SYMPTOM_KIND = F.code_feature(_symptom_kind, "symptomkode")


def _is_symptom(ref: CodeRef) -> bool:
    """A symptom code the tables can name: chapter XVIII, or one of `_SYMPTOM_LIKE`."""
    return is_icd10(ref) and not is_additional(ref) and _symptom_kind(ref)


def _described(view: EpisodeView, symptom: CodeRef) -> bool:
    """Whether an additional code follows the symptom in its group (`R42+Y4n+C07AB02`: an
    adverse drug effect), which makes it the coded condition rather than a bare symptom."""
    group = view.conditions[symptom.group]
    return any(is_additional(o) for o in group[symptom.position + 1 :])


# --- T11 -------------------------------------------------------------------------------------


@rule(
    "T11",
    "symptom-main-explained",
    Severity.WARNING,
    title="Symptomkode som hovedtilstand mens sykdommen som forklarer den er kodet",
    source="Kodeveiledning 2018 §2.2 s. 12–13, §4.3 s. 38",
    triggers=F.at(F.MAIN, SYMPTOM_KIND),
    pure=True,
    fixable=False,
)
def symptom_main_explained(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the main condition is a symptom while another condition is a disease that
    explains it. A warning when the symptom is part of the disease as such (`EXPECTED`: fever
    with an infection, chest pain with angina, abdominal pain with appendicitis, pain with an
    injury); advice (info) when the disease only belongs to the symptom's organ system
    (`ORGAN`: urinary retention with prostatic hyperplasia).

    Why: a symptom that is an expected part of a known disease is not coded, fever with
    infection being the rulebook's example (Kodeveiledning 2018 §2.2 p. 12, §4.3 p. 38). When
    the symptom needed most care but care was also given for the underlying disease, the
    disease is the main condition (the 2016 rule, §2.2 p. 13). The symptom stays the main
    condition when nothing was done for a known underlying disease: the rulebook's example 2
    (`R33; N40`, a catheter change and nothing for the hyperplasia) is correct, and only the
    documentation can tell it from example 1 (`N40; R33`). So a symptom that may be a problem
    of its own is only asked about. Febrile convulsions `R56.0` are always coded (§4.3 p. 38).
    Late effects (`I69`, `T90–T98` …) never explain a symptom (they follow its code, §4.2
    p. 34), and neoplasms count only for imaging findings: a cancer complication treated as
    such goes before the cancer (§9.6 p. 82). A symptom followed by an additional code in its
    group (`R42+Y4n+C07AB02`, an adverse drug effect, §4.2 p. 33) is left alone.
    """
    main = view.main_code
    if main is None or not _is_symptom(main) or _described(view, main):
        return
    found = explaining(view, main, EXPECTED)
    if found is not None and not found[1].advice:
        disease = found[0]
        yield Hit(
            f"Hovedtilstanden {main.label()} er et symptom som er en del av {disease.label()} "
            "i andre tilstander. Er det gitt helsehjelp for sykdommen, skal den være "
            "hovedtilstand, og symptomet kodes ikke.",
            (main.code, disease.code),
            main.location,
            f"Sett {disease.code} som hovedtilstand og fjern {main.code}, med mindre det ikke "
            f"ble gitt helsehjelp for {disease.code}",
        )
        return
    found = found or explaining(view, main, ORGAN)
    if found is None:
        return
    disease = found[0]
    yield Hit(
        f"Hovedtilstanden {main.label()} er et symptom eller en manifestasjon som "
        f"{disease.label()} i andre "
        "tilstander kan forklare. Ble det også gitt helsehjelp for den bakenforliggende "
        "tilstanden, skal den være hovedtilstand; ble det ikke, er symptomet riktig som "
        "hovedtilstand.",
        (main.code, disease.code),
        main.location,
        f"Sett {disease.code} som hovedtilstand og {main.code} som annen tilstand hvis det ble "
        f"gitt helsehjelp for {disease.code}",
        Severity.INFO,
    )


# --- T34 -------------------------------------------------------------------------------------


@rule(
    "T34",
    "symptom-beside-explaining-disease",
    Severity.WARNING,
    title="Symptomkode ved siden av sykdommen eller skaden som forklarer den",
    source="Kodeveiledning 2018 §2.2 s. 12, §2.3 s. 14, §4.3 s. 38",
    triggers=F.at(F.OTHER_FIRST, SYMPTOM_KIND) | F.at(F.GROUP_LATER, SYMPTOM_KIND),
    pure=True,
    fixable=True,
)
def symptom_beside_explaining_disease(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a symptom code that is not the main condition is not coded beside a disease or
    injury of which it is an expected part (`EXPECTED`): fever with an infection, cough with
    a respiratory infection, flank pain with pyelonephritis, pain with an injury of the same
    region, chest pain with angina, raised blood glucose with diabetes.

    Why: when the disease or injury that causes a symptom is known, the symptom is not coded
    unless it is unusual for the disease or important enough to be singled out (Kodeveiledning
    2018 §4.3 p. 38: no cough or fever with a cold or pneumonia, no pain with injuries;
    §2.2 p. 12; §2.3 example 1 p. 14: no flank pain or fever with pyelonephritis). Symptoms
    that are often a problem of their own beside their disease (urinary retention with
    prostate disease, bleeding, dehydration, febrile convulsions: §2.2 p. 12–13, §4.3 p. 38)
    are not in the table and not reported. A symptom followed by an additional code in its
    group (`R50.9+Y4n`: a drug's adverse effect) is described as something else and is left
    alone. The fix takes every such symptom out; a warning, since the documentation may single
    one out as unusual. Heart failure (`I50`) beside an infarction is only a question (info,
    no fix): acute heart failure set off by the infarction is a manifestation of it, chronic
    heart failure a condition of its own (§2.2 pp. 12–13), and the code does not say which.
    """
    main = view.main_code
    found: list[tuple[CodeRef, CodeRef]] = []
    questions: list[tuple[CodeRef, CodeRef]] = []
    for group in view.conditions:
        for ref in group:
            if ref is main or not _is_symptom(ref) or _described(view, ref):
                continue
            explained = explaining(view, ref, EXPECTED)
            if explained is not None:
                (questions if explained[1].advice else found).append((ref, explained[0]))
    fix = fixes.drop(view, *(ref for ref, _ in found)) if found else None
    for ref, disease in found:
        yield Hit(
            f"{ref.label()} ({condition_name(ref.group)}) er et forventet symptom ved "
            f"{disease.label()} og kodes ikke i tillegg, med mindre det er uvanlig eller "
            "særlig viktig for oppholdet.",
            (ref.code, disease.code),
            ref.location,
            f"Fjern {ref.code}; {disease.code} forklarer symptomet",
            fix=fix,
        )
    for ref, disease in questions:
        yield Hit(
            f"{ref.label()} ({condition_name(ref.group)}) er kodet sammen med "
            f"{disease.label()}. Er tilstanden akutt og utløst av {disease.code}, er den en "
            f"del av {disease.code} og kodes ikke i tillegg; en kronisk tilstand kodes.",
            (ref.code, disease.code),
            ref.location,
            f"Fjern {ref.code} hvis den er en akutt følge av {disease.code}",
            Severity.INFO,
        )
