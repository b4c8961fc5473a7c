"""Norwegian compound splitting against the index's own vocabulary.

Norwegian writes compounds as one word ("lungebetennelse", "tykktarmskreft",
"nyrebekkenbetennelse"), and code texts use other compounds than clinicians do ("Brudd i
lårhals" for "lårhalsbrudd"). A compound is split into parts that are themselves words of the
vocabulary (words of the code texts and the synonym list), allowing the linking letters s and e
between parts ("tykktarm-s-kreft", "hjern-e-infarkt"). The last part may be inflected: it is
accepted when its stem is known. Among the possible splits the one with fewest parts wins, then
the one with the longest parts.

When no complete split exists, a query word that ends in a known word of five letters or more is
split into an unknown head and that tail ("coxsackievirus" → "coxsackie" + "virus"): the tail
still says what kind of thing the word names.

Everything here works on folded words (see `text.fold`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

MIN_PART = 3  # shortest part: "lår", "øre", "hud"
# Two-letter words that begin compounds in code texts and queries ("tå|brudd", "tå|negl"),
# folded; other two-letter pieces are too often chance ("de", "en", "ut").
SHORT_PARTS = frozenset(["ta"])
MIN_WORD = 6  # words shorter than this are not split
MIN_HEAD = 4  # shortest unknown head of a partial split
MIN_TAIL = 5  # shortest known tail of a partial split
_LINKS = "se"
# Function words that turn up inside compounds by accident ("med|født", "uten|for").
# fmt: off
NOT_PARTS = frozenset([
    "med", "uten", "ikke", "som", "for", "til", "fra", "over", "under", "inn", "mot", "ved",
    "hos", "etter", "eller", "and", "ene", "ens", "ing", "het", "ter", "ert", "lig", "end"
])
# fmt: on


@dataclass(frozen=True, slots=True)
class Split:
    """A split of one word: its parts, and whether each part is a known word."""

    parts: tuple[str, ...]
    known: tuple[bool, ...]

    @property
    def complete(self) -> bool:
        return all(self.known)


def split_compound(
    word: str,
    words: Collection[str],
    stems: Collection[str],
    stem: Callable[[str], str],
    *,
    partial: bool = False,
) -> Split | None:
    """Split folded `word` into known parts, or `None` when it is not a compound.

    A part is known when it is a vocabulary word (`words`, folded) or a stem of one (`stems`;
    first parts often appear only inflected: "hjerne" in "hjernen"); the last part may also be
    an inflected form of a known stem. A part known only as a stem costs half a part more, so
    "hals+nivå" beats "hal+snivå". With `partial`, a word with no complete split may still be
    split into an unknown head and a known tail.
    """
    n = len(word)
    if n < MIN_WORD or not word.isalpha():
        return None
    # best[i]: the cheapest split of word[:i] as (cost, -shortest part, parts)
    best: list[tuple[float, int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0.0, -n, ())
    for start in range(n):
        here = best[start]
        if here is None:
            continue
        for end in range(start + MIN_PART - 1, n + 1):
            if start == 0 and end == n:
                continue  # the whole word is not a split
            piece = word[start:end]
            if piece in NOT_PARTS or (len(piece) < MIN_PART and piece not in SHORT_PARTS):
                continue
            if piece in words:
                cost = 1.0
            elif piece in stems or (end == n and stem(piece) in stems):
                cost = 1.5
            else:
                continue
            candidate = (here[0] + cost, max(here[1], -len(piece)), (*here[2], piece))
            targets = [end]
            if end < n - 1 and word[end] in _LINKS:
                targets.append(end + 1)
            for target in targets:
                current = best[target]
                if current is None or candidate[:2] < current[:2]:
                    best[target] = candidate
    done = best[n]
    if done is not None:
        return Split(done[2], (True,) * len(done[2]))
    return _partial(word, words) if partial else None


def _partial(word: str, words: Collection[str]) -> Split | None:
    return tail_split(word, words) or head_split(word, words)


def tail_split(word: str, words: Collection[str]) -> Split | None:
    """Unknown head + known tail word, the longest tail first ("koks|artrose").

    The tail of a Norwegian compound names what the word is about, so a known tail says a
    good deal even when the head is a word the vocabulary lacks.
    """
    if len(word) < MIN_WORD or not word.isalpha():
        return None
    for cut in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
        tail = word[cut:]
        if tail in words and tail not in NOT_PARTS:
            return Split((word[:cut], tail), (False, True))
    return None


def head_split(word: str, words: Collection[str]) -> Split | None:
    """Known head + unknown tail, the longest head first ("bryst|kreft" without "kreft")."""
    for cut in range(len(word) - MIN_HEAD, MIN_TAIL - 1, -1):
        head = word[:cut]
        if head in words and head not in NOT_PARTS:
            return Split((head, word[cut:]), (True, False))
    return None
