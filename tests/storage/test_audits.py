"""Record review on both databases: samples found again by their parameters, the episodes as
drawn, reviews by two auditors, and the period's estimates from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodevakt.audit.frame import Stratifier
from kodevakt.audit.results import audit_results
from kodevakt.audit.review import Reason
from kodevakt.audit.samples import SampleRequest, draw_sample
from kodevakt.audit.sampling import SampleError
from kodevakt.drg import load_definitions
from kodevakt.drg.weights import load_weights
from kodevakt.pipeline import Pipeline
from kodevakt.report.effect import DrgSources
from kodevakt.storage import StorageError, Store
from kodevakt.storage import audits as stored
from kodevakt.storage.audits import ReviewRow, UnknownSample
from tests.storage.helpers import episode, extract, write_jsonl

TABLES = Path(__file__).resolve().parents[1] / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"


def _review(position: int, auditor: str, verdict: str = "right", **more: object) -> ReviewRow:
    return ReviewRow(
        position=position,
        auditor=auditor,
        verdict=verdict,
        conditions=more.get("conditions"),  # type: ignore[arg-type]
        procedures=more.get("procedures"),  # type: ignore[arg-type]
        reasons=tuple(more.get("reasons", ())),  # type: ignore[arg-type]
        comment=None,
    )


def test_the_same_parameters_find_the_same_sample(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    request = SampleRequest("2025T1", 4, seed=11, strata=(Stratifier.SEVERITY,))
    first = draw_sample(store, request)
    again = draw_sample(store, request)
    assert again.id == first.id
    other = draw_sample(store, SampleRequest("2025T1", 4, seed=12, strata=(Stratifier.SEVERITY,)))
    assert other.id != first.id
    # ep-3 and ep-7 have T02 errors: a stratum of two, drawn whole (at least two per stratum)
    assert first.populations == {"feil": 2, "ingen funn": 8}
    assert first.drawn == {"feil": 2, "ingen funn": 2}
    drawn = stored.sample_episodes(store.engine, first.id)
    assert [d.position for d in drawn] == [1, 2, 3, 4]
    errors = [d for d in drawn if d.stratum == "feil"]
    assert {d.episode_id for d in errors} == {"ep-3", "ep-7"}
    assert all(d.probability == 1.0 and d.rules == ("T02",) for d in errors)
    assert all(d.probability == pytest.approx(2 / 8) for d in drawn if d.stratum != "feil")
    assert [s.id for s in stored.samples(store.engine)] == [other.id, first.id]


def test_the_drawn_episode_keeps_its_coding_when_it_is_corrected_later(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    sample = draw_sample(store, SampleRequest("2025T1", 10, seed=1))
    pipeline.import_files([extract(tmp_path, "t2.jsonl", ep_3=[["E10.3", "H36.0"]])], "2025T1")
    drawn = {d.episode_id: d for d in stored.sample_episodes(store.engine, sample.id)}
    assert '"H36.0"' in drawn["ep-3"].content and "E10.3" not in drawn["ep-3"].content
    assert drawn["ep-3"].rules == ("T02",)


def test_a_period_without_episodes_or_a_too_small_sample_is_refused(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    with pytest.raises(SampleError, match="ingen episoder"):
        draw_sample(store, SampleRequest("2025T2", 5, seed=1))
    pipeline.import_files([extract(tmp_path)], "2025T1")
    with pytest.raises(SampleError, match="for lite"):
        draw_sample(store, SampleRequest("2025T1", 3, seed=1, strata=(Stratifier.SEVERITY,)))
    with pytest.raises(UnknownSample):
        stored.get_sample(store.engine, 99)


def test_reviews_of_two_auditors_and_a_repeated_import(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    sample = draw_sample(store, SampleRequest("2025T1", 10, seed=3))
    changed = _review(2, "kari", "changed", conditions=[["I11.9"]], reasons=("main",))
    stored.save_reviews(store.engine, sample.id, [_review(1, "kari"), changed], source="a.xlsx")
    stored.save_reviews(store.engine, sample.id, [_review(1, "ola")], source="b.xlsx")
    # kari's new sheet replaces her review of episode 1 and leaves ola's
    again = _review(1, "kari", "not-assessable")
    stored.save_reviews(store.engine, sample.id, [again], source="a2.xlsx")
    found = stored.reviews(store.engine, sample.id)
    assert [(r.position, r.auditor, r.verdict, r.source) for r in found] == [
        (1, "kari", "not-assessable", "a2.xlsx"),
        (1, "ola", "right", "b.xlsx"),
        (2, "kari", "changed", "a.xlsx"),
    ]
    assert found[2].conditions == [["I11.9"]] and found[2].reasons == ("main",)
    with pytest.raises(StorageError, match=r"ingen episode nr\. 11"):
        stored.save_reviews(store.engine, sample.id, [_review(11, "kari")], source="c.xlsx")
    assert len(stored.reviews(store.engine, sample.id)) == 3  # nothing of the failed one


def test_estimates_for_the_period_from_a_reviewed_simple_sample(
    pipeline: Pipeline, store: Store, tmp_path: Path
) -> None:
    pipeline.import_files([extract(tmp_path)], "2025T1")
    sample = draw_sample(store, SampleRequest("2025T1", 10, seed=5))
    drawn = stored.sample_episodes(store.engine, sample.id)
    rows = []
    for d in drawn:
        if d.episode_id in ("ep-3", "ep-7"):  # the T02 errors: the auditor corrects them
            rows.append(_review(d.position, "kari", "changed", conditions=[["E10.3", "H36.0"]]))
        elif d.episode_id == "ep-1":  # an error kodevakt did not flag
            rows.append(_review(d.position, "kari", "changed", conditions=[["I10"], ["E11.9"]]))
        else:
            rows.append(_review(d.position, "kari"))
    stored.save_reviews(store.engine, sample.id, rows, source="runde.xlsx")
    results = audit_results(store, sample.id)
    any_error = results.kinds[0].rate
    assert (any_error.count, any_error.units, any_error.estimate) == (3, 10, 0.3)
    by_kind = {row.kind: row.rate for row in results.kinds}
    assert by_kind[Reason.MAIN].count == 2  # H36.0 → E10.3+H36.0: another first code
    assert by_kind[Reason.SECONDARY_MISSING].count == 1
    assert results.main.rate.estimate == pytest.approx(0.8)
    assert results.main.verdict == "not-met"  # 8 of 10: the interval lies below 95 %
    calibration = {row.family: row for row in results.calibration}
    assert calibration["T"].precision.estimate == 1.0  # both T02 episodes were corrected
    assert calibration["T"].recall.estimate == pytest.approx(2 / 3)  # ep-1 was missed
    assert results.second is None and not results.agreements
    assert not results.drg.available


def test_drg_changes_are_extrapolated_with_an_interval(
    pipeline: Pipeline, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    dates = {"admission": "2020-03-01T10:00", "discharge": "2020-03-04T11:00"}
    records = [episode(f"ep-{i}", [["A01"]], care_level="inpatient", **dates) for i in range(1, 21)]
    pipeline.import_files([write_jsonl(tmp_path / "e.jsonl", records)], "2020T1")
    weights_file = tmp_path / "vekter_2020.csv"
    weights_file.write_text("drg;vekt\n11;1,5\n99;1,0\n290;0,5\n470;0\n", encoding="utf-8")
    sources = DrgSources(load_definitions(TABLES), load_weights(str(weights_file)))
    sample = draw_sample(store, SampleRequest("2020T1", 10, seed=2))
    drawn = stored.sample_episodes(store.engine, sample.id)
    rows = [
        _review(d.position, "kari", "changed", conditions=[["A03"]])
        if d.position <= 4
        else _review(d.position, "kari")
        for d in drawn
    ]
    stored.save_reviews(store.engine, sample.id, rows, source="runde.xlsx")
    results = audit_results(store, sample.id, drg=sources)
    drg = results.drg
    assert drg.available and drg.grouped == 10 and len(drg.moves) == 4
    assert drg.changed is not None and drg.changed.estimate == pytest.approx(0.4)
    assert drg.changed_total is not None
    assert drg.changed_total.estimate == pytest.approx(8.0)  # 4 of 10, of 20 episodes
    assert drg.changed_total.low < 8.0 < drg.changed_total.high
    move = drg.moves[0]
    assert move.weight_change is not None
    assert drg.weight is not None
    assert drg.weight.estimate == pytest.approx(2 * 4 * move.weight_change)


def test_strata_by_drg_effect(
    pipeline: Pipeline, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E10.3; H36.0 has a T02 fix that moves the DRG (290 → 60); A01 has none."""
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    dates = {"admission": "2020-03-01T10:00", "discharge": "2020-03-04T11:00"}
    records = [
        episode(f"d{i}", [["E10.3"], ["H36.0"]], care_level="inpatient", **dates) for i in range(3)
    ]
    records += [episode(f"a{i}", [["A01"]], care_level="inpatient", **dates) for i in range(5)]
    pipeline.import_files([write_jsonl(tmp_path / "e.jsonl", records)], "2020T1")
    request = SampleRequest("2020T1", 8, seed=1, strata=(Stratifier.DRG,))
    with pytest.raises(SampleError, match="krever DRG-tabeller"):
        draw_sample(store, request)
    sample = draw_sample(store, request, DrgSources(load_definitions(TABLES)))
    assert sample.populations == {"ingen DRG-endring": 5, "retting endrer DRG": 3}
