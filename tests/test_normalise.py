"""The one normaliser: canonical forms and the changes rule K04 reports."""

import pytest

from kodevakt.codes.normalise import CodeKind, normalise


@pytest.mark.parametrize(
    ("raw", "code", "kind", "changed"),
    [
        ("J12.8", "J12.8", CodeKind.ICD10, False),
        ("J128", "J12.8", CodeKind.ICD10, False),
        ("j12.8", "J12.8", CodeKind.ICD10, True),
        ("J12,8", "J12.8", CodeKind.ICD10, True),
        (" J12.8 ", "J12.8", CodeKind.ICD10, True),
        ("H36.0*", "H36.0", CodeKind.ICD10, True),
        ("E10.3†", "E10.3", CodeKind.ICD10, True),
        ("E10.3+", "E10.3", CodeKind.ICD10, True),
        ("J128,", "J12.8", CodeKind.ICD10, True),
        ("I21.4a", "I21.4a", CodeKind.ICD10, False),
        ("I214a", "I21.4a", CodeKind.ICD10, False),
        ("I21.4A", "I21.4a", CodeKind.ICD10, True),
        ("W0n0r", "W0n.0r", CodeKind.ICD10, False),
        ("V9n.xa", "V9n.xa", CodeKind.ICD10, False),
        ("Y4n", "Y4n", CodeKind.ICD10, False),
        ("D3701", "D37.01", CodeKind.ICD10, False),
        ("Z50.80", "Z50.80", CodeKind.ICD10, False),
        ("J1.28", "J12.8", CodeKind.ICD10, True),
        ("C07A B02", "C07AB02", CodeKind.ATC, True),
        ("C07AB02", "C07AB02", CodeKind.ATC, False),
        ("ZXA 05", "ZXA05", CodeKind.PROCEDURE, True),
        ("jka21", "JKA21", CodeKind.PROCEDURE, True),
        ("WBOC10", "WBOC10", CodeKind.PROCEDURE, False),
        ("HAB16K", "HAB16K", CodeKind.PROCEDURE, False),
        ("ZTX0EA", "ZTX0EA", CodeKind.PROCEDURE, False),
        ("hello world", "helloworld", CodeKind.UNKNOWN, True),
        ("", "", CodeKind.UNKNOWN, False),
    ],
)
def test_canonical_form(raw: str, code: str, kind: CodeKind, changed: bool) -> None:
    result = normalise(raw)
    assert (result.code, result.kind, result.changed) == (code, kind, changed)


def test_changes_are_named_in_norwegian() -> None:
    result = normalise(" j12,8* ")
    assert result.code == "J12.8"
    assert result.mark == "*"
    text = "; ".join(result.changes)
    assert "mellomrom" in text
    assert "komma" in text
    assert "stjernemerke" in text
    assert "store/små" in text


def test_npr_form_has_no_dot() -> None:
    assert normalise("I21.4a").npr == "I214a"
    assert normalise("W0n.0r").npr == "W0n0r"
