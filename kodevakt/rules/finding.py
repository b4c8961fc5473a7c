"""A finding: frozen plain data that every output format renders the same way."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from kodevakt.episodes.model import Episode


class Severity(StrEnum):
    """error: must be corrected before reporting; warning: a person must look; info: advice."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def norwegian(self) -> str:
        return _NORWEGIAN[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
_NORWEGIAN = {Severity.INFO: "info", Severity.WARNING: "advarsel", Severity.ERROR: "feil"}


CodeGroups = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Fix:
    """A machine-applicable correction: the complete code groups after it.

    `conditions` holds every condition group after the correction, main condition first, or
    None when the conditions stay as they are; `procedures` holds the codes of every procedure
    group after it, or None. Codes the correction does not touch are kept exactly as written.
    A procedure correction keeps the group count and order, so each group keeps its date.
    """

    conditions: CodeGroups | None = None
    procedures: CodeGroups | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "conditions": _lists(self.conditions),
            "procedures": _lists(self.procedures),
        }

    def apply(self, episode: Episode) -> Episode:
        """A copy of `episode` with the correction made (the original is left alone).

        Procedure groups keep their dates by position; should the group count differ, the
        dates are dropped rather than guessed.
        """
        from kodevakt.episodes.model import ProcedureGroup

        conditions = (
            [list(group) for group in self.conditions]
            if self.conditions is not None
            else [list(group) for group in episode.conditions]
        )
        procedures = [ProcedureGroup(list(p.codes), p.date) for p in episode.procedures]
        if self.procedures is not None:
            same = len(self.procedures) == len(procedures)
            procedures = [
                ProcedureGroup(list(codes), procedures[i].date if same else None)
                for i, codes in enumerate(self.procedures)
            ]
        return replace(episode, conditions=conditions, procedures=procedures)


def _lists(groups: CodeGroups | None) -> list[list[str]] | None:
    return None if groups is None else [list(group) for group in groups]


class Hit(NamedTuple):
    """What a rule's check yields; the engine adds the rule's metadata to make a Finding."""

    message: str
    codes: tuple[str, ...] = ()
    location: str = ""
    suggestion: str | None = None
    severity: Severity | None = None
    fix: Fix | None = None


class Finding(NamedTuple):
    """One rule firing on one episode, or a pattern about a whole unit. The JSON shape
    (`to_dict`) is the machine contract.

    A unit finding (M04, M05, M07: a department's or institution's coding practice) has no
    single episode: `episode_id` is "" and `episodes` holds the ids of the episodes behind it.

    These fields are the one declaration of what a finding holds: the JSON keys, the CSV
    columns (`kodevakt.rules.output`) and the stored columns (`kodevakt.storage.findings`) are
    derived from them in this order, and `make_finding` builds one from a rule's hit.

    A named tuple rather than a frozen dataclass: the checker makes one per finding, and
    building a tuple costs a fraction of a frozen dataclass's field-by-field `__init__`.
    """

    episode_id: str
    rule: str
    name: str
    severity: Severity
    message: str
    codes: tuple[str, ...]
    location: str
    source: str
    suggestion: str | None
    rule_year: int
    fix: Fix | None = None
    episodes: tuple[str, ...] = ()

    @property
    def about_unit(self) -> bool:
        """Whether the finding is about a unit's practice rather than one episode."""
        return not self.episode_id and bool(self.episodes)

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON: every field in declared order, `episodes` only on unit
        findings. Only the fields that are not JSON already are converted."""
        data: dict[str, Any] = dict(zip(FIELDS, self, strict=True))
        data["severity"] = self.severity.value
        data["codes"] = list(self.codes)
        if self.fix is not None:
            data["fix"] = self.fix.to_dict()
        if self.episodes:
            data["episodes"] = list(self.episodes)
        else:
            del data["episodes"]
        return data


FIELDS: tuple[str, ...] = Finding._fields
"""Every field of a finding, in declared order: the JSON keys, CSV and stored columns."""
EPISODE_FIELDS = tuple(name for name in FIELDS if name != "episodes")
"""The fields of a finding about one episode, which the checker's CSV has columns for."""


class RuleMeta(Protocol):
    """What a finding takes from the rule that made it (every kind of rule declares it)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def source(self) -> str: ...


_make = Finding._make


def make_finding(
    episode_id: str, rule: RuleMeta, year: int, hit: Hit, episodes: tuple[str, ...] = ()
) -> Finding:
    """The finding `rule`'s `hit` makes about episode `episode_id` checked with the rules of
    `year` (a unit finding: episode id "" and the `episodes` behind it).

    The checker calls this once per finding, so the tuple is built by position, in field
    order, without `__new__`'s argument binding; `_make` refuses a tuple of the wrong length,
    and tests/rules/test_finding_fields.py checks that every value lands in its own field.
    """
    return _make(
        (
            episode_id,
            rule.code,
            rule.name,
            hit.severity or rule.severity,
            hit.message,
            hit.codes,
            hit.location,
            rule.source,
            hit.suggestion,
            year,
            hit.fix,
            episodes,
        )
    )
