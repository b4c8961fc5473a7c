"""Greek and Latin word elements in medical words, read as the Norwegian words they stand for.

Code texts say "Kolecystitt", "Splenektomi" and "Eksisjon av aksillær lymfeknute"; clinicians
write "galleblærebetennelse", "fjerning av milten" and "lymfeknute i armhulen". A word made of
known roots (joined by the linking vowel o where Greek joins them) and an optional known ending
is read as the Norwegian words of its parts: "kolecyst|itt" → galleblære + betennelse,
"splen|ektomi" → milt + fjerning, "aksill|ær" → armhule. The index adds those words to the code
that holds the Greek word, and a query word is read the same way, so the two sides meet whichever
language each uses.

The list is `kodevakt/data/morphemes.tsv` (form, meaning, root or suffix, source). Forms are
folded like every other word (`text.fold`), so "cyst" is stored as it is typed after folding.
Only roots of the list are accepted, whole: a word is read only when every letter of it belongs
to a listed root, a linking vowel or a listed ending, which keeps ordinary words ("total",
"syndrom") out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from kodevakt.errors import CodeListError
from kodevakt.search.text import fold

MORPHEME_FILE = "morphemes.tsv"
_LINKS = ("o", "i")  # "torak-o-tomi", "kard-i-ologi": vowels that join Greek elements
MIN_WORD = 5  # shorter words are never read as elements ("otitt" is the shortest)
MIN_ROOT = 3  # two-letter roots ("ot", "ir") only stand alone before an ending
NO_MEANING = "-"  # an ending that only makes an adjective ("aksillær"): the root carries it


@dataclass(frozen=True, slots=True)
class Morphemes:
    """Roots and endings, folded, each with the Norwegian words it means."""

    roots: dict[str, tuple[str, ...]]
    suffixes: dict[str, tuple[str, ...]]
    _memo: dict[str, tuple[tuple[str, ...], tuple[str, ...]] | None] = field(
        default_factory=dict, compare=False
    )

    def read(self, folded: str) -> tuple[str, ...] | None:
        """The Norwegian words a folded word's elements mean, or `None` when it is not made of
        listed elements. Fewest roots win; a longer ending is tried before a shorter one."""
        found = self.parts(folded)
        return None if found is None else found[0] + found[1]

    def parts(self, folded: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """What the roots mean and what the ending means, apart (see `read`)."""
        if len(folded) < MIN_WORD or not folded.isalpha():
            return None
        if folded not in self._memo:
            self._memo[folded] = _read(self, folded)
        return self._memo[folded]


def _read(morphemes: Morphemes, word: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    for suffix in sorted(morphemes.suffixes, key=len, reverse=True):
        if not word.endswith(suffix) or len(word) - len(suffix) < 2:
            continue
        body = word[: -len(suffix)]
        roots = _roots(morphemes.roots, body)
        if roots is None and body[-1:] in _LINKS:
            roots = _roots(morphemes.roots, body[:-1])
        if roots is None:
            continue
        meaning = tuple(w for root in roots for w in morphemes.roots[root])
        return meaning, morphemes.suffixes[suffix]
    return None


def _roots(roots: dict[str, tuple[str, ...]], body: str) -> tuple[str, ...] | None:
    """`body` as a sequence of listed roots with optional linking vowels between them."""
    n = len(body)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for start in range(n):
        here = best[start]
        if here is None:
            continue
        if start > 0 and body[start] in _LINKS:
            _keep(best, start + 1, here)
        for end in range(start + 2, n + 1):
            piece = body[start:end]
            if len(piece) < MIN_ROOT and (start, end) != (0, n):
                continue  # "ot" is øre alone ("otitt"), never inside "nefr|ot|isk"
            if piece in roots:
                _keep(best, end, (*here, piece))
    return best[n] or None


def _keep(best: list[tuple[str, ...] | None], at: int, parts: tuple[str, ...]) -> None:
    current = best[at]
    if current is None or len(parts) < len(current):
        best[at] = parts


def parse_morphemes(text: str, file: str = MORPHEME_FILE) -> Morphemes:
    """Parse the TSV text of the element list; a malformed line is an error naming the line."""
    roots: dict[str, tuple[str, ...]] = {}
    suffixes: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if cells[:3] == ["form", "meaning", "kind"]:
            continue
        if len(cells) != 4 or not all(cells) or cells[2] not in ("root", "suffix"):
            raise CodeListError(
                "en linje i orddellisten må ha fire utfylte kolonner (form, betydning, "
                "root eller suffix, kilde) skilt med tabulator",
                file=file,
                line=number,
            )
        form, meaning, kind, _source = cells
        words = () if meaning == NO_MEANING else tuple(fold(w) for w in meaning.lower().split())
        (roots if kind == "root" else suffixes)[fold(form.lower())] = words
    return Morphemes(roots, suffixes)


def morpheme_text() -> str:
    """The raw text of the packaged list (hashed into the index cache key)."""
    return (files("kodevakt.data") / MORPHEME_FILE).read_text(encoding="utf-8")


@cache
def load_morphemes() -> Morphemes:
    return parse_morphemes(morpheme_text())
