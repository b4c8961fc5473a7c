"""Migrations match the schema; database URLs and periods are read as documented."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from kodevakt.pipeline import Pipeline
from kodevakt.storage import (
    ENV_DB,
    FindingStatus,
    StorageError,
    Store,
    parse_period,
    resolve_url,
)
from kodevakt.storage.database import MIGRATIONS, display_url
from kodevakt.storage.schema import metadata
from tests.storage.helpers import WRONG, episode, write_jsonl


def test_migrations_create_the_schema(db_url: str) -> None:
    Store(db_url).close()
    Store(db_url).close()  # opening a migrated database again changes nothing
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_heads() == ("0006",)
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_database_from_a_newer_kodevakt_is_refused(db_url: str) -> None:
    Store(db_url).close()
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="nyere versjon"):
        Store(db_url)


def test_url_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_DB, raising=False)
    assert str(resolve_url()) == "sqlite:///kodevakt.db"
    assert str(resolve_url("data/k.db")) == "sqlite:///data/k.db"
    monkeypatch.setenv(ENV_DB, "postgres://kari:hemmelig@db.example:5432/kv")
    url = resolve_url()
    assert url.drivername == "postgresql+psycopg"
    assert "hemmelig" not in display_url(url)
    assert resolve_url("sqlite:///x.db").database == "x.db"  # the argument wins
    with pytest.raises(StorageError, match="støttes ikke"):
        resolve_url("mysql://kari:hemmelig@db/kv")
    with pytest.raises(StorageError, match="finnes ikke"):
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")


def test_unreachable_postgres_is_a_storage_error() -> None:
    with pytest.raises(StorageError) as raised:
        Store("postgresql://kari:hemmelig@127.0.0.1:9/kv?connect_timeout=2")
    assert "hemmelig" not in str(raised.value)


def test_periods() -> None:
    assert parse_period("2025t2") == "2025T2"
    assert parse_period(" 2025-03 ") == "2025-03"
    assert parse_period("2025") == "2025"
    assert parse_period("1990") == "1990"
    for bad in ("2025T4", "25T1", "2025-13", "T1", "1899", "1989T3", "2999-01"):
        with pytest.raises(StorageError, match="perioden"):
            parse_period(bad)


def _old_key(row: Any) -> str:
    """The key before 0003: position included."""
    parts = (row.period, row.institution, row.episode_id, row.rule, row.codes, row.location)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def test_upgrade_rekeys_findings_and_keeps_their_status(db_url: str, tmp_path: Path) -> None:
    twice = [["I10"], ["H36.0"], ["J18.9"], ["H36.0"]]
    path = write_jsonl(tmp_path / "t1.jsonl", [episode("ep-1", twice), episode("ep-2", WRONG)])
    with Store(db_url) as store:
        Pipeline(store).import_files([path], "2025T1")
        accepted = next(f.key for f in store.findings(rule="T02"))
        store.set_status(accepted, "accepted", comment="Godkjent", by="kari")
        current = {f.key: f.status for f in store.findings()}
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as conn:  # back to 0002: the keys as kodevakt wrote them then
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
        rows = conn.execute(text("SELECT * FROM finding")).all()
        assert {row.key for row in rows} == {_old_key(row) for row in rows} != set(current)
    engine.dispose()

    with Store(db_url) as store:  # opening upgrades
        assert {f.key: f.status for f in store.findings()} == current
        assert store.finding(accepted).status is FindingStatus.ACCEPTED
        assert [e.to_status for e in store.finding_events(accepted)] == ["accepted"]
        again = Pipeline(store).import_files([path], "2025T1").files[0]
        assert (again.findings_new, again.findings_fixed, again.findings_reopened) == (0, 0, 0)
        assert store.finding(accepted).status is FindingStatus.ACCEPTED
