"""Every rule's precondition (`triggers`, `requires`) covers every episode where the rule fires.

The engine skips a rule for an episode whose features (`code_facts`: each code's features as
they are and by where it stands, the code structure's and the episode's own) do not meet the
rule's masks. That may only save work; it must never be what makes a rule correct (sqlfluff's
crawl behaviour and its tests). So every masked rule runs here directly, past its masks, on
varied episodes: the synthetic ones (kodevakt.synth), ones drawn from the whole ICD-10 list
(headings too) with some procedures, odd patients and odd dates, and widely drawn ones with
oddities (`generate_wide`); a rule that fires where its masks would have skipped it fails.
A rule added later is covered as soon as it declares a mask.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from random import Random
from typing import Any

from kodevakt.codes.release import Family
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules import code_facts as F
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.registry import episode_rules
from kodevakt.rules.view import EpisodeView
from kodevakt.synth.generator import generate
from kodevakt.synth.wide import generate_wide
from tests.rules.harness import codebase, episode_from_spec

MASKED = [r for r in episode_rules() if r.triggers or r.requires]
SYNTH_PER_YEAR = 1500
WIDE = 8000
DRAWN_PER_YEAR = 2000
ATC = ("J01CA04", "L01XC02", "B01AC06", "A10BA02", "N02BE01")
ODD = ("XX1", "J18.99", "j189", "J189", "Ø12", "u07.1", "ZZZ99")


def _wide(rng: Random, icd: list[str], procedures: list[str], i: int) -> dict[str, Any]:
    """An episode from anywhere in the code list: 1–7 condition groups, some procedures."""
    year = rng.randint(2016, 2026)
    admission = datetime(year, 1, 1) + timedelta(days=rng.randint(0, 360), hours=rng.randint(0, 23))
    discharge = admission + timedelta(days=rng.choice((0, 0, 1, 3, 10)), hours=rng.randint(0, 5))
    if rng.random() < 0.03:
        discharge = admission - timedelta(days=2)
    conditions = []
    for _ in range(rng.randint(1, 7)):
        group = [rng.choice(icd)]
        while rng.random() < 0.3:
            pool = rng.choice((icd, icd, icd, procedures, ATC, ODD))
            group.append(rng.choice(pool))
        conditions.append(group)
    if rng.random() < 0.05:
        rng.choice(conditions).insert(0, rng.choice(ODD))
    groups = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        group: dict[str, Any] = {"codes": [_procedure(rng, procedures)]}
        if rng.random() < 0.3:
            group["codes"].append(_procedure(rng, procedures))
        if rng.random() < 0.5:
            group["date"] = (admission + timedelta(days=rng.randint(-2, 12))).date().isoformat()
        groups.append(group)
    patient: dict[str, Any] = {"id": f"p{rng.randint(1, 2000)}"}
    patient["sex"] = rng.choice(("K", "M", "K", "M", None, "9"))
    age = rng.random()
    if age < 0.1:
        patient["age_days"] = rng.randint(0, 400)
    elif age < 0.15:
        patient["birth_date"] = (admission + timedelta(days=rng.randint(1, 30))).date().isoformat()
    elif age < 0.9:
        patient["age"] = rng.randint(0, 105)
    return {
        "id": f"wide-{i}",
        "patient": patient,
        "care_level": rng.choice(("inpatient", "day", "outpatient", None)),
        "urgency": rng.choice(("acute", "elective", None)),
        "admission": admission.isoformat() if rng.random() > 0.03 else None,
        "discharge": discharge.isoformat() if rng.random() > 0.03 else None,
        "transferred_from": "974557746" if rng.random() < 0.1 else None,
        "conditions": conditions,
        "procedures": groups,
    }


def _procedure(rng: Random, procedures: list[str]) -> str:
    """A listed procedure code, or one with a character changed, for shapes outside the list."""
    code = rng.choice(procedures)
    if rng.random() < 0.5:
        return code
    at = rng.randrange(len(code))
    alphabet = "0123456789" if code[at].isdigit() else "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return code[:at] + rng.choice(alphabet) + code[at + 1 :]


def _episodes() -> Iterator[dict[str, Any]]:
    for year in (2019, 2023, 2025):
        yield from generate(SYNTH_PER_YEAR, seed=year, year=year, error_rate=0.4)
    base = codebase()
    icd_list, procedure_list = base.code_list(Family.ICD10), base.code_list(Family.PROCEDURE)
    special_list = base.code_list(Family.SPECIAL)
    assert icd_list and procedure_list and special_list
    icd = sorted(icd_list.codes)
    procedures = sorted(procedure_list.codes) + sorted(special_list.codes)
    rng = Random(20250303)
    for i in range(WIDE):
        yield _wide(rng, icd, procedures, i)
    for year in (2017, 2021, 2023, 2024, 2026):
        yield from generate_wide(DRAWN_PER_YEAR, seed=year, year=year, base=base, odd=0.4)


def test_masked_rules_stay_silent_where_their_masks_skip_them() -> None:
    facts = FactsCache(codebase())
    rng = Random(7)
    earlier: list[Episode] = []
    violations: dict[str, dict[str, Any]] = {}
    episodes = calls = 0
    for i, obj in enumerate(_episodes()):
        episode = episode_from_dict(obj, Source("masks", i))
        assert isinstance(episode, Episode), episode
        episode.grouping_inferred = rng.random() < 0.1
        history = earlier[-3:] if rng.random() < 0.2 else None
        view = EpisodeView(episode, facts, None, history, duplicate_id=rng.random() < 0.02)
        earlier.append(episode)
        episodes += 1
        for rule in MASKED:
            if rule.applies(view.flags) or not rule.in_force(view.year):
                continue
            calls += 1
            if any(True for _ in rule.check(view)):
                violations.setdefault(rule.code, obj)
    assert not violations, f"rules firing where their mask skips them: {violations}"
    assert episodes >= 20_000 and calls > 500_000, (episodes, calls)


def test_t15_checks_for_a_pregnancy_code_itself() -> None:
    """Called past its mask on a man's pneumonia stay, T15 must not report a pregnancy stay."""
    [t15] = [r for r in MASKED if r.code == "T15"]
    view = EpisodeView(
        episode_from_spec({"conditions": "J18.9; I10", "sex": "M"}), FactsCache(codebase())
    )
    assert list(t15.check(view)) == []
    pregnant = episode_from_spec({"conditions": "O26.8; I10"})
    assert list(t15.check(EpisodeView(pregnant, FactsCache(codebase()))))


def test_pure_rules_are_not_skipped_by_patient_or_stay_features() -> None:
    """A pure rule's findings are reused for every episode with the same codes, so whether
    it runs may not hang on the patient, the dates or the id (they would not be the same)."""
    episode_only = F.at(F.EPISODE, F.CODE_FEATURES) & ~F.STRUCTURE_FEATURES
    for rule in episode_rules():
        if rule.pure:
            assert not rule.mask & episode_only, rule.code
