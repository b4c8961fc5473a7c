"""The search index: every searchable code as a document, and weighted postings per key.

Documents are the ICD-10 codes of the newest loaded release (chapters, blocks, headings and
reportable codes; WHO codes not used in Norway are left out) and the loaded procedure codes.
Each document has up to four fields, weighted by how much a match in them says:

- `no`: the Norwegian code text (60 characters in the embedded list), weight 1.0;
- `full`: the full Norwegian text, when an official list is loaded, 0.9;
- `en`: the WHO English title, 0.7;
- `ctx`: the parent's text, 0.3 (a terse sub-code inherits what its heading is about).

A posting says how strongly a key points at a document: field weight × how the key was found
(the word itself 1.0, an abbreviation in the text expanded 0.9, a part of a Norwegian compound
0.6, the known tail of a word with an unknown head 0.5, the Norwegian meaning of a Greek or
Latin element, Latin term or capitalised abbreviation in the text 0.6: "Splenektomi" is also
found by "milt" and "fjerning", "RG toraks" by "røntgen"; English titles are not split) × 0.3
for a word in a closing "uten …" clause (what the code says is absent) × a BM25 length factor
of the field (short texts that are mostly the query rank first; qualifiers like "uspesifisert"
and the "uten …" clause do not count in the length) × the key's IDF. Code-shaped synonym
targets get postings of their own, keyed `=CODE`.

Each document has a prior: reportable codes 1.0, headings 0.85, blocks 0.7, chapters 0.6,
procedure codes 0.7 (a diagnosis word finds the diagnosis first; a procedure query lifts it,
see `scoring.py`), "Annen spesifisert …" codes 0.95 of that, and the family's plain code (the
".9" code of a category, or a category that says "Uspesifisert …") 1.15.

The vocabulary of the code texts and the synonym list (folded words) serves compound splitting,
typo correction and completion. Building takes about a second; `persist.py` keeps built indexes.
"""

from __future__ import annotations

import gc
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.model import Code, Level, System
from kodevakt.codes.release import CodeList, Family
from kodevakt.search.compounds import MIN_PART, Split, split_compound, tail_split
from kodevakt.search.morphemes import Morphemes, load_morphemes
from kodevakt.search.synonyms import KIND_LABEL, Kind, Synonym
from kodevakt.search.text import QUALIFIERS, STOP_WORDS, fold, key, stem

FIELD_WEIGHT = {"no": 1.0, "full": 0.9, "en": 0.7, "ctx": 0.3}
WORD, EXPANDED, PART, TAIL_PART = 1.0, 0.9, 0.6, 0.5  # how a key was found in a field
MEANING = 0.6  # a Norwegian word a Greek or Latin word of the text stands for ("Splenektomi": milt)
WITHOUT_CLAUSE = 0.3  # a word after "uten": the code says it is absent
SECONDARY_SENSE = 0.85  # a synonym line that is not the first of its term
K1, B = 1.2, 0.75  # BM25 length normalisation

# Prior of a document by level: reportable codes first, then headings, blocks and chapters.
PRIOR = {Level.CODE: 1.0, Level.SUBCATEGORY: 1.0, Level.CATEGORY: 1.0, Level.BLOCK: 0.7}
HEADING_PRIOR = 0.85
# "Annen spesifisert X" is for a named kind the list lacks; a plain "X" means the unspecified code.
OTHER_PRIOR = 0.95
# The ".9" code of a category is the one a coder means by the disease's bare name ("diabetes type
# 2" is E11.9, not E11.6 "med andre spesifiserte komplikasjoner"); among siblings the query
# matches equally well, it comes first. A query that names more (a complication, a site) matches
# that sibling's words and wins on them.
DEFAULT_PRIOR = 1.15
OTHER_WORDS = frozenset({"annen", "annet", "andre"})
_UNSPECIFIED = ("uspesifisert", "upesifisert")
_UNSPECIFIED_WORDS = frozenset(["uspesifisert", "upesifisert", "uspes"])
_SPECIFIED_WORDS = frozenset(["spesifisert", "spes"])
# What a code text may leave open after "uspesifisert": where, which kind, what caused it.
# fmt: off
_OPEN_ATTRIBUTES = frozenset([
    "lokalisasjon", "lokalisering", "lok", "lokalis", "del", "type", "celletype", "årsak",
    "opprinnelse",
    "mikroorganisme", "komplikasjon", "komplikasjoner", "kompl", "nivå", "side", "grad",
    "stadium", "agens", "art", "organ", "kar", "vene", "arterie", "ledd", "sted",
])
# fmt: on
_LINKING = frozenset(["med", "uten", "m", "u"])  # join what a code text names; name nothing
_LINKING_WITH = frozenset(["med", "m"])
CHAPTER_PRIOR = 0.6
PROCEDURE_PRIOR = 0.7  # a diagnosis word finds the diagnosis before the operation for it

