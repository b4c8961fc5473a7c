"""What an import writes is the text it wrote before it was made faster: the episode's
canonical JSON (and so its hash, which tells a changed episode from an unchanged one in a
database imported before) and the times in SQLite."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from kodevakt.storage.content import canonical, canonical_hashed, content_hash
from kodevakt.storage.database import _sqlite_datetime

_text = st.text(st.characters(exclude_categories=["Cs"]))
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(_text, _json, max_size=8))
def test_canonical_text_is_that_of_json_dumps(content: dict[str, Any]) -> None:
    before = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical(content) == before
    assert canonical_hashed(content) == (before, content_hash(before))
    assert content_hash(before) == hashlib.sha256(before.encode("utf-8")).hexdigest()


@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
    | st.dates()
    | st.none(),
    st.sampled_from([None, UTC, timezone(timedelta(hours=2))]),
)
def test_sqlite_times_are_written_as_sqlalchemy_writes_them(value: Any, zone: Any) -> None:
    if isinstance(value, datetime) and zone is not None:
        value = value.replace(tzinfo=zone)
    for column in (DateTime(), DateTime(timezone=True)):
        processor = column._cached_bind_processor(sqlite.dialect())
        assert processor is not None
        assert _sqlite_datetime(processor)(value) == processor(value)
