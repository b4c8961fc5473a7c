"""The simulation as CSV: one row per change and episode, for a spreadsheet or a worklist.

Columns: what changes (`kode`, `funn`, `drg`), the change (`blir ugyldig`, `blir gyldig`,
`endrer tekst`, `kommer`, `forsvinner`, `ny DRG`), what (code or rule), before, after,
institution, department (DRG rows) and episode. `;`-separated with a BOM so Excel reads æøå;
every cell neutralised against formula injection (`kodevakt.cells`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kodevakt.cells import SafeCsvWriter
from kodevakt.report.atomic import replaced_text
from kodevakt.simulation.run import INVALID, MEANING, VALID, Simulation

HEADER = (
    "Hva",
    "Endring",
    "Kode eller regel",
    "Før",
    "Etter",
    "Institusjon",
    "Avdeling",
    "Episode",
)
CODE_CHANGE = {INVALID: "blir ugyldig", VALID: "blir gyldig", MEANING: "endrer tekst"}


def rows(result: Simulation) -> Iterator[list[object]]:
    for change in result.code_changes:
        before = f"{change.status_before}: {change.text_before}".rstrip(": ")
        after = f"{change.status_after}: {change.text_after}".rstrip(": ")
        for institution, episode_id in change.episodes:
            yield [
                "kode",
                CODE_CHANGE[change.kind],
                change.code,
                before,
                after,
                institution,
                "",
                episode_id,
            ]
    for rule in result.rule_changes:
        for what, places in (("kommer", rule.appear), ("forsvinner", rule.vanish)):
            for institution, episode_id in places:
                yield ["funn", what, rule.rule, "", "", institution, "", episode_id]
    for department in result.departments:
        for move in department.moves:
            yield [
                "drg",
                "ny DRG",
                "",
                move.drg_before,
                move.drg_after,
                move.place[0],
                department.department,
                move.place[1],
            ]


def write_csv(result: Simulation, path: Path) -> int:
    """Write the rows; returns how many."""
    count = 0
    with replaced_text(path, encoding="utf-8-sig", newline="") as stream:
        writer = SafeCsvWriter(stream, lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in rows(result):
            writer.writerow(row)
            count += 1
    return count
