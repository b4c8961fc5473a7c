"""What an auditor says about one episode, and which kinds of error that makes.

An auditor reads the record and gives a verdict: the coding is right, it is changed (the
auditor's codes are then the right ones), or the record cannot be assessed (missing,
unreadable; such episodes are left out of the estimates and counted). For every change a
reason is given, of the kinds national audits use:

    main              hovedtilstand feil          the main condition is the wrong condition
    secondary-missing bitilstand mangler          a condition that should be coded is not
    secondary-extra   bitilstand overflødig       a coded condition should not be there
    procedure         prosedyre feil              a procedure code wrong, missing or extra
    sequence          rekkefølge eller gruppering the right codes in the wrong order or groups
    documentation     dokumentasjon mangler       the record does not support a code

The kinds an episode has are the reasons the auditor gave, together with those that can be
read from the change of codes itself (`changed_kinds`), so that a change without a reason
still counts, and a reason without a change (documentation) counts too. Codes are compared
in their canonical form (`i214a` is `I21.4a`); the order of other conditions and of
procedures is not a change, the order within a group is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kodevakt.codes.normalise import normalise


class Reason(StrEnum):
    MAIN = "main"
    SECONDARY_MISSING = "secondary-missing"
    SECONDARY_EXTRA = "secondary-extra"
    PROCEDURE = "procedure"
    SEQUENCE = "sequence"
    DOCUMENTATION = "documentation"

    @property
    def norwegian(self) -> str:
        return REASON_TEXT[self]


REASON_TEXT = {
    Reason.MAIN: "Hovedtilstand feil",
    Reason.SECONDARY_MISSING: "Bitilstand mangler",
    Reason.SECONDARY_EXTRA: "Bitilstand overflødig",
    Reason.PROCEDURE: "Prosedyre feil",
    Reason.SEQUENCE: "Rekkefølge eller gruppering",
    Reason.DOCUMENTATION: "Dokumentasjon mangler",
}


class Verdict(StrEnum):
    RIGHT = "right"
    CHANGED = "changed"
    NOT_ASSESSABLE = "not-assessable"

    @property
    def norwegian(self) -> str:
        return VERDICT_TEXT[self]


VERDICT_TEXT = {
    Verdict.RIGHT: "riktig",
    Verdict.CHANGED: "endret",
    Verdict.NOT_ASSESSABLE: "kan ikke vurderes",
}
VERDICT_OF_TEXT = {text: verdict for verdict, text in VERDICT_TEXT.items()}


@dataclass(frozen=True, slots=True)
class Coding:
    """An episode's codes: condition groups (main condition first) and procedure groups."""

    conditions: tuple[tuple[str, ...], ...] = ()
    procedures: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, conditions: Iterable[Iterable[str]], procedures: Iterable[Iterable[str]]) -> Coding:
        return cls(
            tuple(tuple(group) for group in conditions if list(group)),
            tuple(tuple(group) for group in procedures if list(group)),
        )

    def canonical(self) -> Coding:
        """The same codes, each in its canonical form."""
        return Coding(
            tuple(tuple(_code(c) for c in group) for group in self.conditions),
            tuple(tuple(_code(c) for c in group) for group in self.procedures),
        )

    @property
    def main(self) -> str | None:
        """The first code of the main condition."""
        return self.conditions[0][0] if self.conditions and self.conditions[0] else None


def _code(raw: str) -> str:
    return normalise(raw).code or raw.strip()


@dataclass(frozen=True, slots=True)
class Review:
    """One auditor's review of one sampled episode."""

    auditor: str
    verdict: Verdict
    coding: Coding | None = None  # the auditor's codes when the verdict is `changed`
    reasons: frozenset[Reason] = field(default_factory=frozenset)
    comment: str = ""


