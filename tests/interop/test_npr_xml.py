"""The NPR message: read streamed with line and element path for every rejection, written in
the same structure, validated against kodevakt's schema (and any other with --schema)."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.npr_xml import read_npr_xml
from kodevakt.episodes.npr_xml_schema import SCHEMA, load_schema, violations
from kodevakt.episodes.npr_xml_writer import MessageOptions, write_npr_xml
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError

runner = CliRunner()
NS = "http://www.npr.no/xmlstds/56_0_2_som"  # another year's version than the writer's
PERSONAL = "pas-9876543"


def message(episodes: str, *, ns: str = NS, wrap: bool = False) -> str:
    body = (
        f'<Melding xmlns="{ns}" versjon="56.0.2">\n'
        '<Institusjon institusjonID="974557746">\n'
        '<Enhet enhetID="7" enhetLokal="MED"/>\n'
        f'<Objektholder pasientNr="{PERSONAL}">\n'
        '<Pasient kjonn="2" fodselsar="1950"/>\n'
        f"{episodes}"
        "</Objektholder>\n</Institusjon>\n</Melding>\n"
    )
    if wrap:
        head = "http://www.kith.no/xmlstds/msghead/2006-05-24"
        inner = f"<Document><RefDoc><Content>\n{body}</Content></RefDoc></Document>"
        body = f'<MsgHead xmlns="{head}">{inner}</MsgHead>\n'
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


GOOD = (
    '<Episode episodeID="ep-1" innDatoTid="2025-03-01T10:15:00" utDatoTid="2025-03-05T12:00:00"'
    ' omsorgsniva="1" innmateHast="1" fraSted="2" fraInstitusjonID="883974832">\n'
    '<RefEnhet enhetID="7" typeEnhet="2"/>\n'
    '<Tilstand tilstNr="2"><Kode kodeNr="1" kodeverk="D" kodeVersjon="2025" kodeVerdi="I10"/>'
    "</Tilstand>\n"
    '<Tilstand tilstNr="1"><Kode kodeNr="2" kodeverk="D" kodeVerdi="U071"/>'
    '<Kode kodeNr="1" kodeverk="D" kodeVerdi="J128"/></Tilstand>\n'
    '<Tjeneste startDatoTid="2025-03-02T09:00:00"><Tiltak typeTiltak="1">'
    '<Prosedyre prosNr="1"><Kode kodeNr="1" kodeverk="K" kodeVerdi="GXAV40"/></Prosedyre>'
    "</Tiltak></Tjeneste>\n"
    "</Episode>\n"
)


def read(tmp_path: Path, text: str, notices: list[str] | None = None) -> list[Episode | Rejected]:
    path = tmp_path / "melding.xml"
    path.write_text(text, encoding="utf-8")
    return list(read_npr_xml(path, notices=notices))


@pytest.mark.parametrize("wrap", [False, True], ids=["bare", "in-msghead"])
def test_a_message_of_any_version_is_read_by_names(tmp_path: Path, wrap: bool) -> None:
    (episode,) = read(tmp_path, message(GOOD, wrap=wrap))
    assert isinstance(episode, Episode)
    assert episode.id == "ep-1"
    assert episode.conditions == [["J12.8", "U07.1"], ["I10"]]  # by tilstNr and kodeNr
    assert [g.codes for g in episode.procedures] == [["GXAV40"]]
    assert str(episode.procedures[0].date) == "2025-03-02"
    assert (episode.institution, episode.department) == ("974557746", "MED")
    assert episode.patient.id == PERSONAL and episode.patient.sex is not None
    assert episode.age_years == 75  # from the birth year, as the flat extract is read
    assert episode.transferred_from == "883974832"
    assert episode.source is not None and episode.source.line == 7 + wrap


@pytest.mark.parametrize(
    ("episode", "field", "line", "path_end"),
    [
        (GOOD.replace(' episodeID="ep-1"', ""), "episodeID", 7, "Episode[1]"),
        (GOOD.replace('kodeverk="K"', 'kodeverk="X"'), "kodeverk", 11, "Prosedyre[1]/Kode[1]"),
        (GOOD.replace(' kodeNr="2"', ""), "kodeNr", 10, "Tilstand[2]/Kode[1]"),
        (GOOD.replace('tilstNr="2"', 'tilstNr="1"'), "tilstNr", 10, "Tilstand[2]"),
        (
            GOOD.replace('innDatoTid="2025-03-01T10:15:00"', f'innDatoTid="{PERSONAL}"'),
            "innDatoTid",
            7,
            "Episode[1]",
        ),
        (
            GOOD.replace("<Tjeneste", '<Kode kodeNr="1" kodeverk="D" kodeVerdi="I10"/><Tjeneste'),
            "Kode",
            11,
            "Episode[1]/Kode[1]",
        ),
    ],
    ids=[
        "missing-episode-id",
        "unknown-kodeverk",
        "missing-kodeNr",
        "repeated-tilstNr",
        "bad-date",
        "misplaced-kode",
    ],
)
def test_an_unreadable_episode_is_rejected_with_line_path_and_field(
    tmp_path: Path, episode: str, field: str, line: int, path_end: str
) -> None:
    records = read(tmp_path, message(episode + GOOD.replace("ep-1", "ep-2")))
    assert isinstance(records[1], Episode)  # the message goes on
    rejected = records[0]
    assert isinstance(rejected, Rejected)
    assert (rejected.field, rejected.line) == (field, line)
    assert rejected.position is not None and rejected.position.endswith(path_end)
    described = rejected.describe()
    assert f"linje {line}" in described and "/Melding/Institusjon[1]/Objektholder[1]/" in described
    assert PERSONAL not in described


def test_unknown_kodeverk_names_the_known_letters(tmp_path: Path) -> None:
    (rejected, _) = read(tmp_path, message(GOOD.replace('kodeverk="K"', 'kodeverk="X"') + GOOD))
    assert isinstance(rejected, Rejected)
    assert "ukjent kodeverk" in rejected.message and "D ICD-10" in rejected.message


def test_codes_of_systems_kodevakt_does_not_check_are_counted(tmp_path: Path) -> None:
    notices: list[str] = []
    text = GOOD.replace('kodeverk="K"', 'kodeverk="P"')
    (episode,) = read(tmp_path, message(text), notices)
    assert isinstance(episode, Episode) and episode.procedures == []
    assert notices and "1 fra P pakkeforløp" in notices[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (message(GOOD).replace("</Tilstand>", "</Tilstnd>", 1), "ikke velformet (linje 9"),
        (
            message(GOOD, ns="http://example.org/npr"),
            "Melding har navnerommet «http://example.org/npr»",
        ),
        (message(GOOD, ns=""), "Melding har ikke noe navnerom"),
        ('<?xml version="1.0"?><Rapport xmlns="urn:x"/>', "fant ingen NPR-melding"),
    ],
    ids=["malformed", "wrong-namespace", "no-namespace", "no-melding"],
)
def test_a_file_that_cannot_be_read_stops_with_a_clear_message(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(InputError) as raised:
        read(tmp_path, text)
    assert expected in str(raised.value)
    assert "melding.xml" in str(raised.value)


def test_check_reports_a_malformed_message_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "melding.xml"
    path.write_text(message(GOOD).replace("</Tilstand>", "</Tilstnd>", 1), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "XML-en er ikke velformet" in result.stderr


def _episodes(count: int) -> list[Episode]:
    from kodevakt.synth import generate

    found = []
    for i, item in enumerate(generate(count, seed=5, year=2025), start=1):
        record = episode_from_dict(item, Source("s", i))
        assert isinstance(record, Episode)
        found.append(record)
    return found


def test_written_messages_validate_against_kodevakts_schema(tmp_path: Path) -> None:
    path = tmp_path / "ut.xml"
    with open(path, "wb") as stream:
        write_npr_xml(_episodes(300), stream)
    assert list(violations(path, load_schema(SCHEMA))) == []
    plain = tmp_path / "uten-tillegg.xml"
    with open(plain, "wb") as stream:
        write_npr_xml(_episodes(300), stream, MessageOptions(extensions=False))
    assert "urn:kodevakt" not in plain.read_text(encoding="utf-8")
    assert list(violations(plain, load_schema(SCHEMA))) == []


def test_xml_to_episodes_to_xml_keeps_every_field(tmp_path: Path) -> None:
    first = io.BytesIO()
    write_npr_xml(_episodes(200), first)
    path = tmp_path / "a.xml"
    path.write_bytes(first.getvalue())
    second = io.BytesIO()
    write_npr_xml([e for e in read_npr_xml(path) if isinstance(e, Episode)], second)
    assert second.getvalue() == first.getvalue()


def test_schema_violations_name_line_path_and_attribute_never_the_value(tmp_path: Path) -> None:
    path = tmp_path / "melding.xml"
    text = message(
        GOOD.replace('kodeverk="K"', 'kodeverk="X"'), ns="http://www.npr.no/xmlstds/57_0_1_som"
    )
    path.write_text(text.replace('fodselsar="1950"', f'fodselsar="{PERSONAL}"'), encoding="utf-8")
    found = list(violations(path, load_schema(SCHEMA)))
    described = [v.describe() for v in found]
    assert any("linje 6" in d and "Pasient" in d and "«fodselsar»" in d for d in described)
    assert any("linje 11" in d and "/Prosedyre/Kode" in d and "«kodeverk»" in d for d in described)
    assert all(PERSONAL not in d for d in described)
    result = runner.invoke(app, ["check", str(path), "--schema", str(SCHEMA)])
    assert result.exit_code == 1
    assert "Skjemafeil:" in result.stderr and PERSONAL not in result.stderr


def test_a_large_message_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """About 12 MB of message; the reader holds one patient at a time (bench/formats.py
    measures a 50 MB one)."""
    path = tmp_path / "stor.xml"
    with open(path, "wb") as stream:
        write_npr_xml(_episodes(15_000), stream)
    assert path.stat().st_size > 8_000_000
    tracemalloc.start()
    count = sum(1 for _ in read_npr_xml(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 15_000
    assert peak < 8_000_000, peak
