"""An episode moved to another year: every date by the same number of whole years.

The patient keeps their age (the birth date moves too), the stay its length and weekday
pattern as far as the calendar allows, and the procedures their place in the stay. 29
February becomes 28 February in a year without it (a birthday 1 March, so the age stays).
What the code lists and rules decide by date (`Episode.rule_date`) then falls in the target
year.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from kodevakt.episodes.model import Episode, Patient, ProcedureGroup


def moved(day: date, years: int, *, birthday: bool = False) -> date:
    """`day` in `years` years; 29 February becomes 28 February in a common year, or 1 March
    for a `birthday` (the day such a person turns a year older in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        if birthday:
            return date(day.year + years, 3, 1)
        return day.replace(year=day.year + years, day=28)


def _moment(value: datetime | None, years: int) -> datetime | None:
    if value is None:
        return None
    day = moved(value.date(), years)
    return value.replace(year=day.year, month=day.month, day=day.day)


def _day(value: date | None, years: int) -> date | None:
    return None if value is None else moved(value, years)


def shifted(episode: Episode, year: int) -> Episode:
    """A copy of `episode` with its dates in `year` (the episode itself when it has no date,
    or is in that year already)."""
    day = episode.rule_date
    if day is None or day.year == year:
        return episode
    years = year - day.year
    born = episode.patient.birth_date
    patient: Patient = replace(
        episode.patient, birth_date=None if born is None else moved(born, years, birthday=True)
    )
    return replace(
        episode,
        patient=patient,
        admission=_moment(episode.admission, years),
        discharge=_moment(episode.discharge, years),
        procedures=[ProcedureGroup(list(g.codes), _day(g.date, years)) for g in episode.procedures],
        conditions=[list(group) for group in episode.conditions],
    )
