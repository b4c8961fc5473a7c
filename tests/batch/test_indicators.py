"""Indicator values on a small constructed batch, per unit kind and period."""

from __future__ import annotations

import pytest

from kodevakt.batch.indicators import (
    INDICATORS,
    IndicatorKind,
    IndicatorValue,
    UnitKind,
    compute_indicators,
    is_clinically_uncertain,
)
from kodevakt.rules.finding import Severity
from tests.batch.helpers import episode, finding
from tests.rules.harness import codebase

T1 = {"admission": "2025-03-03T10:00", "discharge": "2025-03-05T12:00"}


def _batch() -> list:
    med = {"institution": "HF1", "department": "MED", **T1}
    kir = {"institution": "HF1", "department": "KIR", **T1}
    e1 = episode("e1", conditions="R10.4; I10", **med)
    e2 = episode("e2", conditions="E10.3+H36.0; I10; J18.9", procedures="JKA21", **med)
    e3 = episode("e3", conditions="J18.9", care_level="outpatient", **med)
    e4 = episode("e4", conditions="D48.01; D48.00", procedures="JKA21", **med)
    e5 = episode("e5", conditions="Z47.8", procedures="NAG49", **kir)
    e6 = episode("e6", conditions="H36.0+E10.3", **kir)
    e7 = episode(
        "e7",
        conditions="R10.4",
        care_level="day",
        institution="HF2",
        department="MED",
        admission="2025-05-05T08:00",
        discharge="2025-05-05T15:00",
    )
    return [
        (e1, [finding("e1", "K01")]),
        (e2, [finding("e2", "T03", Severity.WARNING)]),
        (e3, [finding("e3", "T13", Severity.INFO)]),
        (e4, []),
        (e5, []),
        (e6, [finding("e6", "T02")]),
        (e7, []),
    ]


def _table(values: list[IndicatorValue], kind: UnitKind, unit: str, period: str) -> dict:
    return {
        v.indicator: (v.numerator, v.denominator)
        for v in values
        if v.unit_kind is kind and v.unit == unit and v.period == period
    }


def test_indicators_of_the_whole_first_tertial() -> None:
    values = compute_indicators(_batch(), base=codebase())
    assert _table(values, UnitKind.TOTAL, "alle", "2025T1") == {
        "episodes_with_error": (2, 6),  # e1 K01, e6 T02
        "main_symptom_code": (1, 6),  # R10.4
        "main_z_code": (1, 6),  # Z47.8
        "main_unspecific": (1, 6),  # J18.9
        "dagger_asterisk_errors": (2, 2),  # e2 T03, e6 T02; both have H36.0
        "other_conditions_mean": (4, 5),  # inpatient 1 + 2 + 1 + 0 + 0
        "inpatient_without_procedure": (2, 5),  # e1, e6
        "multiple_coding_groups": (2, 4),  # e2, e6 grouped; e1, e4 two codes ungrouped
        "uncertain_neoplasm_clinical": (1, 1),  # D48.01
    }


def test_mean_has_value_and_spread() -> None:
    values = compute_indicators(_batch(), base=codebase())
    (mean,) = [
        v
        for v in values
        if v.unit_kind is UnitKind.TOTAL
        and v.indicator == "other_conditions_mean"
        and v.period == "2025T1"
    ]
    assert mean.kind is IndicatorKind.MEAN
    assert mean.value == pytest.approx(0.8)
    # values 1, 2, 1, 0, 0: squared deviations sum to 2.8, sample variance 0.7
    assert mean.spread == pytest.approx(0.7**0.5)
    assert mean.label == "Andre tilstander per døgnopphold"


def test_units_and_periods() -> None:
    values = compute_indicators(_batch(), base=codebase())
    assert _table(values, UnitKind.DEPARTMENT, "HF1/KIR", "2025T1")["episodes_with_error"] == (1, 2)
    assert _table(values, UnitKind.DEPARTMENT, "HF1/MED", "2025T1")["main_unspecific"] == (1, 4)
    assert _table(values, UnitKind.INSTITUTION, "HF1", "2025T1") == _table(
        values, UnitKind.TOTAL, "alle", "2025T1"
    )
    # e7 was discharged in May: tertial 2 at HF2; no inpatient stays there, so no such rows
    assert _table(values, UnitKind.DEPARTMENT, "HF2/MED", "2025T2") == {
        "episodes_with_error": (0, 1),
        "main_symptom_code": (1, 1),
        "main_z_code": (0, 1),
        "main_unspecific": (0, 1),
    }
    hf2 = [v for v in values if v.unit == "HF2/MED"]
    assert {v.institution for v in hf2} == {"HF2"}
    assert {v.period for v in values} == {"2025T1", "2025T2"}


def test_a_given_period_labels_the_whole_batch() -> None:
    values = compute_indicators(_batch(), "2025t1", base=codebase())
    assert {v.period for v in values} == {"2025T1"}
    assert _table(values, UnitKind.TOTAL, "alle", "2025T1")["main_symptom_code"] == (2, 7)
    yearly = compute_indicators(_batch(), "2025", base=codebase())
    assert {v.period for v in yearly} == {"2025"}


def test_values_are_plain_and_ordered() -> None:
    values = compute_indicators(_batch(), base=codebase())
    first = values[0]
    assert (first.unit_kind, first.unit, first.period, first.indicator) == (
        UnitKind.TOTAL,
        "alle",
        "2025T1",
        "episodes_with_error",
    )
    assert first.value == pytest.approx(2 / 6) and first.label == "Andel episoder med feil"
    assert [i.key for i in INDICATORS][:2] == ["episodes_with_error", "main_symptom_code"]
    assert all(i.label and i.description and i.denominator for i in INDICATORS)


def test_episode_without_institution_or_department() -> None:
    bare = episode("b1", conditions="I10", institution=None, department=None, **T1)
    bare.department = None
    values = compute_indicators([(bare, [])], base=codebase())
    units = {(v.unit_kind, v.unit, v.institution) for v in values}
    assert units == {
        (UnitKind.TOTAL, "alle", None),
        (UnitKind.INSTITUTION, "ukjent", None),
        (UnitKind.DEPARTMENT, "ukjent", None),
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [("D37.01", True), ("D48.01", True), ("D37.00", False), ("D37.0", False), ("C50.91", False)],
)
def test_clinically_uncertain(code: str, expected: bool) -> None:
    assert is_clinically_uncertain(code) is expected
