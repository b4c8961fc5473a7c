"""Finding writers for the machine formats (JSON array, JSON Lines, CSV) and the summary.

JSON renders `Finding.to_dict()` and CSV `csv_record`, both derived from `Finding`'s fields
(`FIELDS`), so a field added there appears in every format. `finding_json` writes the same
JSON text as `json.dumps(finding.to_dict())` without building the dictionary first, since a
batch writes millions of findings (tests/rules/test_finding_fields.py holds the two equal).
The JSON array is streamed so that a batch of millions of findings never sits in memory. CSV
cells go through `SafeCsvWriter`: the file is opened in a spreadsheet, where a message starting
with `=` would run as a formula.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, TextIO

from kodevakt.cells import SafeCsvWriter
from kodevakt.rules.finding import EPISODE_FIELDS, FIELDS, Finding, Severity

CSV_COLUMNS = EPISODE_FIELDS
"""The checker's CSV columns: every field of a finding about one episode, in declared order."""


def csv_record(finding: Finding) -> dict[str, Any]:
    """The finding's CSV cells by column, every field included: as in JSON, but the codes
    and a unit's episodes space-separated and the fix as JSON text (empty without one)."""
    row = dict(zip(FIELDS, finding, strict=True))
    row["severity"] = finding.severity.value
    row["codes"] = " ".join(finding.codes)
    if finding.fix is not None:
        row["fix"] = json.dumps(finding.fix.to_dict(), ensure_ascii=False)
    row["episodes"] = " ".join(finding.episodes)
    return row


_string = json.encoder.encode_basestring  # the C encoder json.dumps uses; keeps non-ASCII


def finding_json(finding: Finding) -> str:
    """`json.dumps(finding.to_dict(), ensure_ascii=False)`, made directly from the fields."""
    (
        episode_id,
        rule,
        name,
        severity,
        message,
        codes,
        location,
        source,
        suggestion,
        rule_year,
        fix,
        episodes,
    ) = finding
    parts = [
        '{"episode_id": ',
        _string(episode_id),
        ', "rule": ',
        _string(rule),
        ', "name": ',
        _string(name),
        ', "severity": ',
        _string(severity.value),
        ', "message": ',
        _string(message),
        ', "codes": [',
        ", ".join([_string(code) for code in codes]),
        '], "location": ',
        _string(location),
        ', "source": ',
        _string(source),
        ', "suggestion": ',
        "null" if suggestion is None else _string(suggestion),
        ', "rule_year": ',
        str(int(rule_year)),
        ', "fix": ',
        "null" if fix is None else json.dumps(fix.to_dict(), ensure_ascii=False),
    ]
    if episodes:
        parts.append(', "episodes": [')
        parts.append(", ".join([_string(episode) for episode in episodes]))
        parts.append("]")
    parts.append("}")
    return "".join(parts)


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
    write_json_texts(map(finding_json, findings), out)


def write_json_records(records: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    """A JSON array, one record per line, streamed.

    When `records` stops with an error (an input file unreadable half-way) the array is still
    closed, so stdout stays valid JSON; the caller reports the error and exits non-zero, which
    is what says the list is incomplete.
    """
    write_json_texts((json.dumps(record, ensure_ascii=False) for record in records), out)


def write_json_texts(texts: Iterable[str], out: TextIO) -> None:
    """`write_json_records` for records already written as JSON text."""
    out.write("[")
    first = True
    try:
        for text in texts:
            out.write("\n  " if first else ",\n  ")
            out.write(text)
            first = False
    except Exception:
        with suppress(OSError):  # the output itself may be what failed
            out.write("]\n" if first else "\n]\n")
        raise
    out.write("]\n" if first else "\n]\n")


_BATCH = 512  # findings per write: one call to the text layer costs as much as a finding


def write_json_lines(findings: Iterable[Finding], out: TextIO) -> None:
    """One finding per line; what was found is written also when `findings` stops with an
    error (an input file unreadable half-way)."""
    lines: list[str] = []
    try:
        for finding in findings:
            lines.append(finding_json(finding))
            if len(lines) >= _BATCH:
                lines.append("")
                out.write("\n".join(lines))
                lines.clear()
    finally:
        if lines:
            lines.append("")
            out.write("\n".join(lines))


def write_csv(findings: Iterable[Finding], out: TextIO) -> None:
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for finding in findings:
        row = csv_record(finding)
        writer.writerow(row[c] for c in CSV_COLUMNS)
