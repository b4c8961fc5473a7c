"""Small episode files for the storage tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def episode(episode_id: str, conditions: list[list[str]], **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": episode_id,
        "patient": {"id": f"pas-{episode_id}", "sex": "K", "age": 70},
        "institution": "974557746",
        "department": "MED",
        "care_level": "outpatient",
        "admission": "2025-03-01T10:00",
        "discharge": "2025-03-01T11:00",
        "conditions": conditions,
    }
    record.update(extra)
    return record


def write_jsonl(path: Path, records: list[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# T02 fires on an asterisk code standing alone; the corrected group puts the dagger first.
WRONG = [["H36.0"]]
CORRECTED = [["E10.3", "H36.0"]]
CLEAN = [["I10"]]


def extract(folder: Path, name: str = "t1.jsonl", **overrides: list[list[str]]) -> Path:
    """Ten episodes, ep-3 and ep-7 with the T02 error unless overridden."""
    records: list[dict[str, Any] | str] = []
    for i in range(1, 11):
        episode_id = f"ep-{i}"
        conditions = overrides.get(episode_id.replace("-", "_"), WRONG if i in (3, 7) else CLEAN)
        records.append(episode(episode_id, conditions))
    return write_jsonl(folder / name, records)
