"""The phrase list is valid data: codes that exist, groups that parse, a source per line."""

from __future__ import annotations

from kodevakt.codes.loading import default_codebase
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.documentation.lexicon import COMPOUND_ONLY, DOMAINS, in_group, lexicon


def test_every_condition_code_is_reportable_in_the_embedded_list() -> None:
    base = default_codebase()
    wrong = []
    for entry in lexicon().entries:
        codes = (*entry.codes, *(c for _, alt in entry.domains for c in alt))
        for code in codes:
            kind = normalise(code).kind
            if kind is CodeKind.PROCEDURE:
                continue
            known = base.lookup(code)
            if known is None or not known.reportable:
                wrong.append((entry.line, code))
    assert not wrong


def test_every_procedure_code_has_a_procedure_shape() -> None:
    for entry in lexicon().entries:
        for code in entry.codes:
            if code[:1].isalpha() and len(code) >= 5 and not code[1].isdigit():
                assert normalise(code).kind is CodeKind.PROCEDURE, (entry.line, code)


def test_every_entry_has_words_a_source_and_supports_its_own_code() -> None:
    for entry in lexicon().entries:
        assert entry.source, entry.line
        assert all(entry.parts), entry.line
        if entry.codes:
            code = entry.codes[0]
            assert in_group(code, entry.group) or code.replace(".", "")[:3] in {
                g.replace(".", "")[:3] for g in entry.group
            }, (entry.line, code, entry.group)
        else:
            assert COMPOUND_ONLY in entry.flags or entry.domains, entry.line
        for domain, _ in entry.domains:
            assert domain in DOMAINS


def test_one_wording_points_to_one_code() -> None:
    seen: dict[tuple[tuple[str, ...], ...], tuple[str, ...]] = {}
    clashes = []
    for entry in lexicon().entries:
        if COMPOUND_ONLY in entry.flags:
            continue
        known = seen.setdefault(entry.parts, entry.codes)
        if known != entry.codes:
            clashes.append((entry.phrase, known, entry.codes))
    assert not clashes


def test_groups_are_ranges_categories_or_prefixes() -> None:
    assert in_group("J13", ("J12-J18",))
    assert not in_group("J20.9", ("J12-J18",))
    assert in_group("FNG02", ("FNG",))
    assert in_group("E11.9", ("E10-E14",))
