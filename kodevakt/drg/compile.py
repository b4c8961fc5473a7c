"""One year's raw tables → the compact form the grouper works on (and the cache stores).

Everything here is built from plain dicts, tuples, frozensets and strings so that the cache
can store it with `marshal` and load it in a fraction of the time the tables take to read.

Per diagnosis code (`dg`) one tuple of property sets, in `DX_FIELDS` order; per pair of codes
(`dg` rows with `d_code`) the same tuple with None where the pair says nothing; per procedure
(`proc`) the OR values, procedure properties, diagnosis-like properties and the CC flag;
complication exclusions per principal diagnosis (and pair); the inclusion properties of
complication categories (`complcat.inclprop`); DRG → MDC and names from `drgnames`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kodevakt.drg.logic import CellError, check_cell
from kodevakt.drg.model import CONDITION_COLUMNS
from kodevakt.drg.tables import RawTables
from kodevakt.errors import CodeListError

FORMAT = 1
DX_FIELDS = ("MDC", "DGCAT", "PDGPRO", "DGPROP", "COMPL", "OR", "PROCPR")
PROC_FIELDS = ("OR", "PROCPR", "DGPROP")

Compiled = dict[str, Any]


def compile_tables(raw: RawTables, year: int, source: str) -> Compiled:
    """The grouper's form of one year's tables; raises CodeListError on cells it cannot read."""
    rows = _logic(raw, source)
    single, pairs = _diagnoses(raw)
    return {
        "format": FORMAT,
        "year": year,
        "source": source,
        "rows": rows,
        "dx": single,
        "pairs": pairs,
        "proc": _procedures(raw),
        "excl": _exclusions(raw),
        "incl": _inclusions(raw),
        "drg_mdc": _drg_mdc(raw),
        "drg_name": _drg_names(raw),
    }


def pad_mdc(value: str) -> str:
    """MDC as two digits (`8` from a number cell → `08`)."""
    return value.zfill(2) if value.isdigit() and len(value) < 2 else value


def _logic(raw: RawTables, source: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    sheet = raw["drglogic"]
    out = []
    for values in sheet.values("ord", "drg", "rtc", *CONDITION_COLUMNS):
        order, drg, rtc, *cells = values
        if not order:
            continue
        cells[1] = pad_mdc(cells[1])
        for column, cell in zip(CONDITION_COLUMNS, cells, strict=True):
            try:
                check_cell(column, cell)
            except CellError as exc:
                raise CodeListError(
                    f"drglogic, regel {order}: {exc}", file=source, field=column
                ) from exc
        out.append((order, drg, rtc or "0", tuple(cells)))
    if not out:
        raise CodeListError("tabellen «drglogic» har ingen regler", file=source)
    out.sort(key=lambda row: row[0])
    return out


def _diagnoses(
    raw: RawTables,
) -> tuple[dict[str, tuple[frozenset[str], ...]], dict[tuple[str, str], tuple[Any, ...]]]:
    field = {name: i for i, name in enumerate(DX_FIELDS)}
    single: dict[str, list[set[str]]] = defaultdict(lambda: [set() for _ in DX_FIELDS])
    paired: dict[tuple[str, str], list[set[str] | None]] = defaultdict(
        lambda: [None for _ in DX_FIELDS]
    )
    for code, d_code, vartype, varval in raw["dg"].values("code", "d_code", "vartype", "varval"):
        slot = field.get(vartype.upper())
        if not code or slot is None or not varval:
            continue
        if slot == 0:
            varval = pad_mdc(varval)
        if d_code:
            entry = paired[(code, d_code)]
            found = entry[slot]
            if found is None:
                entry[slot] = found = set()
            found.add(varval)
        else:
            single[code][slot].add(varval)
    share = _Sharer()
    return (
        {code: tuple(share(s) for s in sets) for code, sets in single.items()},
        {key: tuple(None if s is None else share(s) for s in sets) for key, sets in paired.items()},
    )


class _Sharer:
    """One frozenset object per distinct set: smaller cache files, faster loads."""

    def __init__(self) -> None:
        self.seen: dict[frozenset[str], frozenset[str]] = {}

    def __call__(self, values: set[str]) -> frozenset[str]:
        found = frozenset(values)
        return self.seen.setdefault(found, found)


def _procedures(
    raw: RawTables,
) -> dict[str, tuple[frozenset[str], frozenset[str], frozenset[str], bool]]:
    field = {name: i for i, name in enumerate(PROC_FIELDS)}
    found: dict[str, list[set[str]]] = defaultdict(lambda: [set(), set(), set()])
    flagged: set[str] = set()
    for code, vartype, varval in raw["proc"].values("code", "vartype", "varval"):
        if not code or not varval:
            continue
        kind = vartype.upper()
        if kind == "CC":
            if varval not in ("0", "N"):
                flagged.add(code)
            found[code]
            continue
        slot = field.get(kind)
        if slot is not None:
            found[code][slot].add(varval)
    share = _Sharer()
    return {
        code: (share(sets[0]), share(sets[1]), share(sets[2]), code in flagged)
        for code, sets in found.items()
    }


def _exclusions(raw: RawTables) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for compl, code, d_code in raw["complexcl"].values("compl", "code", "d_code"):
        if compl and code:
            found[(code, d_code)].add(compl)
    share = _Sharer()
    return {key: share(cats) for key, cats in found.items()}


def _inclusions(raw: RawTables) -> dict[str, frozenset[str]]:
    sheet = raw.get("complcat")
    if sheet is None or not sheet.has("inclprop"):
        return {}
    found: dict[str, set[str]] = defaultdict(set)
    for compl, prop in sheet.values("compl", "inclprop"):
        if compl and prop:
            found[compl].add(prop)
    return {cat: frozenset(props) for cat, props in found.items()}


def _drg_mdc(raw: RawTables) -> dict[str, str]:
    sheet = raw.get("drgnames")
    if sheet is None:
        return {}
    return {drg: pad_mdc(mdc) for drg, mdc in sheet.values("drg", "mdc") if drg}


def _drg_names(raw: RawTables) -> dict[str, str]:
    sheet = raw.get("drgnames")
    if sheet is None:
        return {}
    column = next(
        (c for c in ("drgname", "name", "navn", "drgnavn", "text", "tekst") if sheet.has(c)), None
    )
    if column is None:
        return {}
    return {
        drg: " ".join(name.split()) for drg, name in sheet.values("drg", column) if drg and name
    }
