"""From what a coder types to a plan of what to look for in the index.

A query becomes a list of concepts, one per word (or per run of words that a synonym names:
"høyt blodtrykk"). A concept has options, each a list of slots that should all be found in a
code's texts; a slot has alternative ways to be found (alternatives), each a tuple of index keys
that must all be present, with a weight for how sure that way is:

- the word itself (1.0), or without a definite ending the stemmer leaves on short words
  ("øret" → "øre", 0.9);
- a synonym of the word, or of its compound parts read together (0.95, 0.9);
- its compound parts as separate slots (0.85 for the option; a partly found compound scores
  by the share of parts found); a word found in many codes is not also split;
- for a word the vocabulary lacks: a typo correction (0.8 at one edit, 0.65 at two; edits are
  tried among words with the same first letter, then among all), longer words it ends
  ("pacemaker" in "hjertepacemaker", 0.6) and completions of an unfinished word (0.6).

Stop words ("i", "som", "av") are dropped. Scoring is `scoring.py`'s job.
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kodevakt.search.compounds import tail_split
from kodevakt.search.index import Index, SynonymTarget
from kodevakt.search.text import fold, is_stop, stem, tokens

MAX_WORDS = 12  # longer queries are cut: nobody types a discharge summary into a search box
MAX_SYNONYM_WORDS = 4

EXACT, SYNONYM, PART_SYNONYM, COMPOUND = 1.0, 0.95, 0.9, 0.85
TYPO_1, TYPO_2, COMPLETION, TAIL = 0.8, 0.65, 0.6, 0.6
MIN_TAIL = 5  # an unknown word this long is looked for as the tail of longer words
INFLECTED = 0.9
MIN_TYPO = 4  # shorter words are not corrected
MAX_SHORT = 7  # longest key checked for a definite ending
MIN_BARE = 3
MAX_SPLIT_DF = 3  # a word found in more codes than this is not also read as a compound
_ENDINGS = ("ene", "ane", "et", "en", "a", "t", "n")
MIN_COMPLETION = 4
MIN_TAIL_SPLIT = 9  # known words this long are also read as head + known tail


class Alt(NamedTuple):
    """One way to find a slot: all `keys` present in a code's texts."""

    keys: tuple[str, ...]
    weight: float
    label: str


class Slot(NamedTuple):
    alts: tuple[Alt, ...]
    written: str


class Option(NamedTuple):
    slots: tuple[Slot, ...]
    weight: float
    strict: bool  # all slots must be found (else partial credit by share found)


class Concept(NamedTuple):
    written: str
    options: tuple[Option, ...]


def plan(index: Index, query: str) -> list[Concept]:
    """The concepts of `query`, stop words dropped."""
    words = [w for w in tokens(query)[:MAX_WORDS] if not is_stop(w)]
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_SYNONYM_WORDS, len(words) - i), 1, -1):
            run = words[i : i + n]
            keys = tuple(stem(fold(w)) for w in run)
            targets = index.synonyms.get(keys)
            if not targets:  # "artrose i kneet" for the line "artrose i kne"
                targets = index.synonyms.get(tuple(_definite(index, k) or k for k in keys))
            if targets:
                written = " ".join(run)
                alts = tuple(_synonym_alt(written, t, SYNONYM) for t in targets)
                together = Option(tuple(_word_slot(index, w) for w in run), EXACT, strict=False)
                concepts.append(
                    Concept(written, (Option((Slot(alts, written),), 1.0, True), together))
                )
                i += n
                break
        else:
            concepts.append(_word_concept(index, words[i]))
            i += 1
    return concepts


