"""An episode as the rules see it: every code resolved, located and flagged.

Built once per episode by the engine; rules only read it. Locations use the interchange
format's paths (`conditions[1][0]` is the first code of the first other condition,
`procedures[0][1]` the first additional code of the first procedure group).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kodevakt.codes.model import Code, Sex
from kodevakt.episodes.model import CareLevel, Episode, Urgency
from kodevakt.rules.facts import CodeFacts, FactsCache


class CodeRef:
    """One code at one place in the episode."""

    __slots__ = ("facts", "group", "location", "position")

    def __init__(self, facts: CodeFacts, group: int, position: int, location: str) -> None:
        self.facts = facts
        self.group = group
        self.position = position
        self.location = location

    @property
    def code(self) -> str:
        return self.facts.code

    @property
    def flags(self) -> int:
        return self.facts.flags

    @property
    def category(self) -> str:
        return self.facts.category

    @property
    def text(self) -> str:
        return self.facts.text

    def label(self) -> str:
        """`J12.8 Annen spesifisert viruspneumoni`, for messages."""
        text = self.facts.text
        return f"{self.facts.code} {text}" if text else self.facts.code

    def __repr__(self) -> str:
        return f"CodeRef({self.facts.code!r} at {self.location})"


class EpisodeView:
    """Read-only view of one episode for the rules."""

    __slots__ = (
        "base",
        "conditions",
        "day",
        "duplicate_id",
        "episode",
        "flags",
        "history",
        "procedure_dates",
        "procedures",
        "year",
    )

    def __init__(
        self,
        episode: Episode,
        facts: FactsCache,
        rules_year: int | None = None,
        history: list[Episode] | None = None,
    ) -> None:
        self.episode = episode
        self.base = facts.base
        self.duplicate_id = False
        day = episode.rule_date
        self.day: date | None = day
        self.year: int = rules_year or (day.year if day else date.today().year)
        self.history = history
        flags = 0
        conditions: list[list[CodeRef]] = []
        for g, group in enumerate(episode.conditions):
            refs = []
            for p, raw in enumerate(group):
                found = facts.get(raw, day)
                flags |= found.flags
                refs.append(CodeRef(found, g, p, f"conditions[{g}][{p}]"))
            conditions.append(refs)
        procedures: list[list[CodeRef]] = []
        for g, proc in enumerate(episode.procedures):
            refs = []
            for p, raw in enumerate(proc.codes):
                found = facts.get(raw, day)
                flags |= found.flags
                refs.append(CodeRef(found, g, p, f"procedures[{g}][{p}]"))
            procedures.append(refs)
        self.conditions = conditions
        self.procedures = procedures
        self.procedure_dates = [proc.date for proc in episode.procedures]
        self.flags = flags

    # -- conditions ---------------------------------------------------------------------
    @property
    def main(self) -> list[CodeRef]:
        """The main condition's group (empty when there is none)."""
        return self.conditions[0] if self.conditions else []

    @property
    def main_code(self) -> CodeRef | None:
        return self.conditions[0][0] if self.conditions and self.conditions[0] else None

    def condition_codes(self) -> Iterator[CodeRef]:
        for group in self.conditions:
            yield from group

    def procedure_codes(self) -> Iterator[CodeRef]:
        for group in self.procedures:
            yield from group

    def all_codes(self) -> Iterator[CodeRef]:
        yield from self.condition_codes()
        yield from self.procedure_codes()

    def children(self, code: str) -> list[Code]:
        """Child codes of `code` in the code list in force for the episode."""
        return self.base.children(code, self.day)

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)

    def conditions_with(self, flag: int) -> Iterator[CodeRef]:
        for group in self.conditions:
            for ref in group:
                if ref.facts.flags & flag:
                    yield ref

    # -- patient and episode ---------------------------------------------------------
    @property
    def sex(self) -> Sex | None:
        return self.episode.patient.sex

    @property
    def age_days(self) -> int | None:
        return self.episode.age_days

    @property
    def age_years(self) -> int | None:
        return self.episode.age_years

    @property
    def care_level(self) -> CareLevel | None:
        return self.episode.care_level

    @property
    def urgency(self) -> Urgency | None:
        return self.episode.urgency

    @property
    def multiple_coding(self) -> str:
        """Grouping regime in force: `dagger-only` (2016–2022), `voluntary` (2023), `required`.

        Kodeveiledning 2018 §4.2 p. 29 allows only dagger/asterisk pairs to be grouped; the
        talk's slide "Multippel koding" gives voluntary grouping of all additional codes in 2023
        and required grouping from 2024.
        """
        if self.year >= 2024:
            return "required"
        if self.year == 2023:
            return "voluntary"
        return "dagger-only"
