"""Procedure code structure (KV2018 ch. 5–8) and the embedded codes the rulebook names."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import pytest

from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.model import Sex, System
from kodevakt.codes.procedure_subset import (
    PROCEDURES_FILE,
    load_embedded_procedures,
    load_embedded_special_codes,
    read_procedures,
    read_special_codes,
)
from kodevakt.codes.procedures import NCRP_MODALITIES, Access, ProcedureShape, parse_procedure
from kodevakt.codes.release import CodeList, Family
from kodevakt.errors import CodeListError


def _shipped_rows() -> list[dict[str, str]]:
    """The shipped table read plainly, independent of the loader under test."""
    text = (files("kodevakt.data") / PROCEDURES_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


ROWS = _shipped_rows()


def _shape(code: str) -> ProcedureShape:
    shape = parse_procedure(code)
    assert shape is not None, code
    return shape


# --- every code the rulebook names -------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=[row["code"] for row in ROWS])
def test_shape_gives_the_system_of_every_named_code(row: dict[str, str]) -> None:
    shape = _shape(row["code"])
    assert shape.system.value == row["system"]
    assert shape.deviation is None
    assert shape.additional == (row["additional_only"] == "1")
    if row["code"].startswith("Z"):
        assert shape.additional


@pytest.mark.parametrize("row", ROWS, ids=[row["code"] for row in ROWS])
def test_named_codes_are_canonical_and_sourced(row: dict[str, str]) -> None:
    code = row["code"]
    assert code == code.upper() and " " not in code
    assert row["text"].strip()
    assert row["source"].startswith("KV2018 ")
    assert row["sex"] in ("", "K", "M")


def test_every_system_is_represented() -> None:
    systems = {row["system"] for row in ROWS}
    assert systems == {"NCSP", "NCMP", "NCRP"}
    assert len(ROWS) > 100


# --- structure: systems, access, modality, additional, other, reoperation ----------------


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("JKA21", System.NCSP),
        ("ZXA00", System.NCSP),
        ("WBOC10", System.NCMP),
        ("REGG05", System.NCMP),
        ("HAB16K", System.NCRP),
        ("SHA0AA", System.NCRP),
        ("TBA0AN", System.NCRP),
        ("ZTX0EA", System.NCRP),
    ],
)
def test_system_from_shape(code: str, system: System) -> None:
    assert _shape(code).system is system


@pytest.mark.parametrize(
    ("code", "access"),
    [
        ("JKA20", Access.OPEN),  # cholecystectomy, KV2018 §7.3 p. 58
        ("JKA21", Access.ENDOSCOPIC),  # laparoscopic
        ("JDD01", Access.ENDOSCOPIC),  # "Laparoskopisk total gastrektomi …", p. 56
        ("JDD96", Access.OPEN),  # "other" code, last digit still the access
        ("JKE18", Access.TRANSLUMINAL),  # "Endoskopisk innleggelse av stent …", p. 66
        ("GAB10", Access.OPEN),
        ("FNG02", Access.PERCUTANEOUS_TRANSLUMINAL),  # chapter F: 2/5/8 percutaneous
        ("FHE00", Access.OPEN),
        ("LCD01", Access.ENDOSCOPIC),
        ("MAA05", Access.TRANSLUMINAL),
        ("BCA11", Access.ENDOSCOPIC),  # group BC: 1/4/7 endoscopic …
        ("BCA12", Access.OPEN),  # … every other digit conventional
        ("BCA05", Access.OPEN),
        ("JKA29", None),
    ],
)
def test_access_digit(code: str, access: Access | None) -> None:
    assert _shape(code).access is access


@pytest.mark.parametrize("code", ["NBJ51", "AAD00", "PDG10", "QAB00", "HAB40", "BAA10", "EDC34"])
def test_no_access_outside_the_access_chapters(code: str) -> None:
    assert _shape(code).access is None


def test_access_values_are_norwegian_strings() -> None:
    assert _shape("JKA21").access == "endoskopisk tilgang gjennom snitt eller innstikk"
    assert _shape("JKA20").access == "åpen eller konvensjonell tilgang"


@pytest.mark.parametrize(
    ("code", "modality"),
    [
        ("HAB16K", "Ultralyd (UL)"),
        ("SJJ0AD", "CT"),
        ("SHA0AA", "Røntgen (RG)"),
        ("SAA0AB", "Røntgen-arteriografi (RGA)"),
        ("SAA0AG", "MR"),
        ("AAY00B", "Røntgen-arteriografi (RGA)"),
        ("TBA0AN", "Scintigrafi (NM)"),
    ],
)
def test_ncrp_modality_is_the_last_letter(code: str, modality: str) -> None:
    shape = _shape(code)
    assert shape.modality == modality
    assert modality in NCRP_MODALITIES.values()


def test_ncrp_parts() -> None:
    assert _shape("SHA0AA").imaging
    assert _shape("TSY0AN").nuclear_medicine
    assert _shape("HAB16K").image_guided
    assert not _shape("HAB16K").imaging
    assert not _shape("SHA0AA").image_guided


@pytest.mark.parametrize("code", ["ZTX0EA", "ZTX0XC", "ZTX0HB"])
def test_ncrp_additional_codes(code: str) -> None:
    shape = _shape(code)
    assert shape.system is System.NCRP
    assert shape.additional
    assert shape.modality is None
    assert shape.chapter_name == "Tilleggskoder og radiofarmaka"


@pytest.mark.parametrize("code", ["ZXA00", "ZXD10", "ZXM10", "ZSX05", "ZZR10", "ZXF99"])
def test_ncsp_additional_codes(code: str) -> None:
    shape = _shape(code)
    assert shape.system is System.NCSP
    assert shape.additional
    assert shape.access is None
    assert not shape.other
    assert not shape.reoperation


def test_ncmp_codes() -> None:
    wboc = _shape("WBOC10")
    assert wboc.system is System.NCMP
    assert not wboc.additional
    assert wboc.chapter_name == "Tiltak ikke klassifisert i andre kapitler"
    assert _shape("IAAG00").chapter == "I"


def test_ncmp_shaped_z_codes_are_additional() -> None:
    # ZWNM: additional codes for planned frequency (KV2018 §6.5 p. 47).
    shape = _shape("ZWNM10")
    assert shape.system is System.NCMP
    assert shape.additional


@pytest.mark.parametrize("code", ["JWA00", "JWE00", "AWC00", "KWE00"])
def test_reoperation_has_w_in_position_2(code: str) -> None:
    assert _shape(code).reoperation


@pytest.mark.parametrize("code", ["JKA20", "WBOC10", "ZWNM10", "YWA10", "ZWA00", "HAB16K"])
def test_not_reoperation(code: str) -> None:
    assert not _shape(code).reoperation


@pytest.mark.parametrize(
    ("code", "other"),
    [
        ("JDD96", True),  # access chapter: 9 in position 4 (KV2018 §7.2 p. 55)
        ("JKA97", True),
        ("BCA99", True),
        ("JDD01", False),
        ("PJD99", True),  # other chapters: 99 in positions 4–5
        ("PJD98", False),
        ("NBJ99", True),
        ("NBJ96", False),
        ("YAA99", False),  # chapter Y: serial numbers
        ("ZXF99", False),  # additional code, "other cause"
        ("AAW10K", True),  # NCRP intervention, W in position 3: other intervention
        ("HAB16K", False),
        ("WBOC99", True),
    ],
)
def test_other_codes(code: str, other: bool) -> None:
    assert _shape(code).other is other


@pytest.mark.parametrize(
    "code",
    [
        "SNF00A",  # printed so in KV2018 p. 67; chapter S has a digit then two letters
        "ZTX00A",
        "WAB10K",
        "HAB0AK",
        "SAA1AA",
        "HAB16E",
        "SAB10",
        "IAB10",
        "JOA10",
    ],
)
def test_shapes_that_break_the_structure_say_so(code: str) -> None:
    shape = _shape(code)
    assert shape.deviation
    assert not shape.conforms


@pytest.mark.parametrize(
    "code",
    [
        "",
        "J12.8",
        "J128",
        "K4011",
        "C07AB02",
        "V09GA02",
        "B0007",
        "jka21",
        "JKA 21",
        "JKA2",
        "JKA211",
        "JK21",
        "REGG0",
        "REGG050",
        "12345",
        "NCRP",
        "ZXA",
    ],
)
def test_non_procedures(code: str) -> None:
    assert parse_procedure(code) is None


# --- the embedded code lists --------------------------------------------------------------


@pytest.fixture(scope="module")
def procedures() -> CodeList:
    return load_embedded_procedures()


@pytest.mark.parametrize(
    ("code", "system", "text", "additional_only"),
    [
        ("ZXA00", System.NCSP, "Høyre side", True),
        ("ZXD10", System.NCSP, "Elektivt inngrep", True),
        ("JKA20", System.NCSP, "Kolecystektomi", False),
        ("NBJ51", System.NCSP, "Osteosyntese av humerusfraktur med margnagle", False),
        ("HAB16K", System.NCRP, "Nålebiopsi av mamma, ultralydveiledet", False),
        ("SHA0AA", System.NCRP, "RG Mammografi", False),
        ("ZTX0XC", System.NCRP, "Bilateral bildediagnostisk undersøkelse", True),
        ("ZTX0EA", System.NCRP, "Intravenøs kontrast", True),
        ("REGG05", System.NCMP, "Transfusjon av autologe erytrocytter", False),
        ("IAAG00", System.NCMP, "Voldsrisikovurdering", False),
    ],
)
def test_embedded_procedures_hold_the_named_codes(
    procedures: CodeList,
    code: str,
    system: System,
    text: str,
    additional_only: bool,
) -> None:
    found = procedures.get(code)
    assert found is not None
    assert found.system is system
    assert found.text == text
    assert found.additional_only is additional_only
    assert found.notes and found.notes[0].startswith("KV2018 §")


def test_embedded_procedures_release(procedures: CodeList) -> None:
    release = procedures.release
    assert release.family is Family.PROCEDURE
    assert release.year == 2018
    assert release.embedded
    assert not release.complete
    assert release.source == "innebygd: prosedyrekoder nevnt i Kodeveiledning 2018"
    assert len(procedures) == len(ROWS)


def test_codes_the_book_does_not_name_are_absent(procedures: CodeList) -> None:
    assert procedures.get("JKA21") is None
    assert procedures.get("SNF00A") is None  # the misprint is stored corrected
    assert procedures.get("SNF0AA") is not None


def test_sex_column_is_read() -> None:
    text = "code\tsystem\ttext\tadditional_only\tsex\tsource\nLCD01\tNCSP\tt\t0\tK\tKV2018 x\n"
    assert read_procedures(text, "t.tsv")["LCD01"].sex is Sex.FEMALE


def test_embedded_special_codes() -> None:
    special = load_embedded_special_codes()
    assert special.release.family is Family.SPECIAL
    assert special.release.year == 2018
    assert not special.release.complete
    code = special.get("B0007")
    assert code is not None
    assert code.system is System.SPECIAL
    assert code.text == "Terapeutassistert eksponeringsterapi"


def test_codebase_resolves_embedded_codes() -> None:
    base = CodeBase([load_embedded_procedures(), load_embedded_special_codes()])
    day = date(2018, 6, 1)
    assert base.resolve("ZXA 00", day).status is Status.OK
    assert base.resolve("hab16k", day).status is Status.OK
    missing = base.resolve("JKA21", day)
    assert missing.status is Status.NOT_IN_LOADED_LIST
    assert missing.shape is not None and missing.shape.access is Access.ENDOSCOPIC
    special = base.resolve("B0007", day)
    assert special.status is Status.OK
    assert special.system is System.SPECIAL


# --- broken tables ------------------------------------------------------------------------

HEADER = "# kommentar\ncode\tsystem\ttext\tadditional_only\tsex\tsource\n"


@pytest.mark.parametrize(
    ("body", "line", "field"),
    [
        ("JKA20\tNCSP\tKolecystektomi\t0\tKV2018 x\n", 3, None),  # column missing
        ("J12.8\tNCSP\tLungebetennelse\t0\t\tKV2018 x\n", 3, "code"),
        ("C07AB02\tNCSP\tMetoprolol\t0\t\tKV2018 x\n", 3, "code"),
        ("JKA20\tNCSP\ta\t0\t\tKV2018 x\nJKA 20\tNCSP\tb\t0\t\tKV2018 x\n", 4, "code"),
        ("JKA20\tICD-10\ta\t0\t\tKV2018 x\n", 3, "system"),
        ("JKA20\tNCSP\ta\tja\t\tKV2018 x\n", 3, "additional_only"),
        ("JKA20\tNCSP\ta\t0\tF\tKV2018 x\n", 3, "sex"),
        ("JKA20\tNCSP\t\t0\t\tKV2018 x\n", 3, "text"),
        ("JKA20\tNCSP\ta\t0\t\t\n", 3, "source"),
        ("\tNCSP\ta\t0\t\tKV2018 x\n", 3, "code"),
    ],
)
def test_bad_procedure_rows_name_file_line_and_field(
    body: str, line: int, field: str | None
) -> None:
    with pytest.raises(CodeListError) as caught:
        read_procedures(HEADER + body, "prosedyrer.tsv")
    error = caught.value
    assert error.file == "prosedyrer.tsv"
    assert error.line == line
    assert error.field == field
    assert "prosedyrer.tsv" in str(error)


def test_wrong_header_is_an_error() -> None:
    with pytest.raises(CodeListError) as caught:
        read_procedures("kode\ttekst\nJKA20\tx\n", "p.tsv")
    assert caught.value.line == 1


def test_missing_header_is_an_error() -> None:
    with pytest.raises(CodeListError):
        read_procedures("# bare kommentarer\n", "p.tsv")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("JKA20\tx\tKV2018 x\n", "code"),
        ("B0007\tx\tKV2018 x\nB0007\ty\tKV2018 x\n", "code"),
        ("B0007\t\tKV2018 x\n", "text"),
    ],
)
def test_bad_special_code_rows(body: str, field: str) -> None:
    with pytest.raises(CodeListError) as caught:
        read_special_codes("code\ttext\tsource\n" + body, "s.tsv")
    assert caught.value.field == field
    assert caught.value.file == "s.tsv"
