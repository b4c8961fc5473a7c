"""The documentation rules' examples (kodevakt/documentation/D.toml), run against the rules."""

from __future__ import annotations

from functools import cache

import pytest

from kodevakt.codes.loading import default_codebase
from kodevakt.documentation.checker import DocumentedChecker
from kodevakt.documentation.registry import DOCUMENT_RULES, DocumentRule, document_rules
from kodevakt.rules.examples import EpisodeExample
from kodevakt.rules.finding import Finding


@cache
def _checker(code: str) -> DocumentedChecker:
    registered = DOCUMENT_RULES.get(code)
    assert registered is not None
    return DocumentedChecker(default_codebase(), [], [registered])


def _examples() -> list[tuple[DocumentRule, EpisodeExample]]:
    return [
        (r, e)
        for r in document_rules()
        for e in DOCUMENT_RULES.examples(r.code)
        if isinstance(e, EpisodeExample)
    ]


def _id(pair: tuple[DocumentRule, EpisodeExample]) -> str:
    registered, example = pair
    index = DOCUMENT_RULES.examples(registered.code).index(example)
    return f"{registered.code}-{index}-{'fires' if example.fires else 'clean'}"


def _codes(findings: list[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for f in findings for code in f.codes))


@pytest.mark.parametrize(("r", "example"), _examples(), ids=map(_id, _examples()))
def test_documentation_rule_example(r: DocumentRule, example: EpisodeExample) -> None:
    found = _checker(r.code).check_episode(example.episode.episode())
    assert bool(found) is example.fires, [f.message for f in found]
    if example.fires:
        assert {f.severity for f in found} == {example.severity or r.severity}
        if example.codes is not None:
            assert _codes(found) == example.codes
        for finding in found:
            assert "«" in finding.message or r.code == "D07"  # each finding quotes its evidence
    assert all(f.fix is None for f in found)  # no documentation rule is fixable


def test_examples_name_registered_documentation_rules() -> None:
    assert DOCUMENT_RULES.example_codes() == {r.code for r in document_rules()}


def test_without_a_text_no_documentation_rule_runs() -> None:
    example = DOCUMENT_RULES.examples("D01")[0]
    assert isinstance(example, EpisodeExample)
    episode = example.episode.episode()
    episode.text = None
    assert not _checker("D01").check_episode(episode)