# Chapters whose codes apply only in a context: pregnancy (XV), the newborn (XVI), external
# causes (XX, additional codes) and contact reasons (XXI). Their codes rank a little lower unless
# the query names the context (a word found mostly in that chapter: "svangerskap", "nyfødt").
CONTEXT_CHAPTERS = ("XV", "XVI", "XX", "XXI")
CONTEXT_SHARE = 0.75  # share of a key's codes in one chapter that makes it that chapter's word
CONTEXT_MIN_DF = 3

# Abbreviations in the 60-character texts too short to expand by prefix.
SHORT_FORMS = {"m": "med", "u": "uten", "el": "eller", "ak": "akutt", "kr": "kronisk"}

# Synonyms whose term, found as a word of a code text, also gives the code the target's words:
# Latin terms ("Kilereseksjon av mamma" is about the breast) and, written in capitals in the
# text, abbreviations ("RG toraks" is an X-ray).
READ_KINDS = (Kind.LATIN, Kind.ABBREVIATION)

WITHOUT = "uten"
_WORD_DOT = re.compile(r"([^\W_]+)(\.?)", re.UNICODE)
_CAPS = re.compile(r"\b[A-ZÆØÅ]{2,6}\b")
_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")


class Doc(NamedTuple):
    """One searchable code."""

    code: str
    system: str
    text: str
    level: str
    reportable: bool
    chapter: str
    prior: float
    parent: str | None
    fields: tuple[tuple[str, str], ...]  # (field name, text)


class SynonymTarget(NamedTuple):
    """Where a synonym term leads: index keys (all required) or one `=CODE` key."""

    keys: tuple[str, ...]
    target: str
    label: str  # kind as shown in explanations ("synonym", "forkortelse", …)
    weight: float = 1.0  # a term's first line is its main sense; later lines count less


