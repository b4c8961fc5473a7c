"""Clinical text as tokens with character offsets, each with a key that inflections share.

A discharge summary is read as a list of `Token`s: words, numbers and the punctuation that
matters to the reading (`?`, `:`, `;`, `,`, `-`, `/`, `+`, `(`, `)`), each with its place in the
text, so that every piece of evidence can be quoted and highlighted exactly. Sentences are
runs of tokens between a full stop, `!`, a line break or a bullet; a full stop after a known
clinical abbreviation (`ca.`, `pga.`, `st.p.`) does not end a sentence.

A word's `key` is what the phrase matcher and the context triggers compare: the word in lower
case, its spelling folded (Latin and Greek spellings onto Norwegian ones: `ph`→`f`, `th`→`t`,
`ch`→`k`, `c`→`k`/`s`, `x`→`ks`, `z`→`s`), stemmed with the Snowball Norwegian stemmer and
doubled consonants collapsed, so that "lungebetennelsen", "lungebetennelse", "pneumonien" and
"pneumoni" meet their lexicon entries. The search index does the same kind of thing for its
own purpose (`kodevakt.search`); this module keeps its own rules so that a change to how
queries are ranked can never change how a discharge summary is read.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints

_STEMMER = Stemmer.Stemmer("norwegian")

WORD = "word"
NUMBER = "number"
PUNCT = "punct"

# A word (letters, digits glued to letters as in "4a" or "covid19"), a number, or one mark.
_TOKEN = re.compile(r"[^\W\d_]+[\w]*|\d+(?:[.,]\d+)?[^\W\d_]*|[?:;,\-–/+()!.≥≤<>%]|\n", re.UNICODE)

# Abbreviations whose full stop is part of the word, not the end of a sentence.
# fmt: off
ABBREVIATIONS = frozenset([
    "ca", "pga", "evt", "ev", "bl", "a", "f", "eks", "st", "p", "s", "e", "tidl", "obs", "spm",
    "ift", "mtp", "vs", "dvs", "nr", "kl", "pt", "pas", "mg", "ml", "dr", "jf", "jfr", "ref",
    "etc", "mht", "iht", "vha", "pr", "ua", "ds", "diff", "susp", "ktr", "innl", "avd", "rtg",
    "beh", "komp", "hø", "ve", "bilat", "iv", "po", "tab", "stk", "kap",
])
# fmt: on

_LETTERS = str.maketrans({"æ": "e", "ø": "o", "å": "a", "x": "ks", "z": "s", "w": "v"})
_DIGRAPHS = (("ph", "f"), ("th", "t"), ("ch", "k"), ("qu", "kv"), ("ae", "e"), ("oe", "o"))
_C_SOFT = re.compile(r"c(?=[eiy])")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1+")


class Token(NamedTuple):
    """One word, number or mark of a text: where it is, as written, and its key."""

    start: int
    end: int
    text: str
    key: str
    kind: str

    @property
    def is_word(self) -> bool:
        return self.kind == WORD


@lru_cache(maxsize=131_072)
def word_key(word: str) -> str:
    """The matching key of one written word (see the module docstring)."""
    lower = word.lower()
    if lower.isdigit():
        return lower
    text = lower.translate(_LETTERS)
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
    for old, new in _DIGRAPHS:
        if old in text:
            text = text.replace(old, new)
    if "c" in text:
        text = _C_SOFT.sub("s", text).replace("c", "k")
    if len(text) > 3 and text.isalpha():
        text = _STEMMER.stemWord(text)
    return _DOUBLE.sub(r"\1", text)


def tokenize(text: str) -> list[Token]:
    """Every token of `text` in order; a line break is a token of its own (kind PUNCT)."""
    found: list[Token] = []
    append = found.append
    for match in _TOKEN.finditer(text):
        written = match.group()
        first = written[0]
        if first.isdigit():
            kind, key = NUMBER, written.lower()
        elif first.isalpha():
            kind, key = WORD, word_key(written)
        else:
            kind, key = PUNCT, written
        append(Token(match.start(), match.end(), written, key, kind))
    return found


def sentences(tokens: list[Token], text: str) -> list[tuple[int, int]]:
    """(first, last + 1) token indexes of every sentence, in order.

    A sentence ends at a line break, `!`, or a full stop that does not close a known
    abbreviation or a decimal number; the line break or mark itself is left out.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for i, token in enumerate(tokens):
        if token.kind != PUNCT:
            continue
        mark = token.text
        if mark == "\n" or mark == "!" or (mark == "." and _ends_sentence(tokens, i, text)):
            if i > start:
                spans.append((start, i))
            start = i + 1
    if start < len(tokens):
        spans.append((start, len(tokens)))
    return spans


def _ends_sentence(tokens: list[Token], i: int, text: str) -> bool:
    """Whether the full stop at `i` ends a sentence."""
    if i == 0:
        return True
    before = tokens[i - 1]
    glued = before.end == tokens[i].start
    if glued and before.is_word and (len(before.text) == 1 or before.text.lower() in ABBREVIATIONS):
        return False  # "ca.", "st.p.", and initials as in "E. coli", "C. difficile"
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is None:
        return True
    if glued and following.start == tokens[i].end:
        return False  # inside a word or number: a code (J18.1), a date (12.03), "e.coli"
    # an ordinal: "1. grads rift", "3. kur"
    return not (
        before.kind == NUMBER and glued and following.is_word and following.text[0].islower()
    )
