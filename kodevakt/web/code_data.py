"""The code base, search index and checker the Søk and Sjekk pages and the API share.

Loading the code lists and the search index takes about half a second and a few hundred
megabytes, so each process loads them once, on first use, from the same sources as the CLI
(the embedded lists and `KODEVAKT_CODE_FILES`). The checker keeps its caches of resolved codes
between requests, which is what makes checking one episode fast.
"""

from __future__ import annotations

from functools import cache

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.documentation import Reader
from kodevakt.documentation.checker import DocumentedChecker
from kodevakt.rules.engine import Checker
from kodevakt.rules.registry import select
from kodevakt.search import Searcher


@cache
def code_base() -> CodeBase:
    return default_codebase()


@cache
def searcher() -> Searcher:
    return Searcher.for_codebase(code_base())


@cache
def reader() -> Reader:
    """The discharge-summary reader `kodevakt text` uses, over the same code base and search."""
    return Reader(code_base(), searcher())


@cache
def checker() -> Checker:
    """The rules `kodevakt check` runs without options: every stable rule, every severity,
    the documentation rules for an episode with a text."""
    return DocumentedChecker(code_base(), select(), reader=reader())
