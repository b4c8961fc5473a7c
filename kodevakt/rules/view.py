"""An episode as the rules see it: every code resolved, located and flagged.

Built once per episode by the engine; rules only read it. Locations use the interchange
format's paths (`conditions[1][0]` is the first code of the first other condition,
`procedures[0][1]` the first additional code of the first procedure group).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from kodevakt.codes.model import Code, Sex
from kodevakt.episodes.model import CareLevel, Episode, Urgency
from kodevakt.rules import code_facts as F
from kodevakt.rules.code_facts import CodeFacts, FactsCache
from kodevakt.rules.vocabulary import MultipleCoding


class CodeRef:
    """One code at one place in the episode (shared by every episode with the same codes)."""

    __slots__ = ("facts", "group", "in_procedures", "position")

    def __init__(self, facts: CodeFacts, group: int, position: int, in_procedures: bool) -> None:
        self.facts = facts
        self.group = group
        self.position = position
        self.in_procedures = in_procedures

    @property
    def location(self) -> str:
        """`conditions[g][p]` or `procedures[g][p]`, as the interchange format names it."""
        part = "procedures" if self.in_procedures else "conditions"
        return f"{part}[{self.group}][{self.position}]"

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


class Structure(NamedTuple):
    """The resolved codes of an episode; shared by all episodes with the same codes and year.

    `serial` identifies a reusable structure cheaply (None when a code's validity changes
    within the year, so the structure holds for this episode's date only).
    """

    conditions: list[list[CodeRef]]
    procedures: list[list[CodeRef]]
    flags: int
    serial: int | None


_MAX_STRUCTURES = 200_000
_SERIALS = itertools.count()


def _structure(facts: FactsCache, episode: Episode, day: date | None) -> Structure:
    year = day.year if day else 0
    procedures = episode.procedures
    key = (
        year,
        tuple(map(tuple, episode.conditions)),
        tuple([tuple(proc.codes) for proc in procedures]) if procedures else (),
    )
    cache: dict[tuple[object, ...], Structure] = facts.structures
    found = cache.get(key)
    if found is not None:
        return found
    flags = 0
    reusable = True
    groups: list[list[CodeRef]] = []
    for in_procedures, code_groups in ((False, key[1]), (True, key[2])):
        for g, group in enumerate(code_groups):
            refs = []
            for p, raw in enumerate(group):
                found_facts, cached = facts.lookup(raw, day)
                reusable = reusable and cached
                flags |= found_facts.flags
                refs.append(CodeRef(found_facts, g, p, in_procedures))
            groups.append(refs)
    n = len(key[1])
    structure = Structure(groups[:n], groups[n:], flags, next(_SERIALS) if reusable else None)
    if reusable:
        if len(cache) >= _MAX_STRUCTURES:
            cache.clear()
        cache[key] = structure
    return structure


_OLD_DAYS = 100 * 365


def _episode_features(episode: Episode, days: int | None, duplicate_id: bool) -> int:
    """Episode-level feature bits (dates, procedure dates, care level, sex, age, transfer),
    for rule triggers."""
    flags = F.EP_DUPLICATE_ID if duplicate_id else 0
    admission, discharge = episode.admission, episode.discharge
    if admission is None or discharge is None:
        flags |= F.EP_DATES_MISSING
    elif discharge < admission:
        flags |= F.EP_DATES_REVERSED
    else:
        overnight = discharge.date() > admission.date()
        level = episode.care_level
        if overnight and level is not None and level is not CareLevel.INPATIENT:
            flags |= F.EP_DAY_CARE_OVERNIGHT
        elif not overnight and level is CareLevel.INPATIENT:
            flags |= F.EP_INPATIENT_SAME_DAY
    if episode.procedures and not flags & F.EP_DATES_REVERSED:
        flags |= _procedure_dates_outside(episode)
    if episode.patient.sex is None:
        flags |= F.EP_SEX_NOT_GIVEN
    if days is not None and (days < 0 or days > _OLD_DAYS):
        flags |= F.EP_AGE_UNUSUAL
    if episode.transferred_from:
        flags |= F.EP_TRANSFERRED_IN
    return flags


def _procedure_dates_outside(episode: Episode) -> int:
    """EP_PROCEDURE_DATE_OUTSIDE when a dated procedure group lies outside the episode's
    given dates (compared as days; a missing episode date bounds nothing)."""
    admission, discharge = episode.admission, episode.discharge
    first = admission.date() if admission is not None else None
    last = discharge.date() if discharge is not None else None
    for proc in episode.procedures:
        day = proc.date
        if day is not None and (
            (first is not None and day < first) or (last is not None and day > last)
        ):
            return F.EP_PROCEDURE_DATE_OUTSIDE
    return 0


class EpisodeView:
    """Read-only view of one episode for the rules."""

    __slots__ = (
        "_age_days",
        "_facts",
        "base",
        "conditions",
        "day",
        "duplicate_id",
        "episode",
        "flags",
        "history",
        "key",
        "procedures",
        "year",
    )

    def __init__(
        self,
        episode: Episode,
        facts: FactsCache,
        rules_year: int | None = None,
        history: list[Episode] | None = None,
        duplicate_id: bool = False,
    ) -> None:
        self.episode = episode
        self._facts = facts
        self.base = facts.base
        self.duplicate_id = duplicate_id
        day = episode.rule_date
        self.day: date | None = day
        self.year: int = rules_year or (day.year if day else date.today().year)
        self.history = history
        structure = _structure(facts, episode, day)
        self.conditions: list[list[CodeRef]] = structure.conditions
        self.procedures: list[list[CodeRef]] = structure.procedures
        self._age_days = episode.age_days
        self.flags: int = structure.flags | _episode_features(episode, self._age_days, duplicate_id)
        # Identity of everything a pure rule may look at within one Checker (whose rules year
        # is fixed): the codes and date year (the structure) and inferred grouping. None: the
        # structure holds for this date only, see engine.py.
        serial = structure.serial
        self.key = None if serial is None else 2 * serial + episode.grouping_inferred

    @property
    def procedure_dates(self) -> list[date | None]:
        """The date of each procedure group (None where not given)."""
        return [proc.date for proc in self.episode.procedures]

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

    def resolve(self, raw: str, day: date | None) -> CodeFacts:
        """The facts of a code written on another episode (`history`), for its own `day`."""
        return self._facts.get(raw, day)

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
        """Age at admission in days (computed once)."""
        return self._age_days

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
    def multiple_coding(self) -> MultipleCoding:
        """The grouping regime in force in the rules year (see `MultipleCoding`)."""
        return MultipleCoding.in_year(self.year)
