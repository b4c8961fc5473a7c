"""Loading DRG definition tables: lenient JSON, zip, workbook, folders of years, the cache."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest

from kodevakt.drg import cache, load_definitions
from kodevakt.drg.compile import compile_tables
from kodevakt.drg.grouper import DrgTables
from kodevakt.drg.tables import (
    discover,
    normalise_column,
    parse_lenient_json,
    read_tables_bytes,
    year_from_name,
)
from kodevakt.errors import CodeListError

FIXTURES = Path(__file__).parent / "fixtures" / "drg"
TABLES_2020 = FIXTURES / "DefinitionData_TEST_2020.json"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))


def _raw_json() -> dict[str, list[dict[str, str]]]:
    text = TABLES_2020.read_bytes().decode("utf-8-sig")
    return parse_lenient_json(text, "fixture")  # type: ignore[no-any-return]


def _workbook(path: Path, sheets: dict[str, list[dict[str, str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        columns = list(dict.fromkeys(column for row in rows for column in row))
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(c, "")) for c in columns])
    book.save(path)
    return path


def _cell(value: object) -> object:
    """Workbooks cannot hold control characters; the publisher's would have a space."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", value) if isinstance(value, str) else value


def test_fixture_has_the_awkward_features_of_the_real_files() -> None:
    data = TABLES_2020.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    assert re.search(rb",\r\n\t*\}", data)  # trailing comma before a closing brace
    assert b"\x0b" in data  # raw control character in a string


def test_lenient_json_keeps_strings_that_look_like_trailing_commas() -> None:
    text = '\ufeff{"a": ["x,]", "y, }", "q\\", ]",],\r\n "b": {"c": "d\x01",},}'
    assert parse_lenient_json(text, "t") == {"a": ["x,]", "y, }", 'q", ]'], "b": {"c": "d\x01"}}


def test_broken_json_names_the_file_and_line() -> None:
    with pytest.raises(CodeListError) as caught:
        parse_lenient_json('{\n"a": [1 2]\n}', "tabeller.json")
    assert "tabeller.json" in str(caught.value)
    assert "linje 2" in str(caught.value)


def test_columns_are_normalised() -> None:
    assert normalise_column("loc_drg\n(link to ndms)") == "loc_drg"
    assert normalise_column(" ORD ") == "ord"


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("DefinitionData_NOR_2015_Pr1cN.zip", 2015),
        ("DRG-logikk 2025 PR1a.xlsx", 2025),
        ("tabeller.json", None),
    ],
)
def test_year_from_file_name(name: str, year: int | None) -> None:
    assert year_from_name(name) == year


def test_json_zip_and_workbook_give_the_same_tables(tmp_path: Path) -> None:
    raw = _raw_json()
    zipped = tmp_path / "DefinitionData_TEST_2020.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(TABLES_2020, TABLES_2020.name)
    book = _workbook(tmp_path / "DRG 2020.xlsx", raw)
    compiled = [
        compile_tables(read_tables_bytes(path.read_bytes(), str(path)), 2020, "x")
        for path in (TABLES_2020, zipped, book)
    ]
    assert compiled[0] == compiled[1] == compiled[2]
    assert len(compiled[0]["rows"]) == len(raw["drglogic"])


def test_workbook_number_cells_become_codes(tmp_path: Path) -> None:
    raw = _raw_json()
    for row in raw["drgnames"]:
        if row["mdc"].isdigit():
            row["mdc"] = int(row["mdc"])  # type: ignore[assignment]
    book = _workbook(tmp_path / "DRG 2020.xlsx", raw)
    compiled = compile_tables(read_tables_bytes(book.read_bytes(), "b"), 2020, "b")
    assert compiled["drg_mdc"]["10"] == "01"


def test_folder_holds_one_file_per_year(tmp_path: Path) -> None:
    (tmp_path / "DRG_2020.json").write_bytes(TABLES_2020.read_bytes())
    (tmp_path / "DRG_2021.json").write_bytes(TABLES_2020.read_bytes())
    (tmp_path / "notes.txt").write_text("not a table", encoding="utf-8")
    definitions = load_definitions(tmp_path)
    assert definitions.years == [2020, 2021]
    assert definitions.tables(2021).year == 2021
    with pytest.raises(CodeListError, match="ingen DRG-definisjonstabeller for år 2019"):
        definitions.tables(2019)


def test_two_files_for_one_year_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a_2020.json").write_bytes(TABLES_2020.read_bytes())
    (tmp_path / "b_2020.json").write_bytes(TABLES_2020.read_bytes())
    with pytest.raises(CodeListError, match="to filer for år 2020"):
        discover(tmp_path)


def test_a_file_without_year_needs_one(tmp_path: Path) -> None:
    path = tmp_path / "tabeller.json"
    path.write_bytes(TABLES_2020.read_bytes())
    with pytest.raises(CodeListError, match="--year"):
        discover(path)
    assert discover(path, 2020)[0].year == 2020


def test_missing_sheet_and_column_are_named() -> None:
    raw = _raw_json()
    del raw["complexcl"]
    with pytest.raises(CodeListError, match="«complexcl» mangler"):
        read_tables_bytes(json.dumps(raw).encode(), "t.json")
    raw = _raw_json()
    for row in raw["drglogic"]:
        del row["ord"]
    with pytest.raises(CodeListError, match="kolonnen «ord»"):
        read_tables_bytes(json.dumps(raw).encode(), "t.json")


