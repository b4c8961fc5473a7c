"""Which kinds of error an auditor's change shows, and whether the main condition was right."""

from __future__ import annotations

import pytest

from kodevakt.audit.review import (
    Coding,
    Reason,
    Review,
    Verdict,
    changed_kinds,
    error_kinds,
    main_right,
    parse_reasons,
)


def _coding(conditions: str, procedures: str = "") -> Coding:
    return Coding.of(
        [group.split("+") for group in conditions.split("; ") if group],
        [group.split("+") for group in procedures.split("; ") if group],
    )


@pytest.mark.parametrize(
    ("coded", "audited", "kinds"),
    [
        ("J18.9; I10", "J18.9; I10", set()),
        ("j189; i10", "J18.9; I10", set()),  # spelling is not a change
        ("J18.9; I10", "I10; J18.9", {Reason.SEQUENCE}),
        ("J18.9; I10", "J12.8+U07.1; I10", {Reason.MAIN}),  # U07.1 belongs to the new main
        ("J18.9; I10", "J12.8; J18.9; I10", {Reason.MAIN}),  # the old main kept below
        ("J18.9; I10", "J18.9; I10; E11.9", {Reason.SECONDARY_MISSING}),
        ("J18.9; I10; E11.9", "J18.9; I10", {Reason.SECONDARY_EXTRA}),
        ("J18.9; I10", "J18.9; E11.9", {Reason.SECONDARY_MISSING, Reason.SECONDARY_EXTRA}),
        ("J12.8; U07.1", "J12.8+U07.1", {Reason.SEQUENCE}),  # regrouped only
        ("I10; J18.9", "I10; J18.9", set()),
        ("I10; E11.9; J18.9", "I10; J18.9; E11.9", set()),  # other conditions in any order
    ],
)
def test_the_change_of_conditions_shows_its_kind(coded: str, audited: str, kinds: set) -> None:
    assert changed_kinds(_coding(coded), _coding(audited)) == kinds


def test_a_changed_procedure_is_a_procedure_error_whatever_the_order() -> None:
    coded = _coding("K35.8", "JEA01; ZXD10")
    assert changed_kinds(coded, _coding("K35.8", "ZXD10; JEA01")) == set()
    assert changed_kinds(coded, _coding("K35.8", "JEA00")) == {Reason.PROCEDURE}


def test_error_kinds_join_the_given_reasons_and_the_change() -> None:
    coded = _coding("J18.9; I10")
    review = Review(
        "revisor1",
        Verdict.CHANGED,
        _coding("J18.9; I10; E11.9"),
        frozenset({Reason.DOCUMENTATION}),
    )
    assert error_kinds(review, coded) == {Reason.DOCUMENTATION, Reason.SECONDARY_MISSING}
    assert error_kinds(Review("revisor1", Verdict.RIGHT), coded) == set()
    assert error_kinds(Review("revisor1", Verdict.NOT_ASSESSABLE), coded) == set()


def test_main_condition_right() -> None:
    coded = _coding("J18.9; I10")
    assert main_right(Review("r", Verdict.RIGHT), coded)
    assert main_right(Review("r", Verdict.CHANGED, _coding("J18.9; I10; E11.9")), coded)
    assert not main_right(Review("r", Verdict.CHANGED, _coding("J12.8; I10")), coded)
    assert not main_right(Review("r", Verdict.CHANGED, _coding("I10; J18.9")), coded)
    # the auditor says the main condition is wrong (documentation) without new codes
    stated = Review("r", Verdict.CHANGED, None, frozenset({Reason.MAIN}))
    assert not main_right(stated, coded)


def test_reasons_are_read_from_codes_or_norwegian_texts() -> None:
    assert parse_reasons(["Bitilstand mangler", " main ", ""]) == {
        Reason.SECONDARY_MISSING,
        Reason.MAIN,
    }
    with pytest.raises(ValueError, match="feil kode"):
        parse_reasons(["feil kode"])