def changed_kinds(coded: Coding, audited: Coding) -> set[Reason]:
    """The kinds of error the change from `coded` to `audited` shows by itself.

    Conditions are compared code by code: another first code of the main condition is a
    main-condition error, or a sequencing error when the codes are the same ones; codes
    added or removed besides the main condition's group are missing or superfluous secondary
    conditions; the same codes in other groups or another order is a sequencing error.
    Procedures are compared group by group, in any order.
    """
    before, after = coded.canonical(), audited.canonical()
    old = Counter(code for group in before.conditions for code in group)
    new = Counter(code for group in after.conditions for code in group)
    missing, extra = new - old, old - new
    kinds: set[Reason] = set()
    if before.main != after.main:
        if old == new:
            kinds.add(Reason.SEQUENCE)
        else:
            kinds.add(Reason.MAIN)
            # the main condition's group, additional codes and all, is the main change
            missing -= Counter(after.conditions[0] if after.conditions else ())
            extra -= Counter(before.conditions[0] if before.conditions else ())
    if missing:
        kinds.add(Reason.SECONDARY_MISSING)
    if extra:
        kinds.add(Reason.SECONDARY_EXTRA)
    if not kinds and _groups(before) != _groups(after):
        kinds.add(Reason.SEQUENCE)
    if Counter(before.procedures) != Counter(after.procedures):
        kinds.add(Reason.PROCEDURE)
    return kinds


def _groups(coding: Coding) -> tuple[tuple[str, ...], Counter[tuple[str, ...]]]:
    """The main condition's group and the other groups in any order."""
    head = coding.conditions[0] if coding.conditions else ()
    return head, Counter(coding.conditions[1:])


def error_kinds(review: Review, coded: Coding) -> set[Reason]:
    """The kinds of error the review finds in the episode (none when it is right or could
    not be assessed)."""
    if review.verdict is not Verdict.CHANGED:
        return set()
    found = set(review.reasons)
    if review.coding is not None:
        found |= changed_kinds(coded, review.coding)
    return found


def main_right(review: Review, coded: Coding) -> bool:
    """Whether the main condition's first code was right (as NHS audits count the primary
    diagnosis): not changed, and no main-condition or sequencing error given."""
    kinds = error_kinds(review, coded)
    if Reason.MAIN in kinds or Reason.SEQUENCE in kinds:
        return False
    if review.verdict is Verdict.CHANGED and review.coding is not None:
        return review.coding.canonical().main == coded.canonical().main
    return True


class Contradiction(ValueError):
    """A review that contradicts itself; `field` is "verdict" or "main" (the message is the
    user's, in Norwegian)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def settled(
    coded: Coding, audited: Coding, verdict: Verdict | None, reasons: frozenset[Reason]
) -> Verdict | None:
    """The verdict a review form or worksheet row holds: None when nothing is filled in yet
    (no verdict, the codes as coded, no reason); changed codes or a reason without a verdict
    count as `changed`. A contradiction raises `Contradiction`."""
    same = audited.canonical() == coded.canonical()
    if verdict is None:
        if same and not reasons:
            return None
        verdict = Verdict.CHANGED
    if verdict is Verdict.RIGHT and (not same or reasons):
        raise Contradiction(
            "verdict",
            "vurderingen er «riktig», men revisorkodene er endret eller en årsak er merket; "
            "velg «endret» eller sett tilbake kodene",
        )
    if verdict is Verdict.CHANGED and same and not reasons:
        raise Contradiction(
            "verdict",
            "vurderingen er «endret», men revisorkodene er de kodede og ingen årsak er merket; "
            "rett kodene eller merk årsaken",
        )
    if verdict is Verdict.CHANGED and not audited.conditions:
        raise Contradiction("main", "revisorens hovedtilstand mangler")
    return verdict


def parse_reasons(values: Sequence[str]) -> frozenset[Reason]:
    """Reasons from their codes or Norwegian texts (any case); unknown ones raise ValueError
    naming the value."""
    found = set()
    by_text = {r.norwegian.casefold(): r for r in Reason} | {r.value: r for r in Reason}
    for value in values:
        key = value.strip().casefold()
        if not key:
            continue
        if key not in by_text:
            raise ValueError(value)
        found.add(by_text[key])
    return frozenset(found)
