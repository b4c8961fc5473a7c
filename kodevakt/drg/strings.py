"""The DRG string: the reference grouper's one-line input, as in its test set.

165 comma-separated fields:

| field | content |
| --- | --- |
| 0 | sex: `1` man, `2` woman (anything else: missing) |
| 1 | age in days |
| 2 | discharge mode: `H` home, `R` transferred, `E` died |
| 3 | length of stay in days |
| 4 | unused (always empty in the test set) |
| 5–64 | 30 diagnosis pairs (code, paired code), the principal diagnosis first |
| 65–164 | up to 100 procedure codes |

Codes are written as in the tables (no dot). A code the tables do not know is not an error: the
grouper treats it as the reference does. A line that is not a DRG string is (`InputError`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kodevakt.drg.model import DrgInput
from kodevakt.errors import InputError

FIELDS = 165
DIAGNOSIS_PAIRS = 30
FIRST_DIAGNOSIS = 5
FIRST_PROCEDURE = FIRST_DIAGNOSIS + 2 * DIAGNOSIS_PAIRS
_LAYOUT = (
    "kjønn, alder i dager, utskrivningsmåte, liggetid, et tomt felt, "
    "30 diagnosepar og 100 prosedyrekoder"
)


def parse_drg_string(text: str, *, file: str | None = None, line: int | None = None) -> DrgInput:
    """One DRG string → `DrgInput`; InputError (Norwegian, with file and line) when malformed."""
    fields = text.strip("\r\n").split(",")
    if len(fields) != FIELDS:
        raise InputError(
            f"DRG-strengen har {len(fields)} felt, ventet {FIELDS} ({_LAYOUT})",
            file=file,
            line=line,
        )
    fields = [f.strip() for f in fields]
    age = _number(fields[1], "alder i dager", file, line)
    los = _number(fields[3], "liggetid", file, line)
    discharge = fields[2].upper()
    if discharge and not discharge.isalpha():
        raise InputError(
            f"utskrivningsmåten «{fields[2]}» er ikke en bokstav (H, R eller E)",
            file=file,
            line=line,
            field="utskrivningsmåte",
        )
    diagnoses = [(fields[i], fields[i + 1]) for i in range(FIRST_DIAGNOSIS, FIRST_PROCEDURE, 2)]
    while diagnoses and diagnoses[-1] == ("", ""):
        diagnoses.pop()
    return DrgInput(
        sex=fields[0],
        age_days=age,
        discharge=discharge,
        los=los,
        diagnoses=tuple(diagnoses),
        procedures=tuple(code for code in fields[FIRST_PROCEDURE:] if code),
    )


def format_drg_string(case: DrgInput) -> str:
    """`case` written as a DRG string (the inverse of `parse_drg_string`)."""
    if len(case.diagnoses) > DIAGNOSIS_PAIRS or len(case.procedures) > FIELDS - FIRST_PROCEDURE:
        raise InputError(
            f"en DRG-streng har plass til {DIAGNOSIS_PAIRS} diagnosepar og "
            f"{FIELDS - FIRST_PROCEDURE} prosedyrer"
        )
    fields = [
        case.sex,
        "" if case.age_days is None else str(case.age_days),
        case.discharge,
        "" if case.los is None else str(case.los),
        "",
    ]
    for code, pair in case.diagnoses:
        fields += [code, pair]
    fields += [""] * (FIRST_PROCEDURE - len(fields))
    fields += list(case.procedures)
    fields += [""] * (FIELDS - len(fields))
    return ",".join(fields)


def read_drg_strings(
    lines: Iterable[str], *, file: str | None = None
) -> Iterator[tuple[int, DrgInput]]:
    """(line number, input) for every non-blank line; InputError at the first malformed one."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        yield number, parse_drg_string(text, file=file, line=number)


def _number(value: str, name: str, file: str | None, line: int | None) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InputError(f"{name} «{value}» er ikke et helt tall", file=file, line=line, field=name)
    return int(value)
