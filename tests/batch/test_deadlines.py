"""NPR's correction deadline per period: the default rule, its settings, and bad settings."""

from __future__ import annotations

from datetime import date

import pytest

from kodevakt.batch.deadlines import ENV_DEADLINES, DeadlineRule
from kodevakt.errors import InputError


def test_default_rule_matches_the_dated_npr_letter() -> None:
    rule = DeadlineRule()
    assert rule.deadline("2014T2") == date(2014, 9, 23)  # the letter in the source documents
    assert rule.deadline("2025T1") == date(2025, 5, 23)
    assert rule.deadline("2025T3") == date(2026, 1, 23)


def test_months_and_years_take_the_deadline_of_the_tertial_they_end_in() -> None:
    rule = DeadlineRule()
    assert rule.deadline("2025-03") == rule.deadline("2025-04") == rule.deadline("2025T1")
    assert rule.deadline("2025-05") == rule.deadline("2025T2")
    assert rule.deadline("2025") == rule.deadline("2025T3")
    assert rule.deadline("uke 12") is None


def test_settings_change_the_days_and_name_dates() -> None:
    rule = DeadlineRule.parse("feedback=5; correction=14, 2025t2 = 2025-10-01")
    assert rule.deadline("2025T1") == date(2025, 5, 19)
    assert rule.deadline("2025T2") == date(2025, 10, 1)
    assert rule.deadline("2025-06") == date(2025, 10, 1)
    assert DeadlineRule.from_env({ENV_DEADLINES: "correction=0"}).deadline("2025T1") == date(
        2025, 5, 2
    )
    assert DeadlineRule.from_env({}) == DeadlineRule()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("correction", "«correction»: skriv navn=verdi"),
        ("feedback=-2", "«feedback»: antall dager"),
        ("correction=tre uker", "«correction»: antall dager"),
        ("correction=400", "«correction»: antall dager"),
        ("frist=2025-05-01", "«frist»: ukjent navn"),
        ("2025T1=23.05.2025", "«2025T1»: fristen må være en dato"),
        ("2025T1=2025-02-30", "«2025T1»: fristen må være en dato"),
    ],
)
def test_bad_settings_name_the_setting_and_the_item(text: str, message: str) -> None:
    with pytest.raises(InputError, match=f"^{ENV_DEADLINES}, {message}"):
        DeadlineRule.from_env({ENV_DEADLINES: text})
