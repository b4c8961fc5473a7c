"""Regler: the rule catalogue, both kinds, from the same registry as `kodevakt rules`.

Each rule shows its metadata, its docstring (what it checks and why, in English as written)
and its examples, which are the data the tests run against the rule, so a page can never
show an example the rule disagrees with.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kodevakt.batch.catalogue import FAMILIES, AnyRule, all_rules, examples_of, outcome
from kodevakt.rules.examples import BatchExample
from kodevakt.rules.registry import RuleStatus
from kodevakt.web.pages import render
from kodevakt.web.security import CurrentUser

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    RuleStatus.STABLE: "i bruk",
    RuleStatus.PREVIEW: "forhåndsvisning (av som standard)",
    RuleStatus.REMOVED: "fjernet",
}
_SECTION_HEADINGS = {
    "Checks": "Hva regelen sjekker",
    "Why": "Hvorfor",
    "Triggers": "Koding som utløser regelen",
    "Correct": "Riktig koding",
}

# Text with `code` spans, as (text, is_code) pieces, so the template escapes both.
Pieces = list[tuple[str, bool]]


@dataclass(frozen=True)
class Section:
    """One of the docstring's fixed sections (Checks, Why), its paragraphs reflowed."""

    heading: str
    paragraphs: list[Pieces]


@dataclass(frozen=True)
class ShownExample:
    text: Pieces
    episodes: list[Pieces]  # a pattern rule's batch, one line per episode


@dataclass(frozen=True)
class ShownRule:
    rule: AnyRule
    sections: list[Section]
    fires: list[ShownExample]
    passes: list[ShownExample]


def pieces(text: str) -> Pieces:
    """`J18.9` spans of the docs' Markdown as code pieces, the rest as text."""
    return [(part, i % 2 == 1) for i, part in enumerate(text.split("`")) if part]


def doc_sections(doc: str) -> list[Section]:
    """The docstring split at its section labels, each paragraph on one line again; text
    before the first label, or a docstring without them, has no heading."""
    raw: list[tuple[str, list[str]]] = [("", [])]
    for line in doc.splitlines():
        label, sep, rest = line.partition(":")
        if sep and label in _SECTION_HEADINGS:
            raw.append((_SECTION_HEADINGS[label], [rest.strip()]))
        else:
            raw[-1][1].append(line.strip())
    sections = []
    for heading, lines in raw:
        paragraphs = [" ".join(p.split()) for p in "\n".join(lines).split("\n\n")]
        kept = [pieces(p) for p in paragraphs if p]
        if kept:
            sections.append(Section(heading, kept))
    return sections


def _shown(rule: AnyRule, fires: bool) -> list[ShownExample]:
    shown = []
    for example in examples_of(rule):
        if example.fires is not fires:
            continue
        text = example.describe()
        if fires:
            text += f" → {outcome(rule, example)}"
        if example.note:
            text += f". {example.note[0].upper()}{example.note[1:]}"
        lines = example.lines() if isinstance(example, BatchExample) else []
        shown.append(ShownExample(pieces(text + "."), [pieces(line) for line in lines]))
    return shown


@router.get("/regler", response_class=HTMLResponse)
def rules_page(request: Request, user: CurrentUser) -> HTMLResponse:
    families: dict[str, list[ShownRule]] = {}
    for rule in all_rules():
        shown = ShownRule(rule, doc_sections(rule.doc), _shown(rule, True), _shown(rule, False))
        families.setdefault(rule.family, []).append(shown)
    return render(
        request,
        "rules.html",
        title="Regler",
        families=[(code, FAMILIES.get(code, code), members) for code, members in families.items()],
        count=sum(len(members) for members in families.values()),
        status_labels=STATUS_LABELS,
    )
