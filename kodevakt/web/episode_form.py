"""The Sjekk episode form: its fields as typed, read into an `Episode`, and a fix written back.

The form keeps every field as the text the coder typed, so a re-rendered form shows exactly
that, and each field that cannot be read gets its own Norwegian message. The episode is then
built by the interchange reader (`episode_from_dict`), the same one `POST /api/check` and
`kodevakt check` use, so the form, the API and the CLI judge the same values the same way.

The discharge summary (`text`) is optional: with it the documentation rules D01–D07 compare
the codes with the text, and the page shows the text with the evidence marked. It is kept in
the form only, like every other field: never stored, never logged.

Codes are written in the compact notation of `kodevakt.episodes.notation`. Only what the
notation itself gets wrong is a field error here (two codes without a separator, characters
no code has, a bad procedure date); a well-formed code that does not exist is the rules'
business (K01), reported as a finding with its source like every other coding error.

Messages never quote the value typed: a date field may hold a birth date, and a code field a
name typed in the wrong place. They say where (group and code number) and what is expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.episodes import values
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.notation import (
    format_conditions,
    format_procedures,
    parse_conditions,
    parse_procedures,
)
from kodevakt.episodes.records import Rejected
from kodevakt.rules.finding import Fix

EPISODE_ID = "skjema"
FORM = "form"  # the key of an error that belongs to no one field
UNSPECIFIED_SEX = "9"  # NPR's "not specified": no sex rule fires on a guess, E03 accepts it

SEXES = {"": "Ikke oppgitt", "K": "Kvinne", "M": "Mann"}
CARE_LEVELS = {"outpatient": "Poliklinisk", "day": "Dagbehandling", "inpatient": "Døgnopphold"}

# What a code may be written with: letters, digits, the separators coders use inside a code
# (`J12,8`, `ZXA 05`) and the dagger and asterisk marks.
_CODE_CHARACTERS = re.compile(r"[0-9A-Za-z.,*†‡ ]+")
_SEPARATORS = "sett + mellom koder i samme gruppe og ; mellom grupper"


@dataclass(frozen=True, slots=True)
class EpisodeForm:
    """The form's fields as typed; names are the interchange format's where there is one."""

    sex: str = ""
    age: str = ""
    birth_date: str = ""
    care_level: str = "outpatient"
    admission: str = ""
    discharge: str = ""
    conditions: str = ""
    procedures: str = ""
    text: str = ""  # the discharge summary, for the documentation rules (never stored or logged)

    @classmethod
    def blank(cls, today: date) -> EpisodeForm:
        """An empty form for an outpatient contact today."""
        return cls(admission=today.isoformat(), discharge=today.isoformat())

    @classmethod
    def from_fields(cls, data: dict[str, Any]) -> EpisodeForm:
        """The form from submitted fields; anything else submitted (token, button) is ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v).strip() for k, v in data.items() if k in names})


@dataclass(frozen=True, slots=True)
class ReadForm:
    """The episode the form describes, or `None` with at least one field error (by name)."""

    episode: Episode | None
    errors: dict[str, str] = field(default_factory=dict)


def read_form(form: EpisodeForm) -> ReadForm:
    """The form's episode, or the Norwegian error of every field that cannot be read."""
    errors: dict[str, str] = {}
    if form.sex not in SEXES:
        errors["sex"] = "Velg kvinne, mann eller ikke oppgitt."
    _checked(errors, "age", _age, form.age)
    _checked(errors, "birth_date", values.day, form.birth_date or None, "birth_date")
    if form.age and form.birth_date and "age" not in errors and "birth_date" not in errors:
        errors["birth_date"] = "Fyll ut enten alder eller fødselsdato, ikke begge."
    if form.care_level not in CARE_LEVELS:
        errors["care_level"] = "Velg poliklinisk, dagbehandling eller døgnopphold."
    _checked(errors, "admission", values.moment, form.admission, "admission")
    _checked(errors, "discharge", values.moment, form.discharge, "discharge")
    problem = notation_problem(form.conditions, dated=False)
    if problem:
        errors["conditions"] = problem
    problem = notation_problem(form.procedures, dated=True)
    if problem:
        errors["procedures"] = problem
    if errors:
        return ReadForm(None, errors)
    record = episode_from_dict(_interchange(form), Source(EPISODE_ID, 1))
    if isinstance(record, Rejected):  # the checks above are meant to leave nothing for this
        return ReadForm(None, {FORM: _sentence(record.message)})
    return ReadForm(record)


def apply_fix(form: EpisodeForm, episode: Episode, fix: Fix) -> EpisodeForm:
    """The form with `fix` made to its codes (`Fix.apply`: procedure dates kept by position)."""
    fixed = fix.apply(episode)
    return replace(
        form,
        conditions=format_conditions(fixed.conditions),
        procedures=format_procedures(fixed.procedures),
    )


def notation_problem(text: str, *, dated: bool) -> str | None:
    """What is wrong with the notation of condition (`dated=False`) or procedure groups."""
    for g, part in enumerate(text.split(";"), start=1):
        body, at, when = part.partition("@")
        if at and not dated:
            return f"Gruppe {g}: tilstander har ingen dato; fjern @ og datoen."
        if at:
            try:
                values.day(when.strip() or None, "date")
            except values.ValueProblem:
                return f"Gruppe {g}: datoen etter @ er {values.BAD_DATE}."
        for c, token in enumerate(body.split("+"), start=1):
            token = token.strip()
            if not token:
                continue
            if not _CODE_CHARACTERS.fullmatch(token):
                return (
                    f"Gruppe {g}, kode {c}: inneholder tegn som ikke finnes i koder; {_SEPARATORS}."
                )
            words = token.split()
            if len(words) > 1 and all(normalise(w).kind is not CodeKind.UNKNOWN for w in words):
                return f"Gruppe {g}, kode {c}: flere koder uten skilletegn; {_SEPARATORS}."
    return None


def _age(text: str) -> int | None:
    age = values.integer(text or None, "age")
    if age is not None and age < 0:
        raise values.ValueProblem("age", "alderen kan ikke være negativ")
    return age


def _checked(errors: dict[str, str], name: str, read: Callable[..., object], *args: object) -> None:
    """Run the reader of one field; what it cannot read becomes that field's error."""
    try:
        read(*args)
    except values.ValueProblem as problem:
        errors[name] = _sentence(problem.message)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _interchange(form: EpisodeForm) -> dict[str, Any]:
    """The form as an interchange object, for the one reader every input goes through."""
    return {
        "id": EPISODE_ID,
        "patient": {
            "sex": form.sex or UNSPECIFIED_SEX,
            "age": form.age or None,
            "birth_date": form.birth_date or None,
        },
        "care_level": form.care_level,
        "admission": form.admission or None,
        "discharge": form.discharge or None,
        "conditions": parse_conditions(form.conditions),
        "procedures": [
            {"codes": group.codes, "date": group.date.isoformat() if group.date else None}
            for group in parse_procedures(form.procedures)
        ],
        "text": form.text or None,
    }
