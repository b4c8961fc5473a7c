"""Whether a condition is affirmed, negated, uncertain, history or about a relative.

The method is NegEx (Chapman et al. 2001) extended as ConText (Harkema et al. 2009): trigger
phrases ("ingen tegn til", "mistanke om", "tidligere", "mor hadde") open a scope, forward or
backward from the trigger, that runs to the end of the clause, to a terminator ("men",
"grunnet", a colon) or to a maximum number of words; every condition whose anchor word lies
in a scope takes the trigger's category. Pseudo-triggers ("ikke bare", "ingen bedring") look
like triggers and are consumed so that they trigger nothing; a trigger inside a clinical
phrase the matcher found ("hjerteinfarkt uten ST-elevasjon", "ikke-insulinkrevende") is part
of the phrase and triggers nothing either. The Norwegian triggers, with the published trigger
each renders or the guide's own wording, are data: `context_triggers.tsv`.

A "?" is a trigger whose direction depends on where it stands: before the words of its clause
("?pneumoni", "? lungeemboli") it looks forward, after them ("pneumoni?") backward. In a text
about a delivery, "mor" is the patient, not a relative.

When several scopes reach one condition the strongest category wins: family, then negated,
then uncertain, then history. A probable diagnosis ("sannsynlig pneumoni", "forenlig med
lungeemboli") is read as affirmed, as the guide codes a probable diagnosis as what it is
believed to be (KV2018 §9.7 p. 83).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from importlib.resources import files

from kodevakt.documentation.words import NUMBER, PUNCT, Token, tokenize
from kodevakt.errors import CodeListError

TRIGGER_FILE = "context_triggers.tsv"

FORWARD_WORDS = 8  # words a forward scope reaches (NegEx uses five; Norwegian lists run longer)
LONG_FORWARD_WORDS = 10  # history and family lists ("Tidligere hjerteinfarkt, KOLS og …")
BACKWARD_WORDS = 6


class Certainty(StrEnum):
    """What the text says about a condition; the value is the machine name in JSON output."""

    AFFIRMED = "affirmed"
    NEGATED = "negated"
    UNCERTAIN = "uncertain"
    HISTORY = "history"
    FAMILY = "family"

    @property
    def norwegian(self) -> str:
        return _NORWEGIAN[self]


_NORWEGIAN = {
    Certainty.AFFIRMED: "bekreftet",
    Certainty.NEGATED: "avkreftet",
    Certainty.UNCERTAIN: "usikker",
    Certainty.HISTORY: "tidligere",
    Certainty.FAMILY: "familie",
}

#: The strongest first: when scopes of several kinds reach a condition, the first one wins.
STRENGTH = (Certainty.FAMILY, Certainty.NEGATED, Certainty.UNCERTAIN, Certainty.HISTORY)


class Category(StrEnum):
    NEGATED = "negated"
    UNCERTAIN = "uncertain"
    HYPOTHETICAL = "hypothetical"
    PROBABLE = "probable"
    HISTORY = "history"
    FAMILY = "family"
    PSEUDO = "pseudo"
    TERMINATE = "terminate"

    @property
    def certainty(self) -> Certainty | None:
        return _CERTAINTY.get(self)


_CERTAINTY = {
    Category.NEGATED: Certainty.NEGATED,
    Category.UNCERTAIN: Certainty.UNCERTAIN,
    Category.HYPOTHETICAL: Certainty.UNCERTAIN,
    Category.HISTORY: Certainty.HISTORY,
    Category.FAMILY: Certainty.FAMILY,
}

_DIRECTIONS = ("forward", "backward", "both", "-")
_FLAGS = (
    "-",
    "obstetric-patient",
    "history-only",
    "family-only",
    "negation-only",
    "near",
    "procedure-only",
)
NEAR_WORDS = 3  # the reach of a trigger flagged `near` ("negativ SARS-CoV-2-test")


@dataclass(frozen=True, slots=True)
class Trigger:
    """One line of the trigger list: its words as keys, what it does and where it came from."""

    phrase: str
    keys: tuple[str, ...]
    category: Category
    direction: str
    flags: str
    source: str

    def ends(self, certainty: Certainty) -> bool:
        """Whether this terminator ends a scope of `certainty`."""
        if self.flags == "history-only":
            return certainty is Certainty.HISTORY
        if self.flags == "family-only":
            return certainty is Certainty.FAMILY
        if self.flags == "negation-only":
            return certainty in (Certainty.NEGATED, Certainty.UNCERTAIN)
        return True


@dataclass(frozen=True, slots=True)
class Found:
    """A trigger found in a text: token indexes [start, end) and the trigger."""

    start: int
    end: int
    trigger: Trigger


def parse_triggers(text: str, file: str = TRIGGER_FILE) -> list[Trigger]:
    """The trigger list's lines; a malformed line is an error naming the line."""
    found: list[Trigger] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if cells[0] == "trigger":
            continue
        if len(cells) != 5 or not all(cells):
            raise CodeListError(
                "en linje i triggerlisten må ha fem utfylte kolonner (trigger, kategori, "
                "retning, flagg, kilde) skilt med tabulator",
                file=file,
                line=number,
            )
        phrase, category, direction, flags, source = cells
        if direction not in _DIRECTIONS or flags not in _FLAGS:
            raise CodeListError("ukjent retning eller flagg", file=file, line=number)
        try:
            kind = Category(category)
        except ValueError:
            raise CodeListError(f"ukjent kategori «{category}»", file=file, line=number) from None
        keys = tuple(token.key for token in tokenize(phrase))
        found.append(Trigger(phrase, keys, kind, direction, flags, source))
    return found


