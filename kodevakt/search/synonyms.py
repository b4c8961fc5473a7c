"""The curated synonym list (`kodevakt/data/synonyms.tsv`) and abbreviation list
(`kodevakt/data/abbreviations.tsv`).

Clinicians write "lungebetennelse", "KOLS" and "Setesdalsrykkja"; code texts say "pneumoni",
"kronisk obstruktiv lungesykdom" and "Huntingtons sykdom". Each line of a list maps a term to
a target: either Norwegian words of the code texts (so the mapping keeps working when the code
texts or the code list change, and finds every code that uses the words) or, where no words
would single the right codes out, a code (the code and everything under it).

Columns: term, target, kind (lay, abbreviation, eponym, old-name, latin, english, drug), source
note. Lines starting with `#` are comments. The two files have the same form; abbreviations have
a file of their own so that each has its source and the list can be reviewed as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.errors import CodeListError

SYNONYM_FILE = "synonyms.tsv"
ABBREVIATION_FILE = "abbreviations.tsv"
SYNONYM_FILES = (SYNONYM_FILE, ABBREVIATION_FILE)


class Kind(StrEnum):
    LAY = "lay"
    ABBREVIATION = "abbreviation"
    EPONYM = "eponym"
    OLD_NAME = "old-name"
    LATIN = "latin"
    ENGLISH = "english"
    DRUG = "drug"  # a drug or drug class by its brand or generic name


# How a match through a synonym of each kind is named in a hit's explanation.
KIND_LABEL = {
    Kind.LAY: "synonym",
    Kind.ABBREVIATION: "forkortelse",
    Kind.EPONYM: "eponym",
    Kind.OLD_NAME: "gammelt navn",
    Kind.LATIN: "latin",
    Kind.ENGLISH: "engelsk",
    Kind.DRUG: "legemiddel",
}


@dataclass(frozen=True, slots=True)
class Synonym:
    """One line of the list. `code` is set when the target is a code, else `words` is."""

    term: str
    target: str
    kind: Kind
    source: str
    code: str | None
    line: int


def parse_synonyms(text: str, file: str = SYNONYM_FILE) -> list[Synonym]:
    """Parse the TSV text of a synonym list; a malformed line is an error naming the line."""
    found: list[Synonym] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if cells[:3] == ["term", "target", "kind"]:
            continue
        if len(cells) != 4 or not all(cells):
            raise CodeListError(
                "en linje i synonymlisten må ha fire utfylte kolonner "
                "(term, mål, type, kilde) skilt med tabulator",
                file=file,
                line=number,
            )
        term, target, kind, source = cells
        try:
            parsed_kind = Kind(kind)
        except ValueError:
            raise CodeListError(
                f"ukjent type «{kind}» (bruk {', '.join(k.value for k in Kind)})",
                file=file,
                line=number,
                field="kind",
            ) from None
        found.append(Synonym(term, target, parsed_kind, source, _code_target(target), number))
    return found


def _code_target(target: str) -> str | None:
    """The canonical code when `target` is written as a code, else `None`."""
    if " " in target or not any(ch.isdigit() for ch in target):
        return None
    norm = normalise(target)
    return norm.code if norm.kind is not CodeKind.UNKNOWN else None


def _file_text(name: str) -> str:
    return (files("kodevakt.data") / name).read_text(encoding="utf-8")


def synonym_text() -> str:
    """The raw text of the packaged lists, one after the other (hashed into the index cache
    key)."""
    return "\n".join(_file_text(name) for name in SYNONYM_FILES)


@cache
def load_synonyms() -> tuple[Synonym, ...]:
    """Every line of the packaged lists; an error names the file and line."""
    return tuple(line for name in SYNONYM_FILES for line in parse_synonyms(_file_text(name), name))
