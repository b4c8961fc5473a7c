"""The grouper's plain data: what goes in (`DrgInput`), the rules (`LogicRow`), what comes out.

`DrgInput` is the reference grouper's view of a stay, the same fields the DRG string carries:
sex, age in days, discharge mode, length of stay, diagnosis pairs (principal first) and
procedure codes, all codes in the tables' form (no dot, Norwegian lower-case letters kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The condition columns of `drglogic`, in the workbook's order.
CONDITION_COLUMNS = (
    "icd",
    "mdc",
    "pdgprop",
    "or",
    "procpro1",
    "dgcat1",
    "agelim",
    "compl",
    "sex",
    "dgprop1",
    "dgprop2",
    "dgprop3",
    "dgprop4",
    "secproc1",
    "disch",
    "dur",
)

MALE = "1"
FEMALE = "2"
DIED = "E"
TRANSFERRED = "R"
HOME = "H"


@dataclass(frozen=True, slots=True)
class DrgInput:
    """One stay as the grouper sees it.

    `sex` is `1` (man) or `2` (woman); anything else counts as missing. `discharge` is the
    discharge mode (`H` home, `R` transferred, `E` died). `los` is the length of stay in days.
    `diagnoses` holds (code, paired code) with the principal diagnosis first; the paired code
    is empty when the diagnosis stands alone.
    """

    sex: str = ""
    age_days: int | None = None
    discharge: str = HOME
    los: int | None = None
    diagnoses: tuple[tuple[str, str], ...] = ()
    procedures: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LogicRow:
    """One row of `drglogic`: its order key, result and the raw condition cells."""

    ord: str
    drg: str
    rtc: str
    cells: tuple[str, ...]

    def cell(self, column: str) -> str:
        return self.cells[CONDITION_COLUMNS.index(column)]

    def conditions(self) -> list[tuple[str, str]]:
        """The non-empty condition cells as (column, value), in column order."""
        return [(col, val) for col, val in zip(CONDITION_COLUMNS, self.cells, strict=True) if val]


RETURN_CODES = {
    "0": "gruppert uten merknad",
    "1": "hoveddiagnose mangler eller er ukjent",
    "2": "kjønn mangler eller er ugyldig",
    "3": "kjønnet passer ikke med diagnosen eller prosedyren",
    "4": "alderen er under grensen for diagnosen eller prosedyren",
    "5": "alderen er over grensen for diagnosen eller prosedyren",
    "6": "ugyldig alder",
    "7": "operasjon uten sammenheng med hoveddiagnosen",
    "8": "koden kan ikke brukes som hoveddiagnose",
    "9": "ugyldig kodekombinasjon",
}


def describe_return_code(code: str) -> str:
    """Norwegian meaning of a return code, as far as the tables show it."""
    return RETURN_CODES.get(code, f"returkode {code} fra definisjonstabellene")


@dataclass(frozen=True, slots=True)
class DrgResult:
    """The grouping of one stay: DRG, MDC, the row that fired and why.

    `surgical` is True when the DRG rests on an operation, False for a medical DRG and None
    for the ungroupable DRG. `complication` is True when the row demanded a complication, False
    when an otherwise identical row with a complication came first and did not fire, and None
    when the DRG has no such split. `why` lists the fired row's conditions in Norwegian.
    """

    drg: str
    mdc: str
    return_code: str
    logic_row: str
    year: int
    surgical: bool | None
    complication: bool | None
    complication_codes: tuple[str, ...] = ()
    why: tuple[str, ...] = ()
    drg_name: str | None = None
    episode_id: str | None = None
    line: int | None = None

    @property
    def return_text(self) -> str:
        return describe_return_code(self.return_code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape every machine format writes (pinned by a test)."""
        return {
            "episode_id": self.episode_id,
            "line": self.line,
            "year": self.year,
            "drg": self.drg,
            "drg_name": self.drg_name,
            "mdc": self.mdc,
            "surgical": self.surgical,
            "complication": self.complication,
            "complication_codes": list(self.complication_codes),
            "return_code": self.return_code,
            "return_text": self.return_text,
            "logic_row": self.logic_row,
            "why": list(self.why),
        }
