"""A finding: frozen plain data that every output format renders the same way."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


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


class Hit(NamedTuple):
    """What a rule's check yields; the engine adds the rule's metadata to make a Finding."""

    message: str
    codes: tuple[str, ...] = ()
    location: str = ""
    suggestion: str | None = None
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule firing on one episode. The JSON shape (`to_dict`) is the machine contract."""

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "episode_id": self.episode_id,
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "codes": list(self.codes),
            "location": self.location,
            "source": self.source,
            "suggestion": self.suggestion,
            "rule_year": self.rule_year,
        }
