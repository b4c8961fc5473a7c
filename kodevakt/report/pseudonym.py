"""Pseudonymised patient ids: a keyed hash (HMAC-SHA256) shown as `P-3f9a2c81`.

The key is a secret kept with the database (or given by the caller), so the same patient gets
the same pseudonym in every report and worklist from that database, while nobody without the
key can go from a pseudonym back to the patient id or test a guessed id against it. The key
comes from `KODEVAKT_PSEUDONYM_KEY`, else from a file beside the SQLite database file
(`kodevakt.db.pseudonym-key`, made on first use with owner-only permissions).
Eight hex characters (32 bits) keep the chance of two patients sharing a pseudonym below
1 in 1,000 for 3,000 patients and about 1 in 9 for a hundred thousand; the episode id, not
the pseudonym, identifies a row.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

PREFIX = "P-"
HEX_CHARS = 8
MIN_SECRET_BYTES = 16
UNKNOWN = "–"


def new_secret() -> bytes:
    """A fresh random key for a new database."""
    return secrets.token_bytes(32)


class Pseudonymiser:
    """Maps raw patient ids to stable pseudonyms under one secret key."""

    __slots__ = ("_cache", "_key")

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the pseudonym key must have at least {MIN_SECRET_BYTES} bytes")
        self._key = bytes(secret)
        self._cache: dict[str, str] = {}

    def patient(self, raw_id: str | None) -> str:
        """The pseudonym of a patient id; `–` when the id is missing."""
        if not raw_id:
            return UNKNOWN
        cached = self._cache.get(raw_id)
        if cached is None:
            digest = hmac.new(self._key, raw_id.encode("utf-8"), hashlib.sha256).hexdigest()
            cached = PREFIX + digest[:HEX_CHARS]
            self._cache[raw_id] = cached
        return cached

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<secret>)"


ENV_KEY = "KODEVAKT_PSEUDONYM_KEY"
KEY_FILE_SUFFIX = ".pseudonym-key"


def key_from_env() -> bytes | None:
    """The key in `KODEVAKT_PSEUDONYM_KEY` (hex, or any text of 16 characters or more)."""
    raw = os.environ.get(ENV_KEY, "").strip()
    if not raw:
        return None
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = raw.encode("utf-8")
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"{ENV_KEY} is shorter than {MIN_SECRET_BYTES} bytes")
    return key


def key_beside(database: Path) -> bytes:
    """The key kept in `<database>.pseudonym-key` (readable by the owner only), made once."""
    path = database.with_name(database.name + KEY_FILE_SUFFIX)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    key = new_secret()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as stream:
        stream.write(key.hex() + "\n")
    return key
