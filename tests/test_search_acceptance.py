"""Issue 4 acceptance: the search finds the expected code for the shared query list.

`tests/acceptance/search/queries.tsv` lists a query and the codes that answer it (`X12*`: any
code under X12). The search must put an expected code first for at least 75 % of the queries
and among the first ten for at least 95 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kodevakt.codes.loading import default_codebase
from kodevakt.search import Searcher

QUERIES = Path(__file__).parent / "acceptance" / "search" / "queries.tsv"
TOP1, TOP10 = 0.75, 0.95


def load_queries(path: Path = QUERIES) -> list[tuple[str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            query, expected, *_ = line.split("\t")
            rows.append((query, expected.split()))
    return rows


def expected_hit(code: str, patterns: list[str]) -> bool:
    compact = code.replace(".", "")
    for pattern in patterns:
        if pattern.endswith("*"):
            if compact.startswith(pattern[:-1].replace(".", "")):
                return True
        elif code == pattern:
            return True
    return False


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher.for_codebase(default_codebase(), use_cache=False)


def test_acceptance_rates(searcher: Searcher) -> None:
    rows = load_queries()
    assert len(rows) >= 50
    first = ten = 0
    misses = []
    for query, expected in rows:
        found = [hit.code for hit in searcher.search(query, 10)]
        top1 = bool(found) and expected_hit(found[0], expected)
        top10 = any(expected_hit(code, expected) for code in found)
        first += top1
        ten += top10
        if not top1:
            misses.append(f"{query!r}: want {expected}, got {found[:3]}")
    report = "\n".join(misses)
    assert first / len(rows) >= TOP1, report
    assert ten / len(rows) >= TOP10, report


def test_expected_hit_patterns() -> None:
    assert expected_hit("J18.9", ["J18*"])
    assert expected_hit("I21.4a", ["I21.4*"])
    assert not expected_hit("J12.8", ["J18*", "J13"])
    assert expected_hit("J13", ["J13"])
