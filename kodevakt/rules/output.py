"""Finding writers for the machine formats (JSON array, JSON Lines, CSV) and the summary.

All formats render the same `Finding.to_dict()`; the JSON array is streamed so that a batch of
millions of findings never sits in memory.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from kodevakt.rules.finding import Finding, Severity

CSV_COLUMNS = (
    "episode_id",
    "rule",
    "name",
    "severity",
    "message",
    "codes",
    "location",
    "source",
    "suggestion",
    "rule_year",
    "fix",  # JSON, as in the other formats; empty without a machine-applicable correction
)


@dataclass(slots=True)
class Summary:
    """Counts by severity, family and rule, collected while findings stream past."""

    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, finding: Finding) -> None:
        self.by_rule[(finding.rule, finding.severity.value)] += 1

    def count(self, severity: Severity) -> int:
        return sum(n for (_, sev), n in self.by_rule.items() if sev == severity.value)

    @property
    def total(self) -> int:
        return sum(self.by_rule.values())


def write_json_array(findings: Iterable[Finding], out: TextIO) -> None:
    out.write("[")
    first = True
    for finding in findings:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(finding.to_dict(), ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


def write_json_lines(findings: Iterable[Finding], out: TextIO) -> None:
    for finding in findings:
        out.write(json.dumps(finding.to_dict(), ensure_ascii=False))
        out.write("\n")


def write_csv(findings: Iterable[Finding], out: TextIO) -> None:
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in findings:
        row = finding.to_dict()
        row["codes"] = " ".join(finding.codes)
        row["fix"] = json.dumps(row["fix"], ensure_ascii=False) if row["fix"] else None
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
