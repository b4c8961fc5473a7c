"""Episodes coded alike are measured once for the indicators (`measure_key`): the measures,
and so every indicator value, are those of measuring each episode by itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kodevakt.batch import batch_view
from kodevakt.batch import view as view_module
from kodevakt.batch.indicators import Measured, default_facts, measure
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.synth.generator import generate
from kodevakt.synth.wide import generate_wide


def _pairs(records: Iterator[Any]) -> list[tuple[Episode, list[Finding]]]:
    checker = Checker(default_codebase())
    pairs = []
    for line, record in enumerate(records, start=1):
        read = episode_from_dict(record, Source("test", line))
        assert isinstance(read, Episode)
        pairs.append((read, checker.check_episode(read)))
    return pairs


@pytest.mark.parametrize(
    "records",
    [
        lambda: generate(3000, 7),
        lambda: generate_wide(1500, 8, odd=0.4),
        lambda: generate_wide(800, 9, year=2024, odd=0.4),
    ],
    ids=["synthetic", "wide", "wide-2024"],
)
def test_measures_equal_those_taken_one_by_one(
    records: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pairs = _pairs(records())
    base = default_codebase()
    facts = default_facts(base)
    alone = [measure(Measured(e, f, facts)) for e, f in pairs]
    taken: list[Episode] = []

    def counted(m: Measured) -> tuple[float | None, ...]:
        taken.append(m.episode)
        return measure(m)

    monkeypatch.setattr(view_module, "measure", counted)
    view = batch_view(pairs, "2025", base=base)
    assert view.measures == alone
    assert 0 < len(taken) < len(pairs)  # episodes coded alike were measured once
