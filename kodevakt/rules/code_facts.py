"""Per-code facts the rules test, computed once per code and year and cached.

Every code in an episode is resolved against the code lists in force (status, flags from the
list and the curated attributes) and classified into coarse features, packed in one integer.
An episode's features are the OR of its codes' features; a rule whose `triggers` mask shares
no bit with them cannot fire and is skipped. Codes repeat endlessly across episodes, so the
cache turns almost every lookup into one dictionary access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.model import Code, Sex
from kodevakt.codes.normalise import CodeKind
from kodevakt.codes.procedures import ProcedureShape

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
# Episode features (set by kodevakt.rules.view from the episode, not from its codes)
EP_PROCEDURE_DATE_OUTSIDE = 1 << 55  # a procedure group dated before admission/after discharge
EP_DATES_MISSING = 1 << 56
EP_DATES_REVERSED = 1 << 57
EP_DAY_CARE_OVERNIGHT = 1 << 58  # day or outpatient care whose dates span a night
EP_INPATIENT_SAME_DAY = 1 << 59
EP_SEX_NOT_GIVEN = 1 << 60
EP_AGE_UNUSUAL = 1 << 61  # born after admission, or older than 100 years
EP_TRANSFERRED_IN = 1 << 62
EP_DUPLICATE_ID = 1 << 63

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

    @property
    def text(self) -> str:
        return self.info.display_text if self.info else ""

    @property
    def sex(self) -> Sex | None:
        return self.info.sex if self.info else None


class FactsCache:
    """Facts for every (written code, year) seen, over one code base."""

    def __init__(self, base: CodeBase) -> None:
        self.base = base
        self._cache: dict[tuple[str, int], CodeFacts] = {}
        # Resolved code structures of whole episodes, filled by kodevakt.rules.view.
        self.structures: dict[tuple[object, ...], Any] = {}

    def get(self, raw: str, day: date | None) -> CodeFacts:
        return self.lookup(raw, day)[0]

    def lookup(self, raw: str, day: date | None) -> tuple[CodeFacts, bool]:
        """Facts of `raw` on `day`, and whether they hold for its whole year (cacheable)."""
        year = day.year if day else 0
        found = self._cache.get((raw, year))
        if found is not None:
            return found, True
        res = self.base.resolve(raw, day)
        norm = res.normalised
        facts = make_facts(raw, norm.code, norm.kind, res.status, res.code, res.shape, norm.changes)
        # The answer holds for the whole year unless the code's validity changes within it.
        if res.code is None or not _changes_within(res.code, year):
            self._cache[(raw, year)] = facts
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
) -> CodeFacts:
    flags = 0
    category = ""
    if status not in (Status.OK, Status.FORMAT_ONLY, Status.NOT_IN_LOADED_LIST):
        flags |= NOT_OK
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
            flags |= SEX_LIMITED
        if info.age_min_days is not None or info.age_max_days is not None:
            flags |= AGE_LIMITED
        if info.unspecific:
            flags |= UNSPECIFIC
        if info.system.value == "særkode":
            flags = (flags & ~ICD) | SPECIAL
    return CodeFacts(raw, code, kind, status, info, shape, flags, category, changes)


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
            flags |= SEX_LIMITED
        if shape.chapter == "M":
            flags |= OBSTETRIC_PROCEDURE
    return flags
