"""The cells of `drglogic` and the index that finds the first row a stay satisfies.

A row fires when every non-empty condition cell holds; rows are tried in `ord` order and the
first that fires gives the DRG. Cell forms (see docs/drg.md for how they were worked out):

| column | forms | holds when |
| --- | --- | --- |
| `icd` | `+` / `-` | the principal diagnosis is / is not a code in `dg` |
| `mdc` | `05` | the principal diagnosis' MDC is 05 |
| `pdgprop`, `dgcat1` | `07P14`, `-07P14` | the principal diagnosis has / lacks the property |
| `dgprop1`…`dgprop4` | `24X10`, `-00X99` | some diagnosis or procedure has / none has it |
| `procpro1`, `secproc1` | `21S04`, `-15S02` | some procedure has / none has the property |
| `secproc1` | `-` | every operation has `procpro1`'s property (no other operation) |
| `or` | `S` `N` `P` `Z` | an operation / no operation / any procedure with an OR value / none |
| `agelim`, `dur` | `<29`, `>6574` | age in days, length of stay in days compared |
| `compl` | `1` | some other diagnosis (or procedure) counts as a complication |
| `sex` | `M` `F` `-` | man / woman / sex missing or invalid |
| `disch` | `N`, `E`, `R` | not died / died / transferred (any other letter: equal) |

The index turns each column into bit masks over the rows (bit i = i-th row in `ord` order).
For a stay, each column gives the mask of rows whose cell in that column holds; the AND of all
columns holds exactly the rows that fire, and the lowest bit is the answer. A stay costs a few
dozen dictionary lookups and integer operations, however many rows the table has.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial

from kodevakt.drg.model import CONDITION_COLUMNS, LogicRow

PRINCIPAL_PROPERTY_COLUMNS = ("mdc", "pdgprop", "dgcat1")
DIAGNOSIS_PROPERTY_COLUMNS = ("dgprop1", "dgprop2", "dgprop3", "dgprop4")
PROCEDURE_PROPERTY_COLUMNS = ("procpro1", "secproc1")
COMPARISON_COLUMNS = ("agelim", "dur")
NO_OTHER_OPERATION = "-"

_ENUMS = {
    "icd": ("+", "-"),
    "or": ("S", "N", "P", "Z"),
    "compl": ("1",),
    "sex": ("M", "F", "-"),
}


class CellError(ValueError):
    """A cell the grouper does not understand (message in Norwegian)."""


def check_cell(column: str, value: str) -> None:
    """Raise CellError when `value` is not a form the grouper knows for `column`."""
    if not value:
        return
    if column in _ENUMS:
        if value not in _ENUMS[column]:
            allowed = ", ".join(_ENUMS[column])
            raise CellError(f"ukjent verdi «{value}» (kjente verdier: {allowed})")
    elif column in COMPARISON_COLUMNS:
        _comparison(value)
    elif column == "disch":
        if not value.isalpha():
            raise CellError(f"ukjent utskrivningsmåte «{value}»")
    elif column == "secproc1" and value == NO_OTHER_OPERATION:
        return
    elif value.startswith("-") and len(value) == 1:
        raise CellError("«-» uten egenskap kan bare stå i secproc1")


def _comparison(value: str) -> tuple[str, int]:
    op, number = value[:1], value[1:].strip()
    if op not in "<>" or not number.isdigit():
        raise CellError(f"ukjent sammenligning «{value}» (ventet <tall eller >tall)")
    return op, int(number)


def _bit_or(masks: Collection[int]) -> int:
    total = 0
    for mask in masks:
        total |= mask
    return total


@dataclass(slots=True)
class PropertyColumn:
    """Rows with no cell, rows asking for a property, rows asking for its absence."""

    free: int
    wanted: dict[str, int]
    unwanted: dict[str, int]
    any_unwanted: int

    def holds(self, present: Collection[str]) -> int:
        mask = self.free
        wanted = self.wanted
        for prop in wanted.keys() & present:
            mask |= wanted[prop]
        if self.any_unwanted:
            hit = 0
            unwanted = self.unwanted
            for prop in unwanted.keys() & present:
                hit |= unwanted[prop]
            mask |= self.any_unwanted & ~hit
        return mask


@dataclass(slots=True)
class ComparisonColumn:
    """`<n` and `>n` cells, answered with two binary searches."""

    free: int
    below: list[int]
    below_from: list[int]
    above: list[int]
    above_until: list[int]

    def holds(self, value: int | None) -> int:
        if value is None:
            return self.free
        return (
            self.free
            | self.below_from[bisect_right(self.below, value)]
            | self.above_until[bisect_left(self.above, value)]
        )


@dataclass(slots=True)
class Index:
    """Bit masks for every column of one year's `drglogic`."""

    rows: list[LogicRow]
    all_rows: int
    icd: dict[bool, int]
    operation: dict[tuple[bool, bool], int]
    compl: dict[bool, int]
    sex: dict[str, int]
    disch_cells: dict[str, int]
    disch_free: int
    principal: dict[str, PropertyColumn]
    diagnosis: list[PropertyColumn]
    procedure: list[PropertyColumn]
    comparison: dict[str, ComparisonColumn]
    no_other_operation: int
    _disch: dict[str, int]

    def discharge(self, mode: str) -> int:
        found = self._disch.get(mode)
        if found is None:
            found = self.disch_free
            for cell, mask in self.disch_cells.items():
                if discharge_holds(cell, mode):
                    found |= mask
            self._disch[mode] = found
        return found