@cache
def triggers() -> tuple[Trigger, ...]:
    """The packaged trigger list."""
    text = (files("kodevakt.documentation") / TRIGGER_FILE).read_text(encoding="utf-8")
    return tuple(parse_triggers(text))


@cache
def _by_first_key() -> dict[str, tuple[Trigger, ...]]:
    """Triggers by their first word's key, longest first (the longest match wins).

    Inflections of one trigger share their keys ("avkreftet", "avkreftes"): such lines of one
    category are one trigger that looks both ways when their directions differ.
    """
    merged: dict[tuple[tuple[str, ...], Category], Trigger] = {}
    for trigger in triggers():
        key = (trigger.keys, trigger.category)
        known = merged.get(key)
        if known is None:
            merged[key] = trigger
        elif known.direction != trigger.direction:
            merged[key] = replace(known, direction="both")
    index: dict[str, list[Trigger]] = {}
    for trigger in merged.values():
        index.setdefault(trigger.keys[0], []).append(trigger)
    return {key: tuple(sorted(found, key=lambda t: -len(t.keys))) for key, found in index.items()}


#: A year written beside a condition dates it to the past ("hjerteinfarkt 2015", "operert for
#: lårhalsbrudd 2020"): ConText's historical modifier, looking back a few words.
YEAR = Trigger("<årstall>", (), Category.HISTORY, "backward", "-", "ConText «history» (årstall)")
YEAR_WORDS = 4
_YEAR = re.compile(r"(19|20)\d\d")


def find_triggers(
    tokens: Sequence[Token], start: int, end: int, covered: Sequence[bool], obstetric: bool
) -> list[Found]:
    """The triggers in tokens [start, end) that are not part of a matched phrase."""
    index = _by_first_key()
    found: list[Found] = []
    i = start
    while i < end:
        if covered[i]:
            i += 1
            continue
        if tokens[i].kind == NUMBER and _YEAR.fullmatch(tokens[i].text):
            found.append(Found(i, i + 1, YEAR))
            i += 1
            continue
        candidates = index.get(tokens[i].key)
        match = _longest(tokens, i, end, covered, candidates) if candidates else None
        if match is None or _not_a_trigger(tokens, match[1] - 1, end, match[0], obstetric):
            i += 1
            continue
        found.append(Found(i, match[1], match[0]))
        i = match[1]
    return found


