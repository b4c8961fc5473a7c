"""Per-code facts the rules test, computed once per code and year and cached.

Every code in an episode is resolved against the code lists in force (status, flags from the
list and the curated attributes) and classified into coarse features, packed in one integer.
An episode's features are the OR of its codes' features; a rule whose `triggers` mask shares
no bit with them cannot fire and is skipped. Codes repeat endlessly across episodes, so the
cache turns almost every lookup into one dictionary access.

Where a code stands matters to most rules (the main condition, an additional code, a
procedure), so an episode's features hold every code's features twice: once as they are
("anywhere", the bits below) and once shifted into the section of the code's place (`at`):
`at(MAIN, UNSPECIFIC)` is "the main condition's first code is unspecific", a much rarer
thing than an unspecific code anywhere. A rule whose precondition no feature below says
precisely enough gets a feature of its own from `code_feature`, computed from the rule's own
predicate once per code and year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from typing import Any

from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.model import Code, Sex
from kodevakt.codes.normalise import CodeKind
from kodevakt.codes.procedures import ProcedureShape
from kodevakt.codes.release import Family

# Kind of code
ICD = 1 << 0
PROCEDURE = 1 << 1
ATC = 1 << 2
SPECIAL = 1 << 3
UNKNOWN_SHAPE = 1 << 4
# Validity and form
NOT_OK = 1 << 5
NONSTANDARD = 1 << 6
# ICD-10 attributes from the code list / curated table
ASTERISK = 1 << 7
DAGGER = 1 << 8
ADDITIONAL_ONLY = 1 << 9
SEX_LIMITED = 1 << 10
AGE_LIMITED = 1 << 11
UNSPECIFIC = 1 << 12
# ICD-10 ranges the rules look at
SYMPTOM = 1 << 13  # R00–R99
PREGNANCY = 1 << 14  # O00–O99
PERINATAL = 1 << 15  # P00–P96
NEOPLASM = 1 << 16  # C00–D48
METASTASIS = 1 << 17  # C77–C79
DIABETES = 1 << 18  # E10–E14
SIRS = 1 << 19  # R65, R57.2
MICROBE = 1 << 20  # B95–B98
RESISTANCE = 1 << 21  # U82–U85
EXTERNAL = 1 << 22  # V01–Y98
COVID = 1 << 23  # U07, U08, U09, U10
OBSERVATION = 1 << 24  # Z03
COMPLICATION = 1 << 25  # E89, G97, H59, H95, I97, J95, K91, M96, N98, N99, T80–T88
INFARCTION = 1 << 26  # I21, I22
FOLLOW_UP = 1 << 27  # Z08, Z09
CANCER_HISTORY = 1 << 28  # Z85
REHABILITATION = 1 << 29  # Z50
UNCERTAIN_NEOPLASM = 1 << 30  # D37–D48
INJURY = 1 << 31  # S00–T98
Z_FACTOR = 1 << 32  # Z00–Z99
DELIVERY_RESULT = 1 << 33  # Z37
NEWBORN = 1 << 34  # Z38
UNLISTED = 1 << 35  # well-formed, outside a loaded list that is only a subset (K06)
MALE_ONLY = 1 << 36  # the code list limits the code to men
FEMALE_ONLY = 1 << 37  # to women (list, or NCSP chapters L and M by shape)
# Procedure shapes
PROC_ADDITIONAL = 1 << 40
NUCLEAR = 1 << 41
IMAGING = 1 << 42
IMAGE_GUIDED = 1 << 43
DRUG_TREATMENT = 1 << 44  # WBOC, WBGM, AXFX00
REOPERATION = 1 << 45
OTHER_PROCEDURE = 1 << 46
NCMP = 1 << 47
OBSTETRIC_PROCEDURE = 1 << 48  # NCSP chapter M (and NCRP interventions filed under it)

# Bits no feature above uses, for the features of `code_feature`.
_FREE_BITS: tuple[int, ...] = (38, 39, *range(49, 64))
_SECTION_BITS = 64
CODE_FEATURES = (1 << _SECTION_BITS) - 1  # every bit a code's features can have

# Sections: where in the episode a code stands (see the module docstring), and the episode's
# own features after them.
ANYWHERE = 0
MAIN = 1  # the main condition's first code: conditions[0][0]
OTHER_FIRST = 2  # the first code of another condition group: conditions[g][0], g ≥ 1
GROUP_LATER = 3  # a later code of any condition group: conditions[g][p], p ≥ 1
PROCEDURE_FIRST = 4  # the first code of a procedure group: procedures[g][0]
PROCEDURE_LATER = 5  # a later code of a procedure group: procedures[g][p], p ≥ 1
SECTIONS = 6  # the code sections
EPISODE = 6  # the episode's features


def at(section: int, flags: int) -> int:
    """The code features `flags` of a code standing in `section` (a trigger mask)."""
    return flags << (_SECTION_BITS * section)


def in_conditions(flags: int) -> int:
    """`flags` of a code anywhere among the conditions (a trigger mask)."""
    return at(MAIN, flags) | at(OTHER_FIRST, flags) | at(GROUP_LATER, flags)


def first_in_group(flags: int) -> int:
    """`flags` of the first code of any condition group, the main condition's included."""
    return at(MAIN, flags) | at(OTHER_FIRST, flags)


