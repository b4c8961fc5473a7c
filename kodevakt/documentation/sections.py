"""The sections of a Norwegian discharge summary (epikrise), found by their headings.

Discharge summaries from Norwegian hospitals follow a loose common layout: the diagnoses
first (often split into the main condition and other conditions), then the history, the
findings, the assessment and course, the treatment and procedures, and the plan. Where a
condition is written says much about it: a condition under "Hovedtilstand" is the doctor's
main condition, one under "Tidligere sykdommer" is history, one under "Familieanamnese" is
about a relative. A heading is a line that starts with one of the known heading words,
followed by a colon (text may follow on the same line) or by nothing else on the line; the
section runs to the next heading. Text before the first heading is in section `NONE`.

The headings are the ones Norwegian hospitals' templates commonly use (DIPS and Helseplattformen
epikrise templates have the same core); each `Section` lists the spellings it accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Section(StrEnum):
    """A kind of section; the value is the machine name in JSON output."""

    NONE = "none"
    MAIN_CONDITION = "main_condition"
    OTHER_CONDITIONS = "other_conditions"
    DIAGNOSES = "diagnoses"
    REASON = "reason"
    HISTORY = "history"
    PREVIOUS = "previous_illness"
    FAMILY = "family_history"
    FINDINGS = "findings"
    ASSESSMENT = "assessment"
    TREATMENT = "treatment"
    PROCEDURES = "procedures"
    MEDICATION = "medication"
    PLAN = "plan"
    SOCIAL = "social"

    @property
    def norwegian(self) -> str:
        return _NORWEGIAN[self]

    @property
    def lists_diagnoses(self) -> bool:
        """Whether a condition written here is stated as a diagnosis of this stay."""
        return self in (Section.MAIN_CONDITION, Section.OTHER_CONDITIONS, Section.DIAGNOSES)


_NORWEGIAN = {
    Section.NONE: "uten overskrift",
    Section.MAIN_CONDITION: "Hovedtilstand",
    Section.OTHER_CONDITIONS: "Bitilstander",
    Section.DIAGNOSES: "Diagnoser",
    Section.REASON: "Innleggelsesårsak",
    Section.HISTORY: "Anamnese",
    Section.PREVIOUS: "Tidligere sykdommer",
    Section.FAMILY: "Familieanamnese",
    Section.FINDINGS: "Funn",
    Section.ASSESSMENT: "Vurdering",
    Section.TREATMENT: "Behandling",
    Section.PROCEDURES: "Prosedyrer",
    Section.MEDICATION: "Legemidler",
    Section.PLAN: "Plan",
    Section.SOCIAL: "Sosialt",
}

# Heading spellings (lower case, single spaces) per section.
# fmt: off
HEADINGS: dict[Section, tuple[str, ...]] = {
    Section.MAIN_CONDITION: (
        "hovedtilstand", "hoveddiagnose", "hoveddiagnoser", "hovedårsak til innleggelse",
        "hoveddiagn", "hoveddg",
    ),
    Section.OTHER_CONDITIONS: (
        "bitilstander", "bitilstand", "bidiagnoser", "bidiagnose", "andre tilstander",
        "andre diagnoser", "sekundærdiagnoser", "øvrige diagnoser", "komorbiditet",
        "bidiagn", "bidiag", "bi-diagnoser",
        "komplikasjoner",
    ),
    Section.DIAGNOSES: (
        "diagnoser", "diagnose", "diagnoser ved utskrivning", "utskrivningsdiagnoser",
        "utskrivningsdiagnose", "epikrisediagnoser", "aktuelle diagnoser", "konklusjon/diagnose",
        "diagnoser under oppholdet", "dg", "dx", "diag", "diagn",
    ),
    Section.REASON: (
        "innleggelsesårsak", "årsak til innleggelse", "innleggelsesgrunn", "henvisningsårsak",
        "kontaktårsak", "problemstilling", "aktuelt", "aktuell sykehistorie", "aktuell sykdom",
        "aktuelle problemstillinger", "bakgrunn for innleggelse",
    ),
    Section.HISTORY: (
        "anamnese", "sykehistorie", "sykehistorie og forløp", "tidligere og nåværende sykdommer",
        "innkomst", "ved innkomst",
    ),
    Section.PREVIOUS: (
        "tidligere sykdommer", "tidligere sykehistorie", "tidligere", "kjente sykdommer",
        "kjente diagnoser", "tidligere sykdom", "tidligere operasjoner", "tidligere inngrep",
        "kjente tilstander", "tidl. sykdommer",
    ),
    Section.FAMILY: (
        "familieanamnese", "familiehistorie", "hereditet", "arvelighet", "familie", "slekt",
    ),
    Section.FINDINGS: (
        "funn", "klinisk undersøkelse", "klinisk status", "status ved innkomst", "innkomststatus",
        "status presens", "undersøkelser", "supplerende undersøkelser", "blodprøver",
        "laboratorieprøver", "lab", "radiologi", "bildediagnostikk", "røntgen", "ekg",
        "ekkokardiografi", "funn ved innkomst", "undersøkelsesfunn", "prøvesvar",
    ),
    Section.ASSESSMENT: (
        "vurdering", "vurdering og forløp", "forløp", "forløp og vurdering", "konklusjon",
        "oppsummering", "sammendrag", "epikrise", "vurdering og behandling", "klinisk forløp",
    ),
    Section.TREATMENT: (
        "behandling", "tiltak", "behandling og forløp", "medikamentell behandling",
        "gitt behandling", "behandling under oppholdet",
    ),
    Section.PROCEDURES: (
        "prosedyrer", "prosedyre", "operasjon", "operasjoner", "inngrep", "utførte prosedyrer",
        "operasjonsbeskrivelse", "utførte inngrep", "operative inngrep",
    ),
    Section.MEDICATION: (
        "legemidler", "medisiner", "faste medisiner", "medikamenter", "legemiddelliste",
        "legemidler ved utreise", "medisinering", "medikasjon", "faste legemidler",
        "endringer i medikasjon", "legemiddelendringer",
    ),
    Section.PLAN: (
        "plan", "videre plan", "oppfølging", "videre oppfølging", "kontroll", "anbefalinger",
        "råd", "råd og oppfølging", "plan videre", "videre tiltak", "til fastlegen",
    ),
    Section.SOCIAL: ("sosialt", "sosial anamnese", "sosiale forhold", "funksjonsnivå"),
}
# fmt: on

_BY_HEADING = {heading: section for section, names in HEADINGS.items() for heading in names}
_LONGEST = max(len(heading) for heading in _BY_HEADING)
# A line's start: optional bullets or numbering, the heading words, then a colon or the end.
_HEADING = re.compile(
    r"[ \t]*(?:[-*•#]+[ \t]*)?"  # bullets
    rf"(?P<heading>[^\W\d_][^:\n]{{0,{_LONGEST}}}?)"  # the heading, shortest first
    r"[ \t]*(?P<colon>:|\n|$)",
    re.UNICODE,
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Part:
    """One section of a text: its kind, the heading as written, and where its body is."""

    section: Section
    heading: str
    start: int  # where the section's body starts (after the heading)
    end: int


def find_sections(text: str) -> list[Part]:
    """The sections of `text` in order, covering all of it (the first may be `NONE`).

    A diagnosis list ends at the first line after its heading that reads as prose (more
    than `LIST_ITEM_WORDS` words, or two sentences): the text after "Bidiagnose: Atrieflimmer."
    is often the course of the stay, not more diagnoses. What follows is in `NONE` until the
    next heading.
    """
    parts: list[Part] = []
    section, heading, body_start = Section.NONE, "", 0
    position = 0
    for line in text.splitlines(keepends=True):
        found = _heading(line)
        if found is not None:
            kind, written, length = found
            if position > body_start or parts or section is not Section.NONE:
                parts.append(Part(section, heading, body_start, position))
            section, heading, body_start = kind, written, position + length
        elif section.lists_diagnoses and _prose(line):
            parts.append(Part(section, heading, body_start, position))
            section, heading, body_start = Section.NONE, "", position
        position += len(line)
    parts.append(Part(section, heading, body_start, len(text)))
    return [part for part in parts if part.end > part.start or part.section is not Section.NONE]


LIST_ITEM_WORDS = 12
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÆØÅ]")


_NUMBERING = re.compile(r"\s*(?:\d+[.)]|[-*•])?\s*")  # matches every line, maybe empty


def _prose(line: str) -> bool:
    numbering = _NUMBERING.match(line)
    item = line[numbering.end() :] if numbering else line
    return len(item.split()) > LIST_ITEM_WORDS or bool(_SENTENCE_BREAK.search(item))


def _heading(line: str) -> tuple[Section, str, int] | None:
    """(section, heading as written, length up to the end of the heading) when `line` starts
    with a known heading followed by a colon or the end of the line."""
    match = _HEADING.match(line)
    if match is None:
        return None
    written = match.group("heading").strip()
    name = _SPACES.sub(" ", written.lower()).rstrip(".")
    section = _BY_HEADING.get(name)
    if section is None:
        return None
    if match.group("colon") != ":" and line[match.end() :].strip():
        return None  # words after a heading without a colon: ordinary prose
    end = match.end() if match.group("colon") == ":" else match.start("colon")
    return section, written, end


def section_at(parts: list[Part], offset: int) -> Section:
    """The section that holds the character at `offset`."""
    for part in parts:
        if offset < part.end:
            return part.section if offset >= part.start else Section.NONE
    return parts[-1].section if parts else Section.NONE
