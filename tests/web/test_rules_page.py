"""Regler: every rule of the registry, with its metadata, docstring and examples."""

from __future__ import annotations

import re

from kodevakt.batch.catalogue import all_rules
from kodevakt.web.routes.rules import doc_sections, pieces
from tests.web.helpers import WebClient


def test_every_rule_is_on_the_page_with_its_metadata(client: WebClient) -> None:
    page = client.get("/regler").text
    listed = re.findall(r'<article class="rule" id="([A-Z]\d+)">', page)
    assert listed == [r.code for r in all_rules()]
    t02 = page[page.index('id="T02"') : page.index('id="T03"')]
    assert "Stjernekode uten sverdkode foran seg" in t02
    assert '<span class="badge sev-error">feil</span>' in t02
    assert "<code>asterisk-without-dagger</code>" in t02 and "gir rettingsforslag" in t02
    assert "Kilde: Kodeveiledning 2018 §4.2" in t02
    assert "<h4>Hva regelen sjekker</h4>" in t02 and "<h4>Hvorfor</h4>" in t02
    # the examples the tests run: one that fires, with its fix, and one that passes
    assert "<h4>Koding som utløser regelen</h4>" in t02
    assert (
        "<code>H36.0+E10.3</code> → error on <code>H36.0</code>; fix <code>E10.3+H36.0</code>"
        in t02
    )
    assert "<h4>Riktig koding</h4>" in t02 and "<li><code>E10.3+H36.0</code>." in t02
    m01 = page[page.index('id="M01"') :]
    assert "A batch of 2 episodes" in m01 and "(patient p1," in m01


def test_docstring_sections_are_reflowed_paragraphs() -> None:
    doc = "Checks: one\nline.\n\nSecond `A01`.\n\nWhy: because."
    sections = doc_sections(doc)
    assert [s.heading for s in sections] == ["Hva regelen sjekker", "Hvorfor"]
    assert sections[0].paragraphs == [
        [("one line.", False)],
        [("Second ", False), ("A01", True), (".", False)],
    ]
    assert doc_sections("No sections here.")[0].heading == ""
    assert pieces("<b>`<i>`") == [("<b>", False), ("<i>", True)]
