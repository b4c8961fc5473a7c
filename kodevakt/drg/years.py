"""Which year's tables group each stay, and what to tell the user when the tables do not fit.

Each year's logic and code lists differ, so a stay is grouped with the tables of its own year
(discharge date, else admission date) or, with `--year`, of the year the user chose; never with
another year's tables by a guess. Without this module's notice, 2025 stays run against 2017
tables came out as rows of blanks: `TableYears` counts the stays no loaded table covers and the
stays without a date, and says once per run which years the tables cover and how to choose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from kodevakt.errors import CodeListError


class NotCovered(CodeListError):
    """A stay that no loaded table may group; its message says why, for that stay's row."""


class TableYears:
    """The table year per stay, from the loaded years and the user's `--year` (validated)."""

    def __init__(self, loaded: Iterable[int], year: int | None = None) -> None:
        self.loaded = sorted(set(loaded))
        if year is not None and year not in self.loaded:
            raise CodeListError(
                f"--year {year}: ingen DRG-definisjonstabeller for {year} er lastet "
                f"(tabellene som er lastet gjelder {_years(self.loaded)})"
            )
        self.year = year
        self.missing: Counter[int] = Counter()
        self.undated = 0
        self.other_year: Counter[int] = Counter()

    def choose(self, day: date | None) -> int:
        """The table year for a stay dated `day`; NotCovered when no loaded table may group it."""
        if self.year is not None:
            if day is not None and day.year != self.year:
                self.other_year[day.year] += 1
            return self.year
        if day is None:
            self.undated += 1
            raise NotCovered("episoden har ingen dato; oppgi tabellår med --year")
        if day.year not in self.loaded:
            self.missing[day.year] += 1
            raise NotCovered(
                f"ingen DRG-definisjonstabeller for år {day.year} (lastet: {_years(self.loaded)})"
            )
        return day.year

    def notice(self) -> str | None:
        """What the user can do about the stays that were not grouped (None: nothing to say)."""
        parts = []
        if self.missing:
            count = sum(self.missing.values())
            parts.append(
                f"DRG-definisjonstabellene som er lastet gjelder {_years(self.loaded)}, men "
                f"{_stays(count)} er fra {_counted(self.missing)}, som ingen av dem dekker; "
                f"{'den' if count == 1 else 'de'} er ikke gruppert. Oppgi tabellene for "
                f"{_years(self.missing)} med --definitions (en fil, eller en mappe med én fil "
                f"per år), eller velg tabellår med {self._year_hint()}."
            )
        if self.undated:
            parts.append(
                f"{_stays(self.undated).capitalize()} har verken utskrivnings- eller "
                f"innleggelsesdato og er ikke gruppert; velg tabellår med {self._year_hint()}."
            )
        if self.other_year:
            parts.append(
                f"{_stays(sum(self.other_year.values())).capitalize()} fra "
                f"{_counted(self.other_year)} er gruppert med tabellene for {self.year} "
                f"(--year); koder og regler fra andre år kan gi en annen DRG."
            )
        return " ".join(parts) or None

    def _year_hint(self) -> str:
        if len(self.loaded) == 1:
            only = self.loaded[0]
            return f"--year {only} for å gruppere alle episodene med tabellene for {only}"
        return f"--year ÅR (et av årene {_years(self.loaded)})"


def _years(years: Iterable[int]) -> str:
    ordered = [str(year) for year in sorted(years)]
    if not ordered:
        return "ingen år"
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " og " + ordered[-1]


def _counted(years: Counter[int]) -> str:
    if len(years) == 1:
        return str(next(iter(years)))
    return _years(years) + " (" + ", ".join(f"{y}: {years[y]}" for y in sorted(years)) + ")"


def _stays(count: int) -> str:
    return "én episode" if count == 1 else f"{count} episoder"
