"""The columns of what a Spark run reads between its steps and writes: one declaration each,
as Arrow schemas (what the Python workers build) with their Spark form derived from them.

- `FINDING`: the fields of `kodevakt.rules.finding.Finding`, in order, under their own names
  (the machine contract of `Finding.to_dict`): codes and a unit finding's episodes as lists,
  the fix as a struct of code groups, the severity as its value.
- `CHECKED`: a checker finding of `kodevakt.spark.check`: `FINDING` plus the episode's
  institution and department, and where its record was (`source_file`, `source_row`).
- `ANALYSED`: a finding of `kodevakt.spark.analyse` (checker or pattern rule): `FINDING` plus
  the period and the episode's institution and department (a unit finding's are empty).
- `REJECTED`: a record that could not be read or placed: file, row, field, the Norwegian
  reason (never a value), and the row's place in words (`rad 12`).
- `INDICATOR`: the fields of `kodevakt.batch.IndicatorValue`; `FUNNEL`: a unit on its funnel.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.types import StructType

from kodevakt.batch.compare import Funnel
from kodevakt.batch.indicators import IndicatorValue
from kodevakt.rules.finding import FIELDS, Finding

CODES = pa.list_(pa.string())
GROUPS = pa.list_(CODES)
FINDING = pa.schema(
    [
        ("episode_id", pa.string()),
        ("rule", pa.string()),
        ("name", pa.string()),
        ("severity", pa.string()),
        ("message", pa.string()),
        ("codes", CODES),
        ("location", pa.string()),
        ("source", pa.string()),
        ("suggestion", pa.string()),
        ("rule_year", pa.int32()),
        ("fix", pa.struct([("conditions", GROUPS), ("procedures", GROUPS)])),
        ("episodes", CODES),
    ]
)
assert tuple(FINDING.names) == FIELDS, "FINDING must follow Finding's fields"

PLACE = [("institution", pa.string()), ("department", pa.string())]
POSITION = [("source_file", pa.string()), ("source_row", pa.int64())]
CHECKED = pa.schema([*FINDING, *PLACE, *POSITION])
ANALYSED = pa.schema([*FINDING, ("period", pa.string()), *PLACE])
REJECTED = pa.schema(
    [
        ("file", pa.string()),
        ("row", pa.int64()),
        ("field", pa.string()),
        ("message", pa.string()),
        ("position", pa.string()),
    ]
)
INDICATOR = pa.schema(
    [
        ("unit_kind", pa.string()),
        ("unit", pa.string()),
        ("period", pa.string()),
        ("indicator", pa.string()),
        ("label", pa.string()),
        ("kind", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.int64()),
        ("value", pa.float64()),
        ("spread", pa.float64()),
        ("institution", pa.string()),
    ]
)
FUNNEL = pa.schema(
    [
        ("period", pa.string()),
        ("indicator", pa.string()),
        ("unit_kind", pa.string()),
        ("unit", pa.string()),
        ("value", pa.float64()),
        ("denominator", pa.int64()),
        ("target", pa.float64()),
        ("lower95", pa.float64()),
        ("upper95", pa.float64()),
        ("lower998", pa.float64()),
        ("upper998", pa.float64()),
        ("outside", pa.string()),
        ("reference", pa.bool_()),
    ]
)


def spark_schema(schema: pa.Schema) -> StructType:
    """The Spark form of an Arrow schema (timestamps without a zone stay without one)."""
    return from_arrow_schema(schema, prefer_timestamp_ntz=True)


def finding_values(found: Finding) -> dict[str, Any]:
    """A finding's values by `FINDING` column."""
    fix = found.fix
    return {
        "episode_id": found.episode_id,
        "rule": found.rule,
        "name": found.name,
        "severity": found.severity.value,
        "message": found.message,
        "codes": list(found.codes),
        "location": found.location,
        "source": found.source,
        "suggestion": found.suggestion,
        "rule_year": found.rule_year,
        "fix": None
        if fix is None
        else {
            "conditions": _lists(fix.conditions),
            "procedures": _lists(fix.procedures),
        },
        "episodes": list(found.episodes),
    }


def _lists(groups: Iterable[Iterable[str]] | None) -> list[list[str]] | None:
    return None if groups is None else [list(group) for group in groups]


def batch_of(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.RecordBatch:
    """Rows (dicts by column) as one record batch of `schema`."""
    return pa.RecordBatch.from_pylist(rows, schema=schema)


def indicator_values(value: IndicatorValue) -> dict[str, Any]:
    """An indicator value by `INDICATOR` column."""
    return {
        "unit_kind": value.unit_kind.value,
        "unit": value.unit,
        "period": value.period,
        "indicator": value.indicator,
        "label": value.label,
        "kind": value.kind.value,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "value": value.value,
        "spread": value.spread,
        "institution": value.institution,
    }


def funnel_rows(funnel: Funnel) -> list[dict[str, Any]]:
    """Each unit on a funnel by `FUNNEL` column."""
    return [
        {
            "period": funnel.period,
            "indicator": funnel.indicator.key,
            "unit_kind": funnel.unit_kind.value,
            "unit": unit.value.unit,
            "value": unit.value.value,
            "denominator": unit.value.denominator,
            "target": unit.limits.target,
            "lower95": unit.limits.lower95,
            "upper95": unit.limits.upper95,
            "lower998": unit.limits.lower998,
            "upper998": unit.limits.upper998,
            "outside": unit.outside,
            "reference": funnel.reference,
        }
        for unit in funnel.units
    ]
