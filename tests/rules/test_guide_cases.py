"""An evaluation set written from the rulebook (tests/rules/guide_cases.json), run through
every rule as a user would run `kodevakt check`.

Each case cites its section and page. A case that expects `flags` is an erroneous coding: it
counts as found when every named rule fires (at any severity). A case that expects `clean`
is a correct coding: it is a false alarm when any rule reports an error or a warning (advice
at info level is allowed, as in the shared acceptance cases). The summary test reports
precision and recall over the whole set, so a rule change that trades one for the other
shows in numbers, not only in the failing case.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.rules.registry import select
from tests.rules.harness import codebase, episode_from_spec

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "guide_cases.json").read_text(encoding="utf-8")
)["cases"]


@cache
def _checker() -> Checker:
    return Checker(codebase(), select())


def _findings(case: dict[str, Any]) -> list[Finding]:
    return _checker().check_episode(episode_from_spec(case["episode"], case["case"]))


def _alarms(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in findings if f.severity.value in ("error", "warning")]


def _found(case: dict[str, Any], findings: list[Finding]) -> bool:
    return set(case["expect"]["flags"]) <= {f.rule for f in findings}


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_guide_case(case: dict[str, Any]) -> None:
    findings = _findings(case)
    if "flags" in case["expect"]:
        assert _found(case, findings), (case["source"], [(f.rule, f.message) for f in findings])
    else:
        assert not _alarms(findings), (case["source"], _alarms(findings))


def test_the_set_is_large_and_balanced() -> None:
    erroneous = [c for c in CASES if "flags" in c["expect"]]
    assert len(CASES) >= 100 and 40 <= len(erroneous) <= len(CASES) - 40
    assert all(c["source"].startswith("Kodeveiledning 2018 ") for c in CASES)
    assert len({c["case"] for c in CASES}) == len(CASES)


def test_precision_and_recall_on_the_guide_cases() -> None:
    found = missed = false_alarms = quiet = 0
    for case in CASES:
        findings = _findings(case)
        if "flags" in case["expect"]:
            if _found(case, findings):
                found += 1
            else:
                missed += 1
        elif _alarms(findings):
            false_alarms += 1
        else:
            quiet += 1
    precision = found / (found + false_alarms)
    recall = found / (found + missed)
    summary = (
        f"{len(CASES)} cases: {found} errors found, {missed} missed, "
        f"{false_alarms} false alarms on {false_alarms + quiet} correct codings; "
        f"precision {precision:.1%}, recall {recall:.1%}"
    )
    print(summary)
    assert precision == 1.0 and recall == 1.0, summary
