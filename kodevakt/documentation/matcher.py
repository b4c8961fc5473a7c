"""The phrase matcher: finds the clinical phrases of the lexicon in a text, longest first.

Within one sentence, at each word, the longest contiguous phrase of the lexicon that starts
there is taken ("akutt hjerteinfarkt" before "hjerteinfarkt"), or a gapped phrase whose parts
stand at most `MAX_GAP` words apart in the same clause ("KOLS, nå med forverring"), whichever
covers more of the text; matching goes on after it. A gap may not hold another phrase, so
that "KOLS og hjertesvikt med forverring" is not read as a COPD exacerbation; the gap's words
stay free for the context triggers ("CT caput uten blødning"). A gapped phrase is affirmed
when any of its parts is ("akutt forverring av kjent KOLS": the exacerbation is now, the
COPD known), so the match keeps where each part starts.

Words that no phrase covers but that end in a compound head of the lexicon
("aspirasjonspneumoni", "tibiafraktur", "bukhinnebetennelse") are compounds the list does not
name: the code search (`kodevakt.search`, Norwegian compound splitting, stemming and synonyms)
is asked for the whole word, and its best hit inside the head's group is taken; when it has
none, the head's own code is (none for a head that only ever works inside compounds).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kodevakt.documentation.lexicon import CAPS, EXACT, TRANSPARENT, Entry, Lexicon
from kodevakt.documentation.words import PUNCT, Token

MAX_GAP = 4  # words between the parts of a gapped phrase
_CLAUSE_MARKS = frozenset({";", ":", "?", "(", ")"})
MIN_COMPOUND_PREFIX = 3  # letters before the head for a word to count as a compound

#: Resolves a compound word (its written form and the head entry) to codes and a group.
CompoundResolver = Callable[[str, Entry], "tuple[tuple[str, ...], tuple[str, ...]] | None"]


@dataclass(frozen=True, slots=True)
class Match:
    """A phrase found in the text: token indexes [first, end), the token that anchors it for
    the context triggers, and the codes and group it points to."""

    first: int
    end: int
    anchor: int
    entry: Entry
    codes: tuple[str, ...]
    group: tuple[str, ...]
    words: tuple[int, ...]  # the tokens the phrase's words matched (a gap's words are not)
    compound: bool = False
    parts_at: tuple[int, ...] = ()  # a gapped phrase: the first token of each earlier part


def match_sentence(
    tokens: Sequence[Token],
    start: int,
    end: int,
    lexicon: Lexicon,
    resolve: CompoundResolver | None,
) -> list[Match]:
    """The phrases found in tokens [start, end), in order, not overlapping."""
    found: list[Match] = []
    i = start
    while i < end:
        token = tokens[i]
        if token.kind == PUNCT or token.key not in lexicon.first_keys:
            i += 1
            continue
        best = _contiguous(tokens, i, end, lexicon)
        for entry in lexicon.gapped.get(token.key, ()):
            gapped = _gapped(tokens, i, end, entry, lexicon)
            if gapped is not None and (
                best is None or _width(tokens, gapped) > _width(tokens, best)
            ):
                best = gapped
        if best is None:
            i += 1
            continue
        found.append(best)
        i = best.end
    if resolve is not None and lexicon.heads:
        found = _with_compounds(tokens, start, end, found, lexicon, resolve)
    return found


def _width(tokens: Sequence[Token], match: Match) -> int:
    return tokens[match.end - 1].end - tokens[match.first].start


def _contiguous(tokens: Sequence[Token], i: int, end: int, lexicon: Lexicon) -> Match | None:
    node: object = lexicon.trie
    j = i
    best: Match | None = None
    while j < end and isinstance(node, dict):
        token = tokens[j]
        if token.kind == PUNCT:
            if j > i and token.text in TRANSPARENT and token.start == tokens[j - 1].end:
                j += 1
                continue
            break
        node = node.get(token.key)
        if not isinstance(node, dict):
            break
        j += 1
        for entry in node.get("", ()):
            if _written_fits(tokens, i, j, entry, 0):
                best = Match(i, j, i, entry, entry.codes, entry.group, tuple(range(i, j)))
                break
    return best


def _part_at(tokens: Sequence[Token], i: int, end: int, keys: tuple[str, ...]) -> int | None:
    """The end of `keys` matched contiguously from token `i`, or None."""
    j = i
    for n, key in enumerate(keys):
        while n and j < end and tokens[j].kind == PUNCT and tokens[j].text in TRANSPARENT:
            j += 1
        if j >= end or tokens[j].key != key:
            return None
        j += 1
    return j


def _gapped(
    tokens: Sequence[Token], i: int, end: int, entry: Entry, lexicon: Lexicon
) -> Match | None:
    position = _part_at(tokens, i, end, entry.parts[0])
    if position is None or not _written_fits(tokens, i, position, entry, 0):
        return None
    anchor = i
    matched = list(range(i, position))
    starts = [i]
    for part_index, keys in enumerate(entry.parts[1:], start=1):
        words = 0
        k = position
        found = None
        while k < end and words <= MAX_GAP:
            token = tokens[k]
            if token.kind == PUNCT:
                if token.text in _CLAUSE_MARKS:
                    break
                k += 1
                continue
            part_end = _part_at(tokens, k, end, keys)
            if part_end is not None and _written_fits(tokens, k, part_end, entry, part_index):
                found = (k, part_end)
                break
            if token.key in lexicon.first_keys and _contiguous(tokens, k, end, lexicon):
                break  # another phrase stands in the gap
            words += 1
            k += 1
        if found is None:
            return None
        anchor, position = found
        matched.extend(range(anchor, position))
        starts.append(anchor)
    return Match(
        i, position, anchor, entry, entry.codes, entry.group, tuple(matched),
        parts_at=tuple(starts[:-1]),
    )  # fmt: skip


def _written_fits(tokens: Sequence[Token], i: int, j: int, entry: Entry, part: int) -> bool:
    """The capitals and exact-form conditions of an entry, on its words in tokens [i, j)."""
    if CAPS not in entry.flags and EXACT not in entry.flags:
        return True
    words = [t.text for t in tokens[i:j] if t.kind != PUNCT]
    if CAPS in entry.flags and not all(
        sum(ch.isupper() for ch in word) >= 2 or (len(word) <= 3 and word.isupper())
        for word in words
        if word.isalpha()
    ):
        return False
    return EXACT not in entry.flags or tuple(w.lower() for w in words) == entry.written[part]


def _with_compounds(
    tokens: Sequence[Token],
    start: int,
    end: int,
    found: list[Match],
    lexicon: Lexicon,
    resolve: CompoundResolver,
) -> list[Match]:
    """`found` with the compounds in the words no phrase covers, in text order."""
    covered: set[int] = set()
    for match in found:
        covered.update(range(match.first, match.end))
    added: list[Match] = []
    for i in range(start, end):
        token = tokens[i]
        if i in covered or not token.is_word:
            continue
        entry = lexicon.head_of(token.key, MIN_COMPOUND_PREFIX)
        if entry is not None:
            resolved = resolve(token.text, entry)
            if resolved is not None:
                codes, group = resolved
                added.append(Match(i, i + 1, i, entry, codes, group, (i,), compound=True))
    if not added:
        return found
    return sorted([*found, *added], key=lambda m: m.first)