def in_procedures(flags: int) -> int:
    """`flags` of a code anywhere among the procedures (a trigger mask)."""
    return at(PROCEDURE_FIRST, flags) | at(PROCEDURE_LATER, flags)


def anywhere(mask: int) -> int:
    """The code features a trigger mask looks at, wherever they stand: its code sections
    folded onto the features as they are (its episode features left out)."""
    folded = 0
    for section in range(SECTIONS):
        folded |= (mask >> (_SECTION_BITS * section)) & CODE_FEATURES
    return folded


def any_of(*alternatives: tuple[int, ...]) -> tuple[int, ...]:
    """`requires` masks for "every mask of one of the alternatives matches": `any_of((a, b),
    (c, d))` is (a and b) or (c and d), written as the masks that must each match (one mask of
    each alternative OR-ed together, for every way of choosing them)."""
    masks = []
    for choice in product(*alternatives):
        mask = 0
        for part in choice:
            mask |= part
        masks.append(mask)
    return tuple(masks)


# Structure features (set by kodevakt.rules.view from the code groups and their year, not
# from one code)
NO_MAIN = at(EPISODE, 1 << 0)  # no condition group, or an empty first one
CODE_REPEATED = at(EPISODE, 1 << 1)  # a code written twice among the conditions (normalised)
PROCEDURE_REPEATED = at(EPISODE, 1 << 2)  # a code written twice among the procedures
# no ICD-10 list of the year of the rule date is loaded (FactsCache.year_features)
YEAR_LIST_MISSING = at(EPISODE, 1 << 3)
# What the structure (its codes and year) alone decides, which pure rules may look at.
STRUCTURE_FEATURES = NO_MAIN | CODE_REPEATED | PROCEDURE_REPEATED | YEAR_LIST_MISSING
# Episode features (set by kodevakt.rules.view from the episode, not from its codes)
EP_PROCEDURE_DATE_OUTSIDE = at(EPISODE, 1 << 8)  # a procedure group dated outside the stay
EP_DATES_MISSING = at(EPISODE, 1 << 9)
EP_DATES_REVERSED = at(EPISODE, 1 << 10)
EP_DAY_CARE_OVERNIGHT = at(EPISODE, 1 << 11)  # day or outpatient care whose dates span a night
EP_INPATIENT_SAME_DAY = at(EPISODE, 1 << 12)
EP_SEX_NOT_GIVEN = at(EPISODE, 1 << 13)
EP_AGE_UNUSUAL = at(EPISODE, 1 << 14)  # born after admission, or older than 100 years
EP_TRANSFERRED_IN = at(EPISODE, 1 << 15)
EP_DUPLICATE_ID = at(EPISODE, 1 << 16)
EP_MALE = at(EPISODE, 1 << 17)  # the patient is a man
EP_FEMALE = at(EPISODE, 1 << 18)  # the patient is a woman


Predicate = Callable[["CodeFacts"], bool]
_PREDICATES: list[tuple[int, Predicate]] = []
_PREDICATE_NAMES: dict[int, str] = {}


def code_feature(predicate: Predicate, name: str) -> int:
    """A feature of its own for the codes `predicate` holds for, computed once per code and
    year like those above, for a rule's `triggers` when none of them says its precondition
    precisely enough (T12: a collective code as the main condition). `name` says in Norwegian
    what such a code is (the web code page shows it). Call it when the rule's module is
    imported, before a `FactsCache` is made; the predicate must be pure.
    """
    if len(_PREDICATES) >= len(_FREE_BITS):
        raise RuntimeError("no free feature bit left for code_feature; widen the sections")
    bit = 1 << _FREE_BITS[len(_PREDICATES)]
    _PREDICATES.append((bit, predicate))
    _PREDICATE_NAMES[bit] = name
    return bit


