"""The compact human notation for coded episodes, used by the CLI and the web form.

Conditions: groups separated by `;`, codes in a group by `+`; the first group is the main
condition: `J12.8+U07.1; I10`. Procedures the same way, each group optionally followed by
`@date`: `JKA20+ZXD10@2025-03-02; NHX30+ZXA00`.
"""

from __future__ import annotations

from kodevakt.episodes import values
from kodevakt.episodes.model import ProcedureGroup


def parse_conditions(notation: str) -> list[list[str]]:
    """`J12.8+U07.1; I10` → `[["J12.8", "U07.1"], ["I10"]]`."""
    groups = []
    for part in notation.split(";"):
        codes = [code.strip() for code in part.split("+") if code.strip()]
        if codes:
            groups.append(codes)
    return groups


def parse_procedures(notation: str) -> list[ProcedureGroup]:
    """`JKA20+ZXD10@2025-03-02; NHX30` → procedure groups with their dates."""
    groups = []
    for i, part in enumerate(notation.split(";")):
        body, _, when = part.partition("@")
        codes = [code.strip() for code in body.split("+") if code.strip()]
        if codes:
            groups.append(ProcedureGroup(codes, values.day(when, f"procedures[{i}].date")))
    return groups


def format_conditions(groups: list[list[str]]) -> str:
    return "; ".join("+".join(group) for group in groups)


def format_procedures(groups: list[ProcedureGroup]) -> str:
    return "; ".join(
        "+".join(group.codes) + (f"@{group.date.isoformat()}" if group.date else "")
        for group in groups
    )
