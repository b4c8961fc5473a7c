"""Reading the NPR message (XML), streamed: a message of any size is never a tree in memory.

The message is parsed incrementally (lxml iterparse, with entities, DTDs and the network
off); every element is dropped once read, so memory holds one patient's episodes at a time
(`Objektholder`), whatever the size of the file. Elements are matched by name in the
namespace of `Melding`, which must be of the NPR family (`http://www.npr.no/xmlstds/…`):
any version is read the same way (npr_message).

Each `Episode` is one record. One that cannot be read is rejected with its line, its
element path and the attribute at fault, and the message goes on: a missing required
attribute (`episodeID`, `tilstNr`, `prosNr`, `kodeNr`, `kodeverk`, `kodeVerdi`), a number or
date that cannot be read, an unknown `kodeverk` letter, an element out of place (a `Kode`
outside `Tilstand`/`Prosedyre`, an `Episode` outside `Objektholder`), a repeated `tilstNr`.
What cannot be read at all stops the file with InputError: XML that is not well formed (after
the episodes before the fault), a `Melding` in another namespace, a file with no `Melding`.
Codes of systems kodevakt does not check (NORPAT, ICPC-2, cancer pathway codes) are left out
and counted in a notice.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from lxml import etree

from kodevakt.episodes import values
from kodevakt.episodes.model import Episode, Patient, ProcedureGroup, Source
from kodevakt.episodes.npr_message import (
    EXPECTED_NAMESPACE,
    EXTENSION_NAMESPACE,
    FAGENHET,
    KNOWN_LETTERS,
    NAMESPACE,
    READ_LETTERS,
    SKIPPED_LETTERS,
    TRANSFER,
    model_code,
)
from kodevakt.episodes.records import UNEXPECTED, Record, Rejected
from kodevakt.episodes.values import ValueProblem
from kodevakt.errors import InputError

# Elements of the message that kodevakt reads (local names)
NAMES = frozenset(
    {
        "Melding",
        "Institusjon",
        "Enhet",
        "Objektholder",
        "Pasient",
        "Episode",
        "RefEnhet",
        "Tilstand",
        "Tjeneste",
        "Tiltak",
        "Prosedyre",
        "Kode",
    }
)
# Where each element must stand (its parent's local name)
PARENTS = {
    "Institusjon": ("Melding",),
    "Enhet": ("Institusjon",),
    "Objektholder": ("Institusjon",),
    "Pasient": ("Objektholder",),
    "Episode": ("Objektholder",),
    "RefEnhet": ("Episode",),
    "Tilstand": ("Episode",),
    "Tjeneste": ("Episode",),
    "Tiltak": ("Tjeneste",),
    "Prosedyre": ("Tiltak",),
    "Kode": ("Tilstand", "Prosedyre"),
}
_SYNTAX = {
    "ERR_TAG_NAME_MISMATCH": "sluttaggen passer ikke til starttaggen",
    "ERR_TAG_NOT_FINISHED": "filen slutter før alle elementer er lukket",
    "ERR_DOCUMENT_END": "det står noe etter rotelementet",
    "ERR_DOCUMENT_EMPTY": "filen er tom",
    "ERR_GT_REQUIRED": "en tagg er ikke lukket med «>»",
    "ERR_ATTRIBUTE_NOT_STARTED": "en attributtverdi mangler anførselstegn",
    "ERR_ATTRIBUTE_WITHOUT_VALUE": "et attributt mangler verdi",
    "ERR_ATTRIBUTE_REDEFINED": "et attributt står to ganger i samme element",
    "ERR_LT_IN_ATTRIBUTE": "«<» i en attributtverdi",
    "ERR_UNDECLARED_ENTITY": "en entitet som ikke er definert",
    "ERR_INVALID_CHAR": "et tegn som ikke er tillatt i XML",
    "ERR_INVALID_ENCODING": "tegn som ikke er gyldige i filens tegnkoding",
    "ERR_UNSUPPORTED_ENCODING": "tegnkodingen filen oppgir er ukjent",
    "ERR_NAME_REQUIRED": "et elementnavn mangler",
}


def read_npr_xml(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> Iterator[Record]:
    """Episodes from an NPR message (stdin for `-`); see the module docstring.

    `encoding` overrides the encoding the XML declares (None: the declaration, else UTF-8).
    Raises InputError for a file that cannot be read at all (its episodes read before the
    fault are yielded first). File-level notices go to `notices`.
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    if str(path) == "-":
        yield from _read(sys.stdin.buffer, name, encoding, notices)
        return
    with open(path, "rb") as raw:
        yield from _read(raw, name, encoding, notices)


