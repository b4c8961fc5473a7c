"""Writing episodes as an NPR message (XML), streamed, in the structure the reader reads.

The message nests episodes under their institution and patient (`Institusjon` →
`Objektholder` → `Episode`), and a department is a reference (`RefEnhet`) to a unit (`Enhet`)
declared before the patients. Episodes are written in their order: consecutive episodes of
one institution share an `Institusjon`, of one patient an `Objektholder`. An `Institusjon`
holds at most CHUNK episodes (its units must be known before its patients are written, so
its episodes are held until then): a long run of one institution becomes several elements
with the same `institusjonID`, and memory stays bounded.

What the message cannot hold goes into kodevakt's namespace (npr_message), unless
`extensions` is off. The written message is not all NPR asks for: the administrative parts
kodevakt does not model (`Kontaktperson`, `Kontakt`, debitor, municipality …) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from itertools import groupby
from typing import IO

from lxml import etree

from kodevakt.codes.normalise import normalise
from kodevakt.codes.procedures import parse_procedure
from kodevakt.episodes.model import Episode, ProcedureGroup
from kodevakt.episodes.npr_message import (
    DEFAULT_NAMESPACE,
    EXTENSION_NAMESPACE,
    EXTENSION_PREFIX,
    FAGENHET,
    NAMESPACE,
    TRANSFER,
    URGENCY_CODES,
    care_code,
    letter_for,
    npr_value,
    sex_code,
)

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class MessageOptions:
    """`namespace`: the version namespace to write; `period`: the message's reporting
    period (first and last day), when known; `extensions`: write kodevakt's `kv:` fields."""

    namespace: str = DEFAULT_NAMESPACE
    period: tuple[date, date] | None = None
    extensions: bool = True


def write_npr_xml(
    episodes: Iterable[Episode], stream: IO[bytes], options: MessageOptions | None = None
) -> int:
    """Write `episodes` as one NPR message to `stream`; the number written."""
    options = options or MessageOptions()
    ns = options.namespace
    nsmap: dict[str | None, str] = {None: ns}
    if options.extensions:
        nsmap[EXTENSION_PREFIX] = EXTENSION_NAMESPACE
    build = _Builder(ns, nsmap, options.extensions)
    count = 0
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{ns}}}Melding", _message_attributes(options), nsmap=nsmap):
            xf.write("\n")
            for chunk in _chunks(episodes):
                xf.write(build.institution(chunk), pretty_print=True)
                count += len(chunk)
    return count


def _message_attributes(options: MessageOptions) -> dict[str, str]:
    match = NAMESPACE.fullmatch(options.namespace)
    attributes = {"versjon": match[1].replace("_", ".") if match else ""}
    if options.period is not None:
        attributes["fraDatoPeriode"] = options.period[0].isoformat()
        attributes["tilDatoPeriode"] = options.period[1].isoformat()
    try:
        own = version("kodevakt")
    except PackageNotFoundError:  # run from a source tree that was not installed
        own = "ukjent"
    attributes.update(
        uttakDato=date.today().isoformat(),
        leverandor="kodevakt",
        navnEPJ="kodevakt",
        versjonEPJ=own,
        versjonUt=own,
    )
    return {k: v for k, v in attributes.items() if v}


def _chunks(episodes: Iterable[Episode]) -> Iterator[list[Episode]]:
    """Runs of consecutive episodes of one institution, at most CHUNK long."""
    chunk: list[Episode] = []
    for episode in episodes:
        if chunk and (len(chunk) >= CHUNK or episode.institution != chunk[0].institution):
            yield chunk
            chunk = []
        chunk.append(episode)
    if chunk:
        yield chunk


