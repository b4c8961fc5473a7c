"""Rules declared `pure` must give the same hits whatever the patient, dates or care level.

The engine reuses a pure rule's hits for every episode with the same codes, so a pure rule
that peeks at the patient would give wrong findings. This test changes everything but the
codes and the year, and compares.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from kodevakt.codes.model import Sex
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import CareLevel, Episode, Source
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.registry import episode_rules
from kodevakt.rules.view import EpisodeView
from kodevakt.synth.generator import generate
from tests.rules.harness import codebase

PURE = [r for r in episode_rules() if r.pure]


def _perturbed(episode: Episode) -> Episode:
    other = copy.deepcopy(episode)
    other.id = episode.id + "-x"
    other.patient.id = "someone-else"
    other.patient.sex = Sex.MALE if episode.patient.sex is Sex.FEMALE else Sex.FEMALE
    other.patient.birth_date = None
    other.patient.age_years = 7 if (episode.age_years or 0) > 30 else 70
    other.care_level = (
        CareLevel.OUTPATIENT if episode.care_level is CareLevel.INPATIENT else CareLevel.INPATIENT
    )
    other.transferred_from = None if episode.transferred_from else "974557746"
    if other.admission and other.discharge:
        shift = timedelta(days=-3 if other.admission.month > 1 else 3)
        other.admission += shift
        other.discharge += shift
        if other.discharge.year != episode.discharge.year:  # type: ignore[union-attr]
            other.admission -= 2 * shift
            other.discharge -= 2 * shift
    return other


@pytest.mark.parametrize("year", [2019, 2023, 2025])
def test_pure_rules_ignore_everything_but_codes(year: int) -> None:
    facts = FactsCache(codebase())
    compared = 0
    for i, obj in enumerate(generate(1500, seed=year, year=year, error_rate=0.4)):
        episode = episode_from_dict(obj, Source("synth", i))
        assert isinstance(episode, Episode)
        view = EpisodeView(episode, facts)
        other = EpisodeView(_perturbed(episode), facts)
        for rule in PURE:
            if not rule.in_force(view.year):
                continue
            assert list(rule.check(view)) == list(rule.check(other)), (rule.code, obj)
            compared += 1
    assert compared > 1000
