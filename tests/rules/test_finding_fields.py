"""`Finding` declares a finding's fields once; the checker's build, JSON and CSV follow it.

A field added to `Finding` must reach every format without anyone remembering to add it:
these tests fail when the positional build puts a value in the wrong field, or a format
leaves a field out or renders it in a form JSON cannot carry.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from kodevakt.rules.finding import (
    EPISODE_FIELDS,
    FIELDS,
    Finding,
    Fix,
    Hit,
    Severity,
    make_finding,
)
from kodevakt.rules.output import csv_record, finding_json, write_csv, write_json_lines


@dataclass(frozen=True)
class _Rule:
    code: str = "T02"
    name: str = "asterisk-without-dagger"
    severity: Severity = Severity.WARNING
    source: str = "Kodeveiledningen 2025, kap. 3"


FIX = Fix(conditions=(("E10.3", "H36.0"),))
HIT = Hit(
    message="Stjernekode uten korskode",
    codes=("H36.0",),
    location="conditions[0][0]",
    suggestion="Legg korskoden foran",
    severity=Severity.ERROR,
    fix=FIX,
)


def _unit_finding() -> Finding:
    """A finding with every field set to something other than its default."""
    return make_finding("", _Rule(), 2025, HIT, ("ep-1", "ep-2"))


def _plain(value: Any) -> bool:
    """Whether `value` is what `json.loads` gives back: no tuples, enums or objects."""
    if isinstance(value, dict):
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_make_finding_puts_each_value_in_its_own_field() -> None:
    found = make_finding("ep-7", _Rule(), 2024, HIT, ("ep-7", "ep-8"))
    assert found._asdict() == {
        "episode_id": "ep-7",
        "rule": "T02",
        "name": "asterisk-without-dagger",
        "severity": Severity.ERROR,  # the hit's own severity wins over the rule's
        "message": "Stjernekode uten korskode",
        "codes": ("H36.0",),
        "location": "conditions[0][0]",
        "source": "Kodeveiledningen 2025, kap. 3",
        "suggestion": "Legg korskoden foran",
        "rule_year": 2024,
        "fix": FIX,
        "episodes": ("ep-7", "ep-8"),
    }
    assert make_finding("ep-7", _Rule(), 2024, Hit("m")).severity is Severity.WARNING


def test_json_has_every_field_in_declared_order_as_plain_json() -> None:
    found = _unit_finding()
    data = found.to_dict()
    assert tuple(data) == FIELDS
    assert _plain(data) and json.loads(json.dumps(data)) == data
    episode = found._replace(episode_id="ep-1", episodes=())
    assert tuple(episode.to_dict()) == EPISODE_FIELDS  # `episodes` on unit findings only
    lines = io.StringIO()
    write_json_lines([found, episode], lines)
    assert [tuple(json.loads(line)) for line in lines.getvalue().splitlines()] == [
        FIELDS,
        EPISODE_FIELDS,
    ]


def test_csv_has_a_column_for_every_field_of_an_episode_finding() -> None:
    found = _unit_finding()._replace(episode_id="ep-1", episodes=())
    out = io.StringIO()
    write_csv([found], out)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert tuple(row) == EPISODE_FIELDS
    assert row["severity"] == "error" and row["codes"] == "H36.0" and row["rule_year"] == "2025"
    assert json.loads(row["fix"]) == FIX.to_dict()
    record = csv_record(_unit_finding())
    assert tuple(record) == FIELDS and record["episodes"] == "ep-1 ep-2"
    assert all(value is None or type(value) in (str, int) for value in record.values())


def test_findings_are_written_as_json_dumps_writes_their_dicts() -> None:
    """The JSON writers build the text without the dictionary; every byte must agree, with
    or without a suggestion, fix, codes or unit episodes, and with text JSON must escape."""
    hard = Hit(
        message='Æ «sitat» "quote" \\ \n\t\u2028 \x7f',
        codes=("Ø1", 'x"y'),
        location="",
        suggestion=None,
        fix=None,
    )
    cases = [
        _unit_finding(),
        _unit_finding()._replace(episode_id="ep-1", episodes=()),
        make_finding("ep\u00e6-2", _Rule(), 2016, hard),
        make_finding("ep-3", _Rule(), 2026, Hit("m", (), "conditions")),
    ]
    for finding in cases:
        assert finding_json(finding) == json.dumps(finding.to_dict(), ensure_ascii=False)
    lines = io.StringIO()
    write_json_lines(cases, lines)
    assert lines.getvalue() == "".join(
        json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in cases
    )
