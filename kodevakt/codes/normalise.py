"""The one normaliser every reader, rule and lookup uses.

Coders and patient systems write the same code in many ways (`J12.8`, `J128`, `j12,8`,
`H36.0*`, `C07A B02`, `ZXA 05`). Everything downstream works on one canonical form, and rule K04
needs to know exactly what had to be changed to get there, so the normaliser returns both.

Canonical forms:

- ICD-10: first letter upper case, a dot after the third character, Norwegian lower-case
  letters kept lower case (`W0n.0r`, `I21.4a`, `V9n.xa`, `D37.01`).
- Procedure codes (NCSP, NCMP, NCRP and their Z additional codes): upper case, no spaces.
- ATC: upper case, no space (`C07AB02`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class CodeKind(StrEnum):
    """Which family of code systems a code's shape belongs to."""

    ICD10 = "icd10"
    PROCEDURE = "procedure"
    ATC = "atc"
    SPECIAL = "special"
    UNKNOWN = "unknown"


# Letter, digit, then digit or Norwegian merge letter (n: merged categories, s/t: sport/
# transport variants), then an optional 4th character (digit or x for "any") and an optional
# 5th character (digit, or a lower-case letter: I21.4a, activity codes W0n.0r).
_ICD10 = re.compile(r"[A-Z][0-9][0-9nst](?:[0-9x][0-9a-z]?)?")
_PROCEDURE = re.compile(
    r"[A-Z]{3}[0-9]{2}"  # NCSP incl. Z additional codes: JKA21, ZXA00
    r"|[A-Z]{4}[0-9]{2}"  # NCMP: WBOC10, REGG05
    r"|[A-Z]{3}[0-9]{2}[A-Z]"  # NCRP interventions: HAB16K
    r"|[A-Z]{3}[0-9][A-Z]{2}"  # NCRP chapters S/T and Z imaging codes: SHA0AA, ZTX0EA
)
_ATC = re.compile(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}")
# Norwegian special codes (særkoder) as named in the rulebook (e.g. B0007, KV2018 ch. 6 p. 49):
# one letter and four digits, a shape no other system uses.
_SPECIAL = re.compile(r"[A-Z][0-9]{4}")

_MARKS = {"*": "*", "†": "†", "+": "†", "‡": "†"}


@dataclass(frozen=True, slots=True)
class Normalised:
    """A code in canonical form, with what the normaliser had to change (Norwegian phrases)."""

    raw: str
    code: str
    kind: CodeKind
    changes: tuple[str, ...] = ()
    mark: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def npr(self) -> str:
        """The form NPR registers: no dot."""
        return self.code.replace(".", "")


@lru_cache(maxsize=262_144)
def normalise(raw: str) -> Normalised:
    """Return the canonical form of `raw` and what was changed.

    >>> normalise("j12,8").code
    'J12.8'
    >>> normalise("I214a").code
    'I21.4a'
    """
    changes: list[str] = []
    text = raw
    stripped = text.strip()
    if stripped != text:
        changes.append("mellomrom før eller etter koden fjernet")
    text = stripped

    mark = None
    while text and text[-1] in _MARKS:
        mark = _MARKS[text[-1]]
        changes.append("stjernemerke (*) fjernet" if mark == "*" else "sverdmerke (†) fjernet")
        text = text[:-1].rstrip()
    if text.endswith((",", ".")):
        text = text[:-1]
        changes.append("avsluttende skilletegn fjernet")
    if any(ch.isspace() for ch in text):
        text = "".join(text.split())
        changes.append("mellomrom inne i koden fjernet")
    if "," in text:
        text = text.replace(",", ".")
        changes.append("komma erstattet med punktum")

    bare = text.replace(".", "")
    kind, code = _classify(bare)
    if kind is CodeKind.ICD10:
        if code.replace(".", "") != bare:
            changes.append("store/små bokstaver rettet")
        if "." in text and text.lower() != code.lower():
            changes.append("punktum flyttet")
    elif kind is not CodeKind.UNKNOWN:
        if code != bare:
            changes.append("små bokstaver gjort store")
        if "." in text:
            changes.append("punktum fjernet")
    else:
        code = text
    return Normalised(raw=raw, code=code, kind=kind, changes=tuple(changes), mark=mark)


def _classify(bare: str) -> tuple[CodeKind, str]:
    if not bare:
        return CodeKind.UNKNOWN, bare
    icd = bare[0].upper() + bare[1:].lower()
    if _ICD10.fullmatch(icd):
        return CodeKind.ICD10, icd if len(icd) == 3 else f"{icd[:3]}.{icd[3:]}"
    upper = bare.upper()
    if _PROCEDURE.fullmatch(upper):
        return CodeKind.PROCEDURE, upper
    if _ATC.fullmatch(upper):
        return CodeKind.ATC, upper
    if _SPECIAL.fullmatch(upper):
        return CodeKind.SPECIAL, upper
    return CodeKind.UNKNOWN, bare


def icd10_key(code: str) -> str:
    """Canonical ICD-10 form of an official or embedded list's code (`J128`, `J12.8`)."""
    return normalise(code).code
