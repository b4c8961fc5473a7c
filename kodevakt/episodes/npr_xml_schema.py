"""Validating an NPR message against an XML schema: the official one, when the user has it.

`xmlschema` validates lazily over lxml's incremental parser, so a message of any size is
checked with bounded memory, and every violation is reported with its line and element
path. Its own texts quote the values at fault (a birth year, a patient number typed in the
wrong place), so each violation is told again in Norwegian from its kind, naming only
attributes and elements. kodevakt's own schema of the documented structure is SCHEMA (not
the official one; see its header).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import xmlschema
from lxml import etree

from kodevakt.errors import InputError

SCHEMA = Path(str(files("kodevakt.data") / "npr-melding-kodevakt.xsd"))

_ATTRIBUTE = re.compile(r"^attribute ([^=\s]+)=")
_MISSING = re.compile(r"missing required attribute '([^']+)'")
_EXPECTED = re.compile(r"Tag '([^']+)' expected")
_TYPES = {
    "integer": "et heltall",
    "positiveInteger": "et positivt heltall",
    "int": "et heltall",
    "date": "en dato (ÅÅÅÅ-MM-DD)",
    "dateTime": "dato og klokkeslett (ÅÅÅÅ-MM-DDTTT:MM:SS)",
    "gYear": "et årstall",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One breach of the schema: where (line, element path) and what, in Norwegian."""

    line: int | None
    path: str
    message: str

    def describe(self) -> str:
        where = f"linje {self.line}, " if self.line else ""
        return f"{where}element {self.path}: {self.message}"


def load_schema(path: str | Path) -> xmlschema.XMLSchema:
    """The schema at `path`; InputError when it cannot be read as one."""
    try:
        return xmlschema.XMLSchema(str(path))
    except (OSError, xmlschema.XMLSchemaException, etree.LxmlError, SyntaxError) as exc:
        reason = "filen finnes ikke" if isinstance(exc, FileNotFoundError) else "ikke et XML-skjema"
        raise InputError(f"skjemaet kan ikke leses ({reason})", file=str(path)) from None


def violations(message: str | Path, schema: xmlschema.XMLSchema) -> Iterator[Violation]:
    """Every violation of `schema` in the message file, in document order. Raises InputError
    when the message is not well-formed XML (the reader says where)."""
    try:
        resource = xmlschema.XMLResource(str(message), lazy=True, iterparse=etree.iterparse)
        for error in schema.iter_errors(resource):
            yield Violation(error.sourceline, _path(error.path), _message(error))
    except (xmlschema.XMLResourceError, etree.LxmlError) as exc:
        raise InputError(
            "XML-en er ikke velformet og kan ikke valideres", file=str(message)
        ) from exc


def _path(path: str | None) -> str:
    """The element path without namespace prefixes."""
    if not path:
        return "/"
    return re.sub(r"\{[^}]*\}|\b[\w.-]+:", "", path)


def _message(error: xmlschema.XMLSchemaValidationError) -> str:
    reason = error.reason or ""
    if missing := _MISSING.search(reason):
        return f"påkrevd attributt «{missing[1]}» mangler"
    if attribute := _ATTRIBUTE.match(reason):
        validator = error.validator
        name = getattr(validator, "local_name", None) or ""
        expected = _TYPES.get(name)
        if expected is not None:
            return f"attributtet «{attribute[1]}» har en ugyldig verdi (forventet {expected})"
        return f"attributtet «{attribute[1]}» har en verdi som ikke er tillatt"
    if isinstance(error, xmlschema.XMLSchemaChildrenValidationError):
        tag = getattr(error, "invalid_tag", None)
        if tag:
            local = etree.QName(tag).localname
            return f"elementet «{local}» er ikke ventet her (underelement nr. {error.index + 1})"
        if wanted := _EXPECTED.search(reason):
            return f"elementet er ufullstendig: «{wanted[1].split(':')[-1]}» mangler"
        return "elementene står ikke i den rekkefølgen skjemaet krever"
    return "brudd på skjemaet (" + type(error).__name__.removeprefix("XMLSchema") + ")"
