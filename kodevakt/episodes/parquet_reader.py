"""Reading episodes from Parquet (parquet_schema), a batch of rows at a time.

Columns are converted to Python a batch at a time and episodes built straight from them:
no JSON to decode, which is what makes a Parquet file faster to read than the JSON Lines of
the same episodes (bench/formats.py). Column types are checked once, before the first row;
a column of a type that cannot hold its field stops the file with InputError naming the
column. A row whose values cannot be read (care level `7`, a date that is no date) is
rejected with its row number (1 = the first row) and column, never its value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import count, pairwise, repeat
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kodevakt.codes.model import Sex
from kodevakt.episodes import values
from kodevakt.episodes.model import CareLevel, Episode, Patient, ProcedureGroup, Source, Urgency
from kodevakt.episodes.parquet_schema import GROUPS, KIND, PROCEDURES, TEXT, accepts
from kodevakt.episodes.records import UNEXPECTED, Record, Rejected
from kodevakt.episodes.values import ValueProblem
from kodevakt.errors import InputError

BATCH = 65_536


def read_parquet(
    path: str | Path, *, encoding: str | None = None, notices: list[str] | None = None
) -> Iterator[Record]:
    """Episodes from a Parquet file. `encoding` and `notices` are accepted for the readers'
    common signature: Parquet text is always UTF-8, and there is nothing to say per file."""
    name = str(path)
    parquet, columns = _open(name)
    reader = BatchReader(columns)
    row = 0
    for batch in parquet.iter_batches(batch_size=BATCH, columns=columns, use_threads=False):
        yield from reader.records(batch, zip(repeat(name), count(row + 1)))
        row += batch.num_rows


class BatchReader:
    """Episodes from Arrow record batches in the columnar form, a batch at a time: the one
    conversion of the Parquet reader, also for batches that come from elsewhere (a Spark
    partition, `kodevakt.spark`). `columns`: the known columns the batches hold, checked
    with `checked_columns`; other columns of a batch are not read."""

    def __init__(self, columns: Iterable[str]) -> None:
        self.columns = set(columns)
        self._build = _Builder()

    def records(self, batch: pa.RecordBatch, places: Iterable[tuple[str, int]]) -> Iterator[Record]:
        """The batch's rows as episodes or rejections; `places` gives each row's file and
        row number (1 = a file's first row), in order."""
        data = [
            _column(batch.column(column), KIND[column]) if column in self.columns else repeat(None)
            for column in KIND
        ]
        build = self._build
        for values_of_row, (name, row) in zip(zip(*data, strict=False), places, strict=False):
            try:
                yield build.episode(values_of_row, Source(name, row))
            except ValueProblem as problem:
                yield Rejected(name, row, problem.field, problem.message, f"rad {row}")
            except Exception:  # deliberate: one odd row must not stop the file
                yield Rejected(name, row, None, UNEXPECTED, f"rad {row}")


def _column(array: pa.Array, kind: str) -> list[Any]:
    """A column as Python values; text trimmed, with empty text as None (done in Arrow);
    dates and local times as ISO text."""
    if kind == TEXT:
        if not pa.types.is_string(array.type):
            array = pc.cast(array, pa.string())
        array = pc.utf8_trim_whitespace(array)
        array = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)
    elif pa.types.is_date(array.type) or (
        pa.types.is_timestamp(array.type) and array.type.tz is None
    ):
        # ISO text parsed by `fromisoformat` is a quarter of the cost of Arrow's conversion
        # to date and datetime objects
        array = pc.cast(array, pa.string())
    elif kind == GROUPS:
        return _nested_groups(array)
    elif kind == PROCEDURES:
        return _nested_procedures(array)
    return list(array.to_pylist())


def _clean_codes(array: pa.Array) -> bool:
    """Whether a list array's codes are all there and none blank, so that its offsets can be
    used as they are (else the slow path cleans each group like the interchange reader)."""
    if array.null_count or not pa.types.is_list(array.type):
        return False
    codes = array.flatten()
    if not pa.types.is_string(codes.type) or codes.null_count:
        return False
    return not pc.any(pc.equal(pc.utf8_trim_whitespace(codes), "")).as_py()


def _slices(flat: list[Any], offsets: pa.Array) -> list[Any]:
    """`flat` cut where `offsets` say (offsets of an array slice need not start at 0)."""
    bounds = offsets.to_pylist()
    base = bounds[0] if bounds else 0
    return [flat[start - base : end - base] for start, end in pairwise(bounds)]


def _nested_groups(array: pa.Array) -> list[list[list[str]]]:
    """conditions, list<list<string>>, converted by slicing one flat list of codes (Arrow's
    own conversion of nested lists costs twice as much)."""
    if not pa.types.is_list(array.type) or array.null_count or not _clean_codes(array.flatten()):
        return [_conditions(groups) for groups in array.to_pylist()]
    groups = array.flatten()
    flat = groups.flatten().to_pylist()
    return [
        values.condition_groups(found)
        for found in _slices(_slices(flat, groups.offsets), array.offsets)
    ]


