"""What the reader proposes: the codes for the stay and the main condition, by the guide."""

from __future__ import annotations

import json
import logging

import pytest

from kodevakt.documentation import Kind, read_text


def proposed(text: str) -> set[str]:
    return {code for found in read_text(text).proposed() for code in found.codes}


def main(text: str) -> str | None:
    found = read_text(text).main
    return found.code if found is not None else None


def test_the_json_shape_is_the_contract() -> None:
    reading = read_text("Diagnoser: Pneumoni. Ingen tegn til lungeemboli.")
    data = json.loads(json.dumps(reading.to_dict("e1")))
    assert data["id"] == "e1" and data["main"] == "J18.9"
    first = data["codes"][0]
    assert {"code", "certainty", "section", "evidence"} <= set(first)
    assert set(first["evidence"]) == {"start", "end", "text"}
    text = reading.text
    for code in data["codes"]:
        evidence = code["evidence"]
        assert text[evidence["start"] : evidence["end"]] == evidence["text"]
    negated = next(c for c in data["codes"] if c["code"] == "I26.9")
    assert negated["certainty"] == "negated"
    assert negated["context"]["text"] == "Ingen tegn til lungeemboli"


def test_the_main_condition_section_decides() -> None:
    text = "Hovedtilstand: Urinveisinfeksjon\nBitilstander: Pneumoni\n"
    assert main(text) == "N39.0"


def test_the_first_diagnosis_of_the_list_is_the_main_condition() -> None:
    assert main("Diagnoser:\nHjerneinfarkt\nAspirasjonspneumoni\n") == "I63.9"


def test_the_disease_not_its_symptom_when_the_cause_is_known() -> None:
    text = "Innlagt med brystsmerter. Troponinstigning, konklusjon NSTEMI. Behandlet med PCI."
    assert main(text) == "I21.4"
    assert "R07.4" not in proposed(text)  # an expected symptom is not coded beside its cause


def test_a_listed_symptom_is_a_problem_of_its_own() -> None:
    """The guide's example: urinary retention in prostate cancer (KV2018 §2.2 p. 12)."""
    assert "R33" in proposed("Diagnoser: Prostatakreft. Urinretensjon.")


def test_the_primary_tumour_before_its_metastasis() -> None:
    assert main("Diagnoser:\nLevermetastaser\nTykktarmskreft\n") == "C18.9"


def test_covid_is_never_proposed_first() -> None:
    """U07.1 may not be the first code of the main condition in Norway (rule T04)."""
    reading = read_text("Diagnose: Covid-19 med pneumoni. Behandlet med oksygen.")
    assert reading.main is not None
    assert reading.main.codes == ("J12.8", "U07.1")
    assert main("Diagnose: Covid-19. Isolert og observert.") != "U07.1"


def test_sepsis_with_a_known_focus_is_coded_by_the_focus() -> None:
    """Known focus: the infection first, then R65.1 (KV2018 §12.3 p. 96)."""
    text = "Diagnoser: Sepsis. Pneumoni.\nVurdering: Sepsis med utgangspunkt i pneumoni."
    reading = read_text(text)
    assert reading.main is not None and reading.main.codes == ("J18.9", "R65.1")
    assert "A41.9" not in proposed(text)


def test_a_general_word_gives_way_to_the_specific_one() -> None:
    text = "Innleggelsesårsak: Hjerneslag\nVurdering: Cerebellært hjerneinfarkt."
    assert main(text) == "I63.9"
    assert "I64" not in proposed(text)


def test_a_word_whose_code_depends_on_the_text() -> None:
    assert proposed("Troponinstigning og EKG-forandringer, akutt infarkt.") >= {"I21.9"}
    assert proposed("MR caput viser akutt infarkt i venstre hemisfære.") >= {"I63.9"}


def test_compounds_the_list_does_not_name_are_found_through_the_code_search() -> None:
    found = read_text("Innlagt med bukhinnebetennelse.")
    assert [f.code[:3] for f in found.codes] == ["K65"]


def test_procedures_done_planned_and_earlier() -> None:
    reading = read_text("NSTEMI behandlet med PCI. Tidligere operert med hemiprotese 2019.")
    kinds = {f.code: (f.kind, f.proposed) for f in reading.codes}
    assert kinds["FNG05"] == (Kind.PROCEDURE, True)
    assert kinds["NFB12"] == (Kind.PROCEDURE, False)


def test_reading_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Discharge summaries are never logged."""
    with caplog.at_level(logging.DEBUG):
        read_text("Diagnoser: Pneumoni. Pasienten Ola Nordmann, født 01.01.1950.")
    assert not caplog.records
