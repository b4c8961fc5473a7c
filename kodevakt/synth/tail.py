"""The long tail: real reportable main conditions drawn from the embedded ICD-10 list.

Curated profiles cover the common episodes; the rest of a department's activity is spread over
many codes. The tail draws them from the department's category ranges, keeping only codes a
coder may put first on their own: reportable terminal codes, fitting the patient's sex and the
department's ages, and none of the codes that national rules restrict as a main condition or
tie to other codes (asterisk and additional-only codes, symptoms, Z-codes, external causes,
collective codes, complications, metastases, uncertain neoplasms, perinatal codes, deliveries,
infarctions whose coding depends on other episodes, congenital codes outside paediatrics).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import cache

from kodevakt.codes.embedded import load_embedded_icd10
from kodevakt.codes.model import Code, Level
from kodevakt.synth.places import Department

DAYS_PER_YEAR = 365.25

# 3-character categories (or ranges) never drawn as a stand-alone main condition
_EXCLUDED_RANGES: tuple[tuple[str, str], ...] = (
    ("B90", "B99"),  # sequelae and agents of infections: additional or special rules
    ("C77", "C80"),  # metastases, unknown primary
    ("D37", "D48"),  # uncertain behaviour
    ("I21", "I22"),  # infarction: 5th characters and 28-day rule
    ("O60", "O84"),  # labour and delivery need the result of delivery and procedures
    ("P00", "P96"),  # perinatal
    ("R00", "R99"),  # symptoms
    ("S00", "Y98"),  # injuries need external causes; external causes are additional
    ("U00", "U99"),  # special codes: covid, resistance
    ("Z00", "Z99"),  # contact reasons
)
_EXCLUDED_CATEGORIES = frozenset(
    {"E89", "G97", "H59", "H95", "I97", "J95", "K91", "M96", "N98", "N99", "F19", "I61"}
)
_COLLECTIVE = frozenset({"B20.7", "E10.7", "E11.7", "E12.7", "E13.7", "E14.7"})


def _category(code: str) -> str:
    return "".join("0" if ch.islower() else ch for ch in code[:3])


def _excluded(code: str) -> bool:
    cat = _category(code)
    if cat in _EXCLUDED_CATEGORIES or code in _COLLECTIVE:
        return True
    return any(low <= cat <= high for low, high in _EXCLUDED_RANGES)


def eligible(code: Code) -> bool:
    """Whether `code` may stand alone as a tail episode's main condition (any department)."""
    if code.level is not Level.CODE and not (code.level is Level.CATEGORY and code.reportable):
        return False
    if not code.reportable or code.who_only or code.synthetic or not code.text:
        return False
    if code.valid_from is not None:
        return False  # introduced in a year the code history knows: not valid in every year
    return not (code.asterisk or code.additional_only or _excluded(code.code))


def fits(code: Code, dept: Department, sex: str) -> bool:
    """Whether `code` fits the department's patients: sex, ages, congenital codes."""
    if code.code[0] == "Q" and dept.code != "PED":
        return False
    if code.sex is not None and code.sex.value != sex:
        return False
    low_days, high_days = dept.age[0] * DAYS_PER_YEAR, (dept.age[2] + 1) * DAYS_PER_YEAR
    if code.age_min_days is not None and low_days < code.age_min_days:
        return False
    return code.age_max_days is None or high_days <= code.age_max_days


@cache
def _candidates() -> tuple[tuple[str, ...], tuple[Code, ...]]:
    """Eligible codes sorted by category, with their categories (for range slicing)."""
    chosen = sorted(
        ((_category(c.code), c) for c in load_embedded_icd10() if eligible(c)),
        key=lambda pair: pair[0],
    )
    return tuple(cat for cat, _ in chosen), tuple(code for _, code in chosen)


@cache
def tail_codes(dept: Department, sex: str) -> tuple[str, ...]:
    """The tail pool of `dept` for patients of `sex` (`M`/`K`)."""
    categories, codes = _candidates()
    pool: list[str] = []
    for low, high in dept.ranges:
        first, last = bisect_left(categories, low), bisect_right(categories, high)
        pool.extend(c.code for c in codes[first:last] if fits(c, dept, sex))
    return tuple(pool)
