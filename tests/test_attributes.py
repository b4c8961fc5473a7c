"""The curated attribute table laid over the embedded ICD-10: what the rules will see per code."""

from pathlib import Path

import pytest

from kodevakt.codes.attributes import (
    apply_attributes,
    default_table,
    load_table,
    rows_for,
    unmatched_selectors,
)
from kodevakt.codes.embedded import load_embedded_icd10
from kodevakt.codes.model import Code, Level, Sex, System
from kodevakt.errors import CodeListError

HEADER = "selector\tattribute\tvalue\tsource\n"


@pytest.fixture(scope="module")
def codes() -> dict[str, Code]:
    return load_embedded_icd10().codes


def test_every_selector_matches_something_in_the_embedded_data(codes: dict[str, Code]) -> None:
    stale = [f"rad {row.line}: {row.selector.text}" for row in unmatched_selectors(codes)]
    assert stale == []


def test_every_row_names_its_source() -> None:
    assert all(row.source for row in default_table().rows)


def test_the_rows_behind_a_code_can_be_shown() -> None:
    sources = {row.attribute.value: row.source for row in rows_for("H36.0")}
    assert "KV2018 §4.2 s. 30" in sources["asterisk"]
    assert {row.selector.text for row in rows_for("W0n.0r")} == {"V01-Y98"}


@pytest.mark.parametrize("code", ["H36.0", "D63.0", "M07.4", "M07.41", "G01", "I32.0", "K77.0"])
def test_manifestation_codes_are_asterisk_codes(codes: dict[str, Code], code: str) -> None:
    assert codes[code].asterisk


@pytest.mark.parametrize("code", ["E10.3", "E11.3", "A39.5", "B25.1", "J12.8", "C50.9"])
def test_etiology_and_ordinary_codes_are_not_asterisk_codes(
    codes: dict[str, Code], code: str
) -> None:
    assert not codes[code].asterisk


@pytest.mark.parametrize("code", ["E10.3", "E11.3", "A39.5", "B25.1"])
def test_dagger_codes_named_in_the_rulebook(codes: dict[str, Code], code: str) -> None:
    assert codes[code].dagger


def test_ordinary_codes_are_not_dagger_codes(codes: dict[str, Code]) -> None:
    assert not codes["E10.9"].dagger
    assert not codes["H36.0"].dagger


ADDITIONAL_ONLY = ["B95.6", "B96.2", "U82.1", "W0n.0r", "V0n.0a", "X8n.0a", "Y4n", "Z37.0"]


@pytest.mark.parametrize("code", [*ADDITIONAL_ONLY, "R65.0", "R65.1", "R57.2"])
def test_additional_only_codes(codes: dict[str, Code], code: str) -> None:
    assert codes[code].additional_only


@pytest.mark.parametrize("code", ["T4n", "S93.4", "J12.8", "N30.0", "R57.0", "U07.1", "Z38.0"])
def test_codes_that_may_come_first_are_not_additional_only(
    codes: dict[str, Code], code: str
) -> None:
    assert not codes[code].additional_only


@pytest.mark.parametrize(
    ("code", "sex"),
    [
        ("O14.1", Sex.FEMALE),
        ("O24.4", Sex.FEMALE),
        ("N76.0", Sex.FEMALE),
        ("N95.1", Sex.FEMALE),
        ("C53.9", Sex.FEMALE),
        ("Z33", Sex.FEMALE),
        ("Z37.0", Sex.FEMALE),
        ("N40", Sex.MALE),
        ("N47", Sex.MALE),
        ("C61", Sex.MALE),
        ("Q53.1", Sex.MALE),
    ],
)
def test_sex_restricted_codes(codes: dict[str, Code], code: str, sex: Sex) -> None:
    assert codes[code].sex is sex


@pytest.mark.parametrize("code", ["N30.0", "N39.0", "C50.9", "J12.8", "Z38.0"])
def test_codes_for_both_sexes(codes: dict[str, Code], code: str) -> None:
    assert codes[code].sex is None


