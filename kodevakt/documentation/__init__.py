"""Reading Norwegian discharge summaries (epikriser), and checking the coding against them.

Layout, in the order a text meets it:

- `words.py`: tokens with character offsets, sentences, the word keys inflections share;
- `sections.py`: the sections of a discharge summary, by their headings;
- `lexicon.py` and `clinical_phrases.tsv`: clinical phrases and the codes they point to;
- `matcher.py`: the phrase matcher (longest match, gapped phrases, compounds by code search);
- `context.py`, `context_triggers.tsv`: negation, uncertainty, history, family (NegEx/ConText);
- `mentions.py`: mentions and per-code results with their evidence;
- `main_condition.py`: the proposed main condition, checked against the rules;
- `reading.py`: `Reader`, which puts these together; `evaluation.py` measures it;
- `registry.py`, `rules.py`, `D.toml`: the documentation rules D01–D07 and their examples;
- `checker.py`: the checker that runs them beside the episode rules; `api.py`: Python API.
"""

from __future__ import annotations

from kodevakt.documentation.api import check, default_reader, read_text
from kodevakt.documentation.context import Certainty
from kodevakt.documentation.mentions import CodeFound, Kind, Mention
from kodevakt.documentation.reading import Reader, Reading
from kodevakt.documentation.sections import Section

__all__ = [
    "Certainty",
    "CodeFound",
    "Kind",
    "Mention",
    "Reader",
    "Reading",
    "Section",
    "check",
    "default_reader",
    "read_text",
]