@dataclass(slots=True)
class Index:
    """Everything a query needs; plain containers, so it pickles fast."""

    docs: list[Doc]
    postings: dict[str, dict[int, float]]
    code_ids: dict[str, int]
    compact_codes: list[tuple[str, int]]  # (code without dot, upper case; doc id), sorted
    children: dict[str, list[str]]
    words: dict[str, str]  # folded vocabulary word → key
    display: dict[str, str]  # folded vocabulary word → its most common written form
    word_counts: dict[str, int]
    stems: set[str]
    sorted_words: list[str]
    reversed_words: list[str]  # vocabulary words spelled backwards, sorted (compound tails)
    norwegian_words: list[str]  # folded words of Norwegian texts, sorted (abbreviations)
    synonyms: dict[tuple[str, ...], list[SynonymTarget]]
    synonym_words: dict[str, str]  # folded synonym term (one word) → key
    expansions: dict[int, tuple[tuple[str, str], ...]]  # doc id → (abbreviation, word)
    context_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    splits: dict[str, Split | None] = field(default_factory=dict)  # code text words
    # folded term → keys of the words it stands for, read into code texts (see READ_KINDS)
    readings: dict[str, tuple[tuple[str, ...], bool]] = field(default_factory=dict)
    procedure_ids: frozenset[int] = frozenset()  # doc ids of procedure codes
    _own_words: dict[int, tuple[frozenset[str], ...]] = field(default_factory=dict)
    _field_words: dict[int, tuple[tuple[str, str, list[tuple[str, bool]]], ...]] = field(
        default_factory=dict
    )

    def names_with(self, doc_id: int) -> bool:
        """Whether a code's own text says "med" something ("med koma"), not "med uspesifisert
        …", which names nothing."""
        fields = self.field_words(doc_id)
        if not fields:
            return False
        words = [w for w, _ in fields[0][2]]
        return any(
            w in _LINKING_WITH and i + 1 < len(words) and words[i + 1] not in _UNSPECIFIED_WORDS
            for i, w in enumerate(words)
        )

    def field_words(self, doc_id: int) -> tuple[tuple[str, str, list[tuple[str, bool]]], ...]:
        """A code's fields as (name, text, words), tokenised once (explanations reread them)."""
        found = self._field_words.get(doc_id)
        if found is None:
            found = tuple((name, text, words_of(text)) for name, text in self.docs[doc_id].fields)
            self._field_words[doc_id] = found
        return found

    def own_words(self, doc_id: int) -> tuple[frozenset[str], ...]:
        """The words a code's own text is about, each as the keys it can be found by: its
        first field's content words before an "uten" clause, qualifiers left out."""
        found = self._own_words.get(doc_id)
        if found is None:
            found = _own_words(self, doc_id)
            self._own_words[doc_id] = found
        return found

    priors: list[float] = field(default_factory=list)  # doc id → prior (fast access)
    by_length: dict[int, list[str]] = field(default_factory=dict)
    _pools: dict[tuple[int, int, str], list[str]] = field(default_factory=dict)

    def split(self, folded: str, *, partial: bool = False) -> Split | None:
        return split_compound(folded, self.words, self.stems, stem, partial=partial)

    def completions(self, prefix: str, limit: int = 8, *, norwegian: bool = False) -> list[str]:
        """The most frequent vocabulary words that start with `prefix`."""
        pool = self.norwegian_words if norwegian else self.sorted_words
        start = bisect_left(pool, prefix)
        found: list[str] = []
        for word in pool[start:]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(word)
        found.sort(key=lambda w: -self.word_counts.get(w, 0))
        return found[:limit]

    def containing(self, tail: str, limit: int = 5) -> list[str]:
        """The most frequent vocabulary words that end in `tail` ("hjerte|pacemaker")."""
        backwards = tail[::-1]
        start = bisect_left(self.reversed_words, backwards)
        found: list[str] = []
        for word in self.reversed_words[start:]:
            if not word.startswith(backwards):
                break
            if len(word) >= len(tail) + MIN_PART:
                found.append(word[::-1])
        found.sort(key=lambda w: -self.word_counts.get(w, 0))
        return found[:limit]

    def pool(self, length: int, spread: int, first: str = "") -> list[str]:
        """Vocabulary words within `spread` letters of `length` (typo candidates), those
        starting with `first` when given (typos seldom hit the first letter)."""
        pool = self._pools.get((length, spread, first))
        if pool is None:
            pool = [
                w
                for n in range(length - spread, length + spread + 1)
                for w in self.by_length.get(n, [])
                if w.startswith(first)
            ]
            self._pools[(length, spread, first)] = pool
        return pool

    def code_prefix(self, prefix: str) -> list[int]:
        """Doc ids of codes whose compact form starts with `prefix`, in code order."""
        start = bisect_left(self.compact_codes, (prefix, -1))
        ids = []
        for compact, doc_id in self.compact_codes[start:]:
            if not compact.startswith(prefix):
                break
            ids.append(doc_id)
        return sorted(ids)

    def descendants(self, code: str) -> Iterator[str]:
        for child in self.children.get(code, []):
            yield child
            yield from self.descendants(child)


def source_lists(base: CodeBase) -> list[CodeList]:
    """The code lists the index covers: the newest ICD-10 and procedure releases."""
    lists = []
    for family in (Family.ICD10, Family.PROCEDURE):
        chosen = base.code_list(family)
        if chosen is not None:
            lists.append(chosen)
    return lists


def searchable(code: Code) -> bool:
    return not code.who_only and code.system is not System.ATC


