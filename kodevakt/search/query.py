"""From what a coder types to a plan of what to look for in the index.

A query becomes a list of concepts, one per word (or per run of words that a synonym names:
"høyt blodtrykk"). A concept has options, each a list of slots that should all be found in a
code's texts; a slot has alternative ways to be found (alternatives), each a tuple of index keys
that must all be present, with a weight for how sure that way is:

- the word itself (1.0), or without a definite ending the stemmer leaves on short words
  ("øret" → "øre", 0.9; only an ending the written word has);
- a synonym of the word, or of its compound parts read together (0.95, 0.9; a term's later
  lines count less than its first, its main sense);
- its compound parts as separate slots (0.85 for the option; a partly found compound scores
  by the share of parts found); a word found in many codes is not also split;
- the Norwegian words of its Greek and Latin elements as separate slots ("kolecystitt":
  galleblære + betennelse, 0.85), so a Greek query finds a Norwegian code text and the other
  way round (the index reads code texts the same way);
- for a word the vocabulary lacks: longer words it ends ("gikt" in "urinsyregikt", 0.75; a word
  found so is a word of its own, and corrections of it count less), a typo correction (0.8 at
  one edit, 0.65 at two, only the nearest; edits are tried among words with the same first
  letter, then among all; a word that splits cleanly into known words is a compound and is not
  corrected, and a split into chance pieces gives way to a one-edit correction: "hjerte|inf|akt"
  is "hjerteinfarkt"), completions of an unfinished word (0.6) and, as a last resort, the few
  words that share its beginning (0.5). An unknown half of a compound is looked up the same way.

A word written in capitals is an abbreviation: found as written or through the abbreviation
list, never guessed. Stop words ("i", "som", "av") are dropped. `procedure_intent` says whether
the query asks for a procedure ("fjerning av", "sying", "røntgen", "-ektomi"). Scoring is
`scoring.py`'s job.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kodevakt.search.compounds import MIN_PART, Split, tail_split
from kodevakt.search.index import Index, SynonymTarget
from kodevakt.search.morphemes import load_morphemes
from kodevakt.search.text import capital_words, fold, is_stop, stem, tokens

MAX_WORDS = 12  # longer queries are cut: nobody types a discharge summary into a search box
MAX_SYNONYM_WORDS = 4

EXACT, SYNONYM, PART_SYNONYM, COMPOUND = 1.0, 0.95, 0.9, 0.85
TYPO_1, TYPO_2, COMPLETION, TAIL = 0.8, 0.65, 0.6, 0.75
REAL_WORD_TYPO = 0.8  # a correction of a word that is the tail of longer words counts less
MIN_TAIL = 4  # an unknown word this long is looked for as the tail of longer words
WEAK_PARTS = 3  # a split of an unknown word into this many parts or more is read as a typo
PREFIX = 0.5  # a word that only shares its beginning with the unknown word
ROOTS_ONLY = 0.8  # a code matching a Greek word's roots but not what its ending means
MIN_PART_TYPO = 7  # an unknown compound half this long may be a typo of a known word
MIN_PREFIX_WORD, MIN_SHARED, MAX_PREFIX_WORDS = 8, 6, 3
INFLECTED = 0.9
MIN_TYPO = 4  # shorter words are not corrected
MAX_SHORT = 7  # longest key checked for a definite ending
MIN_BARE = 3
MAX_SPLIT_DF = 3  # a word found in more codes than this is not also read as a compound
_ENDINGS = ("ene", "ane", "et", "en", "a", "t", "n")
MIN_COMPLETION = 4
MIN_TAIL_SPLIT = 9  # known words this long are also read as head + known tail

# Words that ask for a procedure rather than a diagnosis: what is done, and how it is seen.
# fmt: off
PROCEDURE_WORDS = (
    "fjerning", "fjerne", "fjernet", "sying", "sy", "sydd", "sutur", "suturering", "operasjon",
    "operere", "operert", "innleggelse", "innlegging", "innsetting", "reposisjon", "reponering",
    "reponert", "eksisjon", "reseksjon", "biopsi", "punksjon", "drenasje", "drenering",
    "tømming", "evakuering", "transplantasjon", "implantasjon", "røntgen", "rtg", "rg", "ct",
    "mr", "ultralyd", "ul", "scintigrafi", "bandasje", "gips", "stent", "laparoskopisk",
    "endoskopisk", "kikkhullsoperasjon", "osteosyntese", "margnagle", "utforskende", "kateter",
)
# fmt: on
_PROCEDURE_MEANINGS = frozenset(["fjerning", "apning", "sutur", "fiksering", "undersokelse"])


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
    capitals = capital_words(query)
    words = [w for w in tokens(query)[:MAX_WORDS] if not is_stop(w)]
    concepts: list[Concept] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_SYNONYM_WORDS, len(words) - i), 1, -1):
            run = words[i : i + n]
            keys = tuple(stem(fold(w)) for w in run)
            targets = index.synonyms.get(keys)
            if not targets:  # "artrose i kneet" for the line "artrose i kne"
                bare = tuple(
                    _definite(index, k, fold(w)) or k for k, w in zip(keys, run, strict=True)
                )
                targets = index.synonyms.get(bare)
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
            concepts.append(_word_concept(index, words[i], capital=words[i] in capitals))
            i += 1
    return concepts


def procedure_intent(query: str) -> bool:
    """Whether the query asks for a procedure: it names an operation, an examination or a
    device ("fjerning av", "sying", "røntgen", "innleggelse av stent"), or holds a word whose
    Greek ending names one ("-ektomi", "-tomi", "-skopi")."""
    return any(names_procedure(word) for word in tokens(query)[:MAX_WORDS])


def names_procedure(word: str) -> bool:
    """Whether one written word names a procedure (see `procedure_intent`)."""
    folded = fold(word.lower())
    if stem(folded) in _procedure_keys():
        return True
    meaning = load_morphemes().read(folded)
    return meaning is not None and bool(meaning) and meaning[-1] in _PROCEDURE_MEANINGS


@cache
def _procedure_keys() -> frozenset[str]:
    return frozenset(stem(fold(w)) for w in PROCEDURE_WORDS)


def _word_concept(index: Index, word: str, *, capital: bool = False) -> Concept:
    """One query word as a concept: the word, its synonyms, its compound parts, the Norwegian
    words of its Greek elements and, for a word the vocabulary lacks, what it may have meant.

    A word written in capitals is an abbreviation: it is found as written or through the
    abbreviation list, never by guessing ("ACS" is no typo of "akse").
    """
    folded = fold(word)
    k = stem(folded)
    alts = list(_own_alts(index, word, k, folded))
    options: list[Option] = []
    known = bool(alts) or folded in index.words
    common = len(index.postings.get(k, ())) > MAX_SPLIT_DF
    split = None if common else index.split(folded)
    if not known and not capital:
        # A word that splits cleanly into known words is a compound: not a typo of a word two
        # letters away ("magesekk|betennelse" is no "tåresekkbetennelse"), nor the end of a
        # longer one ("spyttkjertel|betennelse" is no "bukspyttkjertelbetennelse").
        clean = split is not None and not _weak(split)
        tails = [] if clean else _tail_alts(index, word, folded)
        completions = _completion_alts(index, word, folded)
        # An unfinished word ("hjertesv…") is not one two edits from another ("hjerte").
        edits = 1 if completions else 2
        typos = [] if clean else _typo_alts(index, word, folded, real=bool(tails), edits=edits)
        if split is not None and _weak(split) and any(t.weight >= TYPO_1 for t in typos):
            split = None  # "hjerte|inf|akt" is "hjerteinfarkt" mistyped, not a compound
        alts.extend(tails)
        alts.extend(typos)
        if split is None and not any(alt.weight >= TYPO_1 for alt in alts):
            split = index.split(folded, partial=True)
        alts.extend(completions)
        if not alts and split is None:
            alts.extend(_prefix_alts(index, word, folded))
    elif split is None and not common and len(folded) >= MIN_TAIL_SPLIT:
        split = tail_split(folded, index.words)  # "coxsackie|virus": the tail says what it is
    if split is not None:
        part_keys = tuple(stem(p) for p in split.parts)
        shown = "+".join(index.display.get(p, p) for p in split.parts)
        for target in index.synonyms.get(part_keys, []):
            alts.append(_synonym_alt(shown, target, PART_SYNONYM))
        slots = tuple(
            _word_slot(index, index.display.get(p, p), folded_part=p)
            if part_known
            else _unknown_part(index, p)
            for p, part_known in zip(split.parts, split.known, strict=True)
        )
        options.append(Option(slots, COMPOUND, strict=False))
    elements = load_morphemes().parts(folded)
    if elements:
        # Every part, or the roots alone for a little less ("nevropati" in "nevrologiske
        # komplikasjoner"); never the ending alone: a code that shares only "fjerning" or
        # "betennelse" has nothing to do with the word.
        roots, ending = elements
        for words, weight in ((roots + ending, COMPOUND), (roots, COMPOUND * ROOTS_ONLY)):
            slots = tuple(_word_slot(index, index.display.get(w, w), folded_part=w) for w in words)
            options.append(Option(slots, weight, strict=True))
            if not ending:
                break
    if alts:
        options.insert(0, Option((Slot(tuple(alts), word),), 1.0, True))
    return Concept(word, tuple(options))


def _weak(split: Split) -> bool:
    """A split that reads like chance rather than a compound: three parts or more, or a part of
    three letters ("inf", "akt")."""
    return len(split.parts) >= WEAK_PARTS or any(len(p) <= MIN_PART for p in split.parts)


def _unknown_part(index: Index, part: str) -> Slot:
    """The unknown half of a compound, found as the start of a longer word
    ("synacthen|test" → "synacthenstimulering") or, mistyped, by correction; else nothing."""
    alts: list[Alt] = []
    if len(part) >= MIN_COMPLETION and part.isalpha():
        alts.extend(_completion_alts(index, part, part))
        if len(part) >= MIN_PART_TYPO:  # "stopp" is no typo of "sopp"
            alts.extend(a for a in _typo_alts(index, part, part) if a.weight >= TYPO_1)
    return Slot(tuple(alts), part)


def _own_alts(index: Index, word: str, k: str, folded: str | None = None) -> list[Alt]:
    alts = []
    if k in index.postings:
        alts.append(Alt((k,), EXACT, word))
    bare = _definite(index, k, folded if folded is not None else fold(word))
    if bare is not None:
        alts.append(Alt((bare,), INFLECTED, f"{word} → {bare}"))
    for target in index.synonyms.get((k,), []):
        alts.append(_synonym_alt(word, target, SYNONYM))
    return alts


def _definite(index: Index, k: str, folded: str) -> str | None:
    """The key without a definite or plural ending the stemmer leaves on short words.

    Snowball keeps "øret" and "hjertet" whole (the ending is outside its R1 region), but the
    code texts say "øre" and "hjerte". The ending must be the written word's own ending: the
    stem "beten" of "betennelse" ends in "en", but "betennelse" is no definite form of "bet".
    """
    if len(k) > MAX_SHORT:
        return None
    for ending in _ENDINGS:
        if k.endswith(ending) and folded.endswith(ending) and len(k) - len(ending) >= MIN_BARE:
            bare = stem(k[: -len(ending)])
            if bare != k and bare in index.postings:
                return bare
    return None


def _word_slot(index: Index, word: str, folded_part: str | None = None) -> Slot:
    """A slot for one word (or compound part): the word itself and its synonyms."""
    folded = fold(folded_part) if folded_part is not None else fold(word)
    return Slot(tuple(_own_alts(index, word, stem(folded), folded)), word)


def _typo_alts(
    index: Index, word: str, folded: str, *, real: bool = False, edits: int = 2
) -> list[Alt]:
    """Corrections of a word the vocabulary lacks, at most `edits` edits away (one for words of
    seven letters or fewer). With `real`, the word is known as the end of longer words ("gikt" in
    "urinsyregikt"): it is a word of its own, and a correction counts for less than reading it
    as written."""
    if len(folded) < MIN_TYPO or not folded.isalpha():
        return []
    limit = min(edits, 1 if len(folded) <= 7 else 2)
    found = []
    for first in (folded[0], ""):  # same first letter first; the whole vocabulary if none
        pool = index.pool(len(folded), limit, first)
        found = process.extract(folded, pool, scorer=OSA.distance, score_cutoff=limit, limit=12)
        if found:
            break
    ranked = sorted(found, key=lambda f: (f[1], -index.word_counts.get(f[0], 0)))[:3]
    if ranked:  # a correction at one edit makes those at two edits implausible
        nearest = ranked[0][1]
        ranked = [f for f in ranked if f[1] == nearest]
    alts = []
    for corrected, distance, _ in ranked:
        weight = TYPO_1 if distance <= 1 else TYPO_2
        if real:
            weight *= REAL_WORD_TYPO
        ck = stem(corrected)
        shown = _show(index, corrected)
        if ck in index.postings:
            alts.append(Alt((ck,), weight, f"{word} → {shown} (skrivefeil)"))
        for target in index.synonyms.get((ck,), []):
            alts.append(_synonym_alt(f"{word} → {shown}", target, weight * SYNONYM))
    return alts


def _tail_alts(index: Index, word: str, folded: str) -> list[Alt]:
    """Longer words that end in an unknown word ("gikt" → "urinsyregikt", "pacemaker" →
    "hjertepacemaker"): the word is then a word of its own, the last part of compounds."""
    if len(folded) < MIN_TAIL or not folded.isalpha():
        return []
    alts = []
    for longer in index.containing(folded):
        lk = stem(longer)
        shown = f"{word} (del av «{_show(index, longer)}»)"
        if lk in index.postings:
            alts.append(Alt((lk,), TAIL, shown))
        for target in index.synonyms.get((lk,), []):
            alts.append(_synonym_alt(shown, target, TAIL * SYNONYM))
    return alts


def _prefix_alts(index: Index, word: str, folded: str) -> list[Alt]:
    """Last resort for a long unknown word: the few vocabulary words that share its beginning
    ("synacthentest" → "synacthenstimulering"), the longest shared beginning first."""
    if len(folded) < MIN_PREFIX_WORD or not folded.isalpha():
        return []
    for length in range(len(folded) - 1, MIN_SHARED - 1, -1):
        found = index.completions(folded[:length], limit=MAX_PREFIX_WORDS + 1)
        if len(found) > MAX_PREFIX_WORDS:
            return []  # a beginning this common says nothing
        if found:
            return [
                Alt((stem(w),), PREFIX, f"{word} ~ {_show(index, w)}")
                for w in found
                if stem(w) in index.postings
            ]
    return []


def _completion_alts(index: Index, word: str, folded: str) -> list[Alt]:
    """Words an unfinished word may be the start of ("pneumok" → "pneumokokk")."""
    if len(folded) < MIN_COMPLETION:
        return []
    alts = []
    for completion in index.completions(folded, limit=5):
        ck = stem(completion)
        shown = f"{word}… → {_show(index, completion)}"
        if ck in index.postings:
            alts.append(Alt((ck,), COMPLETION, shown))
        for target in index.synonyms.get((ck,), []):
            alts.append(_synonym_alt(shown, target, COMPLETION))
    return alts


def _synonym_alt(written: str, target: SynonymTarget, weight: float) -> Alt:
    return Alt(target.keys, weight * target.weight, f"{written} → {target.target} ({target.label})")


def _show(index: Index, folded: str) -> str:
    return index.display.get(folded, folded)
