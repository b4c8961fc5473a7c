"""What one stay offers the logic: principal diagnosis properties, other properties, CC.

The principal diagnosis is the first pair. Alone, its own `dg` rows give MDC, category
(DGCAT) and principal properties (PDGPRO). With a paired code, the paired code gives MDC and
category (in a dagger/asterisk pair the asterisk code places the stay, E10.3+H36.0 groups as an
eye case) and the principal properties of both codes count; `dg` rows for the exact pair
override either. MDC 98 and categories 98Mxx (sex-neutral genital conditions) become MDC 12 /
13 for a man / a woman.

Diagnosis properties (DGPROP) are collected from every diagnosis code, principal and paired
codes included, and from procedures (the `proc` rows of type DGPROP). A secondary code with a
complication category (COMPL) makes the stay "with complication" unless the principal
diagnosis (either code of its pair, or the pair) excludes that category in `complexcl`; a
category with inclusion properties (`complcat.inclprop`) only counts when another diagnosis of
the stay has one of them. A procedure flagged CC counts as a complication by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from kodevakt.drg.model import FEMALE, MALE, DrgInput

EMPTY: frozenset[str] = frozenset()
PropertySets = tuple[frozenset[str], ...]


class Tables(Protocol):
    """The parts of one year's compiled tables the facts need (see `compile`)."""

    @property
    def dx(self) -> Mapping[str, PropertySets]: ...
    @property
    def pairs(self) -> Mapping[tuple[str, str], tuple[Any, ...]]: ...
    @property
    def proc(self) -> Mapping[str, tuple[frozenset[str], frozenset[str], frozenset[str], bool]]: ...
    @property
    def excl(self) -> Mapping[tuple[str, str], frozenset[str]]: ...
    @property
    def incl(self) -> Mapping[str, frozenset[str]]: ...


_SEX_MDC = {MALE: "12", FEMALE: "13"}


class Facts:
    """The facts of one stay; `operations` holds the property sets of each operation."""

    __slots__ = (
        "cc",
        "cc_codes",
        "dgcat",
        "dgprop",
        "known",
        "major",
        "mdc",
        "minor",
        "operations",
        "pdg",
        "procpr",
    )

    def __init__(self) -> None:
        self.known = False
        self.mdc: frozenset[str] = EMPTY
        self.dgcat: frozenset[str] = EMPTY
        self.pdg: frozenset[str] = EMPTY
        self.dgprop: set[str] = set()
        self.procpr: set[str] = set()
        self.major = False
        self.minor = False
        self.cc = False
        self.cc_codes: list[str] = []
        self.operations: list[frozenset[str]] = []


def case_facts(tables: Tables, case: DrgInput) -> Facts:
    """Facts of `case` under one year's `tables`."""
    facts = Facts()
    dx = tables.dx
    diagnoses = case.diagnoses
    code, pair = diagnoses[0] if diagnoses else ("", "")
    info = dx.get(code) if code else None
    excluded: set[str] = set()
    others: list[str] = []
    if info is not None:
        facts.known = True
        mdc, dgcat, pdg = info[0], info[1], info[2]
        facts.dgprop.update(info[3])
        _procedure_like(facts, info)
        excl = tables.excl
        excluded.update(excl.get((code, ""), EMPTY))
        if pair:
            others.append(pair)
            paired = dx.get(pair)
            if paired is not None:
                mdc, dgcat, pdg = paired[0], paired[1], pdg | paired[2]
                excluded.update(excl.get((pair, ""), EMPTY))
            both = tables.pairs.get((code, pair)) or tables.pairs.get((pair, code))
            if both is not None:
                mdc = both[0] if both[0] is not None else mdc
                dgcat = both[1] if both[1] is not None else dgcat
                pdg = both[2] if both[2] is not None else pdg
                if both[3] is not None:
                    facts.dgprop.update(both[3])
            excluded.update(excl.get((code, pair), EMPTY), excl.get((pair, code), EMPTY))
        if "98" in mdc and case.sex in _SEX_MDC:
            mdc, dgcat = _by_sex(mdc, dgcat, _SEX_MDC[case.sex])
        facts.mdc, facts.dgcat, facts.pdg = mdc, dgcat, pdg
    for other_code, other_pair in diagnoses[1:]:
        if other_code:
            others.append(other_code)
        if other_pair:
            others.append(other_pair)
    candidates = []
    for other in others:
        found = dx.get(other)
        if found is None:
            continue
        facts.dgprop.update(found[3])
        if found[4]:
            candidates.append((other, found[4]))
        if found[5] or found[6]:
            _procedure_like(facts, found)
    if candidates and facts.known:
        _complications(tables, case, facts, candidates, excluded)
    proc = tables.proc
    for procedure in case.procedures:
        found_proc = proc.get(procedure)
        if found_proc is None:
            continue
        values, props, dgprops, flagged = found_proc
        if values:
            if "1" in values:
                facts.major = True
                facts.operations.append(props)
            if "2" in values:
                facts.minor = True
        facts.procpr.update(props)
        facts.dgprop.update(dgprops)
        if flagged:
            facts.cc = True
            facts.cc_codes.append(procedure)
    return facts


def _procedure_like(facts: Facts, info: PropertySets) -> None:
    """A diagnosis that carries OR/PROCPR rows (ritual circumcision) acts as that procedure."""
    values, props = info[5], info[6]
    if "1" in values:
        facts.major = True
        facts.operations.append(props)
    if "2" in values:
        facts.minor = True
    facts.procpr.update(props)


def _by_sex(
    mdc: frozenset[str], dgcat: frozenset[str], target: str
) -> tuple[frozenset[str], frozenset[str]]:
    return (
        frozenset(target if m == "98" else m for m in mdc),
        frozenset(target + c[2:] if c.startswith("98") else c for c in dgcat),
    )


def _complications(
    tables: Tables,
    case: DrgInput,
    facts: Facts,
    candidates: list[tuple[str, frozenset[str]]],
    excluded: set[str],
) -> None:
    incl = tables.incl
    for code, categories in candidates:
        for category in categories:
            if category in excluded:
                continue
            needed = incl.get(category)
            if needed and not needed & _other_properties(tables, case, code):
                continue
            facts.cc = True
            facts.cc_codes.append(code)
            break


def _other_properties(tables: Tables, case: DrgInput, skip: str) -> set[str]:
    """DGPROP of every diagnosis code of the stay except `skip`."""
    props: set[str] = set()
    for code, pair in case.diagnoses:
        for one in (code, pair):
            if one and one != skip:
                found = tables.dx.get(one)
                if found is not None:
                    props.update(found[3])
    return props
