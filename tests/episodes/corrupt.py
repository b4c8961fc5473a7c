"""Episode files with one damaged record, for property tests of the readers and the CLI.

Usage in a Hypothesis test::

    @given(st.data())
    def test_x(data):
        episodes = data.draw(episode_lists())
        content, intact = corrupted_file(data.draw, episodes, fmt="pretty")
        # write `content` to a file with SUFFIXES[fmt]; every id in `intact` must be read
        # back exactly once as an episode

`episode_lists()` draws 1–30 valid episodes (interchange dicts) with unique ids and
person-like values (patient ids `pas-…`, birth dates) that no rejection message may quote.
`corrupted_file(draw, episodes, fmt)` serialises them as JSON Lines (`jsonl`), a one-line
array (`array`), a pretty array (`pretty`) or an NPR flat CSV extract (`csv`), damages one
record's text with one corruption from CORRUPTIONS, and returns the file's bytes and the ids
of the records left intact. `draw` is Hypothesis' draw function, or a seeded `random.Random`.
A `latin1` corruption within the first 64 KiB makes the whole file fail with InputError (the
encoding is sniffed before any record is read): callers must allow that.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

Draw = Callable[[st.SearchStrategy[Any]], Any]
Episode = dict[str, Any]
T = TypeVar("T")

FORMATS = ("jsonl", "array", "pretty", "csv")
SUFFIXES = {"jsonl": ".jsonl", "array": ".json", "pretty": ".json", "csv": ".csv"}
CORRUPTIONS = (
    "byte_flip",  # one to three bits flipped in random bytes
    "open_quote",  # a `"` inserted: a string or CSV field opened and never closed
    "truncate",  # the record cut short
    "huge_field",  # a field of 1.2 MiB (over the JSON reader's chunk and the CSV line cap)
    "deep_nesting",  # 100 000 `[` inserted
    "control",  # control characters inserted (NUL, newline, CR, escape, …)
    "formula",  # `[/]` and `=cmd|' /C calc'!A0` put into a text field (still valid)
    "latin1",  # Windows-1252 bytes (`ØNH`) inserted: not UTF-8
    "bad_value",  # a field value that cannot be read: 31 February, a name in a date, 1e400
)

CSV_HEADER = (
    "episodeID;lopenr;kjonn;fodselsar;alderIDager;institusjonID;fagenhetKode;innDato;innTid;"
    "utDato;utTid;omsorgsniva;innmateHast;fraSted;tilSted;tilstand_1_1;tilstand_1_2;"
    "tilstand_2_1;ncsp_1;ncsp_2;ATC_1"
)
_CODES = ["J12.8", "U07.1", "I10", "E11.9", "H36.0*", "K80.2", "R42", "S72.0"]
_PROCEDURES = [["JKA21", "ZXD10"], ["WBOC10", "L01BC02"], ["GXAV40"]]
_CARE = {"inpatient": "1", "day": "2", "outpatient": "3"}
_URGENCY = {"acute": "1", "elective": "4"}
_BAD_VALUES = [
    ("patient.birth_date", "1957-02-31"),
    ("patient.birth_date", "Kari Nordmann"),
    ("admission", "31.02.2024"),
    ("care_level", "7"),
    ("urgency", "hastig"),
    ("patient.age", "1.5e400"),
]


@st.composite
def episode(draw: Draw, number: int) -> Episode:
    """One valid episode; `number` makes its id and patient id unique."""
    born = date(1920, 1, 1) + timedelta(days=draw(st.integers(0, 36000)))
    admitted = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    care = draw(st.sampled_from(sorted(_CARE)))
    stay = 0 if care != "inpatient" else draw(st.integers(1, 20))
    conditions = draw(st.lists(st.sampled_from(_CODES), min_size=1, max_size=3, unique=True))
    return {
        "id": f"ep-{number:05d}",
        "patient": {
            "id": f"pas-{draw(st.integers(100000, 999999))}",
            "sex": draw(st.sampled_from(["M", "K"])),
            "birth_date": born.isoformat(),
        },
        "institution": "974557746",
        "department": draw(st.sampled_from(["MED", "KIR", "ØNH", "FØD"])),
        "care_level": care,
        "urgency": draw(st.sampled_from(sorted(_URGENCY))),
        "admission": f"{admitted.isoformat()}T{draw(st.integers(0, 23)):02d}:15",
        "discharge": (admitted + timedelta(days=stay)).isoformat() + "T12:00",
        "conditions": [[code] for code in conditions],
        "procedures": [
            {"codes": codes, "date": admitted.isoformat()}
            for codes in draw(st.lists(st.sampled_from(_PROCEDURES), max_size=1))
        ],
        "text": draw(st.sampled_from(["", "Epikrise: innlagt med feber.", "Kontroll, [ok]."])),
    }


@st.composite
def episode_lists(draw: Draw, min_size: int = 1, max_size: int = 30) -> list[Episode]:
    size = draw(st.integers(min_size, max_size))
    return [draw(episode(i)) for i in range(size)]


def personal_values(episodes: list[Episode]) -> set[str]:
    """Values no rejection message may contain: patient ids, birth dates, and the bad
    values a `bad_value` corruption puts in (but for those too short to tell: `7`)."""
    found = {value for _, value in _BAD_VALUES if len(value) > 3}
    for item in episodes:
        found.add(item["patient"]["id"])
        found.add(item["patient"]["birth_date"])
    return found


def serialise(episodes: list[Episode], fmt: str) -> bytes:
    """The file of `fmt` holding `episodes`, undamaged."""
    return _join(fmt, [_record(item, fmt) for item in episodes])


def corrupted_file(
    draw: Draw | random.Random,
    episodes: list[Episode],
    fmt: str | None = None,
    corruption: str | None = None,
) -> tuple[bytes, set[str]]:
    """(file bytes, ids of the intact records) with one record damaged by one corruption
    (format and corruption drawn unless given). `draw`: Hypothesis' draw, or a seeded
    `random.Random` for use outside Hypothesis."""
    pick = _Pick(draw)
    fmt = fmt or pick.choice(FORMATS)
    corruption = corruption or pick.choice(CORRUPTIONS)
    victim = pick.integer(0, len(episodes) - 1)
    records = []
    for i, item in enumerate(episodes):
        if i == victim and corruption == "bad_value":
            item = _with_bad_value(item, pick.choice(_BAD_VALUES))
        records.append(_record(item, fmt))
    records[victim] = _damage(pick, records[victim], corruption, fmt)
    intact = {item["id"] for i, item in enumerate(episodes) if i != victim}
    return _join(fmt, records), intact


class _Pick:
    """Choices from Hypothesis' `draw` (shrinkable) or from a seeded `random.Random`."""

    def __init__(self, source: Draw | random.Random) -> None:
        self.source = source

    def integer(self, low: int, high: int) -> int:
        if isinstance(self.source, random.Random):
            return self.source.randint(low, high)
        return int(self.source(st.integers(low, high)))

    def choice(self, options: Sequence[T]) -> T:
        return options[self.integer(0, len(options) - 1)]


