"""`kodevakt check` on damaged files: nothing lost, nothing leaked, no traceback.

A bounded run for `make test`; `bench/fuzz.py` runs the same cases by the ten thousand.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.episodes.corrupt import CORRUPTIONS, FORMATS, episode_lists, serialise
from tests.fuzz.harness import Case, make_case, run_check, with_sentinel


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    episodes=episode_lists(max_size=12),
    fmt=st.sampled_from(FORMATS),
    corruption=st.sampled_from(CORRUPTIONS),
)
def test_damaged_file_loses_and_leaks_nothing(
    data: st.DataObject, episodes: list[dict[str, Any]], fmt: str, corruption: str
) -> None:
    case = make_case(data.draw, episodes, fmt, corruption)
    with TemporaryDirectory() as folder:
        run_check(case, Path(folder))


@settings(max_examples=20, deadline=None)
@given(episodes=episode_lists(max_size=12), fmt=st.sampled_from(FORMATS))
def test_undamaged_file_checks_every_episode_once(episodes: list[dict[str, Any]], fmt: str) -> None:
    marked = with_sentinel(episodes)
    ids = frozenset(item["id"] for item in marked)
    case = Case(fmt, "", serialise(marked, fmt), ids, frozenset())
    with TemporaryDirectory() as folder:
        outcome = run_check(case, Path(folder))
    assert (outcome.read, outcome.checked, outcome.rejected) == (len(ids), len(ids), 0)


def test_the_harness_notices_a_lost_record(tmp_path: Path) -> None:
    """The harness itself can fail: a record claimed intact but absent is reported."""
    marked = with_sentinel([_episode("ep-1"), _episode("ep-2")])
    content = serialise(marked[:1], "jsonl")
    case = Case("jsonl", "", content, frozenset({"ep-1", "ep-2"}), frozenset())
    try:
        run_check(case, tmp_path)
    except AssertionError as error:
        assert "ep-2" in str(error)
    else:
        raise AssertionError("a lost record went unnoticed")


def _episode(episode_id: str) -> dict[str, Any]:
    return {
        "id": episode_id,
        "patient": {"id": "pas-1", "sex": "K", "birth_date": "1960-01-01"},
        "institution": "974557746",
        "department": "MED",
        "care_level": "outpatient",
        "urgency": "elective",
        "admission": "2025-03-01T10:15",
        "discharge": "2025-03-01T12:00",
        "conditions": [["I10"]],
        "procedures": [],
        "text": "",
    }
