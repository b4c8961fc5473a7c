"""`kodevakt synth`: deterministic, plausible synthetic episodes with a known share of errors."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.batch.catalogue import all_rules
from kodevakt.cli import app
from kodevakt.codes.codebase import CodeBase, Status
from kodevakt.codes.embedded import load_embedded_icd10, load_embedded_icd10_years
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.model import Code
from kodevakt.codes.procedures import parse_procedure
from kodevakt.episodes.interchange import episode_from_dict, read_interchange
from kodevakt.episodes.model import Episode, Source
from kodevakt.rules.engine import Checker
from kodevakt.synth import generate
from kodevakt.synth.generator import PROFILES
from kodevakt.synth.holidays import closed_days, easter
from kodevakt.synth.injectors import INJECTORS, UNKNOWN_CODES
from kodevakt.synth.profile import ATC_RENAMED, written_codes

ATC = re.compile(r"^[A-Z]\d\d[A-Z]{2}\d\d$")
# The catalogue of domain/rules.md (injectors may only use these codes).
CATALOGUE = {
    *(f"K0{i}" for i in range(1, 6)),
    *(f"T{i:02d}" for i in range(1, 34)),
    *(f"P{i:02d}" for i in range(1, 11)),
    *(f"E0{i}" for i in range(1, 6)),
}
# Injected errors that deliberately write a code that is missing, a heading, WHO-only or odd.
BREAKS_CODES = {"K01", "K03", "K04", "T06"}
REPORTABLE_YEARS = (2019, 2023, 2025)


@pytest.fixture(scope="module")
def icd10() -> dict[str, Code]:
    return load_embedded_icd10().codes


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(generate(5000, 11))


def _codes(episode: dict[str, Any]) -> list[str]:
    return [code for group in episode["conditions"] for code in group]


def _age_days(episode: dict[str, Any]) -> int:
    born = date.fromisoformat(episode["patient"]["birth_date"])
    return (date.fromisoformat(episode["admission"][:10]) - born).days


def _clean(episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in episodes if not e["synth"]["injected"]]


# --- stream -------------------------------------------------------------------------------
def test_same_seed_same_episodes_other_seed_others() -> None:
    assert list(generate(800, 5)) == list(generate(800, 5))
    assert list(generate(800, 5)) != list(generate(800, 6))


@pytest.mark.parametrize("n", [0, 1, 17, 3000])
def test_exactly_n_episodes_with_unique_ids(n: int) -> None:
    episodes = list(generate(n, 3))
    assert len(episodes) == n
    assert len({e["id"] for e in episodes}) == n


def test_streams_lazily() -> None:
    first = list(itertools.islice(generate(10**9, 1), 5))
    assert [e["id"] for e in first] == [f"ep-{i:07d}" for i in range(1, 6)]


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        generate(-1, 1)
    with pytest.raises(ValueError):
        generate(10, 1, error_rate=1.5)


# --- codes --------------------------------------------------------------------------------
def test_every_profile_code_exists(icd10: dict[str, Code]) -> None:
    problems = []
    for profile in PROFILES:
        for code in written_codes(profile):
            if ATC.match(code) or parse_procedure(code) is not None:
                continue
            found = icd10.get(code)
            if found is None or not found.reportable or found.who_only:
                problems.append(f"{profile.key}: {code}")
    assert not problems, problems
    assert all(ATC.match(new) and ATC.match(old) for new, (_, old) in ATC_RENAMED.items())


def test_unknown_codes_of_the_injector_are_unknown() -> None:
    base = CodeBase(load_embedded_icd10_years())
    for code in UNKNOWN_CODES:
        assert base.resolve(code, date(2025, 6, 1)).status is Status.UNKNOWN, code


def test_emitted_icd10_codes_exist_and_are_reportable(
    sample: list[dict[str, Any]], icd10: dict[str, Code]
) -> None:
    problems = []
    for episode in sample:
        if BREAKS_CODES & set(episode["synth"]["injected"]):
            continue
        for code in _codes(episode):
            if ATC.match(code):
                continue
            found = icd10.get(code)
            if found is None or not found.reportable or found.who_only:
                problems.append((episode["id"], code))
        for group in episode["procedures"]:
            for code in group["codes"]:
                assert ATC.match(code) or parse_procedure(code) is not None, code
    assert not problems, problems[:20]


def test_main_conditions_are_varied(sample: list[dict[str, Any]]) -> None:
    mains = Counter(e["conditions"][0][0] for e in sample)
    assert len(mains) > 800  # the long tail draws from the whole list
    assert mains.most_common(1)[0][1] < len(sample) * 0.05


# --- errors -------------------------------------------------------------------------------
def test_about_five_percent_carry_exactly_one_error() -> None:
    episodes = list(generate(20000, 2))
    injected = [e["synth"]["injected"] for e in episodes if e["synth"]["injected"]]
    assert 0.04 <= len(injected) / len(episodes) <= 0.06
    assert all(len(codes) == 1 for codes in injected)
    seen = {codes[0] for codes in injected}
    assert seen == {injector.code for injector in INJECTORS}
    assert seen <= CATALOGUE


def test_error_rate_zero_and_one() -> None:
    assert not any(e["synth"]["injected"] for e in generate(2000, 4, error_rate=0.0))
    assert all(e["synth"]["injected"] for e in generate(500, 4, error_rate=1.0))


# --- plausibility -------------------------------------------------------------------------
def test_patients_fit_their_codes(sample: list[dict[str, Any]], icd10: dict[str, Code]) -> None:
    for episode in _clean(sample):
        sex, age_days = episode["patient"]["sex"], _age_days(episode)
        for code in _codes(episode):
            if code[0] == "O":
                assert sex == "K" and 15 * 365 <= age_days < 50 * 365, (episode, code)
            if code.startswith("Z38"):
                assert age_days == 0, episode
            if code[0] == "P":
                assert age_days <= 365, episode
            info = icd10.get(code)
            if info is not None and info.sex is not None:
                assert info.sex.value == sex, (episode, code)


def test_newborn_birth_episodes_are_in_paediatrics(sample: list[dict[str, Any]]) -> None:
    births = [e for e in _clean(sample) if e["conditions"][0][0].startswith("Z38")]
    assert births and all(e["department"] == "PED" for e in births)
    assert all(e["admission"][:10] == e["patient"]["birth_date"] for e in births)


def test_clean_episodes_repeat_no_code(sample: list[dict[str, Any]]) -> None:
    for episode in _clean(sample):
        codes = _codes(episode)
        assert len(codes) == len(set(codes)), episode


def test_dates_lie_in_the_year_and_in_order(sample: list[dict[str, Any]]) -> None:
    for episode in _clean(sample):
        assert episode["admission"].startswith("2025-")
        assert episode["admission"] <= episode["discharge"] <= "2025-12-31T23:59"
        if episode["care_level"] != "inpatient":
            assert episode["admission"][:10] == episode["discharge"][:10]
        for group in episode["procedures"]:
            assert episode["admission"][:10] <= group["date"] <= episode["discharge"][:10]


def test_planned_care_keeps_off_weekends_and_holidays(sample: list[dict[str, Any]]) -> None:
    closed = closed_days(2025)
    planned = [
        date.fromisoformat(e["admission"][:10]) for e in sample if e["urgency"] == "elective"
    ]
    off = [day for day in planned if day.weekday() >= 5 or day in closed]
    assert len(off) <= len(planned) * 0.005
    assert easter(2025) == date(2025, 4, 20)
    assert date(2025, 5, 17) in closed


def test_mix_of_care_levels_patients_and_transfers() -> None:
    episodes = list(generate(20000, 8))
    care = Counter(e["care_level"] for e in episodes)
    assert care["outpatient"] > len(episodes) / 2
    assert care["inpatient"] > care["day"] > 0
    per_patient = Counter(e["patient"]["id"] for e in episodes)
    several = sum(1 for count in per_patient.values() if count > 1) / len(per_patient)
    assert 0.12 <= several <= 0.28
    assert max(per_patient.values()) <= 6  # up to 5, plus a transfer
    assert len({e["department"] for e in episodes}) >= 14
    assert len({e["institution"] for e in episodes}) >= 5
    arrivals = {
        (e["patient"]["id"], e["admission"], e["transferred_from"])
        for e in episodes
        if e["transferred_from"]
    }
    departures = [e for e in episodes if e["transferred_to"]]
    assert departures
    for e in departures:
        assert (e["patient"]["id"], e["discharge"], e["institution"]) in arrivals


@pytest.mark.parametrize("year", [2019, 2025])
def test_multiple_coding_follows_the_year(year: int, icd10: dict[str, Code]) -> None:
    additional = ("B95", "B96", "B97", "B98", "U07", "U8", "R65", "W0n", "Y4n", "Y83")
    for episode in _clean(list(generate(3000, 9, year))):
        groups = episode["conditions"]
        if year >= 2024:  # every additional code sits after the condition it describes
            for group in groups:
                assert not group[0].startswith(additional), episode
        else:  # only dagger/asterisk pairs are groups
            for group in groups:
                if len(group) > 1:
                    assert all(icd10[c].asterisk for c in group[1:]), episode


# --- the command line ---------------------------------------------------------------------
def test_cli_writes_jsonl_that_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(app, ["synth", "--episodes", "1500", "--seed", "3", "--out",
                                      str(out), "--year", "2024"])  # fmt: skip
    assert result.exit_code == 0, result.output
    records = list(read_interchange(out))
    assert len(records) == 1500
    assert all(isinstance(r, Episode) for r in records)
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith('{"id":"ep-0000001"')


def test_cli_writes_to_stdout() -> None:
    result = CliRunner().invoke(app, ["synth", "-n", "3", "--seed", "1"])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 3


# --- the checker against the answer key -----------------------------------------------------
@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(default_codebase())


@pytest.mark.parametrize("year", REPORTABLE_YEARS)
def test_checker_finds_injected_errors_and_spares_clean_episodes(
    year: int, checker: Checker
) -> None:
    """Recall per injected rule (only rules registered and in force) and false positives.

    The injectors are the answer key; rules are written separately. A failure names the rule.
    """
    registered = {r.code: r for r in all_rules()}
    found, total = Counter[str](), Counter[str]()
    false_errors, false_warnings = Counter[str](), Counter[str]()
    clean = clean_with_error = 0
    misses: dict[str, list[Any]] = {}
    for i, raw in enumerate(generate(4000, 21, year, error_rate=0.3)):
        episode = episode_from_dict(raw, Source("synth", i + 1))
        assert isinstance(episode, Episode)
        findings = checker.check_episode(episode)
        rules = {f.rule for f in findings}
        injected = raw["synth"]["injected"]
        for code in injected:
            rule = registered.get(code)
            if rule is None or not rule.in_force(year):
                continue
            total[code] += 1
            if code in rules:
                found[code] += 1
            else:
                misses.setdefault(code, []).append(raw["conditions"])
        if not injected:
            clean += 1
            errors = {f.rule for f in findings if f.severity.value == "error"}
            clean_with_error += bool(errors)
            false_errors.update(errors)
            false_warnings.update(f.rule for f in findings if f.severity.value == "warning")
    recall = {code: found[code] / total[code] for code in total}
    weak = {c: f"{found[c]}/{total[c]}" for c, r in recall.items() if r < 0.95 and total[c] >= 5}
    assert not weak, f"{year}: rules missing injected errors: {weak}; examples: " + str(
        {c: misses[c][:3] for c in weak}
    )
    fp = {rule: f"{n / clean:.2%}" for rule, n in (false_errors + false_warnings).items()}
    assert clean_with_error / clean < 0.01, (
        f"{year}: clean episodes with error findings {clean_with_error}/{clean}; "
        f"per rule (errors {dict(false_errors)}, warnings {dict(false_warnings)}): {fp}"
    )