def _record(item: Episode, fmt: str) -> bytes:
    if fmt == "jsonl" or fmt == "array":
        return json.dumps(item, ensure_ascii=False).encode()
    if fmt == "pretty":
        text = json.dumps(item, indent=2, ensure_ascii=False)
        return "\n".join("  " + line for line in text.splitlines()).encode()
    return _csv_row(item).encode()


def _join(fmt: str, records: list[bytes]) -> bytes:
    if fmt == "jsonl":
        return b"".join(record + b"\n" for record in records)
    if fmt == "array":
        return b"[" + b", ".join(records) + b"]"
    if fmt == "pretty":
        return b"[\n" + b",\n".join(records) + b"\n]\n"
    return CSV_HEADER.encode() + b"\n" + b"".join(record + b"\n" for record in records)


def _csv_row(item: Episode) -> str:
    admission_day, _, admission_time = item["admission"].partition("T")
    discharge_day, _, discharge_time = item["discharge"].partition("T")
    conditions = [group[0] for group in item["conditions"]] + ["", ""]
    procedures = (item["procedures"][0]["codes"] if item["procedures"] else []) + ["", ""]
    drug = procedures[1] if procedures[1][:1] not in ("", "Z") else ""
    birth = item["patient"]["birth_date"]
    cells = [
        item["id"],
        item["patient"]["id"],
        {"M": "1", "K": "2"}.get(item["patient"]["sex"], item["patient"]["sex"]),
        birth[:4] if birth[:4].isdigit() else birth,
        "",
        item["institution"],
        item["department"],
        admission_day,
        admission_time,
        discharge_day,
        discharge_time,
        _CARE.get(item["care_level"], item["care_level"]),
        _URGENCY.get(item["urgency"], item["urgency"]),
        "1",
        "1",
        conditions[0],
        "",
        conditions[1],
        procedures[0],
        "" if drug else procedures[1],
        drug,
    ]
    return ";".join(cells)


def _with_bad_value(item: Episode, bad: tuple[str, str]) -> Episode:
    field, value = bad
    changed: Episode = json.loads(json.dumps(item))
    if field.startswith("patient."):
        changed["patient"][field.removeprefix("patient.")] = value
    else:
        changed[field] = value
    return changed


def _damage(pick: _Pick, record: bytes, corruption: str, fmt: str) -> bytes:
    at = pick.integer(0, len(record))
    # Between characters: bytes put inside a multi-byte character (`Ø`) would make the file
    # not UTF-8, which is the encoding corruptions' damage (refused as a whole), not this one's.
    while at < len(record) and record[at] & 0xC0 == 0x80:
        at += 1
    if corruption == "byte_flip":
        damaged = bytearray(record)
        for _ in range(pick.integer(1, 3)):
            damaged[pick.integer(0, len(damaged) - 1)] ^= 1 << pick.integer(0, 7)
        return bytes(damaged)
    if corruption == "open_quote":
        return record[:at] + b'"' + record[at:]
    if corruption == "truncate":
        return record[: max(1, at - 1)]
    if corruption == "huge_field":
        return _in_text_field(record, b"x" * 1_200_000, fmt)
    if corruption == "deep_nesting":
        return record[:at] + b"[" * 100_000 + record[at:]
    if corruption == "control":
        chars = bytes(pick.integer(0, 31) for _ in range(pick.integer(1, 3)))
        return record[:at] + chars + record[at:]
    if corruption == "formula":
        return _in_text_field(record, b"[/] =cmd|' /C calc'!A0", fmt)
    if corruption == "latin1":
        return record[:at] + "ØNH".encode("cp1252") + record[at:]
    return record  # bad_value: the value was changed before serialising


def _in_text_field(record: bytes, value: bytes, fmt: str) -> bytes:
    """`value` put into a field that holds free text (JSON `text`, CSV department)."""
    if fmt == "csv":
        cells = record.split(b";")
        cells[6] = value
        return b";".join(cells)
    key = b'"text": "'
    start = record.find(key)
    if start < 0:
        return record
    return record[: start + len(key)] + value + record[start + len(key) :]