def test_unknown_cell_form_is_refused_with_the_row() -> None:
    raw = _raw_json()
    raw["drglogic"][3]["agelim"] = "≥18"
    tables = read_tables_bytes(json.dumps(raw).encode(), "t.json")
    with pytest.raises(CodeListError) as caught:
        compile_tables(tables, 2020, "t.json")
    assert "000D004" in str(caught.value)
    assert caught.value.field == "agelim"


def test_zip_must_hold_one_table_file(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(CodeListError, match="nøyaktig én"):
        read_tables_bytes(buffer.getvalue(), "x.zip")


def test_missing_definitions_give_a_norwegian_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)
    with pytest.raises(CodeListError, match="KODEVAKT_DRG_DEFINITIONS"):
        load_definitions()
    with pytest.raises(CodeListError, match="finner ikke"):
        load_definitions("/no/such/file_2020.json")


def test_cache_is_used_for_an_unchanged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = discover(TABLES_2020)[0]
    first = cache.load(source)
    files = list(cache.cache_dir().glob("2020-*.marshal"))
    assert len(files) == 1

    def compile_again(*_: object, **__: object) -> None:
        raise AssertionError("compiled again although the cache holds the tables")

    monkeypatch.setattr(cache, "compile_tables", compile_again)
    assert cache.load(source) == first
    assert DrgTables(cache.load(source)).year == 2020


def test_cache_follows_the_file_contents(tmp_path: Path) -> None:
    path = tmp_path / "DRG_2020.json"
    path.write_bytes(TABLES_2020.read_bytes())
    cache.load(discover(path)[0])
    path.write_bytes(TABLES_2020.read_bytes().replace(b'"  1A"', b'"  1Z"'))
    assert any(row[1] == "1Z" for row in cache.load(discover(path)[0])["rows"])
    assert len(list(cache.cache_dir().glob("2020-*.marshal"))) == 2


def test_cache_lives_outside_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KODEVAKT_CACHE_DIR", raising=False)
    where = cache.cache_dir().resolve()
    assert REPO not in where.parents
    assert "site-packages" not in where.parts


def test_broken_cache_file_is_ignored(tmp_path: Path) -> None:
    source = discover(TABLES_2020)[0]
    path = cache.cache_path(source.path.read_bytes(), 2020)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not marshal data")
    assert cache.load(source)["year"] == 2020


# --- the workbook reader's fast path and its fallback ------------------------------------------


def _minimal_xlsx(sheets: dict[str, list[list[object]]], *, shared: bool = True) -> bytes:
    """An .xlsx as Excel writes it: shared strings, numbers as numbers, a formula string."""
    strings: list[str] = []
    sheet_xml = {}
    for name, rows in sheets.items():
        body = []
        for r, row in enumerate(rows, start=1):
            cells = []
            for c, value in enumerate(row):
                ref = f"{chr(65 + c)}{r}"
                if value is None:
                    continue
                if isinstance(value, int):
                    cells.append(f'<c r="{ref}" s="1"><v>{value}</v></c>')
                elif isinstance(value, tuple):  # a formula with its cached text result
                    cells.append(f'<c r="{ref}" t="str"><f>"{value[0]}"</f><v>{value[0]}</v></c>')
                elif shared:
                    strings.append(str(value))
                    cells.append(f'<c r="{ref}" s="2" t="s"><v>{len(strings) - 1}</v></c>')
                else:
                    text = escape(str(value))
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
            body.append(f'<row r="{r}">{"".join(cells)}</row>')
        sheet_xml[name] = (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{''.join(body)}</sheetData></worksheet>"
        )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    book = (
        f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        + "".join(
            f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>'
            for i, n in enumerate(sheet_xml, start=1)
        )
        + "</sheets></workbook>"
    )
    rels = (
        f'<Relationships xmlns="{pkg}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheet_xml) + 1)
        )
        + "</Relationships>"
    )
    shared_xml = (
        f'<sst xmlns="{main}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "</sst>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/sharedStrings.xml", shared_xml)
        for i, xml in enumerate(sheet_xml.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return buffer.getvalue()


def _sheets_from_fixture() -> dict[str, list[list[object]]]:
    out: dict[str, list[list[object]]] = {}
    for name, rows in _raw_json().items():
        columns: list[object] = list(dict.fromkeys(c for row in rows for c in row))
        out[name] = [columns] + [
            [_cell(row.get(str(c), "")) or None for c in columns] for row in rows
        ]
    return out


@pytest.mark.parametrize("shared", [True, False])
def test_excel_style_workbook_reads_like_the_json(shared: bool) -> None:
    sheets = _sheets_from_fixture()
    sheets["drgnames"][1][1] = 1  # MDC 01 typed as the number 1
    sheets["drglogic"][1][1] = ("470",)  # a formula whose result is the DRG
    sheets["dg"].append(["A&B", None, "MDC", "01"])
    data = _minimal_xlsx(sheets, shared=shared)
    compiled = compile_tables(read_tables_bytes(data, "b.xlsx"), 2020, "x")
    expected = compile_tables(read_tables_bytes(TABLES_2020.read_bytes(), "j"), 2020, "x")
    assert compiled["dx"].pop("A&B")[0] == frozenset({"01"})
    assert compiled["drg_mdc"] == expected["drg_mdc"]
    assert compiled == expected


def test_unusual_workbook_falls_back_to_openpyxl(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "DRG 2020.xlsx", _raw_json())
    buffer = io.BytesIO()
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", data)  # cells without references
            target.writestr(item, data)
    compiled = compile_tables(read_tables_bytes(buffer.getvalue(), "b.xlsx"), 2020, "x")
    expected = compile_tables(read_tables_bytes(TABLES_2020.read_bytes(), "j"), 2020, "x")
    assert compiled == expected
