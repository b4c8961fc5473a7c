"""The shared acceptance cases (copied from ../shared/acceptance/rules into tests/acceptance)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules.engine import Checker
from kodevakt.rules.registry import select
from tests.rules.harness import codebase

CASES = sorted((Path(__file__).parent / "acceptance" / "rules").glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_acceptance_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    episode = episode_from_dict(case["episode"], Source(path.name, 1))
    assert isinstance(episode, Episode)
    findings = Checker(codebase(), select()).check_episode(episode)
    got = {(f.rule, f.severity.value) for f in findings}
    rules = {rule for rule, _ in got}
    expect = case["expect"]
    assert set(expect.get("flags", [])) <= rules, f"missing {set(expect['flags']) - rules}"
    assert not set(expect.get("not_flags", [])) & rules, "unexpected rule fired"
    for rule, severity in expect.get("severity", {}).items():
        assert (rule, severity) in got
    if expect.get("clean"):
        assert not [g for g in got if g[1] in ("error", "warning")], [
            (f.rule, f.message) for f in findings
        ]