def test_liveborn_codes_belong_to_the_birth_episode(codes: dict[str, Code]) -> None:
    assert codes["Z38.0"].age_max_days == 0  # born in hospital: the episode starts at birth
    assert codes["Z38.3"].age_max_days == 0
    assert codes["Z38.1"].age_max_days == 1  # born outside hospital: admitted the next day
    assert codes["Z38.2"].age_max_days == 1


def test_perinatal_codes_have_a_one_year_limit(codes: dict[str, Code]) -> None:
    assert codes["P07.3"].age_max_days == 365
    assert codes["P59.9"].age_max_days == 365
    assert codes["P07.3"].age_min_days is None


def test_obstetric_codes_have_age_limits_of_10_to_60_years(codes: dict[str, Code]) -> None:
    code = codes["O14.1"]
    assert code.age_min_days is not None and code.age_max_days is not None
    assert 10 * 365 <= code.age_min_days <= 10 * 366
    assert 60 * 365 < code.age_max_days < 61 * 365.25
    assert codes["Z37.0"].age_min_days == code.age_min_days
    assert codes["J12.8"].age_min_days is None and codes["J12.8"].age_max_days is None


@pytest.mark.parametrize(
    "code",
    ["J12.9", "I20.9", "A41.9", "I21.91", "E14.9", "J22", "A49.9", "B34.9", "A39.4", "R69"],
)
def test_unspecific_codes(codes: dict[str, Code], code: str) -> None:
    assert codes[code].unspecific


@pytest.mark.parametrize(
    "code",
    # A49.0 and B34.2 name the agent; only the site is unknown (KV2018 §12.2 p. 95).
    ["J12.8", "J12.1", "B01.9", "K42.90", "M07.09", "I21.4a", "E11.9", "J18.0", "A49.0", "B34.2"],
)
def test_specific_codes_are_not_unspecific(codes: dict[str, Code], code: str) -> None:
    assert not codes[code].unspecific


def test_headings_are_not_judged_unspecific_by_their_text(codes: dict[str, Code]) -> None:
    # "Malignant neoplasm, without specification of site": a heading, its codes are judged
    assert not codes["C80"].unspecific
    assert codes["C80.9"].unspecific
    assert not codes["C80.0"].unspecific  # primary stated unknown is a specific statement


def test_who_code_not_allowed_in_norway_says_what_to_use(codes: dict[str, Code]) -> None:
    code = codes["I25.0"]
    assert code.who_only
    assert any("I25.1" in note for note in code.notes)
    assert codes["O80.0"].who_only
    assert codes["O80.0"].notes


def test_covid_codes_carry_the_norwegian_main_condition_note(codes: dict[str, Code]) -> None:
    assert any("J12.8" in note for note in codes["U07.1"].notes)
    assert codes["Z03.1"].notes
    assert codes["J12.8"].notes == ()


def _official_like() -> dict[str, Code]:
    """A few codes as an official list would deliver them: its own flags already set."""

    def code(key: str, text: str, **flags: object) -> Code:
        level = Level.CATEGORY if len(key) == 3 else Level.CODE
        return Code(key, System.ICD10, text, level=level, **flags)  # type: ignore[arg-type]

    return {
        "H36": code("H36", "Sykdommer i netthinne ved sykdommer klassifisert annet sted"),
        "H36.0": code("H36.0", "Diabetisk retinopati"),  # the list says: no asterisk
        "E10.3": code("E10.3", "Diabetes mellitus type 1 med øyekomplikasjoner"),
        "J12.9": code("J12.9", "Uspesifisert viruspneumoni"),
        "N40": code("N40", "Benign prostataobstruksjon"),
        "I25.0": code("I25.0", "Aterosklerotisk hjerte-karsykdom"),
        "Z38.0": code("Z38.0", "Enkeltfødsel på sykehus"),
    }


def test_an_official_list_keeps_its_own_flags() -> None:
    result = apply_attributes(_official_like(), official=True)
    assert not result["H36.0"].asterisk
    assert not result["J12.9"].unspecific
    assert result["N40"].sex is None


