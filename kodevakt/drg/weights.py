"""DRG cost weights (kostnadsvekter) from files the user supplies: one `drg;weight` file a year.

Helsedirektoratet publishes the weights every year with the ISF rules; kodevakt ships none.
A weights file is plain text, one DRG per line:

    drg;vekt
    47;0,612
    294;0,853

- the separator is `;` (a tab is accepted too); further columns are ignored;
- the first line may be a header (any first line whose weight is not a number);
- decimals with a comma or a point; blank lines and lines starting with `#` are skipped;
- the year comes from the file name (`vekter_2017.csv`), or from `--weights-year` when a
  single file is given; two files for one year, or one DRG twice with different weights, are
  errors rather than a silent choice.

`--weights FILE` or the environment variable `KODEVAKT_DRG_WEIGHTS` name the files, several
separated by the platform's path separator (`:` on Linux, `;` on Windows). DRG codes are
compared without spaces, case or leading zeros (`047` is `47`).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kodevakt.drg.tables import year_from_name
from kodevakt.errors import CodeListError

ENV_WEIGHTS = "KODEVAKT_DRG_WEIGHTS"
_DRG = re.compile(r"[0-9A-Z]{1,6}")


class WeightsError(CodeListError):
    """A weights file cannot be used; the message names the file and line."""

    _line_word = "linje"


def drg_key(code: str) -> str:
    """The form DRG codes are compared in: no spaces, upper case, no leading zeros."""
    stripped = code.strip().upper()
    return stripped.lstrip("0") or stripped


@dataclass(frozen=True, slots=True)
class WeightTable:
    """One year's weights: DRG (compared as `drg_key`) → weight."""

    year: int
    source: str
    weights: dict[str, float] = field(default_factory=dict)

    def weight(self, drg: str) -> float | None:
        return self.weights.get(drg_key(drg))


class Weights:
    """Weights for one or more years."""

    def __init__(self, tables: Iterable[WeightTable] = ()) -> None:
        self.tables: dict[int, WeightTable] = {}
        for table in tables:
            other = self.tables.get(table.year)
            if other is not None:
                raise WeightsError(
                    f"to vektfiler gjelder {table.year}: {other.source} og {table.source}",
                    file=table.source,
                )
            self.tables[table.year] = table

    @property
    def years(self) -> list[int]:
        return sorted(self.tables)

    def has_year(self, year: int) -> bool:
        return year in self.tables

    def weight(self, drg: str, year: int) -> float | None:
        """The weight of `drg` in `year`, or None (no weights for the year, or DRG not listed)."""
        table = self.tables.get(year)
        return table.weight(drg) if table is not None else None


def read_weights(path: str | Path, year: int | None = None) -> WeightTable:
    """One weights file; `year` labels a file whose name carries no year."""
    source = os.fspath(path)
    chosen = year if year is not None else year_from_name(source)
    if chosen is None:
        raise WeightsError(
            "året vektene gjelder står ikke i filnavnet; oppgi det med --weights-year",
            file=source,
        )
    try:
        data = Path(source).read_bytes()
    except OSError:
        raise WeightsError("finner ikke vektfilen eller kan ikke lese den", file=source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    weights: dict[str, float] = {}
    lines: dict[str, int] = {}
    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        is_first, first = first, False
        separator = ";" if ";" in line else "\t" if "\t" in line else None
        if separator is None:
            if is_first and not any(ch.isdigit() for ch in line):
                continue  # a one-word header
            raise WeightsError(
                f"linjen «{_short(line)}» har ikke formen drg;vekt (skilt med semikolon)",
                file=source,
                line=number,
            )
        cells = [cell.strip().strip('"').strip() for cell in line.split(separator)]
        code, value = cells[0], cells[1]
        weight = _number(value)
        if weight is None and is_first and not any(ch.isdigit() for ch in code):
            continue  # header: `drg;vekt`, `DRG;Kostnadsvekt` …
        if not code:
            raise WeightsError("DRG-koden mangler", file=source, line=number)
        if not _DRG.fullmatch(code.upper()):
            raise WeightsError(
                f"«{_short(code)}» ser ikke ut som en DRG-kode", file=source, line=number
            )
        if weight is None:
            what = f"«{_short(value)}»" if value else "tom"
            raise WeightsError(
                f"vekten for DRG {code} er {what}, ikke et tall (bruk f.eks. 0,612 eller 0.612)",
                file=source,
                line=number,
            )
        if weight < 0:
            raise WeightsError(
                f"vekten for DRG {code} er negativ ({value})", file=source, line=number
            )
        key = drg_key(code)
        earlier = weights.get(key)
        if earlier is not None and earlier != weight:
            raise WeightsError(
                f"DRG {code} står to ganger med ulik vekt (også på linje {lines[key]})",
                file=source,
                line=number,
            )
        weights[key] = weight
        lines.setdefault(key, number)
    if not weights:
        raise WeightsError("vektfilen inneholder ingen DRG-vekter", file=source)
    return WeightTable(chosen, source, weights)


def load_weights(
    paths: str | Path | Sequence[str | Path] | None = None, *, year: int | None = None
) -> Weights | None:
    """Weights from `paths` (a file, several separated by `os.pathsep`, or a list), else from
    `KODEVAKT_DRG_WEIGHTS`; None when neither names any file."""
    if paths is None:
        paths = os.environ.get(ENV_WEIGHTS) or None
        if paths is None:
            return None
    if isinstance(paths, (str, Path)):
        found = [part for part in os.fspath(paths).split(os.pathsep) if part.strip()]
    else:
        found = [os.fspath(part) for part in paths]
    if not found:
        return None
    if year is not None and len(found) > 1:
        raise WeightsError("--weights-year kan bare brukes med én vektfil")
    return Weights(read_weights(path, year) for path in found)


def _number(text: str) -> float | None:
    value = text.replace(" ", "").replace("\u00a0", "")
    if "," in value:
        if "." in value or value.count(",") > 1:
            return None
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"
