"""Code search: find the right code for the words clinicians write.

Layout, in the order a query meets it:

- `text.py`: words to index keys (folding æ/ø/å and Latin and English spellings, Snowball
  stemming);
- `compounds.py`: Norwegian compound splitting against the index's vocabulary;
- `morphemes.py`: Greek and Latin word elements read as Norwegian words ("kolecyst|itt" is
  galleblære + betennelse; `data/morphemes.tsv`);
- `synonyms.py`: the curated synonym list and abbreviation list (`data/synonyms.tsv`,
  `data/abbreviations.tsv`);
- `index.py`: documents, weighted postings, vocabulary; `persist.py` keeps it on disk;
- `situations.py`: history, suspicion, family, drug-use and status phrases ("tidligere",
  "avkreftet", "i familien", "bruker", "har") and the codes they lead to
  (`data/modifier_codes.tsv`);
- `query.py`: a query as concepts with alternative ways to find them;
- `scoring.py`: ranking and the explanation of each hit;
- `searcher.py`: the service (code-shaped queries, situations, filters, hits);
- `tree.py`: browsing the code hierarchy.
"""

from __future__ import annotations

from functools import cache

from kodevakt.codes.loading import default_codebase
from kodevakt.codes.model import System
from kodevakt.search.searcher import Hit, Searcher
from kodevakt.search.tree import Node, tree

__all__ = ["Hit", "Node", "Searcher", "default_searcher", "search", "tree"]


@cache
def default_searcher() -> Searcher:
    """The searcher over the default code base (embedded data and `KODEVAKT_CODE_FILES`)."""
    return Searcher.for_codebase(default_codebase())


def search(
    query: str,
    limit: int = 10,
    *,
    system: str | System | None = None,
    chapter: str | None = None,
) -> list[Hit]:
    """Search the loaded code lists for `query`: words as clinicians write them, or a code.

    >>> search("lungebetennelse", limit=1)[0].code
    'J18.9'
    """
    return default_searcher().search(query, limit, system=system, chapter=chapter)
