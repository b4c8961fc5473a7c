"""Code search: text handling, compounds, synonyms, ranking, code-shaped queries, cache, CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kodevakt
from kodevakt.cli import app
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.model import Code, Level, System
from kodevakt.codes.release import CodeList, Family, Release
from kodevakt.errors import CodeListError
from kodevakt.search import Searcher, default_searcher, tree
from kodevakt.search.compounds import split_compound
from kodevakt.search.index import source_lists, words_of
from kodevakt.search.persist import ENV_CACHE_DIR, cache_dir, data_key, load_or_build
from kodevakt.search.synonyms import Kind, load_synonyms, parse_synonyms
from kodevakt.search.text import STOP_WORDS, fold, key, stem


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher.for_codebase(default_codebase(), use_cache=False)


def codes(searcher: Searcher, query: str, limit: int = 10, **filters: str) -> list[str]:
    return [hit.code for hit in searcher.search(query, limit, **filters)]


# --- text handling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("blaerekatarr", "blærekatarr"),  # æ typed as ae
        ("larhals", "lårhals"),  # å typed as a
        ("laarhals", "lårhals"),  # å typed as aa
        ("hjernerystelse", "hjernerystelse"),
        ("oyet", "øyet"),  # ø typed as o
        ("cystitis", "cystitt"),  # Latin ending
        ("pneumonia", "pneumoni"),
        ("diaré", "diare"),  # accent
        ("koksartrose", "coxartrose"),  # c/k and x/ks
    ],
)
def test_folding_meets_spelling_variants(typed: str, written: str) -> None:
    assert key(typed) == key(written)


@pytest.mark.parametrize(
    ("inflected", "base"),
    [("lungene", "lunge"), ("svulster", "svulst"), ("sykdommer", "sykdom"), ("brudd", "brudd")],
)
def test_stemming_meets_inflections(inflected: str, base: str) -> None:
    assert key(inflected) == key(base)


def test_latin_genitive_is_not_folded_into_the_disease() -> None:
    assert key("pneumoniae") != key("pneumoni")  # Streptococcus pneumoniae is no pneumonia


def test_words_of_marks_abbreviation_dots() -> None:
    assert words_of("Hj.inf. forårs. av uspes.") == [
        ("hj", True),
        ("inf", True),
        ("forårs", True),
        ("av", False),
        ("uspes", True),
    ]


# --- compounds -------------------------------------------------------------------------------

VOCABULARY = {
    fold(w) for w in ["lunge", "betennelse", "tykktarm", "kreft", "hals", "nivå", "virus"]
}
STEMS = {stem(w) for w in VOCABULARY}


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("lungebetennelse", ("lunge", "betennelse")),
        ("tykktarmskreft", ("tykktarm", "kreft")),  # linking s
        ("lungebetennelsene", ("lunge", "betennelsene")),  # inflected last part
        ("halsnivå", ("hals", "niva")),
    ],
)
def test_compound_splitting(word: str, parts: tuple[str, ...]) -> None:
    found = split_compound(fold(word), VOCABULARY, STEMS, stem)
    assert found is not None and found.complete
    assert found.parts == tuple(fold(p) for p in parts)


def test_no_split_for_unknown_or_short_words() -> None:
    assert split_compound("pneumoni", VOCABULARY, STEMS, stem) is None
    assert split_compound("kreft", VOCABULARY, STEMS, stem) is None


def test_partial_split_keeps_the_known_tail() -> None:
    found = split_compound(fold("coxsackievirus"), VOCABULARY, STEMS, stem, partial=True)
    assert found is not None and found.known == (False, True) and found.parts[1] == "virus"


# --- synonym list ----------------------------------------------------------------------------


def test_synonym_parse_errors_name_the_line() -> None:
    with pytest.raises(CodeListError, match="rad 2"):
        parse_synonyms("term\ttarget\tkind\tsource\nsukkersyke\tdiabetes\tlay\n")
    with pytest.raises(CodeListError, match="ukjent type"):
        parse_synonyms("sukkersyke\tdiabetes mellitus\tfolkelig\tkilde\n")


def test_synonym_code_targets_are_recognised() -> None:
    (line,) = parse_synonyms("NSTEMI\tI21.4\tabbreviation\tforkortelse\n")
    assert line.code == "I21.4" and line.kind is Kind.ABBREVIATION
    (words,) = parse_synonyms("KOLS\tkronisk obstruktiv lungesykdom\tabbreviation\tx\n")
    assert words.code is None


def test_every_packaged_synonym_reaches_a_code(searcher: Searcher) -> None:
    index = searcher.index
    dead = []
    for syn in load_synonyms():
        if syn.code is not None:
            if syn.code not in index.code_ids:
                dead.append(syn)
            continue
        keys = [key(w) for w, _ in words_of(syn.target) if w not in STOP_WORDS]
        docs = [set(index.postings.get(k, {})) for k in keys]
        if not docs or not set.intersection(*docs):
            dead.append(syn)
    assert not dead, [f"{s.line}: {s.term} → {s.target}" for s in dead]


def test_synonym_list_is_general_vocabulary() -> None:
    synonyms = load_synonyms()
    assert len(synonyms) >= 300
    assert all(s.source for s in synonyms)
    pairs = [(s.term.lower(), s.target.lower()) for s in synonyms]
    assert len(pairs) == len(set(pairs)), "duplicate lines"
    assert {s.kind for s in synonyms} == set(Kind)


# --- search behaviour ------------------------------------------------------------------------


def test_lay_term_finds_code_and_explains(searcher: Searcher) -> None:
    (hit,) = searcher.search("lungebetennelse", 1)
    assert hit.code.startswith("J18")
    assert "→ pneumoni (synonym)" in hit.matched


def test_compound_split_against_code_texts(searcher: Searcher) -> None:
    assert codes(searcher, "lårhalsbrudd", 1)[0].startswith("S72.0")
    assert "C18" in {c[:3] for c in codes(searcher, "tykktarmskreft", 3)}
    assert codes(searcher, "levermetastaser", 1) == ["C78.7"]


def test_inflected_and_folded_queries(searcher: Searcher) -> None:
    assert codes(searcher, "akutt blaerekatarr", 1) == ["N30.0"]
    assert codes(searcher, "kutt i øret", 1) == ["S01.3"]
    assert codes(searcher, "lungebetennelsen", 1)[0].startswith("J18")


@pytest.mark.parametrize(
    ("query", "prefix"),
    [("pnemuoni", "J1"), ("atreflimmer", "I48"), ("diabetis type 2", "E11"), ("astam", "J45")],
)
def test_typos(searcher: Searcher, query: str, prefix: str) -> None:
    hits = searcher.search(query, 3)
    assert any(hit.code.startswith(prefix) for hit in hits)
    assert "skrivefeil" in hits[0].matched


@pytest.mark.parametrize(
    ("query", "prefix"),
    [("KOLS", "J44"), ("kols", "J44"), ("UVI", "N39.0"), ("NSTEMI", "I21.4"), ("TIA", "G45")],
)
def test_abbreviations(searcher: Searcher, query: str, prefix: str) -> None:
    hit = searcher.search(query, 1)[0]
    assert hit.code.startswith(prefix)
    assert "forkortelse" in hit.matched


def test_old_names_and_eponyms(searcher: Searcher) -> None:
    assert codes(searcher, "Setesdalsrykkja", 1) == ["G10"]
    assert codes(searcher, "Huntingtons chorea", 1) == ["G10"]


def test_english_and_latin(searcher: Searcher) -> None:
    assert codes(searcher, "erysipelas", 1) == ["A46"]
    assert codes(searcher, "heart failure", 1)[0].startswith("I50")


def test_reportable_codes_rank_before_headings(searcher: Searcher) -> None:
    index = searcher.index
    top = searcher.search("akutt appendisitt", 3)
    assert all(index.docs[index.code_ids[hit.code]].reportable for hit in top)


def test_partial_words_complete(searcher: Searcher) -> None:
    assert codes(searcher, "hjertesv", 1)[0].startswith("I50")


# --- code-shaped queries ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["J12.8", "j128", "J12,8", " j12.8 "])
def test_code_query_goes_straight_to_the_code(searcher: Searcher, query: str) -> None:
    (hit,) = searcher.search(query, 1)
    assert hit.code == "J12.8" and hit.matched == "kode"


def test_heading_query_lists_children(searcher: Searcher) -> None:
    found = codes(searcher, "J12", 20)
    assert found == ["J12", "J12.0", "J12.1", "J12.2", "J12.3", "J12.8", "J12.9"]


def test_procedure_code_and_fragments(searcher: Searcher) -> None:
    assert codes(searcher, "JKA20", 1) == ["JKA20"]
    assert codes(searcher, "jka20", 1) == ["JKA20"]
    assert all(c.startswith("J1") for c in codes(searcher, "J1", 5))
    assert codes(searcher, "I214a", 1) == ["I21.4a"]


# --- empty and absurd queries ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "zzqqxx", "🙂", "i og av", "x" * 5000, "lunge " * 200, "\x00\n\t", "Ø"],
)
def test_empty_and_absurd_queries_never_crash(searcher: Searcher, query: str) -> None:
    hits = searcher.search(query)
    assert isinstance(hits, list) and len(hits) <= 10


def test_limit_zero_and_huge(searcher: Searcher) -> None:
    assert searcher.search("pneumoni", 0) == []
    assert len(searcher.search("pneumoni", 10**9)) > 10


# --- filters ---------------------------------------------------------------------------------


def test_system_filter(searcher: Searcher) -> None:
    hits = searcher.search("lyskebrokk", 5, system="ncsp")
    assert hits and all(hit.system == "NCSP" for hit in hits)
    with pytest.raises(ValueError, match="ukjent kodeverk"):
        searcher.search("lyskebrokk", system="snomed")


def test_chapter_filter(searcher: Searcher) -> None:
    assert all(c.startswith("J") for c in codes(searcher, "infeksjon", 10, chapter="X"))
    assert all(c.startswith("E11") for c in codes(searcher, "diabetes", 10, chapter="E11"))
    assert all(c.startswith("N") for c in codes(searcher, "betennelse", 10, chapter="N"))


# --- public API, tree, JSON ------------------------------------------------------------------


def test_public_search(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    default_searcher.cache_clear()
    try:
        hits = kodevakt.search("rosen", limit=3)
    finally:
        default_searcher.cache_clear()
    assert hits[0].code == "A46"
    assert set(hits[0].to_dict()) == {"code", "text", "system", "score", "matched"}


def test_tree() -> None:
    base = default_codebase()
    roots = tree(base, "J12", depth=1)
    assert roots is not None and roots[0].code == "J12"
    assert [child.code for child in roots[0].children][:2] == ["J12.0", "J12.1"]
    shallow = tree(base, "J09-J18", depth=0)
    assert shallow is not None and shallow[0].more > 5 and not shallow[0].children
    chapters = tree(base)
    assert chapters is not None and chapters[0].code == "I" and len(chapters) >= 21
    assert tree(base, "Q99.99x") is None


# --- on-disk cache ---------------------------------------------------------------------------


def _tiny(text: str) -> CodeList:
    release = Release(Family.ICD10, 2026, "test")
    items = [
        Code("X", System.ICD10, "Kapittel", level=Level.CHAPTER, reportable=False),
        Code("J18", System.ICD10, None, level=Level.CATEGORY, parent="X", reportable=False),
        Code("J18.9", System.ICD10, text, parent="J18"),
    ]
    return CodeList(release, {c.code: c for c in items})


def test_cache_is_written_reused_and_rebuilt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache"
    first = load_or_build([_tiny("Uspesifisert pneumoni")])
    files = list((tmp_path / "cache").glob("search-index-*.pickle"))
    assert len(files) == 1
    again = load_or_build([_tiny("Uspesifisert pneumoni")])
    assert again.code_ids == first.code_ids and again is not first
    assert list((tmp_path / "cache").glob("*.pickle")) == files  # reused, not rebuilt
    load_or_build([_tiny("Uspesifisert lungebetennelse")])
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2  # new data, new index


def test_cache_key_follows_the_data() -> None:
    assert data_key([_tiny("a")], "") != data_key([_tiny("b")], "")
    assert data_key([_tiny("a")], "") != data_key([_tiny("a")], "x\tx\tlay\tx\n")


def test_unwritable_cache_still_searches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(ENV_CACHE_DIR, str(blocker / "cache"))
    index = load_or_build([_tiny("Uspesifisert pneumoni")])
    assert Searcher(index).search("pneumoni")[0].code == "J18.9"


def test_default_lists_cover_icd10_and_procedures() -> None:
    families = {lst.release.family for lst in source_lists(default_codebase())}
    assert families == {Family.ICD10, Family.PROCEDURE}


# --- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    default_searcher.cache_clear()
    yield CliRunner()
    default_searcher.cache_clear()


def test_cli_search_json(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "akutt blærekatarr", "--limit", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits[0]["code"] == "N30.0" and len(hits) <= 3
    assert set(hits[0]) == {"code", "text", "system", "score", "matched"}


def test_cli_search_table_and_no_hits(cli: CliRunner) -> None:
    result = cli.invoke(app, ["search", "respiratorisk", "syncytialt", "virus"])
    assert result.exit_code == 0 and "[RSV]" in result.output
    empty = cli.invoke(app, ["search", "zzqqxx"])
    assert empty.exit_code == 0 and "Ingen treff" in empty.output
    bad = cli.invoke(app, ["search", "x", "--system", "snomed"])
    assert bad.exit_code == 2


def test_cli_tree(cli: CliRunner) -> None:
    result = cli.invoke(app, ["tree", "J12"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("J12 ") and lines[1].startswith("  J12.0")
    assert cli.invoke(app, ["tree", "Q99.99x"]).exit_code == 1
    as_json = json.loads(cli.invoke(app, ["tree", "J12", "-d", "0", "-f", "json"]).output)
    assert as_json[0]["more"] == 6
