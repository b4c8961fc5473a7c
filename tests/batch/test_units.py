"""The units file: names for institution and department codes, and its errors by line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodevakt.batch.units import ENV_UNITS, NO_UNITS, load_units, read_units
from kodevakt.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "units.csv"


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "enheter.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_names_of_institutions_and_departments(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "# enheter ved HF-et\n"
        "institution;department;name\n"
        "974557746;;Haukeland universitetssjukehus\n"
        "974557746;MED;Medisinsk avdeling\n"
        "\n"
        "974557746;KIR;Kirurgisk klinikk\n"
        "983974899;MED;Medisinsk klinikk\n",
    )
    units = read_units(path)
    assert units.institution_text("974557746") == "Haukeland universitetssjukehus (974557746)"
    assert units.department_text("974557746", "MED") == "Medisinsk avdeling (MED)"
    assert units.department_text("983974899", "MED") == "Medisinsk klinikk (MED)"
    assert units.department_text("983974899", "KIR") == "KIR"  # not in the file: the code
    assert units.institution_text("983974899") == "983974899"
    # a department without its institution: named only when the file gives it one name
    assert units.department_name(None, "KIR") == "Kirurgisk klinikk"
    assert units.department_name(None, "MED") is None
    # the labels reports use for units
    assert units.unit_name("974557746/MED") == "Medisinsk avdeling, Haukeland universitetssjukehus"
    assert units.unit_name("983974899/MED") == "Medisinsk klinikk"
    assert units.unit_name("MED", institution="983974899") == "Medisinsk klinikk"
    assert units.unit_name("974557746") == "Haukeland universitetssjukehus"
    assert units.unit_text("ukjent") == "ukjent"


def test_norwegian_header_comma_bom_and_extra_columns(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '\ufeffNavn,Kommentar,Avdeling,Institusjon\n"Barne- og ungdomsklinikken, BUK",ny,BUK,HF1\n',
    )
    units = read_units(path)
    assert units.department_text("HF1", "BUK") == "Barne- og ungdomsklinikken, BUK (BUK)"


def test_example_file_is_valid() -> None:
    units = read_units(EXAMPLE)
    assert units.institution_text("983974724") == "Helse Bergen HF (983974724)"
    assert units.department_name("983974724", "ØNH") == "Øre-nese-hals-avdelingen"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "enhetsfilen er tom"),
        ("institution;name\n974557746;Haukeland\n", "linje 1, felt «department»"),
        ("institution;department;name;navn\n", "linje 1, felt «name»: kolonnen står to ganger"),
        ("institution;department;name\n;MED;Medisinsk\n", "linje 2, felt «institution»"),
        ("institution;department;name\nHF1;MED;  \n", "linje 2, felt «name»: navnet mangler"),
        ("institution;department;name\nHF1;MED\n", "linje 2: linjen har 2 felt"),
        (
            "institution;department;name\nHF1;MED;Medisin\n# x\nHF1;MED;Indremedisin\n",
            "linje 4, felt «department»: avdeling MED i HF1 står også på linje 2",
        ),
        (
            "institution;department;name\nHF1;;Sykehuset\nHF1;;Sykehuset igjen\n",
            "linje 3, felt «institution»",
        ),
        ("institution;department;name\nHF1;MED;" + "x" * 201 + "\n", "felt «name»: navnet er"),
        ("institution;department;name\n" + "9" * 65 + ";;Langt\n", "felt «institution»: koden"),
    ],
)
def test_bad_files_name_file_line_and_field(tmp_path: Path, text: str, where: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(InputError) as raised:
        read_units(path)
    message = str(raised.value)
    assert message.startswith(f"fil {path}")
    assert where in message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = _file(tmp_path, "institution;department;name\nHF1;MED;Sjukehus i Førde\n", "cp1252")
    with pytest.raises(InputError, match=r"linje 2: enhetsfilen er ikke UTF-8"):
        read_units(path)


def test_missing_file_and_environment(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"fil .*finnes-ikke.csv: enhetsfilen kan ikke leses"):
        read_units(tmp_path / "finnes-ikke.csv")
    assert load_units(None, environ={}) is NO_UNITS
    assert not load_units(None, environ={ENV_UNITS: " "})
    named = load_units(None, environ={ENV_UNITS: str(EXAMPLE)})
    assert named.file == str(EXAMPLE) and named
    assert load_units(EXAMPLE, environ={ENV_UNITS: "ignorert.csv"}).file == str(EXAMPLE)
