"""NPR's correction deadline for a period: the one place that says when findings are due.

NPR sends its validation feedback on each tertial three times a year, and the hospital has
about three weeks to send corrected data (the talk in the source documents: "sendes ut 3
ganger pr. år – rettefrist ca 3 uker"). The one dated example there is NPR's letter on the
second tertial of 2014, which set 23 September 2014 as the deadline for the corrected file:
23 days after the tertial's last day. So by default

    feedback  = the tertial's last day + 2 days
    deadline  = feedback + 21 days           (2025T1: 30 April → 23 May 2025)

NPR announces the real dates with each feedback, so both numbers can be changed and a
period's deadline can be given outright, in `KODEVAKT_DEADLINES` (or `DeadlineRule.parse`):

    KODEVAKT_DEADLINES="feedback=5, correction=21, 2025T1=2025-05-28"

A month (`2025-03`) or year (`2025`) period takes the deadline of the tertial it ends in:
its episodes are in that tertial's feedback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from kodevakt.batch.periods import Tertial, parse_tertial, period_span
from kodevakt.errors import InputError

ENV_DEADLINES = "KODEVAKT_DEADLINES"
FEEDBACK_DAYS = 2  # from the tertial's last day to NPR's feedback
CORRECTION_DAYS = 21  # from the feedback to the deadline for corrected data
_MAX_DAYS = 366
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """When NPR's feedback on a tertial comes and how long corrections may take; `dates`
    gives a tertial's deadline outright (label → date), in place of the computed one."""

    feedback_days: int = FEEDBACK_DAYS
    correction_days: int = CORRECTION_DAYS
    dates: Mapping[str, date] = field(default_factory=lambda: MappingProxyType({}))

    def deadline(self, period: str) -> date | None:
        """The correction deadline for a stored period label; None for a label that is not
        a tertial, month or year."""
        tertial = _tertial_of(period)
        if tertial is None:
            return None
        given = self.dates.get(tertial.label)
        if given is not None:
            return given
        return tertial.end + timedelta(days=self.feedback_days + self.correction_days)

    @classmethod
    def parse(cls, text: str, source: str = ENV_DEADLINES) -> DeadlineRule:
        """The rule from `feedback=N, correction=N, 2025T1=YYYY-MM-DD, …` (any of them, in
        any order; what is left out keeps its default). `source` names the setting in errors."""
        feedback, correction = FEEDBACK_DAYS, CORRECTION_DAYS
        dates: dict[str, date] = {}
        for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
            name, sep, value = (s.strip() for s in part.partition("="))
            if not sep or not value:
                raise _error(source, name or part, "skriv navn=verdi, f.eks. correction=21")
            if name.lower() in ("feedback", "correction"):
                days = _days(source, name, value)
                if name.lower() == "feedback":
                    feedback = days
                else:
                    correction = days
                continue
            tertial = parse_tertial(name)
            if tertial is None:
                raise _error(
                    source, name, "ukjent navn; bruk feedback, correction eller et tertial (2025T1)"
                )
            dates[tertial.label] = _date(source, name, value)
        return cls(feedback, correction, MappingProxyType(dates))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeadlineRule:
        """The rule from `KODEVAKT_DEADLINES`, the defaults when it is unset or empty."""
        text = (os.environ if environ is None else environ).get(ENV_DEADLINES, "")
        return cls.parse(text) if text.strip() else cls()


def _tertial_of(period: str) -> Tertial | None:
    tertial = parse_tertial(period)
    if tertial is not None:
        return tertial
    span = period_span(period)
    return Tertial.of(span[1]) if span is not None else None


def _days(source: str, name: str, value: str) -> int:
    if not value.isdigit() or int(value) > _MAX_DAYS:
        raise _error(source, name, f"antall dager må være et helt tall fra 0 til {_MAX_DAYS}")
    return int(value)


def _date(source: str, name: str, value: str) -> date:
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise _error(source, name, "fristen må være en dato som 2025-05-23") from None


def _error(source: str, name: str, message: str) -> InputError:
    return InputError(f"{source}, «{name}»: {message}")
