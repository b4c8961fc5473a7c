"""The report page from hand-made data: one self-contained Norwegian HTML file."""

from __future__ import annotations

import re
from dataclasses import replace

from kodevakt.report.html import period_label, render_report
from tests.report.checks import check_page
from tests.report.sample import sample_report


def test_page_is_self_contained_and_well_formed() -> None:
    page = render_report(sample_report())
    parser = check_page(page)
    # a summary bar chart, two funnel plots and two trend charts
    assert parser.tags["svg"] == 5
    assert page.count("Slik leser du figuren:") == 5
    assert "1. tertial 2025 (januar–april)" in page
    assert "2\u00a0395" in page  # Norwegian thousands separator
    assert "17,2\u00a0%" in page  # decimal comma


def test_page_shows_findings_indicators_and_patterns() -> None:
    page = render_report(sample_report())
    rules = re.search(r'<table class="rules">.*?</table>', page, re.DOTALL)
    assert rules is not None
    order = re.findall(r"<tr><td>([A-Z]\d\d)</td>", rules.group(0))
    assert order == ["T04", "K01", "M01", "T13"]  # errors first, then by count
    assert "utenfor 99,8 %" in page
    assert "Symptomkode som hovedtilstand" in page
    assert "Oppsplittet opphold" in page and "P-3f9a2c81" in page


def test_text_from_data_is_escaped() -> None:
    page = render_report(sample_report())
    assert "PSYK <b>&" not in page
    assert "PSYK &lt;b&gt;&amp;" in page


def test_empty_period_still_renders() -> None:
    empty = replace(
        sample_report(),
        episodes=0,
        episodes_with_findings=0,
        by_severity={},
        rules=(),
        departments=(),
        indicators=(),
        patterns=(),
        pattern_examples=(),
    )
    page = render_report(empty)
    check_page(page)
    assert "Ingen funn i perioden." in page
    assert "For få perioder" in page


def test_period_label() -> None:
    assert period_label("2024T3") == "3. tertial 2024 (september–desember)"
    assert period_label("2025") == "2025"
