"""Importers for the official code list files: ICD-10 (xlsx/JSON) and the procedure workbook."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.loading import ENV_CODE_FILES, default_codebase, load_code_file
from kodevakt.codes.model import Level, Sex, System
from kodevakt.codes.official_icd10 import load_icd10_file
from kodevakt.codes.official_procedures import load_procedure_file
from kodevakt.codes.release import CodeList, Family
from kodevakt.errors import CodeListError

FIXTURES = Path(__file__).parent / "fixtures"
LISTS = FIXTURES / "codelists"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_code_lists", FIXTURES / "make_code_lists.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def icd2025() -> CodeList:
    return load_icd10_file(LISTS / "icd10_2025.xlsx")


@pytest.fixture(scope="module")
def icd2026() -> CodeList:
    return load_icd10_file(LISTS / "icd10_2026.xlsx")


@pytest.fixture(scope="module")
def procedures() -> CodeList:
    return load_procedure_file(LISTS / "alle_prosedyrekoder_2025.xlsx")


# ICD-10: every column


def test_icd10_release(icd2025: CodeList) -> None:
    release = icd2025.release
    assert release.family is Family.ICD10
    assert release.year == 2025
    assert release.source == "icd10_2025.xlsx"
    assert release.complete and not release.embedded


def test_icd10_hierarchy_rows(icd2025: CodeList) -> None:
    chapter = icd2025.codes["X"]
    assert chapter.level is Level.CHAPTER
    assert chapter.parent is None
    assert not chapter.reportable
    # Only the unlimited text is given for headings; it serves as the text as well.
    assert chapter.text == chapter.full_text == "(J00-J99) Sykdommer i åndedrettssystemet"
    block = icd2025.codes["J09-J18"]
    assert (block.level, block.parent, block.text) == (
        Level.BLOCK,
        "X",
        "Influensa og lungebetennelse",
    )
    category = icd2025.codes["J12"]
    assert (category.level, category.parent, category.reportable) == (
        Level.CATEGORY,
        "J09-J18",
        False,
    )
    assert icd2025.codes["J13"].level is Level.CATEGORY
    assert icd2025.codes["J13"].reportable  # a terminal three-character category
    assert [c.code for c in icd2025.ancestors("J12.8")] == ["J12", "J09-J18", "X"]
    assert icd2025.children("J09-J18") == ["J12", "J13"]
    assert icd2025.codes["XXII"].level is Level.CHAPTER
    assert icd2025.codes["W00-W19"].level is Level.BLOCK


def test_icd10_codes_become_canonical(icd2025: CodeList) -> None:
    assert {"J12.8", "I21.4a", "W0n.0r", "H36.0", "U07.1", "O62.3"} <= set(icd2025.codes)
    assert not {"J128", "I214a", "W0n0r"} & set(icd2025.codes)
    assert icd2025.codes["I21.4a"].parent == "I21.4"
    assert icd2025.codes["W0n.0r"].parent == "W0n"
    assert icd2025.codes["W0n"].level is Level.CATEGORY


def test_icd10_every_column(icd2025: CodeList) -> None:
    j128 = icd2025.codes["J12.8"]
    assert j128.system is System.ICD10
    assert j128.level is Level.CODE
    assert j128.text == "Annen spesifisert viruspneumoni"
    assert j128.valid_from == date(1999, 1, 1)  # a real date cell in the workbook
    assert j128.valid_to is None
    assert j128.reportable
    assert j128.npr_from == date(1999, 1, 1)
    assert not (j128.asterisk or j128.additional_only or j128.unspecific)
    assert j128.sex is None

    w0n = icd2025.codes["W0n.0r"]
    assert w0n.text == "Falluly;bolig;Annen aktivitet"
    assert w0n.full_text == "Fallulykke i bolig under annen aktivitet"
    assert w0n.additional_only

    assert icd2025.codes["H36.0"].asterisk
    assert icd2025.codes["H36"].asterisk

    u071 = icd2025.codes["U07.1"]
    assert (u071.valid_from, u071.npr_from, u071.npr_to) == (
        date(2020, 3, 1),
        date(2020, 3, 1),
        None,
    )
    assert u071.additional_only
    u072 = icd2025.codes["U07.2"]
    assert u072.valid_from == date(2020, 3, 1)  # written as 2020-03-01 without a time
    assert u072.npr_to == date(2025, 6, 30)  # written as 2025-06-30T23:59:00

    b342 = icd2025.codes["B34.2"]
    assert b342.valid_to == date(2025, 12, 31)
    assert b342.unspecific

    assert icd2025.codes["O62.3"].sex is Sex.FEMALE
    assert icd2025.codes["N40"].sex is Sex.MALE


def test_icd10_2026_with_title_rows_and_long_sex_names(icd2026: CodeList) -> None:
    assert icd2026.release.year == 2026
    assert "B34.2" not in icd2026.codes
    assert icd2026.codes["I21.4b"].valid_from == date(2026, 1, 1)
    assert icd2026.codes["O62.3"].sex is Sex.FEMALE  # "Kvinne"
    assert icd2026.codes["N40"].sex is Sex.MALE  # "Mann"
    assert icd2026.codes["J12.8"].text == "Annen spesifisert virusbetinget pneumoni"


def test_json_and_xlsx_give_the_same_codes(icd2025: CodeList) -> None:
    from_json = load_icd10_file(LISTS / "icd10_2025.json")
    assert from_json.release.year == icd2025.release.year
    assert from_json.release.source == "icd10_2025.json"
    assert from_json.codes == icd2025.codes


def test_json_plain_list_and_column_spelling_are_tolerated(
    tmp_path: Path, icd2025: CodeList
) -> None:
    records = json.loads((LISTS / "icd10_2025.json").read_text(encoding="utf-8-sig"))["koder"]

    def respell(key: str) -> str:
        return key.replace("_", " ").upper().replace("Ø", "O")

    path = tmp_path / "icd10_2025.json"
    path.write_text(json.dumps([{respell(k): v for k, v in r.items()} for r in records]))
    assert load_icd10_file(path).codes == icd2025.codes

    wrapped = tmp_path / "eksport_2025.json"
    wrapped.write_text(json.dumps({"meta": {"antall": 1}, "Data": records}))
    assert load_icd10_file(wrapped).codes == icd2025.codes


def test_release_year_from_argument_name_or_dates(tmp_path: Path) -> None:
    assert load_icd10_file(LISTS / "icd10_2025.xlsx", year=2024).release.year == 2024
    unnamed = tmp_path / "icd10.xlsx"
    shutil.copy(LISTS / "icd10_2026.xlsx", unnamed)
    assert load_icd10_file(unnamed).release.year == 2026  # I21.4b: Gyldig_fra 2026-01-01


# Several years side by side


@pytest.fixture(scope="module")
def base(icd2025: CodeList, icd2026: CodeList, procedures: CodeList) -> CodeBase:
    return CodeBase([icd2025, icd2026, procedures])


def test_expired_code_is_valid_before_and_not_after(base: CodeBase) -> None:
    assert base.resolve("B342", at=date(2025, 5, 1)).status is Status.OK
    assert base.resolve("B34.2", at=date(2025, 12, 31)).status is Status.OK
    later = base.resolve("B342", at=date(2026, 2, 1))
    assert later.status is Status.NOT_VALID
    assert later.code is not None and later.code.valid_to == date(2025, 12, 31)
    assert later.release is not None and later.release.year == 2025


def test_new_code_is_not_valid_before_its_year(base: CodeBase) -> None:
    assert base.resolve("I214b", at=date(2026, 3, 1)).status is Status.OK
    assert base.resolve("I214b", at=date(2025, 3, 1)).status is Status.NOT_VALID


def test_npr_end_date(base: CodeBase) -> None:
    assert base.resolve("U072", at=date(2025, 3, 1)).status is Status.OK
    assert base.resolve("U072", at=date(2025, 8, 1)).status is Status.NOT_VALID
    assert base.resolve("U072", at=date(2026, 1, 10)).status is Status.NOT_VALID
    assert base.resolve("U071", at=date(2019, 6, 1)).status is Status.NOT_VALID
    assert base.resolve("U071", at=date(2026, 1, 10)).status is Status.OK


def test_lookup_uses_the_release_of_the_year(base: CodeBase) -> None:
    code_2025 = base.get("J12.8", at=date(2025, 6, 1))
    code_2026 = base.get("J12.8", at=date(2026, 6, 1))
    assert code_2025 is not None and code_2025.text == "Annen spesifisert viruspneumoni"
    assert code_2026 is not None and code_2026.text == "Annen spesifisert virusbetinget pneumoni"
    assert base.resolve("H36", at=date(2025, 6, 1)).status is Status.NOT_REPORTABLE
    assert base.resolve("J12.7", at=date(2025, 6, 1)).status is Status.UNKNOWN
    release = base.code_list(Family.ICD10, date(2027, 1, 1))
    assert release is not None and release.release.year == 2026


# Procedures


def test_procedure_list_reads_every_column(procedures: CodeList) -> None:
    release = procedures.release
    assert (release.family, release.year, release.source, release.complete) == (
        Family.PROCEDURE,
        2025,
        "alle_prosedyrekoder_2025.xlsx",
        True,
    )
    codes = procedures.codes
    assert {c: codes[c].system for c in ("JKA21", "WBOC10", "HAB16K", "ZTX0EA")} == {
        "JKA21": System.NCSP,
        "WBOC10": System.NCMP,
        "HAB16K": System.NCRP,
        "ZTX0EA": System.NCRP,
    }
    assert codes["JKA21"].text == "Laparoskopisk appendektomi"
    assert codes["ZXA00"].full_text == "Prosedyre på høyre side"
    assert codes["ZXA00"].additional_only and codes["ZTX0EA"].additional_only
    assert not codes["JKA21"].additional_only
    assert codes["LCD00"].sex is Sex.FEMALE and codes["KEC00"].sex is Sex.MALE
    assert codes["JKA10"].valid_to == date(2025, 6, 30)
    assert codes["SSC0AA"].valid_from == date(2016, 1, 1)


def test_procedure_aliases_and_system_from_shape(procedures: CodeList) -> None:
    aliased = load_procedure_file(LISTS / "prosedyrekoder_alias_2025.xlsx")
    assert aliased.codes == procedures.codes


def test_procedure_validity_through_codebase(base: CodeBase) -> None:
    assert base.resolve("JKA10", at=date(2025, 3, 1)).status is Status.OK
    assert base.resolve("jka 10", at=date(2025, 8, 1)).status is Status.NOT_VALID
    assert base.resolve("JKA22", at=date(2025, 3, 1)).status is Status.UNKNOWN  # complete list


# Broken files: one error naming file, row and column


@pytest.mark.parametrize(
    ("name", "row", "field", "fragment"),
    [
        ("broken_icd10_missing_column_2025.xlsx", 1, "Gyldig_til", "mangler kolonne"),
        ("broken_icd10_bad_date_2025.xlsx", 8, "Gyldig_fra", "datoen «2025-13-01» kan ikke leses"),
        ("broken_icd10_bad_date_2025.json", 4, "Gyldig_fra", "datoen «01.13.2025» kan ikke leses"),
        ("broken_icd10_duplicate_2025.xlsx", 4, "Kode", "på rad 2 som «J128»"),
        ("broken_icd10_bad_sex_2025.xlsx", 3, "Kjønn", "kjønnet «Begge» er ukjent"),
        ("broken_procedures_missing_code_2025.xlsx", 1, "Kode", "«Prosedyrekode»"),
        ("broken_procedures_bad_code_2025.xlsx", 3, "Kode", "«J12.8» har ikke formen"),
    ],
)
def test_broken_file_names_file_row_and_column(
    name: str, row: int, field: str, fragment: str
) -> None:
    with pytest.raises(CodeListError) as caught:
        load_code_file(LISTS / name)
    error = caught.value
    assert (error.file, error.line, error.field) == (name, row, field)
    message = str(error)
    assert message.startswith(f"fil {name}, rad {row}, felt «{field}»: ")
    assert fragment in message


def test_broken_file_with_each_loader() -> None:
    with pytest.raises(CodeListError, match="rad 8, felt «Gyldig_fra»"):
        load_icd10_file(LISTS / "broken_icd10_bad_date_2025.xlsx")
    with pytest.raises(CodeListError, match="rad 3, felt «Kode»"):
        load_procedure_file(LISTS / "broken_procedures_bad_code_2025.xlsx")


def test_not_json() -> None:
    with pytest.raises(CodeListError) as caught:
        load_icd10_file(LISTS / "broken_icd10_not_json_2025.json")
    assert str(caught.value).startswith("fil broken_icd10_not_json_2025.json, rad 3: ")
    assert "ikke gyldig JSON" in str(caught.value)


def test_missing_procedure_column_lists_accepted_names() -> None:
    with pytest.raises(CodeListError) as caught:
        load_procedure_file(LISTS / "broken_procedures_missing_code_2025.xlsx")
    for name in ("Kode", "Prosedyrekode"):
        assert f"«{name}»" in str(caught.value)
    assert "Kolonner i filen: «Nummer»" in str(caught.value)


def _json_file(tmp_path: Path, name: str, records: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def _records() -> list[dict[str, object]]:
    data = json.loads((LISTS / "icd10_2025.json").read_text(encoding="utf-8-sig"))
    records: list[dict[str, object]] = data["koder"]
    return records


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "filen er tom"),
        (b"[]", "inneholder ingen koder"),
        (b'{"antall": 0}', "må være en liste"),
        (b"[1, 2]", "ikke et JSON-objekt"),
        (b"\xff\xfe[", "ikke UTF-8"),
    ],
)
def test_empty_or_unusable_json(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "icd10_2025.json"
    path.write_bytes(content)
    with pytest.raises(CodeListError, match=fragment):
        load_icd10_file(path)


def test_unusable_workbooks(tmp_path: Path) -> None:
    fake = tmp_path / "icd10_2025.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CodeListError, match="kan ikke leses som Excel-arbeidsbok"):
        load_icd10_file(fake)
    old = tmp_path / "icd10_2025.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CodeListError, match=r"\.xls"):
        load_icd10_file(old)
    with pytest.raises(CodeListError, match="kan ikke åpnes"):
        load_icd10_file(tmp_path / "finnes_ikke_2025.xlsx")


def test_unknown_flag_value_is_an_error(tmp_path: Path) -> None:
    records = _records()
    records[5]["Stjernekode"] = "Kanskje"
    path = _json_file(tmp_path, "icd10_2025.json", records)
    with pytest.raises(CodeListError) as caught:
        load_icd10_file(path)
    assert (caught.value.line, caught.value.field) == (6, "Stjernekode")


def test_code_that_is_not_icd10(tmp_path: Path) -> None:
    records = _records()
    records[2]["Kode"] = "JKA21"
    path = _json_file(tmp_path, "icd10_2025.json", records)
    with pytest.raises(CodeListError, match="rad 3, felt «Kode»: «JKA21» er ikke en ICD-10-kode"):
        load_icd10_file(path)


def test_year_cannot_be_found(tmp_path: Path) -> None:
    records = [dict(r, Gyldig_fra=None) for r in _records()]
    path = _json_file(tmp_path, "icd10.json", records)
    with pytest.raises(CodeListError, match="årgangen kan ikke bestemmes"):
        load_icd10_file(path)
    assert load_icd10_file(path, year=2025).release.year == 2025


# Dispatch and the default code base


def test_load_code_file_dispatches_by_content(tmp_path: Path) -> None:
    assert load_code_file(LISTS / "icd10_2025.json").release.family is Family.ICD10
    assert load_code_file(LISTS / "icd10_2026.xlsx").release.family is Family.ICD10
    assert load_code_file(LISTS / "alle_prosedyrekoder_2025.xlsx").release.family is (
        Family.PROCEDURE
    )
    # No telling column: the codes' shape decides.
    bare = _json_file(
        tmp_path, "liste_2025.json", [{"Kode": "JKA21", "Tekst": "Laparoskopisk appendektomi"}]
    )
    loaded = load_code_file(bare)
    assert loaded.release.family is Family.PROCEDURE
    assert loaded.codes["JKA21"].system is System.NCSP
    unknown = _json_file(tmp_path, "liste_2024.json", [{"Kode": "???", "Tekst": "x"}])
    with pytest.raises(CodeListError, match="verken ut som ICD-10-kodelisten"):
        load_code_file(unknown)


def test_default_codebase_without_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CODE_FILES, raising=False)
    base = default_codebase()
    icd = base.code_list(Family.ICD10)
    assert icd is not None and icd.release.embedded and icd.release.year == 2026
    assert base.code_list(Family.PROCEDURE) is not None
    assert base.code_list(Family.SPECIAL) is not None


def test_env_var_loads_official_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [LISTS / "icd10_2025.xlsx", LISTS / "icd10_2026.xlsx"]
    monkeypatch.setenv(ENV_CODE_FILES, os.pathsep.join(str(f) for f in files) + os.pathsep)
    base = default_codebase(extra_files=[LISTS / "alle_prosedyrekoder_2025.xlsx"])
    icd_2026 = base.code_list(Family.ICD10, 2026)
    assert icd_2026 is not None
    assert icd_2026.release.source == "icd10_2026.xlsx"  # replaces the embedded 2026 release
    assert not icd_2026.release.embedded
    sources = {(r.family, r.year): r.source for r in base.releases}
    assert sources[(Family.ICD10, 2025)] == "icd10_2025.xlsx"
    assert sources[(Family.PROCEDURE, 2025)] == "alle_prosedyrekoder_2025.xlsx"
    assert base.resolve("B342", at=date(2026, 2, 1)).status is Status.NOT_VALID
    assert base.resolve("JKA21", at=date(2025, 2, 1)).status is Status.OK


def test_same_family_and_year_twice_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CODE_FILES, str(LISTS / "icd10_2025.xlsx"))
    # The same file named again is loaded once.
    default_codebase(extra_files=[LISTS / "icd10_2025.xlsx"])
    with pytest.raises(CodeListError, match="samme kodeverk og år"):
        default_codebase(extra_files=[LISTS / "icd10_2025.json"])


# The committed fixtures are what the generator writes


def test_fixtures_are_up_to_date(tmp_path: Path) -> None:
    written = _generator().write_all(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in LISTS.iterdir())
    for fresh in written:
        committed = LISTS / fresh.name
        if fresh.name.startswith("broken"):
            with pytest.raises(CodeListError) as old:
                load_code_file(committed)
            with pytest.raises(CodeListError) as new:
                load_code_file(fresh)
            assert str(old.value) == str(new.value)
        else:
            assert load_code_file(committed).codes == load_code_file(fresh).codes


def test_official_procedure_list_replaces_the_embedded_subset_for_every_year() -> None:
    from kodevakt.codes.release import Family

    base = default_codebase([LISTS / "alle_prosedyrekoder_2025.xlsx"])
    chosen = base.code_list(Family.PROCEDURE, 2019)
    assert chosen is not None and chosen.release.complete
