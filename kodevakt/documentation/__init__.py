"""Reading Norwegian discharge summaries (epikriser), and checking the coding against them.

Layout, in the order a text meets it:

- `words.py`: tokens with character offsets, sentences, the word keys inflections share;
- `sections.py`: the sections of a discharge summary, by their headings;
- `lexicon.py` and `clinical_phrases.tsv`: clinical phrases and the codes they point to;
- `matcher.py`: the phrase matcher (longest match, gapped phrases, compounds via the code search);
- `context.py` and `context_triggers.tsv`: negation, uncertainty, history and family (NegEx/ConText);
- `mentions.py`: mentions and per-code results with their evidence;
- `main_condition.py`: the proposed main condition, checked against the rules;
- `reading.py`: `Reader`, which puts these together.
"""

from __future__ import annotations

from functools import cache

from kodevakt.codes.loading import default_codebase
from kodevakt.documentation.context import Certainty
from kodevakt.documentation.mentions import CodeFound, Kind, Mention
from kodevakt.documentation.reading import Reader, Reading
from kodevakt.documentation.sections import Section
from kodevakt.search import default_searcher

__all__ = [
    "Certainty",
    "CodeFound",
    "Kind",
    "Mention",
    "Reader",
    "Reading",
    "Section",
    "default_reader",
    "read_text",
]


@cache
def default_reader() -> Reader:
    """The reader over the default code base and its code search."""
    return Reader(default_codebase(), default_searcher())


def read_text(text: str) -> Reading:
    """Read one discharge summary with the default reader."""
    return default_reader().read(text)
