"""What an uploaded extract is: a format kodevakt reads, or refused before the import with why.

The import reads an upload as `kodevakt import` reads a file: its format told from its
content, else from its suffix (`episodes.formats`), its start checked against the encoding
before any record (`episodes.reading.check_start`). But a terminal user names an extract; a
browser user may pick anything on the disk: the spreadsheet the extract was pasted into, a
PDF, a zip. Read as the last fallback (interchange JSON), such a file would have every line
rejected, which does not say what went wrong. So an upload is refused first when

- it is empty;
- its first bytes are a file type that holds no episodes (`SIGNATURES`: Excel, Word, PDF,
  zip, gzip, images), named, with what to upload instead;
- neither its content nor its suffix tells an episode format (content decides when the
  detected format is the same whatever the file is called), unless the user chose one;
- its start does not decode in the chosen encoding, or it is no readable Parquet file.

The messages are Norwegian and name no value from the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kodevakt.episodes.formats import HEAD_BYTES, EpisodeFormat, detect_from_head
from kodevakt.episodes.reading import check_start
from kodevakt.errors import InputError

# Encodings the form offers: value (None = the reader's default) and label.
ENCODINGS: tuple[tuple[str, str], ...] = (
    ("", "UTF-8 (standard)"),
    ("cp1252", "Windows-1252 (ofte filer lagret fra Excel)"),
    ("latin-1", "ISO-8859-1 (Latin-1)"),
    ("utf-16", "UTF-16"),
)
# What the file input suggests in the browser's file chooser (any file may still be sent).
ACCEPT = ".csv,.tsv,.txt,.json,.jsonl,.ndjson,.xml,.parquet,.pq"
JSON_SUFFIXES = (".json", ".jsonl")  # the fallback format, claimed by name
FORMATS_TEXT = (
    "NPR-flatfil (CSV), NPR-melding (XML), FHIR R4 (JSON), utvekslings-JSON eller JSON "
    "Lines, og Parquet"
)
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "en Excel-arbeidsbok (.xlsx), et Word-dokument eller en zip-fil"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "et eldre Excel- eller Word-dokument (.xls, .doc)"),
    (b"%PDF", "en PDF-fil"),
    (b"\x1f\x8b", "en gzip-komprimert fil"),
    (b"\x89PNG", "et bilde (PNG)"),
    (b"\xff\xd8\xff", "et bilde (JPEG)"),
    (b"GIF8", "et bilde (GIF)"),
)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
MAX_NAME = 120


class WrongFormat(Exception):
    """The upload is no episode file kodevakt can read; `str()` says why, in Norwegian."""


@dataclass(frozen=True, slots=True)
class Recognised:
    """How the import will read the upload."""

    format: EpisodeFormat
    by_content: bool  # False: only the suffix (or the user's choice) decided


def safe_name(name: str | None) -> str:
    """The uploaded file's own name (no folders, no characters a file system refuses),
    kept for messages and for its suffix, which may decide the format."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if len(cleaned) > MAX_NAME:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot else cleaned[:MAX_NAME]
    return cleaned or "uttrekk"


def recognise(
    path: Path, encoding: str | None = None, chosen: EpisodeFormat | None = None
) -> Recognised:
    """The format the import will read the file at `path` as; `WrongFormat` when it is not
    one kodevakt reads (see the module docstring). `chosen` is the user's choice of format."""
    with open(path, "rb") as raw:
        head = raw.read(HEAD_BYTES)
    if not head:
        raise WrongFormat("Filen er tom.")
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            raise WrongFormat(
                f"Filen ser ut som {what}, ikke et episodeuttrekk. Last opp uttrekket slik "
                "pasientsystemet laget det, eller lagre regnearket som CSV (semikolondelt). "
                f"kodevakt leser {FORMATS_TEXT}."
            )
    found = chosen
    by_content = False
    if found is None:
        by_content = _by_content(head, encoding)
        found = detect_from_head(head, path.name, encoding)
        if not by_content and not _by_suffix(head, path.name, encoding):
            raise WrongFormat(
                "Filen ble ikke gjenkjent som et episodeuttrekk: starten er verken JSON, XML, "
                "Parquet eller en NPR-flatfil med kolonnenavn (lopenr, innDato, omsorgsniva, "
                f"tilstand_1_1 …), og filendelsen sier ikke noe om formatet. kodevakt leser "
                f"{FORMATS_TEXT}; velg formatet i skjemaet hvis filen likevel er et av dem."
            )
    try:
        check_start(path, encoding, found)
    except InputError as exc:
        if found.binary:
            raise WrongFormat(_sentence(exc.message)) from None
        raise WrongFormat(
            f"Starten av filen kan ikke leses som {_encoding_label(encoding)} (linje "
            f"{exc.line or 1}). Velg tegnkodingen filen er lagret med; filer lagret fra Excel "
            "er ofte Windows-1252."
        ) from None
    return Recognised(found, by_content)


def _by_content(head: bytes, encoding: str | None) -> bool:
    """Whether the content alone decides: the same format for two names whose suffixes
    would decide differently."""
    return detect_from_head(head, "x.csv", encoding) == detect_from_head(head, "x.xml", encoding)


def _by_suffix(head: bytes, name: str, encoding: str | None) -> bool:
    """Whether the file's suffix names an episode format (the content did not)."""
    if Path(name).suffix.lower() in JSON_SUFFIXES:
        return True
    return detect_from_head(head, name, encoding) != detect_from_head(head, "x", encoding)


def _encoding_label(encoding: str | None) -> str:
    """`Windows-1252` for cp1252: the label the form shows, without its note."""
    label = next((label for value, label in ENCODINGS if value == (encoding or "")), None)
    return label.split(" (")[0] if label else encoding or "UTF-8"


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text