class _Builder:
    """Elements of one message; `kv` is the extension namespace, or None when left out."""

    def __init__(self, ns: str, nsmap: dict[str | None, str], extensions: bool) -> None:
        self.ns = ns
        self.nsmap = nsmap
        self.kv = EXTENSION_NAMESPACE if extensions else None

    def _sub(self, parent: etree._Element, name: str, **attributes: str | None) -> etree._Element:
        values = {k: v for k, v in attributes.items() if v is not None}
        return etree.SubElement(parent, f"{{{self.ns}}}{name}", values)

    def _extend(self, element: etree._Element, **attributes: str | None) -> None:
        if self.kv is None:
            return
        for name, value in attributes.items():
            if value is not None:
                element.set(f"{{{self.kv}}}{name}", value)

    def institution(self, chunk: list[Episode]) -> etree._Element:
        root = etree.Element(f"{{{self.ns}}}Institusjon", nsmap=self.nsmap)
        if chunk[0].institution is not None:
            root.set("institusjonID", chunk[0].institution)
        units = list(dict.fromkeys(e.department for e in chunk if e.department is not None))
        unit_ids = {name: str(i) for i, name in enumerate(units, start=1)}
        for name, unit_id in unit_ids.items():
            self._sub(root, "Enhet", enhetID=unit_id, enhetLokal=name)
        for _, same in groupby(chunk, key=_patient_key):
            group = list(same)
            patient = group[0].patient
            holder = self._sub(root, "Objektholder", pasientNr=patient.id)
            self._patient(holder, group[0])
            for episode in group:
                self._episode(holder, episode, unit_ids)
        return root

    def _patient(self, holder: etree._Element, episode: Episode) -> None:
        patient = episode.patient
        element = self._sub(
            holder,
            "Pasient",
            pasientNr=patient.id,
            kjonn=sex_code(episode),
            fodselsar=_birth_year(episode),
        )
        birth = patient.birth_date
        self._extend(element, fodselsdato=birth.isoformat() if birth else None)

    def _episode(self, holder: etree._Element, episode: Episode, units: dict[str, str]) -> None:
        patient = episode.patient
        transferred_from, transferred_to = episode.transferred_from, episode.transferred_to
        element = self._sub(
            holder,
            "Episode",
            episodeID=episode.id,
            fraInstitusjonID=transferred_from if transferred_from != TRANSFER else None,
            innDatoTid=_moment(episode.admission),
            utDatoTid=_moment(episode.discharge),
            omsorgsniva=care_code(episode),
            innmateHast=URGENCY_CODES[episode.urgency] if episode.urgency else None,
            fraSted=TRANSFER if transferred_from else None,
            tilSted=TRANSFER if transferred_to else None,
        )
        years_from_birth_year = (
            patient.birth_date is None and patient.age_days is None and episode.admission
        )
        self._extend(
            element,
            alder=None
            if patient.age_years is None or years_from_birth_year
            else str(patient.age_years),
            alderIDager=None if patient.age_days is None else str(patient.age_days),
            tilInstitusjonID=transferred_to if transferred_to != TRANSFER else None,
            grupperingUtledet="ja" if episode.grouping_inferred else None,
        )
        if episode.department is not None:
            self._sub(element, "RefEnhet", enhetID=units[episode.department], typeEnhet=FAGENHET)
        for number, group in enumerate(episode.conditions, start=1):
            condition = self._sub(element, "Tilstand", tilstNr=str(number))
            self._codes(condition, group, condition=True)
        self._procedures(element, episode.procedures)
        if episode.text is not None and self.kv is not None:
            etree.SubElement(element, f"{{{self.kv}}}Tekst").text = episode.text

    def _procedures(self, episode: etree._Element, procedures: list[ProcedureGroup]) -> None:
        """One `Tjeneste` with one `Tiltak` per run of procedures done on the same day."""
        number = 0
        for day, same in groupby(procedures, key=lambda group: group.date):
            when = f"{day.isoformat()}T00:00:00" if day else None
            service = self._sub(episode, "Tjeneste", startDatoTid=when)
            groups = list(same)
            action = self._sub(
                service, "Tiltak", typeTiltak=_action_type(groups), startDatoTid=when
            )
            for group in groups:
                number += 1
                procedure = self._sub(action, "Prosedyre", prosNr=str(number))
                self._codes(procedure, group.codes, condition=False)

    def _codes(self, parent: etree._Element, codes: list[str], *, condition: bool) -> None:
        for number, code in enumerate(codes, start=1):
            self._sub(
                parent,
                "Kode",
                kodeNr=str(number),
                kodeverk=letter_for(code, condition=condition),
                kodeVerdi=npr_value(code),
            )


def _patient_key(episode: Episode) -> tuple[object, ...]:
    """Episodes share an `Objektholder` when everything written in `Pasient` is equal."""
    patient = episode.patient
    return (patient.id, sex_code(episode), _birth_year(episode), patient.birth_date)


def _birth_year(episode: Episode) -> str | None:
    patient = episode.patient
    if patient.birth_date is not None:
        return str(patient.birth_date.year)
    if patient.age_years is not None and patient.age_days is None and episode.admission:
        return str(episode.admission.year - patient.age_years)
    return None


def _moment(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _action_type(groups: list[ProcedureGroup]) -> str:
    """typeTiltak: 2 when the first procedure is diagnostic imaging (NCRP chapter S), else 1."""
    shape = parse_procedure(normalise(groups[0].codes[0]).code) if groups[0].codes else None
    return "2" if shape is not None and shape.imaging else "1"
