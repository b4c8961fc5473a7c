"""One coded episode (kontakt/opphold) as the rules see it.

Readers turn every input format into this model. A value that can be parsed but is wrong
(sex `X`, discharge before admission) is kept, with the raw value, so that the E rules can
report it; only a record that cannot be parsed at all is rejected by its reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from kodevakt.codes.model import Sex


class CareLevel(StrEnum):
    """Omsorgsnivå."""

    INPATIENT = "inpatient"
    DAY = "day"
    OUTPATIENT = "outpatient"


class Urgency(StrEnum):
    """Hastegrad."""

    ACUTE = "acute"
    ELECTIVE = "elective"


@dataclass(slots=True)
class Patient:
    """The patient as far as the episode tells: pseudonymous id, sex and age."""

    id: str | None = None
    sex: Sex | None = None
    sex_raw: str | None = None
    birth_date: date | None = None
    age_years: int | None = None
    age_days: int | None = None


@dataclass(slots=True)
class ProcedureGroup:
    """A procedure code followed by its additional codes, with the date it was done."""

    codes: list[str]
    date: date | None = None


@dataclass(slots=True)
class Source:
    """Where a record came from, for messages (never holds patient data)."""

    file: str
    line: int


@dataclass(slots=True)
class Episode:
    """One contact or stay with its condition groups (first = main condition) and procedures."""

    id: str
    patient: Patient = field(default_factory=Patient)
    institution: str | None = None
    department: str | None = None
    care_level: CareLevel | None = None
    care_level_raw: str | None = None
    urgency: Urgency | None = None
    admission: datetime | None = None
    discharge: datetime | None = None
    transferred_from: str | None = None
    transferred_to: str | None = None
    conditions: list[list[str]] = field(default_factory=list)
    procedures: list[ProcedureGroup] = field(default_factory=list)
    text: str | None = None
    source: Source | None = None
    grouping_inferred: bool = False

    @property
    def rule_date(self) -> date | None:
        """The date that picks code lists and rules: discharge, else admission."""
        moment = self.discharge or self.admission
        return moment.date() if moment else None

    @property
    def age_days(self) -> int | None:
        """Age at admission in days, from the birth date or the given age."""
        patient = self.patient
        if patient.birth_date is not None and self.admission is not None:
            return (self.admission.date() - patient.birth_date).days
        if patient.age_days is not None:
            return patient.age_days
        if patient.age_years is not None:
            return patient.age_years * 365 + patient.age_years // 4
        return None

    @property
    def age_years(self) -> int | None:
        """Completed years at admission."""
        patient = self.patient
        if patient.birth_date is not None and self.admission is not None:
            born, day = patient.birth_date, self.admission.date()
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if patient.age_years is not None:
            return patient.age_years
        if patient.age_days is not None:
            return patient.age_days // 365
        return None