def code_feature_names() -> dict[int, str]:
    """The Norwegian name of every feature made by `code_feature`, by its bit."""
    return dict(_PREDICATE_NAMES)


_RANGES: tuple[tuple[str, str, int], ...] = (
    ("R00", "R99", SYMPTOM),
    ("O00", "O99", PREGNANCY),
    ("P00", "P96", PERINATAL),
    ("C00", "D48", NEOPLASM),
    ("C77", "C79", METASTASIS),
    ("E10", "E14", DIABETES),
    ("R65", "R65", SIRS),
    ("B95", "B98", MICROBE),
    ("U82", "U85", RESISTANCE),
    ("V00", "Y98", EXTERNAL),  # V00: Norwegian merged V0n.. codes count from 0
    ("U07", "U10", COVID),
    ("Z03", "Z03", OBSERVATION),
    ("T80", "T88", COMPLICATION),
    ("I21", "I22", INFARCTION),
    ("Z08", "Z09", FOLLOW_UP),
    ("Z85", "Z85", CANCER_HISTORY),
    ("Z50", "Z50", REHABILITATION),
    ("D37", "D48", UNCERTAIN_NEOPLASM),
    ("S00", "T98", INJURY),
    ("Z00", "Z99", Z_FACTOR),
    ("Z37", "Z37", DELIVERY_RESULT),
    ("Z38", "Z38", NEWBORN),
)
_COMPLICATION_CATEGORIES = frozenset(
    {"E89", "G97", "H59", "H95", "I97", "J95", "K91", "M96", "N98", "N99"}
)


def category_key(code: str) -> str:
    """The 3-character category for range tests; merge letters count as 0 (`W0n` → `W00`)."""
    return "".join("0" if ch.islower() else ch for ch in code[:3])


def in_range(code: str, low: str, high: str) -> bool:
    """Whether the ICD-10 `code`'s category lies in `low`–`high` (3-character categories)."""
    key = category_key(code)
    return low <= key <= high


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """One written code, resolved for one year."""

    raw: str
    code: str
    kind: CodeKind
    status: Status
    info: Code | None
    shape: ProcedureShape | None
    flags: int
    category: str
    changes: tuple[str, ...]
    # The episode features this code adds where it stands: `flags | at(section, flags)` for
    # each section from MAIN on (index 0 is MAIN), so that an episode's features are an OR.
    placed: tuple[int, ...] = field(default=(), compare=False)

    @property
    def text(self) -> str:
        return self.info.display_text if self.info else ""

    @property
    def sex(self) -> Sex | None:
        return self.info.sex if self.info else None


class FactsCache:
    """Facts for every (written code, year) seen, over one code base.

    `by_year[year]` maps each written code to its facts for the whole year (a code whose
    validity changes within the year is not there: it is resolved for each date). The code
    features of `code_feature` registered so far are computed; rule modules register theirs
    when imported, before a checker makes its cache.
    """

    def __init__(self, base: CodeBase) -> None:
        self.base = base
        self.by_year: dict[int, dict[str, CodeFacts]] = {}
        self._predicates = tuple(_PREDICATES)
        self._children: dict[tuple[str, int | None], list[Code]] = {}
        self._years: dict[int, int] = {}
        # Resolved code structures of whole episodes, filled by kodevakt.rules.view.
        self.structures: dict[tuple[object, ...], Any] = {}

    def year_features(self, year: int) -> int:
        """The episode features of a rule date in `year`: whether its ICD-10 list is loaded."""
        found = self._years.get(year)
        if found is None:
            covered = self.base.covers(Family.ICD10, year)
            found = self._years[year] = 0 if covered else YEAR_LIST_MISSING
        return found

    def get(self, raw: str, day: date | None) -> CodeFacts:
        return self.lookup(raw, day)[0]

    def children(self, code: str, day: date | None) -> list[Code]:
        """`CodeBase.children(code, day)`, which depends on the year only, kept per year."""
        key = (code, day.year if day else None)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = self.base.children(code, day)
        return list(found)

    def of_year(self, year: int) -> dict[str, CodeFacts]:
        """The facts known for the whole of `year` (0: no date), by written code."""
        known = self.by_year.get(year)
        if known is None:
            known = self.by_year[year] = {}
        return known

    def lookup(self, raw: str, day: date | None) -> tuple[CodeFacts, bool]:
        """Facts of `raw` on `day`, and whether they hold for its whole year (cacheable)."""
        year = day.year if day else 0
        known = self.of_year(year)
        found = known.get(raw)
        if found is not None:
            return found, True
        res = self.base.resolve(raw, day)
        norm = res.normalised
        facts = make_facts(
            raw,
            norm.code,
            norm.kind,
            res.status,
            res.code,
            res.shape,
            norm.changes,
            self._predicates,
        )
        # The answer holds for the whole year unless the code's validity changes within it.
        if res.code is None or not _changes_within(res.code, year):
            known[raw] = facts
            return facts, True
        return facts, False


