"""An empty main condition stays empty in every format that places conditions by position.

Before, every reader left empty condition groups out, so `[[], ["I10"]]` was read as I10 for
main condition: the error (NPR requires a main condition) was hidden and the DRG changed.
Now the episode is read with an empty first group and checked as having no main condition
(T01); empty groups elsewhere are still left out. The NPR message cannot hold a condition
without a code: such a message is rejected with the element named, also never promoted. FHIR
marks the main condition instead of placing it, so it has no empty main condition to keep.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.reading import read_file
from kodevakt.episodes.records import Rejected
from kodevakt.episodes.writing import write_episodes
from kodevakt.rules.engine import Checker

EPISODE = {
    "id": "ep-1",
    "patient": {"id": "p-1", "sex": "K", "age": 60},
    "care_level": "inpatient",
    "admission": "2025-03-01T10:00",
    "discharge": "2025-03-04T12:00",
    "conditions": [[], ["I10"], [], ["E11.9"]],
    "procedures": [],
}
SUFFIX = {EpisodeFormat.NPR_CSV: ".csv", EpisodeFormat.PARQUET: ".parquet"}


def _rules(episode: Episode) -> set[str]:
    return {f.rule for f in Checker(default_codebase()).check([episode])}


@pytest.mark.parametrize(
    "text",
    [json.dumps(EPISODE), json.dumps(EPISODE, indent=2)],  # the fast reader, the careful one
    ids=["line", "pretty"],
)
def test_json_keeps_the_empty_main_condition(text: str, tmp_path: Path) -> None:
    path = tmp_path / "episoder.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    [episode] = list(read_file(path))
    assert isinstance(episode, Episode)
    assert episode.conditions == [[], ["I10"], ["E11.9"]]
    assert "T01" in _rules(episode)


def test_blank_codes_make_an_empty_main_condition_too(tmp_path: Path) -> None:
    path = tmp_path / "episoder.jsonl"
    path.write_text(json.dumps({**EPISODE, "conditions": [[" "], ["I10"]]}) + "\n")
    [episode] = list(read_file(path))
    assert isinstance(episode, Episode)
    assert episode.conditions == [[], ["I10"]]


def test_an_episode_without_any_code_has_no_groups(tmp_path: Path) -> None:
    path = tmp_path / "episoder.jsonl"
    path.write_text(json.dumps({**EPISODE, "conditions": [[], [" "]]}) + "\n")
    [episode] = list(read_file(path))
    assert isinstance(episode, Episode)
    assert episode.conditions == []


@pytest.mark.parametrize("to", list(SUFFIX), ids=lambda f: f.value)
def test_positional_formats_keep_the_empty_main_condition(
    to: EpisodeFormat, tmp_path: Path
) -> None:
    written = episode_from_dict(EPISODE, Source("test", 1))
    assert isinstance(written, Episode)
    path = tmp_path / f"episoder{SUFFIX[to]}"
    with open(path, "wb") as stream:
        assert write_episodes([written], to, stream) == 1
    [episode] = list(read_file(path))
    assert not isinstance(episode, Rejected), episode.describe()
    assert episode.conditions[0] == []
    assert [group for group in episode.conditions if group] == [["I10"], ["E11.9"]]
    assert "T01" in _rules(episode)


def test_the_npr_message_rejects_a_condition_without_a_code(tmp_path: Path) -> None:
    written = episode_from_dict(EPISODE, Source("test", 1))
    assert isinstance(written, Episode)
    path = tmp_path / "episoder.xml"
    with open(path, "wb") as stream:
        write_episodes([written], EpisodeFormat.NPR_XML, stream)
    [record] = list(read_file(path))
    assert isinstance(record, Rejected)
    assert record.field == "Kode"
    assert "Tilstand[1]" in record.position
