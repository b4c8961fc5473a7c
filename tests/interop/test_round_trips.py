"""10,000 synthetic episodes: JSONL → each format → JSONL gives the same episodes, and the
checker gives the same findings (hashed) from every format."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.formats import EpisodeFormat, detect_format
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.interchange_writer import episode_dict, write_jsonl
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Rejected
from kodevakt.episodes.writing import write_episodes
from kodevakt.rules.engine import Checker
from kodevakt.synth import generate

COUNT = 10_000
SUFFIX = {
    EpisodeFormat.NPR_XML: ".xml",
    EpisodeFormat.FHIR: ".json",
    EpisodeFormat.PARQUET: ".parquet",
    EpisodeFormat.JSONL: ".jsonl",
}


@pytest.fixture(scope="module")
def episodes() -> list[Episode]:
    """The synthetic episodes as the interchange reader reads their JSON Lines."""
    found = []
    for i, item in enumerate(generate(COUNT, seed=13, year=2025), start=1):
        record = episode_from_dict(json.loads(json.dumps(item)), Source("synth.jsonl", i))
        assert not isinstance(record, Rejected)
        found.append(record)
    return found


@pytest.fixture(scope="module")
def findings_hash(episodes: list[Episode]) -> Callable[[list[Episode]], str]:
    checker = Checker(default_codebase())

    def digest(read: list[Episode]) -> str:
        text = "\n".join(
            json.dumps(f.to_dict(), sort_keys=True, ensure_ascii=False) for f in checker.check(read)
        )
        return hashlib.sha256(text.encode()).hexdigest()

    return digest


def _through(episodes: list[Episode], to: EpisodeFormat, folder: Path) -> Iterator[Episode]:
    path = folder / f"episoder{SUFFIX[to]}"
    with open(path, "wb") as stream:
        assert write_episodes(episodes, to, stream) == len(episodes)
    assert detect_format(path) is to
    for record in read_file(path):
        assert not isinstance(record, Rejected), record.describe()
        yield record


@pytest.mark.parametrize(
    "to",
    [EpisodeFormat.JSONL, EpisodeFormat.NPR_XML, EpisodeFormat.PARQUET, EpisodeFormat.FHIR],
    ids=lambda f: f.value,
)
def test_every_format_gives_back_the_same_episodes_and_findings(
    to: EpisodeFormat,
    episodes: list[Episode],
    findings_hash: Callable[[list[Episode]], str],
    tmp_path: Path,
) -> None:
    back = list(_through(episodes, to, tmp_path))
    original = io.BytesIO()
    write_jsonl(episodes, original)
    again = io.BytesIO()
    write_jsonl(back, again)
    assert again.getvalue() == original.getvalue()
    assert [episode_dict(e) for e in back] == [episode_dict(e) for e in episodes]
    assert findings_hash(back) == findings_hash(episodes)


def test_the_flat_extract_keeps_what_it_can_hold(episodes: list[Episode], tmp_path: Path) -> None:
    """NPR's flat form loses procedure dates, groups and birth dates (docs/formats.md); the
    rest comes back."""
    sample = episodes[:500]
    back = list(_through_csv(sample, tmp_path))
    assert [e.id for e in back] == [e.id for e in sample]
    for before, after in zip(sample, back, strict=True):
        assert after.conditions == before.conditions
        # the codes all come back; how they are grouped the reader rebuilds, and says so
        assert sorted(c for g in after.procedures for c in g.codes) == sorted(
            c for g in before.procedures for c in g.codes
        )
        assert after.grouping_inferred or not before.procedures
        assert (after.admission, after.discharge) == (before.admission, before.discharge)
        assert (after.care_level, after.urgency) == (before.care_level, before.urgency)
        assert after.patient.sex == before.patient.sex
        assert after.age_days == before.age_days


def _through_csv(episodes: list[Episode], folder: Path) -> Iterator[Episode]:
    path = folder / "uttrekk.csv"
    with open(path, "wb") as stream:
        write_episodes(episodes, EpisodeFormat.NPR_CSV, stream)
    for record in read_file(path):
        assert not isinstance(record, Rejected), record.describe()
        yield record
