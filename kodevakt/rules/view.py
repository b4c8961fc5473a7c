"""An episode as the rules see it: every code resolved, located and flagged.

Built once per episode by the engine; rules only read it. Locations use the interchange
format's paths (`conditions[1][0]` is the first code of the first other condition,
`procedures[0][1]` the first additional code of the first procedure group).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date

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


class Structure:
    """The resolved codes of an episode; shared by all episodes with the same codes and year.

    `flags` holds the code and structure features (each code's features as they are and in
    the section of its place, see code_facts). The code references themselves (`refs`) are
    made only when a rule is to read them: most episodes are clean, and their features say
    so without them. `serial` identifies a reusable structure cheaply (None when a code's
    validity changes within the year, so the structure holds for this episode's date only).
    """

    __slots__ = ("_refs", "day", "facts", "flags", "groups", "serial")

    def __init__(
        self,
        facts: FactsCache,
        groups: tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]],
        day: date | None,
        flags: int,
        serial: int | None,
    ) -> None:
        self.facts = facts
        self.groups = groups
        self.day = day
        self.flags = flags
        self.serial = serial
        self._refs: tuple[list[list[CodeRef]], list[list[CodeRef]]] | None = None

    def refs(self) -> tuple[list[list[CodeRef]], list[list[CodeRef]]]:
        """(condition groups, procedure groups) of `CodeRef`s, made on first use."""
        if self._refs is None:
            facts, day = self.facts, self.day
            get, lookup = facts.of_year(day.year if day else 0).get, facts.get
            conditions, procedures = self.groups
            self._refs = (
                [
                    [
                        CodeRef(get(raw) or lookup(raw, day), g, p, False)
                        for p, raw in enumerate(group)
                    ]
                    for g, group in enumerate(conditions)
                ],
                [
                    [
                        CodeRef(get(raw) or lookup(raw, day), g, p, True)
                        for p, raw in enumerate(group)
                    ]
                    for g, group in enumerate(procedures)
                ],
            )
        return self._refs


# Kept small: structures that repeat do so soon (synthetic and real batches alike), and a
# large cache of structures that never repeat (widely drawn codes) costs more than it saves
# (measured with bench/check.py: 20,000 was as fast as 200,000 on `kodevakt synth` episodes,
# and a fifth faster on widely drawn ones).
_MAX_STRUCTURES = 20_000
_SERIALS = itertools.count()
# Indexes into CodeFacts.placed (which starts at the MAIN section).
_MAIN, _OTHER_FIRST, _GROUP_LATER = F.MAIN - 1, F.OTHER_FIRST - 1, F.GROUP_LATER - 1
_PROCEDURE_FIRST, _PROCEDURE_LATER = F.PROCEDURE_FIRST - 1, F.PROCEDURE_LATER - 1


def structure_of(
    facts: FactsCache,
    episode: Episode,
    day: date | None,
    *,
    features: tuple[int, bool] | None = None,
    shared: bool = True,
) -> Structure:
    """The episode's code structure on `day` (its rule date), from the cache when its codes
    and year were seen before (`shared=False`: made anew, and not kept). `features`: its
    `code_features`, when the caller has them."""
    year = day.year if day else 0
    procedures = episode.procedures
    conditions = tuple(map(tuple, episode.conditions))
    procedure_codes = tuple([tuple(proc.codes) for proc in procedures]) if procedures else ()
    key = (year, conditions, procedure_codes)
    cache: dict[tuple[object, ...], Structure] = facts.structures
    found = cache.get(key) if shared else None
    if found is not None:
        return found
    flags, reusable = features or code_features(facts, episode, day)
    structure = Structure(
        facts, (conditions, procedure_codes), day, flags, next(_SERIALS) if reusable else None
    )
    if reusable and shared:
        if len(cache) >= _MAX_STRUCTURES:
            cache.clear()
        cache[key] = structure
    return structure


def code_features(facts: FactsCache, episode: Episode, day: date | None) -> tuple[int, bool]:
    """The code and structure features of the episode's groups on `day` (each code's features
    as they are and in the section of its place), and whether every code's facts hold for
    the whole year. Read from the cached facts alone: this is all a clean episode costs."""
    get = facts.of_year(day.year if day else 0).get
    conditions = episode.conditions
    flags = 0 if conditions and conditions[0] else F.NO_MAIN
    reusable = True
    codes: list[str] = []
    first = _MAIN
    for group in conditions:
        place = first
        for raw in group:
            found = get(raw)
            if found is None:
                found, cached = facts.lookup(raw, day)
                reusable = reusable and cached
            flags |= found.placed[place]
            codes.append(found.code)
            place = _GROUP_LATER
        first = _OTHER_FIRST
    if len(codes) > 1 and len(set(codes)) < len(codes):
        flags |= F.CODE_REPEATED
    procedures = episode.procedures
    if procedures:
        codes = []
        for procedure in procedures:
            place = _PROCEDURE_FIRST
            for raw in procedure.codes:
                found = get(raw)
                if found is None:
                    found, cached = facts.lookup(raw, day)
                    reusable = reusable and cached
                flags |= found.placed[place]
                codes.append(found.code)
                place = _PROCEDURE_LATER
        if len(codes) > 1 and len(set(codes)) < len(codes):
            flags |= F.PROCEDURE_REPEATED
    return flags, reusable


_OLD_DAYS = 100 * 365


def episode_features(episode: Episode, days: int | None, duplicate_id: bool) -> int:
    """Episode-level feature bits (dates, procedure dates, care level, sex, age, transfer),
    for rule triggers."""
    flags = F.EP_DUPLICATE_ID if duplicate_id else 0
    admission, discharge = episode.admission, episode.discharge
    # E04 and P09 count the stay in days: dates reversed by hours within one day (E01's
    # defect) still make a same-day stay, whose day bounds the procedures.
    reversed_days = False
    if admission is None or discharge is None:
        flags |= F.EP_DATES_MISSING
    else:
        if discharge < admission:
            flags |= F.EP_DATES_REVERSED
        first, last = admission.date(), discharge.date()
        reversed_days = last < first
        level = episode.care_level
        if last > first and level is not None and level is not CareLevel.INPATIENT:
            flags |= F.EP_DAY_CARE_OVERNIGHT
        elif last == first and level is CareLevel.INPATIENT:
            flags |= F.EP_INPATIENT_SAME_DAY
    if episode.procedures and not reversed_days:
        flags |= _procedure_dates_outside(episode)
    sex = episode.patient.sex
    if sex is None:
        flags |= F.EP_SEX_NOT_GIVEN
    else:
        flags |= F.EP_MALE if sex is Sex.MALE else F.EP_FEMALE
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
        *,
        structure: Structure | None = None,
        flags: int | None = None,
    ) -> None:
        """`structure` and `flags`: the episode's, when the engine has them already (as
        `structure_of` and `episode_features` make them)."""
        self.episode = episode
        self._facts = facts
        self.base = facts.base
        self.duplicate_id = duplicate_id
        day = episode.rule_date
        self.day: date | None = day
        self.year: int = rules_year or (day.year if day else date.today().year)
        self.history = history
        if structure is None:
            structure = structure_of(facts, episode, day)
        self.conditions: list[list[CodeRef]]
        self.procedures: list[list[CodeRef]]
        self.conditions, self.procedures = structure.refs()
        self._age_days = episode.age_days
        if flags is None:
            flags = structure.flags | episode_features(episode, self._age_days, duplicate_id)
            if day is not None:
                flags |= facts.year_features(day.year)
        self.flags: int = flags
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
        return self._facts.children(code, self.day)

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
