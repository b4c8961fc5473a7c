"""Grouper input: the DRG string format and kodevakt episodes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from kodevakt.codes.model import Sex
from kodevakt.drg import (
    DrgInput,
    episode_input,
    format_drg_string,
    group,
    load_definitions,
    parse_drg_string,
)
from kodevakt.drg.strings import read_drg_strings
from kodevakt.episodes.model import CareLevel, Episode, Patient, ProcedureGroup
from kodevakt.errors import CodeListError, InputError

TABLES_2020 = Path(__file__).parent / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
LINE = ",".join(
    ["1", "10980", "H", "5", ""]
    + ["S273", "", "R457", "", "S001", ""]
    + [""] * 54
    + ["TND39", "NCJ05"]
    + [""] * 98
)


# --- DRG strings ---------------------------------------------------------------------------


def test_string_fields() -> None:
    case = parse_drg_string(LINE)
    assert case == DrgInput(
        sex="1",
        age_days=10980,
        discharge="H",
        los=5,
        diagnoses=(("S273", ""), ("R457", ""), ("S001", "")),
        procedures=("TND39", "NCJ05"),
    )


def test_string_round_trip() -> None:
    case = parse_drg_string(LINE)
    assert format_drg_string(case) == LINE.strip()
    paired = DrgInput("2", 0, "E", 0, (("E103", "H360"), ("", "X"), ("P071", "")), ("A",))
    assert parse_drg_string(format_drg_string(paired)) == paired


def test_string_tolerates_crlf() -> None:
    assert parse_drg_string(LINE + "\r\n") == parse_drg_string(LINE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,10980,H,5", "har 4 felt, ventet 165"),
        (LINE.replace("10980", "ti år", 1), "alder i dager «ti år» er ikke et helt tall"),
        (LINE.replace(",5,", ",-1,", 1), "liggetid «-1» er ikke et helt tall"),
        (LINE.replace(",H,", ",3,", 1), "utskrivningsmåten «3»"),
    ],
)
def test_malformed_string_is_a_norwegian_error_with_the_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        list(read_drg_strings(["", LINE, text], file="strenger.txt"))
    assert message in str(caught.value)
    assert "fil strenger.txt, linje 3" in str(caught.value)


def test_blank_lines_are_skipped_but_counted() -> None:
    assert [n for n, _ in read_drg_strings([LINE, "\n", LINE])] == [1, 3]


def test_string_with_too_many_codes_cannot_be_written() -> None:
    with pytest.raises(InputError):
        format_drg_string(DrgInput(diagnoses=(("A01", ""),) * 31))


# --- episodes ------------------------------------------------------------------------------


def episode(*conditions: list[str], **fields: object) -> Episode:
    values: dict[str, object] = {
        "id": "e1",
        "patient": Patient(sex=Sex.MALE, birth_date=date(1990, 1, 1)),
        "care_level": CareLevel.INPATIENT,
        "admission": datetime(2020, 3, 1, 10, 0),
        "discharge": datetime(2020, 3, 4, 9, 0),
        "conditions": list(conditions),
    }
    values.update(fields)
    return Episode(**values)  # type: ignore[arg-type]


def test_episode_fields() -> None:
    found = episode_input(
        episode(["J12.8"], ["I10"], procedures=[ProcedureGroup(["JKA21", "ZXD10"])])
    )
    assert found == DrgInput(
        sex="1",
        age_days=(date(2020, 3, 1) - date(1990, 1, 1)).days,
        discharge="H",
        los=3,
        diagnoses=(("J128", ""), ("I10", "")),
        procedures=("JKA21", "ZXD10"),
    )


def test_woman_transferred_day_case() -> None:
    found = episode_input(
        episode(
            ["N80"],
            patient=Patient(sex=Sex.FEMALE, age_years=40),
            transferred_to="974557746",
            care_level=CareLevel.DAY,
            admission=None,
            discharge=None,
        ),
        year=2020,
    )
    assert (found.sex, found.discharge, found.los, found.age_days) == ("2", "R", 0, 14610)


def test_death_must_be_given() -> None:
    assert episode_input(episode(["A01"]), discharge="E").discharge == "E"


def test_dagger_asterisk_groups_are_pairs_before_2023() -> None:
    found = episode_input(episode(["E10.3", "H36.0*"], ["E10.3", "H36.0"], ["J12.8", "U07.1"]))
    assert found.diagnoses == (("E103", "H360"), ("E103", "H360"), ("J128", ""), ("U071", ""))


def test_every_group_is_a_pair_from_2023() -> None:
    found = episode_input(episode(["J12.8", "U07.1", "B97.2"]), year=2023)
    assert found.diagnoses == (("J128", "U071"), ("B972", ""))


def test_additional_codes_that_are_not_icd10_are_left_out() -> None:
    found = episode_input(episode(["T88.7", "C07AB02"], ["I10"]), year=2024)
    assert found.diagnoses == (("T887", ""), ("I10", ""))


def test_unknown_codes_are_kept_for_the_logic() -> None:
    assert episode_input(episode(["XYZ"])).diagnoses == (("XYZ", ""),)


def test_main_condition_without_a_diagnosis_code_is_missing() -> None:
    found = episode_input(episode(["C07AB02"], ["I10"]))
    assert found.diagnoses == (("", ""), ("I10", ""))


def test_norwegian_lower_case_letters_are_kept() -> None:
    assert episode_input(episode(["S93.4", "W0n.0r"])).diagnoses == (("S934", ""), ("W0n0r", ""))


def test_group_picks_the_year_from_the_discharge_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path))
    definitions = load_definitions(TABLES_2020)
    result = group(episode(["A01"], ["A03"]), definitions)
    assert (result.year, result.drg, result.episode_id) == (2020, "10", "e1")
    later = episode(["A01"], discharge=datetime(2021, 1, 2))
    with pytest.raises(CodeListError, match="ingen DRG-definisjonstabeller for år 2021"):
        group(later, definitions)
    assert group(later, definitions, year=2020).drg == "11"
