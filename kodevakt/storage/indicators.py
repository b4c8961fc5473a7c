"""Indicator values stored per period by the pattern run, for reports.

The pattern run (`Pipeline.update_patterns`) computes every quality indicator per unit anyway;
storing them with its findings lets a report of the period, and the trends over earlier
periods, read a few hundred rows instead of decoding every episode again. The values belong
to the run that stored them: a report uses them only from the period's latest pattern run.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, delete, select

from kodevakt.batch.indicators import (
    ALL_UNITS,
    INDICATOR_BY_KEY,
    IndicatorValue,
    UnitKind,
)
from kodevakt.storage.database import insert_many
from kodevakt.storage.patterns import last_pattern_run
from kodevakt.storage.schema import indicator_value


def replace_indicator_values(
    conn: Connection, period: str, run_id: int, values: Iterable[IndicatorValue]
) -> None:
    """Store the period's values from pattern run `run_id` in place of earlier ones."""
    conn.execute(delete(indicator_value).where(indicator_value.c.period == period))
    rows = [
        {
            "period": period,
            "run_id": run_id,
            "unit_kind": value.unit_kind.value,
            "unit": value.unit,
            "institution": value.institution,
            "indicator": value.indicator,
            "numerator": value.numerator,
            "denominator": value.denominator,
            "value": value.value,
            "spread": value.spread,
        }
        for value in values
    ]
    if rows:
        insert_many(conn, indicator_value, rows)


def has_indicator_values(engine: Engine, period: str, run_id: int) -> bool:
    """Whether the period's pattern run `run_id` stored indicator values (a run from before
    they were stored did not)."""
    query = (
        select(indicator_value.c.id)
        .where(indicator_value.c.period == period, indicator_value.c.run_id == run_id)
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def stored_indicator_values(
    engine: Engine, period: str, institution: str | None = None
) -> list[IndicatorValue] | None:
    """The values the period's latest pattern run stored; None when it stored none.

    With `institution`, the values of that institution and its departments, and its own
    values once more as the total, as `compute_indicators` gives them for its episodes alone.
    """
    run_id = last_pattern_run(engine, period)
    if run_id is None:
        return None
    query = (
        select(indicator_value)
        .where(indicator_value.c.period == period, indicator_value.c.run_id == run_id)
        .order_by(indicator_value.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return None
    values = []
    for row in rows:
        indicator = INDICATOR_BY_KEY.get(row.indicator)
        if indicator is None:  # an indicator this version no longer has
            continue
        values.append(
            IndicatorValue(
                UnitKind(row.unit_kind),
                row.unit,
                period,
                indicator.key,
                indicator.label,
                indicator.kind,
                row.numerator,
                row.denominator,
                row.value,
                row.spread,
                row.institution,
            )
        )
    return values if institution is None else _of_institution(values, institution)


def _of_institution(values: list[IndicatorValue], institution: str) -> list[IndicatorValue]:
    own = [
        v
        for v in values
        if (v.unit_kind is UnitKind.INSTITUTION and v.unit == institution)
        or (v.unit_kind is UnitKind.DEPARTMENT and v.institution == institution)
    ]
    totals = [
        IndicatorValue(
            UnitKind.TOTAL,
            ALL_UNITS,
            v.period,
            v.indicator,
            v.label,
            v.kind,
            v.numerator,
            v.denominator,
            v.value,
            v.spread,
            None,
        )
        for v in own
        if v.unit_kind is UnitKind.INSTITUTION
    ]
    return totals + own
