"""The columnar form of episodes (Parquet): one row per episode, code groups as nested lists.

The columns are the interchange fields (docs/formats.md, section 8), flattened one level
for the patient (`patient_id`, `sex`, …), so that a data platform can filter and join on
them without unpacking JSON. Conditions are a list of groups, each a list of codes (first
group: the main condition); procedures a list of `{codes, date}` structs. Values are kept
as the model holds them (raw sex and care level), so a conversion never hides what a rule
would flag. Only `id` is required when reading; other columns may be missing or typed more
loosely (dates as text, numbers as text), see ACCEPTED.
"""

from __future__ import annotations

import pyarrow as pa

CODES = pa.list_(pa.string())
PROCEDURE = pa.struct([("codes", CODES), ("date", pa.date32())])

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        ("patient_id", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("age", pa.int32()),
        ("age_days", pa.int32()),
        ("institution", pa.string()),
        ("department", pa.string()),
        ("care_level", pa.string()),
        ("urgency", pa.string()),
        ("admission", pa.timestamp("us")),
        ("discharge", pa.timestamp("us")),
        ("transferred_from", pa.string()),
        ("transferred_to", pa.string()),
        ("conditions", pa.list_(CODES)),
        ("procedures", pa.list_(PROCEDURE)),
        ("text", pa.string()),
        ("grouping_inferred", pa.bool_()),
    ],
    metadata={b"kodevakt": b"episodes/1"},
)

# What kind of Arrow type each column may have when read (checked before the first row).
TEXT, DAY, MOMENT, NUMBER, FLAG, GROUPS, PROCEDURES = (
    "tekst",
    "dato",
    "tidspunkt",
    "heltall",
    "sann/usann",
    "liste av lister av koder",
    "liste av {codes, date}",
)
KIND = {
    "id": TEXT,
    "patient_id": TEXT,
    "sex": TEXT,
    "birth_date": DAY,
    "age": NUMBER,
    "age_days": NUMBER,
    "institution": TEXT,
    "department": TEXT,
    "care_level": TEXT,
    "urgency": TEXT,
    "admission": MOMENT,
    "discharge": MOMENT,
    "transferred_from": TEXT,
    "transferred_to": TEXT,
    "conditions": GROUPS,
    "procedures": PROCEDURES,
    "text": TEXT,
    "grouping_inferred": FLAG,
}


def accepts(kind: str, found: pa.DataType) -> bool:
    """Whether a column of Arrow type `found` can be read as `kind`."""
    textual = _is_text(found)
    if pa.types.is_dictionary(found):
        return accepts(kind, found.value_type)
    if pa.types.is_null(found):
        return True
    if kind in (TEXT, NUMBER):
        return bool(textual or pa.types.is_integer(found))
    if kind in (DAY, MOMENT):
        return bool(textual or pa.types.is_date(found) or pa.types.is_timestamp(found))
    if kind == FLAG:
        return bool(pa.types.is_boolean(found))
    if kind == GROUPS:
        if not _is_list(found):
            return False
        item = found.value_type
        return _is_text(item) or (_is_list(item) and _is_text(item.value_type))
    if kind == PROCEDURES:
        if not _is_list(found):
            return False
        item = found.value_type
        if _is_list(item):
            return _is_text(item.value_type)
        if not pa.types.is_struct(item) or item.get_field_index("codes") < 0:
            return False
        codes = item.field("codes").type
        day = item.get_field_index("date")
        return (
            _is_list(codes)
            and _is_text(codes.value_type)
            and (day < 0 or accepts(DAY, item.field("date").type))
        )
    return False


def _is_list(found: pa.DataType) -> bool:
    return bool(pa.types.is_list(found) or pa.types.is_large_list(found))


def _is_text(found: pa.DataType) -> bool:
    return bool(pa.types.is_string(found) or pa.types.is_large_string(found))
