"""A discharge summary as the web pages show it: the text with the evidence for each code
marked, and the codes the text states beside the episode's own.

The text is cut into segments at the mentions the reader found; the template writes each
segment escaped (autoescape), a mention inside a `<mark>` that names its code and certainty.
Each code row says whether the episode codes it (a coded code of the same category, or one
the mention's phrase supports), so a coder sees at a glance what the text states and the
coding lacks, and what the coding has that the text negates or only suspects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kodevakt.documentation import CodeFound, Mention, Reading


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of the text; `mention` is set when the piece is a mention's words."""

    text: str
    mention: Mention | None = None

    @property
    def label(self) -> str:
        """What the mark says when pointed at: code, certainty and section."""
        if self.mention is None:
            return ""
        m = self.mention
        return f"{'+'.join(m.codes)}: {m.certainty.norwegian} ({m.section.norwegian})"


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One code the text states, and whether the episode codes it."""

    found: CodeFound
    coded: bool
    quote: str


@dataclass(frozen=True, slots=True)
class TextView:
    segments: list[Segment]
    rows: list[CodeRow]
    main: CodeFound | None


def text_view(reading: Reading, coded: Iterable[str] = ()) -> TextView:
    """The reading as the pages show it; `coded` holds the episode's codes (none: only what
    the text states)."""
    codes = list(coded)
    text = reading.text
    segments: list[Segment] = []
    position = 0
    for mention in sorted(reading.mentions, key=lambda m: m.span.start):
        if mention.span.start < position:
            continue  # mentions do not overlap; this guards the slicing all the same
        if mention.span.start > position:
            segments.append(Segment(text[position : mention.span.start]))
        segments.append(Segment(text[mention.span.start : mention.span.end], mention))
        position = mention.span.end
    if position < len(text):
        segments.append(Segment(text[position:]))
    rows = [
        CodeRow(
            found,
            any(m.supports(code) for m in found.mentions for code in codes),
            found.evidence.context_span().quote(text),
        )
        for found in reading.codes
    ]
    return TextView(segments, rows, reading.main)
