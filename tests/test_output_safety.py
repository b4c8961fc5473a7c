"""Output a user can trust: spreadsheet-safe CSV, data shown as written on the console, files
replaced whole or not at all, and write failures reported as such (exit 2, in Norwegian)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.pipeline import Pipeline
from kodevakt.report.worklist import WorklistRow, write_worklist
from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, Store
from tests.storage.helpers import episode, write_jsonl

runner = CliRunner()
KODEVAKT = str(Path(sys.executable).with_name("kodevakt"))
# Cells a spreadsheet would run as a formula, and cells that could split a CSV row.
FORMULAS = ['=HYPERLINK("http://x.example","klikk")', "+1", "-2+3", "@SUM(A1)"]
STARTS = ("=", "+", "-", "@", "\t", "\r")
ASTERISK_ALONE = [["H36.0"]]  # T02, an error, for every episode that has it


def _rows(output: bytes) -> list[list[str]]:
    """The CSV as written (the runner's `stdout` would turn CR LF into LF)."""
    return list(csv.reader(io.StringIO(output.decode("utf-8"), newline=""), delimiter=";"))


def _not_formula(cell: str) -> bool:
    return not cell.startswith(STARTS)


# --- CSV formula injection ------------------------------------------------------------------


def test_check_csv_neutralises_formulas_and_keeps_rows_whole(tmp_path: Path) -> None:
    ids = [*FORMULAS, "første\nandre linje"]
    path = write_jsonl(tmp_path / "e.jsonl", [episode(i, ASTERISK_ALONE) for i in ids])
    result = runner.invoke(app, ["check", str(path), "--format", "csv"])
    assert result.exit_code == 1, result.output
    rows = _rows(result.stdout_bytes)
    header, body = rows[0], rows[1:]
    assert len(body) == len(ids)  # one T02 each: the newline did not add a row
    assert all(len(row) == len(header) for row in body)
    shown = [row[header.index("episode_id")] for row in body]
    assert shown == ["'" + i for i in FORMULAS] + ["første\nandre linje"]
    assert all(_not_formula(cell) for row in body for cell in row)


def _accepted_db(tmp_path: Path, comments: list[str]) -> str:
    """A database with one T02 finding per comment, each accepted with that comment."""
    db = f"sqlite:///{tmp_path / 'k.db'}"
    ids = [f"ep-{n}" for n in range(len(comments))]
    path = write_jsonl(tmp_path / "t1.jsonl", [episode(i, ASTERISK_ALONE) for i in ids])
    with Store(db) as store:
        assert not Pipeline(store).import_files([path], "2025T1").failed
        keys = {f.finding.episode_id: f.key for f in store.findings("2025T1")}
        for episode_id, comment in zip(ids, comments, strict=True):
            store.set_status(keys[episode_id], FindingStatus.ACCEPTED, comment, "koder1")
    return db


def test_findings_csv_neutralises_comments(tmp_path: Path) -> None:
    comments = [*FORMULAS, "linje 1\r\nlinje 2"]  # (the store strips a leading tab or CR)
    db = _accepted_db(tmp_path, comments)
    result = runner.invoke(app, ["findings", "--db", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout_bytes)
    header, body = rows[0], rows[1:]
    assert len(body) == len(comments)
    assert all(len(row) == len(header) for row in body)
    shown = sorted(row[header.index("comment")] for row in body)
    assert shown == sorted(["'" + c for c in comments[:-1]] + ["linje 1\r\nlinje 2"])


def _worklist_row(episode_id: str, message: str) -> WorklistRow:
    return WorklistRow(
        episode_id=episode_id,
        patient="P-0badc0de",
        department="MED",
        discharge=date(2025, 3, 4),
        rule="T02",
        severity=Severity.ERROR,
        message=message,
        suggestion="=1+1",
        source="KV2018 §4.3",
        status="åpen",
        key="k1",
    )


def test_worklist_csv_neutralises_formulas(tmp_path: Path) -> None:
    cases = [(f, m) for f, m in zip(FORMULAS, ["\tx", "\rx", "@SUM(A1)", "a\nb"], strict=True)]
    path = tmp_path / "liste.csv"
    write_worklist([_worklist_row(e, m) for e, m in cases], path)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    assert len(rows) == 1 + len(cases)
    assert all(len(row) == len(rows[0]) for row in rows)
    assert all(_not_formula(cell) for row in rows[1:] for cell in row)
    assert sorted((row[0], row[7]) for row in rows[1:]) == sorted(
        ("'" + e, m if m == "a\nb" else "'" + m) for e, m in cases
    )
    assert rows[1][8] == "'=1+1"


def test_worklist_xlsx_stores_formula_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "liste.xlsx"
    write_worklist([_worklist_row("=1+1", '=HYPERLINK("http://x.example")')], path)
    row = next(load_workbook(path)["Arbeidsliste"].iter_rows(min_row=2))
    cells = [cell for cell in row if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert [c.value for c in cells] == ["=1+1", '=HYPERLINK("http://x.example")', "=1+1"]
    assert all(cell.data_type == "s" for cell in cells)  # a string, not a formula ("f")


# --- rich markup ----------------------------------------------------------------------------


def test_check_table_shows_ids_as_written(tmp_path: Path) -> None:
    ids = ["[/]", "[bold]x[/bold]", "Bekreftet [se epikrise]"]
    path = write_jsonl(tmp_path / "e.jsonl", [episode(i, ASTERISK_ALONE) for i in ids])
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output  # errors found, as before
    lines = result.stdout.splitlines()
    assert all(i in lines for i in ids)


def test_findings_and_show_print_comments_as_written(tmp_path: Path) -> None:
    comments = ["[/]", "Bekreftet [se epikrise]"]
    db = _accepted_db(tmp_path, comments)
    table = runner.invoke(app, ["findings", "--db", db])
    assert table.exit_code == 0, table.output
    assert "koder1" in table.stdout
    assert all(f": {c}" in table.stdout for c in comments)
    for item in json.loads(runner.invoke(app, ["findings", "--db", db, "-f", "json"]).stdout):
        shown = runner.invoke(app, ["finding", "show", item["key"], "--db", db])
        assert shown.exit_code == 0, shown.output
        assert f"koder1: {item['comment']}" in shown.stdout
        assert f"godtatt  koder1: {item['comment']}" in shown.stdout


def test_accept_echoes_markup_like_comment(tmp_path: Path) -> None:
    db = _accepted_db(tmp_path, ["ok"])
    [item] = json.loads(runner.invoke(app, ["findings", "--db", db, "-f", "json"]).stdout)
    result = runner.invoke(
        app,
        ["finding", "accept", item["key"], "--comment", "[/] [red]nei", "--by", "[bold]kari"],
        env={"KODEVAKT_DB": db},
    )
    assert result.exit_code == 0, result.output
    assert "[bold]kari: [/] [red]nei" in result.stdout


def test_errors_show_file_names_as_written() -> None:
    result = runner.invoke(app, ["check", "mangler[/].json"])
    assert result.exit_code == 2
    assert "Feil: filen «mangler[/].json» kan ikke leses: finnes ikke" in result.output


# --- files replaced whole or not at all ----------------------------------------------------


# The real command in a child process whose files cannot grow past a limit once it starts
# writing its output (the database it reads is opened before): the disk fills up half-way.
_FULL_DISK_CHILD = """
import resource, sys, tempfile
from kodevakt.cli import main
limit = int(sys.argv.pop(1))
create = tempfile.mkstemp
def mkstemp(*args, **kwargs):
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return create(*args, **kwargs)
tempfile.mkstemp = mkstemp
main()
"""


def _kodevakt(*args: str, full_after: int | None = None) -> subprocess.CompletedProcess[str]:
    """`kodevakt *args`; with `full_after`, writes past that many bytes fail with EFBIG."""
    if full_after is None:
        command = [KODEVAKT, *args]
    else:
        pytest.importorskip("resource")
        command = [sys.executable, "-c", _FULL_DISK_CHILD, str(full_after), *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        # SIGXFSZ would kill the process; ignored, the write fails with EFBIG instead
        preexec_fn=lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN),
    )


@pytest.fixture(scope="module")
def period_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("full-disk")
    path = write_jsonl(
        folder / "t1.jsonl",
        [episode(f"ep-{n}", ASTERISK_ALONE if n % 2 else [["I10"]]) for n in range(40)],
    )
    db = f"sqlite:///{folder / 'k.db'}"
    with Store(db) as store:
        assert not Pipeline(store).import_files([path], "2025T1").failed
    return db


@pytest.mark.parametrize(
    ("command", "name", "what"),
    [
        ("report", "rapport.html", "rapporten"),
        ("worklist", "liste.xlsx", "arbeidslisten"),
        ("worklist", "liste.csv", "arbeidslisten"),
    ],
)
def test_full_disk_keeps_the_previous_file(
    period_db: str, tmp_path: Path, command: str, name: str, what: str
) -> None:
    target = tmp_path / name
    args = [command, "--period", "2025T1", "--db", period_db, "--out", str(target)]
    first = _kodevakt(*args)
    assert first.returncode == 0, first.stderr
    before = target.read_bytes()
    assert len(before) > 600

    failed = _kodevakt(*args, full_after=512)
    assert failed.returncode == 2, failed.stderr
    assert f"Feil: kunne ikke skrive {what} til «{target}»: filen ble for stor" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left


def test_synth_out_on_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "episoder.jsonl"
    target.write_text("forrige\n", encoding="utf-8")
    args = ["synth", "-n", "200", "--seed", "1", "--out", str(target)]
    failed = _kodevakt(*args, full_after=4096)
    assert failed.returncode == 2, failed.stderr
    assert "kunne ikke skrive episodene til" in failed.stderr
    assert target.read_text(encoding="utf-8") == "forrige\n"
    assert [p.name for p in tmp_path.iterdir()] == ["episoder.jsonl"]

    written = _kodevakt(*args)
    assert written.returncode == 0, written.stderr
    assert len(target.read_text(encoding="utf-8").splitlines()) == 200


def test_report_write_error_is_exit_2_in_process(
    period_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with the disk-full error itself (ENOSPC), raised by the final flush."""
    target = tmp_path / "rapport.html"
    target.write_text("forrige rapport", encoding="utf-8")

    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = runner.invoke(
        app, ["report", "--period", "2025T1", "--db", period_db, "--out", str(target)]
    )
    assert result.exit_code == 2
    assert "kunne ikke skrive rapporten til" in result.output and "disken er full" in result.output
    assert target.read_text(encoding="utf-8") == "forrige rapport"
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


# --- write errors on stdout -----------------------------------------------------------------

needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [
        ["check", "-c", "N40", "--sex", "K"],
        ["check", "-c", "N40", "--sex", "K", "--format", "json"],
        ["synth", "-n", "10", "--seed", "1"],
    ],
)
def test_stdout_write_error_is_exit_2_not_an_input_error(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([KODEVAKT, *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 2, result.stderr
    assert "kunne ikke skrive" in result.stderr and "disken er full" in result.stderr
    assert "inndata" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["synth", "check"])
def test_closed_pipe_ends_quietly(tmp_path: Path, command: str) -> None:
    """`kodevakt … | head -1`: no traceback, no message, and not exit 1 ("errors found")."""
    if command == "synth":
        args = ["synth", "-n", "100000", "--seed", "1"]
    else:
        path = write_jsonl(
            tmp_path / "e.jsonl", [episode(f"e{n}", ASTERISK_ALONE) for n in range(3000)]
        )
        args = ["check", str(path)]
    with subprocess.Popen(
        [KODEVAKT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline()
        process.stdout.close()  # what `head -1` does after its line
        stderr = process.stderr.read()
    assert process.returncode == 2
    assert stderr == ""
