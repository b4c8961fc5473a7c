"""The Python entry point for rule checking: `kodevakt.check(episodes)`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.records import Rejected
from kodevakt.errors import InputError
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Severity
from kodevakt.rules.registry import select as select_rules


@cache
def _default_base() -> CodeBase:
    return default_codebase()


def check(
    episodes: Iterable[Episode | Mapping[str, Any]],
    *,
    base: CodeBase | None = None,
    rules_year: int | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    min_severity: Severity | str = Severity.INFO,
) -> Iterator[Finding]:
    """Check episodes (model objects or interchange dicts) and yield their findings.

    A dict that cannot be read raises `InputError` naming its position and field.
    """
    checker = Checker(
        base or _default_base(),
        select_rules(select, ignore),
        rules_year=rules_year,
        min_severity=Severity(min_severity),
    )
    return checker.check(as_episodes(episodes))


def as_episodes(items: Iterable[Episode | Mapping[str, Any]]) -> Iterator[Episode]:
    """Model episodes, and interchange dicts read into them (`InputError` when one cannot be)."""
    for i, item in enumerate(items, start=1):
        if isinstance(item, Episode):
            yield item
            continue
        record = episode_from_dict(dict(item), Source("<python>", i))
        if isinstance(record, Rejected):
            raise InputError(record.message, file=record.file, line=record.line, field=record.field)
        yield record
