"""Pseudonyms: stable under one key, different under another, never the raw id."""

from __future__ import annotations

import re

import pytest

from kodevakt.report.pseudonym import Pseudonymiser, new_secret

KEY = bytes(range(32))


def test_stable_per_secret_and_hides_the_raw_id() -> None:
    first, again = Pseudonymiser(KEY), Pseudonymiser(KEY)
    raw = "12345678901"  # shaped like a national id number
    name = first.patient(raw)
    assert re.fullmatch(r"P-[0-9a-f]{8}", name)
    assert name == again.patient(raw) == first.patient(raw)
    assert raw not in name and raw[:6] not in name
    assert Pseudonymiser(new_secret()).patient(raw) != name
    assert first.patient("pas-1") != first.patient("pas-2")


def test_known_value() -> None:
    # HMAC-SHA256(key=00..1f, "pas-1"), first 8 hex characters
    import hashlib
    import hmac

    expected = "P-" + hmac.new(KEY, b"pas-1", hashlib.sha256).hexdigest()[:8]
    assert Pseudonymiser(KEY).patient("pas-1") == expected


def test_missing_id_and_short_key() -> None:
    assert Pseudonymiser(KEY).patient(None) == "–"
    assert Pseudonymiser(KEY).patient("") == "–"
    with pytest.raises(ValueError):
        Pseudonymiser(b"short")
    assert "00" not in repr(Pseudonymiser(KEY))


def test_few_collisions() -> None:
    names = Pseudonymiser(KEY)
    assert len({names.patient(f"pas-{i}") for i in range(5000)}) >= 4998
