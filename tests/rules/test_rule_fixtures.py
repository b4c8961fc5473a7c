"""Every rule's fixture cases (tests/rules/fixtures/<CODE>.json), and meta-tests over the registry.

A fixture file: {"rule": "T02", "cases": [{"name": ..., "fires": true|false,
"severity": "error" (optional), "episode": <spec, see harness.py>}, ...]}.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kodevakt.batch.catalogue import all_rules
from kodevakt.rules.registry import DOC_SECTIONS, RuleStatus, episode_rules
from tests.rules.harness import run

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            cases.append((data["rule"], case))
    return cases


@pytest.mark.parametrize(
    ("rule_code", "case"), _cases(), ids=[f"{r}-{c['name']}" for r, c in _cases()]
)
def test_fixture_case(rule_code: str, case: dict) -> None:
    findings = run(case["episode"], rule_code)
    if case["fires"]:
        assert findings, f"{rule_code} should fire: {case['name']}"
        if "severity" in case:
            assert {f.severity.value for f in findings} == {case["severity"]}
        for finding in findings:
            assert finding.message and finding.source
    else:
        assert not findings, [f.message for f in findings]


def test_every_rule_has_positive_and_negative_fixtures() -> None:
    """Pattern rules (M01–M07) have their cases in tests/batch/test_patterns.py instead."""
    by_rule: dict[str, set[bool]] = {}
    for rule_code, case in _cases():
        by_rule.setdefault(rule_code, set()).add(bool(case["fires"]))
    missing = [
        r.code
        for r in episode_rules()
        if r.status is not RuleStatus.REMOVED and by_rule.get(r.code) != {True, False}
    ]
    assert not missing, f"rules without both a positive and a negative fixture: {missing}"


def test_fixtures_name_registered_rules() -> None:
    codes = {r.code for r in episode_rules()}
    assert {rule_code for rule_code, _ in _cases()} <= codes


def test_every_rule_documents_itself() -> None:
    for r in all_rules():
        assert r.source.strip(), r.code
        assert r.title.strip(), r.code
        for section in DOC_SECTIONS:
            assert section in r.doc, f"{r.code} docstring lacks {section}"


def test_rule_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
