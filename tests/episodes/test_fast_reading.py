"""The fast JSON Lines reading gives exactly what the careful reader gives.

`interchange_lines.episode_from_line` reads a line holding one whole episode of the usual types
straight into the model, and leaves every other line to the careful reader (`json` and
`episode_from_dict`). Whatever it reads must equal the careful reader's episode, and a whole
file must read the same with it as without it: the same episodes and the same rejections,
with the same lines and fields, whatever the file holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kodevakt.episodes.decoding import decoded
from kodevakt.episodes.interchange import episode_from_dict, read_interchange
from kodevakt.episodes.interchange_lines import episode_from_line
from kodevakt.episodes.json_stream import read_records
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.records import Record
from kodevakt.synth import generate, generate_wide


def _careful(path: Path) -> list[Record]:
    with decoded(str(path), None) as (text, name):
        return list(read_records(text, name, episode_from_dict))


def _agree(line: str) -> bool:
    """Whether the fast reading of `line` is what the careful reader makes of it; True when
    the fast reading leaves the line alone. Returns whether the fast reading took it."""
    source = Source("x.jsonl", 7)
    fast = episode_from_line(line, source)
    if fast is None:
        return False
    assert fast == episode_from_dict(json.loads(line), source), line
    return True


def test_generated_episodes_read_fast_and_the_same() -> None:
    lines = [json.dumps(e, ensure_ascii=False) for e in generate(300, seed=3, error_rate=0.5)]
    lines += [json.dumps(e) for e in generate_wide(1500, seed=4, year=2024, odd=0.6)]
    taken = sum(_agree(line) for line in lines)
    assert taken > 0.95 * len(lines)  # odd values of the usual types read fast too


_TEXT = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "K", "M", " k ", "9", "X", "kvinne", "2025-03-04", "04.03.2025"]),
    st.sampled_from(["2025-03-04T10:00", "2025-13-40", "inpatient", "døgn", "7", "akutt", "5"]),
    st.text(max_size=6),
)
_VALUE = st.one_of(
    _TEXT,
    st.integers(min_value=-(10**7), max_value=10**7),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
_CODES = st.lists(st.sampled_from(["J18.9", "j189", " ", "", "I10", "JKA20", "ZXA00"]), max_size=3)
_GROUP = st.one_of(_CODES, st.just("J18.9+I10"), st.just(None), st.integers())
_EPISODE = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(_TEXT, st.integers()),
        "patient": st.one_of(
            st.none(),
            st.just([]),
            st.fixed_dictionaries(
                {},
                optional={
                    "id": _VALUE,
                    "sex": _VALUE,
                    "birth_date": _VALUE,
                    "age": _VALUE,
                    "age_days": _VALUE,
                },
            ),
        ),
        "care_level": _VALUE,
        "urgency": _VALUE,
        "admission": _VALUE,
        "discharge": _VALUE,
        "transferred_from": _VALUE,
        "text": _VALUE,
        "conditions": st.one_of(st.none(), st.lists(_GROUP, max_size=3), _VALUE),
        "procedures": st.one_of(
            st.none(),
            st.lists(
                st.one_of(
                    st.fixed_dictionaries({}, optional={"codes": _GROUP, "date": _VALUE}),
                    _CODES,
                ),
                max_size=2,
            ),
        ),
        "grouping_inferred": _VALUE,
        "synth": st.just({"injected": ["T01"]}),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EPISODE)
def test_any_record_reads_the_same_fast_or_carefully(obj: dict[str, Any]) -> None:
    _agree(json.dumps(obj, ensure_ascii=False))


def _messy_lines() -> Iterator[str]:
    episodes = [json.dumps(e) for e in generate_wide(40, seed=9, year=2025)]
    yield from episodes[:5]
    yield '{"id": "broken", "conditions": [["J18.9"]'  # cut off
    yield from episodes[5:10]
    yield json.dumps(json.loads(episodes[10]), indent=2)  # pretty-printed over many lines
    yield '{"id": "a", "age": "70"} {"id": "b"}'  # two objects on a line
    yield from episodes[11:15]
    yield '"a stray string"'
    yield '{"id": "latin", "text": "\udcff"}'.encode("utf-8", "surrogatepass").decode("latin-1")
    yield "[" + ", ".join(episodes[15:18]) + "]"
    yield '{"id": 12, "patient": {"sex": 1, "age": "70"}, "conditions": "J18.9+I10"}'
    yield '{"id": "nan", "patient": {"age": NaN}}'
    yield '{"id": "big", "patient": {"age": 123456789012345678901234567890}}'
    yield ""
    yield from episodes[18:]


def test_a_messy_file_reads_the_same_fast_or_carefully(tmp_path: Path) -> None:
    path = tmp_path / "messy.jsonl"
    path.write_text("\n".join(_messy_lines()) + "\n", encoding="utf-8", errors="surrogateescape")
    fast = list(read_interchange(path))
    assert fast == _careful(path)
    assert sum(isinstance(r, Episode) for r in fast) >= 40


def test_a_file_over_many_buffers_reads_the_same_fast_or_carefully(tmp_path: Path) -> None:
    """Lines are taken a buffer at a time: odd lines near and across the buffer's edges."""
    lines = [json.dumps(e) for e in generate_wide(12000, seed=11, year=2024, odd=0.2)]
    odd = list(_messy_lines())[5:20]
    for at in range(137, len(lines), 701):
        lines.insert(at, odd[at % len(odd)])
    path = tmp_path / "big.jsonl"
    path.write_text("\r\n".join(lines) + "\n", encoding="utf-8", errors="surrogateescape")
    assert path.stat().st_size > 3 * (1 << 20)
    assert list(read_interchange(path)) == _careful(path)
