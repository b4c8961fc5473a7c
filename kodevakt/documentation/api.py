"""The Python entry points: `kodevakt.check(episodes)` with the documentation rules, and
`kodevakt.read_text(text)`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.documentation.checker import DocumentedChecker, select_documents
from kodevakt.documentation.reading import Reader, Reading
from kodevakt.episodes.model import Episode
from kodevakt.rules.api import as_episodes
from kodevakt.rules.finding import Finding, Severity
from kodevakt.rules.registry import select as select_rules
from kodevakt.search import default_searcher


@cache
def _default_base() -> CodeBase:
    return default_codebase()


@cache
def default_reader() -> Reader:
    """The reader over the default code base and its code search."""
    return Reader(_default_base(), default_searcher())


def check(
    episodes: Iterable[Episode | Mapping[str, Any]],
    *,
    base: CodeBase | None = None,
    rules_year: int | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    min_severity: Severity | str = Severity.INFO,
) -> Iterator[Finding]:
    """Check episodes (model objects or interchange dicts) and yield their findings; an
    episode with a `text` is also checked against its discharge summary (D01–D07).

    A dict that cannot be read raises `InputError` naming its position and field.
    """
    select, ignore = list(select), list(ignore)
    checker = DocumentedChecker(
        base or _default_base(),
        select_rules(select, ignore),
        select_documents(select, ignore),
        rules_year=rules_year,
        min_severity=Severity(min_severity),
        reader=None if base is not None else default_reader(),
    )
    return checker.check(as_episodes(episodes))


def read_text(text: str) -> Reading:
    """Read one discharge summary: its conditions and procedures with certainty, section and
    evidence, and the proposed main condition.

    >>> read_text("Diagnoser: Pneumoni. Ingen tegn til lungeemboli.").main.code
    'J18.9'
    """
    return default_reader().read(text)
