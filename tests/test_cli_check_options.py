"""`kodevakt check` options and failure modes: sex for --conditions, --encoding with the
readers' notices, and input that fails part-way (a closed JSON array, exit 2, no traceback)."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.cli import inputs as inputs_module
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.model import Episode
from kodevakt.episodes.reading import ReadStats, read_episodes
from tests.storage.helpers import episode, write_jsonl

runner = CliRunner()
ASTERISK_ALONE = [["H36.0"]]  # T02, an error


def _rules(*args: str) -> tuple[int, set[str]]:
    result = runner.invoke(app, ["check", *args, "--format", "json"])
    return result.exit_code, {f["rule"] for f in json.loads(result.stdout)}


# --- sex for --conditions (T07: a code for the other sex) -----------------------------------


def test_without_sex_no_sex_rule_fires() -> None:
    """N40 (prostatic hyperplasia) is for men: no sex given is no sex assumed."""
    code, rules = _rules("-c", "N40")
    assert "T07" not in rules and "E03" not in rules  # E03: sex missing or invalid
    assert code == 0


def test_with_sex_the_sex_rule_fires() -> None:
    assert _rules("-c", "N40", "--sex", "K") == (1, {"T07"})
    assert _rules("-c", "N40", "--sex", "M")[1] == set()
    assert "T07" in _rules("-c", "N83.2", "--sex", "M")[1]  # ovarian cyst, women only
    assert "T07" not in _rules("-c", "N83.2")[1]


# --- --encoding -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["latin-99", "base64"])
def test_unknown_encoding_is_refused_before_reading(name: str) -> None:
    result = runner.invoke(app, ["check", "-c", "N40", "--encoding", name])
    assert result.exit_code == 2
    assert f"Feil: ukjent tegnkoding «{name}»" in result.output


def test_encoding_reads_a_windows_file(tmp_path: Path) -> None:
    path = tmp_path / "excel.jsonl"
    record = episode("Ærø-1", ASTERISK_ALONE, department="ØNH")
    path.write_bytes((json.dumps(record, ensure_ascii=False) + "\n").encode("cp1252"))
    result = runner.invoke(app, ["check", str(path), "--format", "json", "--encoding", "cp1252"])
    assert result.exit_code == 1, result.output
    assert {f["episode_id"] for f in json.loads(result.stdout)} == {"Ærø-1"}


def test_reader_notices_are_warnings_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the readers note about a file is shown, escaped, and does not change the exit;
    --encoding reaches the reader."""
    path = tmp_path / "uttrekk[avd].csv"
    path.write_bytes(
        "lopenr;kjonn;institusjonID;fagenhetKode;innDato;utDato;omsorgsniva;tilstand_1_1\n"
        "p1;2;974557746;ØNH;2025-03-01;2025-03-01;3;I10\n".encode("latin-1")
    )
    result = runner.invoke(app, ["check", str(path), "--encoding", "latin-1"])
    assert result.exit_code == 0, result.output
    assert "Advarsel:" in result.stderr and "uttrekk[avd].csv" in result.stderr
    assert "Lest 1 poster: 1 kontrollert, 0 avvist." in result.stderr


# --- input that fails -----------------------------------------------------------------------


def test_unreadable_second_file_stops_before_any_output(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [episode("e1", ASTERISK_ALONE)])
    folder = tmp_path / "b.jsonl"
    folder.mkdir()
    result = runner.invoke(app, ["check", str(good), str(folder), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"filen «{folder}» kan ikke leses: er en mappe" in result.stderr


def _failing_second_file(monkeypatch: pytest.MonkeyPatch, bad: Path, error: Exception) -> None:
    """Reading `bad` fails after the files before it were read and their findings written."""

    def flaky(
        paths: Iterable[str],
        stats: ReadStats | None = None,
        *,
        encoding: str | None = None,
        input_format: EpisodeFormat | None = None,
    ) -> Iterator[Episode]:
        [path] = list(paths)
        if path == str(bad):
            raise error
        yield from read_episodes([path], stats, encoding=encoding, input_format=input_format)

    monkeypatch.setattr(inputs_module, "read_episodes", flaky)


def test_json_array_is_closed_when_reading_fails_part_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [episode("e1", ASTERISK_ALONE)])
    bad = write_jsonl(tmp_path / "b.jsonl", [episode("e2", ASTERISK_ALONE)])
    _failing_second_file(monkeypatch, bad, OSError(errno.EIO, "Input/output error"))
    result = runner.invoke(app, ["check", str(good), str(bad), "--format", "json"])
    assert result.exit_code == 2  # not 1: the list is incomplete, whatever it holds
    assert {f["episode_id"] for f in json.loads(result.stdout)} == {"e1"}
    assert f"Feil: inndata kunne ikke leses: «{bad}»: Input/output error" in result.stderr


def test_unexpected_reader_error_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [episode("e1", ASTERISK_ALONE)])
    bad = write_jsonl(tmp_path / "b.jsonl", [])
    _failing_second_file(monkeypatch, bad, RuntimeError("noe gikk galt"))
    result = runner.invoke(app, ["check", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "inndata kunne ikke leses" in result.stderr
    # the exception's own text may quote a record: only its type is named
    assert "uventet feil (RuntimeError)" in result.stderr
    assert "noe gikk galt" not in result.stderr


def test_second_file_in_the_wrong_encoding_stops_before_any_output(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [episode("e1", ASTERISK_ALONE)])
    excel = tmp_path / "excel.jsonl"
    record = json.dumps(episode("Ærø-1", ASTERISK_ALONE), ensure_ascii=False)
    excel.write_bytes(record.encode("cp1252"))
    result = runner.invoke(app, ["check", str(good), str(excel), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""  # not even "[]": nothing that looks like a complete answer
    assert "Feil: inndata kunne ikke leses" in result.stderr
    assert "--encoding cp1252" in result.stderr


def test_out_without_spark_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    """`--out` writes Parquet for the Spark engine only; with the local engine the findings
    would otherwise go to standard out while the user looks for them in the folder."""
    result = runner.invoke(app, ["check", "-c", "N40", "--out", str(tmp_path / "funn")])
    assert result.exit_code == 2
    assert "--out gjelder bare --engine spark" in result.output
    assert not (tmp_path / "funn").exists()
