"""The interval chart of the record-review report: estimates with 95 % intervals, a standard."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from kodevakt.report.svg import Estimate, interval_chart


def test_each_estimate_is_a_dot_on_its_interval_with_the_standard_dashed() -> None:
    chart = interval_chart(
        "Riktig hovedtilstand",
        [Estimate("Hovedtilstand <feil>", 0.2, 0.1, 0.35), Estimate("Alle", 0.9, 0.85, 0.95)],
        reference=0.95,
        reference_label="standard 95 %",
    )
    root = ET.fromstring(chart)  # well-formed: labels are escaped
    assert root.tag.endswith("svg")
    assert "Hovedtilstand &lt;feil&gt;" in chart
    assert "20,0\u00a0%" in chart and "90,0\u00a0%" in chart
    assert 'stroke-dasharray="5 4"' in chart and "standard 95 %" in chart
    dots = re.findall(r'<circle cx="([\d.]+)"', chart)
    lines = re.findall(
        r'<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)" y2="[\d.]+" stroke="#0072B2"', chart
    )
    assert len(dots) == 2 and len(lines) == 2
    for dot, (low, high) in zip(dots, lines, strict=True):
        assert float(low) < float(dot) < float(high)
