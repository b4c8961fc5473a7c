"""The proposed main condition: what the care was mainly given for, by the guide's chapter 2.

The main condition is the condition the care during the stay was mainly given for, judged at
its end (Kodeveiledning 2018 §2.2 p. 12). A discharge summary shows it in several ways, and
each candidate (a condition the reader would code) is scored by them:

- where it is written: under "Hovedtilstand" it is the doctor's own choice; first in the
  diagnosis list it is very likely; under "Bitilstander" it is not; in the admission reason or
  the assessment it is what the stay was about;
- an admission or treatment cue before it ("innlagt med", "behandlet for", "operert for");
- intensive care in its sentence (a ventilator, pressor): resources decide when two
  conditions both got care (the guide's aspiration pneumonia after appendicectomy, §2.3
  p. 14);
- how often it is mentioned, and whether a procedure of the stay treats it (PCI for an
  infarction, a hemiprosthesis for a hip fracture, chemotherapy for a tumour: §9.1 p. 76);
- the disease, not its symptom, when the text gives the cause (§2.2 pp. 12–13, the 2016
  rule); a known condition only kept on its usual treatment is not the main condition (§2.2
  p. 13, "Kjente tilstander"); a metastasis gives way to its primary tumour (§9.1 pp. 75–76).

Every candidate, best first, is then run through the rule checker as the main condition of an
episode holding the other proposed codes; one that breaks a rule about the main condition
(an error or a warning at `conditions[0]` from `MAIN_CONDITION_RULES`: `U07.1` or `Z03`
first, an additional-only code first, a symptom whose disease is coded, a metastasis before
its primary …) is never offered, and the next is tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from kodevakt.codes.codebase import CodeBase
from kodevakt.documentation.mentions import CodeFound, Kind
from kodevakt.documentation.sections import Section
from kodevakt.episodes.model import CareLevel, Episode, Patient, ProcedureGroup
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Severity

_SECTION_SCORE = {
    Section.MAIN_CONDITION: 100.0,
    Section.REASON: 35.0,
    Section.ASSESSMENT: 20.0,
    Section.NONE: 15.0,
    Section.TREATMENT: 15.0,
    Section.HISTORY: 12.0,
    Section.PROCEDURES: 10.0,
    Section.FINDINGS: 8.0,
    Section.OTHER_CONDITIONS: 5.0,
}
_DIAGNOSIS_LIST_SCORES = (70.0, 30.0, 20.0, 15.0)  # by place in the diagnosis list
CUE = 30.0
INTENSIVE = 35.0
PER_MENTION = 4.0
TREATED = 25.0
SYMPTOM_WITH_CAUSE = -60.0
KNOWN_CONDITION = -30.0
METASTASIS_WITH_PRIMARY = -30.0
CONSEQUENCE = -15.0
#: Disturbances that usually follow from the disease treated (dehydration, electrolytes): a
#: condition of their own when treated, seldom what the stay was for (§2.2 p. 12).
CONSEQUENCES = ("E86", "E87")

#: The conditions each kind of procedure treats or examines (by code group), so that the
#: condition a stay's procedure was done for counts as what the care was given for.
TREATS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("FNG", ("I20", "I21", "I22", "I24", "I25")),  # PCI: coronary disease (KV2018 kap. 11)
    ("FPE", ("I44", "I45", "I49")),  # pacemaker: conduction disorders
    ("TFP", ("I48",)),  # electroconversion: atrial fibrillation
    ("NFB", ("S72", "M16", "T84")),  # hip prosthesis: hip fracture, arthrosis
    ("NFJ", ("S72",)),  # osteosynthesis of the femur
    ("NGB", ("M17",)),  # knee prosthesis
    ("NHJ", ("S82",)),  # ankle fracture
    ("NCJ", ("S52",)),  # wrist fracture
    ("NBJ", ("S42",)),  # humerus fracture
    ("JEA", ("K35", "K36", "K37")),  # appendectomy
    ("JKA", ("K80", "K81", "K82")),  # cholecystectomy
    ("JKE", ("K80", "K83")),  # ERCP with stent
    ("JAB", ("K40",)),  # hernia repair
    ("JFB", ("C18", "C19", "C20", "K56", "K57")),  # colon resection
    ("MCA", ("O",)),  # caesarean section: the pregnancy condition that led to it
    ("MAE", ("O",)),  # vacuum extraction
    ("WBOC", ("C", "D0", "D37", "D38", "D39", "D4")),  # drug treatment of tumours (§9.1 p. 76)
    ("CJE", ("H25", "H26")),  # cataract surgery
    ("CKD", ("H35", "H36")),  # intravitreal injection
    ("EMB", ("J35", "J03", "J36")),  # tonsillectomy
    ("DCA", ("H65", "H66")),  # grommets
    ("KED", ("N40",)),  # TURP
    ("LCD", ("N92", "D25", "C54", "N81")),  # hysterectomy
    ("ACC", ("G56",)),  # carpal tunnel release
    ("NGA", ("M17", "M23")),  # knee arthroscopy
    ("HAB", ("C50", "D05")),  # breast-conserving surgery
    ("UJD", ("K92", "K25", "K26", "K27", "K29", "K21", "C15", "C16")),  # gastroscopy
    ("UJF", ("K92", "K57", "K50", "K51", "C18", "C20")),  # colonoscopy
)

#: The rules whose error or warning at the main condition says that code may not, or should
#: not, be the main condition: an invalid or unreportable code, an asterisk, additional-only,
#: covid or Z03 code first, a WHO-only code, a sex or age conflict, a perinatal code, a
#: symptom whose disease is coded, a collective code, diabetes in pregnancy, a metastasis
#: before its primary, a follow-up code while treating, a complication without its cause. Other
#: rules that place a finding there (a delivery without Z37, T16) are about another code.
MAIN_CONDITION_RULES = frozenset(
    {"K01", "K02", "K03", "K05", "T02", "T04", "T05", "T06", "T07", "T08", "T09", "T11",
     "T12", "T14", "T22", "T24", "T28"}
)  # fmt: skip

#: Codes that only ever add to the code before them (§4.2 pp. 29–35, §12.2 p. 95).
_ADDITIONAL_PREFIXES = ("B95", "B96", "B97", "B98", "U07", "U8", "V", "W", "X", "Y", "R65")
_ADDITIONAL_CODES = ("R57.2",)


def is_additional(code: str, base: CodeBase) -> bool:
    """A code that may not stand first in a group (the code list's flag, or by the guide)."""
    if code.startswith(_ADDITIONAL_PREFIXES) or code in _ADDITIONAL_CODES or code[:3] == "Z37":
        return True
    found = base.lookup(code)
    return found is not None and (found.additional_only or found.asterisk)


def treated_by(procedure: str, condition: str) -> bool:
    """Whether a procedure of this kind treats or examines this condition."""
    for prefix, conditions in TREATS:
        if procedure.startswith(prefix):
            return condition.startswith(conditions)
    return False


#: The rules that judge a microorganism or resistance code against the infection it describes
#: (T20: an agent the infection code already names, or no infection to describe; T21).
AGENT_RULES = frozenset({"T20", "T21"})


def without_redundant_agents(
    found: list[CodeFound], checker: Checker, template: Episode | None = None
) -> list[CodeFound]:
    """`found` with the proposed microorganism and resistance codes that the rules reject
    (T20, T21: "J13 + B95.3" already names the agent) no longer proposed."""
    agents = [
        f for f in found if f.proposed and f.code.startswith(("B95", "B96", "B97", "B98", "U8"))
    ]
    if not agents:
        return found
    conditions = [f for f in found if f.proposed and f.kind is Kind.CONDITION]
    groups = [list(f.codes) for f in conditions if f not in agents]
    groups += [list(f.codes) for f in agents]
    episode = replace(template or _plain_episode(), conditions=groups, procedures=[], text=None)
    rejected = {
        code
        for finding in checker.check_episode(episode)
        if finding.rule in AGENT_RULES
        for code in finding.codes
    }
    return [replace(f, proposed=False) if f in agents and f.code in rejected else f for f in found]


def propose(
    found: Sequence[CodeFound],
    base: CodeBase,
    checker: Checker,
    template: Episode | None = None,
) -> CodeFound | None:
    """The main condition to propose among the proposed conditions of `found`, or None."""
    conditions = [f for f in found if f.proposed and f.kind is Kind.CONDITION]
    procedures = [f for f in found if f.proposed and f.kind is Kind.PROCEDURE]
    candidates = [f for f in conditions if not is_additional(f.code, base)]
    if not candidates:
        return None
    scores = _scores(candidates, procedures)
    ranked = sorted(candidates, key=lambda f: -scores[f.code])
    episode = template or _plain_episode()
    for candidate in ranked:
        if _keeps_the_rules(candidate, conditions, procedures, episode, checker):
            return candidate
    return None


def _scores(candidates: list[CodeFound], procedures: list[CodeFound]) -> dict[str, float]:
    listed = [
        f.code
        for f in sorted(candidates, key=lambda f: _first_in(f, Section.DIAGNOSES))
        if _first_in(f, Section.DIAGNOSES) < 1 << 30
    ]
    diseases = [f for f in candidates if not f.evidence.symptom]
    primaries = [f for f in candidates if _is_primary_tumour(f.code)]
    length = max((m.span.end for f in candidates for m in f.mentions), default=1)
    scores: dict[str, float] = {}
    for f in candidates:
        affirmed = [m for m in f.mentions if m.certainty is f.certainty]
        score = max((_SECTION_SCORE.get(m.section, 0.0) for m in affirmed), default=0.0)
        first_in_list = False
        if f.code in listed:
            rank = listed.index(f.code)
            first_in_list = rank == 0
            list_score = _DIAGNOSIS_LIST_SCORES[min(rank, len(_DIAGNOSIS_LIST_SCORES) - 1)]
            score = max(score, list_score)
        if any(m.cue for m in affirmed):
            score += CUE
        if any(m.intensive for m in affirmed):
            score += INTENSIVE
        score += PER_MENTION * min(4, len(affirmed) - 1)
        if any(treated_by(p.code, f.code) for p in procedures):
            score += TREATED
        if f.evidence.symptom and any(d is not f for d in diseases):
            score += SYMPTOM_WITH_CAUSE
        in_main = any(m.section is Section.MAIN_CONDITION for m in affirmed)
        if f.evidence.chronic and not (in_main or first_in_list):
            score += KNOWN_CONDITION
        if f.code.startswith(("C77", "C78", "C79")) and primaries:
            score += METASTASIS_WITH_PRIMARY
        if f.code.startswith(CONSEQUENCES) and any(
            d is not f and not d.code.startswith(CONSEQUENCES) for d in diseases
        ):
            score += CONSEQUENCE
        score -= min(m.span.start for m in f.mentions) / length  # earlier wins a tie
        scores[f.code] = score
    return scores


def _first_in(found: CodeFound, section: Section) -> int:
    starts = [m.span.start for m in found.mentions if m.section is section]
    return min(starts) if starts else 1 << 30


def _is_primary_tumour(code: str) -> bool:
    return code.startswith("C") and not code.startswith(("C77", "C78", "C79"))


def _plain_episode() -> Episode:
    """An adult inpatient stay ending today, sex not given: the rules that need the patient
    stay silent, the others judge the codes."""
    today = date.today()
    return Episode(
        id="tekst",
        patient=Patient(sex=None, sex_raw="9", age_years=50),
        care_level=CareLevel.INPATIENT,
        admission=datetime.combine(today - timedelta(days=2), time(10)),
        discharge=datetime.combine(today, time(12)),
    )


def _keeps_the_rules(
    candidate: CodeFound,
    conditions: list[CodeFound],
    procedures: list[CodeFound],
    template: Episode,
    checker: Checker,
) -> bool:
    groups = [list(candidate.codes)]
    groups += [list(f.codes) for f in conditions if f is not candidate]
    day = template.rule_date
    episode = replace(
        template,
        conditions=groups,
        procedures=[ProcedureGroup(list(f.codes), day) for f in procedures],
        text=None,
    )
    return not any(
        f.rule in MAIN_CONDITION_RULES
        and f.severity.rank >= Severity.WARNING.rank
        and f.location.startswith("conditions[0]")
        for f in checker.check_episode(episode)
    )
