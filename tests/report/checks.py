"""Checks shared by the report tests: a self-contained, well-nested page in Norwegian."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "hr", "img", "input", "col", "source", "wbr", "area", "base"}
SVG_VOID = {"line", "circle", "rect", "path", "polyline", "stop"}  # self-closed in SVG
SECTIONS = (
    "Sammendrag",
    "Funn per regel og alvorlighet",
    "Kvalitetsindikatorer per avdeling",
    "Utvikling over",
    "Mønstre på tvers av episoder",
    "Om rapporten",
)
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_page(page: str) -> _Nesting:
    """Well nested, no external references, the Norwegian sections, well-formed SVG."""
    assert page.startswith("<!DOCTYPE html>")
    parser = _Nesting()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.tags.get("html") == parser.tags.get("body") == 1
    assert not EXTERNAL.search(page), "external reference in the report"
    for forbidden in ("<script", "<link", "<iframe", "<img", "<object", "<embed", "@import"):
        assert forbidden not in page.lower()
    assert not re.search(r"url\(\s*['\"]?(?!#)", page), "url() to something outside the page"
    text = " ".join(parser.text)
    for section in SECTIONS:
        assert section in text
    assert '<html lang="nb">' in page
    for svg in re.findall(r"<svg\b.*?</svg>", page, re.DOTALL):
        ET.fromstring(svg)
    return parser
