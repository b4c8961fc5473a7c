"""The fast checker finds exactly what the plain definition of checking finds, episode by episode.

`Checker.check_episode` skips rules by their masks, reuses pure rules' hits per code structure
and makes views only for episodes some rule may fire on; `Checker.check_plainly` runs every
rule in force on every episode. Both must give the same findings, in the same order, for:
episodes drawn widely from the whole code list in many years (a share of them odd: codes
misspelled or of the wrong kind, patients and dates that do not fit), synthetic episodes,
every rule fixture and every acceptance case, under several rule selections. bench/check.py
runs the same comparison on a million widely drawn episodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from random import Random
from typing import Any

import pytest

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Severity
from kodevakt.rules.registry import select
from kodevakt.synth import generate, generate_wide
from tests.rules.harness import codebase, episode_from_spec

WIDE_YEARS = (2016, 2019, 2022, 2023, 2024, 2025, 2026)
WIDE_PER_YEAR = 2000
SYNTH_PER_YEAR = 800
ROOT = Path(__file__).resolve().parents[1]


def _drawn() -> Iterator[dict[str, Any]]:
    for year in WIDE_YEARS:
        yield from generate_wide(WIDE_PER_YEAR, seed=year, year=year, base=codebase(), odd=0.3)
    for year in (2019, 2025):
        yield from generate(SYNTH_PER_YEAR, seed=year, year=year, error_rate=0.4)


def _compare(checker: Checker, episodes: list[Episode]) -> int:
    """Check `episodes` both ways as one stream (ids repeat, some have a history); return
    how many findings agreed, failing on the first episode where the two differ."""
    rng = Random(16)
    seen: set[str] = set()
    agreed = 0
    for i, episode in enumerate(episodes):
        duplicate = episode.id in seen
        seen.add(episode.id)
        history = episodes[max(0, i - 3) : i] if rng.random() < 0.1 else None
        fast = checker.check_episode(episode, history, duplicate_id=duplicate)
        plain = checker.check_plainly(episode, history, duplicate_id=duplicate)
        assert fast == plain, f"episode {episode.id}: fast {fast} != plain {plain}"
        agreed += len(fast)
    return agreed


@pytest.fixture(scope="module")
def drawn() -> list[Episode]:
    episodes = []
    for i, obj in enumerate(_drawn()):
        record = episode_from_dict(obj, Source("drawn", i + 1))
        if isinstance(record, Episode):
            episodes.append(record)
    assert len(episodes) > 0.99 * (len(WIDE_YEARS) * WIDE_PER_YEAR + 2 * SYNTH_PER_YEAR)
    return episodes


@pytest.mark.parametrize(
    ("select_", "rules_year", "severity"),
    [
        ((), None, Severity.INFO),
        (("T", "P"), 2019, Severity.WARNING),
        (("K", "E"), 2025, Severity.INFO),
    ],
    ids=["all-rules", "T-and-P-in-2019-warnings", "K-and-E-in-2025"],
)
def test_fast_and_plain_checking_agree_on_widely_drawn_episodes(
    drawn: list[Episode], select_: tuple[str, ...], rules_year: int | None, severity: Severity
) -> None:
    checker = Checker(codebase(), select(select_), rules_year=rules_year, min_severity=severity)
    assert _compare(checker, drawn) > len(drawn) // 10  # the comparison saw findings


def test_fast_and_plain_checking_agree_on_every_fixture_and_acceptance_case() -> None:
    by_files: dict[tuple[str, ...], list[Episode]] = {}
    for path in sorted((ROOT / "rules" / "fixtures").glob("*.json")):
        for n, case in enumerate(json.loads(path.read_text(encoding="utf-8"))["cases"]):
            spec = case["episode"]
            episode = episode_from_spec(spec, f"{path.stem}-{n}")
            by_files.setdefault(tuple(spec.get("code_files", ())), []).append(episode)
    for path in sorted((ROOT / "acceptance" / "rules").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        record = episode_from_dict(case["episode"], Source(path.name, 1))
        assert isinstance(record, Episode)
        by_files.setdefault((), []).append(record)
    total = 0
    for files, episodes in by_files.items():
        total += len(episodes)
        assert _compare(Checker(codebase(files), select(preview=True)), episodes) > 0
    assert total > 300