def _word_concept(index: Index, word: str) -> Concept:
    folded = fold(word)
    k = stem(folded)
    alts = list(_own_alts(index, word, k))
    options: list[Option] = []
    known = bool(alts) or folded in index.words
    common = len(index.postings.get(k, ())) > MAX_SPLIT_DF
    split = None if common else index.split(folded)
    if not known and split is None:
        alts.extend(_typo_alts(index, word, folded))
        if not any(alt.weight >= TYPO_1 for alt in alts):
            split = index.split(folded, partial=True)
    elif split is None and not common and len(folded) >= MIN_TAIL_SPLIT:
        split = tail_split(folded, index.words)  # "coxsackie|virus": the tail says what it is
    if split is not None:
        part_keys = tuple(stem(p) for p in split.parts)
        shown = "+".join(index.display.get(p, p) for p in split.parts)
        for target in index.synonyms.get(part_keys, []):
            alts.append(_synonym_alt(shown, target, PART_SYNONYM))
        slots = tuple(
            _word_slot(index, index.display.get(p, p), folded_part=p) if part_known else Slot((), p)
            for p, part_known in zip(split.parts, split.known, strict=True)
        )
        options.append(Option(slots, COMPOUND, strict=False))
    if not known:
        if len(folded) >= MIN_TAIL:
            for longer in index.containing(folded):
                lk = stem(longer)
                if lk in index.postings:
                    shown = f"{word} (del av «{_show(index, longer)}»)"
                    alts.append(Alt((lk,), TAIL, shown))
        if len(folded) >= MIN_COMPLETION:
            for completion in index.completions(folded, limit=5):
                ck = stem(completion)
                shown = f"{word}… → {_show(index, completion)}"
                if ck in index.postings:
                    alts.append(Alt((ck,), COMPLETION, shown))
                for target in index.synonyms.get((ck,), []):
                    alts.append(_synonym_alt(shown, target, COMPLETION))
    if alts:
        options.insert(0, Option((Slot(tuple(alts), word),), 1.0, True))
    return Concept(word, tuple(options))


def _own_alts(index: Index, word: str, k: str) -> list[Alt]:
    alts = []
    if k in index.postings:
        alts.append(Alt((k,), EXACT, word))
    bare = _definite(index, k)
    if bare is not None:
        alts.append(Alt((bare,), INFLECTED, f"{word} → {bare}"))
    for target in index.synonyms.get((k,), []):
        alts.append(_synonym_alt(word, target, SYNONYM))
    return alts


def _definite(index: Index, k: str) -> str | None:
    """The key without a definite or plural ending the stemmer leaves on short words.

    Snowball keeps "øret" and "hjertet" whole (the ending is outside its R1 region), but the
    code texts say "øre" and "hjerte".
    """
    if len(k) > MAX_SHORT:
        return None
    for ending in _ENDINGS:
        if k.endswith(ending) and len(k) - len(ending) >= MIN_BARE:
            bare = stem(k[: -len(ending)])
            if bare != k and bare in index.postings:
                return bare
    return None


def _word_slot(index: Index, word: str, folded_part: str | None = None) -> Slot:
    """A slot for one word (or compound part): the word itself and its synonyms."""
    k = stem(folded_part if folded_part is not None else fold(word))
    return Slot(tuple(_own_alts(index, word, k)), word)


def _typo_alts(index: Index, word: str, folded: str) -> list[Alt]:
    if len(folded) < MIN_TYPO or not folded.isalpha():
        return []
    limit = 1 if len(folded) <= 7 else 2
    found = []
    for first in (folded[0], ""):  # same first letter first; the whole vocabulary if none
        pool = index.pool(len(folded), limit, first)
        found = process.extract(folded, pool, scorer=OSA.distance, score_cutoff=limit, limit=12)
        if found:
            break
    ranked = sorted(found, key=lambda f: (f[1], -index.word_counts.get(f[0], 0)))[:3]
    alts = []
    for corrected, distance, _ in ranked:
        weight = TYPO_1 if distance <= 1 else TYPO_2
        ck = stem(corrected)
        shown = _show(index, corrected)
        if ck in index.postings:
            alts.append(Alt((ck,), weight, f"{word} → {shown} (skrivefeil)"))
        for target in index.synonyms.get((ck,), []):
            alts.append(_synonym_alt(f"{word} → {shown}", target, weight * SYNONYM))
    return alts


def _synonym_alt(written: str, target: SynonymTarget, weight: float) -> Alt:
    return Alt(target.keys, weight, f"{written} → {target.target} ({target.label})")


def _show(index: Index, folded: str) -> str:
    return index.display.get(folded, folded)
