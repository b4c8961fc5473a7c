"""The proposal is run through the rule checker, and only the rules about the main condition
keep a code from being proposed."""

from __future__ import annotations

from kodevakt.documentation import read_text
from kodevakt.documentation.main_condition import MAIN_CONDITION_RULES
from kodevakt.rules.registry import EPISODE_RULES, episode_rules


def test_a_delivery_without_its_result_still_has_a_main_condition() -> None:
    """T16 (no Z37 in a delivery) is about another code, not the tear chosen as main."""
    reading = read_text("Andregrads perinealrift etter vaginal fødsel.")
    assert reading.main is not None and reading.main.code == "O70.1"


def test_an_additional_only_code_is_never_proposed() -> None:
    reading = read_text("Covid-19, isolert og observert. Vekst av E. coli i urinen.")
    assert reading.main is None or reading.main.code not in {"U07.1", "B96.2"}


def test_the_main_condition_rules_are_registered_rules() -> None:
    episode_rules()
    assert all(EPISODE_RULES.get(code) is not None for code in MAIN_CONDITION_RULES)
