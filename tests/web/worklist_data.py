"""A small synthetic period of stored findings for the worklist tests, imported through the
pipeline as `kodevakt import` does.

Period 2025T1 (`PERIOD`):

- ep-1 (HOME, MED), ep-2 (HOME, KIR), ep-3 (OTHER, MED): T02, an asterisk code alone (error)
- ep-5 (HOME, MED): J18.9 with U07.1 as an inpatient: T29 (warning) and T13 (info)
- ep-6 (HOME, MED): clean

`Imported.key(episode_id, rule)` names a finding's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kodevakt.pipeline import Pipeline
from kodevakt.storage import Store
from kodevakt.web import code_data
from tests.storage.helpers import CLEAN, WRONG, episode, write_jsonl

PERIOD = "2025T1"
HOME = "974557746"
OTHER = "983974899"


@dataclass(frozen=True)
class Imported:
    keys: dict[tuple[str, str], str]

    def key(self, episode_id: str, rule: str) -> str:
        return self.keys[(episode_id, rule)]


def period_episodes() -> list[dict[str, Any]]:
    return [
        episode("ep-1", WRONG),
        episode("ep-2", WRONG, department="KIR"),
        episode("ep-3", WRONG, institution=OTHER),
        episode(
            "ep-5",
            [["J18.9"], ["U07.1"]],
            care_level="inpatient",
            admission="2025-03-01T10:00",
            discharge="2025-03-04T10:00",
        ),
        episode("ep-6", CLEAN),
    ]


def import_records(db: Path, records: list[dict[str, Any]], period: str = PERIOD) -> Imported:
    """Import `records` into the database at `db` as one file; the keys of all its findings."""
    path = write_jsonl(db.with_name(f"uttrekk-{period}.jsonl"), list(records))
    with Store(f"sqlite:///{db}") as store:
        result = Pipeline(store, code_data.checker()).import_files([path], period)
        assert not result.failed
        keys = {(f.finding.episode_id, f.finding.rule): f.key for f in store.findings()}
    return Imported(keys)
