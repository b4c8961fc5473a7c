"""The guide's own examples of choosing the main condition (Kodeveiledning 2018 §2.2 p. 13
and §2.3 pp. 14–15), retold in the project's words, as the reader must read them."""

from __future__ import annotations

from kodevakt.documentation import read_text


def coding(text: str) -> tuple[str | None, set[str]]:
    reading = read_text(text)
    main = reading.main.code if reading.main is not None else None
    return main, {found.code for found in reading.proposed()}


def test_symptoms_of_the_infection_treated_are_not_coded() -> None:
    """§2.3 example 1: pyelonephritis with flank pain and high fever."""
    main, codes = coding(
        "Kvinne innlagt med nyrebekkenbetennelse, smerter i flanken og høy feber. "
        "Tre døgn med intravenøs antibiotika."
    )
    assert main == "N10"
    assert "R50.9" not in codes


def test_a_small_injury_during_the_stay_is_another_condition() -> None:
    """§2.3 example 2: pneumonia, and a leg wound sutured during the stay."""
    main, codes = coding(
        "Mann behandlet for lungebetennelse. Under oppholdet slo han seg og fikk et sår på "
        "leggen som ble sydd."
    )
    assert main == "J18.9"
    assert any(code.startswith("S81") for code in codes)


def test_the_condition_that_took_most_resources_is_the_main_condition() -> None:
    """§2.3 example 3: appendicitis operated, then four days on a ventilator for aspiration
    pneumonia."""
    main, codes = coding(
        "Eldre kvinne operert for akutt blindtarmbetennelse. Aspirerte ved intubasjonen og "
        "utviklet aspirasjonspneumoni som krevde respiratorbehandling på intensiv i fire døgn."
    )
    assert main == "J69.0"
    assert "K35.8" in codes


def test_the_cause_found_and_cared_for_is_the_main_condition() -> None:
    """§2.2 p. 13 example 1: urinary retention whose cause, prostatic hyperplasia, was
    diagnosed during the stay; the retention is another condition."""
    main, codes = coding(
        "Innlagt med urinretensjon. Utredningen viste prostatahyperplasi som årsak. Hjem med "
        "kateter, videre behandling planlegges."
    )
    assert main == "N40"
    assert "R33" in codes
