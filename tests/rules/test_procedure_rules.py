"""P rules on episodes whose procedure groups were rebuilt from a flat NPR extract.

The fixture format cannot mark an episode `grouping_inferred`, so these cases live here.
"""

from __future__ import annotations

from typing import Any

import pytest

from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.rules.registry import episode_rules
from tests.rules.harness import codebase, episode_from_spec

D = "2025-03-04"


def _run_inferred(spec: dict[str, Any], code: str) -> list[Finding]:
    episode = episode_from_spec(spec)
    episode.grouping_inferred = True
    checker = Checker(codebase(), [r for r in episode_rules() if r.code == code])
    return checker.check_episode(episode)


@pytest.mark.parametrize(
    ("code", "procedures"),
    [
        # ZXA05 (NCSP column) belongs to HAB16K (NCRP column): the flat extract split them.
        ("P01", f"HAB16K@{D}; ZXA05@{D}"),
        # The drug sits in another rebuilt group: accepted when the grouping is a guess.
        ("P04", f"TBA0AN@{D}; SBA0AK+V09FX01@{D}"),
        ("P05", f"WBOC10@{D}; JKA20+L01BC02@{D}"),
    ],
)
def test_inferred_grouping_does_not_fire(code: str, procedures: str) -> None:
    assert not _run_inferred({"conditions": "N63", "procedures": procedures}, code)


@pytest.mark.parametrize(
    ("code", "procedures"),
    [
        ("P01", f"ZXA05@{D}"),  # no procedure code anywhere: an error however grouped
        ("P04", f"TSY0AN@{D}"),  # no radiopharmaceutical anywhere
        ("P05", f"WBOC10@{D}"),  # no drug anywhere
    ],
)
def test_inferred_grouping_keeps_errors_that_do_not_depend_on_groups(
    code: str, procedures: str
) -> None:
    findings = _run_inferred({"conditions": "N63", "procedures": procedures}, code)
    assert [f.severity.value for f in findings] == ["error"]


@pytest.mark.parametrize(
    ("code", "procedures", "severity"),
    [
        ("P02", f"RAFT00+ZXA10@{D}", "info"),
        ("P03", f"HAB16K+ZTX0XB@{D}", "warning"),
        ("P03", f"SNG0AA+ZXA00@{D}", "info"),
    ],
)
def test_inferred_grouping_lowers_severity(code: str, procedures: str, severity: str) -> None:
    findings = _run_inferred({"conditions": "N63", "procedures": procedures}, code)
    assert [f.severity.value for f in findings] == [severity]


def test_other_code_suggests_specific_codes_of_the_group() -> None:
    episode = episode_from_spec({"conditions": "C16.9", "procedures": f"JDD96@{D}"})
    checker = Checker(codebase(), [r for r in episode_rules() if r.code == "P07"])
    (finding,) = checker.check_episode(episode)
    assert finding.suggestion is not None
    assert "JDD00" in finding.suggestion and "JDD01" in finding.suggestion


def test_reordered_group_suggestions() -> None:
    checker = Checker(codebase(), [r for r in episode_rules() if r.code in ("P01", "P06")])
    (p01,) = checker.check_episode(episode_from_spec({"procedures": f"ZXA05+HAB16K@{D}"}))
    assert p01.suggestion == "Registrer gruppen som HAB16K+ZXA05"
    (p06,) = checker.check_episode(
        episode_from_spec({"procedures": f"JDD00+ZXD10+JWC00+ZXD00@{D}"})
    )
    assert p06.suggestion == "Registrer gruppen som JWC00+ZXD00+JDD00+ZXD10"