def _changes_within(code: Code, year: int) -> bool:
    bounds = (code.valid_from, code.valid_to, code.npr_from, code.npr_to)
    return any(bound is not None and bound.year == year for bound in bounds)


def make_facts(
    raw: str,
    code: str,
    kind: CodeKind,
    status: Status,
    info: Code | None,
    shape: ProcedureShape | None,
    changes: tuple[str, ...],
    predicates: tuple[tuple[int, Predicate], ...] | None = None,
) -> CodeFacts:
    """The facts of one written code; `predicates`: the `code_feature`s to compute (None:
    every one registered)."""
    flags = 0
    category = ""
    if status not in (Status.OK, Status.FORMAT_ONLY, Status.NOT_IN_LOADED_LIST):
        flags |= NOT_OK
    if status is Status.NOT_IN_LOADED_LIST:
        flags |= UNLISTED
    if changes:
        flags |= NONSTANDARD
    if kind is CodeKind.ICD10:
        flags |= ICD
        category = category_key(code)
        for low, high, flag in _RANGES:
            if low <= category <= high:
                flags |= flag
        if category in _COMPLICATION_CATEGORIES:
            flags |= COMPLICATION
        if code == "R57.2":
            flags |= SIRS
    elif kind is CodeKind.PROCEDURE:
        flags |= PROCEDURE
        if shape is not None:
            flags |= _shape_flags(shape)
    elif kind is CodeKind.ATC:
        flags |= ATC
    elif kind is CodeKind.SPECIAL:
        flags |= SPECIAL
    else:
        flags |= UNKNOWN_SHAPE
    if info is not None:
        if info.asterisk:
            flags |= ASTERISK
        if info.dagger:
            flags |= DAGGER
        if info.additional_only:
            flags |= ADDITIONAL_ONLY
        if info.sex is not None:
            flags |= SEX_LIMITED | (MALE_ONLY if info.sex is Sex.MALE else FEMALE_ONLY)
        if info.age_min_days is not None or info.age_max_days is not None:
            flags |= AGE_LIMITED
        if info.unspecific:
            flags |= UNSPECIFIC
        if info.system.value == "særkode":
            flags = (flags & ~ICD) | SPECIAL
    facts = CodeFacts(raw, code, kind, status, info, shape, flags, category, changes)
    for bit, predicate in _PREDICATES if predicates is None else predicates:
        if predicate(facts):
            flags |= bit
    placed = tuple(flags | at(section, flags) for section in range(MAIN, SECTIONS))
    return CodeFacts(raw, code, kind, status, info, shape, flags, category, changes, placed)


def _shape_flags(shape: ProcedureShape) -> int:
    flags = 0
    if shape.additional:
        flags |= PROC_ADDITIONAL
    if shape.nuclear_medicine:
        flags |= NUCLEAR
    if shape.imaging:
        flags |= IMAGING
    if shape.image_guided:
        flags |= IMAGE_GUIDED
    if shape.code.startswith(("WBOC", "WBGM", "AXFX00")):
        flags |= DRUG_TREATMENT
    if shape.reoperation:
        flags |= REOPERATION
    if shape.other:
        flags |= OTHER_PROCEDURE
    if shape.system.value == "NCMP":
        flags |= NCMP
    # NCSP chapters L (female genital organs) and M (obstetrics) are for women by shape
    # (Kodeveiledning 2018 §7.2 p. 53); the code list's own sex flag is added in make_facts.
    if not shape.additional and (shape.system.value == "NCSP" or shape.image_guided):
        if shape.chapter in "LM":
            flags |= SEX_LIMITED | FEMALE_ONLY
        if shape.chapter == "M":
            flags |= OBSTETRIC_PROCEDURE
    return flags
