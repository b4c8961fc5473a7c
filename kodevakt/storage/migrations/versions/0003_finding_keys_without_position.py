"""Finding keys without the code's position.

Keys were a hash of period, institution, episode, rule, codes and location
(`conditions[1][0]`): a coder who reordered the condition groups lost an acceptance, and the
finding counted as fixed while an identical one opened. Keys are now a hash of the same with
the location reduced to its kind (`conditions`), numbered when one rule fires on the same
codes at several places of an episode (`findings.finding_key`). This migration gives every
stored finding its new key, in `finding` and `finding_event`, so that statuses, comments and
their history survive the upgrade.

Numbering: among the stored findings with the same identity, those still current (open or
accepted) come first, in the order of their positions, as the checker reports them; fixed
ones after. A re-import of the same extract after the upgrade then changes nothing.

The key is computed here, not imported from `findings.py`: a migration is a snapshot of the
rule it applies, whatever later versions of the code do. Downgrade computes the old keys
again; it fails should two findings share an old key (one moved onto the other's place).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_POSITIONAL = re.compile(r"^(conditions|procedures)(?:\[\d+\])+$")
_INDEX = re.compile(r"\[(\d+)\]")
_COPIED = (
    "scope, period, institution, department, episode_id, rule, name, severity, message, codes, "
    "location, source, suggestion, rule_year, fix, episodes, status, comment, changed_by, "
    "changed_at, first_seen_at, last_seen_import_id"
)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _identity(row: sa.Row[tuple[str, ...]]) -> str:
    kind = _POSITIONAL.sub(r"\1", row.location)
    return "\x1f".join((row.period, row.institution, row.episode_id, row.rule, row.codes, kind))


def _place_order(row: sa.Row[tuple[str, ...]]) -> tuple[bool, tuple[int, ...], str]:
    positions = tuple(int(i) for i in _INDEX.findall(row.location))
    return (row.status == "fixed", positions, row.location)


def _new_keys(rows: list[sa.Row[tuple[str, ...]]]) -> dict[str, str]:
    groups: dict[str, list[sa.Row[tuple[str, ...]]]] = {}
    for row in rows:
        groups.setdefault(_identity(row), []).append(row)
    keys = {}
    for identity, members in groups.items():
        for number, row in enumerate(sorted(members, key=_place_order)):
            keys[row.key] = _hash(f"{identity}\x1f{number}" if number else identity)
    return keys


def _old_keys(rows: list[sa.Row[tuple[str, ...]]]) -> dict[str, str]:
    fields = ("period", "institution", "episode_id", "rule", "codes", "location")
    return {row.key: _hash("\x1f".join(getattr(row, f) for f in fields)) for row in rows}


def _rekey(compute: Callable[[list[sa.Row[tuple[str, ...]]]], dict[str, str]]) -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT key, period, institution, episode_id, rule, codes, location, status "
            "FROM finding"
        )
    ).all()
    changed = [{"old": old, "new": new} for old, new in compute(list(rows)).items() if old != new]
    if not changed:
        return
    # A temporary table: gone with the connection should the upgrade be interrupted.
    conn.execute(
        sa.text("CREATE TEMPORARY TABLE finding_rekey (old VARCHAR(32) PRIMARY KEY, new TEXT)")
    )
    conn.execute(sa.text("INSERT INTO finding_rekey (old, new) VALUES (:old, :new)"), changed)
    conn.execute(
        sa.text(
            f"INSERT INTO finding (key, {_COPIED}) SELECT m.new, {_COPIED} "
            "FROM finding JOIN finding_rekey m ON m.old = finding.key"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE finding_event SET key = "
            "(SELECT m.new FROM finding_rekey m WHERE m.old = finding_event.key) "
            "WHERE key IN (SELECT old FROM finding_rekey)"
        )
    )
    conn.execute(sa.text("DELETE FROM finding WHERE key IN (SELECT old FROM finding_rekey)"))
    conn.execute(sa.text("DROP TABLE finding_rekey"))


def upgrade() -> None:
    _rekey(_new_keys)


def downgrade() -> None:
    _rekey(_old_keys)
