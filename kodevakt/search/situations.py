"""Phrases that put a condition in a situation: past, ruled out, in the family, treated, present.

"tidligere tykktarmskreft", "status etter hjerteinfarkt", "avkreftet lungeemboli", "brystkreft i
familien", "bruker Marevan", "har pacemaker": the disease words name a condition, but the code a
coder needs is the one for the situation (Z85.0, I25.2, Z03.5, Z80.3, Z92.1, Z95.0), not the
acute disease. A query is read as one situation when it holds one of the marker phrases below;
the marker is taken out and the rest is searched as usual. Then:

- for history, suspicion and family, the category of the best disease hit gives the situation's
  code through `kodevakt/data/modifier_codes.tsv` (ICD-10's own division: Z85.0 is C15–C26,
  Z03.4 is I21–I22), and that code comes first;
- hits among the codes that name the situation (`TARGETS`: the history codes Z85–Z87, I25.2,
  I69, the status codes Z89–Z99, the observation codes Z03, ...) rank before the others, so the
  acute disease never comes first.

The markers are written for Norwegian clinical text (epikrise and henvisning wording).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files

from kodevakt.errors import CodeListError
from kodevakt.search.text import fold, is_stop

MODIFIER_FILE = "modifier_codes.tsv"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class Situation(StrEnum):
    HISTORY = "history"  # the condition was there before and is over
    SUSPECTED = "suspected"  # the condition was suspected and ruled out, or is not confirmed
    FAMILY = "family"  # a relative has or had the condition
    DRUG = "drug"  # the patient takes a drug long-term
    STATUS = "status"  # the patient has a device, an implant, a transplant or a missing part


# How a hit reached through a situation is named in its explanation.
LABEL = {
    Situation.HISTORY: "egen sykehistorie",
    Situation.SUSPECTED: "mistanke som ikke er bekreftet",
    Situation.FAMILY: "familieanamnese",
    Situation.DRUG: "langtidsbruk av legemiddel",
    Situation.STATUS: "status med implantat, transplantat eller ervervet mangel",
}

# Marker phrases (folded words) and the situation each names. Longer phrases are tried first.
# fmt: off
MARKERS: dict[tuple[str, ...], Situation] = {
    ("tidligere",): Situation.HISTORY,
    ("tidl",): Situation.HISTORY,  # "tidl."
    ("status", "etter"): Situation.HISTORY,
    ("status", "post"): Situation.HISTORY,
    ("st", "p"): Situation.HISTORY,  # "st.p." (status post)
    ("s", "p"): Situation.HISTORY,  # "s/p"
    ("anamnestisk",): Situation.HISTORY,
    ("operert", "for"): Situation.HISTORY,
    ("gjennomgatt",): Situation.HISTORY,
    ("gammelt",): Situation.HISTORY,
    ("anamnese",): Situation.HISTORY,
    ("anamnesen",): Situation.HISTORY,
    ("sykehistorie",): Situation.HISTORY,
    ("hatt",): Situation.HISTORY,
    ("avkreftet",): Situation.SUSPECTED,
    ("avkreftes",): Situation.SUSPECTED,
    ("utelukket",): Situation.SUSPECTED,
    ("utelukkes",): Situation.SUSPECTED,
    ("ikke", "pavist"): Situation.SUSPECTED,
    ("ikke", "bekreftet"): Situation.SUSPECTED,
    ("ingen", "tegn", "til"): Situation.SUSPECTED,
    ("uten", "tegn", "til"): Situation.SUSPECTED,
    ("mistanke", "om"): Situation.SUSPECTED,
    ("mistenkt",): Situation.SUSPECTED,
    ("obs",): Situation.SUSPECTED,
    ("observasjon", "for"): Situation.SUSPECTED,
    ("observasjon", "ved"): Situation.SUSPECTED,
    ("sporsmal", "om"): Situation.SUSPECTED,
    ("i", "familien"): Situation.FAMILY,
    ("familieanamnese",): Situation.FAMILY,
    ("familieanamnesen",): Situation.FAMILY,
    ("familiaer", "disposisjon"): Situation.FAMILY,
    ("arvelig", "disposisjon"): Situation.FAMILY,
    ("mor", "hadde"): Situation.FAMILY,
    ("far", "hadde"): Situation.FAMILY,
    ("bruker",): Situation.DRUG,
    ("star", "pa"): Situation.DRUG,
    ("behandles", "med"): Situation.DRUG,
    ("fast", "medisin"): Situation.DRUG,
    ("har",): Situation.STATUS,
    ("status", "med"): Situation.STATUS,
}
# fmt: on
_BY_LENGTH = sorted(MARKERS, key=len, reverse=True)
# When markers of several situations meet ("har hatt", "mistanke om tidligere …"), the first of
# these wins; the other markers are dropped too ("har" is then only a verb).
_PRIORITY = (
    Situation.SUSPECTED, Situation.HISTORY, Situation.FAMILY, Situation.DRUG, Situation.STATUS
)  # fmt: skip

# Codes that name each situation: a category range ("Z85-Z87") or a code and what is under it.
TARGETS: dict[Situation, tuple[str, ...]] = {
    Situation.HISTORY: (
        "Z85-Z87", "Z91-Z92", "Z94-Z99", "I25.2", "I69", "B90-B94", "T90-T98", "Y85-Y89"
    ),
    Situation.SUSPECTED: ("Z03", "Z71.1"),
    Situation.FAMILY: ("Z80-Z84",),
    Situation.DRUG: ("Z92.1", "Z92.2"),
    Situation.STATUS: ("Z89-Z99",),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reading:
    """A query read as a situation: the marker words as written and the rest of the query."""

    situation: Situation
    marker: str
    rest: str


def read_situation(query: str) -> Reading | None:
    """The situation `query` puts its condition in, or `None` (also when nothing but the marker
    is left: "tidligere" alone is searched as a word)."""
    written = _WORD.findall(query)
    folded = [fold(w.lower()) for w in written]
    pieces: list[tuple[str, Situation | None]] = []  # words and marker phrases, in order
    i = 0
    while i < len(written):
        for phrase in _BY_LENGTH:
            if tuple(folded[i : i + len(phrase)]) == phrase:
                pieces.append((" ".join(written[i : i + len(phrase)]), MARKERS[phrase]))
                i += len(phrase)
                break
        else:
            pieces.append((written[i], None))
            i += 1
    present = {situation for _, situation in pieces if situation is not None}
    found = next((s for s in _PRIORITY if s in present), None)
    if found is None:
        return None
    markers = [text for text, situation in pieces if situation is found]
    keep = [text for text, situation in pieces if situation is None]
    if not any(not is_stop(w.lower()) for w in keep):
        return None
    return Reading(found, " … ".join(markers), " ".join(keep))


@dataclass(frozen=True, slots=True)
class _Row:
    situation: Situation
    low: str
    high: str
    codes: tuple[str, ...]


def situation_codes(situation: Situation, code: str) -> tuple[str, ...]:
    """The codes for `situation` of the condition coded `code` (first row whose range holds its
    category), best first; empty when the table has none (drug use, status, or a Z code)."""
    category = code[:3]
    for row in load_table():
        if row.situation is situation and row.low <= category <= row.high:
            return row.codes
    return ()


def names_situation(situation: Situation, code: str) -> bool:
    """Whether `code` is one of the codes that name `situation` (`TARGETS`)."""
    for target in TARGETS[situation]:
        if "-" in target:
            low, high = target.split("-")
            if low <= code[:3] <= high:
                return True
        elif code.startswith(target):
            return True
    return False


def parse_table(text: str, file: str = MODIFIER_FILE) -> tuple[_Row, ...]:
    """Parse the TSV text of the situation table; a malformed line is an error naming it."""
    rows: list[_Row] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if cells[:3] == ["modifier", "range", "codes"]:
            continue
        try:
            situation = Situation(cells[0])
        except ValueError:
            situation = None
        if len(cells) != 4 or not all(cells) or situation is None:
            raise CodeListError(
                "en linje i situasjonstabellen må ha fire utfylte kolonner (situasjon: "
                "history, suspected eller family; område; koder; kilde) skilt med tabulator",
                file=file,
                line=number,
            )
        low, _, high = cells[1].partition("-")
        rows.append(_Row(situation, low, high or low, tuple(cells[2].split())))
    return tuple(rows)


def table_text() -> str:
    """The raw text of the packaged table."""
    return (files("kodevakt.data") / MODIFIER_FILE).read_text(encoding="utf-8")


@cache
def load_table() -> tuple[_Row, ...]:
    return parse_table(table_text())
