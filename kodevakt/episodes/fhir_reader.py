"""Reading FHIR R4: a Bundle (JSON), NDJSON of resources, or a JSON array of them.

Every Encounter is one episode (one record), with the Conditions and Procedures that point
to it (`encounter`) or that it points to (`diagnosis`), and its Patient (`subject`).
Resources may come in any order, so a file is read whole before any episode is built (a
Bundle is one JSON document anyway); Parquet or JSON Lines are the formats for bulk.

Each Patient, Encounter, Condition and Procedure is validated with the `fhir.resources`
R4 models (R4B: the same resources as R4), so a resource a patient system got wrong is
rejected with the field at fault. A reference that points nowhere rejects its record and is
named (`Condition/c7 (oppføring 12): encounter «Encounter/x» finnes ikke i filen`); a
Condition or Procedure that belongs to no Encounter is a rejected record of its own.

Codes come with or without the dot, ICD-10 under the OID or `icd-10-no` (fhir_codes). The
main condition is the one with category `Main` (DIPS), else rank 1 in `Encounter.diagnosis`,
else the first; further groups follow their rank, then their order in the file. Codes of
systems kodevakt does not check (SNOMED CT, ICPC-2) are left out and counted in a notice.
Times with a UTC offset of zero are turned into Norwegian time; any other offset is taken
as the local time it says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.procedure import Procedure
from pydantic import BaseModel, ValidationError

from kodevakt.episodes import fhir_codes as fc
from kodevakt.episodes import values
from kodevakt.episodes.decoding import decoded
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source
from kodevakt.episodes.records import UNEXPECTED, Record, Rejected
from kodevakt.episodes.values import ValueProblem
from kodevakt.errors import InputError

OSLO = ZoneInfo("Europe/Oslo")
MODELS: dict[str, type[BaseModel]] = {
    "Patient": FhirPatient,
    "Encounter": Encounter,
    "Condition": Condition,
    "Procedure": Procedure,
}
_ERRORS = {
    "missing": "påkrevd felt mangler",
    "extra_forbidden": "feltet finnes ikke i ressursen",
}

Resource = dict[str, Any]
NOWHERE = "peker ikke på noen ressurs i filen"  # the end of a dangling reference's message


@dataclass(slots=True)
class _Entry:
    """One resource and where it stands in the file."""

    resource: Resource
    line: int
    where: str  # "oppføring 3" or "linje 3"
    full_url: str | None = None
    checked: bool = False
    problem: tuple[str | None, str] | None = None

    @property
    def kind(self) -> str:
        return str(self.resource.get("resourceType"))

    @property
    def reference(self) -> str:
        return f"{self.kind}/{self.resource.get('id', '?')}"

    @property
    def position(self) -> str:
        return f"{self.reference} ({self.where})"


class _Unreadable(Exception):
    """A record cannot be built: the entry at fault, its field and the reason."""

    def __init__(self, entry: _Entry, field: str | None, message: str) -> None:
        super().__init__(message)
        self.entry, self.field, self.message = entry, field, message


def read_fhir(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> Iterator[Record]:
    """Episodes from a FHIR R4 Bundle/NDJSON file (stdin for `-`); see the module docstring.

    Raises InputError when the file is not JSON at all (a Bundle that does not parse); a
    bad NDJSON line is one rejected record. Codes left out are counted in `notices`.
    """
    with decoded(str(path), encoding) as (text, name):
        chunks = []
        while chunk := text.read(1 << 20):
            chunks.append(chunk)
    yield from read_fhir_text("".join(chunks), name, notices)


def read_fhir_text(content: str, name: str, notices: list[str] | None = None) -> Iterator[Record]:
    """Episodes from FHIR JSON already in memory (a request body); `name` names it in
    messages. Each episode's `source.line` is its Encounter's entry number (or line)."""
    entries, rejected = _entries(content, name)
    yield from rejected
    reader = _Assembly(name, entries)
    yield from reader.records()
    if notices is not None and reader.skipped:
        counted = ", ".join(f"{n} med {system}" for system, n in sorted(reader.skipped.items()))
        notices.append(
            f"fil {name}: koder fra kodeverk som kodevakt ikke kontrollerer er ikke lest "
            f"({counted})"
        )


def _entries(content: str, name: str) -> tuple[list[_Entry], list[Rejected]]:
    """The resources of the file, and the records that are not resources at all."""
    stripped = content.lstrip("\ufeff \t\r\n")
    rejected: list[Rejected] = []
    try:
        whole = json.loads(stripped) if stripped else []
    except json.JSONDecodeError as exc:
        if "\n{" not in stripped.rstrip():  # one document that is broken
            raise InputError(
                f"ugyldig JSON (feil ved linje {exc.lineno}, tegn {exc.colno})",
                file=name,
                line=exc.lineno,
            ) from None
        return _ndjson(stripped, name)
    if isinstance(whole, dict) and whole.get("resourceType") == "Bundle":
        entries, rejected = _checked(
            [
                (entry.get("resource") if isinstance(entry, dict) else None, i, f"oppføring {i}")
                for i, entry in enumerate(whole.get("entry") or [], start=1)
            ],
            name,
            rejected,
        )
        urls = [e.get("fullUrl") if isinstance(e, dict) else None for e in whole.get("entry") or []]
        for entry in entries:
            url = urls[entry.line - 1]
            entry.full_url = url if isinstance(url, str) else None
        return entries, rejected
    if isinstance(whole, list):
        return _checked(
            [(r, i, f"oppføring {i}") for i, r in enumerate(whole, start=1)], name, rejected
        )
    return _checked([(whole, 1, "linje 1")], name, rejected)


def _ndjson(content: str, name: str) -> tuple[list[_Entry], list[Rejected]]:
    items: list[tuple[Any, int, str]] = []
    rejected: list[Rejected] = []
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append((json.loads(line), number, f"linje {number}"))
        except (json.JSONDecodeError, RecursionError):
            rejected.append(
                Rejected(name, number, None, "ugyldig JSON på linjen", f"linje {number}")
            )
    return _checked(items, name, rejected)


def _checked(
    items: list[tuple[Any, int, str]], name: str, rejected: list[Rejected]
) -> tuple[list[_Entry], list[Rejected]]:
    entries = []
    for resource, line, where in items:
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            rejected.append(Rejected(name, line, "resourceType", "ikke en FHIR-ressurs", where))
        else:
            entries.append(_Entry(resource, line, where))
    return entries, rejected


@dataclass(slots=True)
class _Parts:
    """What belongs to one Encounter."""

    conditions: list[_Entry] = field(default_factory=list)
    procedures: list[_Entry] = field(default_factory=list)


class _Assembly:
    """The resources of one file, indexed, and the episodes built from them."""

    def __init__(self, name: str, entries: list[_Entry]) -> None:
        self.name = name
        self.entries = entries
        self.index: dict[str, _Entry] = {}
        for entry in entries:
            self.index.setdefault(entry.reference, entry)
            if entry.full_url is not None:
                self.index.setdefault(entry.full_url, entry)
        self.order = {id(entry): i for i, entry in enumerate(entries)}
        self.skipped: dict[str, int] = {}

    def records(self) -> Iterator[Record]:
        parts: dict[int, _Parts] = {}
        encounters = [e for e in self.entries if e.kind == "Encounter"]
        for entry in encounters:
            parts[id(entry)] = _Parts()
        orphans: list[Rejected] = []
        for entry in self.entries:
            if entry.kind not in ("Condition", "Procedure"):
                continue
            target = entry.resource.get("encounter")
            found = self.resolve(target) if target is not None else None
            if target is not None and (found is None or found.kind != "Encounter"):
                orphans.append(self._rejected(entry, "encounter", self._nowhere(target)))
            elif found is not None:
                into = parts[id(found)]
                (into.conditions if entry.kind == "Condition" else into.procedures).append(entry)
        linked = self._linked(encounters, parts)
        for entry in self.entries:
            kind = entry.kind
            unlinked = entry.resource.get("encounter") is None and id(entry) not in linked
            if kind in ("Condition", "Procedure") and unlinked:
                message = f"{kind} er ikke knyttet til noen Encounter"
                orphans.append(self._rejected(entry, "encounter", message))
        for entry in encounters:
            try:
                yield self._episode(entry, parts[id(entry)])
            except _Unreadable as problem:
                yield self._rejected(problem.entry, problem.field, problem.message)
            except ValueProblem as problem:
                yield self._rejected(entry, problem.field, problem.message)
            except Exception:  # deliberate: one odd encounter must not stop the file
                yield self._rejected(entry, None, UNEXPECTED)
        yield from orphans

    def _linked(self, encounters: list[_Entry], parts: dict[int, _Parts]) -> set[int]:
        """Conditions an Encounter lists in `diagnosis` without pointing back: added to it."""
        linked: set[int] = set()
        for entry in encounters:
            for item in entry.resource.get("diagnosis") or []:
                target = item.get("condition") if isinstance(item, dict) else None
                found = self.resolve(target)
                if found is not None and found.kind == "Condition":
                    linked.add(id(found))
                    if found.resource.get("encounter") is None:
                        parts[id(entry)].conditions.append(found)
        return linked

    def resolve(self, reference: Any) -> _Entry | None:
        """The entry a Reference points to: `Type/id`, an absolute URL ending in it, or an
        entry's `fullUrl`; None when it points nowhere in the file."""
        if not isinstance(reference, dict):
            return None
        text = reference.get("reference")
        if not isinstance(text, str):
            return None
        found = self.index.get(text)
        if found is None and "/" in text:
            found = self.index.get("/".join(text.rstrip("/").split("/")[-2:]))
        return found

    def _nowhere(self, reference: Any) -> str:
        text = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(text, str):
            return "referansen mangler eller kan ikke leses"
        return f"referansen «{text}» {NOWHERE}"

    def _rejected(self, entry: _Entry, field: str | None, message: str) -> Rejected:
        return Rejected(self.name, entry.line, field, message, entry.position)

    def _valid(self, entry: _Entry) -> None:
        """Validate the entry with its fhir.resources model, once; _Unreadable if invalid."""
        if not entry.checked:
            entry.checked = True
            model = MODELS.get(entry.kind)
            if model is not None:
                try:
                    model.model_validate(entry.resource)
                except ValidationError as exc:
                    error = exc.errors()[0]
                    where = ".".join(str(part) for part in error["loc"])
                    reason = _ERRORS.get(error["type"], "verdien følger ikke FHIR R4")
                    entry.problem = (where or None, reason)
        if entry.problem is not None:
            raise _Unreadable(entry, *entry.problem)

    # -- one episode -------------------------------------------------------------------

    def _episode(self, entry: _Entry, parts: _Parts) -> Episode:
        self._valid(entry)
        resource = entry.resource
        patient, birth_year = self._patient(entry)
        extensions = _extensions(resource)
        period = resource.get("period") or {}
        admission = _moment(period.get("start"), "period.start")
        care_raw = _care(resource)
        patient.age_years = values.integer(extensions.get(fc.AGE), "extension age")
        patient.age_days = values.integer(extensions.get(fc.AGE_DAYS), "extension age-days")
        if patient.age_years is None and birth_year is not None and admission is not None:
            patient.age_years = admission.year - birth_year  # as the NPR readers do
        stay = resource.get("hospitalization") or {}
        provider = resource.get("serviceProvider") or {}
        return Episode(
            id=_identifier(resource, fc.EPISODE_ID) or str(resource.get("id")),
            patient=patient,
            institution=values.text((provider.get("identifier") or {}).get("value")),
            department=values.text(extensions.get(fc.DEPARTMENT)),
            care_level=values.care_level(care_raw, "type"),
            care_level_raw=care_raw if care_raw == "8" else None,
            urgency=values.urgency(_urgency(resource), "priority"),
            admission=admission,
            discharge=_moment(period.get("end"), "period.end"),
            transferred_from=_place(stay.get("origin")),
            transferred_to=_place(stay.get("destination")),
            conditions=self._conditions(entry, parts.conditions),
            procedures=self._procedures(parts.procedures),
            text=values.text(extensions.get(fc.TEXT)),
            source=Source(self.name, entry.line),
            grouping_inferred=extensions.get(fc.GROUPING_INFERRED) is True,
        )

    def _patient(self, encounter: _Entry) -> tuple[Patient, int | None]:
        """The Encounter's subject, and its birth year when `birthDate` gives no more."""
        subject = encounter.resource.get("subject")
        if subject is None:
            return Patient(), None
        if "reference" not in subject and isinstance(subject.get("identifier"), dict):
            return Patient(id=_person_id([subject["identifier"]])), None
        found = self.resolve(subject)
        if found is None or found.kind != "Patient":
            raise _Unreadable(encounter, "subject", self._nowhere(subject))
        self._valid(found)
        person = found.resource
        raw_sex = _extensions(person).get(fc.SEX)
        if raw_sex is not None:
            sex, sex_raw = values.sex(raw_sex)
        else:
            gender = str(person.get("gender") or "")
            sex, sex_raw = values.sex(fc.SEX_OF_GENDER.get(gender, gender))
            sex_raw = sex_raw if sex is None else None
        birth = person.get("birthDate")
        patient = Patient(
            id=_identifier(person, fc.PATIENT_ID) or str(person.get("id")),
            sex=sex,
            sex_raw=sex_raw,
        )
        try:
            if isinstance(birth, str) and len(birth) < 10:  # a year, or a year and month
                return patient, values.integer(birth[:4], "birthDate")
            patient.birth_date = values.day(birth, "birthDate")
        except ValueProblem as problem:
            raise _Unreadable(found, problem.field, problem.message) from None
        return patient, None

    def _conditions(self, encounter: _Entry, entries: list[_Entry]) -> list[list[str]]:
        ranks: dict[int, int] = {}
        for item in encounter.resource.get("diagnosis") or []:
            found = self.resolve(item.get("condition")) if isinstance(item, dict) else None
            if found is None:
                where = "diagnosis.condition"
                raise _Unreadable(encounter, where, self._nowhere(item.get("condition")))
            rank = item.get("rank")
            if isinstance(rank, int):
                ranks.setdefault(id(found), rank)

        def order(entry: _Entry) -> tuple[int, int, int]:
            main = any(
                coding.get("code") == fc.MAIN
                for concept in entry.resource.get("category") or []
                for coding in concept.get("coding") or []
            )
            return (0 if main else 1, ranks.get(id(entry), 1 << 30), self.order[id(entry)])

        groups = []
        for entry in sorted(entries, key=order):
            self._valid(entry)
            codes = self._codes(entry, fc.ICD10_SYSTEMS)
            if codes:
                groups.append(codes)
        return groups

    def _procedures(self, entries: list[_Entry]) -> list[ProcedureGroup]:
        def order(entry: _Entry) -> tuple[int, str, int]:
            number = _extensions(entry.resource).get(fc.PROCEDURE_NUMBER)
            when = entry.resource.get("performedDateTime") or ""
            place = number if isinstance(number, int) else 1 << 30
            return (place, str(when), self.order[id(entry)])

        groups = []
        for entry in sorted(entries, key=order):
            self._valid(entry)
            codes = self._codes(entry, fc.PROCEDURE_SYSTEMS | fc.ICD10_SYSTEMS)
            resource = entry.resource
            when = resource.get("performedDateTime") or (resource.get("performedPeriod") or {}).get(
                "start"
            )
            try:
                day = _day(when, "performedDateTime")
            except ValueProblem as problem:
                raise _Unreadable(entry, problem.field, problem.message) from None
            if codes:
                groups.append(ProcedureGroup(codes, day))
        return groups

    def _codes(self, entry: _Entry, systems: frozenset[str]) -> list[str]:
        """The group's codes: the first coding of a known system, then the group-code
        extensions in order; codes of other systems are counted in `skipped`."""
        concept = entry.resource.get("code")
        codings = concept.get("coding") or [] if isinstance(concept, dict) else []
        if not codings:
            raise _Unreadable(entry, "code", f"{entry.kind} mangler kode")
        known = [c for c in codings if c.get("system") in systems and c.get("code")]
        codes = [known[0]["code"]] if known else []
        if not known:
            self._skip(codings[0].get("system"))
        for extension in entry.resource.get("extension") or []:
            if extension.get("url") == fc.GROUP_CODE:
                coding = extension.get("valueCoding") or {}
                code = values.text(coding.get("code"))
                if code is not None:
                    codes.append(coding["code"])
        return codes

    def _skip(self, system: object) -> None:
        name = str(system) if system else "uten kodeverk"
        self.skipped[name] = self.skipped.get(name, 0) + 1


