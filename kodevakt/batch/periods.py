"""Tertials, the four-month periods NPR reports and feeds back in.

`2025T1` is January–April 2025, `2025T2` May–August, `2025T3` September–December. An
episode belongs to the tertial of its discharge date (admission date when it has none), the
same date that picks its rules (`Episode.rule_date`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kodevakt.episodes.model import Episode
from kodevakt.errors import InputError

_LABEL = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Tt]\s*([123])\s*$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_MONTHS = {1: "januar–april", 2: "mai–august", 3: "september–desember"}


@dataclass(frozen=True, slots=True, order=True)
class Tertial:
    """One tertial; ordered in time, so `sorted()` and `<` work."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3):
            raise ValueError(f"tertial number must be 1, 2 or 3, not {self.number}")

    @classmethod
    def parse(cls, text: str) -> Tertial:
        """`2025T1` (also `2025-T1`, `2025t1`, `2025 T1`); anything else is an `InputError`."""
        match = _LABEL.match(text)
        if not match:
            raise InputError(
                f"«{text}» er ikke et tertial; skriv år og tertial som 2025T1, 2025T2 eller 2025T3",
                field="period",
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Tertial:
        """The tertial `day` falls in."""
        return cls(day.year, (day.month - 1) // 4 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}T{self.number}"

    @property
    def norwegian(self) -> str:
        """`1. tertial 2025 (januar–april)`."""
        return f"{self.number}. tertial {self.year} ({_MONTHS[self.number]})"

    @property
    def start(self) -> date:
        return date(self.year, 4 * self.number - 3, 1)

    @property
    def end(self) -> date:
        """The last day of the tertial."""
        if self.number == 3:
            return date(self.year, 12, 31)
        return date(self.year, 4 * self.number + 1, 1) - timedelta(days=1)

    def previous(self) -> Tertial:
        return (
            Tertial(self.year - 1, 3) if self.number == 1 else Tertial(self.year, self.number - 1)
        )

    def next(self) -> Tertial:
        return (
            Tertial(self.year + 1, 1) if self.number == 3 else Tertial(self.year, self.number + 1)
        )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def parse_tertial(text: str) -> Tertial | None:
    """The tertial a label names, or None when it is not a tertial label."""
    match = _LABEL.match(text)
    return Tertial(int(match.group(1)), int(match.group(2))) if match else None


def consecutive_tertials(labels: Iterable[str]) -> list[tuple[str, str]]:
    """(earlier, later) label pairs of consecutive tertials among `labels`, oldest first."""
    found = sorted({t for t in map(parse_tertial, labels) if t is not None})
    present = set(found)
    return [(t.label, t.next().label) for t in found if t.next() in present]


def as_tertial(period: Tertial | str) -> Tertial:
    """A `Tertial` from a label or a tertial."""
    return period if isinstance(period, Tertial) else Tertial.parse(period)


def episode_tertial(episode: Episode) -> Tertial | None:
    """The tertial of the episode's discharge date (admission date without one); None if undated."""
    day = episode.rule_date
    return Tertial.of(day) if day is not None else None


def period_span(label: str) -> tuple[date, date] | None:
    """First and last day of a stored period label: a tertial `2025T1`, a month `2025-03` or
    a year `2025`; None for any other label."""
    tertial = parse_tertial(label)
    if tertial is not None:
        return tertial.start, tertial.end
    month = _MONTH.match(label)
    if month is not None:
        year, number = int(month.group(1)), int(month.group(2))
        following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
        return date(year, number, 1), following - timedelta(days=1)
    if _YEAR.match(label):
        return date(int(label), 1, 1), date(int(label), 12, 31)
    return None


def period_label(period: Tertial | str) -> str:
    """The label of a period: a tertial's `2025T1`, or any other label as given (`2025`)."""
    if isinstance(period, Tertial):
        return period.label
    match = _LABEL.match(period)
    return f"{match.group(1)}T{match.group(2)}" if match else period.strip()