def test_an_official_list_gets_what_its_columns_lack() -> None:
    result = apply_attributes(_official_like(), official=True)
    assert result["E10.3"].dagger
    assert result["I25.0"].who_only
    assert result["I25.0"].notes
    assert result["Z38.0"].age_max_days == 0


def test_applying_returns_a_new_dict_and_leaves_the_input_alone() -> None:
    given = _official_like()
    result = apply_attributes(given, official=False)
    assert result is not given
    assert result["H36.0"].asterisk
    assert not given["H36.0"].asterisk


def test_codes_of_other_systems_are_left_alone() -> None:
    procedure = Code("JKA21", System.NCSP, "Laparoskopisk kolecystektomi")
    result = apply_attributes({"JKA21": procedure}, official=False)
    assert result["JKA21"] is procedure


def _write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "attributter.tsv"
    path.write_text("# test table\n" + header + body, encoding="utf-8")
    return path


def test_a_more_specific_selector_wins_whatever_the_row_order(tmp_path: Path) -> None:
    table = load_table(_write(tmp_path, "A01\tsex\tM\tx\nA00-A09\tsex\tK\tx\nA01.0\tsex\tK\tx\n"))
    codes = {
        key: Code(key, System.ICD10, key, level=Level.CATEGORY if len(key) == 3 else Level.CODE)
        for key in ("A00", "A00.0", "A01", "A01.0", "A01.1")
    }
    result = apply_attributes(codes, official=False, table=table)
    assert result["A00.0"].sex is Sex.FEMALE
    assert result["A01.1"].sex is Sex.MALE
    assert result["A01.0"].sex is Sex.FEMALE


def test_a_range_includes_norwegian_merged_categories(tmp_path: Path) -> None:
    table = load_table(_write(tmp_path, "V01-Y98\tadditional_only\t1\tx\n"))
    keys = ("V0n", "V0n.0a", "W0n.0r", "Y4n", "Y98", "Y99", "U07.1")
    codes = {key: Code(key, System.ICD10, key) for key in keys}
    result = apply_attributes(codes, official=False, table=table)
    flagged = {key for key, code in result.items() if code.additional_only}
    assert flagged == {"V0n", "V0n.0a", "W0n.0r", "Y4n", "Y98"}


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("H36\tstjerne\t1\tx\n", 3, "attribute", "ukjent attributt"),
        ("H36\tasterisk\tja\tx\n", 3, "value", "1 (ja) eller 0 (nei)"),
        ("N40\tsex\tF\tx\n", 3, "value", "M (menn) eller K (kvinner)"),
        ("P00-P96\tage_max_days\t-1\tx\n", 3, "value", "dager"),
        ("H3\tasterisk\t1\tx\n", 3, "selector", "verken en kode"),
        ("B98-B95\tadditional_only\t1\tx\n", 3, "selector", "verken en kode"),
        ("H36\tasterisk\t1\t\n", 3, "source", "kilde mangler"),
        ("H36\tnote\t\tx\n", 3, "value", "tom"),
        ("H36\tasterisk\t1\tx\n\nH36\tasterisk\t0\ty\n", 5, "selector", "rad 3"),
    ],
)
def test_a_broken_table_names_file_row_and_field(
    tmp_path: Path, body: str, line: int, field: str, words: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(CodeListError) as caught:
        load_table(path)
    error = caught.value
    assert error.line == line
    assert error.field == field
    assert words in error.message
    assert f"rad {line}" in str(error)
    assert f"felt «{field}»" in str(error)
    assert "attributter.tsv" in str(error)


def test_a_row_with_the_wrong_number_of_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CodeListError, match=r"rad 3.*forventet 4"):
        load_table(_write(tmp_path, "H36\tasterisk\t1\n"))


def test_a_table_without_the_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CodeListError, match="kolonnenavn"):
        load_table(_write(tmp_path, "H36\tasterisk\t1\tx\n", header=""))


def test_a_missing_table_file_is_a_code_list_error(tmp_path: Path) -> None:
    with pytest.raises(CodeListError, match="kan ikke leses"):
        load_table(tmp_path / "finnes-ikke.tsv")