def _extensions(resource: Resource) -> dict[str, Any]:
    """kodevakt's extension values by url (the first of each)."""
    found: dict[str, Any] = {}
    for extension in resource.get("extension") or []:
        url = extension.get("url")
        if isinstance(url, str) and url.startswith(fc.PREFIX) and url not in found:
            found[url] = next((v for k, v in extension.items() if k.startswith("value")), None)
    return found


def _identifier(resource: Resource, system: str) -> str | None:
    """The value of the identifier of `system`, else of the first one that is no person id."""
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict)]
    own = next((i.get("value") for i in identifiers if i.get("system") == system), None)
    return values.text(own) or _person_id(identifiers)


def _person_id(identifiers: list[dict[str, Any]]) -> str | None:
    for identifier in identifiers:
        if identifier.get("system") not in fc.PERSON_ID_SYSTEMS:
            found = values.text(identifier.get("value"))
            if found is not None:
                return found
    return None


def _care(resource: Resource) -> str | None:
    for concept in resource.get("type") or []:
        for coding in concept.get("coding") or []:
            if coding.get("system") == fc.CARE_LEVEL and coding.get("code"):
                return str(coding["code"])
    kind = resource.get("class") or {}
    return fc.CARE_OF_CLASS.get(str(kind.get("code")))


def _urgency(resource: Resource) -> str | None:
    for coding in (resource.get("priority") or {}).get("coding") or []:
        found = fc.URGENCY_OF_PRIORITY.get(str(coding.get("code")))
        if found is not None:
            return found
    return None


def _place(reference: Any) -> str | None:
    if not isinstance(reference, dict):
        return None
    return values.text((reference.get("identifier") or {}).get("value")) or "2"


def _moment(value: Any, field: str) -> datetime | None:
    """A FHIR dateTime as Norwegian local time (see the module docstring)."""
    if not isinstance(value, str):
        return values.moment(value, field)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return values.moment(value, field)
    if parsed.tzinfo is not None and parsed.utcoffset() == UTC.utcoffset(None):
        parsed = parsed.astimezone(OSLO)
    return parsed.replace(tzinfo=None)


def _day(value: Any, field: str) -> date | None:
    moment = _moment(value, field)
    return moment.date() if moment is not None else None
