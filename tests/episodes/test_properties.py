"""Properties of every reader: whatever one record's damage, nothing is lost or leaked.

Read = accepted + rejected; every intact record comes back exactly once; no exception but a
deliberate InputError (a wrong encoding at the start of the file); no rejection quotes a
value from the data.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kodevakt.episodes.reading import ReadStats, read_episodes
from kodevakt.errors import InputError
from tests.episodes.corrupt import (
    CORRUPTIONS,
    FORMATS,
    SUFFIXES,
    corrupted_file,
    episode_lists,
    personal_values,
    serialise,
)

SETTINGS = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(content: bytes, fmt: str) -> tuple[ReadStats, list[str]] | None:
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"episodes{SUFFIXES[fmt]}"
        path.write_bytes(content)
        stats = ReadStats()
        try:
            ids = [episode.id for episode in read_episodes([path], stats)]
        except InputError as error:
            assert "--encoding" in error.message
            return None
    return stats, ids


@SETTINGS
@given(episodes=episode_lists(), fmt=st.sampled_from(FORMATS))
def test_undamaged_files_read_whole(episodes: list[dict[str, object]], fmt: str) -> None:
    result = _read(serialise(episodes, fmt), fmt)
    assert result is not None
    stats, ids = result
    assert stats.rejected == []
    assert ids == [episode["id"] for episode in episodes]


@SETTINGS
@given(
    data=st.data(),
    episodes=episode_lists(),
    fmt=st.sampled_from(FORMATS),
    corruption=st.sampled_from(CORRUPTIONS),
)
def test_one_damaged_record_costs_at_most_that_record(
    data: st.DataObject, episodes: list[dict[str, object]], fmt: str, corruption: str
) -> None:
    content, intact = corrupted_file(data.draw, episodes, fmt, corruption)
    result = _read(content, fmt)
    if result is None:  # refused before any record: only a wrong encoding may do that
        assert corruption in ("latin1", "byte_flip")
        return
    stats, ids = result
    assert stats.read == stats.accepted + len(stats.rejected)
    assert stats.accepted == len(ids)
    counts = Counter(ids)
    assert intact <= set(ids), intact - set(ids)
    # once each; the damaged record may have been read with another record's id (a flipped
    # digit), so one repeat is allowed in all
    assert sum(counts[episode_id] - 1 for episode_id in intact) <= 1, counts
    secrets = personal_values(episodes)
    for rejected in stats.rejected:
        assert not any(secret in rejected.message for secret in secrets), rejected.message
