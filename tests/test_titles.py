"""Norwegian titles above Norwegian code texts: kodevakt's own where the list has none, marked
as such, and replaced by a list's own text."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodevakt.codes.coverage import title_coverage
from kodevakt.codes.describe import describe
from kodevakt.codes.embedded import load_embedded_icd10
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.model import Level
from kodevakt.codes.release import Family
from kodevakt.codes.titles import default_titles, parse_titles
from kodevakt.errors import CodeListError

LISTS = Path(__file__).parent / "fixtures" / "codelists"


def test_every_heading_with_norwegian_codes_has_a_norwegian_title() -> None:
    coverage = title_coverage(load_embedded_icd10())
    assert coverage.english == 0
    assert coverage.headings == coverage.listed + coverage.own > 1800


def test_every_title_in_the_table_is_used() -> None:
    """A title for a code the list has no heading for (a typo, a stale row) would be lost."""
    headings = {
        c.code
        for c in load_embedded_icd10()
        if c.level is not Level.CHAPTER and not c.reportable and not c.who_only
    }
    assert set(default_titles()) <= headings


def test_own_title_is_shown_as_kodevakts_and_not_as_the_lists_text() -> None:
    base = default_codebase()
    j12 = base.get("J12")
    assert j12 is not None and j12.text is None
    assert j12.display_text == "Viral lungebetennelse, ikke klassifisert annet sted"
    info = describe(base, "J12.8")
    parent = info["parents"][0]
    assert parent["code"] == "J12" and parent["own_title"] is True
    assert info["parents"][-1]["own_title"] is False  # chapter titles come with the data


def test_a_subdivided_code_keeps_the_lists_last_text_as_its_title() -> None:
    d37 = default_codebase().get("D37.0")
    assert d37 is not None and d37.own_title is None
    assert d37.text is not None and d37.text.startswith("Svu. med usikkert")


def test_an_official_list_brings_its_own_titles() -> None:
    base = default_codebase([LISTS / "icd10_2026.xlsx"])
    official = base.code_list(Family.ICD10, 2026)
    assert official is not None and not official.release.embedded
    j12 = official.get("J12")
    assert j12 is not None and j12.text == "Viruspneumoni, ikke klassifisert annet sted"
    assert j12.own_title is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kode\ttittel\n", "kolonnenavnene"),
        ("code\ttitle\nJ12\n", "en kode og en tittel"),
        ("code\ttitle\nJ12\tA\nJ12\tB\n", "også tidligere"),
        ("# bare kommentar\n", "mangler kolonnenavn"),
    ],
)
def test_a_defective_title_table_is_refused(text: str, message: str) -> None:
    with pytest.raises(CodeListError, match=message):
        parse_titles(text, "t.tsv")
