"""Migrations match the schema; database URLs and periods are read as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from kodevakt.storage import ENV_DB, StorageError, Store, parse_period, resolve_url
from kodevakt.storage.database import display_url
from kodevakt.storage.schema import metadata


def test_migrations_create_the_schema(db_url: str) -> None:
    Store(db_url).close()
    Store(db_url).close()  # opening a migrated database again changes nothing
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_heads() == ("0002",)
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
    for bad in ("2025T4", "25T1", "2025-13", "T1"):
        with pytest.raises(StorageError, match="perioden"):
            parse_period(bad)
