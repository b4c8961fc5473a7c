"""End to end in a real browser: log in, search and open a code, check an episode as you type,
apply a suggestion with one click and see the finding go. Screenshots in out/screenshots/."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import login, screenshot


def test_search_open_a_code_check_and_apply_a_suggestion(browser_page: tuple[str, Any]) -> None:
    base_url, page = browser_page
    login(page, base_url)

    # Søk: results arrive while typing (htmx), without submitting the form.
    page.goto(f"{base_url}/sok")
    page.get_by_label("Ord, forkortelse eller kode").press_sequentially("lungebetennelse")
    first = page.locator("#treff table a.code").first
    first.wait_for()
    assert first.inner_text() == "J18.9"
    assert "/sok?" not in page.url  # the page was not reloaded
    assert "lungebetennelse → pneumoni (synonym)" in page.locator("#treff").inner_text()
    screenshot(page, "sok")

    # The code page, reached with the keyboard.
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/kode/J18.9")
    assert page.get_by_role("heading", level=1).inner_text().startswith("J18.9")
    assert page.locator("nav.crumbs").get_by_role("link", name="J18", exact=True).is_visible()
    assert page.get_by_role("heading", name="Gyldighet per år").is_visible()
    screenshot(page, "kode")

    # Sjekk episode: the finding appears as the codes are typed.
    page.get_by_role("link", name="Sjekk episode").click()
    page.wait_for_url(f"{base_url}/sjekk")
    page.get_by_label("Kjønn").select_option("K")
    page.get_by_label("Alder (år)").fill("70")
    page.get_by_label("Tilstander").press_sequentially("H36.0; E10.3")
    finding = page.locator('li.finding[data-rule="T02"]')
    finding.wait_for()
    assert "Kilde: Kodeveiledning 2018" in finding.inner_text()
    screenshot(page, "sjekk")

    # One click applies the suggestion and checks again: the finding goes.
    finding.get_by_role("button", name="Bruk forslaget").click()
    page.get_by_text("Forslaget er brukt").wait_for()
    assert page.get_by_label("Tilstander").input_value() == "E10.3+H36.0"
    assert page.locator('li.finding[data-rule="T02"]').count() == 0
    assert page.locator("#funn .summary").inner_text().startswith("Ingen funn")
    screenshot(page, "sjekk-rettet")
