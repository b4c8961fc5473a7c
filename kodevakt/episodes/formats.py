"""The episode file formats kodevakt reads and writes, and how a file's format is recognised.

A hospital's file often carries a name that says nothing (`uttrekk.dat`, `melding_2025_1`),
or the wrong suffix, so the format is told from the content first: the Parquet magic bytes,
an XML start tag, a JSON object with a FHIR `resourceType`, a header line with NPR column
names. Only content that says nothing for certain (an empty file, a first record that is
damaged) falls back to the suffix, and in the end to the interchange JSON. `--input-format`
overrides all of it.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from enum import StrEnum
from pathlib import Path

HEAD_BYTES = 64 * 1024
PARQUET_MAGIC = b"PAR1"


class EpisodeFormat(StrEnum):
    """A file format of episodes; the value is its name on the command line."""

    JSONL = "jsonl"  # the interchange JSON: one object, an array, or JSON Lines
    NPR_CSV = "npr-csv"
    NPR_XML = "npr-xml"
    FHIR = "fhir"
    PARQUET = "parquet"

    @property
    def binary(self) -> bool:
        """Whether the format is not text (no encoding applies, no stdin)."""
        return self is EpisodeFormat.PARQUET

    @property
    def label(self) -> str:
        """The format's name for messages (Norwegian)."""
        return _LABELS[self]


_LABELS = {
    EpisodeFormat.JSONL: "utvekslings-JSON",
    EpisodeFormat.NPR_CSV: "NPR-flatfil (CSV)",
    EpisodeFormat.NPR_XML: "NPR-melding (XML)",
    EpisodeFormat.FHIR: "FHIR R4 (JSON)",
    EpisodeFormat.PARQUET: "Parquet",
}
_SUFFIXES = {
    ".csv": EpisodeFormat.NPR_CSV,
    ".tsv": EpisodeFormat.NPR_CSV,
    ".txt": EpisodeFormat.NPR_CSV,
    ".xml": EpisodeFormat.NPR_XML,
    ".parquet": EpisodeFormat.PARQUET,
    ".pq": EpisodeFormat.PARQUET,
    ".ndjson": EpisodeFormat.FHIR,
}
# Column names only an NPR flat extract has (compared in lower case).
_NPR_COLUMNS = re.compile(
    r"(?:^|[;,\t\"])(?:lopenr|inndato|omsorgsniva|tilstand_\d+_\d+)(?:$|[;,\t\"])"
)
_RESOURCE_TYPE = re.compile(r'"resourceType"\s*:\s*"[A-Za-z]+"')


def head_of(path: str | Path) -> bytes:
    """The first bytes of a file, or of stdin for `-` without consuming them (as far as the
    stream lets itself be peeked; else b"")."""
    if str(path) == "-":
        buffer = getattr(sys.stdin, "buffer", None)
        peek = getattr(buffer, "peek", None)
        return bytes(peek(HEAD_BYTES)[:HEAD_BYTES]) if peek is not None else b""
    with open(path, "rb") as raw:
        return raw.read(HEAD_BYTES)


def detect_format(path: str | Path, encoding: str | None = None) -> EpisodeFormat:
    """The format of the file at `path` (stdin for `-`), by content, then by suffix."""
    return detect_from_head(head_of(path), str(path), encoding)


def detect_from_head(head: bytes, name: str, encoding: str | None = None) -> EpisodeFormat:
    """The format that the first bytes `head` of file `name` show; see the module docstring."""
    if head.startswith(PARQUET_MAGIC):
        return EpisodeFormat.PARQUET
    text = _text(head, encoding).lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        return EpisodeFormat.NPR_XML
    if text.startswith(("{", "[")):
        return EpisodeFormat.FHIR if _is_fhir(text) else EpisodeFormat.JSONL
    first_line = text.split("\n", 1)[0].lower()
    if _NPR_COLUMNS.search(first_line):
        return EpisodeFormat.NPR_CSV
    return _SUFFIXES.get(Path(name).suffix.lower(), EpisodeFormat.JSONL)


def _text(head: bytes, encoding: str | None) -> str:
    try:
        decoder = codecs.getincrementaldecoder(encoding or "utf-8")("replace")
    except LookupError:  # the reader reports an unknown encoding
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
    return decoder.decode(head)


def _is_fhir(text: str) -> bool:
    """Whether the first JSON value in `text` is a FHIR resource (has `resourceType`)."""
    start = text.lstrip("[ \t\r\n")
    try:
        first, _ = json.JSONDecoder().raw_decode(start)
    except (ValueError, RecursionError):
        # cut by the end of the head, damaged, or nested too deeply: look at its keys' text
        return bool(_RESOURCE_TYPE.search(start[:4096]))
    return isinstance(first, dict) and "resourceType" in first
