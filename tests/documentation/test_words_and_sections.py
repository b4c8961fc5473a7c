"""Tokens keep their place in the text; sentences and sections are where a reader sees them."""

from __future__ import annotations

from kodevakt.documentation.sections import Section, find_sections, section_at
from kodevakt.documentation.words import sentences, tokenize, word_key


def _sentences(text: str) -> list[str]:
    tokens = tokenize(text)
    return [text[tokens[a].start : tokens[b - 1].end] for a, b in sentences(tokens, text)]


def test_tokens_point_at_the_text_as_written() -> None:
    text = "Akutt hjerteinfarkt (NSTEMI), Hb 8,9."
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text
    assert "8,9" in [t.text for t in tokenize(text)]


def test_inflections_and_spellings_share_a_key() -> None:
    assert word_key("lungebetennelsen") == word_key("lungebetennelse")
    assert word_key("Pneumonien") == word_key("pneumoni")
    assert word_key("cholecystektomi") == word_key("kolecystektomi")
    assert word_key("akutt") == word_key("akut")


def test_abbreviations_initials_and_ordinals_do_not_end_a_sentence() -> None:
    assert _sentences("Vekst av E. coli i urinen. Behandlet ca. 3 døgn.") == [
        "Vekst av E. coli i urinen",
        "Behandlet ca. 3 døgn",
    ]
    assert _sentences("PROM. 1. grads rift. Levende gutt.") == [
        "PROM",
        "1. grads rift",
        "Levende gutt",
    ]


def test_a_line_break_ends_a_sentence() -> None:
    assert _sentences("Pneumoni\nKOLS") == ["Pneumoni", "KOLS"]


def test_headings_with_and_without_colon_and_inline_content() -> None:
    text = "DIAGNOSER:\nPneumoni\nHovedtilstand: Sepsis\nVurdering\nBedring."
    parts = find_sections(text)
    assert [p.section for p in parts] == [
        Section.DIAGNOSES,
        Section.MAIN_CONDITION,
        Section.ASSESSMENT,
    ]
    assert section_at(parts, text.index("Sepsis")) is Section.MAIN_CONDITION
    assert section_at(parts, text.index("Bedring")) is Section.ASSESSMENT


def test_prose_starting_with_a_heading_word_is_not_a_heading() -> None:
    text = "Vurdering:\nBehandling med penicillin ga rask bedring."
    assert [p.section for p in find_sections(text)] == [Section.ASSESSMENT]


def test_a_diagnosis_list_ends_where_prose_begins() -> None:
    text = "Bidiagnose: Atrieflimmer.\nCT caput ved innkomst: ingen blødning. Trombolysert kl 14.\n"
    parts = find_sections(text)
    assert section_at(parts, text.index("Atrieflimmer")) is Section.OTHER_CONDITIONS
    assert section_at(parts, text.index("Trombolysert")) is Section.NONE


def test_numbered_diagnoses_stay_in_the_list() -> None:
    text = "Diagnoser:\n1. Pneumoni\n2. Sykelig overvekt\n3. Søvnapné, bruker CPAP\n"
    parts = find_sections(text)
    assert section_at(parts, text.index("Søvnapné")) is Section.DIAGNOSES
