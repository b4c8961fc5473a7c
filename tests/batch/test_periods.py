"""Tertials: labels, boundaries, order, and the tertial of an episode."""

from __future__ import annotations

from datetime import date

import pytest

from kodevakt.batch.periods import (
    Tertial,
    consecutive_tertials,
    episode_tertial,
    parse_tertial,
    period_label,
)
from kodevakt.errors import InputError
from tests.rules.harness import episode_from_spec


@pytest.mark.parametrize("text", ["2025T1", "2025t1", "2025-T1", " 2025 T1 ", "2025_T1"])
def test_parse_accepts_common_spellings(text: str) -> None:
    assert Tertial.parse(text) == Tertial(2025, 1)
    assert period_label(text) == "2025T1"


@pytest.mark.parametrize("text", ["2025T4", "2025T0", "T1", "2025", "25T1", "2025Q1", ""])
def test_parse_rejects_other_text(text: str) -> None:
    with pytest.raises(InputError, match="tertial"):
        Tertial.parse(text)
    assert parse_tertial(text) is None


def test_label_months_and_bounds() -> None:
    t1, t2, t3 = Tertial(2025, 1), Tertial(2025, 2), Tertial(2025, 3)
    assert [t.label for t in (t1, t2, t3)] == ["2025T1", "2025T2", "2025T3"]
    assert (t1.start, t1.end) == (date(2025, 1, 1), date(2025, 4, 30))
    assert (t2.start, t2.end) == (date(2025, 5, 1), date(2025, 8, 31))
    assert (t3.start, t3.end) == (date(2025, 9, 1), date(2025, 12, 31))
    assert t1.norwegian == "1. tertial 2025 (januar–april)"
    assert date(2025, 4, 30) in t1 and date(2025, 5, 1) not in t1


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2025, 1, 1), "2025T1"),
        (date(2025, 4, 30), "2025T1"),
        (date(2025, 5, 1), "2025T2"),
        (date(2025, 8, 31), "2025T2"),
        (date(2025, 9, 1), "2025T3"),
        (date(2025, 12, 31), "2025T3"),
    ],
)
def test_tertial_of_a_day(day: date, label: str) -> None:
    assert Tertial.of(day).label == label


def test_order_previous_and_next_cross_the_year() -> None:
    assert Tertial(2025, 1).previous() == Tertial(2024, 3)
    assert Tertial(2024, 3).next() == Tertial(2025, 1)
    assert sorted([Tertial(2025, 1), Tertial(2024, 3), Tertial(2024, 1)]) == [
        Tertial(2024, 1),
        Tertial(2024, 3),
        Tertial(2025, 1),
    ]
    with pytest.raises(ValueError):
        Tertial(2025, 4)


def test_episode_tertial_follows_the_discharge_date() -> None:
    episode = episode_from_spec(
        {"admission": "2025-04-28T10:00", "discharge": "2025-05-02T12:00"}, "e1"
    )
    assert episode_tertial(episode) == Tertial(2025, 2)
    episode.discharge = None
    assert episode_tertial(episode) == Tertial(2025, 1)  # admission when not discharged
    episode.admission = None
    assert episode_tertial(episode) is None


def test_consecutive_tertials() -> None:
    labels = ["2025T1", "2024T3", "2024T1", "2025", "2025T2"]
    assert consecutive_tertials(labels) == [("2024T3", "2025T1"), ("2025T1", "2025T2")]