def _longest(
    tokens: Sequence[Token],
    i: int,
    end: int,
    covered: Sequence[bool],
    candidates: tuple[Trigger, ...],
) -> tuple[Trigger, int] | None:
    """The longest trigger at token `i` and where it ends; a full stop or hyphen may stand
    between its words ("st.p.", "ikke-påvist")."""
    for trigger in candidates:
        j = i
        for n, key in enumerate(trigger.keys):
            while n and j < end and tokens[j].text in (".", "-", "–"):
                j += 1
            if j >= end or covered[j] or tokens[j].key != key:
                break
            j += 1
        else:
            return trigger, j
    return None


def _not_a_trigger(
    tokens: Sequence[Token], last: int, end: int, trigger: Trigger, obstetric: bool
) -> bool:
    """A negating word glued to a hyphen is part of a compound ("ikke-insulinkrevende"); in a
    text about a delivery "mor" is the patient. `last` is the trigger's last token."""
    if (
        trigger.category is Category.NEGATED
        and last + 1 < end
        and tokens[last + 1].text in ("-", "–")
        and tokens[last + 1].start == tokens[last].end
    ):
        return True
    return obstetric and trigger.flags == "obstetric-patient"


def certainty_of(
    tokens: Sequence[Token], found: Sequence[Found], sentence: tuple[int, int], anchor: int
) -> Certainty:
    """The certainty the triggers of a sentence give the condition anchored at token `anchor`."""
    reached: set[Certainty] = set()
    for item in found:
        category = item.trigger.category
        certainty = category.certainty
        if certainty is None:
            continue
        direction = _direction(tokens, item, sentence)
        if direction in ("forward", "both") and item.end <= anchor:
            limit = LONG_FORWARD_WORDS if certainty in _LONG else FORWARD_WORDS
            if item.trigger.flags == "near":
                limit = NEAR_WORDS
            if _in_scope(tokens, found, item, anchor, certainty, limit, step=1):
                reached.add(certainty)
        limit = YEAR_WORDS if item.trigger is YEAR else BACKWARD_WORDS
        if item.trigger.flags == "near":
            limit = NEAR_WORDS
        if (
            direction in ("backward", "both")
            and anchor < item.start
            and _in_scope(tokens, found, item, anchor, certainty, limit, -1)
        ):
            reached.add(certainty)
    for certainty in STRENGTH:
        if certainty in reached:
            return certainty
    return Certainty.AFFIRMED


_LONG = (Certainty.HISTORY, Certainty.FAMILY)
_CLAUSE_MARKS = frozenset({":", ";", "?", "(", ")"})


def _direction(tokens: Sequence[Token], item: Found, sentence: tuple[int, int]) -> str:
    """A "?" looks forward when no word of its clause stands before it, else backward."""
    if item.trigger.phrase != "?":
        return item.trigger.direction
    j = item.start - 1
    while j >= sentence[0]:
        token = tokens[j]
        if token.kind == PUNCT and token.text in (",", ":", ";", "?", "(", "-", "–"):
            break
        if token.kind != PUNCT:
            return "backward"
        j -= 1
    return "forward"


def _in_scope(
    tokens: Sequence[Token],
    found: Sequence[Found],
    item: Found,
    anchor: int,
    certainty: Certainty,
    limit: int,
    step: int,
) -> bool:
    """Whether walking from `item` by `step` reaches `anchor` before a terminator, a clause
    mark or `limit` words. A near trigger reads across a colon ("Covid-19: negativ") but not
    a comma ("negativ troponin, pneumoni på røntgen")."""
    position = item.end if step > 0 else item.start - 1
    near = item.trigger.flags == "near"
    marks = (_CLAUSE_MARKS - {":"}) | {","} if near else _CLAUSE_MARKS
    terminators = {
        i
        for other in found
        if other.trigger.category is Category.TERMINATE
        and other.trigger.ends(certainty)
        and not (near and other.trigger.phrase == ":")
        for i in range(other.start, other.end)
    }
    words = 0
    i = position
    while True:
        if i == anchor:
            return True
        token = tokens[i]
        if i in terminators or (token.kind == PUNCT and token.text in marks):
            return False
        if token.kind != PUNCT:
            words += 1
            if words > limit:
                return False
        i += step
