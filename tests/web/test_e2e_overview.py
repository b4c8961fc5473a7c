"""End to end in a real browser: a lead imports a file and sees the counts, then opens the
overview with its charts. Screenshots in out/screenshots/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kodevakt.storage.accounts import Role
from kodevakt.synth.generator import generate
from tests.web.conftest import login, screenshot

EPISODES = 900


def test_import_a_file_see_the_counts_and_open_the_overview_with_charts(
    browser_page: tuple[str, Any], tmp_path: Path
) -> None:
    base_url, page = browser_page
    extract = tmp_path / "uttrekk-2025.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in generate(EPISODES, seed=3, year=2025)]
    extract.write_text("\n".join([*lines, "{ikke json"]) + "\n", encoding="utf-8")
    login(page, base_url, Role.LEAD)

    # Import: the file goes up with a progress bar; the job's page follows the import.
    page.get_by_role("link", name="Import").click()
    page.wait_for_url(f"{base_url}/import")
    page.get_by_label("Uttrekk").set_input_files(extract)
    page.get_by_label("Periode").fill("auto")
    screenshot(page, "import")
    page.get_by_role("button", name="Les inn").click()
    page.wait_for_url(f"{base_url}/import/*")
    page.get_by_role("heading", name="Periode 2025T3").wait_for(timeout=60_000)
    results = page.locator("section.import-result")
    assert results.count() == 3
    read = sum(int(n) for n in results.locator('[data-count="read"]').all_inner_texts())
    rejected = sum(int(n) for n in results.locator('[data-count="rejected"]').all_inner_texts())
    checked = sum(int(n) for n in results.locator('[data-count="checked"]').all_inner_texts())
    assert (read, rejected, checked) == (EPISODES + 1, 1, EPISODES)
    assert page.locator("tr.rejection").inner_text().startswith(str(EPISODES + 1))
    screenshot(page, "import-resultat")

    # Oversikt: progress per unit and the indicators with funnel plots and trends.
    page.get_by_role("link", name="Oversikten for 2025T3").click()
    page.wait_for_url(f"{base_url}/oversikt?periode=2025T3")
    assert page.get_by_role("heading", name="Fremdrift per enhet").is_visible()
    assert page.locator("table.progress tr.unit").count() > 10
    funnel = page.locator("svg.funnel").first
    funnel.scroll_into_view_if_needed()
    assert funnel.is_visible() and funnel.bounding_box()["width"] > 300
    assert page.locator("svg.trend").count() > 0
    # A department's row and its point light up together.
    article = page.locator("article.indicator").first
    row = article.locator("tr[data-unit]").first
    unit = row.get_attribute("data-unit")
    row.hover()
    point = article.locator(f'circle[data-unit="{unit}"]')
    assert "highlight" in (point.get_attribute("class") or "")
    screenshot(page, "oversikt")
