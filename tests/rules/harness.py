"""Builds episodes for rule fixtures from a compact spec, and runs the checker on them.

A fixture spec fills in a plain adult inpatient episode unless it says otherwise:

    {"conditions": "H36.0+E10.3; I10", "procedures": "JKA20+ZXD10@2025-03-04",
     "sex": "K", "age": 64 | "birth_date": "...", "age_days": 3, "care_level": "inpatient",
     "urgency": "acute", "admission": "2025-03-03T10:00", "discharge": "2025-03-07T12:00",
     "year": 2019 (moves the default dates to that year), "transferred_from": "...",
     "history": [spec, ...] (earlier episodes of the same patient, for T27),
     "code_files": ["tests/fixtures/codelists/icd10_2025.xlsx", ...] (official lists to load),
     "copies": 2 (the episode appears that many times in one batch, for E05)}
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.notation import parse_conditions
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.rules.registry import episode_rules

ROOT = Path(__file__).resolve().parents[2]


@cache
def codebase(code_files: tuple[str, ...] = ()) -> CodeBase:
    return default_codebase([ROOT / f for f in code_files])


def episode_from_spec(spec: dict[str, Any], episode_id: str = "ep-test") -> Episode:
    year = int(spec.get("year", 2025))
    conditions = spec.get("conditions", [])
    if isinstance(conditions, str):
        conditions = parse_conditions(conditions)
    procedures = spec.get("procedures", [])
    if isinstance(procedures, str):
        procedures = [
            {"codes": group.split("@")[0].split("+"), "date": group.split("@")[1].strip()}
            if "@" in group
            else {"codes": group.split("+")}
            for group in procedures.split(";")
            if group.strip()
        ]
        procedures = [{**p, "codes": [c.strip() for c in p["codes"]]} for p in procedures]
    patient: dict[str, Any] = {
        "id": spec.get("patient_id", "pas-test"),
        "sex": spec.get("sex", "K"),
    }
    if "age" in spec:
        patient["age"] = spec["age"]
    elif "age_days" in spec:
        patient["age_days"] = spec["age_days"]
    else:
        patient["birth_date"] = spec.get("birth_date", "1960-05-05")
    obj = {
        "id": spec.get("id", episode_id),
        "patient": patient,
        "institution": spec.get("institution", "HF1"),
        "department": spec.get("department", "MED"),
        "care_level": spec.get("care_level", "inpatient"),
        "urgency": spec.get("urgency", "acute"),
        "admission": spec.get("admission", f"{year}-03-03T10:00"),
        "discharge": spec.get("discharge", f"{year}-03-07T12:00"),
        "transferred_from": spec.get("transferred_from"),
        "transferred_to": spec.get("transferred_to"),
        "conditions": conditions,
        "procedures": procedures,
    }
    record = episode_from_dict(obj, Source("<fixture>", 1))
    assert isinstance(record, Episode), record
    return record


def run(spec: dict[str, Any], rule_code: str | None = None) -> list[Finding]:
    """Findings for the episode a spec describes (only `rule_code`'s when given)."""
    rules = [r for r in episode_rules() if rule_code is None or r.code == rule_code]
    checker = Checker(codebase(tuple(spec.get("code_files", ()))), rules)
    episode = episode_from_spec(spec)
    copies = int(spec.get("copies", 1))
    if copies > 1:
        return list(checker.check([episode] * copies))
    history = [episode_from_spec(h, f"hist-{i}") for i, h in enumerate(spec.get("history", []))]
    return checker.check_episode(episode, history or None)
