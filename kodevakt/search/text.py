"""From written words to index keys: tokens, spelling folding and Norwegian stemming.

Every word, in a code text, a synonym line or a query, goes through the same `key` function,
so the two sides always meet. A key is built in three steps:

1. **Folding** (`fold`): lower case, accents stripped, and the letters æ, ø, å and the ways
   people type them without a Norwegian keyboard (ae, oe, aa, a, o) brought to one form. The same
   step folds Latin and English spellings onto Norwegian ones where the difference is spelling
   only (ph/f, th/t, ch/k, c/k/s, x/ks, z/s) and a few Latin endings (-itis/-itt, -osis/-ose,
   -oma/-om, -ia/-i), so that "cystitis", "cystitt" and "pneumonia"/"pneumoni" meet.
2. **Stemming** with the Snowball Norwegian stemmer (PyStemmer), so inflections meet
   ("lungene", "lunge"; "svulster", "svulst").
3. Doubled consonants are collapsed after stemming ("sykdommer", "sykdom"; "akutt", "akut").

Folding runs before stemming, on both sides, so the stemmer only ever sees ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints

_STEMMER = Stemmer.Stemmer("norwegian")

# Words and numbers; Norwegian letters count as letters, "type 4a" keeps "4a".
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MIN_CAPS, MAX_CAPS = 2, 6  # a word in capitals this long is read as an abbreviation

# Words that carry no meaning of their own in a code text or a query. "med" and "uten" are not
# here: they separate "med komplikasjoner" from "uten komplikasjoner". The words for "caused by"
# are: code texts say "som skyldes", "forårsaket av" and "forårs. av" for the same thing, and
# clinicians add "pga" and "grunnet".
# fmt: off
STOP_WORDS = frozenset([
    "i", "og", "av", "som", "ved", "hos", "for", "til", "på", "pa", "fra", "en", "et", "ei",
    "den", "det", "de", "eller", "om", "under", "over", "etter", "mot", "inn", "ut", "the",
    "of", "and", "in", "to", "a", "an", "by", "due", "with", "or", "on", "at", "from", "as",
    "skyldes", "forårsaket", "forårs", "forarsaket", "forars", "pga", "grunnet"
])
# fmt: on

# Qualifiers that make a code text longer without narrowing what it is about; they do not count
# in a text's length, so "Uspesifisert pneumoni" is as close a match for "pneumoni" as "Pneumoni",
# and "Fettlever, ikke klassifisert annet sted" (IKAS, INA: «ikke nærmere angitt», «uten
# opplysning om») as "Fettlever". "Essensiell", "primær" and "idiopatisk" say that no cause is
# known, which is what a disease's bare name means ("Essensiell (primær) hypertensjon").
# fmt: off
QUALIFIERS = frozenset([
    "uspesifisert", "upesifisert", "spesifisert", "annen", "annet", "andre", "ikke",
    "klassifisert", "uspes", "spes", "klass", "other", "unspecified", "specified", "classified",
    "elsewhere", "not",
    "sted", "ikas", "ina", "nærmere", "angitt", "opplysning", "essensiell", "primær",
    "idiopatisk"
])
# fmt: on

_LATIN_ENDINGS = (
    ("itis", "it"), ("osis", "ose"), ("oma", "om"), ("ia", "i"),
    # Latin adjectives and their Norwegian forms: "lobaris"/"lobær", "femoralis"/"femoral",
    # "ulcerosa"/"ulcerøs", "chronica"/"kronisk"
    ("aris", "er"), ("alis", "al"), ("osa", "os"), ("osum", "os"), ("osus", "os"),
    ("ika", "isk"), ("ikus", "isk"), ("ikum", "isk"),  # -ica, -icus, -icum after c → k
)  # fmt: skip
# English and Latin -tion/-sion/-tio are Norwegian -sjon ("infection", "infeksjon"; "depression",
# "depresjon"; "retentio", "retensjon"), checked after c has become k ("infektion").
_SJON_ENDINGS = (
    ("ssion", "sjon"), ("tion", "sjon"), ("sion", "sjon"), ("tio", "sjon"), ("sio", "sjon")
)  # fmt: skip
_DIGRAPHS = (
    ("ph", "f"),
    ("th", "t"),
    ("ch", "k"),
    ("qu", "kv"),
    ("ae", "e"),
    ("oe", "o"),
    ("aa", "a"),
)
_LETTERS = str.maketrans({"æ": "e", "ø": "o", "å": "a", "x": "ks", "z": "s", "w": "v"})
_C_SOFT = re.compile(r"c(?=[eiy])")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1+")  # doubled consonants ("kneet" keeps ee)
_EL_PLURAL = re.compile(r"([bdgkpstv])l$")  # "legemidl" (from "legemidler") → "legemidel"


def tokens(text: str) -> list[str]:
    """The words of `text` as written (lower case), in order."""
    return _TOKEN.findall(text.lower())


def capital_words(text: str) -> frozenset[str]:
    """The words `text` writes in capitals ("KOLS", "ACS"), lower-cased: abbreviations."""
    return frozenset(
        w.lower() for w in _TOKEN.findall(text) if w.isupper() and MIN_CAPS <= len(w) <= MAX_CAPS
    )


@lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    """Spelling-folded form of one lower-case word (see the module docstring)."""
    if word.isdigit():
        return word
    text = word.lower().translate(_LETTERS)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    latin_plural = text.endswith("ae")  # "pneumoniae" is a species name, not "pneumoni"
    for old, new in _DIGRAPHS:
        text = text.replace(old, new)
    if latin_plural:
        text += "a"
    text = _C_SOFT.sub("s", text).replace("c", "k")
    if len(text) > 4:
        for old, new in _LATIN_ENDINGS + _SJON_ENDINGS:
            if text.endswith(old):
                text = text[: -len(old)] + new
                break
    return text


@lru_cache(maxsize=65_536)
def stem(folded: str) -> str:
    """Snowball Norwegian stem of an already folded word, doubled consonants collapsed.

    Doubled consonants are collapsed here and not in `fold`, so that compound splitting still sees
    the boundary in "ankel|ligament". Nouns in -el lose the e in the plural ("legemiddel",
    "legemidler"; "muskel", "muskler"); Snowball leaves "legemidl", so the e is put back.
    """
    if len(folded) <= 3 or not folded.isalpha():
        return _DOUBLE.sub(r"\1", folded)
    stemmed = _DOUBLE.sub(r"\1", _STEMMER.stemWord(folded))
    return _EL_PLURAL.sub(r"\1el", stemmed)


def key(word: str) -> str:
    """The index key of one written word: folded, then stemmed."""
    return stem(fold(word))


def is_stop(word: str) -> bool:
    return word in STOP_WORDS
