"""Chart geometry on hand-made data: where the funnel plot draws points, lines and limits."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from kodevakt.report.svg import (
    FUNNEL_BOX,
    Bar,
    FunnelChart,
    FunnelPoint,
    LimitCurve,
    LineChart,
    Series,
    bar_chart,
    funnel_geometry,
    funnel_plot,
    line_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"

# pooled 20 %, limits ±z·sqrt(p(1-p)/n) written out by hand at n = 50, 100, 200, 400, 500
LIMITS = (
    LimitCurve(
        "95",
        ((50, 0.0891, 0.3109), (100, 0.1216, 0.2784), (200, 0.1446, 0.2554), (400, 0.1608, 0.2392),
         (500, 0.1649, 0.2351)),
    ),
    LimitCurve(
        "99.8",
        ((50, 0.0252, 0.3748), (100, 0.0764, 0.3236), (200, 0.1126, 0.2874), (400, 0.1382, 0.2618),
         (500, 0.1447, 0.2553)),
    ),
)  # fmt: skip
CHART = FunnelChart(
    title="Symptomkode som hovedtilstand",
    points=(
        FunnelPoint("A", 100, 0.10, "95"),
        FunnelPoint("B", 400, 0.30, "99.8"),
        FunnelPoint("C", 250, 0.21, ""),
    ),
    pooled=0.20,
    limits=LIMITS,
)


def _floats(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", path)]


def test_nice_ticks() -> None:
    assert nice_ticks(0, 420) == [0, 100, 200, 300, 400, 500]
    assert nice_ticks(0, 0.3495) == [0, 0.1, 0.2, 0.3, 0.4]
    assert nice_ticks(0, 7) == [0, 2, 4, 6, 8]


def test_funnel_geometry_by_hand() -> None:
    geo = funnel_geometry(CHART)
    box = FUNNEL_BOX
    # x: 0..500 (max n 400 · 1.05 rounded up to the next 100) over the plot's width
    assert geo.x_ticks == (0, 100, 200, 300, 400, 500)
    assert geo.x(0) == box.x0 and geo.x(500) == box.x1
    assert geo.x(100) == pytest.approx(70 + (680 - 24 - 70) / 5)
    # y: 0..40 % (the highest value is the 99.8 % upper limit at n = 100, 32.4 %, plus 8 %)
    assert geo.y_ticks == (0, 0.1, 0.2, 0.3, 0.4)
    assert geo.y(0) == box.y0 == 380 - 46
    assert geo.y(0.4) == box.y1 == 34
    assert geo.y(0.2) == pytest.approx(184)


def test_funnel_plot_draws_points_pooled_line_and_limits() -> None:
    svg = funnel_plot(CHART)
    root = ET.fromstring(svg)  # well-formed XML
    geo = funnel_geometry(CHART)
    circles = {c.get("data-unit"): c for c in root.iter(f"{SVG}circle")}
    assert set(circles) == {"A", "B", "C"}
    for point in CHART.points:
        circle = circles[point.label]
        assert float(circle.get("cx", "")) == pytest.approx(geo.x(point.n), abs=0.05)
        assert float(circle.get("cy", "")) == pytest.approx(geo.y(point.value), abs=0.05)
    assert "outside-95" in circles["A"].get("class", "")
    assert "outside-998" in circles["B"].get("class", "")
    assert "inside" in circles["C"].get("class", "")
    # pooled line across the plot at 20 %
    pooled = next(e for e in root.iter(f"{SVG}line") if e.get("class") == "pooled")
    assert float(pooled.get("y1", "")) == float(pooled.get("y2", "")) == pytest.approx(184)
    assert float(pooled.get("x1", "")) == FUNNEL_BOX.x0
    assert float(pooled.get("x2", "")) == FUNNEL_BOX.x1
    # four limit paths; each narrows towards the pooled line as n grows
    paths = {p.get("class", ""): _floats(p.get("d", "")) for p in root.iter(f"{SVG}path")}
    assert set(paths) == {
        "limit limit-95 upper",
        "limit limit-95 lower",
        "limit limit-998 upper",
        "limit limit-998 lower",
    }
    for name, coords in paths.items():
        xs = [x for x, _ in coords]
        ys = [y for _, y in coords]
        assert xs == sorted(xs)
        if "upper" in name:
            assert all(y < 184 for y in ys) and ys == sorted(ys)  # going down towards 184
        else:
            assert all(y > 184 for y in ys) and ys == sorted(ys, reverse=True)
    # the 99.8 % funnel is wider than the 95 % one at every n
    for (_, outer), (_, inner) in zip(
        paths["limit limit-998 upper"], paths["limit limit-95 upper"], strict=True
    ):
        assert outer < inner
    # labels, legend and Norwegian tick labels
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert {"A", "B", "C"} <= set(texts)
    assert "95 %-grense" in texts and "99,8 %-grense" in texts
    assert "20\u00a0%" in texts and "1\u00a0000" not in texts


def test_funnel_labels_do_not_overlap_for_close_points() -> None:
    chart = FunnelChart(
        "t", tuple(FunnelPoint(f"AVD{i}", 200, 0.2, "") for i in range(3)), 0.2, LIMITS
    )
    root = ET.fromstring(funnel_plot(chart))
    spots = {(t.get("x"), t.get("y")) for t in root.iter(f"{SVG}text") if t.get("class") == "label"}
    assert len(spots) == 3


def test_line_chart_breaks_at_missing_values() -> None:
    chart = LineChart(
        "Utvikling",
        ("2024T3", "2025T1", "2025T2"),
        (Series("Alle", (0.1, 0.12, 0.11), emphasis=True), Series("MED", (0.2, None, 0.25))),
    )
    root = ET.fromstring(line_chart(chart))
    groups = {g.get("data-series"): g for g in root.iter(f"{SVG}g") if g.get("data-series")}
    assert len(list(groups["Alle"].iter(f"{SVG}polyline"))) == 1
    assert len(list(groups["MED"].iter(f"{SVG}polyline"))) == 2  # two single-point runs
    assert len(list(groups["MED"].iter(f"{SVG}circle"))) == 2
    assert groups["Alle"].find(f"{SVG}polyline").get("stroke-width") == "3"  # type: ignore[union-attr]


def test_bar_chart_lengths_are_proportional() -> None:
    root = ET.fromstring(bar_chart("Funn", [Bar("Feil", 50), Bar("Info", 100)]))
    widths = [float(r.get("width", "")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert widths[1] == pytest.approx(2 * widths[0], abs=0.1)


def test_text_is_escaped() -> None:
    chart = FunnelChart("<script>", (FunnelPoint("A&B <i>", 10, 0.1),), 0.1, ())
    svg = funnel_plot(chart)
    assert "<script>" not in svg and "<i>" not in svg
    ET.fromstring(svg)
