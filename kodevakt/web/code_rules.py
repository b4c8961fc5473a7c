"""The rules that concern a code, for its code page, and why each one is listed.

"Concern" has three precise meanings here, and the page shows for each rule which of them
holds, so that a coder can tell a rule that fires on the code from one that merely looks at it:

1. **Fires on the code alone** (`FIRES`): the checker is run on an example episode holding only
   this code (as the main condition, or alone in a procedure group), an outpatient contact
   today, sex not given, 50 years old; each finding that names the code is listed as an
   example, with its message and suggestion. Rules that depend on the patient (sex, age) or on
   other codes do not fire here, which is why the next two meanings exist.
2. **Looks at a property of the code** (`FEATURE`): the rule's `triggers` mask, the declaration
   the engine uses to decide which rules to run for an episode, shares a feature with this
   code (asterisk, sex-limited, C00–D48 and so on; `kodevakt.rules.code_facts`). Such a rule
   runs whenever the code is in an episode and judges it with the rest of the episode. The
   features every code of a kind has (any ICD-10 code, any procedure code) and those that
   depend on how a code is written or on the date are left out: they would list nearly every
   rule on every page. So are condition rules (T) for a procedure code and procedure rules (P)
   for any other code: a T rule reads the condition groups, a P rule the procedure groups,
   whatever features a code shares with them (a sex limit, an additional-code flag).
3. **Named in the rule's description** (`DOCUMENTED`): the rule's title or docstring (what
   docs/rules.md shows, episode and pattern rules alike) names the code, a code above it
   (`I21` for `I21.4a`) or an ICD-10 range holding its category (`C00–D48`).

Rule tables inside rule modules (which dagger goes with which asterisk) are not searched:
they are shared by several rules of a module, so a match could not say which rule it is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from kodevakt.batch.catalogue import all_rules
from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.episodes.model import CareLevel, Episode, Patient, ProcedureGroup
from kodevakt.rules import code_facts as F
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Severity
from kodevakt.rules.registry import EpisodeRule

FIRES = "fires"
FEATURE = "feature"
DOCUMENTED = "documented"

EXAMPLE_AGE = 50
EXAMPLE_SEX = "9"  # not specified: no sex rule fires on a guessed sex

#: Norwegian names of the code features a rule's `triggers` mask can name. Features that
#: every code of a kind has, or that depend on the writing or the date, are not listed.
FEATURE_NAMES: dict[int, str] = {
    F.ATC: "ATC-kode",
    F.SPECIAL: "særkode",
    F.ASTERISK: "stjernekode",
    F.DAGGER: "sverdkode",
    F.ADDITIONAL_ONLY: "kun tilleggskode",
    F.SEX_LIMITED: "gjelder bare ett kjønn",
    F.AGE_LIMITED: "aldersgrense",
    F.UNSPECIFIC: "uspesifikk kode",
    F.SYMPTOM: "symptomkode (R00–R99)",
    F.PREGNANCY: "svangerskap og fødsel (O00–O99)",
    F.PERINATAL: "perinatal tilstand (P00–P96)",
    F.NEOPLASM: "svulst (C00–D48)",
    F.METASTASIS: "metastase (C77–C79)",
    F.DIABETES: "diabetes (E10–E14)",
    F.SIRS: "SIRS eller septisk sjokk (R65, R57.2)",
    F.MICROBE: "mikroorganisme (B95–B98)",
    F.RESISTANCE: "resistens (U82–U85)",
    F.EXTERNAL: "ytre årsak (V01–Y98)",
    F.COVID: "covid-19 (U07–U10)",
    F.OBSERVATION: "observasjon (Z03)",
    F.COMPLICATION: "komplikasjon",
    F.INFARCTION: "hjerteinfarkt (I21–I22)",
    F.FOLLOW_UP: "etterundersøkelse (Z08–Z09)",
    F.CANCER_HISTORY: "kreft i sykehistorien (Z85)",
    F.REHABILITATION: "rehabilitering (Z50)",
    F.UNCERTAIN_NEOPLASM: "usikkert malignitetspotensial (D37–D48)",
    F.INJURY: "skade (S00–T98)",
    F.Z_FACTOR: "faktor av betydning for helsetilstand (Z00–Z99)",
    F.DELIVERY_RESULT: "resultat av forløsning (Z37)",
    F.NEWBORN: "nyfødt (Z38)",
    F.PROC_ADDITIONAL: "tilleggskode til prosedyre",
    F.NUCLEAR: "nukleærmedisin",
    F.IMAGING: "bildediagnostikk",
    F.IMAGE_GUIDED: "bildeveiledet prosedyre",
    F.DRUG_TREATMENT: "legemiddelbehandling",
    F.REOPERATION: "reoperasjon",
    F.OTHER_PROCEDURE: "«annen»-prosedyre",
    F.NCMP: "NCMP-kode",
    F.OBSTETRIC_PROCEDURE: "obstetrisk prosedyre",
    F.UNLISTED: "ikke i den innlastede (ufullstendige) listen",
}
#: Features left out on purpose (see the module docstring); a test holds every feature a rule
#: can be triggered by to be named above or listed here.
GENERIC_FEATURES = F.ICD | F.PROCEDURE | F.UNKNOWN_SHAPE | F.NOT_OK | F.NONSTANDARD

_RANGE = re.compile(r"\b([A-Z][0-9]{2})(?:\.[0-9A-Za-z]+)?\s*[–-]\s*([A-Z][0-9]{2})\b")
_ICD_MENTION = re.compile(r"\b([A-Z][0-9][0-9nst](?:\.[0-9x][0-9a-z]?)?)(?![0-9A-Za-z])")
_PROCEDURE_MENTION = re.compile(r"\b([A-Z]{3,4}[0-9]{0,2}[A-Z]?)\b")


@dataclass(slots=True)
class RuleConcern:
    """One rule on a code page: which of the three meanings hold, and example findings."""

    code: str
    title: str
    severity: Severity
    reasons: dict[str, str] = field(default_factory=dict)
    examples: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.code,
            "title": self.title,
            "severity": self.severity.value,
            "reasons": dict(self.reasons),
            "examples": [finding.to_dict() for finding in self.examples],
        }


def rules_for_code(base: CodeBase, checker: Checker, code: str, today: date) -> list[RuleConcern]:
    """The rules that concern the canonical `code`, in catalogue order."""
    found: dict[str, RuleConcern] = {}
    ordered = all_rules()

    def concern(rule_code: str) -> RuleConcern:
        if rule_code not in found:
            registered = next(r for r in ordered if r.code == rule_code)
            found[rule_code] = RuleConcern(registered.code, registered.title, registered.severity)
        return found[rule_code]

    kind = normalise(code).kind
    if kind is CodeKind.UNKNOWN:  # a chapter or block: rules judge codes, not headings
        return []
    for finding in example_findings(checker, code, kind, today):
        entry = concern(finding.rule)
        entry.reasons[FIRES] = "Slår ut når koden står alene i en episode"
        entry.examples.append(finding)
    features = F.FactsCache(base).get(code, today).flags & ~GENERIC_FEATURES
    # Condition rules (T) read condition groups and procedure rules (P) procedure groups.
    other_family = "T" if kind is CodeKind.PROCEDURE else "P"
    for registered in ordered:
        if (
            isinstance(registered, EpisodeRule)
            and F.anywhere(registered.triggers) & features
            and registered.family != other_family
        ):
            triggers = F.anywhere(registered.triggers)
            names = FEATURE_NAMES | F.code_feature_names()
            shared = [name for bit, name in names.items() if bit & triggers & features]
            concern(registered.code).reasons[FEATURE] = (
                "Kjøres for episoder med koden fordi den er: " + ", ".join(shared)
            )
        mention = documented_mention(f"{registered.title}\n{registered.doc}", code, kind)
        if mention is not None:
            concern(registered.code).reasons[DOCUMENTED] = f"Regelbeskrivelsen nevner {mention}"
    return [found[r.code] for r in ordered if r.code in found]


def example_findings(checker: Checker, code: str, kind: CodeKind, today: date) -> list[Finding]:
    """The findings that name `code` when it is coded alone (see FIRES in the docstring)."""
    procedure = kind is CodeKind.PROCEDURE
    episode = Episode(
        "eksempel",
        Patient(sex_raw=EXAMPLE_SEX, age_years=EXAMPLE_AGE),
        care_level=CareLevel.OUTPATIENT,
        care_level_raw=CareLevel.OUTPATIENT.value,
        admission=datetime.combine(today, time()),
        discharge=datetime.combine(today, time()),
        conditions=[] if procedure else [[code]],
        procedures=[ProcedureGroup([code], today)] if procedure else [],
    )
    return [f for f in checker.check_episode(episode) if code in f.codes]


def documented_mention(text: str, code: str, kind: CodeKind) -> str | None:
    """How `text` names `code`: the code, a code above it, or a range holding its category."""
    if kind is CodeKind.ICD10:
        category = F.category_key(code)
        for low, high in _RANGE.findall(text):
            if low <= category <= high:
                return f"{low}–{high}"
        # Canonical codes put the dot after the category, so a prefix is a code above.
        return next((m for m in _ICD_MENTION.findall(text) if code.startswith(m)), None)
    if kind is CodeKind.PROCEDURE:
        # Four characters at least: three-letter words (NPR, ICD) are no procedure codes.
        mentions = _PROCEDURE_MENTION.findall(text)
        return next((m for m in mentions if len(m) >= 4 and code.startswith(m)), None)
    return None
