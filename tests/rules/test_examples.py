"""Every rule's documented examples, run against the rule; and what each rule declares.

The examples are the data docs/rules.md renders (kodevakt/rules/examples/*.toml and
kodevakt/batch/patterns/M.toml), so an example in the docs that disagrees with its rule fails
here. A firing example states the severity, codes and fix the rule answers with; one that
states no fix holds the rule to returning none. `fixable` is checked against what the rules
return, on the examples, on the fixture cases and on synthetic episodes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files

import pytest
from typer.testing import CliRunner

from kodevakt.batch import run_patterns
from kodevakt.batch.catalogue import (
    _first_codes,
    all_rules,
    examples_of,
    find_rule,
    rules_markdown,
)
from kodevakt.batch.patterns.registry import PATTERN_RULES, PatternRule
from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules.engine import Checker
from kodevakt.rules.examples import BatchExample, EpisodeExample
from kodevakt.rules.finding import Finding, Severity
from kodevakt.rules.registry import (
    EPISODE_RULES,
    EXAMPLE_SECTIONS,
    EpisodeRule,
    Registry,
    RuleStatus,
    choose,
    episode_rules,
    rule,
    select,
)
from kodevakt.synth.generator import generate
from tests.rules.harness import run as run_fixture
from tests.rules.test_rule_fixtures import _cases as fixture_cases

RULES = {r.code: r for r in all_rules()}


def _episode_examples() -> list[tuple[EpisodeRule, EpisodeExample]]:
    return [
        (r, e) for r in episode_rules() for e in examples_of(r) if isinstance(e, EpisodeExample)
    ]


def _batch_examples() -> list[tuple[PatternRule, BatchExample]]:
    return [
        (r, e)
        for r in PATTERN_RULES.listed()
        for e in examples_of(r)
        if isinstance(e, BatchExample)
    ]


def _id(pair: tuple[EpisodeRule | PatternRule, EpisodeExample | BatchExample]) -> str:
    registered, example = pair
    index = examples_of(registered).index(example)
    return f"{registered.code}-{index}-{'fires' if example.fires else 'clean'}"


@cache
def _codebase(code_lists: tuple[str, ...] = ()) -> CodeBase:
    folder = files("kodevakt.rules.examples")
    with ExitStack() as stack:
        paths = [stack.enter_context(as_file(folder / name)) for name in code_lists]
        return default_codebase(paths)


def _findings(
    r: EpisodeRule, example: EpisodeExample, episode: Episode | None = None
) -> list[Finding]:
    checker = Checker(_codebase(example.code_lists), [r])
    episode = episode or example.episode.episode()
    if example.copies > 1:
        return list(checker.check([episode] * example.copies))
    return checker.check_episode(episode, example.episode.history_episodes() or None)


def _codes(findings: list[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code for f in findings for code in f.codes))


@pytest.mark.parametrize(("r", "example"), _episode_examples(), ids=map(_id, _episode_examples()))
def test_episode_rule_example(r: EpisodeRule, example: EpisodeExample) -> None:
    found = _findings(r, example)
    assert bool(found) is example.fires, [f.message for f in found]
    if not example.fires:
        return
    assert {f.severity for f in found} == {example.severity or r.severity}
    if example.codes is not None:
        assert _codes(found) == example.codes
    fixes = [f.fix for f in found if f.fix is not None]
    if example.fix is None:
        assert not fixes, f"{r.code} returns a fix its example does not state"
        return
    assert fixes and fixes[0] == example.fix
    finding = next(f for f in found if f.fix is not None)
    episode = example.episode.episode()
    after = _findings(r, example, example.fix.apply(episode))
    assert (finding.codes, finding.message) not in {(f.codes, f.message) for f in after}, (
        f"{r.code}: the fix leaves its own finding"
    )


@pytest.mark.parametrize(("r", "example"), _batch_examples(), ids=map(_id, _batch_examples()))
def test_pattern_rule_example(r: PatternRule, example: BatchExample) -> None:
    base = _codebase()
    batch = [(episode, []) for episode in example.batch()]
    previous = [(episode, []) for episode in example.previous_batch()] or None
    found = run_patterns(batch, example.period, previous, base=base, rules=[r])
    assert bool(found) is example.fires, [f.message for f in found]
    if example.fires:
        assert {f.severity for f in found} == {example.severity or r.severity}
        if example.codes is not None:
            assert _codes(found) == example.codes
    assert all(f.fix is None for f in found)  # no pattern rule is fixable


def test_every_rule_has_a_firing_and_a_clean_example() -> None:
    missing = [
        r.code
        for r in all_rules()
        if r.status is not RuleStatus.REMOVED and {e.fires for e in examples_of(r)} != {True, False}
    ]
    assert not missing, f"rules without both a firing and a clean example: {missing}"


def test_examples_name_registered_rules_of_their_kind() -> None:
    assert EPISODE_RULES.example_codes() <= {r.code for r in episode_rules()}
    assert PATTERN_RULES.example_codes() <= {r.code for r in PATTERN_RULES.listed()}


def test_docs_render_every_example() -> None:
    markdown = rules_markdown()
    for r in all_rules():
        section = markdown.split(f"\n### {r.code}\n")[1].split("\n### ")[0]
        for example in examples_of(r):
            assert example.describe() in section, (r.code, example.describe())


def test_docstrings_leave_the_examples_to_the_data() -> None:
    """A coding written in a docstring is untested; the examples belong in the data files."""
    for r in all_rules():
        for section in EXAMPLE_SECTIONS:
            assert section not in r.doc, f"{r.code}: {section} belongs in the examples data"


# --- fixable ------------------------------------------------------------------------------


def test_fixable_rules_show_their_fix_and_others_never_state_one() -> None:
    for r in all_rules():
        stated = [e for e in examples_of(r) if e.fix is not None]
        if r.fixable:
            assert stated, f"{r.code} is declared fixable but no example shows its fix"
        else:
            assert not stated, f"{r.code} is not declared fixable but an example states a fix"


def test_no_rule_returns_a_fix_it_does_not_declare_on_the_fixture_cases() -> None:
    fixed: set[str] = set()
    for rule_code, case in fixture_cases():
        for finding in run_fixture(case["episode"], rule_code):
            if finding.fix is not None:
                assert RULES[finding.rule].fixable, (rule_code, case["name"])
                fixed.add(finding.rule)
    assert len(fixed) >= 15


def test_no_rule_returns_a_fix_it_does_not_declare_on_synthetic_episodes() -> None:
    checker = Checker(_codebase())
    fixed: set[str] = set()
    for year in (2019, 2025):
        for raw in generate(800, seed=5, year=year, error_rate=0.5):
            episode = episode_from_dict(raw, Source("<synth>", 1))
            assert isinstance(episode, Episode)
            for finding in checker.check_episode(episode):
                if finding.fix is not None:
                    assert RULES[finding.rule].fixable, (finding.rule, episode.conditions)
                    fixed.add(finding.rule)
    assert {"K04", "T02", "T05", "T10"} <= fixed


def test_every_rule_declares_fixable() -> None:
    with pytest.raises(TypeError, match="fixable"):
        rule("Z99", "no-declaration", Severity.INFO, title="t", source="s")  # type: ignore[call-arg]


# --- aliases ------------------------------------------------------------------------------


def _renumbered(code: str, new: str) -> EpisodeRule:
    """The registered rule `code` as if the rulebook had renumbered it `new`."""
    registered = EPISODE_RULES.get(code)
    assert registered is not None
    return dataclasses.replace(registered, code=new, aliases=(code,))


def test_selection_by_an_old_code_reaches_the_renumbered_rule() -> None:
    moved = _renumbered("T26", "T40")
    others = [r for r in episode_rules() if r.code != "T26"]
    rules = [*others, moved]
    assert choose(rules, ["T26"], preview=False) == [moved]
    assert moved not in choose(rules, ["T"], ["T26"], preview=False)
    assert moved in choose(rules, ["T"], ["T2"], preview=False)  # an alias is not a prefix
    assert choose(rules, ["T40"], preview=False) == [moved]


def test_registry_finds_a_rule_by_its_old_code_and_never_reuses_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Registry, "_codes", set())
    registry: Registry[EpisodeRule] = Registry(files("kodevakt.rules.examples"))
    moved = _renumbered("T26", "T40")
    registry.add(moved)
    assert registry.get("T26") is moved and registry.get("T40") is moved
    assert registry.get("T41") is None
    with pytest.raises(ValueError, match="T26"):
        registry.add(dataclasses.replace(moved, code="T26", aliases=()))


@pytest.fixture
def t26_renumbered(monkeypatch: pytest.MonkeyPatch) -> Iterator[EpisodeRule]:
    """The live registry with T26 renumbered T40 (its old code T26 an alias)."""
    moved = _renumbered("T26", "T40")
    monkeypatch.delitem(EPISODE_RULES._rules, "T26")
    monkeypatch.setitem(EPISODE_RULES._rules, "T40", moved)
    monkeypatch.setitem(EPISODE_RULES._aliases, "T26", "T40")
    _first_codes.cache_clear()
    yield moved
    _first_codes.cache_clear()


def test_check_select_and_ignore_take_an_old_code(t26_renumbered: EpisodeRule) -> None:
    assert select(["T26"]) == [t26_renumbered]
    assert t26_renumbered not in select(["T"], ["T26"])
    from kodevakt.cli import app

    runner = CliRunner()
    conditions = "I21.4a; T81.8; Y84.0; j12,8"
    result = runner.invoke(app, ["check", "-c", conditions, "--select", "t26", "-f", "json"])
    assert {f["rule"] for f in _json(result.stdout)} == {"T40"}
    result = runner.invoke(app, ["check", "-c", conditions, "--ignore", "T26", "-f", "json"])
    assert "T40" not in {f["rule"] for f in _json(result.stdout)}


def test_rules_command_and_lookup_take_an_old_code(t26_renumbered: EpisodeRule) -> None:
    from kodevakt.cli import app

    assert find_rule("T26") is t26_renumbered
    result = CliRunner().invoke(app, ["rules", "T26", "--format", "json"])
    [shown] = _json(result.stdout)
    assert (shown["code"], shown["aliases"]) == ("T40", ["T26"])
    assert "Formerly: T26" in rules_markdown()


def test_a_renumbered_rule_keeps_the_identity_of_its_stored_findings(
    t26_renumbered: EpisodeRule,
) -> None:
    """The stored finding's key, under which its status lives, does not change."""
    from kodevakt.storage.findings import finding_key

    example = EPISODE_RULES.examples("T26")[0]  # the data still names it T26
    assert isinstance(example, EpisodeExample) and example.fires
    [stored] = _findings(t26_renumbered, example)
    assert stored.rule == "T40"
    before = stored._replace(rule="T26")  # as an import before the renumbering stored it
    assert finding_key("2025T1", "HF1", stored) == finding_key("2025T1", "HF1", before)
    other = stored._replace(rule="T25")
    assert finding_key("2025T1", "HF1", other) != finding_key("2025T1", "HF1", before)


def _json(text: str) -> list[dict[str, object]]:
    parsed = json.loads(text)
    assert isinstance(parsed, list)
    return parsed
