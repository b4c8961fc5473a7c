"""Who may use the web application and API: users, their sessions, API tokens, throttling.

Service API::

    accounts = Accounts(store.engine)
    accounts.add_user("kari", Role.CODER, password)      # Argon2 hash stored, never the password
    user = accounts.authenticate("kari", password, client="10.1.2.3")  # -> User
    session = accounts.start_session(user)               # session.secret goes in the cookie
    accounts.session(secret)                             # -> Session | None (expired: None)
    accounts.end_session(secret)                         # logout
    secret = accounts.create_token("epj-integrasjon", Role.CODER)  # shown once
    accounts.token_user(secret)                          # -> User | None (revoked: None)
    accounts.revoke_token("epj-integrasjon")

Roles are ordered: a lead may do everything a coder may, an admin everything a lead may.
Seeing patient identifiers is separate from rank: coders and leads work on the records and
see them; an admin manages the system and sees pseudonyms (`User.sees_identifiers`).

Secrets: session ids and API tokens are 256-bit random strings (`secrets.token_urlsafe(32)`)
stored only as their SHA-256 (a random secret of that size needs no slow hash), so a copy of
the database gives no way in. Passwords are hashed with Argon2id at OWASP's recommended
parameters (19 MiB, 2 passes, 1 lane: about 40 ms on a 2-core server, where argon2-cffi's
default of 64 MiB and 4 lanes takes 250 ms and lets a burst of logins tie up the machine);
a hash made with other parameters is rehashed at the next login.

Throttling: `MAX_FAILURES_PER_NAME` failed logins for one user name, or
`MAX_FAILURES_PER_CLIENT` from one client address, within `FAILURE_WINDOW` refuse further
attempts until the oldest of them is out of the window (`LoginThrottled` says how long). The
failures are kept in the database, so every worker process of a server counts the same.
A refused login says only that the name or password is wrong, never which.

Sessions end `IDLE_TIMEOUT` after the last request or `MAX_SESSION_AGE` after login,
whichever comes first.

A second login provider (a hospital's OpenID Connect) would add a table mapping (issuer,
subject) to `app_user.id` and call `start_session` after its own verification; users who
log in only that way have no password hash (`password_hash` is nullable for them).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Row, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from kodevakt.errors import KodevaktError
from kodevakt.storage.database import database_errors
from kodevakt.storage.schema import api_token, app_user, login_failure, web_session

ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_LANES = 1
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # Argon2 hashes anything, but a megabyte "password" is an attack
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(hours=4)
MAX_SESSION_AGE = timedelta(hours=12)
SEEN_GRANULARITY = timedelta(minutes=1)  # last_seen_at is written at most this often
TOKEN_PREFIX = "kv_"
_NAME = re.compile(r"^[\w.@-]{1,64}$")

Clock = Callable[[], datetime]


class Role(StrEnum):
    """A user's or token's role, lowest first."""

    CODER = "coder"
    LEAD = "lead"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        """The Norwegian name shown in pages."""
        return _ROLE_LABELS[self]

    def includes(self, other: Role) -> bool:
        """Whether this role may do what `other` may (same or higher rank)."""
        return self.rank >= other.rank


_ROLE_LABELS = {Role.CODER: "koder", Role.LEAD: "leder", Role.ADMIN: "administrator"}
IDENTIFIER_ROLES = frozenset({Role.CODER, Role.LEAD})


@dataclass(frozen=True)
class User:
    """Who is making a request: a logged-in person, or an API token (`via_token`)."""

    name: str
    role: Role
    via_token: bool = False

    @property
    def sees_identifiers(self) -> bool:
        """Whether pages may show this user patient ids (else pseudonyms)."""
        return self.role in IDENTIFIER_ROLES

    def may(self, role: Role) -> bool:
        """Whether this user may do what `role` may."""
        return self.role.includes(role)


@dataclass(frozen=True)
class Session:
    """A login session: `secret` is the cookie's value, `csrf_token` what forms carry."""

    secret: str
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class AccountError(KodevaktError):
    """A user or token could not be created or changed, or a login was refused; the message
    says why, in Norwegian. (A `KodevaktError`, not a `StorageError`: the database is fine.)"""


class LoginRefused(AccountError):
    """Wrong user name or password, or an inactive user (the message does not say which)."""

    def __init__(self) -> None:
        super().__init__("feil brukernavn eller passord")


