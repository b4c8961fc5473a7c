"""The vocabulary of the NPR message (XML) that the reader and the writer share.

The official schema is handed out by the directorate on request only, so kodevakt maps the
message by element and attribute names (docs/formats.md, section 7). One version a year
changes the namespace (`http://www.npr.no/xmlstds/57_0_1_som`: version, then message type);
every version of the family is read the same way.

Codes: NPR registers ICD-10 codes without the dot (`E70.2` is sent as `E702`), kodevakt's
model holds them with it. A clean code changes form on the way in and out, and nothing else
does: a code with anything to correct (case, marks, spaces) is carried as written, so that
rule K04 still sees what the coder wrote.

Fields the NPR message has no place for (a full birth date, the age given without one, the
hospital a patient was transferred to, the epicrisis text, groups rebuilt from a flat
extract) travel as attributes and one element in kodevakt's own namespace (`kv:`). Any
reader that validates with a wildcard (`xs:anyAttribute namespace="##other"`) passes them
by; `--no-extensions` leaves them out for a receiver whose schema has none.
"""

from __future__ import annotations

import re

from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.codes.procedures import parse_procedure
from kodevakt.episodes.model import Episode
from kodevakt.episodes.values import UNKNOWN_SEX

NAMESPACE = re.compile(r"https?://www\.npr\.no/xmlstds/(\d+(?:[._]\d+)*)_([A-Za-z][\w-]*)")
DEFAULT_VERSION = "57_0_1"
DEFAULT_TYPE = "som"
DEFAULT_NAMESPACE = f"http://www.npr.no/xmlstds/{DEFAULT_VERSION}_{DEFAULT_TYPE}"
EXTENSION_NAMESPACE = "urn:kodevakt:npr-tillegg:1"
EXTENSION_PREFIX = "kv"
EXPECTED_NAMESPACE = "http://www.npr.no/xmlstds/<versjon>_<meldingstype>"

# kodeverk letters (NPR code list 8410) that kodevakt reads into an episode
READ_LETTERS = {
    "D": "ICD-10",
    "F": "ATC",
    "K": "NCSP",
    "M": "NCMP",
    "Q": "NCSP/NCMP/NCRP",
    "R": "NCRP",
    "S": "særkoder",
}
# letters of 8410 for code systems kodevakt does not check: known, counted, left out
SKIPPED_LETTERS = {"G": "NORPAT", "H": "ICPC-2", "P": "pakkeforløp"}
KNOWN_LETTERS = ", ".join(f"{letter} {name}" for letter, name in READ_LETTERS.items())

# RefEnhet typeEnhet (code list 8476) of the unit that is the episode's department
FAGENHET = "2"

# Sex, care level and urgency as the message codes them
SEX_CODES = {"M": "1", "K": "2", "u": "0", "ukjent": "0"}
CARE_CODES = {"inpatient": "1", "day": "2", "outpatient": "3"}
URGENCY_CODES = {"acute": "1", "elective": "4"}
TRANSFER = "2"  # fraSted/tilSted: another institution in the specialist health service


def npr_value(code: str) -> str:
    """`code` as the message carries it: a clean ICD-10 code without its dot."""
    found = normalise(code)
    if found.kind is CodeKind.ICD10 and not found.changed and "." in code:
        return code.replace(".", "")
    return code


def model_code(value: str, letter: str) -> str:
    """A `kodeVerdi` of kodeverk `letter` as kodevakt holds it: a clean ICD-10 code gets
    its dot back; anything else is kept as written."""
    if letter != "D" or "." in value:
        return value
    found = normalise(value)
    if found.kind is CodeKind.ICD10 and found.code.replace(".", "") == value:
        return found.code
    return value


def letter_for(code: str, *, condition: bool) -> str:
    """The kodeverk letter for `code` by its shape; a code of no known shape gets the letter
    of its place (D in a condition, K in a procedure), so that it is carried to the rules."""
    found = normalise(code)
    if found.kind is CodeKind.ICD10:
        return "D"
    if found.kind is CodeKind.ATC:
        return "F"
    if found.kind is CodeKind.SPECIAL:
        return "S"
    if found.kind is CodeKind.PROCEDURE:
        shape = parse_procedure(found.code)
        if shape is not None:
            return {"NCMP": "M", "NCRP": "R"}.get(shape.system.value, "K")
    return "D" if condition else "K"


def sex_code(episode: Episode) -> str | None:
    """kjonn: 1/2 for a known sex, 0/9 for an unknown one; a value that is neither is kept
    as written, for rule E03."""
    patient = episode.patient
    if patient.sex is not None:
        return SEX_CODES[patient.sex.value]
    raw = patient.sex_raw
    if raw is not None and raw.lower() in UNKNOWN_SEX:
        return SEX_CODES.get(raw.lower(), raw)
    return raw


def care_code(episode: Episode) -> str | None:
    """omsorgsniva: 1–3 from the care level, 8 where it was given as 8."""
    raw = episode.care_level_raw
    if raw is not None and raw.strip() == "8":
        return "8"
    return CARE_CODES[episode.care_level] if episode.care_level else None
