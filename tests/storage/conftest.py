"""Storage tests run on both databases: a SQLite file and a throwaway PostgreSQL server.

The PostgreSQL server starts once per session (see postgres.py); each test gets a fresh
database on it. When the server cannot start, the PostgreSQL cases fail under CI (`CI=true`)
and are skipped elsewhere with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from kodevakt.codes.loading import default_codebase
from kodevakt.pipeline import Pipeline
from kodevakt.rules.engine import Checker
from kodevakt.storage import Store
from tests.storage.postgres import PostgresUnavailable, TestPostgres

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TestPostgres]:
    try:
        server = TestPostgres.start()
    except PostgresUnavailable as exc:
        message = f"PostgreSQL test server could not start: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker(default_codebase())


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kodevakt.db'}"
        return
    server: TestPostgres = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url().replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server.url(name)
    with psycopg.connect(server.url().replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url, batch_size=7) as opened:
        yield opened


@pytest.fixture
def pipeline(store: Store, checker: Checker) -> Pipeline:
    return Pipeline(store, checker)
