"""What rule writers say about codes: their kind, their role in a condition group, and the
multiple-coding regime of the year. One meaning each, so that two rules never disagree about
the same code, and rule modules ask here instead of importing each other.

Kinds of code, as the episode's code lists resolve them (`code_facts` computes the features
once per code and year; these predicates only read them):

- An **ICD-10 code** (`is_icd10`) is a code written in ICD-10's shape (`J12.8`, `j128`,
  `W0n.0r`, `I21.4a`) that is not a særkode sharing that shape (`B0007`). The code need not
  exist: `J12.7` is an ICD-10 code that no list holds (K01 reports it), and the condition rules
  still read its category. It is the `code_facts.ICD` feature, so a rule that asks it agrees
  with a `triggers=F.ICD` mask.
- A **known ICD-10 code** (`is_known_icd10`) is an ICD-10 code that a loaded ICD-10 list holds,
  in the episode's year or another: what a rule needs before it calls a code "an ICD-10 code"
  to the user when the code's place, not its existence, is the defect (K05).
- A **procedure code** (`is_procedure`) has the shape of NCSP, NCMP or NCRP, additional codes
  included. An **ATC code** (`is_atc`) and a **særkode** (`is_special`) are drug codes
  (`is_drug_code`). A code with **no code shape** (`has_no_code_shape`) fits none of them.

Roles in a condition group (Kodeveiledning 2018 §4.2): an **additional code** (`is_additional`)
only adds to the code before it; a code that **describes a condition** (`describes_condition`)
can stand first in a group. `matches` tests a code against the rulebook's category ranges.

Code tables that answer questions about code strings (`conditions/infection_codes.py`) take
ICD-10 codes in canonical form: a rule asks `is_icd10` before it asks them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from kodevakt.rules import code_facts as F
from kodevakt.rules.code_facts import CodeFacts

if TYPE_CHECKING:
    from kodevakt.rules.view import CodeRef

# -- kinds of code ----------------------------------------------------------------------------


def is_icd10(code: CodeRef | CodeFacts) -> bool:
    """An ICD-10 code, listed or not (not a procedure, ATC or særkode; see the module doc)."""
    return bool(code.flags & F.ICD)


def is_known_icd10(ref: CodeRef) -> bool:
    """An ICD-10 code that a loaded ICD-10 list holds, for the episode's year or another."""
    return bool(ref.flags & F.ICD) and ref.facts.info is not None


def is_procedure(ref: CodeRef) -> bool:
    """An NCSP, NCMP or NCRP code by shape (procedure additional codes included)."""
    return bool(ref.flags & F.PROCEDURE)


def is_atc(ref: CodeRef) -> bool:
    """An ATC drug code (`C07AB02`)."""
    return bool(ref.flags & F.ATC)


def is_special(ref: CodeRef) -> bool:
    """A Norwegian særkode for a drug (`B0007`), by shape or by the særkode list."""
    return bool(ref.flags & F.SPECIAL)


def is_drug_code(ref: CodeRef) -> bool:
    """An ATC code or a særkode: a drug, never a condition or a procedure of its own."""
    return bool(ref.flags & (F.ATC | F.SPECIAL))


def has_no_code_shape(ref: CodeRef) -> bool:
    """Written in the shape of no code system (`JK A2`, `12.3`)."""
    return bool(ref.flags & F.UNKNOWN_SHAPE)


# -- roles in a condition group ---------------------------------------------------------------

#: Features of codes that only add to the code before them (Kodeveiledning 2018 §4.2
#: pp. 29–35, §12.2 p. 95): the curated/official `Tilleggskode` flag, microorganisms B95–B98,
#: resistance U82–U85, external causes V01–Y98, SIRS R65 and septic shock R57.2, result of
#: delivery Z37, and drug codes (ATC, særkoder).
ADDITIONAL_FLAGS = (
    F.ADDITIONAL_ONLY
    | F.MICROBE
    | F.RESISTANCE
    | F.EXTERNAL
    | F.SIRS
    | F.DELIVERY_RESULT
    | F.ATC
    | F.SPECIAL
)


def is_additional(ref: CodeRef) -> bool:
    """A code that may only follow another code in its group (never describes a condition)."""
    return bool(ref.flags & ADDITIONAL_FLAGS)


def describes_condition(ref: CodeRef) -> bool:
    """An ICD-10 code that can describe a condition by itself, and so stand first in a group:
    not an additional code and not an asterisk (manifestation) code."""
    return is_icd10(ref) and not ref.flags & (ADDITIONAL_FLAGS | F.ASTERISK)


def matches(ref: CodeRef | CodeFacts, specs: tuple[str, ...]) -> bool:
    """Whether `ref` matches one of `specs`: a category range `A00-B99`, a category `J13`, or a
    code and everything under it (`N39.0`). Only ICD-10 codes have a category to match."""
    category = ref.category
    if not category:
        return False
    parsed = _SPECS.get(specs) or _parse(specs)
    if category in parsed.categories:
        return True
    for low, high in parsed.ranges:
        if low <= category <= high:
            return True
    return bool(parsed.prefixes) and ref.code.startswith(parsed.prefixes)


class _Specs(NamedTuple):
    """A tuple of `matches` specs, read once (the rules ask with the same tuples each time)."""

    ranges: tuple[tuple[str, str], ...]
    categories: frozenset[str]
    prefixes: tuple[str, ...]


_SPECS: dict[tuple[str, ...], _Specs] = {}


def _parse(specs: tuple[str, ...]) -> _Specs:
    ranges = tuple((spec.split("-")[0], spec.split("-")[1]) for spec in specs if "-" in spec)
    categories = frozenset(spec for spec in specs if "-" not in spec and len(spec) == 3)
    prefixes = tuple(spec for spec in specs if "-" not in spec and len(spec) != 3)
    parsed = _SPECS[specs] = _Specs(ranges, categories, prefixes)
    return parsed


# -- the multiple-coding regime -----------------------------------------------------------------


class MultipleCoding(StrEnum):
    """Which codes share a condition group in a year: the regime in force.

    Kodeveiledning 2018 §4.2 p. 29 (the temporary rule change from 2016) allows only
    dagger/asterisk pairs to be grouped; the talk's slide "Multippel koding" gives voluntary
    grouping of all additional codes in 2023 and required grouping from 2024.
    """

    DAGGER_ONLY = "dagger-only"  # up to 2022 (T30 holds 2016–2022 to it)
    VOLUNTARY = "voluntary"  # 2023: additional codes may be grouped or standalone
    REQUIRED = "required"  # 2024 on: additional codes in the group of their condition (T29)

    @classmethod
    def in_year(cls, year: int) -> MultipleCoding:
        if year >= 2024:
            return cls.REQUIRED
        if year == 2023:
            return cls.VOLUNTARY
        return cls.DAGGER_ONLY
