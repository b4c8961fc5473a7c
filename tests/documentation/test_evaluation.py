"""The annotated set (tests/documentation/texts): the issue's targets, per kind of case.

The set is the project's own: short discharge summaries written for the purpose, each with
the expected main condition and codes and the certainty of what else it mentions (format in
kodevakt/documentation/evaluation.py). `bench/text.py` prints the same measures per kind.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kodevakt.documentation import default_reader
from kodevakt.documentation.context import Certainty
from kodevakt.documentation.evaluation import Case, Result, evaluate, load_cases

TEXTS = Path(__file__).parent / "texts"
KINDS = {
    "pneumonia",
    "copd",
    "heart_failure",
    "mi_pci",
    "stroke",
    "hip_fracture",
    "sepsis",
    "cancer",
    "childbirth",
    "day_surgery",
}


@cache
def cases() -> tuple[Case, ...]:
    return tuple(load_cases(TEXTS))


@cache
def result() -> Result:
    return evaluate(default_reader(), cases())


def test_the_set_is_large_and_covers_every_kind_and_certainty() -> None:
    assert len(cases()) >= 150
    assert len({case.id for case in cases()}) == len(cases())
    assert {case.kind for case in cases()} >= KINDS
    certainties = {certainty for case in cases() for _, certainty in case.mentions}
    assert certainties == {
        Certainty.NEGATED,
        Certainty.UNCERTAIN,
        Certainty.HISTORY,
        Certainty.FAMILY,
    }


def test_main_condition_right_in_at_least_80_percent() -> None:
    assert result().total.main_accuracy >= 0.80, result().errors


def test_code_recall_at_least_85_percent_at_precision_at_least_80_percent() -> None:
    total = result().total
    assert total.recall >= 0.85, result().errors
    assert total.precision >= 0.80, result().errors


def test_no_negated_condition_is_proposed_as_affirmed() -> None:
    assert result().total.negated_coded == 0


def test_every_kind_of_case_meets_the_main_condition_target() -> None:
    weak = {kind: t.main_accuracy for kind, t in result().by_kind.items() if t.main_accuracy < 0.8}
    assert not weak


def test_errors_name_ids_and_codes_never_text() -> None:
    texts = [case.text for case in cases()]
    for line in result().errors:
        assert not any(len(text) > 40 and text[:40] in line for text in texts)
