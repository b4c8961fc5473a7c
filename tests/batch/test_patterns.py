"""Every pattern rule (M01–M07) on a constructed multi-episode batch that must fire and one that
must not, plus a meta-test that no batch rule lacks either (the per-episode fixtures in
tests/rules/fixtures skip batch rules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kodevakt.batch import compute_indicators, drg_lookup, run_patterns
from kodevakt.batch.patterns.common import pct
from kodevakt.batch.patterns.registry import PATTERN_RULES, PatternRule
from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Finding
from kodevakt.rules.registry import DOC_SECTIONS, EpisodeRule, RuleStatus, episode_rules
from tests.batch.helpers import episode, pairs
from tests.rules.harness import ROOT, codebase

Batch = tuple[list[tuple[Episode, list[Finding]]], dict[str, Any]]


def run(code: str, batch: Batch) -> list[Finding]:
    episodes, options = batch
    rules = [r for r in PATTERN_RULES.listed() if r.code == code]
    return run_patterns(episodes, base=codebase(), rules=rules, **options)


def stay(episode_id: str, admission: str, discharge: str, **spec: Any) -> Episode:
    spec.setdefault("patient_id", "p1")
    return episode(episode_id, admission=admission, discharge=discharge, **spec)


# --- M01 split stay ---------------------------------------------------------------------------
def m01_fires() -> Batch:
    return pairs(
        stay("e1", "2025-03-01T10:00", "2025-03-04T12:00", conditions="J18.9"),
        stay("e2", "2025-03-04T20:00", "2025-03-06T12:00", conditions="J18.1; I10"),
        stay("other", "2025-03-04T20:00", "2025-03-06T12:00", conditions="J18.1", patient_id="p2"),
    ), {}


def m01_silent() -> Batch:
    return pairs(
        stay("e1", "2025-03-01T10:00", "2025-03-04T12:00", conditions="J18.9"),
        # 30 hours later
        stay("e2", "2025-03-05T18:00", "2025-03-07T12:00", conditions="J18.1"),
        # within 24 h, but another main condition
        stay("e3", "2025-03-07T20:00", "2025-03-09T12:00", conditions="I10"),
        # within 24 h at another institution
        stay("e4", "2025-03-09T20:00", "2025-03-10T12:00", conditions="I10", institution="HF2"),
        # within 24 h, outpatient
        stay(
            "e5", "2025-03-10T14:00", "2025-03-10T15:00", conditions="I10", care_level="outpatient"
        ),
    ), {}


def test_m01_names_both_stays() -> None:
    (found,) = run("M01", m01_fires())
    assert found.episode_id == "e2"
    assert found.location == "episodes[e1]"
    assert found.codes == ("J18.9", "J18.1")
    assert "8 timer" in found.message and "J18" in found.message
    assert found.severity.value == "warning" and found.suggestion


def test_m01_same_drg_when_definitions_are_given() -> None:
    episodes = pairs(
        stay("e1", "2025-03-01T10:00", "2025-03-04T12:00", conditions="J18.9"),
        stay("e2", "2025-03-04T20:00", "2025-03-06T12:00", conditions="J44.1"),
    )
    drgs = {"e1": "88", "e2": "88"}
    (found,) = run("M01", (episodes, {"drg": lambda e: drgs[e.id]}))
    assert "samme DRG 88" in found.message
    drgs.update(e1="470", e2="470")  # not groupable: says nothing
    assert run("M01", (episodes, {"drg": lambda e: drgs[e.id]})) == []
    assert run("M01", (episodes, {})) == []


def test_m01_across_the_period_boundary_belongs_to_the_new_batch() -> None:
    before = pairs(stay("e1", "2025-04-27T10:00", "2025-04-30T22:00", conditions="J18.9"))
    after = pairs(stay("e2", "2025-05-01T08:00", "2025-05-03T12:00", conditions="J18.1"))
    (found,) = run("M01", (after, {"period": "2025T2", "previous": before}))
    assert (found.episode_id, found.location) == ("e2", "episodes[e1]")
    assert run("M01", (before, {"period": "2025T1"})) == []


# --- M02 transfer pair ------------------------------------------------------------------------
def m02_fires() -> Batch:
    return pairs(
        stay("e1", "2025-03-01T10:00", "2025-03-04T10:00", conditions="S72.0", procedures="NFJ42"),
        stay("e2", "2025-03-04T15:00", "2025-03-12T12:00", conditions="S72.0", institution="HF2"),
    ), {}


def m02_silent() -> Batch:
    return pairs(
        stay("e1", "2025-03-01T10:00", "2025-03-04T10:00", conditions="S72.0"),
        # the next day
        stay("e2", "2025-03-05T09:00", "2025-03-12T12:00", conditions="Z47.8", institution="HF2"),
        # same day, same institution (M01's business)
        stay("e3", "2025-03-12T15:00", "2025-03-14T12:00", conditions="Z47.8", institution="HF2"),
        # same day, an outpatient contact elsewhere
        stay(
            "e4",
            "2025-03-14T14:00",
            "2025-03-14T15:00",
            conditions="Z47.8",
            care_level="outpatient",
        ),
    ), {}


def test_m02_suggests_aftercare_when_the_main_condition_repeats() -> None:
    (found,) = run("M02", m02_fires())
    assert (found.episode_id, found.location) == ("e2", "episodes[e1]")
    assert "HF1" in found.message and "HF2" in found.message and "§2.4" in found.message
    assert "overført fra mangler" in found.message
    assert found.suggestion and "Z42–Z48" in found.suggestion


# --- M03 short elective stay in a day-care group ---------------------------------------------
def _day_group(inpatient: int, day: int, *, nights: int = 1, urgency: str = "elective") -> Batch:
    episodes = [
        episode(
            f"d{i}",
            patient_id=f"d{i}",
            conditions="K80.2",
            procedures="JKA21",
            care_level="day",
            urgency="elective",
            admission="2025-03-03T08:00",
            discharge="2025-03-03T15:00",
        )
        for i in range(day)
    ]
    episodes += [
        episode(
            f"i{i}",
            patient_id=f"i{i}",
            conditions="K80.2",
            procedures="JKA21",
            urgency=urgency,
            admission="2025-03-03T08:00",
            discharge=f"2025-03-{3 + nights:02d}T10:00",
        )
        for i in range(inpatient)
    ]
    return pairs(*episodes), {}


def m03_fires() -> Batch:
    return _day_group(inpatient=1, day=9)


def m03_silent() -> Batch:
    return _day_group(inpatient=8, day=3)  # mostly inpatient: not a day-care group


def test_m03_message_and_other_silent_cases() -> None:
    (found,) = run("M03", m03_fires())
    assert found.episode_id == "i0" and found.location == "group[procedure=JKA21]"
    assert "9 av 10" in found.message and "én overnatting" in found.message
    assert run("M03", _day_group(inpatient=1, day=9, nights=2)) == []
    assert run("M03", _day_group(inpatient=1, day=9, urgency="acute")) == []
    assert run("M03", _day_group(inpatient=1, day=5)) == []  # 6 episodes: too few to judge


# --- M04 deviating practice -------------------------------------------------------------------
def _departments(r_codes_in_a: int) -> list[Episode]:
    episodes = []
    for department, total, r_codes in (("A", 60, r_codes_in_a), ("B", 200, 10), ("C", 200, 10)):
        for i in range(total):
            episodes.append(
                episode(
                    f"{department}{i}",
                    patient_id=f"{department}{i}",
                    department=department,
                    conditions="R10.4" if i < r_codes else "I10",
                )
            )
    return episodes


def m04_fires() -> Batch:
    return pairs(*_departments(30)), {"period": "2025T1"}


def m04_silent() -> Batch:
    return pairs(*_departments(6)), {"period": "2025T1"}


def test_m04_one_finding_for_the_unit_naming_the_episodes_behind_the_value() -> None:
    [found] = run("M04", m04_fires())
    assert found.about_unit and found.episode_id == ""
    assert found.episodes == tuple(f"A{i}" for i in range(30))
    assert found.location == "department[HF1/A].main_symptom_code@2025T1"
    assert found.codes == ()  # the key stays the same when the codes behind it shift
    assert "50,0 % (30 av 60 hovedtilstander)" in found.message
    assert "over 99,8 %-grensen" in found.message and "3 avdelinger" in found.message
    assert "30 episoder bidrar (vanligste koder: R10.4 (30))." in found.message
    assert found.to_dict()["episodes"][:2] == ["A0", "A1"]


def test_m04_against_a_reference_value() -> None:
    episodes, options = m04_silent()
    found = run("M04", (episodes, {**options, "targets": {"main_symptom_code": 0.01}}))
    assert {f.location.split(".")[0] for f in found} == {
        "institution[HF1]",
        "department[HF1/A]",
        "department[HF1/B]",
        "department[HF1/C]",
    }
    assert "referanseverdien 1,0 %" in found[0].message


# --- M05 change in practice -------------------------------------------------------------------
def _tertial(prefix: str, day: str, unspecific: int) -> list[tuple[Episode, list[Finding]]]:
    return pairs(
        *[
            episode(
                f"{prefix}{i}",
                patient_id=f"{prefix}{i}",
                conditions="J18.9" if i < unspecific else "J18.1",
                admission=f"{day}T08:00",
                discharge=f"{day}T20:00",
            )
            for i in range(100)
        ]
    )


def m05_fires() -> Batch:
    previous = _tertial("old", "2024-10-01", 5)
    return _tertial("new", "2025-02-01", 30), {"period": "2025T1", "previous": previous}


def m05_silent() -> Batch:
    previous = _tertial("old", "2024-10-01", 5)
    return _tertial("new", "2025-02-01", 8), {"period": "2025T1", "previous": previous}


def test_m05_names_both_periods_and_the_statistic() -> None:
    # HF1 has one department, so only the department is reported
    [found] = run("M05", m05_fires())
    assert found.episodes == tuple(f"new{i}" for i in range(30))
    assert found.location == "department[HF1/MED].main_unspecific@2024T3..2025T1"
    message = found.message
    assert "fra 5,0 % (5 av 100 hovedtilstander) i 2024T3 til 30,0 % (30 av 100" in message
    assert "z = 4,7" in message


def test_m05_with_previous_indicator_values_or_within_one_batch() -> None:
    previous = _tertial("old", "2024-10-01", 5)
    current = _tertial("new", "2025-02-01", 30)
    values = compute_indicators(previous, "2024T3", base=codebase())
    [found] = run("M05", (current, {"period": "2025T1", "previous": values}))
    assert len(found.episodes) == 30
    [both] = run("M05", (previous + current, {}))
    assert both.episodes == tuple(f"new{i}" for i in range(30))
    not_consecutive = _tertial("new", "2025-06-01", 30)  # 2024T3 → 2025T2
    assert run("M05", (previous + not_consecutive, {})) == []


# --- M06 several outpatient contacts the same day ---------------------------------------------
def _contact(episode_id: str, start: str, **spec: Any) -> Episode:
    spec.setdefault("patient_id", "p1")
    spec.setdefault("conditions", "I10")
    return episode(episode_id, care_level="outpatient", admission=start, discharge=start, **spec)


def m06_fires() -> Batch:
    return pairs(
        _contact("e1", "2025-03-03T09:00"),
        _contact("e2", "2025-03-03T11:00", department="KIR"),
        _contact("e3", "2025-03-03T13:00"),
    ), {}


def m06_silent() -> Batch:
    return pairs(
        _contact("e1", "2025-03-03T09:00"),
        _contact("e2", "2025-03-04T09:00"),  # next day
        _contact("e3", "2025-03-04T11:00", institution="HF2"),  # other institution
        _contact("e4", "2025-03-04T11:00", patient_id="p2"),  # other patient
        stay("e5", "2025-03-03T14:00", "2025-03-05T10:00", conditions="I10"),  # inpatient
    ), {}


def test_m06_one_finding_per_extra_contact() -> None:
    found = run("M06", m06_fires())
    assert [(f.episode_id, f.location) for f in found] == [
        ("e2", "episodes[e1,e3]"),
        ("e3", "episodes[e1,e2]"),
    ]
    assert "3 polikliniske kontakter" in found[0].message
    assert "avdeling KIR, MED" in found[0].message


def test_m06_ignores_a_repeated_episode_id() -> None:
    contact = _contact("e1", "2025-03-03T09:00")
    assert run("M06", (pairs(contact, contact), {})) == []


# --- M07 unusual code use ---------------------------------------------------------------------
def _outpatients(institution: str, total: int, z03: int) -> list[Episode]:
    return [
        _contact(
            f"{institution}-{i}",
            "2025-03-03T09:00",
            patient_id=f"{institution}-{i}",
            institution=institution,
            conditions="Z03.8" if i < z03 else "I10",
        )
        for i in range(total)
    ]


def m07_fires() -> Batch:
    return pairs(*_outpatients("HF1", 40, 10), *_outpatients("HF2", 100, 1)), {}


def m07_silent() -> Batch:
    return pairs(*_outpatients("HF1", 40, 2), *_outpatients("HF2", 100, 4)), {}


def test_m07_main_condition_per_institution() -> None:
    [first] = run("M07", m07_fires())
    assert first.episodes == tuple(f"HF1-{i}" for i in range(10))
    assert first.codes == ("Z03.8",)
    assert first.location == "institution[HF1].main_condition[Z03.8]@2025T1/outpatient"
    assert "25,0 % av de polikliniske kontaktene ved HF1 (10 av 40)" in first.message
    assert "25,0 ganger så høy andel" in first.message


def test_m07_condition_with_main_procedure() -> None:
    episodes = []
    for institution, total, back_pain in (("HF1", 15, 12), ("HF2", 40, 3)):
        for i in range(total):
            episodes.append(
                episode(
                    f"{institution}-{i}",
                    patient_id=f"{institution}-{i}",
                    institution=institution,
                    department="ORT",
                    care_level="day",
                    conditions="M54.5" if i < back_pain else "M51.1",
                    procedures="NAG49",
                )
            )
    found = run("M07", (pairs(*episodes), {}))
    [combination] = [f for f in found if "procedure[NAG49]" in f.location]
    assert combination.episodes == tuple(f"HF1-{i}" for i in range(12))
    assert combination.location == "department[HF1/ORT].procedure[NAG49].main_category[M54]@2025T1"
    assert combination.codes == ("M54", "NAG49")


# --- registry of cases and meta-tests ---------------------------------------------------------
CASES: dict[str, tuple[Callable[[], Batch], Callable[[], Batch]]] = {
    "M01": (m01_fires, m01_silent),
    "M02": (m02_fires, m02_silent),
    "M03": (m03_fires, m03_silent),
    "M04": (m04_fires, m04_silent),
    "M05": (m05_fires, m05_silent),
    "M06": (m06_fires, m06_silent),
    "M07": (m07_fires, m07_silent),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_its_positive_case(code: str) -> None:
    found = run(code, CASES[code][0]())
    assert found, f"{code} should fire"
    registered = {r.code: r for r in PATTERN_RULES.listed()}[code]
    for finding in found:
        assert finding.rule == code and finding.name == registered.name
        assert finding.message and finding.source and finding.location
        assert finding.severity is registered.severity
        assert finding.rule_year == 2025
        assert finding.to_dict()["episode_id"] == finding.episode_id


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_silent_on_its_negative_case(code: str) -> None:
    assert run(code, CASES[code][1]()) == []


def test_every_pattern_rule_has_positive_and_negative_cases() -> None:
    pattern_rules = PATTERN_RULES.listed()
    assert {r.code for r in pattern_rules if r.status is not RuleStatus.REMOVED} == set(CASES)
    for r in pattern_rules:
        assert all(section in r.doc for section in DOC_SECTIONS), r.code


def test_rule_kinds_are_types_with_separate_registries() -> None:
    """The M family is all pattern rules and only pattern rules (the per-episode `Checker` is
    handed episode rules only, so no pattern rule can reach it)."""
    assert all(isinstance(r, PatternRule) and r.family == "M" for r in PATTERN_RULES.listed())
    assert all(isinstance(r, EpisodeRule) and r.family != "M" for r in episode_rules())


def test_run_patterns_runs_every_pattern_rule_by_default() -> None:
    episodes, _ = m06_fires()
    more, _ = m01_fires()
    found = run_patterns(episodes + more, base=codebase())
    assert {f.rule for f in found} == {"M01", "M06"}


def test_drg_lookup_groups_with_the_given_tables() -> None:
    tables = ROOT / "tests" / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
    lookup = drg_lookup(tables)
    assert lookup(episode("a", conditions="A01", year=2020)) == "11"
    assert lookup(episode("b", conditions="J18.9", year=2025)) is None  # no 2025 tables


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.1834, "18,3 %"), (0.01, "1,0 %"), (0.0099, "0,99 %"), (0.00035, "0,035 %"), (0, "0,0 %")],
)
def test_shares_below_one_percent_keep_two_significant_digits(share: float, text: str) -> None:
    """A rare code's share elsewhere (2 of 110,872) must not read as 0,0 % in a message."""
    assert pct(share) == text
