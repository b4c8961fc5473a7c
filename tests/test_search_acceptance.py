"""Search acceptance: the search finds the expected code for the shared query list and for the
project's own evaluation set.

`tests/acceptance/search/queries.tsv` (issue 4, shared) lists a query and the codes that answer
it (`X12*`: any code under X12). The search must put an expected code first for at least 95 %
of the queries and among the first ten for all of them (issue 14).

`tests/acceptance/search/own_queries.tsv` (issue 14) is the project's own set of everyday
queries by kind (lay words, compounds, abbreviations, Latin, English, misspellings, clinical
phrases, procedure wording, history and negation, a disease named alone), written from clinical
knowledge before the search was tuned to it, each expected code checked against the code list.
The search must put an expected code first for at least 85 % and among the first ten for at
least 95 %; a failure prints the rates per kind and the misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kodevakt.codes.loading import default_codebase
from kodevakt.search import Searcher
from kodevakt.search.index import source_lists

QUERIES = Path(__file__).parent / "acceptance" / "search" / "queries.tsv"
OWN_QUERIES = Path(__file__).parent / "acceptance" / "search" / "own_queries.tsv"
TOP1, TOP10 = 0.95, 1.0
OWN_TOP1, OWN_TOP10 = 0.85, 0.95
OWN_KINDS = {
    "lay", "compound", "abbreviation", "latin", "english", "misspelling", "phrase", "procedure",
    "history", "default",
}  # fmt: skip


def load_queries(path: Path = QUERIES) -> list[tuple[str, list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            query, expected, *_ = line.split("\t")
            rows.append((query, expected.split()))
    return rows


def load_own_queries(path: Path = OWN_QUERIES) -> list[tuple[str, list[str], str]]:
    """(query, expected codes, kind) per line of the own set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            query, expected, kind, *_ = line.split("\t")
            rows.append((query, expected.split(), kind))
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


def test_own_query_set_rates(searcher: Searcher) -> None:
    rows = load_own_queries()
    assert len(rows) >= 300
    kinds: dict[str, list[int]] = {}
    misses = []
    for query, expected, kind in rows:
        found = [hit.code for hit in searcher.search(query, 10)]
        top1 = bool(found) and expected_hit(found[0], expected)
        top10 = any(expected_hit(code, expected) for code in found)
        counts = kinds.setdefault(kind, [0, 0, 0])
        counts[0] += 1
        counts[1] += top1
        counts[2] += top10
        if not top1:
            misses.append(f"{kind}: {query!r}: want {expected}, got {found[:3]}")
    report = "\n".join(
        [f"{k:13s} n={n:3d} top1={a / n:.0%} top10={b / n:.0%}" for k, (n, a, b) in kinds.items()]
        + misses
    )
    assert set(kinds) == OWN_KINDS, report
    first = sum(counts[1] for counts in kinds.values())
    ten = sum(counts[2] for counts in kinds.values())
    assert first / len(rows) >= OWN_TOP1, report
    assert ten / len(rows) >= OWN_TOP10, report


def test_own_query_set_expects_codes_of_the_code_list() -> None:
    """Every expected code exists (reportable), every pattern covers one: checked code by code."""
    reportable = [
        code.code
        for code_list in source_lists(default_codebase())
        for code in code_list
        if code.reportable and not code.who_only
    ]
    known = set(reportable)
    compact = [c.replace(".", "") for c in reportable]
    unknown = []
    for query, expected, _kind in load_own_queries():
        for pattern in expected:
            if pattern.endswith("*"):
                prefix = pattern[:-1].replace(".", "")
                if not any(c.startswith(prefix) for c in compact):
                    unknown.append(f"{query}: {pattern}")
            elif pattern not in known:
                unknown.append(f"{query}: {pattern}")
    assert not unknown, unknown


def test_expected_hit_patterns() -> None:
    assert expected_hit("J18.9", ["J18*"])
    assert expected_hit("I21.4a", ["I21.4*"])
    assert not expected_hit("J12.8", ["J18*", "J13"])
    assert expected_hit("J13", ["J13"])