def discharge_holds(cell: str, mode: str) -> bool:
    """`N` holds for every mode but died (`E`); other letters must equal the mode."""
    if cell == "N":
        return mode != "E"
    return cell == mode


def operation_holds(cell: str, major: bool, minor: bool) -> bool:
    """`or` cell against the stay: `major` = a procedure with OR value 1, `minor` = value 2."""
    if cell == "S":
        return major
    if cell == "N":
        return not major
    if cell == "P":
        return major or minor
    return not (major or minor)  # Z


def build_index(rows: Sequence[LogicRow]) -> Index:
    """The column masks for `rows` (already in `ord` order and checked with `check_cell`)."""
    count = len(rows)
    all_rows = (1 << count) - 1
    col = {name: i for i, name in enumerate(CONDITION_COLUMNS)}

    def cells(name: str) -> list[str]:
        return [row.cells[col[name]] for row in rows]

    def enum(name: str, holds: Callable[[str], bool]) -> int:
        mask = 0
        for i, cell in enumerate(cells(name)):
            if not cell or holds(cell):
                mask |= 1 << i
        return mask

    icd = {known: enum("icd", partial(_icd_holds, known=known)) for known in (True, False)}
    operation = {
        (major, minor): enum("or", partial(operation_holds, major=major, minor=minor))
        for major in (True, False)
        for minor in (True, False)
    }
    compl = {True: all_rows, False: enum("compl", _never)}
    sex = {value: enum("sex", partial(sex_holds, sex=value)) for value in ("1", "2", "")}
    disch_cells: dict[str, int] = {}
    disch_free = 0
    for i, cell in enumerate(cells("disch")):
        if cell:
            disch_cells[cell] = disch_cells.get(cell, 0) | 1 << i
        else:
            disch_free |= 1 << i
    no_other = 0
    for i, cell in enumerate(cells("secproc1")):
        if cell == NO_OTHER_OPERATION:
            no_other |= 1 << i
    return Index(
        rows=list(rows),
        all_rows=all_rows,
        icd=icd,
        operation=operation,
        compl=compl,
        sex=sex,
        disch_cells=disch_cells,
        disch_free=disch_free,
        principal={name: _property_column(cells(name)) for name in PRINCIPAL_PROPERTY_COLUMNS},
        diagnosis=[_property_column(cells(name)) for name in DIAGNOSIS_PROPERTY_COLUMNS],
        procedure=[_property_column(cells(name)) for name in PROCEDURE_PROPERTY_COLUMNS],
        comparison={name: _comparison_column(cells(name)) for name in COMPARISON_COLUMNS},
        no_other_operation=no_other,
        _disch={},
    )


def _icd_holds(cell: str, known: bool) -> bool:
    return (cell == "+") == known


def _never(cell: str) -> bool:
    return False


def sex_holds(cell: str, sex: str) -> bool:
    if cell == "M":
        return sex == "1"
    if cell == "F":
        return sex == "2"
    return sex not in ("1", "2")  # "-": missing or invalid


def _property_column(cells: list[str]) -> PropertyColumn:
    free = 0
    wanted: dict[str, int] = {}
    unwanted: dict[str, int] = {}
    for i, cell in enumerate(cells):
        bit = 1 << i
        if not cell or cell == NO_OTHER_OPERATION:
            free |= bit  # the bare "-" is checked row by row (Index.no_other_operation)
        elif cell.startswith("-"):
            unwanted[cell[1:]] = unwanted.get(cell[1:], 0) | bit
        else:
            wanted[cell] = wanted.get(cell, 0) | bit
    return PropertyColumn(free, wanted, unwanted, _bit_or(unwanted.values()))


def _comparison_column(cells: list[str]) -> ComparisonColumn:
    free = 0
    by_op: dict[str, dict[int, int]] = {"<": {}, ">": {}}
    for i, cell in enumerate(cells):
        if not cell:
            free |= 1 << i
            continue
        op, number = _comparison(cell)
        by_op[op][number] = by_op[op].get(number, 0) | 1 << i
    below = sorted(by_op["<"])
    below_from = [0] * (len(below) + 1)
    for k in range(len(below) - 1, -1, -1):
        below_from[k] = below_from[k + 1] | by_op["<"][below[k]]
    above = sorted(by_op[">"])
    above_until = [0] * (len(above) + 1)
    for k, number in enumerate(above):
        above_until[k + 1] = above_until[k] | by_op[">"][number]
    return ComparisonColumn(free, below, below_from, above, above_until)


def compare(cell: str, value: int | None) -> bool:
    """One `<n`/`>n` cell against a value (missing values never satisfy a comparison)."""
    if value is None:
        return False
    op, number = _comparison(cell)
    return value < number if op == "<" else value > number
