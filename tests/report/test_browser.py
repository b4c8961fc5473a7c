"""The report in a real browser: headless Chromium renders it, with its charts, and no errors."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from kodevakt.report.html import render_report
from kodevakt.report.svg import OUTER, PALETTE
from tests.report import browser
from tests.report.png import Image, read_png
from tests.report.sample import sample_report

KEEP = "KODEVAKT_SCREENSHOTS"  # a folder to copy the screenshots to, for a person to look at


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _colours(image: Image, step: int = 3) -> dict[tuple[int, ...], int]:
    counts: dict[tuple[int, ...], int] = {}
    for y in range(0, image.height, step):
        for x in range(0, image.width, step):
            pixel = image.pixel(x, y)
            counts[pixel] = counts.get(pixel, 0) + 1
    return counts


def assert_rendered(page: Path, tmp_path: Path, expected_svgs: int) -> Path:
    """Screenshot and DOM of `page`: charts present, no console errors, not blank."""
    dom = browser.dump_dom(page, tmp_path / "profile-dom")
    assert dom.console == []
    assert dom.stdout.count("<svg") == expected_svgs
    assert "Sammendrag" in dom.stdout and "Slik leser du figuren" in dom.stdout
    png = tmp_path / "rapport.png"
    shot = browser.screenshot(page, png, tmp_path / "profile-shot", size=(1200, 3000))
    assert shot.console == []
    assert png.is_file() and 30_000 < png.stat().st_size < 20_000_000
    image = read_png(png)
    assert (image.width, image.height) == (1200, 3000)
    colours = _colours(image)
    total = sum(colours.values())
    background = max(colours.values())
    assert len(colours) > 200, "the screenshot has too few colours: blank or unstyled"
    assert background / total < 0.9, "the screenshot is almost one colour"
    return png


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "rapport.html"
    html = render_report(sample_report())
    page.write_text(html, encoding="utf-8")
    png = assert_rendered(page, tmp_path, html.count("<svg"))
    keep(png, "rapport-eksempel.png")


def keep(png: Path, name: str) -> None:
    folder = os.environ.get(KEEP)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(folder) / name)


def test_funnel_plot_is_drawn(tmp_path: Path) -> None:
    """The funnel SVG alone: the 99.8 % limit line and the points appear in their colours."""
    html = render_report(sample_report())
    funnel = re.search(r'<svg[^>]*class="chart funnel".*?</svg>', html, re.DOTALL)
    assert funnel is not None
    page = tmp_path / "trakt.html"
    page.write_text(f'<!DOCTYPE html><meta charset="utf-8">{funnel.group(0)}', encoding="utf-8")
    png = tmp_path / "trakt.png"
    browser.screenshot(page, png, tmp_path / "profile", size=(700, 400))
    colours = _colours(read_png(png), step=1)
    assert colours.get(_rgb(OUTER), 0) > 50  # limit lines and points outside 99.8 %
    # points are drawn with opacity 0.85 over white: blue mixed with white
    r, g, b = _rgb(PALETTE[0])
    blended = tuple(round(c * 0.85 + 255 * 0.15) for c in (r, g, b))
    near = sum(
        n
        for colour, n in colours.items()
        if all(abs(a - e) <= 2 for a, e in zip(colour, blended, strict=True))
    )
    assert near > 30
    assert colours.get((34, 34, 34), 0) > 200  # pooled line, axis and text in ink
