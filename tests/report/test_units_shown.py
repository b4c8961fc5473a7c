"""Units by name: the HTML report and the worklist with a units file, and `--units` errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kodevakt.batch.units import read_units
from kodevakt.cli import app
from kodevakt.report.html import render_report
from kodevakt.storage import ENV_DB
from tests.report.checks import check_page
from tests.report.sample import sample_report
from tests.storage.helpers import episode, write_jsonl

runner = CliRunner()

SAMPLE_UNITS = (
    "institution;department;name\n"
    "983974724;;Helse Bergen HF\n"
    "983974724;MED;Medisinsk avdeling\n"
    "983974724;KIR;Kirurgisk <i>avdeling</i>\n"
    "983974724;ORT;Ortopedisk avdeling\n"
)


def _units_file(folder: Path, text: str = SAMPLE_UNITS) -> Path:
    path = folder / "enheter.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_report_shows_units_by_name(tmp_path: Path) -> None:
    page = render_report(sample_report(), read_units(_units_file(tmp_path)))
    check_page(page)
    assert "Institusjon: Helse Bergen HF (983974724)" in page
    assert "<title>Kodekvalitet 2025T1 – Helse Bergen HF (983974724)</title>" in page
    assert "Episoder per avdeling: Medisinsk avdeling (MED) 820" in page
    assert "<td>Medisinsk avdeling (MED)</td>" in page  # indicator tables
    assert "Ortopedisk avdeling (ORT): 31" in page  # where the patterns are most frequent
    assert 'data-unit="Medisinsk avdeling"' in page  # the funnel plot: the name alone
    assert 'data-series="Medisinsk avdeling"' in page  # the trend lines
    assert "<td>KARD</td>" in page  # a unit the file does not name keeps its code
    assert "Kirurgisk &lt;i&gt;avdeling&lt;/i&gt; (KIR)" in page  # names are escaped
    assert "<i>avdeling" not in page
    assert "hentet fra enhetsfilen enheter.csv" in page
    assert str(tmp_path) not in page  # the file's name, not where it lies


def test_report_without_units_shows_codes() -> None:
    page = render_report(sample_report())
    assert "Institusjon: 983974724" in page and "<td>MED</td>" in page
    assert "enhetsfilen" not in page


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A period with T02 errors at two institutions (KODEVAKT_DB)."""
    monkeypatch.setenv(ENV_DB, f"sqlite:///{tmp_path / 'kodevakt.db'}")
    records: list[dict[str, object] | str] = [
        episode("ep-1", [["H36.0"]]),
        episode("ep-2", [["H36.0"]], department="KIR"),
        episode("ep-3", [["H36.0"]], institution="983974899"),
        *(episode(f"ep-{i}", [["I10"]], department=("MED", "KIR")[i % 2]) for i in range(4, 30)),
    ]
    path = write_jsonl(tmp_path / "t1.jsonl", records)
    assert runner.invoke(app, ["import", str(path), "--period", "2025T1"]).exit_code == 0
    return tmp_path


def test_worklist_and_report_with_units_option(database: Path) -> None:
    units = _units_file(
        database,
        "institution;department;name\n"
        "974557746;;Haukeland universitetssjukehus\n"
        "974557746;MED;Medisinsk avdeling\n"
        "983974899;;Universitetssykehuset Nord-Norge HF\n",
    )
    out = database / "arbeidsliste.xlsx"
    result = runner.invoke(
        app, ["worklist", "--period", "2025T1", "--out", str(out), "--units", str(units)]
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)["Arbeidsliste"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    column = {name: i for i, name in enumerate(header)}
    places = {
        (r[column["Episode"]], r[column["Institusjon"]], r[column["Avdeling"]])
        for r in body
        if r[column["Regel"]] == "T02"
    }
    assert places == {
        ("ep-1", "Haukeland universitetssjukehus (974557746)", "Medisinsk avdeling (MED)"),
        ("ep-2", "Haukeland universitetssjukehus (974557746)", "KIR"),
        ("ep-3", "Universitetssykehuset Nord-Norge HF (983974899)", "MED"),
    }
    page_path = database / "rapport.html"
    result = runner.invoke(
        app,
        ["report", "--period", "2025T1", "--institution", "974557746", "--out", str(page_path)],
        env={"KODEVAKT_UNITS": str(units)},
    )
    assert result.exit_code == 0, result.output
    page = page_path.read_text(encoding="utf-8")
    assert "Institusjon: Haukeland universitetssjukehus (974557746)" in page
    assert re.search(r"Medisinsk avdeling \(MED\) \d+", page)


@pytest.mark.parametrize("command", ["report", "worklist"])
def test_bad_units_file_stops_before_anything_is_written(database: Path, command: str) -> None:
    units = _units_file(database, "institution;department;name\n974557746;MED;\n")
    out = database / ("rapport.html" if command == "report" else "liste.xlsx")
    result = runner.invoke(
        app, [command, "--period", "2025T1", "--out", str(out), "--units", str(units)]
    )
    assert result.exit_code == 2
    assert f"fil {units}, linje 2, felt «name»: navnet mangler" in result.output
    assert not out.exists()
    missing = database / "finnes-ikke.csv"
    result = runner.invoke(app, [command, "--period", "2025T1", "--units", str(missing)])
    assert result.exit_code == 2 and "enhetsfilen kan ikke leses" in result.output
