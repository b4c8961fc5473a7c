"""Norwegian titles for ICD-10 blocks and categories, written by kodevakt.

The embedded code list gives Norwegian texts for reportable codes only; the headings above them
(blocks like `J09-J18`, categories like `J12`) have WHO's English titles, so a coder would see
"Viral pneumonia, not elsewhere classified" above a Norwegian code text. No openly licensed
Norwegian source for those titles is available to the build, so kodevakt writes its own
(`kodevakt/data/icd10_titles_no.tsv`), translated from WHO's title in the terms the Norwegian
code texts below the heading use. They are kept apart from the list's texts (`Code.own_title`,
shown marked as kodevakt's wording, and not searched as if the list had said them) and are
used only where the list has no Norwegian text: an official list loaded for a year brings its
own titles and replaces them.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from kodevakt.codes.curated_table import table_rows, table_text
from kodevakt.errors import CodeListError

TITLES_FILE = "icd10_titles_no.tsv"
COLUMNS = ("code", "title")


def load_titles(path: str | os.PathLike[str] | Traversable) -> dict[str, str]:
    """Read a title table (code, title; tab-separated); a defect raises `CodeListError`."""
    text, name = table_text(path, "titteltabellen")
    return parse_titles(text, name)


ROW = "raden må ha en kode og en tittel adskilt med tabulator"


def parse_titles(text: str, name: str) -> dict[str, str]:
    titles: dict[str, str] = {}
    for number, fields in table_rows(
        text,
        name,
        COLUMNS,
        missing_header="titteltabellen mangler kolonnenavn",
        bad_row=ROW,
    ):
        if not all(fields):
            raise CodeListError(ROW, file=name, line=number)
        code, title = fields
        if code in titles:
            raise CodeListError(
                f"{code} har tittel også tidligere i tabellen", file=name, line=number
            )
        titles[code] = title
    return titles


@cache
def default_titles() -> dict[str, str]:
    """The titles shipped with kodevakt, parsed once per process."""
    return load_titles(files("kodevakt.data") / TITLES_FILE)
