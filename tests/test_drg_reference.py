"""Acceptance: the reference grouper's test set, grouped with the official tables.

The tables and the test set are not part of the project (licence): they are read from
`../shared/drg/` next to the repository when present, and these tests are skipped otherwise.
The test set was made with the 2015 tables, and every case must agree on all three of DRG,
return code and the logic row that fired. Agreement with the 2016 and 2017 tables is reported
(the logic changed between years, so differences are expected there).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kodevakt.drg import Definitions, load_definitions, parse_drg_string

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "drg"
TEST_SET = SHARED / "TestDataFull.csv"

pytestmark = pytest.mark.skipif(
    not TEST_SET.is_file() or not any(SHARED.glob("DefinitionData_*_2015_*")),
    reason=f"DRG-referansedata finnes ikke i {SHARED} (tabellene følger ikke med prosjektet)",
)


@dataclass(frozen=True, slots=True)
class Case:
    number: str
    drg: str
    logic_row: str
    string: str
    return_code: str


@dataclass(slots=True)
class Agreement:
    cases: int = 0
    drg: int = 0
    return_code: int = 0
    logic_row: int = 0
    all_three: int = 0

    def line(self, year: int) -> str:
        def share(n: int) -> str:
            return f"{n}/{self.cases} ({100 * n / self.cases:.1f} %)"

        return (
            f"{year}: DRG {share(self.drg)}, returkode {share(self.return_code)}, "
            f"logikkrad {share(self.logic_row)}, alle tre {share(self.all_three)}"
        )


def cases() -> Iterator[Case]:
    with open(TEST_SET, encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, delimiter=";")
        header = next(reader)
        assert header == ["RegelNr", "DRGKode", "DRGGrupperingsregel", "DRGGrupperingsstreng",
                          "Returkode"]  # fmt: skip
        for row in reader:
            yield Case(*row)


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    cache = tmp_path_factory.mktemp("drg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KODEVAKT_CACHE_DIR", str(cache))
        found = load_definitions(SHARED)
        for year in found.years:
            found.tables(year)
    return found


def agreement(definitions: Definitions, year: int) -> tuple[Agreement, list[str]]:
    tables = definitions.tables(year)
    found = Agreement()
    misses = []
    for case in cases():
        result = tables.group(parse_drg_string(case.string), explain_row=False)
        same = (
            result.drg == case.drg,
            result.return_code == case.return_code,
            result.logic_row == case.logic_row,
        )
        found.cases += 1
        found.drg += same[0]
        found.return_code += same[1]
        found.logic_row += same[2]
        found.all_three += all(same)
        if not all(same):
            misses.append(
                f"sak {case.number}: ventet {case.drg}/{case.return_code}/{case.logic_row}, "
                f"fikk {result.drg}/{result.return_code}/{result.logic_row}"
            )
    return found, misses


def test_2015_tables_agree_with_every_reference_case(
    definitions: Definitions, capsys: pytest.CaptureFixture[str]
) -> None:
    found, misses = agreement(definitions, 2015)
    with capsys.disabled():
        print(f"\nDRG-referansetest {found.line(2015)}")
    assert found.cases == 1394
    assert found.all_three == found.cases, "\n".join(misses[:20])


@pytest.mark.parametrize("year", [2016, 2017])
def test_later_tables_are_reported(
    definitions: Definitions, year: int, capsys: pytest.CaptureFixture[str]
) -> None:
    if year not in definitions.years:
        pytest.skip(f"ingen tabeller for {year} i {SHARED}")
    found, _ = agreement(definitions, year)
    with capsys.disabled():
        print(f"\nDRG-referansetest (bare rapportert) {found.line(year)}")
    assert found.cases == 1394
    assert found.drg > 0.9 * found.cases  # the logic changes a little from year to year


def test_every_expected_row_exists_in_the_2015_logic(definitions: Definitions) -> None:
    rows = {row.ord: row.drg for row in definitions.tables(2015).rows}
    assert all(rows.get(case.logic_row) == case.drg for case in cases())
