"""What `kodevakt drg` and `kodevakt effect` write, when the data or the output misbehave.

Cells from the data that a spreadsheet would run are neutralised in CSV, values that look like
rich markup are printed as written, a failed write says "kunne ikke skrive" (exit 2) and never
passes for unreadable input, a closed pipe ends the run quietly, and `--encoding` reads a
Windows-1252 file.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import read_episodes

runner = CliRunner()
TABLES_2020 = Path(__file__).parent / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
DEFINITIONS = ["--definitions", str(TABLES_2020)]


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)
    monkeypatch.delenv("KODEVAKT_DRG_WEIGHTS", raising=False)


def stay(episode_id: str, *conditions: list[str], year: int = 2020) -> dict[str, Any]:
    return {
        "id": episode_id,
        "patient": {"sex": "K", "age": 60},
        "care_level": "inpatient",
        "admission": f"{year}-03-01",
        "discharge": f"{year}-03-04",
        "conditions": list(conditions),
    }


def write(path: Path, *rows: dict[str, Any] | str) -> str:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


# -- CSV: formula injection ---------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "=1;2\r\n=3"]


def test_drg_csv_neutralises_formula_cells_and_keeps_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl", *(stay(value, ["A01"]) for value in FORMULAS))
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text("11;0,5\n", encoding="utf-8")
    result = runner.invoke(app, ["drg", path, *DEFINITIONS, "--weights", str(weights), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    shown = ["'" + value.replace("\r\n", "\n") for value in FORMULAS]  # the runner reads \r\n as \n
    assert [row["episode_id"] for row in rows] == shown
    assert (rows[0]["line"], rows[0]["year"], rows[0]["weight"]) == ("1", "2020", "0.5")
    assert len(result.stdout.splitlines()) == 1 + len(FORMULAS) + 1  # one quoted CR/LF cell


def test_effect_csv_neutralises_formula_cells_and_keeps_a_negative_number(tmp_path: Path) -> None:
    # The T02 fix moves E10.3; H36.0 from DRG 290 (weight 1.25 here) to 60 (0.5): change -0.75.
    path = write(tmp_path / "e.jsonl", stay("=cmd|' /C calc'!A0", ["E10.3"], ["H36.0"]))
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text("60;0,5\n290;1,25\n", encoding="utf-8")
    args = ["effect", path, *DEFINITIONS, "--weights", str(weights), "-f", "csv"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    [row] = csv_rows(result.stdout)
    assert row["episode_id"] == "'=cmd|' /C calc'!A0"
    assert (row["weight_before"], row["weight_after"], row["weight_change"]) == (
        "1.25",
        "0.5",
        "-0.75",
    )


# -- the console: data is never markup ----------------------------------------------------------

MARKUP_IDS = ["[/]", "[bold]fet[/bold]", "[red]x"]


def test_drg_table_prints_markup_like_ids_verbatim(tmp_path: Path) -> None:
    rows = [stay(value, ["A01"]) for value in MARKUP_IDS] + [stay("[/]b", ["A01"], year=2025)]
    path = write(tmp_path / "e.jsonl", *rows)
    result = runner.invoke(app, ["drg", path, *DEFINITIONS], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output  # [/]b is from 2025: not grouped
    assert isinstance(result.exception, SystemExit)
    for value in MARKUP_IDS:
        assert f"│ {value} " in result.stdout  # in the table
        assert f"{value} (DRG 11, regel 401D011)" in result.stdout  # in the reasons
    assert "– 1 episode: [/]b" in result.stdout  # among those not grouped


def test_effect_table_prints_markup_like_ids_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl", stay("[/]", ["E10.3"], ["H36.0"]))
    result = runner.invoke(app, ["effect", path, *DEFINITIONS], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "│ [/] " in result.stdout
    assert "[/] T02: Rettingen flytter" in result.stdout


@pytest.mark.parametrize("command", ["drg", "effect"])
def test_rejected_records_are_printed_verbatim(command: str, tmp_path: Path) -> None:
    # the description names the file, and this file's name is markup
    path = write(tmp_path / "ep[bold]i.jsonl", stay("e1", ["A01"]), "{ikke json")
    result = runner.invoke(app, [command, path, *DEFINITIONS], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"Avvist: fil {path}, linje 2:" in result.stderr


def test_error_messages_with_markup_in_a_file_name(tmp_path: Path) -> None:
    definitions = tmp_path / "tabeller[bold]_2020.json"
    definitions.write_bytes(b"tull")
    result = runner.invoke(app, ["drg", "--definitions", str(definitions), "--drg-strings", "-"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert f"fil {definitions}:" in result.stderr


# -- --encoding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["drg", "effect"])
def test_encoding_reads_a_windows_file(command: str, tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(
        json.dumps(stay("Bjørn", ["E10.3"], ["H36.0"]), ensure_ascii=False).encode("cp1252")
    )
    refused = runner.invoke(app, [command, str(path), *DEFINITIONS, "-f", "jsonl"])
    assert refused.exit_code == 2
    assert "--encoding cp1252" in refused.stderr
    assert "kunne ikke skrive" not in refused.stderr
    read = runner.invoke(
        app, [command, str(path), *DEFINITIONS, "-f", "jsonl", "--encoding", "cp1252"]
    )
    assert read.exit_code == 0, read.output
    assert json.loads(read.stdout.splitlines()[0])["episode_id"] == "Bjørn"


# -- failed writes, as a real process sees them -------------------------------------------------


def run(args: list[str], tmp_path: Path, **options: Any) -> subprocess.CompletedProcess[str]:
    """`kodevakt ARGS` in a fresh interpreter (`options` go to subprocess.run)."""
    env = os.environ | {"KODEVAKT_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "120"}
    command = [sys.executable, "-c", "from kodevakt.cli import main; main()", *args]
    options.setdefault("stdout", subprocess.DEVNULL)
    return subprocess.run(
        command, env=env, stderr=subprocess.PIPE, text=True, timeout=120, **options
    )


@pytest.fixture
def many(tmp_path: Path) -> str:
    """Enough stays that the output is far larger than any buffer."""
    rows = [stay(f"e{n}", ["E10.3"], ["H36.0"]) for n in range(400)]
    return write(tmp_path / "mange.jsonl", *rows)


COMMANDS = [
    pytest.param(["drg", "-f", "jsonl"], id="drg-jsonl"),
    pytest.param(["drg"], id="drg-table"),
    pytest.param(["effect", "-f", "csv"], id="effect-csv"),
    pytest.param(["effect"], id="effect-table"),
]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full finnes bare på Linux")
@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_is_a_write_error(command: list[str], many: str, tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = run([*command, many, *DEFINITIONS], tmp_path, stdout=full)
    assert result.returncode == 2
    assert "Feil: kunne ikke skrive resultatet: disken er full" in result.stderr
    assert "inndata" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_stdout_is_a_write_error(command: list[str], many: str, tmp_path: Path) -> None:
    closed = ["sh", "-c", 'exec "$@" >&-', "sh"]
    env = os.environ | {"KODEVAKT_CACHE_DIR": str(tmp_path / "cache")}
    args = [sys.executable, "-c", "from kodevakt.cli import main; main()", *command, many]
    result = subprocess.run(
        [*closed, *args, *DEFINITIONS], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "Feil: kunne ikke skrive resultatet" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_pipe_ends_quietly(command: list[str], many: str, tmp_path: Path) -> None:
    read, written = os.pipe()
    os.close(read)  # the reader is gone before the first line (| head that has had enough)
    try:
        result = run([*command, many, *DEFINITIONS], tmp_path, stdout=written)
    finally:
        os.close(written)
    assert result.returncode == 2  # `writing`'s contract for every command: not done, quietly
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["drg", "effect"])
def test_input_failing_part_way_is_not_a_write_error(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "e.jsonl", stay("e1", ["E10.3"], ["H36.0"]))

    def failing(paths: list[str], stats: Any, **options: Any) -> Iterator[Episode]:
        yield from read_episodes(paths, stats, **options)
        raise OSError(errno.EIO, os.strerror(errno.EIO))  # the disk gave up after one record

    monkeypatch.setattr("kodevakt.cli.inputs.read_episodes", failing)
    result = runner.invoke(app, [command, path, *DEFINITIONS, "-f", "jsonl"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert f"Feil: inndata kunne ikke leses: «{path}»:" in result.stderr
    assert "kunne ikke skrive" not in result.stderr