def _nested_procedures(array: pa.Array) -> list[list[ProcedureGroup]]:
    """procedures, list<struct<codes, date>>, converted like `_nested_groups`."""
    item = array.type.value_type if pa.types.is_list(array.type) else None
    fast = (
        item is not None
        and pa.types.is_struct(item)
        and item.get_field_index("codes") >= 0
        and item.get_field_index("date") >= 0
        and pa.types.is_date32(item.field("date").type)
        and not array.null_count
    )
    if fast:
        structs = array.flatten()
        codes = structs.field("codes")
        fast = not structs.null_count and _clean_codes(codes)
    if not fast:
        return [_procedures(groups) for groups in array.to_pylist()]
    known: dict[str | None, date | None] = {None: None}  # a batch has few distinct days
    days: list[date | None] = []
    for day in pc.cast(structs.field("date"), pa.string()).to_pylist():
        if day not in known:
            known[day] = date.fromisoformat(day)
        days.append(known[day])
    groups = [
        ProcedureGroup(codes, day)
        for codes, day in zip(
            _slices(codes.flatten().to_pylist(), codes.offsets), days, strict=True
        )
    ]
    return _slices(groups, array.offsets)


def check_parquet(path: str | Path) -> None:
    """Raise InputError when `path` is no Parquet file kodevakt can read (before any row)."""
    _open(str(path))


def _open(name: str) -> tuple[pq.ParquetFile, list[str]]:
    if name == "-":
        raise InputError("Parquet kan ikke leses fra standard inn; oppgi filen", file="<stdin>")
    try:
        parquet = pq.ParquetFile(name, memory_map=True)
    except (pa.ArrowInvalid, OSError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise InputError("filen er ikke en lesbar Parquet-fil", file=name) from None
    return parquet, checked_columns(parquet.schema_arrow, name)


def checked_columns(schema: pa.Schema, name: str) -> list[str]:
    """The known columns present, in schema order; InputError for a missing `id` or a column
    whose type cannot hold its field."""
    if schema.get_field_index("id") < 0:
        raise InputError("Parquet-filen mangler kolonnen «id»", file=name)
    found = []
    for column, kind in KIND.items():
        index = schema.get_field_index(column)
        if index < 0:
            continue
        if not accepts(kind, schema.field(index).type):
            raise InputError(
                f"kolonnen «{column}» har typen {schema.field(index).type}, forventet {kind}",
                file=name,
            )
        found.append(column)
    return found


class _Builder:
    """Episodes from rows in KIND's column order; the few values of the coded columns (sex,
    care level, urgency) are parsed once each."""

    def __init__(self) -> None:
        self.sexes: dict[str | None, tuple[Sex | None, str | None]] = {}
        self.care: dict[str | None, CareLevel | None] = {}
        self.urgency: dict[str | None, Urgency | None] = {}

    def episode(self, row: tuple[Any, ...], source: Source) -> Episode:
        (
            episode_id,
            patient_id,
            sex_raw,
            birth,
            age,
            age_days,
            institution,
            department,
            care_raw,
            urgency_raw,
            admission,
            discharge,
            transferred_from,
            transferred_to,
            conditions,
            procedures,
            text,
            inferred,
        ) = row
        if episode_id is None:
            raise ValueProblem("id", "episoden mangler id")
        sex = self.sexes.get(sex_raw)
        if sex is None:
            sex = self.sexes[sex_raw] = values.sex(sex_raw)
        if care_raw in self.care:
            care = self.care[care_raw]
        else:  # an unknown value raises, and is never remembered
            care = self.care[care_raw] = values.care_level(care_raw)
        if urgency_raw in self.urgency:
            urgency = self.urgency[urgency_raw]
        else:
            urgency = self.urgency[urgency_raw] = values.urgency(urgency_raw)
        patient = Patient(
            patient_id,
            sex[0],
            sex[1],
            _day(birth, "birth_date"),
            _number(age, "age"),
            _number(age_days, "age_days"),
        )
        return Episode(
            episode_id,
            patient,
            institution,
            department,
            care,
            care_raw,
            urgency,
            _moment(admission, "admission"),
            _moment(discharge, "discharge"),
            transferred_from,
            transferred_to,
            conditions,
            procedures,
            text,
            source,
            inferred is True,
        )


def _moment(value: object, field: str) -> datetime | None:
    if type(value) is datetime:
        return value if value.tzinfo is None else value.replace(tzinfo=None)
    if type(value) is date:
        return datetime(value.year, value.month, value.day)
    return values.moment(value, field)


def _day(value: object, field: str) -> date | None:
    if type(value) is date:
        return value
    if type(value) is datetime:
        return value.date()
    return values.day(value, field)


def _number(value: object, field: str) -> int | None:
    if type(value) is int and abs(value) <= values.MAX_INTEGER:
        return value
    return values.integer(value, field)


def _codes(group: Any) -> list[str]:
    if type(group) is str:
        group = group.split("+")
    return [code for code in group if code is not None and code.strip()]


def _conditions(raw: Any) -> list[list[str]]:
    if not raw:
        return []
    return values.condition_groups([_codes(group) for group in raw if group is not None])


def _procedures(raw: Any) -> list[ProcedureGroup]:
    if not raw:
        return []
    groups = []
    for i, item in enumerate(raw):
        if item is None:
            continue
        if type(item) is dict:
            codes = _codes(item.get("codes") or [])
            day = _day(item.get("date"), f"procedures[{i}].date")
        else:
            codes, day = _codes(item), None
        if codes:
            groups.append(ProcedureGroup(codes, day))
    return groups
