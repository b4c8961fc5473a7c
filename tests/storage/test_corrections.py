"""The corrected extract on both databases: `kodevakt export --with-fixes` writes the fixes
coders approved, never those of findings accepted as coded; two approved fixes of the same
part are applied one at a time; and importing the corrected extract marks them fixed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.pipeline import Pipeline
from kodevakt.pipeline.corrections import Approved, correct
from kodevakt.rules.engine import Checker
from kodevakt.storage import FindingStatus, Store
from kodevakt.storage import worklog as wl
from kodevakt.storage.findings import episode_keys
from tests.storage.helpers import episode, write_jsonl

runner = CliRunner()
PERIOD = "2025T1"
STAY = {"care_level": "inpatient", "admission": "2025-03-03T10:00", "discharge": "2025-03-07T12:00"}
COVID_SECOND = [["U07.1"], ["I10"]]  # T04: U07.1 may not stand as the main condition
# T02 (the asterisk H36.0 stands before its dagger) and T10 (J13 twice): two fixes of the
# conditions, each made from the coding before the other
TWO_FIXES = [["H36.0", "E10.3"], ["J13"], ["J13"]]


def _records() -> list[dict[str, Any]]:
    return [
        episode("ep-1", COVID_SECOND, **STAY),  # its fix approved
        episode("ep-2", COVID_SECOND, **STAY),  # accepted as coded
        episode("ep-3", TWO_FIXES, **STAY),  # both fixes approved
        episode("ep-4", [["J18.9"], ["U07.1"]], **STAY),  # T29 with a fix, left open
        episode("ep-5", [["I10"]], **STAY),  # clean
    ]


def _keys(store: Store) -> dict[tuple[str, str], str]:
    return {(f.finding.episode_id, f.finding.rule): f.key for f in store.findings(PERIOD)}


def _export(db_url: str, out: Path, *extra: str) -> tuple[int, str]:
    args = ["export", "--period", PERIOD, "--to", "jsonl", "--out", str(out), "--db", db_url]
    result = runner.invoke(app, [*args, *extra])
    return result.exit_code, result.stderr


def _conditions(path: Path) -> dict[str, list[list[str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {record["id"]: record["conditions"] for record in map(json.loads, lines)}


def test_export_writes_approved_fixes_and_the_import_of_it_marks_them_fixed(
    store: Store, pipeline: Pipeline, db_url: str, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "t1.jsonl", list(_records()))
    assert not pipeline.import_files([path], PERIOD).failed
    keys = _keys(store)
    approved = [keys[("ep-1", "T04")], keys[("ep-3", "T02")], keys[("ep-3", "T10")]]
    accepted = keys[("ep-2", "T04")]
    engine = store.engine
    assert wl.approve(engine, approved, by="kari") == 3
    wl.accept(engine, [accepted], "Covid-19 er hovedtilstanden her", by="kari")

    plain, corrected = tmp_path / "uendret.jsonl", tmp_path / "rettet.jsonl"
    assert _export(db_url, plain)[0] == 0
    code, said = _export(db_url, corrected, "--with-fixes")
    assert code == 0, said
    assert "Skrev 5 episoder fra 2025T1 til utvekslings-JSON, 2 med godkjente rettinger." in said
    assert "Advarsel" not in said
    as_coded = {r["id"]: r["conditions"] for r in _records()}
    assert _conditions(plain) == as_coded
    assert _conditions(corrected) == {
        **as_coded,
        "ep-1": [["I10", "U07.1"]],  # approved: corrected
        "ep-3": [["E10.3", "H36.0"], ["J13"]],  # both approved fixes, one after the other
    }  # ep-2 (accepted) and ep-4 (open) keep their coding

    assert not pipeline.import_files([corrected], PERIOD).failed
    statuses = {key: wl.work_item(engine, key).status for key in keys.values()}
    assert {statuses[key] for key in approved} == {FindingStatus.FIXED}
    assert statuses[accepted] is FindingStatus.ACCEPTED
    assert statuses[keys[("ep-4", "T29")]] is FindingStatus.OPEN
    for key in approved:
        last = wl.events(engine, key)[-1]
        assert (last.from_status, last.to_status, last.by) == (
            FindingStatus.APPROVED,
            FindingStatus.FIXED,
            None,
        )
    # the corrected extract is the coding now: exported again, it is written as it is
    again = tmp_path / "igjen.jsonl"
    assert _export(db_url, again, "--with-fixes")[0] == 0
    assert _conditions(again) == _conditions(corrected)


def test_an_approved_fix_that_no_longer_fits_is_left_and_named(
    store: Store, pipeline: Pipeline, db_url: str, tmp_path: Path
) -> None:
    # T04 (U07.1 first in the main group) and T29 (J12.8 and U07.1 in groups of their own)
    # approved, T10 (both codes twice) not: once U07.1 follows J12.8 in the main group, T29
    # still fires but has no fix to offer
    coded = [["U07.1", "J12.8"], ["J12.8"], ["U07.1"]]
    path = write_jsonl(tmp_path / "t1.jsonl", [episode("ep-9", coded, **STAY)])
    assert not pipeline.import_files([path], PERIOD).failed
    fixable = [
        f
        for f in store.findings(PERIOD)
        if f.finding.fix is not None and f.finding.rule in ("T04", "T29")
    ]
    assert sorted(f.finding.rule for f in fixable) == ["T04", "T29"]
    wl.approve(store.engine, [f.key for f in fixable], by="kari")
    left = next(f.key for f in fixable if f.finding.rule == "T29")

    out = tmp_path / "rettet.jsonl"
    code, said = _export(db_url, out, "--with-fixes")
    assert code == 0, said
    assert f"episode ep-9: godkjent retting ikke brukt for T29 ({left})" in said
    assert "1 med godkjente rettinger" in said
    assert _conditions(out) == {"ep-9": [["J12.8", "U07.1"], ["J12.8"], ["U07.1"]]}
    assert not pipeline.import_files([out], PERIOD).failed
    approved = {f.key for f in fixable}
    statuses = {f.finding.rule: f.status for f in store.findings(PERIOD) if f.key in approved}
    assert statuses == {"T04": FindingStatus.FIXED, "T29": FindingStatus.APPROVED}


def test_a_finding_the_checker_no_longer_reports_is_left() -> None:
    """Rules changed since the import: an approved key a fresh check does not report is not
    guessed at, and the fixes the check does report are applied one at a time."""
    checker = Checker(default_codebase())
    coded = episode_from_dict(episode("ep-3", TWO_FIXES, **STAY), None)
    found = checker.check_episode(coded)
    keyed = zip(episode_keys(PERIOD, coded.institution or "", found), found, strict=True)
    approved = [Approved(key, f.rule, f.fix) for key, f in keyed if f.fix is not None]
    assert {a.rule for a in approved} == {"T02", "T10"}
    gone = Approved("0123456789abcdef", "T99", approved[0].fix)
    result = correct(coded, [*approved, gone], PERIOD, lambda: checker)
    assert result.left == (gone,) and result.corrected
    assert result.episode.conditions == [["E10.3", "H36.0"], ["J13"]]
