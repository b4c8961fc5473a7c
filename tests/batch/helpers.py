"""Building batches for the batch tests: episodes from compact specs, and plain findings."""

from __future__ import annotations

from typing import Any

from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Finding, Severity
from tests.rules.harness import episode_from_spec


def episode(episode_id: str, **spec: Any) -> Episode:
    """An episode (adult inpatient at HF1/MED by default, see tests/rules/harness.py)."""
    return episode_from_spec(spec, episode_id)


def finding(episode_id: str, rule: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(episode_id, rule, rule.lower(), severity, "melding", (), "", "kilde", None, 2025)


def pairs(*episodes: Episode) -> list[tuple[Episode, list[Finding]]]:
    return [(e, []) for e in episodes]
