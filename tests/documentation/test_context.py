"""Negation, uncertainty, history and family, as a coder reads them."""

from __future__ import annotations

import pytest

from kodevakt.documentation import Certainty, read_text
from kodevakt.documentation.context import Category, _by_first_key, triggers


def certainty(text: str, code: str) -> Certainty | None:
    for found in read_text(text).codes:
        if code in found.codes:
            return found.certainty
    return None


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("Ingen tegn til lungeemboli.", "I26.9", Certainty.NEGATED),
        ("CT thorax uten holdepunkter for lungeemboli.", "I26.9", Certainty.NEGATED),
        ("Lungeemboli ble avkreftet ved CT.", "I26.9", Certainty.NEGATED),
        ("Mistanke om lungeemboli ble avkreftet.", "I26.9", Certainty.NEGATED),
        ("Covid-19 negativ.", "U07.1", Certainty.NEGATED),
        ("Covid-19: negativ.", "U07.1", Certainty.NEGATED),
        ("Negativ SARS-CoV-2-test.", "U07.1", Certainty.NEGATED),
        ("Negativ troponin, pneumoni på røntgen.", "J18.9", Certainty.AFFIRMED),
        ("PCI ble ikke gjort pga alder.", "FNG05", Certainty.NEGATED),
        ("St.p. hjerteinfarkt.", "I21.9", Certainty.HISTORY),
        ("Mistanke om lungeemboli.", "I26.9", Certainty.UNCERTAIN),
        ("Lungeemboli kan ikke utelukkes.", "I26.9", Certainty.UNCERTAIN),
        ("?Lungeemboli", "I26.9", Certainty.UNCERTAIN),
        ("Lungeemboli?", "I26.9", Certainty.UNCERTAIN),
        ("Sannsynlig lungeemboli, startet behandling.", "I26.9", Certainty.AFFIRMED),
        ("Tidligere hjerteinfarkt.", "I21.9", Certainty.HISTORY),
        ("Hjerteinfarkt 2015, nå innlagt med pneumoni.", "I21.9", Certainty.HISTORY),
        ("Mor hadde brystkreft.", "C50.9", Certainty.FAMILY),
        ("Brystkreft hos søster.", "C50.9", Certainty.FAMILY),
    ],
)
def test_certainty_of_a_mention(text: str, code: str, expected: Certainty) -> None:
    assert certainty(text, code) is expected


def test_a_terminator_ends_the_negation() -> None:
    text = "Ingen feber, men pneumoni på røntgen."
    assert certainty(text, "J18.9") is Certainty.AFFIRMED
    assert certainty(text, "R50.9") is Certainty.NEGATED


def test_a_pseudo_trigger_negates_nothing() -> None:
    assert certainty("Ingen bedring av pneumonien på penicillin.", "J18.9") is Certainty.AFFIRMED
    assert certainty("Synkope, uavklart årsak.", "R55") is Certainty.AFFIRMED


def test_a_negation_inside_a_phrase_is_part_of_the_phrase() -> None:
    assert certainty("Hjerteinfarkt uten ST-elevasjon.", "I21.4") is Certainty.AFFIRMED
    assert certainty("Ikke-insulinkrevende diabetes.", "E11.9") is Certainty.AFFIRMED


def test_known_conditions_are_history_in_prose_but_diagnoses_in_the_list() -> None:
    assert certainty("Anamnese: Kjent KOLS.", "J44.9") is Certainty.HISTORY
    assert certainty("Bitilstander:\nKjent KOLS", "J44.9") is Certainty.AFFIRMED
    assert certainty("Kjent KOLS, nå med forverring.", "J44.1") is Certainty.AFFIRMED


def test_in_a_delivery_the_mother_is_the_patient() -> None:
    text = "Forløst vaginalt med levende gutt. Mor fikk en perinealrift grad 2."
    assert certainty(text, "O70.1") is Certainty.AFFIRMED
    assert certainty("Mor hadde preeklampsi.", "O14.9") is Certainty.FAMILY


def test_a_procedure_in_the_plan_is_not_done() -> None:
    assert certainty("Plan:\nKoloskopi om 3 måneder.", "UJF32") is Certainty.UNCERTAIN
    assert certainty("Koloskopi planlegges.", "UJF32") is Certainty.UNCERTAIN


def test_the_trigger_list_is_consistent() -> None:
    """Every line parses, has a source, and no two lines with the same words disagree about
    what they do (inflections of one trigger share their keys)."""
    assert len(triggers()) > 150
    assert all(t.source and t.keys for t in triggers())
    seen: dict[tuple[str, ...], Category] = {}
    for trigger in triggers():
        if trigger.category is Category.PSEUDO:
            continue
        known = seen.setdefault(trigger.keys, trigger.category)
        assert known is trigger.category, trigger.phrase
    assert all(found for found in _by_first_key().values())
