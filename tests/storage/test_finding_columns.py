"""The finding table stores every field of `Finding`, and each reader gives the same finding
back: a field added to `Finding` without a column, or stored in a form that does not read
back, fails here."""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.rules.finding import FIELDS, Finding, Fix, Severity
from kodevakt.storage import Store
from kodevakt.storage.findings import FindingWriter
from kodevakt.storage.patterns import episode_findings
from kodevakt.storage.schema import finding as finding_table


def _findings() -> list[Finding]:
    """An episode finding and a unit finding, with every field set where it can be."""
    on_episode = Finding(
        episode_id="ep-3",
        rule="M01",
        name="split-stay",
        severity=Severity.WARNING,
        message="Oppholdet ser ut til å være delt; «gjeninnlagt» samme dag",
        codes=("I10", "E11.9"),
        location="conditions[1][0]",
        source="Avregningsutvalget 2024",
        suggestion="Slå sammen oppholdene",
        rule_year=2025,
        fix=Fix(conditions=(("E10.3", "H36.0"), ("I10",)), procedures=((),)),
    )
    unit = on_episode._replace(
        episode_id="",
        rule="M04",
        severity=Severity.INFO,
        location="unit:MED",
        suggestion=None,
        fix=None,
        episodes=("ep-1", "ep-2", "ep-7"),
    )
    return [on_episode, unit]


def test_the_finding_table_has_a_column_for_every_field() -> None:
    assert set(FIELDS) <= set(finding_table.c.keys())


def test_every_reader_gives_the_stored_finding_back(db_url: str) -> None:
    written = _findings()
    with Store(db_url) as store:
        run = store.add_findings("2025T1", written, rules=["M01", "M04"])

        listed = {item.finding.rule: item for item in store.findings("2025T1")}
        assert [listed[f.rule].finding for f in written] == written
        assert [store.finding(listed[f.rule].key).finding for f in written] == written
        period = {item.key: item.finding for item in store.period_findings("2025T1")}
        assert [period[listed[f.rule].key] for f in written] == written
        unit = listed["M04"]
        assert unit.to_dict() == {
            "key": unit.key,
            **written[1].to_dict(),
            "period": "2025T1",
            "institution": None,  # no stored episode places it
            "department": None,
            "status": "open",
            "comment": None,
            "by": None,
            "changed_at": unit.changed_at.isoformat(),
            "first_seen_at": unit.first_seen_at.isoformat(),
        }

        # a checker finding, read back as the pattern rules and indicators read it
        checked = written[0]._replace(rule="T02")
        with store.engine.begin() as conn:
            writer = FindingWriter(conn, run.import_id, "2025T1", "episode", datetime.now(UTC))
            writer.write([(checked, "974557746", "MED")])
        assert episode_findings(store.engine, "2025T1") == {("974557746", "ep-3"): [checked]}


def test_findings_csv_has_a_column_for_every_field_whatever_comes_first(db_url: str) -> None:
    """The columns were once taken from the first row listed, so `episodes` moved to the end
    whenever that was not a unit finding."""
    with Store(db_url) as store:
        store.add_findings("2025T1", _findings()[:1])
    listed = CliRunner().invoke(app, ["findings", "--db", db_url, "-f", "csv"])
    assert listed.exit_code == 0, listed.output
    header = listed.stdout.splitlines()[0].split(";")
    assert header[: len(FIELDS) + 1] == ["key", *FIELDS]
