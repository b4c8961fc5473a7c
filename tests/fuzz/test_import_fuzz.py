"""`kodevakt import` on damaged files: every record stored or rejected, nothing leaked.

Asserted on the database itself (sqlite3, not kodevakt's own queries): every intact record
is stored once, records read = stored + rejected for the run, no run is left `running`, and
no personal value reaches stderr or the stored rejection messages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kodevakt.cli import build_app
from tests.episodes.corrupt import CORRUPTIONS, FORMATS, SUFFIXES, episode_lists
from tests.fuzz.harness import make_case

_APP = build_app(["import"])
_RUNNER = CliRunner()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    episodes=episode_lists(max_size=10),
    fmt=st.sampled_from(FORMATS),
    corruption=st.sampled_from(CORRUPTIONS),
)
def test_damaged_import_stores_or_rejects_every_record(
    data: st.DataObject, episodes: list[dict[str, Any]], fmt: str, corruption: str
) -> None:
    case = make_case(data.draw, episodes, fmt, corruption)
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"episoder{SUFFIXES[fmt]}"
        path.write_bytes(case.content)
        db = Path(folder) / "kodevakt.db"
        result = _RUNNER.invoke(_APP, ["import", str(path), "--period", "auto", "--db", str(db)])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.exit_code in (0, 2), result.output
        assert not [value for value in case.personal if value in result.stderr]
        with sqlite3.connect(db) as conn:
            stored = [row[0] for row in conn.execute("SELECT episode_id FROM episode")]
            runs = list(
                conn.execute(
                    "SELECT status, records_read, rejected, duplicates FROM import_run"
                    " WHERE kind = 'file'"
                )
            )
            messages = [row[0] for row in conn.execute("SELECT message FROM import_rejection")]
    if result.exit_code == 2:
        # Refused as a whole: the start of the file is not UTF-8, or no record could be read
        # (so no date tells the tertial); either way nothing is stored, and it is said.
        assert stored == []
        if "--encoding" not in result.stderr:
            assert "ingenting lagret" in result.stderr and not case.intact, result.stderr
        return
    assert {run[0] for run in runs} == {"ok"}
    read, rejected, duplicates = (sum(run[i] for run in runs) for i in (1, 2, 3))
    assert read == len(stored) + rejected + duplicates
    assert case.intact <= set(stored)
    assert not [m for m in messages for value in case.personal if value in m]
