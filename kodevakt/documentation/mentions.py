"""What the reader finds in a text: mentions of conditions and procedures, and per code the
certainty, the section and the evidence a coder can check.

A `Mention` is one place in the text where a phrase of the lexicon stands, with the
certainty its context gives it and the section it is in. `CodeFound` gathers the mentions of
one code: the text affirms a code when any mention affirms it (a condition ruled out on
admission can still be diagnosed later), else the strongest other certainty stands
(negated, uncertain, history, family), and the evidence is the first mention with that
certainty. `proposed` says whether the reader would code it for this stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kodevakt.documentation.context import Certainty
from kodevakt.documentation.lexicon import CHRONIC, SYMPTOM, in_group, is_procedure_code
from kodevakt.documentation.sections import Section

#: Order in which a code's mentions decide its certainty (the first present wins).
CODE_CERTAINTY = (
    Certainty.AFFIRMED,
    Certainty.NEGATED,
    Certainty.UNCERTAIN,
    Certainty.HISTORY,
    Certainty.FAMILY,
)
MAX_QUOTE = 80  # characters of evidence quoted in a finding's message


class Kind(StrEnum):
    CONDITION = "condition"
    PROCEDURE = "procedure"


@dataclass(frozen=True, slots=True)
class Span:
    """Characters [start, end) of the text."""

    start: int
    end: int

    def quote(self, text: str) -> str:
        """The span as written, on one line and at most `MAX_QUOTE` characters."""
        quoted = " ".join(text[self.start : self.end].split())
        return quoted if len(quoted) <= MAX_QUOTE else quoted[: MAX_QUOTE - 1] + "…"

    def to_dict(self, text: str) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": text[self.start : self.end]}


@dataclass(frozen=True, slots=True)
class Mention:
    """One phrase found in the text and what its context says about it."""

    codes: tuple[str, ...]  # the code and the additional codes of its group
    group: tuple[str, ...]  # the codes it supports in a comparison (lexicon.in_group)
    span: Span
    certainty: Certainty
    section: Section
    phrase: str  # the lexicon phrase that matched
    flags: frozenset[str]
    compound: bool  # found as a compound through the code search
    trigger: Span | None  # the trigger that decided the certainty, if one did
    cue: bool  # an admission cue ("innlagt med", "behandlet for") stands before it
    intensive: bool = False  # its sentence speaks of intensive care (ventilator, pressor)

    @property
    def code(self) -> str:
        return self.codes[0]

    @property
    def kind(self) -> Kind:
        return Kind.PROCEDURE if is_procedure_code(self.code) else Kind.CONDITION

    @property
    def symptom(self) -> bool:
        return SYMPTOM in self.flags or self.code.startswith("R")

    @property
    def chronic(self) -> bool:
        return CHRONIC in self.flags

    def supports(self, code: str) -> bool:
        """Whether this mention is evidence for `code` (same category or in its group)."""
        same_category = code.replace(".", "")[:3] == self.code.replace(".", "")[:3]
        return same_category or in_group(code, self.group)

    def context_span(self) -> Span:
        """The phrase together with its trigger ("ingen tegn til pneumoni"), for quoting."""
        if self.trigger is None:
            return self.span
        return Span(min(self.span.start, self.trigger.start), max(self.span.end, self.trigger.end))


@dataclass(frozen=True, slots=True)
class CodeFound:
    """One code the text points to, with its deciding mention and all its mentions."""

    code: str
    codes: tuple[str, ...]  # with the additional codes of its group
    title: str  # the code's text in the code list
    certainty: Certainty
    evidence: Mention
    mentions: tuple[Mention, ...]
    proposed: bool

    @property
    def kind(self) -> Kind:
        return self.evidence.kind

    @property
    def section(self) -> Section:
        return self.evidence.section

    def to_dict(self, text: str) -> dict[str, Any]:
        """The JSON shape of one code (the issue's contract plus `kind`, `title`, `proposed`,
        the additional codes of its group and, when a trigger decided, its `context`)."""
        found: dict[str, Any] = {
            "code": self.code,
            "certainty": self.certainty.value,
            "section": self.section.value,
            "evidence": self.evidence.span.to_dict(text),
            "kind": self.kind.value,
            "title": self.title,
            "proposed": self.proposed,
        }
        if len(self.codes) > 1:
            found["with"] = list(self.codes[1:])
        if self.evidence.trigger is not None:
            found["context"] = self.evidence.context_span().to_dict(text)
        return found


def gather(mentions: list[Mention]) -> dict[str, list[Mention]]:
    """Mentions by code, in order of first mention."""
    by_code: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_code.setdefault(mention.code, []).append(mention)
    return by_code


def deciding(mentions: list[Mention]) -> Mention:
    """The mention that decides a code's certainty (see the module docstring)."""
    for certainty in CODE_CERTAINTY:
        for mention in mentions:
            if mention.certainty is certainty:
                return mention
    return mentions[0]