class LoginThrottled(AccountError):
    """Too many failed logins; `wait` is how long until the next attempt is heard."""

    def __init__(self, wait: timedelta) -> None:
        self.wait = wait
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        unit = "minutt" if minutes == 1 else "minutter"
        super().__init__(f"for mange mislykkede innlogginger; vent {minutes} {unit} og prøv igjen")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns: they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def check_name(name: str, what: str = "brukernavnet") -> str:
    """The name trimmed, or an `AccountError` when it is empty, long or has odd characters."""
    cleaned = name.strip()
    if not _NAME.match(cleaned):
        raise AccountError(
            f"{what} må ha 1–64 tegn: bokstaver, sifre, punktum, bindestrek, understrek eller @"
        )
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"passordet må ha minst {MIN_PASSWORD_LENGTH} tegn")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"passordet kan ha høyst {MAX_PASSWORD_LENGTH} tegn")


class Accounts:
    """Users, sessions, API tokens and failed logins in a kodevakt database (migrated)."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.hasher = hasher or PasswordHasher(
            time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES
        )
        self._dummy_hash: str | None = None

    # -- users --------------------------------------------------------------------------

    def add_user(self, name: str, role: Role, password: str) -> UserInfo:
        name = check_name(name)
        check_password(password)
        now = self.clock()
        row = {
            "name": name,
            "role": Role(role).value,
            "password_hash": self.hasher.hash(password),
            "active": True,
            "created_at": now,
        }
        with database_errors(self.engine):
            try:
                with self.engine.begin() as conn:
                    conn.execute(app_user.insert().values(**row))
            except IntegrityError:
                raise AccountError(f"brukeren «{name}» finnes allerede") from None
        return UserInfo(name, Role(role), True, now, None)

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        self._change_user(name, password_hash=self.hasher.hash(password))

    def set_active(self, name: str, active: bool) -> None:
        """Activate or deactivate a user; deactivating ends their sessions at once."""
        user_id = self._change_user(name, active=active)
        if not active:
            with database_errors(self.engine), self.engine.begin() as conn:
                conn.execute(delete(web_session).where(web_session.c.user_id == user_id))

    def _change_user(self, name: str, **values: object) -> int:
        row = self._user_row(name)
        if row is None:
            raise AccountError(f"brukeren «{name}» finnes ikke")
        with database_errors(self.engine), self.engine.begin() as conn:
            conn.execute(update(app_user).where(app_user.c.id == row.id).values(**values))
        return int(row.id)

    def _user_row(self, name: str) -> Row[Any] | None:
        with database_errors(self.engine), self.engine.connect() as conn:
            return conn.execute(select(app_user).where(app_user.c.name == name.strip())).first()

    def users(self) -> list[UserInfo]:
        with database_errors(self.engine), self.engine.connect() as conn:
            rows = conn.execute(select(app_user).order_by(app_user.c.name)).all()
        return [
            UserInfo(
                r.name,
                Role(r.role),
                bool(r.active),
                _utc(r.created_at),
                _utc(r.last_login_at) if r.last_login_at else None,
            )
            for r in rows
        ]

    # -- login --------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, client: str) -> User:
        """The user when `name` and `password` match an active user; else `LoginRefused`
        (the failure is counted), or `LoginThrottled` without looking at the password."""
        name = name.strip()[:128]
        client = client[:64]
        now = self.clock()
        self._throttle(name, client, now)
        with database_errors(self.engine), self.engine.connect() as conn:
            row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
        stored = row.password_hash if row is not None else None
        if not self._verify(stored, password) or row is None or not row.active:
            with database_errors(self.engine), self.engine.begin() as conn:
                conn.execute(login_failure.insert().values(user_name=name, client=client, at=now))
                conn.execute(delete(login_failure).where(login_failure.c.at < now - FAILURE_WINDOW))
            raise LoginRefused()
        values: dict[str, object] = {"last_login_at": now}
        if stored is not None and self.hasher.check_needs_rehash(stored):
            values["password_hash"] = self.hasher.hash(password)
        with database_errors(self.engine), self.engine.begin() as conn:
            conn.execute(update(app_user).where(app_user.c.id == row.id).values(**values))
            conn.execute(delete(login_failure).where(login_failure.c.user_name == name))
        return User(row.name, Role(row.role))

    def _verify(self, stored: str | None, password: str) -> bool:
        """Argon2 verification; a user without a password (unknown, or logging in through
        another provider) costs the same time as a known one, and never matches."""
        if stored is None:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
            with suppress(VerificationError):
                self.hasher.verify(self._dummy_hash, password)
            return False
        try:
            return bool(self.hasher.verify(stored, password))
        except (VerificationError, InvalidHashError):
            return False

    def _throttle(self, name: str, client: str, now: datetime) -> None:
        since = now - FAILURE_WINDOW
        limits = (
            (login_failure.c.user_name == name, MAX_FAILURES_PER_NAME),
            (login_failure.c.client == client, MAX_FAILURES_PER_CLIENT),
        )
        with database_errors(self.engine), self.engine.connect() as conn:
            for condition, limit in limits:
                recent = (
                    select(login_failure.c.at)
                    .where(condition, login_failure.c.at >= since)
                    .order_by(login_failure.c.at.desc())
                    .limit(limit)
                )
                times = conn.execute(recent).scalars().all()
                if len(times) >= limit:
                    raise LoginThrottled(_utc(times[-1]) + FAILURE_WINDOW - now)

    # -- sessions -----------------------------------------------------------------------

    def start_session(self, user: User) -> Session:
        """A new session for `user` (its secret is returned here only)."""
        now = self.clock()
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with database_errors(self.engine), self.engine.begin() as conn:
            user_id = conn.execute(
                select(app_user.c.id).where(app_user.c.name == user.name)
            ).scalar_one()
            conn.execute(
                web_session.insert().values(
                    id_hash=_hash(secret),
                    user_id=user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + MAX_SESSION_AGE,
                )
            )
            conn.execute(delete(web_session).where(web_session.c.expires_at < now))
        return Session(secret, user, csrf, now + IDLE_TIMEOUT)

    def session(self, secret: str) -> Session | None:
        """The live session for a cookie's value; None when unknown, ended or expired, or
        when its user was deactivated. Keeps an idle session alive."""
        if not secret:
            return None
        now = self.clock()
        query = (
            select(web_session, app_user.c.name, app_user.c.role, app_user.c.active)
            .join(app_user, app_user.c.id == web_session.c.user_id)
            .where(web_session.c.id_hash == _hash(secret))
        )
        with database_errors(self.engine), self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or not row.active:
            return None
        last_seen = _utc(row.last_seen_at)
        expires = min(last_seen + IDLE_TIMEOUT, _utc(row.expires_at))
        if now >= expires:
            return None
        if now - last_seen >= SEEN_GRANULARITY:
            with database_errors(self.engine), self.engine.begin() as conn:
                conn.execute(
                    update(web_session)
                    .where(web_session.c.id_hash == row.id_hash)
                    .values(last_seen_at=now)
                )
            expires = min(now + IDLE_TIMEOUT, _utc(row.expires_at))
        return Session(secret, User(row.name, Role(row.role)), row.csrf_token, expires)

    def end_session(self, secret: str) -> None:
        with database_errors(self.engine), self.engine.begin() as conn:
            conn.execute(delete(web_session).where(web_session.c.id_hash == _hash(secret)))

    # -- API tokens ---------------------------------------------------------------------

    def create_token(self, name: str, role: Role) -> str:
        """A new token's secret: shown once, stored only as its hash."""
        name = check_name(name, "tokennavnet")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = {
            "name": name,
            "role": Role(role).value,
            "secret_hash": _hash(secret),
            "created_at": self.clock(),
        }
        with database_errors(self.engine):
            try:
                with self.engine.begin() as conn:
                    conn.execute(api_token.insert().values(**row))
            except IntegrityError:
                raise AccountError(f"et token med navnet «{name}» finnes allerede") from None
        return secret

    def tokens(self) -> list[TokenInfo]:
        with database_errors(self.engine), self.engine.connect() as conn:
            rows = conn.execute(select(api_token).order_by(api_token.c.name)).all()
        return [
            TokenInfo(
                r.name,
                Role(r.role),
                _utc(r.created_at),
                _utc(r.last_used_at) if r.last_used_at else None,
                _utc(r.revoked_at) if r.revoked_at else None,
            )
            for r in rows
        ]

    def revoke_token(self, name: str) -> None:
        with database_errors(self.engine), self.engine.begin() as conn:
            done = conn.execute(
                update(api_token)
                .where(api_token.c.name == name.strip(), api_token.c.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
        if done.rowcount == 0:
            raise AccountError(f"det finnes ikke noe gyldig token med navnet «{name}»")

    def token_user(self, secret: str) -> User | None:
        """The user an `Authorization: Bearer` secret stands for; None when unknown or
        revoked."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        digest = _hash(secret)
        now = self.clock()
        with database_errors(self.engine), self.engine.connect() as conn:
            row = conn.execute(select(api_token).where(api_token.c.secret_hash == digest)).first()
        if row is None or row.revoked_at is not None:
            return None
        if row.last_used_at is None or now - _utc(row.last_used_at) >= SEEN_GRANULARITY:
            with database_errors(self.engine), self.engine.begin() as conn:
                conn.execute(
                    update(api_token).where(api_token.c.id == row.id).values(last_used_at=now)
                )
        return User(row.name, Role(row.role), via_token=True)

    def count_users(self) -> int:
        with database_errors(self.engine), self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(app_user)).scalar_one())
