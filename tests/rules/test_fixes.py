"""Machine-applicable corrections (`Fix`): what each rule proposes, and that it works.

Every case states the fix a rule returns for a small episode, then applies it and checks the
episode again: the rule's finding must be gone (a fix that leaves its own finding is a bug).
The episodes need only the embedded code data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Fix
from kodevakt.rules.registry import episode_rules
from tests.rules.harness import codebase, episode_from_spec

D = "2025-03-04"

# (rule, episode spec, expected fix: {"conditions": [...]} and/or {"procedures": [...]})
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # T02: the dagger goes first; a lone asterisk joins its dagger's group.
    ("T02", {"conditions": "H36.0+E10.3"}, {"conditions": [["E10.3", "H36.0"]]}),
    ("T02", {"conditions": "E10.3; H36.0"}, {"conditions": [["E10.3", "H36.0"]]}),
    ("T02", {"conditions": "I10; H36.0; E10.3"}, {"conditions": [["I10"], ["E10.3", "H36.0"]]}),
    # T03: the asterisk moves to the dagger that fits it.
    (
        "T03",
        {"conditions": "C18.7; E11.9+D63.0"},
        {"conditions": [["C18.7", "D63.0"], ["E11.9"]]},
    ),
    # T04: the alternative first code goes first (grouped from 2023, separate before).
    ("T04", {"conditions": "U07.1+J12.8"}, {"conditions": [["J12.8", "U07.1"]]}),
    ("T04", {"conditions": "U07.1; J12.8"}, {"conditions": [["J12.8", "U07.1"]]}),
    ("T04", {"conditions": "U07.1+J12.8", "year": 2021}, {"conditions": [["J12.8"], ["U07.1"]]}),
    ("T04", {"conditions": "U07.1; J12.8", "year": 2021}, {"conditions": [["J12.8"], ["U07.1"]]}),
    ("T04", {"conditions": "Z03.8; R07.4"}, {"conditions": [["R07.4"], ["Z03.8"]]}),
    # T05: the condition goes first, the additional code after it.
    ("T05", {"conditions": "B96.2+N30.0"}, {"conditions": [["N30.0", "B96.2"]]}),
    ("T05", {"conditions": "B96.2; N30.0"}, {"conditions": [["N30.0", "B96.2"]]}),
    ("T05", {"conditions": "B96.2+N30.0", "year": 2019}, {"conditions": [["N30.0"], ["B96.2"]]}),
    ("T05", {"conditions": "W0n.0r; S93.4", "year": 2019}, {"conditions": [["S93.4"], ["W0n.0r"]]}),
    # T10: the repeated code goes; the codes that described it join the first registration.
    ("T10", {"conditions": "J13; I10; J13"}, {"conditions": [["J13"], ["I10"]]}),
    (
        "T10",
        {"conditions": "N39.0; I10; N39.0+B96.2"},
        {"conditions": [["N39.0", "B96.2"], ["I10"]]},
    ),
    ("T10", {"conditions": "R42+Y4n+Y4n"}, {"conditions": [["R42", "Y4n"]]}),
    # A fix corrects the whole defect: every repeat of the code, every superfluous R65.1.
    ("T10", {"conditions": "J13; J13; I10; J13"}, {"conditions": [["J13"], ["I10"]]}),
    ("T18", {"conditions": "A41.0; R65.1; R65.1", "year": 2019}, {"conditions": [["A41.0"]]}),
    ("K04", {"conditions": "i10; J12.8+i10"}, {"conditions": [["I10"], ["J12.8", "I10"]]}),
    # T17: SIRS moves to the infection (2024 on).
    (
        "T17",
        {"conditions": "I50.9+R65.1; J18.9"},
        {"conditions": [["I50.9"], ["J18.9", "R65.1"]]},
    ),
    # T18, T19: R65.1 goes.
    ("T18", {"conditions": "A41.0+R65.1"}, {"conditions": [["A41.0"]]}),
    ("T18", {"conditions": "A41.0; R65.1", "year": 2019}, {"conditions": [["A41.0"]]}),
    ("T19", {"conditions": "A41.5+R65.1+R57.2"}, {"conditions": [["A41.5", "R57.2"]]}),
    # T20: a redundant microbe goes; one code for the pair; a misplaced microbe moves.
    ("T20", {"conditions": "J13+B95.3"}, {"conditions": [["J13"]]}),
    ("T20", {"conditions": "J18.9+B96.2"}, {"conditions": [["J15.5"]]}),
    # A code naming only the class keeps the microbe (KV2018 §12.4 p. 97: A41.5 + B96.5).
    ("T20", {"conditions": "A41.9+B96.2"}, {"conditions": [["A41.5", "B96.2"]]}),
    ("T20", {"conditions": "A41.9+B96.5"}, {"conditions": [["A41.5", "B96.5"]]}),
    ("T20", {"conditions": "A41.9+B95.6"}, {"conditions": [["A41.0"]]}),
    ("T20", {"conditions": "M00.96+B95.6"}, {"conditions": [["M00.06", "B95.6"]]}),
    (
        "T20",
        {"conditions": "I10+B96.2; N30.0"},
        {"conditions": [["I10"], ["N30.0", "B96.2"]]},
    ),
    # T21: the microbe joins the resistance code's group.
    (
        "T21",
        {"conditions": "N39.0+U82.2; B96.2"},
        {"conditions": [["N39.0", "B96.2", "U82.2"]]},
    ),
    # T22: the primary tumour first, the metastasis as another condition.
    ("T22", {"conditions": "C78.7; C18.7"}, {"conditions": [["C18.7"], ["C78.7"]]}),
    ("T22", {"conditions": "C78.7; I10; C80.0"}, {"conditions": [["C80.0"], ["C78.7"], ["I10"]]}),
    # T23: C80.0 goes when the primary is known.
    ("T23", {"conditions": "C80.0; C78.7; C25.0"}, {"conditions": [["C78.7"], ["C25.0"]]}),
    # T27: I22 becomes I21 without an infarction in the 28 days before.
    (
        "T27",
        {
            "conditions": "I22.1",
            "history": [
                {
                    "conditions": "I21.1",
                    "admission": "2025-01-20T10:00",
                    "discharge": "2025-02-02T12:00",
                }
            ],
        },
        {"conditions": [["I21.1"]]},
    ),
    # T29: the additional code joins the condition it describes (2024 on).
    ("T29", {"conditions": "N30.0; B96.2"}, {"conditions": [["N30.0", "B96.2"]]}),
    ("T29", {"conditions": "J12.8; U07.1"}, {"conditions": [["J12.8", "U07.1"]]}),
    ("T29", {"conditions": "S93.4; W0n.0r"}, {"conditions": [["S93.4", "W0n.0r"]]}),
    ("T29", {"conditions": "I10; B96.2+N30.0"}, {"conditions": [["I10"], ["N30.0", "B96.2"]]}),
    # T30: ungrouped before 2023; dagger and asterisk stay together.
    ("T30", {"conditions": "N30.0+B96.2", "year": 2019}, {"conditions": [["N30.0"], ["B96.2"]]}),
    (
        "T30",
        {"conditions": "T83.5+N30.0+B96.2+Y84.6", "year": 2019},
        {"conditions": [["T83.5"], ["N30.0"], ["B96.2"], ["Y84.6"]]},
    ),
    (
        "T30",
        {"conditions": "E10.3+H36.0+I10", "year": 2021},
        {"conditions": [["E10.3", "H36.0"], ["I10"]]},
    ),
    # T03: the diabetes dagger names the complication of its asterisk.
    ("T03", {"conditions": "E11.9+H36.0"}, {"conditions": [["E11.3", "H36.0"]]}),
    (
        "T03",
        {"conditions": "E11.4+G63.2+H36.0"},
        {"conditions": [["E11.4", "G63.2"], ["E11.3", "H36.0"]]},
    ),
    ("T02", {"conditions": "E11.9; H36.0"}, {"conditions": [["E11.3", "H36.0"]]}),
    # T06: a chemotherapy session code gives way to the tumour.
    ("T06", {"conditions": "Z51.1; C50.4; C79.5"}, {"conditions": [["C50.4"], ["C79.5"]]}),
    # T24: the follow-up code goes; the treated condition becomes the main condition.
    (
        "T24",
        {"conditions": "Z08.2; C18.7", "procedures": f"WBOC10+L01BC02@{D}"},
        {"conditions": [["C18.7"]]},
    ),
    # T34: the expected symptoms go.
    ("T34", {"conditions": "N10; R50.9; R10.4"}, {"conditions": [["N10"]]}),
    # T35: no metastasis codes with a lymphoma.
    ("T35", {"conditions": "C77.2; C83.3"}, {"conditions": [["C83.3"]]}),
    # T36: the focus first, with the sepsis code's agent and R65.1.
    ("T36", {"conditions": "A41.0; N10"}, {"conditions": [["N10", "B95.6", "R65.1"]]}),
    ("T36", {"conditions": "A40.3; J18.9"}, {"conditions": [["J13", "R65.1"]]}),
    (
        "T36",
        {"conditions": "I50.9; A41.0; N10", "year": 2019},
        {"conditions": [["I50.9"], ["N10"], ["B95.6"], ["R65.1"]]},
    ),
    (
        "T36",
        {"conditions": "A41.9+B96.2+R65.1; N30.0"},
        {"conditions": [["N30.0", "B96.2", "R65.1"]]},
    ),
    # T37, T38: the chronic ischaemia codes that contradict the coronary findings.
    ("T37", {"conditions": "I20.9; I25.6"}, {"conditions": [["I20.9"]]}),
    ("T38", {"conditions": "I25.9", "procedures": f"FNG05@{D}"}, {"conditions": [["I25.1"]]}),
    ("T38", {"conditions": "I25.1; I25.9"}, {"conditions": [["I25.1"]]}),
    # T39: a cancer follow-up is Z08.
    ("T39", {"conditions": "Z09.0; C18.7"}, {"conditions": [["Z08.0"], ["C18.7"]]}),
    # T33: Z85 goes when the same cancer is coded.
    ("T33", {"conditions": "C50.4; Z85.3"}, {"conditions": [["C50.4"]]}),
    # K04: the code in standard form; the other codes stay as written.
    ("K04", {"conditions": "j12,8; I10"}, {"conditions": [["J12.8"], ["I10"]]}),
    (
        "K04",
        {"conditions": "N63", "procedures": f"jka20+ZXA00@{D}"},
        {"procedures": [["JKA20", "ZXA00"]]},
    ),
    # P01, P03, P06: the procedure group reordered or recoded; dates stay.
    (
        "P01",
        {"conditions": "N63", "procedures": f"ZXA00+QAB00@{D}"},
        {"procedures": [["QAB00", "ZXA00"]]},
    ),
    (
        "P01",
        {"conditions": "C50.9", "procedures": f"L01XC03+WBOC10@{D}"},
        {"procedures": [["WBOC10", "L01XC03"]]},
    ),
    (
        "P03",
        {"conditions": "N63", "procedures": f"HAB16K+ZTX0XB@{D}"},
        {"procedures": [["HAB16K", "ZXA05"]]},
    ),
    (
        "P03",
        {"conditions": "M17.1", "procedures": f"SNG0AA+ZXA00@{D}"},
        {"procedures": [["SNG0AA", "ZTX0XA"]]},
    ),
    (
        "P06",
        {"conditions": "K91.8", "procedures": f"JDD00+ZXD10+JWC00@{D}"},
        {"procedures": [["JWC00", "JDD00", "ZXD10"]]},
    ),
]


def _ids() -> list[str]:
    return [f"{rule}-{spec['conditions']}-{spec.get('year', 2025)}" for rule, spec, _ in CASES]


def _check(spec: dict[str, Any], rule_code: str, episode: Any = None) -> list[Finding]:
    checker = Checker(codebase(), [r for r in episode_rules() if r.code == rule_code])
    history = [episode_from_spec(h, f"hist-{i}") for i, h in enumerate(spec.get("history", []))]
    return checker.check_episode(episode or episode_from_spec(spec), history or None)


@pytest.mark.parametrize(("rule_code", "spec", "expected"), CASES, ids=_ids())
def test_rule_returns_the_fix_and_the_fix_removes_the_finding(
    rule_code: str, spec: dict[str, Any], expected: dict[str, Any]
) -> None:
    findings = [f for f in _check(spec, rule_code) if f.fix is not None]
    assert findings, f"{rule_code} gives no fix for {spec['conditions']}"
    finding = findings[0]
    assert finding.fix is not None
    wanted = {"conditions": None, "procedures": None} | expected
    assert finding.fix.to_dict() == wanted

    episode = episode_from_spec(spec)
    fixed = finding.fix.apply(episode)
    after = _check(spec, rule_code, fixed)
    assert not [f for f in after if f.codes == finding.codes and f.message == finding.message], (
        f"{rule_code}: the fix {finding.fix.to_dict()} leaves its own finding"
    )
    assert len(after) < len(_check(spec, rule_code)), [f.message for f in after]
    assert [p.date for p in fixed.procedures] == [p.date for p in episode.procedures]
    assert episode.conditions == episode_from_spec(spec).conditions  # the original is untouched


def test_every_listed_rule_has_a_fix_case() -> None:
    wanted = {"T02", "T04", "T05", "T10", "T18", "T19", "T20", "T22", "T29", "T30", "K04"}
    wanted |= {"P01", "P06", "T03", "T06", "T24", "T34", "T35", "T36", "T37", "T38", "T39"}
    assert wanted <= {rule for rule, _, _ in CASES}


@pytest.mark.parametrize(
    ("rule_code", "spec"),
    [
        ("T02", {"conditions": "H36.0"}),  # no diabetes code anywhere: what goes first is open
        ("T04", {"conditions": "U07.1"}),  # which infection or symptom is the coder's call
        ("T05", {"conditions": "B96.2"}),
        ("T20", {"conditions": "I10+B96.2"}),  # add an infection or delete: a choice
        ("T29", {"conditions": "I10; R42; Y4n"}),  # two conditions could take the cause code
        (
            "P01",
            {"conditions": "N63", "procedures": f"QAB00@{D}; ZXA00@{D}"},
        ),  # which procedure the lone Z code belongs to is a guess
        # A41.5 says gram-negative, which no microorganism code carries: no fix may drop it.
        ("T36", {"conditions": "A41.5; N10"}),
        ("T36", {"conditions": "A41.0; N10; J18.9"}),  # which infection is the focus
        ("T06", {"conditions": "Z51.1; C50.4; C18.7"}),  # which tumour was treated
        (
            "T24",
            {"conditions": "Z08.0; C18.7; C78.7", "procedures": f"WBOC10+L01BC02@{D}"},
        ),  # the primary or the metastasis: the criteria of §9.1 decide
    ],
)
def test_no_fix_when_the_correction_is_a_choice(rule_code: str, spec: dict[str, Any]) -> None:
    findings = _check(spec, rule_code)
    assert findings
    assert all(f.fix is None for f in findings)


def test_fix_json_shape_and_apply_keeps_the_rest_of_the_episode() -> None:
    spec = {"conditions": "H36.0+E10.3; I10", "procedures": f"ZXA00+QAB00@{D}"}
    finding = _check(spec, "T02")[0]
    assert finding.to_dict()["fix"] == {
        "conditions": [["E10.3", "H36.0"], ["I10"]],
        "procedures": None,
    }
    json.dumps(finding.to_dict())
    episode = episode_from_spec(spec)
    fixed = finding.fix.apply(episode) if finding.fix else episode
    assert fixed.conditions == [["E10.3", "H36.0"], ["I10"]]
    assert fixed.procedures == episode.procedures
    assert fixed.procedures[0] is not episode.procedures[0]
    assert (fixed.id, fixed.patient, fixed.admission) == (
        episode.id,
        episode.patient,
        episode.admission,
    )


def test_findings_without_a_fix_render_null() -> None:
    finding = _check({"conditions": "J18.9"}, "T13")[0]
    assert finding.fix is None
    assert finding.to_dict()["fix"] is None


def test_procedure_fix_with_another_group_count_drops_dates() -> None:
    episode = episode_from_spec({"conditions": "N63", "procedures": f"QAB00@{D}"})
    fixed = Fix(procedures=(("QAB00",), ("ZXA00",))).apply(episode)
    assert [p.date for p in fixed.procedures] == [None, None]


def test_all_fixes_from_a_mixed_batch_remove_their_findings() -> None:
    """Every fix any rule gives on the fixture episodes removes its own finding."""
    from tests.rules.test_rule_fixtures import _cases

    checked = 0
    for rule_code, case in _cases():
        spec = case["episode"]
        if not case["fires"] or spec.get("copies") or spec.get("code_files"):
            continue
        for finding in _check(spec, rule_code):
            if finding.fix is None:
                continue
            after = _check(spec, rule_code, finding.fix.apply(episode_from_spec(spec)))
            same = [f for f in after if f.codes == finding.codes and f.message == finding.message]
            assert not same, (rule_code, case["name"], finding.fix.to_dict())
            checked += 1
    assert checked >= 20


def test_fixes_on_synthetic_episodes_remove_their_findings() -> None:
    """Synthetic episodes with many injected errors, in each multiple-coding regime."""
    from kodevakt.episodes.interchange import episode_from_dict
    from kodevakt.episodes.model import Episode, Source
    from kodevakt.synth.generator import generate

    base = codebase()
    full = Checker(base)
    single = {r.code: Checker(base, [r]) for r in episode_rules()}
    fixed_rules: set[str] = set()
    for year in (2019, 2023, 2025):
        for raw in generate(1500, seed=11, year=year, error_rate=0.5):
            episode = episode_from_dict(raw, Source("<synth>", 1))
            assert isinstance(episode, Episode)
            for finding in full.check_episode(episode):
                if finding.fix is None:
                    continue
                after = single[finding.rule].check_episode(finding.fix.apply(episode))
                same = [
                    f for f in after if (f.codes, f.message) == (finding.codes, finding.message)
                ]
                assert not same, (year, finding.rule, episode.conditions, finding.fix.to_dict())
                fixed_rules.add(finding.rule)
    assert {"T02", "T04", "T05", "T10", "K04"} <= fixed_rules
