"""Users, sessions and API tokens as stored: on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from kodevakt.storage import Store
from kodevakt.storage.accounts import (
    AccountError,
    Accounts,
    LoginRefused,
    Role,
    User,
)
from kodevakt.storage.schema import api_token, app_user
from tests.storage.postgres import PostgresUnavailable, TestPostgres

PASSWORD = "et-langt-passord"


@pytest.fixture(scope="module")
def postgres() -> Iterator[TestPostgres]:
    try:
        server = TestPostgres.start()
    except PostgresUnavailable as exc:
        message = f"PostgreSQL test server could not start: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kodevakt.db'}"
    else:
        server: TestPostgres = request.getfixturevalue("postgres")
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = server.url(name)
    with Store(url) as opened:
        yield opened


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_users_sessions_and_tokens(store: Store) -> None:
    clock = Clock()
    accounts = Accounts(store.engine, clock=clock)
    accounts.add_user("kari", Role.LEAD, PASSWORD)
    with pytest.raises(AccountError, match="finnes allerede"):
        accounts.add_user("kari", Role.CODER, PASSWORD)
    user = accounts.authenticate("kari", PASSWORD, "10.0.0.1")
    assert user == User("kari", Role.LEAD)
    with pytest.raises(LoginRefused, match="feil brukernavn eller passord"):
        accounts.authenticate("kari", "et-annet-passord", "10.0.0.1")
    [listed] = accounts.users()
    assert listed.last_login_at == clock.now and listed.active

    session = accounts.start_session(user)
    found = accounts.session(session.secret)
    assert found is not None and found.user == user and found.csrf_token == session.csrf_token
    clock.now += timedelta(hours=3)
    assert accounts.session(session.secret) is not None  # used: stays alive
    clock.now += timedelta(hours=3)
    assert accounts.session(session.secret) is not None
    clock.now += timedelta(hours=4, minutes=1)  # idle for longer than allowed
    assert accounts.session(session.secret) is None

    second = accounts.start_session(user)
    accounts.end_session(second.secret)
    assert accounts.session(second.secret) is None

    secret = accounts.create_token("epj", Role.CODER)
    assert accounts.token_user(secret) == User("epj", Role.CODER, via_token=True)
    with store.engine.connect() as conn:
        stored = conn.execute(select(api_token.c.secret_hash)).scalar_one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert accounts.tokens()[0].last_used_at == clock.now
    accounts.revoke_token("epj")
    assert accounts.token_user(secret) is None
    with pytest.raises(AccountError, match="ikke noe gyldig token"):
        accounts.revoke_token("epj")
    with pytest.raises(AccountError, match="finnes allerede"):
        accounts.create_token("epj", Role.ADMIN)


def test_a_session_ends_twelve_hours_after_login_however_busy(tmp_path: Path) -> None:
    clock = Clock()
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        accounts = Accounts(store.engine, clock=clock)
        accounts.add_user("kari", Role.CODER, PASSWORD)
        session = accounts.start_session(accounts.authenticate("kari", PASSWORD, "x"))
        for _ in range(11):
            clock.now += timedelta(hours=1)
            assert accounts.session(session.secret) is not None
        clock.now += timedelta(hours=1)
        assert accounts.session(session.secret) is None


def test_a_deactivated_user_is_refused_like_a_wrong_password(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        accounts = Accounts(store.engine)
        accounts.add_user("kari", Role.CODER, PASSWORD)
        session = accounts.start_session(accounts.authenticate("kari", PASSWORD, "x"))
        accounts.set_active("kari", False)
        assert accounts.session(session.secret) is None
        with pytest.raises(LoginRefused):
            accounts.authenticate("kari", PASSWORD, "x")
        accounts.set_active("kari", True)
        assert accounts.authenticate("kari", PASSWORD, "x").name == "kari"


def test_an_old_hash_is_upgraded_at_login(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        weak = Accounts(
            store.engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        weak.add_user("kari", Role.CODER, PASSWORD)
        accounts = Accounts(store.engine)
        accounts.authenticate("kari", PASSWORD, "x")
        with store.engine.connect() as conn:
            stored = conn.execute(select(app_user.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert accounts.authenticate("kari", PASSWORD, "x").name == "kari"


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("", PASSWORD, "brukernavnet må ha 1–64 tegn"),
        ("kari nordmann", PASSWORD, "brukernavnet må ha 1–64 tegn"),
        ("x" * 65, PASSWORD, "brukernavnet må ha 1–64 tegn"),
        ("kari", "kort", "passordet må ha minst 10 tegn"),
    ],
)
def test_names_and_passwords_are_checked(
    tmp_path: Path, name: str, password: str, message: str
) -> None:
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        with pytest.raises(AccountError, match=message):
            Accounts(store.engine).add_user(name, Role.CODER, password)
        assert Accounts(store.engine).users() == []


def test_names_in_norwegian_and_email_form_are_accepted(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'k.db'}") as store:
        accounts = Accounts(store.engine)
        for name in ("øystein.ås", "kari@sykehuset.no", "koder_2"):
            accounts.add_user(name, Role.CODER, PASSWORD)
        assert len(accounts.users()) == 3


def test_roles_are_ordered_and_identifiers_follow_the_work() -> None:
    assert Role.ADMIN.includes(Role.LEAD) and Role.LEAD.includes(Role.CODER)
    assert not Role.CODER.includes(Role.LEAD)
    assert User("k", Role.CODER).sees_identifiers and User("l", Role.LEAD).sees_identifiers
    assert not User("a", Role.ADMIN).sees_identifiers