def build_index(
    lists: Iterable[CodeList],
    synonyms: Iterable[Synonym],
    morphemes: Morphemes | None = None,
) -> Index:
    """Build the index over `lists` with the curated `synonyms` and word elements.

    The build allocates millions of small objects and frees none of them; the cyclic garbage
    collector, which would walk them again and again, is paused meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(lists, synonyms, morphemes or load_morphemes())
    finally:
        if enabled:
            gc.enable()


def _build(lists: Iterable[CodeList], synonyms: Iterable[Synonym], morphemes: Morphemes) -> Index:
    codes = [c for code_list in lists for c in code_list if searchable(c)]
    by_code = {c.code: c for c in codes}
    children: dict[str, list[str]] = defaultdict(list)
    for c in codes:
        if c.parent is not None and c.parent in by_code:
            children[c.parent].append(c.code)
    docs = [_doc(c, by_code, bool(children.get(c.code))) for c in codes]
    synonym_list = list(synonyms)

    # Words of every field, with the dot that marks an abbreviation.
    written: list[list[tuple[str, list[tuple[str, bool]]]]] = [
        [(name, words_of(text)) for name, text in doc.fields] for doc in docs
    ]
    counts: Counter[str] = Counter()
    forms: Counter[tuple[str, str]] = Counter()
    norwegian: set[str] = set()
    norwegian_forms: dict[str, str] = {}
    for doc_fields in written:
        for name, field_words in doc_fields:
            plain = [w for w, dotted in field_words if not dotted and _content(w)]
            forms.update((fold(w), w) for w in plain)
            if name in ("no", "full"):
                for w in plain:
                    norwegian_forms.setdefault(fold(w), w)
                norwegian.update(fold(w) for w in plain)
    for syn in synonym_list:
        forms.update((fold(w), w.lower()) for w in _plain_words(syn.term))
        if syn.code is None:
            forms.update((fold(w), w.lower()) for w in _plain_words(syn.target))
    display: dict[str, str] = {}
    for (folded, form), count in forms.most_common():
        counts[folded] += count
        display.setdefault(folded, form)
    display.update(norwegian_forms)  # show Norwegian spellings: "pneumoni", not "pneumonia"
    words = {w: stem(w) for w in counts}
    stems = {s for s in words.values() if len(s) >= MIN_PART}

    index = Index(
        docs=docs,
        postings={},
        code_ids={doc.code: i for i, doc in enumerate(docs)},
        compact_codes=sorted((_compact(doc.code), i) for i, doc in enumerate(docs)),
        children=dict(children),
        words=words,
        display=display,
        word_counts=dict(counts),
        stems=stems,
        sorted_words=sorted(words),
        reversed_words=sorted(w[::-1] for w in words),
        norwegian_words=sorted(norwegian),
        synonyms={},
        synonym_words={},
        expansions={},
    )
    splits: dict[str, Split | None] = {}
    index.readings = _readings(synonym_list)
    index.expansions = _expansions(docs, written, index, splits)
    _fill_postings(index, written, splits, morphemes)
    _add_synonyms(index, synonym_list)
    index.context_keys = _context_keys(index)
    index.splits = splits
    index.priors = [doc.prior for doc in docs]
    index.procedure_ids = frozenset(
        i for i, doc in enumerate(docs) if doc.system != System.ICD10.value
    )
    for word in index.words:
        index.by_length.setdefault(len(word), []).append(word)
    return index


def doc_terms(
    fields: list[tuple[str, list[tuple[str, bool]]]],
    expansions: tuple[tuple[str, str], ...],
    index: Index,
    splits: dict[str, Split | None],
    morphemes: Morphemes | None = None,
    caps: frozenset[str] = frozenset(),
) -> dict[str, tuple[float, str, str, str]]:
    """Keys of one document: key → (weight, field, how found, written word).

    Used to build the postings and, for the hits shown, to explain a match. `caps` are the
    words the Norwegian text writes in capitals (abbreviations).
    """
    terms: dict[str, tuple[float, str, str, str]] = {}
    elements = morphemes or load_morphemes()

    def put(k: str, weight: float, name: str, how: str, word: str) -> None:
        if k not in terms or terms[k][0] < weight:
            terms[k] = (weight, name, how, word)

    expanded = dict(expansions)
    for name, words in fields:
        field_base = FIELD_WEIGHT[name]
        without = _without_from(words)
        for position, (word, _dotted) in enumerate(words):
            if not _content(word):
                continue
            # What a code says it is without ("uten åpent sår") is no match for the word.
            base = field_base if position <= without else field_base * WITHOUT_CLAUSE
            folded = fold(word)
            put(stem(folded), base * WORD, name, "word", word)
            full = expanded.get(folded) if name == "no" else None
            if full is not None:
                put(stem(full), base * EXPANDED, name, "expanded", word)
                for part, factor in _known_parts(full, index, splits):
                    put(stem(part), base * EXPANDED * factor, name, "expanded", word)
                for k in _meaning_keys(full, index, elements, False):
                    put(k, base * EXPANDED * MEANING, name, "expanded", word)
            if name == "en":
                continue  # Greek and Latin composites ("chole|cystitis") are no Norwegian compounds
            parts = _known_parts(folded, index, splits)
            for part, factor in parts:
                put(stem(part), base * factor, name, "part", word)
            for read in (folded, *(part for part, _ in parts)):
                for k in _meaning_keys(read, index, elements, word in caps):
                    put(k, base * MEANING, name, "meaning", word)
    return terms


def _meaning_keys(folded: str, index: Index, morphemes: Morphemes, capitals: bool) -> list[str]:
    """Keys of the Norwegian words a text word stands for: a Latin term or, written in capitals,
    an abbreviation of the synonym lists, or its Greek and Latin elements."""
    found: list[str] = []
    reading = index.readings.get(folded)
    if reading is not None and (capitals or not reading[1]):
        found.extend(reading[0])
    meaning = morphemes.read(folded)
    if meaning:
        found.extend(stem(w) for w in meaning)
    return found


def locate(index: Index, doc_id: int, k: str) -> tuple[str, str, str] | None:
    """Where key `k` is found in a document: (field, how found, written word), or `None`.

    The same reading as `doc_terms`: a whole word first (fields are in weight order), then an
    expanded abbreviation, a compound part or the meaning of a word's elements; used to explain
    hits without rebuilding their terms.
    """
    fields = index.field_words(doc_id)
    for name, _text, words in fields:
        for word, _ in words:
            if _content(word) and stem(fold(word)) == k:
                return (name, "word", word)
    expanded = dict(index.expansions.get(doc_id, ()))
    morphemes = load_morphemes()
    for name, text, words in fields:
        if name == "en":
            continue
        caps = _capitals(text)
        for word, _ in words:
            if not _content(word):
                continue
            folded = fold(word)
            full = expanded.get(folded) if name == "no" else None
            if full is not None and stem(full) == k:
                return (name, "expanded", word)
            parts = _known_parts(folded, index, index.splits)
            if any(stem(part) == k for part, _ in parts):
                return (name, "part", word)
            if any(
                k in _meaning_keys(read, index, morphemes, word in caps)
                for read in (folded, *(part for part, _ in parts))
            ):
                return (name, "meaning", word)
    return None


def _own_words(index: Index, doc_id: int) -> tuple[frozenset[str], ...]:
    fields = index.field_words(doc_id)
    if not fields:
        return ()
    name, text, words = fields[0]
    expanded = dict(index.expansions.get(doc_id, ())) if name == "no" else {}
    caps = _capitals(text)
    morphemes = load_morphemes()
    found = []
    # What follows a later "uspesifisert" or "ikke spesifisert" is what the code leaves open
    # ("… med uspesifisert lokalisasjon", "Bronkitt, ikke spesifisert som akutt eller kronisk"),
    # and a bracket names the same thing again ("Panikklidelse [episodisk paroksysmal angst]").
    words = words_of(_BRACKETS.sub(" ", text))
    for word, _ in words[: _open_from(words)]:
        if not _content(word) or word in QUALIFIERS or word in _LINKING:
            continue
        folded = fold(word)
        keys = {stem(folded)}
        full = expanded.get(folded)
        if full is not None:
            keys.add(stem(full))
            folded = full
        if name != "en":
            parts = _known_parts(folded, index, index.splits)
            keys.update(stem(part) for part, _ in parts)
            for read in (folded, *(part for part, _ in parts)):
                keys.update(_meaning_keys(read, index, morphemes, word in caps))
        found.append(frozenset(keys))
    return tuple(found)


def _capitals(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _CAPS.findall(text))


def _readings(synonyms: list[Synonym]) -> dict[str, tuple[tuple[str, ...], bool]]:
    """One-word Latin terms and abbreviations with word targets: folded term → (target keys,
    whether it is an abbreviation and so read only where the text writes it in capitals)."""
    found: dict[str, tuple[tuple[str, ...], bool]] = {}
    for syn in synonyms:
        if syn.kind not in READ_KINDS or syn.code is not None:
            continue
        term_words = _plain_words(syn.term)
        target_keys = tuple(key(w) for w in _plain_words(syn.target))
        if len(term_words) != 1 or not target_keys:
            continue
        folded = fold(term_words[0])
        known, abbreviation = found.get(folded, ((), syn.kind is Kind.ABBREVIATION))
        found[folded] = (known + tuple(k for k in target_keys if k not in known), abbreviation)
    return found


def _known_parts(
    folded: str, index: Index, splits: dict[str, Split | None]
) -> list[tuple[str, float]]:
    """Known parts of a compound in a code text, each with its weight factor.

    A complete split gives PART; a word with only a known tail ("koks|artrose") gives its tail
    a little less.
    """
    if folded not in splits:
        splits[folded] = index.split(folded) or tail_split(folded, index.words)
    found = splits[folded]
    if found is None:
        return []
    factor = PART if found.complete else TAIL_PART
    # A part takes the Latin ending folding a whole word gets ("klamydia|infeksjon": klamydi).
    return [(fold(p), factor) for p, known in zip(found.parts, found.known, strict=True) if known]


def _fill_postings(
    index: Index,
    written: list[list[tuple[str, list[tuple[str, bool]]]]],
    splits: dict[str, Split | None],
    morphemes: Morphemes,
) -> None:
    lengths: list[dict[str, int]] = []
    totals: Counter[str] = Counter()
    present: Counter[str] = Counter()
    for doc_fields in written:
        sizes = {}
        for name, words in doc_fields:
            size = text_length(words)
            sizes[name] = size
            totals[name] += size
            present[name] += 1
        lengths.append(sizes)
    average = {name: totals[name] / present[name] for name in totals}

    raw: dict[str, dict[int, float]] = defaultdict(dict)
    for doc_id, doc_fields in enumerate(written):
        caps = frozenset(
            w
            for name, text in index.docs[doc_id].fields
            if name in ("no", "full")
            for w in _capitals(text)
        )
        terms = doc_terms(
            doc_fields, index.expansions.get(doc_id, ()), index, splits, morphemes, caps
        )
        sizes = lengths[doc_id]
        for k, (weight, name, _, _) in terms.items():
            norm = (K1 + 1) / (1 + K1 * (1 - B + B * sizes[name] / average[name]))
            raw[k][doc_id] = weight * norm
    total = len(index.docs)
    for k, docs in raw.items():
        weight = idf(len(docs), total)
        index.postings[k] = {d: w * weight for d, w in docs.items()}


def text_length(words: list[tuple[str, bool]]) -> int:
    """A field's length for BM25: its content words, leaving out qualifiers ("uspesifisert",
    "IKAS") and a closing part that says what the code leaves out or open ("… uten
    komplikasjoner", "… ikke spesifisert som akutt eller kronisk"), which marks the family's
    plain code rather than narrowing it."""
    end = _open_from(words)
    return sum(1 for w, _ in words[:end] if _content(w) and w not in QUALIFIERS) or 1


def _open_from(words: list[tuple[str, bool]]) -> int:
    """Position where a text stops naming what the code is: an "uten" clause, "ikke
    spesifisert …", or a later "uspesifisert" before what is left open ("… med uspesifisert
    lokalisasjon"; not "Demens ved uspesifisert Alzheimers sykdom", which is Alzheimer's)."""
    end = _without_from(words)
    for position, (word, _) in enumerate(words[:end]):
        if position == 0:
            continue
        after = words[position + 1][0] if position + 1 < len(words) else ""
        if (word in _UNSPECIFIED_WORDS and after in _OPEN_ATTRIBUTES) or (
            word in _SPECIFIED_WORDS and words[position - 1][0] == "ikke"
        ):
            return position
    return end


def _without_from(words: list[tuple[str, bool]]) -> int:
    """Position of the word "uten" that opens a closing clause (not the text's first word), or
    the number of words when there is none. The word "uten" itself stays a full match."""
    for position, (word, _) in enumerate(words):
        if word == WITHOUT and position > 0:
            return position
    return len(words)


def _context_keys(index: Index) -> dict[str, frozenset[str]]:
    """Per context chapter, the keys whose codes lie mostly in that chapter."""
    found: dict[str, set[str]] = {chapter: set() for chapter in CONTEXT_CHAPTERS}
    chapters = [doc.chapter for doc in index.docs]
    for k, docs in index.postings.items():
        if len(docs) < CONTEXT_MIN_DF or k.startswith("="):
            continue
        counts = Counter(chapters[d] for d in docs)
        chapter, count = counts.most_common(1)[0]
        if chapter in found and count >= CONTEXT_SHARE * len(docs):
            found[chapter].add(k)
    return {chapter: frozenset(keys) for chapter, keys in found.items()}


def idf(df: int, total: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def _add_synonyms(index: Index, synonyms: list[Synonym]) -> None:
    total = len(index.docs)
    senses: Counter[str] = Counter()  # lines seen per term
    for syn in synonyms:
        label = KIND_LABEL[syn.kind]
        term_words = _plain_words(syn.term)
        term_keys = tuple(key(w) for w in term_words)
        if not term_keys:
            continue
        if syn.code is not None:
            target_key = f"={syn.code}"
            if target_key not in index.postings:
                ids = [
                    index.code_ids[c]
                    for c in (syn.code, *index.descendants(syn.code))
                    if c in index.code_ids
                ]
                if not ids:
                    continue
                weight = idf(len(ids), total) * (K1 + 1) / (1 + K1 * (1 - B))
                index.postings[target_key] = {
                    d: weight * (1.0 if n == 0 else 0.9) for n, d in enumerate(ids)
                }
            target = SynonymTarget((target_key,), syn.code, label, _sense(senses, syn.term))
        else:
            target_keys = tuple(key(w) for w in _plain_words(syn.target))
            if not target_keys:
                continue
            target = SynonymTarget(target_keys, syn.target, label, _sense(senses, syn.term))
        keys_variants = {term_keys}
        if len(term_words) == 1:
            folded = fold(term_words[0])
            index.synonym_words[folded] = term_keys[0]
            found = index.split(folded)
            if found is not None and found.complete:
                keys_variants.add(tuple(stem(p) for p in found.parts))
        for variant in keys_variants:
            existing = index.synonyms.setdefault(variant, [])
            if target not in existing:
                existing.append(target)


def _sense(senses: Counter[str], term: str) -> float:
    """Weight of a term's next line: its first line names the main sense ("kreft" is "ondartet
    svulst" before it is "neoplastisk sykdom")."""
    folded = " ".join(fold(w) for w in _plain_words(term))
    senses[folded] += 1
    return 1.0 if senses[folded] == 1 else SECONDARY_SENSE


def _expansions(
    docs: list[Doc],
    written: list[list[tuple[str, list[tuple[str, bool]]]]],
    index: Index,
    splits: dict[str, Split | None],
) -> dict[int, tuple[tuple[str, str], ...]]:
    """Abbreviations in the Norwegian texts, expanded with words of the same family.

    "Hj.inf. forårs. av uspes. okkl. eller stenose i hj.art." is I63.5: its siblings say
    "hjerneinfarkt", "forårsaket" and "hjernearterier", so "hj" → hjerne and so on. A dotted
    abbreviation with no match in the family takes the most frequent Norwegian word it starts;
    an undotted last word (the 60-character texts are cut: "uten kompl") is expanded only from
    its family.
    """
    by_parent: dict[str, list[int]] = defaultdict(list)
    for doc_id, doc in enumerate(docs):
        if doc.parent is not None:
            by_parent[doc.parent].append(doc_id)
    families: dict[str, tuple[Counter[str], list[str]]] = {}
    memo: dict[tuple[str, str, bool], str | None] = {}

    def family_of(parent: str) -> tuple[Counter[str], list[str]]:
        if parent not in families:
            family: Counter[str] = Counter()
            for other in by_parent[parent]:
                for w, dotted in _norwegian(written[other]):
                    if dotted or not _content(w):
                        continue
                    folded = fold(w)
                    family[folded] += 1
                    family.update(p for p, _ in _known_parts(folded, index, splits))
            families[parent] = (family, sorted(family))
        return families[parent]

    found: dict[int, tuple[tuple[str, str], ...]] = {}
    for doc_id, doc in enumerate(docs):
        norwegian = _norwegian(written[doc_id])
        last = len(norwegian) - 1
        pairs = []
        for position, (w, dotted) in enumerate(norwegian):
            if not (dotted or position == last) or not _content(w) or not w.isalpha():
                continue
            folded = fold(w)
            parent = doc.parent or f"#{doc_id}"
            memo_key = (parent, folded, dotted)
            if memo_key not in memo:
                family = family_of(doc.parent) if doc.parent else (Counter(), [])
                memo[memo_key] = _expand(folded, dotted, family, index)
            full = memo[memo_key]
            if full is not None:
                pairs.append((folded, full))
        if pairs:
            found[doc_id] = tuple(pairs)
    return found


def _norwegian(doc_fields: list[tuple[str, list[tuple[str, bool]]]]) -> list[tuple[str, bool]]:
    """The words of a document's Norwegian code text (always its first field when present)."""
    return doc_fields[0][1] if doc_fields and doc_fields[0][0] == "no" else []


def _expand(
    folded: str, dotted: bool, family: tuple[Counter[str], list[str]], index: Index
) -> str | None:
    if dotted and folded in SHORT_FORMS:
        return fold(SHORT_FORMS[folded])
    if len(folded) < (2 if dotted else 4):
        return None
    own = stem(folded)
    counts, ordered = family
    candidates = []
    for word in ordered[bisect_left(ordered, folded) :]:
        if not word.startswith(folded):
            break
        if len(word) > len(folded) + 1 and stem(word) != own:
            candidates.append(word)
    if candidates:
        return max(candidates, key=lambda w: (counts[w], index.word_counts.get(w, 0)))
    if dotted and len(folded) >= 3:
        # The stem most words starting with the abbreviation share, in its most common form.
        by_stem: dict[str, list[str]] = defaultdict(list)
        for word in index.completions(folded, limit=50, norwegian=True):
            if len(word) > len(folded) + 1:
                by_stem[stem(word)].append(word)
        if by_stem:
            group = max(
                by_stem.values(), key=lambda ws: sum(index.word_counts.get(w, 0) for w in ws)
            )
            return max(group, key=lambda w: index.word_counts.get(w, 0))
    return None


def _doc(code: Code, by_code: dict[str, Code], has_children: bool) -> Doc:
    fields: list[tuple[str, str]] = []
    if code.text:
        fields.append(("no", code.text))
    if code.full_text and code.full_text != code.text:
        fields.append(("full", code.full_text))
    if code.text_en:
        fields.append(("en", code.text_en))
    parent = by_code.get(code.parent) if code.parent else None
    if parent is not None and parent.level is not Level.CHAPTER and parent.display_text:
        fields.append(("ctx", parent.display_text))
    if code.system is not System.ICD10:
        prior = PROCEDURE_PRIOR
    elif code.level is Level.CHAPTER:
        prior = CHAPTER_PRIOR
    elif not code.reportable and has_children:
        prior = min(PRIOR.get(code.level, 1.0), HEADING_PRIOR)
    else:
        prior = PRIOR.get(code.level, 1.0)
    if code.text and code.text.split(maxsplit=1)[0].lower() in OTHER_WORDS:
        prior *= OTHER_PRIOR
    if _family_default(code, has_children):
        prior *= DEFAULT_PRIOR
    chapter = _chapter(code, by_code)
    text = code.text or code.full_text or code.text_en or ""
    return Doc(
        code.code,
        code.system.value,
        text,
        code.level.value,
        code.reportable,
        chapter,
        prior,
        code.parent,
        tuple(fields),
    )


def _family_default(code: Code, has_children: bool) -> bool:
    """What a disease's bare name means: the ".9" code of an ICD-10 category, or a reportable
    category that says it is unspecified ("F03 Uspesifisert demens", "J22 Uspesifisert akutt
    infeksjon i nedre luftveier")."""
    if code.system is not System.ICD10 or not code.reportable:
        return False
    if len(code.code) == 5 and code.code[3] == ".":
        return code.code[4] == "9"
    if len(code.code) != 3:
        return False
    return code.unspecific or (code.text or "").lower().startswith(_UNSPECIFIED)


def _chapter(code: Code, by_code: dict[str, Code]) -> str:
    """ICD-10 chapter (Roman numeral) or the procedure chapter letter."""
    if code.system is not System.ICD10:
        return code.code[:1]
    current: Code | None = code
    seen: set[str] = set()
    while current is not None and current.level is not Level.CHAPTER:
        if current.parent is None or current.parent in seen:
            return ""
        seen.add(current.parent)
        current = by_code.get(current.parent)
    return current.code if current is not None else ""


def words_of(text: str) -> list[tuple[str, bool]]:
    """Lower-case words of `text`, each with whether a dot follows it."""
    return [(word, dot == ".") for word, dot in _WORD_DOT.findall(text.lower())]


def _plain_words(text: str) -> list[str]:
    return [w for w, _ in words_of(text) if _content(w)]


def _content(word: str) -> bool:
    return word not in STOP_WORDS


def _compact(code: str) -> str:
    return code.replace(".", "").upper()
