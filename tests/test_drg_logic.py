"""The grouper's semantics, one logic feature at a time, on the hand-made tables.

The fixture (tests/fixtures/drg/DefinitionData_TEST_2020.json, written by make_tables.py) has
one or two rows per feature; each test names the row it expects to fire.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kodevakt.drg import DrgInput, DrgResult, DrgTables, group, load_definitions
from kodevakt.drg.compile import compile_tables
from kodevakt.drg.tables import read_tables_bytes

TABLES_2020 = Path(__file__).parent / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"


@pytest.fixture(scope="module")
def tables() -> DrgTables:
    raw = read_tables_bytes(TABLES_2020.read_bytes(), str(TABLES_2020))
    return DrgTables(compile_tables(raw, 2020, str(TABLES_2020)))


def stay(*diagnoses: str, procedures: tuple[str, ...] = (), **fields: Any) -> DrgInput:
    """A man of about 27 years, 3 days, home; diagnoses as `A01` or `E103+H360`."""
    pairs = tuple([*d.split("+"), ""][:2] for d in diagnoses)
    values: dict[str, Any] = {"sex": "1", "age_days": 10_000, "los": 3, "discharge": "H"}
    values.update(fields)
    return DrgInput(diagnoses=tuple((a, b) for a, b in pairs), procedures=procedures, **values)


def fired(tables: DrgTables, case: DrgInput) -> tuple[str, str, str]:
    result = tables.group(case)
    return result.drg, result.logic_row, result.return_code


# --- order ----------------------------------------------------------------------------------


def test_first_matching_row_in_ord_order_wins(tables: DrgTables) -> None:
    # 401D099 (MDC 01, nothing else) matches too, but 401D011 comes first
    assert fired(tables, stay("A01")) == ("11", "401D011", "0")


def test_rows_are_ordered_by_ord_not_by_file_position(tables: DrgTables) -> None:
    assert [row.ord for row in tables.rows] == sorted(row.ord for row in tables.rows)


def test_drg_codes_are_stripped(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", procedures=("P0101", "P0102")))[0] == "1A"


# --- principal diagnosis: icd, mdc, dgcat1, pdgprop ------------------------------------------


def test_missing_principal_diagnosis(tables: DrgTables) -> None:
    assert fired(tables, stay()) == ("470", "000D001", "1")


def test_unknown_principal_diagnosis_takes_the_tables_way(tables: DrgTables) -> None:
    assert fired(tables, stay("Q99")) == ("470", "000D001", "1")


def test_unknown_other_codes_are_ignored(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", "ZZZ9", procedures=("XXX00",))) == ("11", "401D011", "0")


def test_known_code_not_allowed_as_principal_gets_return_code_9(tables: DrgTables) -> None:
    # the row says rtc 1, but the principal diagnosis is a known code (docs/drg.md)
    assert fired(tables, stay("Y99")) == ("470", "000D005", "9")


def test_principal_property(tables: DrgTables) -> None:
    # A06 has the principal property 01P01 (and is not in category 01M01)
    assert fired(tables, stay("A06", age_days=3000)) == ("20", "401D020", "0")


def test_category_condition(tables: DrgTables) -> None:
    # A02 is MDC 01 but category 01M02: the 01M01 rows (401D010, 401D011) do not fire
    assert fired(tables, stay("A02")) == ("31", "401D031", "0")


# --- pairs ------------------------------------------------------------------------------------


def test_paired_code_places_the_stay(tables: DrgTables) -> None:
    # E10.3 alone is MDC 10; with H36.0 (asterisk) the pair is an eye case (MDC 02),
    # and E10.3's principal property 02P02 still counts
    assert fired(tables, stay("E103")) == ("290", "410D001", "0")
    assert fired(tables, stay("E103+H360")) == ("60", "402D001", "0")


def test_pair_rows_override_the_single_codes(tables: DrgTables) -> None:
    # neither E104 nor H361 alone has 02P02; the pair (H361, E104) has
    assert fired(tables, stay("E104+H361")) == ("60", "402D001", "0")


def test_unknown_paired_code_leaves_the_first_code(tables: DrgTables) -> None:
    assert fired(tables, stay("E103+*")) == ("290", "410D001", "0")


def test_pair_exclusions_apply(tables: DrgTables) -> None:
    # A03's category 05C01 is excluded for the pair (H361, E104)
    result = tables.group(stay("E104+H361", "A03"))
    assert result.complication_codes == ()


# --- complications ---------------------------------------------------------------------------


def test_complication(tables: DrgTables) -> None:
    result = tables.group(stay("A01", "A03"))
    assert (result.drg, result.logic_row, result.complication) == ("10", "401D010", True)
    assert result.complication_codes == ("A03",)


def test_without_complication_when_a_split_exists(tables: DrgTables) -> None:
    assert tables.group(stay("A01")).complication is False
    assert tables.group(stay("A02")).complication is None


def test_principal_diagnosis_excludes_its_own_category(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", "A01")) == ("11", "401D011", "0")


def test_exclusion_list_of_the_principal_diagnosis(tables: DrgTables) -> None:
    # A02 excludes 05C01 (A03): no complication, and 401D030 needs 01X01 + 01X02
    result = tables.group(stay("A02", "A03"))
    assert (result.logic_row, result.complication_codes) == ("401D030", ())


def test_category_with_inclusion_property_needs_it(tables: DrgTables) -> None:
    # A05 is in 06I10, which counts only with a diagnosis that has 01X02 (A03 has it)
    assert tables.group(stay("A01", "A05")).complication_codes == ()
    assert tables.group(stay("A01", "A05", "A04")).complication_codes == ()
    assert tables.group(stay("A01", "A05", "A03")).complication_codes == ("A05", "A03")


def test_procedure_flagged_cc_is_a_complication(tables: DrgTables) -> None:
    result = tables.group(stay("A01", procedures=("P0400",)))
    assert (result.logic_row, result.complication_codes) == ("401D010", ("P0400",))


# --- procedures: or, procpro1, secproc1 ------------------------------------------------------


def test_operation_and_two_procedure_properties(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", procedures=("P0101", "P0102"))) == ("1A", "401D001", "0")


def test_no_other_operation(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", procedures=("P0101",))) == ("1B", "401D002", "0")
    # P0300 has no OR value: still no other operation
    assert fired(tables, stay("A01", procedures=("P0101", "P0300")))[1] == "401D002"


def test_minor_procedure_satisfies_p_but_not_s(tables: DrgTables) -> None:
    result = tables.group(stay("A01", procedures=("P0200",)))
    assert (result.logic_row, result.surgical) == ("401D004", False)


def test_or_z_means_no_procedure_with_an_or_value(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", los=0)) == ("901O", "100D001", "0")
    assert fired(tables, stay("A01", los=0, procedures=("P0300",)))[1] == "100D001"
    assert fired(tables, stay("A01", los=0, procedures=("P0200",)))[1] == "401D004"


def test_diagnosis_that_acts_as_an_operation(tables: DrgTables) -> None:
    result = tables.group(stay("Z412"))
    assert (result.drg, result.return_code, result.surgical) == ("477", "7", True)


def test_surgical_flag(tables: DrgTables) -> None:
    assert tables.group(stay("A01", procedures=("P0101",))).surgical is True
    assert tables.group(stay("A01")).surgical is False
    assert tables.group(stay()).surgical is None


# --- secondary properties: dgprop1..4 and negation -------------------------------------------


def test_properties_from_several_codes(tables: DrgTables) -> None:
    # 01X01 from A02 (principal), 01X02 from A03
    assert fired(tables, stay("A02", "A03"))[1] == "401D030"


def test_procedures_carry_diagnosis_properties(tables: DrgTables) -> None:
    # 401D030 needs 01X01 and 01X02: A03 has 01X02, procedure P0500 has 01X01
    assert fired(tables, stay("A05", "A03"))[1] == "401D031"
    assert fired(tables, stay("A05", "A03", procedures=("P0500",)))[1] == "401D030"


def test_negated_properties(tables: DrgTables) -> None:
    # 401D031: no code with 01X03 and no procedure with 01N01
    assert fired(tables, stay("A02"))[1] == "401D031"
    assert fired(tables, stay("A02", "A04"))[1] == "401D099"
    assert fired(tables, stay("A02", procedures=("P0300",)))[1] == "401D099"


# --- age, sex, discharge, length of stay -----------------------------------------------------


@pytest.mark.parametrize(("age", "row"), [(6574, "401D020"), (6575, "401D021")])
def test_age_limit_is_strict_in_days(tables: DrgTables, age: int, row: str) -> None:
    assert fired(tables, stay("A06", age_days=age))[1] == row


def test_age_beyond_the_plausible(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", age_days=45655)) == ("470", "000D004", "6")


def test_missing_age_satisfies_no_age_limit(tables: DrgTables) -> None:
    assert fired(tables, stay("A06", age_days=None))[1] == "401D021"


@pytest.mark.parametrize(("los", "row"), [(30, "401D099"), (31, "401D050")])
def test_length_of_stay_limit(tables: DrgTables, los: int, row: str) -> None:
    assert fired(tables, stay("A02", "A04", los=los))[1] == row


def test_died_early(tables: DrgTables) -> None:
    assert fired(tables, stay("A02", "A04", discharge="E", los=1))[1] == "401D040"
    assert fired(tables, stay("A02", "A04", discharge="E", los=2))[1] == "401D099"
    assert fired(tables, stay("A02", "A04", discharge="R", los=1))[1] == "401D099"


def test_discharge_n_is_any_mode_but_died(tables: DrgTables) -> None:
    assert fired(tables, stay("A01", los=0, discharge="R"))[1] == "100D001"
    assert fired(tables, stay("A01", los=0, discharge="E"))[1] != "100D001"


@pytest.mark.parametrize(
    ("sex", "expected"),
    [("1", ("120", "412D001", "0")), ("2", ("130", "413D001", "0")), ("", ("470", "999D001", "8"))],
)
def test_sex_neutral_genital_mdc_follows_sex(
    tables: DrgTables, sex: str, expected: tuple[str, str, str]
) -> None:
    assert fired(tables, stay("N50", sex=sex)) == expected


@pytest.mark.parametrize(
    ("sex", "expected"),
    [
        ("2", ("130", "413D001", "0")),
        ("1", ("470", "000D002", "3")),
        ("9", ("470", "000D003", "2")),
    ],
)
def test_sex_conditions(tables: DrgTables, sex: str, expected: tuple[str, str, str]) -> None:
    # N80 is a woman's diagnosis (MDC 13): a man gives return code 3, unknown sex 2
    assert fired(tables, stay("N80", sex=sex)) == expected


# --- results ---------------------------------------------------------------------------------


def test_catch_all_row(tables: DrgTables) -> None:
    assert fired(tables, stay("N50", sex="9")) == ("470", "999D001", "8")


def test_mdc_and_name_from_drgnames(tables: DrgTables) -> None:
    result = tables.group(stay("A01", procedures=("P0101", "P0102")))
    assert (result.mdc, result.drg_name) == ("01", "Testgruppe med kontrolltegn")


def test_why_names_the_row_and_the_codes(tables: DrgTables) -> None:
    why = tables.group(stay("A01", "A03")).why
    assert why[0] == "regel 401D010 i drglogic (2020) gir DRG 10"
    assert "komplikasjon eller komorbiditet: A03" in why
    assert "hoveddiagnosen er i kategori 01M01" in why


def test_result_json_shape_is_pinned(tables: DrgTables) -> None:
    result = tables.group(stay("A01", "A03"))
    assert list(result.to_dict()) == [
        "episode_id",
        "line",
        "year",
        "drg",
        "drg_name",
        "mdc",
        "surgical",
        "complication",
        "complication_codes",
        "return_code",
        "return_text",
        "logic_row",
        "why",
    ]


def test_group_api_takes_strings_inputs_and_paths(
    tables: DrgTables, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path))
    line = "1,10000,H,3,,A01,,A03" + "," * 157
    by_tables: DrgResult = group(line, tables)
    by_path = group(stay("A01", "A03"), TABLES_2020, year=2020)
    by_definitions = group(line, load_definitions(TABLES_2020, year=2020))
    assert by_tables.drg == by_path.drg == by_definitions.drg == "10"
