"""The "why" of a grouping: the fired row's conditions in Norwegian, with the codes behind them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kodevakt.drg.model import DrgInput, LogicRow
from kodevakt.drg.stay_facts import Facts

if TYPE_CHECKING:
    from kodevakt.drg.grouper import DrgTables

_OPERATION = {
    "S": "minst én operasjon (prosedyre med OR-verdi 1)",
    "N": "ingen operasjon (ingen prosedyre med OR-verdi 1)",
    "P": "minst én prosedyre med OR-verdi",
    "Z": "ingen prosedyre med OR-verdi",
}
_SEX = {"M": "mann", "F": "kvinne", "-": "kjønn mangler eller er ugyldig"}
_DISCHARGE = {"N": "ikke død ved utskrivning", "E": "død", "R": "overført", "H": "hjem"}


def explain(tables: DrgTables, row: LogicRow, case: DrgInput, facts: Facts) -> tuple[str, ...]:
    """One Norwegian line per condition of `row`, first the row itself."""
    lines = [f"regel {row.ord} i drglogic ({tables.year}) gir DRG {row.drg}"]
    principal = case.diagnoses[0][0] if case.diagnoses else ""
    for column, value in row.conditions():
        lines.append(_describe(tables, column, value, case, facts, principal))
    return tuple(lines)


def _describe(
    tables: DrgTables, column: str, value: str, case: DrgInput, facts: Facts, principal: str
) -> str:
    negated = value.startswith("-") and len(value) > 1
    prop = value[1:] if negated else value
    if column == "icd":
        if value == "+":
            return f"hoveddiagnosen {principal} finnes i tabellene"
        return "hoveddiagnose mangler eller er ukjent" + (f" ({principal})" if principal else "")
    if column == "mdc":
        return f"hoveddiagnosen hører til MDC {value}"
    if column == "dgcat1":
        return f"hoveddiagnosen er i kategori {prop}" if not negated else f"ikke kategori {prop}"
    if column == "pdgprop":
        word = "mangler" if negated else "har"
        return f"hoveddiagnosen {word} egenskapen {prop}"
    if column == "or":
        return _OPERATION[value]
    if column in ("procpro1", "secproc1"):
        if value == "-":
            return "ingen annen operasjon enn den over"
        codes = _procedures_with(tables, case, prop)
        if negated:
            return f"ingen prosedyre med egenskapen {prop}"
        return f"prosedyre med egenskapen {prop}: {', '.join(codes)}"
    if column.startswith("dgprop"):
        codes = _codes_with(tables, case, prop)
        if negated:
            return f"ingen diagnose eller prosedyre med egenskapen {prop}"
        return f"diagnose eller prosedyre med egenskapen {prop}: {', '.join(codes)}"
    if column == "agelim":
        return f"alder {case.age_days} dager, krav {value}"
    if column == "dur":
        return f"liggetid {case.los} dager, krav {value}"
    if column == "compl":
        return "komplikasjon eller komorbiditet: " + ", ".join(facts.cc_codes)
    if column == "sex":
        return _SEX[value]
    if column == "disch":
        return f"utskrivningsmåte {_DISCHARGE.get(value, value)} ({case.discharge or 'ukjent'})"
    return f"{column} = {value}"


def _procedures_with(tables: DrgTables, case: DrgInput, prop: str) -> list[str]:
    found = [p for p in case.procedures if p in tables.proc and prop in tables.proc[p][1]]
    for code in _diagnosis_codes(case):
        info = tables.dx.get(code)
        if info is not None and prop in info[6]:
            found.append(code)
    return found


def _codes_with(tables: DrgTables, case: DrgInput, prop: str) -> list[str]:
    found = []
    for code in _diagnosis_codes(case):
        info = tables.dx.get(code)
        if info is not None and prop in info[3]:
            found.append(code)
    found += [p for p in case.procedures if p in tables.proc and prop in tables.proc[p][2]]
    return found


def _diagnosis_codes(case: DrgInput) -> list[str]:
    return [code for pair in case.diagnoses for code in pair if code]
