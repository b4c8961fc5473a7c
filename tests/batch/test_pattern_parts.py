"""Every pattern rule keeps its scope's promise (`kodevakt.batch.patterns.registry.Scope`):
split a batch into the parts its scope names (patients, institutions), hand each part's view
the whole batch's totals, and the parts' findings together are the whole batch's findings.
A distributed run (`kodevakt.spark`) relies on exactly that.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import pytest

from kodevakt.batch import batch_view, view_findings
from kodevakt.batch.indicators import UNKNOWN
from kodevakt.batch.patterns.registry import PATTERN_RULES, PatternRule, Scope
from kodevakt.batch.periods import episode_tertial
from kodevakt.batch.view import BatchView
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.synth import generate
from tests.batch.test_patterns import CASES, Batch
from tests.rules.harness import codebase

PART_OF: dict[Scope, Callable[[Episode], str]] = {
    Scope.PATIENT: lambda episode: episode.patient.id or "",
    Scope.INSTITUTION: lambda episode: episode.institution or UNKNOWN,
}


def parts(view: BatchView, scope: Scope) -> list[BatchView]:
    """The view split by `scope`, each part holding the whole view's totals; a part keeps
    the batch's order, and its patients' previous-period episodes as context."""
    grouped: dict[str, list[tuple[Episode, Sequence[Finding]]]] = {}
    context: dict[str, list[Episode]] = {}
    key = PART_OF[scope]
    for pair in zip(view.episodes, view.findings, strict=True):
        grouped.setdefault(key(pair[0]), []).append(pair)
    for earlier in view.context:
        context.setdefault(key(earlier), []).append(earlier)
    return [
        BatchView(
            pairs,
            view.facts,
            period=view.period,
            context=context.get(part, []),
            drg=view.drg,
            totals=view.totals,
        )
        for part, pairs in grouped.items()
    ]


def _found(findings: list[Finding]) -> list[str]:
    return sorted(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) for f in findings)


def _compare(episodes: Any, options: dict[str, Any], rules: list[PatternRule]) -> int:
    whole = batch_view(episodes, base=codebase(), **options)
    expected = view_findings(whole, rules)
    for rule in rules:
        found = [f for part in parts(whole, rule.scope) for f in view_findings(part, [rule])]
        assert _found(found) == _found([f for f in expected if f.rule == rule.code]), rule.code
    return len(expected)


@cache
def _synthetic() -> Batch:
    """Two tertials of synthetic episodes, checked: the later one with the earlier as
    previous period."""
    checker = Checker(codebase())
    by_tertial: dict[str, list[tuple[Episode, list[Finding]]]] = {}
    for i, record in enumerate(generate(6000, seed=11, year=2025), start=1):
        episode = episode_from_dict(record, Source("synth", i))
        assert isinstance(episode, Episode)
        tertial = episode_tertial(episode)
        assert tertial is not None
        by_tertial.setdefault(tertial.label, []).append((episode, checker.check_episode(episode)))
    return by_tertial["2025T2"], {"period": "2025T2", "previous": by_tertial["2025T1"]}


@pytest.mark.parametrize("code", sorted(CASES))
def test_parts_give_the_findings_of_the_whole_batch(code: str) -> None:
    [rule] = [r for r in PATTERN_RULES.listed() if r.code == code]
    episodes, options = CASES[code][0]()
    assert _compare(episodes, options, [rule])


def test_parts_of_a_synthetic_batch_give_its_findings() -> None:
    episodes, options = _synthetic()
    assert _compare(episodes, options, PATTERN_RULES.listed()) > 20


def test_a_part_without_the_totals_judges_only_itself() -> None:
    """Without the whole batch's totals a part is a batch of its own: the other parts'
    units are missing from its funnels (here each patient's part holds one episode, of one
    unit). The totals are what make the parts agree."""
    episodes, options = CASES["M04"][0]()
    whole = batch_view(episodes, base=codebase(), **options)
    [rule] = [r for r in PATTERN_RULES.listed() if r.code == "M04"]
    assert view_findings(whole, [rule])
    alone = [
        BatchView(zip(part.episodes, part.findings, strict=True), whole.facts)
        for part in parts(whole, Scope.PATIENT)
    ]
    assert all(not view_findings(part, [rule]) for part in alone)