def _read(
    raw: IO[bytes], name: str, encoding: str | None, notices: list[str] | None
) -> Iterator[Record]:
    reader = _Reader(name)
    events = etree.iterparse(
        raw,
        events=("start", "end"),
        encoding=encoding,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, element in events:
            if event == "start":
                reader.start(element)
            else:
                yield from reader.end(element)
    except etree.XMLSyntaxError as exc:
        raise InputError(_syntax_message(exc), file=name, line=exc.lineno or None) from None
    if reader.namespace is None:
        raise InputError(
            f"fant ingen NPR-melding (elementet Melding i navnerommet {EXPECTED_NAMESPACE})",
            file=name,
        )
    if notices is not None:
        notices.extend(f"fil {name}: {notice}" for notice in reader.notices())


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    """A Norwegian description of a well-formedness error, naming no content of the file."""
    entry = exc.error_log.last_error if exc.error_log else None
    kind = entry.type_name if entry is not None else ""
    line, column = exc.position if exc.position else (exc.lineno, 0)
    reason = _SYNTAX.get(kind, f"feiltype {kind}" if kind else "ukjent feil")
    return f"XML-en er ikke velformet (linje {line}, tegn {column}): {reason}"


@dataclass(slots=True)
class _Frame:
    """One open element: its local name, path, and how many children of each name so far."""

    name: str
    path: str
    line: int
    children: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Problem:
    field: str | None
    message: str
    line: int
    path: str


@dataclass(slots=True)
class _Draft:
    """An `Episode` element being read; built into an Episode when its patient is known."""

    line: int
    path: str
    attributes: dict[str, str]
    unit: str | None = None
    conditions: dict[int, dict[int, str]] = field(default_factory=dict)
    procedures: dict[int, tuple[date | None, dict[int, str]]] = field(default_factory=dict)
    condition: int | None = None
    procedure: int | None = None
    day: date | None = None
    text: str | None = None
    problem: _Problem | None = None
    orphan: bool = False  # outside an Objektholder: rejected at once, no patient to wait for


class _Reader:
    """The state of one message while it streams past."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.namespace: str | None = None
        self.stack: list[_Frame] = []
        self.institution: str | None = None
        self.units: dict[str, str] = {}
        self.holder: dict[str, str] = {}
        self.patient: dict[str, str] = {}
        self.patient_at: tuple[int, str] = (0, "")
        self.drafts: list[_Draft] = []
        self.draft: _Draft | None = None
        self.skipped: dict[str, int] = {}
        self.stray: list[str] = []

    # -- events ------------------------------------------------------------------------

    def start(self, element: etree._Element) -> None:
        qname = etree.QName(element)
        local, ns = qname.localname, qname.namespace
        parent = self.stack[-1] if self.stack else None
        if parent is None:
            path = f"/{local}"
        else:
            count = parent.children.get(local, 0) + 1
            parent.children[local] = count
            path = f"{parent.path}/{local}[{count}]"
        line = element.sourceline or 0
        self.stack.append(_Frame(local, path, line))
        if ns == EXTENSION_NAMESPACE or local not in NAMES:
            return
        self._namespace(local, ns, line)
        if self.namespace is None:
            return
        parent_name = parent.name if parent is not None else None
        attributes = {k: v for k, v in element.attrib.items() if isinstance(k, str)}
        misplaced = local in PARENTS and parent_name not in PARENTS[local]
        if local == "Episode":
            self.draft = _Draft(line, path, attributes, orphan=misplaced)
            if misplaced:
                self._fail("Episode", "Episode står utenfor Objektholder", line, path)
            return
        if self.draft is None:
            if misplaced:
                self.stray.append(f"linje {line}: {local} står utenfor sin plass og er ikke lest")
            else:
                self._outside_episode(local, attributes)
            return
        if misplaced:
            where = " eller ".join(PARENTS[local])
            message = f"{local} står i {parent_name}, men hører hjemme i {where}"
            self._fail(local, message, line, path)
            return
        self._inside_episode(local, attributes, line, path)

    def end(self, element: etree._Element) -> Iterator[Record]:
        frame = self.stack.pop()
        qname = etree.QName(element)
        if qname.namespace == EXTENSION_NAMESPACE and qname.localname == "Tekst":
            if self.draft is not None:
                self.draft.text = element.text
        elif self.namespace is not None and qname.namespace == self.namespace:
            if frame.name == "Episode" and self.draft is not None:
                yield from self._flush_draft()
            elif frame.name == "Objektholder":
                yield from self._flush_holder()
            elif frame.name in ("Tilstand", "Prosedyre") and self.draft is not None:
                self._close_group(frame)
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]

    # -- the parts ---------------------------------------------------------------------

    def _namespace(self, local: str, ns: str | None, line: int) -> None:
        if local == "Melding" and self.namespace is None:
            if ns is None or not NAMESPACE.fullmatch(ns):
                found = f"navnerommet «{ns}»" if ns else "ikke noe navnerom"
                raise InputError(
                    f"Melding har {found}; forventet {EXPECTED_NAMESPACE}",
                    file=self.name,
                    line=line,
                )
            self.namespace = ns
        elif self.namespace is None:
            raise InputError(
                f"elementet {local} står før eller utenfor Melding", file=self.name, line=line
            )
        elif ns != self.namespace:
            found = f"navnerommet «{ns}»" if ns else "ikke noe navnerom"
            raise InputError(
                f"elementet {local} har {found}, men Melding har «{self.namespace}»",
                file=self.name,
                line=line,
            )

    def _outside_episode(self, local: str, attributes: dict[str, str]) -> None:
        if local == "Institusjon":
            self.institution = values.text(attributes.get("institusjonID"))
            self.units = {}
        elif local == "Enhet":
            unit = values.text(attributes.get("enhetID"))
            label = values.text(attributes.get("enhetLokal")) or values.text(
                attributes.get("reshID")
            )
            if unit is not None:
                self.units[unit] = label or unit
        elif local == "Objektholder":
            self.holder = attributes
            self.patient = {}
        elif local == "Pasient":
            self.patient = attributes
            frame = self.stack[-1]
            self.patient_at = (frame.line, frame.path)
        elif local in ("Tilstand", "Tjeneste", "Tiltak", "Prosedyre", "Kode", "RefEnhet"):
            self.stray.append(f"{local} står utenfor en Episode og er ikke lest")

    def _inside_episode(self, local: str, attributes: dict[str, str], line: int, path: str) -> None:
        draft = self.draft
        assert draft is not None
        if local == "RefEnhet":
            if attributes.get("typeEnhet") == FAGENHET:
                unit = attributes.get("enhetID")
                if unit is None:
                    self._fail("enhetID", "RefEnhet mangler enhetID", line, path)
                elif unit not in self.units:
                    message = "RefEnhet viser til en Enhet som ikke står foran i Institusjon"
                    self._fail("enhetID", message, line, path)
                else:
                    draft.unit = self.units[unit]
        elif local == "Tilstand":
            number = self._number(attributes, "tilstNr", line, path)
            if number is not None:
                if number in draft.conditions:
                    self._fail("tilstNr", "tilstNr står to ganger i episoden", line, path)
                draft.conditions.setdefault(number, {})
            draft.condition, draft.procedure = number, None
        elif local == "Tjeneste":
            draft.day = self._day(attributes, "startDatoTid", line, path)
        elif local == "Tiltak":
            draft.day = self._day(attributes, "startDatoTid", line, path) or draft.day
        elif local == "Prosedyre":
            number = self._number(attributes, "prosNr", line, path)
            if number is not None:
                if number in draft.procedures:
                    self._fail("prosNr", "prosNr står to ganger i episoden", line, path)
                draft.procedures.setdefault(number, (draft.day, {}))
            draft.procedure, draft.condition = number, None
        elif local == "Kode":
            self._code(attributes, line, path)

    def _code(self, attributes: dict[str, str], line: int, path: str) -> None:
        draft = self.draft
        assert draft is not None
        number = self._number(attributes, "kodeNr", line, path)
        letter = values.text(attributes.get("kodeverk"))
        value = values.text(attributes.get("kodeVerdi"))
        if letter is None:
            self._fail("kodeverk", "påkrevd attributt kodeverk mangler", line, path)
            return
        if value is None:
            self._fail("kodeVerdi", "påkrevd attributt kodeVerdi mangler eller er tomt", line, path)
            return
        if letter not in READ_LETTERS:
            if letter in SKIPPED_LETTERS:
                self.skipped[letter] = self.skipped.get(letter, 0) + 1
                return
            self._fail("kodeverk", f"ukjent kodeverk-bokstav (kjente: {KNOWN_LETTERS})", line, path)
            return
        if number is None:
            return
        if draft.condition is not None:
            codes = draft.conditions[draft.condition]
        elif draft.procedure is not None:
            codes = draft.procedures[draft.procedure][1]
        else:
            return  # the group's own number was unreadable, and that is reported
        if number in codes:
            self._fail("kodeNr", "kodeNr står to ganger i samme gruppe", line, path)
        codes[number] = model_code(value, letter)

    def _close_group(self, frame: _Frame) -> None:
        """A `Tilstand` or `Prosedyre` must hold at least one `Kode`."""
        draft = self.draft
        assert draft is not None
        if "Kode" not in frame.children:
            self._fail("Kode", f"{frame.name} uten Kode", frame.line, frame.path)
        draft.condition = draft.procedure = None

    def _number(self, attributes: dict[str, str], name: str, line: int, path: str) -> int | None:
        raw = values.text(attributes.get(name))
        if raw is None:
            self._fail(name, f"påkrevd attributt {name} mangler", line, path)
            return None
        if not raw.isdigit() or int(raw) < 1:
            self._fail(name, f"{name} må være et positivt heltall", line, path)
            return None
        return int(raw)

    def _day(self, attributes: dict[str, str], name: str, line: int, path: str) -> date | None:
        try:
            moment = values.moment(attributes.get(name), name)
        except ValueProblem as problem:
            self._fail(problem.field, problem.message, line, path)
            return None
        return moment.date() if moment else None

    def _fail(self, field: str | None, message: str, line: int, path: str) -> None:
        """Mark the episode being read as unreadable; the first problem is the one told."""
        if self.draft is not None and self.draft.problem is None:
            self.draft.problem = _Problem(field, message, line, path)

    # -- records -----------------------------------------------------------------------

    def _flush_draft(self) -> Iterator[Record]:
        draft, self.draft = self.draft, None
        assert draft is not None
        if draft.orphan and draft.problem is not None:
            yield self._rejected(draft.problem)
        else:
            self.drafts.append(draft)

    def _flush_holder(self) -> Iterator[Record]:
        drafts, self.drafts = self.drafts, []
        for draft in drafts:
            if draft.problem is not None:
                yield self._rejected(draft.problem)
                continue
            try:
                yield self._episode(draft)
            except ValueProblem as problem:
                line, path = draft.line, draft.path
                if problem.field in _PATIENT_FIELDS:
                    line, path = self.patient_at
                yield self._rejected(_Problem(problem.field, problem.message, line, path))
            except Exception:  # deliberate: one odd episode must not stop the message
                yield self._rejected(_Problem(None, UNEXPECTED, draft.line, draft.path))

    def _rejected(self, problem: _Problem) -> Rejected:
        return Rejected(
            self.name,
            problem.line,
            problem.field,
            problem.message,
            f"linje {problem.line}, element {problem.path}",
        )

    def _episode(self, draft: _Draft) -> Episode:
        get = draft.attributes.get
        episode_id = values.text(get("episodeID"))
        if episode_id is None:
            raise ValueProblem("episodeID", "påkrevd attributt episodeID mangler")
        admission = values.moment(get("innDatoTid"), "innDatoTid")
        discharge = values.moment(get("utDatoTid"), "utDatoTid")
        care_raw = values.text(get("omsorgsniva"))
        kv = _extension(draft.attributes)
        return Episode(
            id=episode_id,
            patient=self._patient(admission, kv),
            institution=self.institution,
            department=draft.unit,
            care_level=values.care_level(care_raw, "omsorgsniva"),
            # the model's own form where the code says no more than it (1–3); 8 stays
            care_level_raw=care_raw if care_raw == "8" else None,
            urgency=values.urgency(get("innmateHast"), "innmateHast"),
            admission=admission,
            discharge=discharge,
            transferred_from=values.text(get("fraInstitusjonID"))
            or (TRANSFER if values.text(get("fraSted")) == TRANSFER else None),
            transferred_to=kv.get("tilInstitusjonID")
            or (TRANSFER if values.text(get("tilSted")) == TRANSFER else None),
            # a group whose codes were all of systems left out is no group, unless it is the
            # main condition's (values.condition_groups)
            conditions=values.condition_groups(
                [_ordered(draft.conditions[n]) for n in sorted(draft.conditions)]
            ),
            procedures=[
                ProcedureGroup(_ordered(draft.procedures[n][1]), draft.procedures[n][0])
                for n in sorted(draft.procedures)
                if draft.procedures[n][1]
            ],
            text=draft.text,
            source=Source(self.name, draft.line),
            grouping_inferred=kv.get("grupperingUtledet") == "ja",
        )

    def _patient(self, admission: datetime | None, kv: dict[str, str]) -> Patient:
        person = self.patient
        sex, sex_raw = values.sex(person.get("kjonn"))
        own = _extension(person)
        birth = values.day(own.get("fodselsdato"), "fodselsdato")
        age_days = values.integer(kv.get("alderIDager"), "alderIDager")
        age = values.integer(kv.get("alder"), "alder")
        birth_year = values.integer(person.get("fodselsar"), "fodselsar")
        if age is None and birth is None and age_days is None and birth_year is not None:
            # the flat extract's reading of a birth year (npr_csv)
            age = admission.year - birth_year if admission is not None else None
        return Patient(
            id=values.text(self.holder.get("pasientNr")) or values.text(person.get("pasientNr")),
            sex=sex,
            sex_raw=sex_raw if sex is None else None,  # kept for E03 only when it says more
            birth_date=birth,
            age_years=age,
            age_days=age_days,
        )

    def notices(self) -> list[str]:
        found = []
        if self.skipped:
            counted = ", ".join(
                f"{n} fra {letter} {SKIPPED_LETTERS[letter]}"
                for letter, n in sorted(self.skipped.items())
            )
            found.append(
                f"koder fra kodeverk som kodevakt ikke kontrollerer er ikke lest ({counted})"
            )
        found.extend(f"strukturfeil: {problem}" for problem in self.stray[:20])
        if len(self.stray) > 20:
            found.append(f"… og {len(self.stray) - 20} strukturfeil til")
        return found


_PATIENT_FIELDS = frozenset({"kjonn", "fodselsar", "fodselsdato"})


def _extension(attributes: dict[str, str]) -> dict[str, str]:
    """The attributes in kodevakt's namespace, by local name."""
    prefix = f"{{{EXTENSION_NAMESPACE}}}"
    return {k[len(prefix) :]: v for k, v in attributes.items() if k.startswith(prefix)}


def _ordered(codes: dict[int, str]) -> list[str]:
    return [codes[n] for n in sorted(codes)]
