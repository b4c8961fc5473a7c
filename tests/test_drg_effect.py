"""What a coding error costs: DRG and weight before and after a fix, and what pairs do.

Most tests use the hand-made tables (tests/fixtures/drg, see make_tables.py): there E10.3 has
MDC 10 (DRG 290) and the principal property 02P02, H36.0 MDC 02 (DRG 61, or 60 with 02P02),
N30.0 MDC 11 (DRG 320) and B96.2 the category 99M00 that the first rule sends to DRG 470. The
last tests use the real 2016/2017 tables from ../shared/drg when they are there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.drg import DrgTables, load_definitions
from kodevakt.drg.effect import FIX, PAIR, Effect, episode_effects, pair_effects
from kodevakt.drg.weights import Weights, load_weights
from kodevakt.rules.engine import Checker
from tests.rules.harness import codebase, episode_from_spec

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "drg"
TABLES_2020 = FIXTURES / "DefinitionData_TEST_2020.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "drg"


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KODEVAKT_DRG_DEFINITIONS", raising=False)
    monkeypatch.delenv("KODEVAKT_DRG_WEIGHTS", raising=False)


@pytest.fixture
def tables() -> DrgTables:
    return load_definitions(TABLES_2020).tables(2020)


@pytest.fixture
def weights(tmp_path: Path) -> Weights:
    path = tmp_path / "vekter_2020.csv"
    path.write_text("drg;vekt\n60;1,25\n61;0,75\n290;0,5\n320;0,6\n470;0\n", encoding="utf-8")
    found = load_weights(str(path))
    assert found is not None
    return found


def effects_of(
    spec: dict[str, Any], tables: DrgTables, weights: Weights | None = None, **options: Any
) -> list[Effect]:
    episode = episode_from_spec(spec)
    findings = Checker(codebase()).check_episode(episode)
    return episode_effects(episode, findings, tables, weights, **options)


def only(effects: list[Effect], kind: str, rule: str | None = None) -> Effect:
    found = [e for e in effects if e.kind == kind and (rule is None or e.rule == rule)]
    assert len(found) == 1, [(e.kind, e.rule, e.note) for e in effects]
    return found[0]


def test_t02_fix_moves_the_lone_asterisk_and_changes_the_drg(
    tables: DrgTables, weights: Weights
) -> None:
    # E10.3 alone groups by its own MDC 10; E10.3+H36.0 is a pair: H36.0 gives MDC 02 and
    # E10.3's principal property 02P02 picks DRG 60.
    found = only(effects_of({"conditions": "E10.3; H36.0", "year": 2020}, tables, weights), FIX)
    assert found.rule == "T02"
    assert (found.before.drg, found.after.drg) == ("290", "60")
    assert (found.before.mdc, found.after.mdc) == ("10", "02")
    assert (found.weight_before, found.weight_after, found.weight_change) == (0.5, 1.25, 0.75)
    assert found.to_dict()["fix"] == {"conditions": [["E10.3", "H36.0"]], "procedures": None}
    assert "fra DRG 290 (MDC 10) til DRG 60 (MDC 02)" in found.note


def test_t02_fix_reorders_the_reversed_pair(tables: DrgTables, weights: Weights) -> None:
    effects = effects_of({"conditions": "H36.0+E10.3", "year": 2020}, tables, weights)
    found = only(effects, FIX, "T02")
    # Before 2023 only dagger/asterisk pairs go as pairs: H36.0 alone (DRG 61), then the
    # dagger first makes the pair (DRG 60).
    assert (found.before.drg, found.after.drg) == ("61", "60")
    assert found.weight_change == 0.5
    # The reversed group as a pair would have E10.3 decide the MDC: said explicitly.
    pair = only(effects, PAIR)
    assert pair.pair == ("H36.0", "E10.3")
    assert (pair.before.drg, pair.after.drg) == ("290", "61")
    assert "E10.3 bestemmer MDC og kategori" in pair.note
    assert "grupperes med kodene hver for seg" in pair.note


def test_t05_fix_sets_the_infection_first(tables: DrgTables, weights: Weights) -> None:
    effects = effects_of({"conditions": "B96.2; N30.0", "year": 2020}, tables, weights)
    found = only(effects, FIX, "T05")
    assert found.fix is not None and found.fix.conditions == (("N30.0",), ("B96.2",))
    assert (found.before.drg, found.before.return_code) == ("470", "9")
    assert (found.after.drg, found.after.return_code) == ("320", "0")
    assert found.weight_change == 0.6
    assert found.changed


def test_multiple_coding_pair_falls_into_470(tables: DrgTables, weights: Weights) -> None:
    # 2024: the group goes to the grouper as a pair, and B96.2 (not a principal diagnosis)
    # then decides the category: DRG 470, as the talk reports for N30.0+B96.2.
    effects = effects_of(
        {"conditions": "N30.0+B96.2", "year": 2024}, tables, weights, pair_all_groups=True
    )
    pair = only(effects, PAIR)
    assert pair.pair == ("N30.0", "B96.2")
    assert (pair.before.drg, pair.before.return_code, pair.after.drg) == ("470", "9", "320")
    assert pair.to_dict()["location"] == "conditions[0]"
    assert "Episoden grupperes med paret." in pair.note
    assert pair.weight_change == 0.6


def test_t30_ungrouping_before_2023(tables: DrgTables) -> None:
    # 2020: T30 wants the pair ungrouped; sent as separate codes anyway, so no DRG change,
    # but had the group gone as a pair (as when first reported) it would have been DRG 470.
    effects = effects_of({"conditions": "N30.0+B96.2", "year": 2020}, tables)
    fix = only(effects, FIX, "T30")
    assert (fix.before.drg, fix.after.drg) == ("320", "320")
    assert not fix.changed
    assert fix.weight_change is None
    as_pair = only(
        effects_of({"conditions": "N30.0+B96.2", "year": 2020}, tables, pair_all_groups=True),
        FIX,
        "T30",
    )
    assert (as_pair.before.drg, as_pair.after.drg) == ("470", "320")


def test_pairs_that_change_nothing_are_left_out_unless_asked(tables: DrgTables) -> None:
    # H36.0+H36.1: both codes in MDC 02, category 02M01: DRG 61 either way.
    episode = episode_from_spec({"conditions": "H36.0+H36.1", "year": 2020})
    assert pair_effects(episode, tables) == []
    everything = pair_effects(episode, tables, changed_only=False)
    assert [(e.before.drg, e.after.drg) for e in everything] == [("61", "61")]
    assert not everything[0].changed


def test_pair_offsets_follow_earlier_groups(tables: DrgTables) -> None:
    # Pairs in other conditions: the earlier groups' diagnoses come first, so the group is
    # found at its own place in the grouper input.
    episode = episode_from_spec({"conditions": "A01; A03+A04; N30.0+B96.2", "year": 2024})
    everything = pair_effects(episode, tables, pair_all_groups=True, changed_only=False)
    assert [e.pair for e in everything] == [("A03", "A04"), ("N30.0", "B96.2")]
    assert [e.location for e in everything] == ["conditions[1]", "conditions[2]"]


def test_findings_without_fix_give_no_effect(tables: DrgTables) -> None:
    assert [e for e in effects_of({"conditions": "J18.9", "year": 2020}, tables)] == []


# -- the command ------------------------------------------------------------------------------


def _episodes(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "e1",
            "patient": {"sex": "K", "age": 60},
            "care_level": "inpatient",
            "admission": "2020-03-01",
            "discharge": "2020-03-04",
            "conditions": [["E10.3"], ["H36.0"]],
        },
        {
            "id": "e2",
            "patient": {"sex": "K", "age": 60},
            "care_level": "inpatient",
            "admission": "2021-03-01",
            "discharge": "2021-03-04",
            "conditions": [["B96.2"], ["N30.0"]],
        },
    ]
    path = tmp_path / "episoder.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_effect_command_json(tmp_path: Path) -> None:
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text("60;1,25\n290;0,5\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "effect",
            str(_episodes(tmp_path)),
            "--definitions",
            str(TABLES_2020),
            "--weights",
            str(weights),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output  # e2 is from 2021: no tables
    rows = json.loads(result.stdout)
    assert [(r["episode_id"], r["rule"], r["drg_before"], r["drg_after"]) for r in rows] == [
        ("e1", "T02", "290", "60")
    ]
    row = rows[0]
    assert {
        "episode_id",
        "rule",
        "drg_before",
        "drg_after",
        "weight_before",
        "weight_after",
        "weight_change",
    } <= set(row)
    assert (row["weight_before"], row["weight_after"], row["weight_change"]) == (0.5, 1.25, 0.75)
    assert row["fix"] == {"conditions": [["E10.3", "H36.0"]], "procedures": None}
    assert "ingen DRG-definisjonstabeller for år 2021 (lastet: 2020) – 1 episode: e2" in (
        result.stderr
    )
    assert "1 rettelser vurdert, 1 endrer DRG" in result.stderr


def test_effect_command_table_and_csv(tmp_path: Path) -> None:
    episodes = _episodes(tmp_path)
    table = runner.invoke(app, ["effect", str(episodes), "--definitions", str(TABLES_2020)])
    assert "DRG før" in table.stdout and "DRG etter" in table.stdout
    assert "Vekt før" not in table.stdout  # no weights loaded
    assert "E10.3+H36.0" in table.stdout
    assert "fra DRG 290 (MDC 10) til DRG 60 (MDC 02)" in table.stdout
    csv_out = runner.invoke(
        app, ["effect", str(episodes), "--definitions", str(TABLES_2020), "-f", "csv"]
    )
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("episode_id;line;year;kind;rule;location;fix;pair;drg_before")
    assert ";T02;conditions[1][0];E10.3+H36.0;;290;60;" in lines[1]


def test_effect_command_without_tables_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["effect", str(_episodes(tmp_path))])
    assert result.exit_code == 2
    assert "ingen DRG-definisjonstabeller er oppgitt" in result.stderr


def test_effect_command_with_broken_weights_is_exit_2(tmp_path: Path) -> None:
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text("60;en\n", encoding="utf-8")
    args = ["effect", str(_episodes(tmp_path)), "--definitions", str(TABLES_2020)]
    result = runner.invoke(app, [*args, "--weights", str(weights)])
    assert result.exit_code == 2
    assert f"fil {weights}, linje 1: vekten for DRG 60" in result.stderr


def test_drg_command_shows_weights(tmp_path: Path) -> None:
    weights = tmp_path / "vekter.csv"
    weights.write_text("drg;vekt\n290;0,5\n", encoding="utf-8")
    args = ["drg", str(_episodes(tmp_path)), "--definitions", str(TABLES_2020)]
    args += ["--weights", str(weights), "--weights-year", "2020"]
    result = runner.invoke(app, [*args, "-f", "jsonl"])
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert objects[0]["drg"] == "290" and objects[0]["weight"] == 0.5
    assert objects[1]["weight"] is None  # not grouped
    table = runner.invoke(app, args)
    assert "Vekt" in table.stdout and "0,5000" in table.stdout
    csv_out = runner.invoke(app, [*args, "-f", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("episode_id;line;year;drg;weight;mdc")
    plain = runner.invoke(app, ["drg", str(_episodes(tmp_path)), "--definitions", str(TABLES_2020)])
    assert "Vekt" not in plain.stdout


# -- the real tables --------------------------------------------------------------------------

real = pytest.mark.skipif(
    not any(SHARED.glob("DefinitionData_*_2017_*")) or not any(SHARED.glob("*_2016_*")),
    reason=f"de ekte DRG-tabellene for 2016/2017 finnes ikke i {SHARED} "
    "(tabellene følger ikke med prosjektet)",
)


@real
@pytest.mark.parametrize("year", [2016, 2017])
def test_real_tables_e10_3_h36_0_and_j12_8_u07_1(
    year: int, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = load_definitions(SHARED).tables(year)
    report = []

    # The asterisk standing alone: the fix groups it after its dagger, and the pair then takes
    # the eye's MDC 02 from H36.0.
    order = only(effects_of({"conditions": "E10.3; H36.0", "year": year}, tables), FIX, "T02")
    assert order.changed
    assert (order.before.mdc, order.after.mdc) == ("10", "02")
    report.append(f"T02 E10.3; H36.0 → E10.3+H36.0: {order.note}")

    # J12.8+U07.1 as a pair: U07.1 decides MDC and category, and the stay is ungroupable.
    covid = only(
        effects_of({"conditions": "J12.8+U07.1", "year": 2024}, tables, pair_all_groups=True),
        PAIR,
    )
    assert covid.pair == ("J12.8", "U07.1")
    assert covid.before.drg == "470" and covid.after.drg != "470"
    assert covid.after.mdc == "04"
    report.append(f"par: {covid.note}")

    # 2021, grouped as when first reported: T30's fix (J12.8; U07.1) leaves DRG 470.
    ungrouped = only(
        effects_of({"conditions": "J12.8+U07.1", "year": 2021}, tables, pair_all_groups=True),
        FIX,
        "T30",
    )
    assert (ungrouped.before.drg, ungrouped.after.drg) == ("470", covid.after.drg)
    report.append(f"T30 J12.8+U07.1 → J12.8; U07.1 (sendt som par): {ungrouped.note}")

    with capsys.disabled():
        print(f"\nDRG-effekt med tabellene for {year}:")
        for line in report:
            print(f"  {line}")
