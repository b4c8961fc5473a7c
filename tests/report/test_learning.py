"""The batch report's learning section: the departments' findings by guide topic."""

from __future__ import annotations

from pathlib import Path

from kodevakt.codes.loading import default_codebase
from kodevakt.pipeline import Pipeline
from kodevakt.report.data import collect_report
from kodevakt.report.html import render_report
from kodevakt.report.pseudonym import Pseudonymiser, new_secret
from kodevakt.rules.engine import Checker
from kodevakt.storage import Store
from tests.storage.helpers import extract


def test_the_report_shows_the_error_profile_by_topic(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        pipeline = Pipeline(store, Checker(default_codebase()))
        pipeline.import_files([extract(tmp_path)], "2025T1")  # ep-3 and ep-7: T02
        names = Pseudonymiser(new_secret())
        data = collect_report(pipeline, "2025T1", pseudonyms=names)
        assert data.learning is not None
        cell = data.learning.totals["sverd-stjerne"]
        assert (cell.episodes, cell.share) == (2, 0.2)
        page = render_report(data)
        assert "Læring: feilprofil etter tema" in page
        assert "Sverd og stjerne" in page and "Kodeveiledning 2018 §4.2 (s. 29–30)" in page
        # a finding a coder accepted was right after all: it leaves the profile
        [accepted] = [f for f in store.findings("2025T1") if f.finding.episode_id == "ep-3"]
        store.set_status(accepted.key, "accepted", comment="Riktig etter journal", by="kari")
        again = collect_report(pipeline, "2025T1", pseudonyms=names)
        assert again.learning is not None
        assert again.learning.totals["sverd-stjerne"].episodes == 1
