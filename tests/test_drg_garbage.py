"""A file given as definition tables that is nothing of the kind: named, explained, exit 2.

Random bytes, an unrelated zip, a Word document, a workbook without the DRG sheets, an empty
file, JSON of another shape and a damaged workbook are each refused with a Norwegian message
that names the file and says what was expected, by both commands, never with a traceback. The
file is checked when it is named, so the user hears about it even when no stay needs its year.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.drg.tables import check_file, read_tables_bytes
from kodevakt.errors import CodeListError

runner = CliRunner()
TABLES_2020 = Path(__file__).parent / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
EXPECTED = "Filen er ikke DRG-definisjonstabeller; ventet Helsedirektoratets"


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook(*titles: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = titles[0]
    for title in titles[1:]:
        book.create_sheet(title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _damaged(data: bytes) -> bytes:
    """`data` with a stretch of its compressed middle overwritten."""
    spoilt = bytearray(data)
    noise = random.Random(7)
    for at in range(len(data) // 3, len(data) // 3 + 64):
        spoilt[at] = noise.randrange(256)
    return bytes(spoilt)


GARBAGE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "random": ("tabeller_2020.zip", lambda: random.Random(1).randbytes(4000), "verken en Excel"),
    "pk-junk": ("tabeller_2020.zip", lambda: b"PK\x03\x04" + bytes(200), "zip-filen er skadet"),
    "empty": ("tabeller_2020.json", lambda: b"", "filen er tom"),
    "blank": ("tabeller_2020.json", lambda: b"\xef\xbb\xbf \r\n", "filen er tom"),
    "unrelated-zip": (
        "tabeller_2020.zip",
        lambda: _zip({"bilde.png": b"\x89PNG", "les meg.txt": b"hei"}),
        "zip-filen skal inneholde nøyaktig én JSON- eller Excel-fil, fant 0",
    ),
    "word": (
        "tabeller_2020.xlsx",
        lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "Office-dokument, men ikke en Excel-arbeidsbok",
    ),
    "other-workbook": (
        "tabeller_2020.xlsx",
        lambda: _workbook("Ark1", "dg"),
        "tabellene «drglogic», «proc», «complexcl» mangler",
    ),
    "json-list": ("tabeller_2020.json", lambda: b"[1, 2]", "verken en Excel"),
    "json-object": (
        "tabeller_2020.json",
        lambda: json.dumps({"pasienter": [{"id": 1}]}).encode(),
        "JSON-filen har ingen av DRG-tabellene",
    ),
    "zipped-unrelated-json": (
        "tabeller_2020.zip",
        lambda: _zip({"data.json": b'{"a": [1]}'}),
        "JSON-filen har ingen av DRG-tabellene",
    ),
}


@pytest.mark.parametrize("kind", sorted(GARBAGE))
@pytest.mark.parametrize("command", ["drg", "effect"])
def test_garbage_definitions_are_named_and_explained(
    kind: str, command: str, tmp_path: Path
) -> None:
    name, make, reason = GARBAGE[kind]
    definitions = tmp_path / name
    definitions.write_bytes(make())
    episodes = tmp_path / "episoder.jsonl"
    row = {
        "id": "e1",
        "patient": {"sex": "K", "age": 60},
        "care_level": "inpatient",
        "admission": "2025-03-01",
        "discharge": "2025-03-04",
        "conditions": [["A01"]],
    }
    episodes.write_text(json.dumps(row) + "\n", encoding="utf-8")
    # the episode is from 2025: the 2020 file is refused although no stay needs it
    result = runner.invoke(app, [command, str(episodes), "--definitions", str(definitions)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    message = " ".join(result.stderr.split())  # rich wraps long lines
    assert f"Feil: fil {definitions}" in message  # (a zip member as zip:member)
    assert reason in message
    assert EXPECTED in message
    assert "drglogic" in message  # what was expected
    assert result.stdout == ""


def test_a_damaged_workbook_is_an_error_not_a_crash(tmp_path: Path) -> None:
    good = _workbook("drglogic", "dg", "proc", "complcat", "complexcl", "drgnames")
    read_tables_bytes(good, "ok.xlsx")  # the sheets are there (empty): the reader accepts it
    definitions = tmp_path / "tabeller_2020.xlsx"
    definitions.write_bytes(_damaged(good))
    result = runner.invoke(app, ["drg", "--definitions", str(definitions), "--drg-strings", "-"])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "er skadet" in result.stderr


def test_no_damage_to_a_workbook_escapes_as_anything_but_a_code_list_error(
    tmp_path: Path,
) -> None:
    good = _workbook("drglogic", "dg", "proc", "complcat", "complexcl", "drgnames")
    path = tmp_path / "tabeller_2020.xlsx"
    for seed in range(60):
        spoilt = bytearray(good)
        noise = random.Random(seed)
        for _ in range(3):
            spoilt[noise.randrange(len(spoilt))] = noise.randrange(256)
        path.write_bytes(bytes(spoilt))
        with contextlib.suppress(CodeListError):
            check_file(path)
        with contextlib.suppress(CodeListError):
            read_tables_bytes(bytes(spoilt), "x")


def test_a_folder_with_a_garbage_year_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "DRG_2020.json").write_bytes(TABLES_2020.read_bytes())
    (tmp_path / "DRG_2021.zip").write_bytes(b"\x00\x01" + bytes(100))
    result = runner.invoke(app, ["drg", "--definitions", str(tmp_path), "--drg-strings", "-"])
    assert result.exit_code == 2
    assert f"fil {tmp_path / 'DRG_2021.zip'}:" in " ".join(result.stderr.split())
