"""End to end in a real browser: a lead opens the Arbeidsliste, assigns a finding, asks the
doctor, records the answer, accepts it with a comment (after being told a comment is
required) and sees each step in the finding's audit log. Screenshots in out/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kodevakt.storage.accounts import Role
from tests.web.conftest import login, screenshot
from tests.web.worklist_data import import_records, period_episodes


def test_assign_ask_answer_and_accept_a_finding(
    app_db: Path, browser_page: tuple[str, Any]
) -> None:
    found = import_records(app_db, period_episodes())
    key = found.key("ep-1", "T02")
    base_url, page = browser_page
    login(page, base_url, Role.LEAD)

    page.get_by_role("link", name="Arbeidsliste").click()
    page.wait_for_url(f"{base_url}/arbeidsliste")
    assert page.locator("#antall").inner_text().startswith("5 funn.")
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() == 5
    assert rows.first.locator(".badge").first.inner_text() == "feil"
    screenshot(page, "arbeidsliste")

    page.locator(f'tr[data-key="{key}"]').get_by_role("link", name="T02").click()
    page.wait_for_url(lambda url: f"/arbeidsliste/{key}" in url)
    assert "Stjernekode uten sverdkode" in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "funn")

    page.get_by_label("Tildel til").select_option("koder")
    page.get_by_role("button", name="Tildel", exact=True).click()
    page.get_by_text("Tildelingen er endret.").wait_for()
    assert page.locator("#tildelt").inner_text() == "koder"
    screenshot(page, "funn-tildelt")

    page.get_by_label("Spørsmål til lege").fill("Har pasienten diabetes type 1 eller 2?")
    page.get_by_role("button", name="Spør lege").click()
    page.get_by_text("Spørsmålet til legen er registrert.").wait_for()
    assert page.locator("#status").inner_text().startswith("spurt lege")
    screenshot(page, "funn-spurt")

    page.get_by_label("Legens svar").fill("Type 1, se notat 2.3.")
    page.get_by_role("button", name="Registrer svaret").click()
    page.get_by_text("Legens svar er registrert.").wait_for()
    assert "Type 1, se notat 2.3." in page.locator("#sporsmal-til-lege").inner_text()
    screenshot(page, "funn-svar")

    page.get_by_role("button", name="Godta funnet").click()  # without the comment
    error = page.locator("#kommentar-feil")
    error.wait_for()
    assert error.inner_text().startswith("Skriv en kommentar")
    screenshot(page, "funn-kommentar-mangler")

    page.get_by_label("Godta: kodingen er riktig fordi …").fill("Legen bekrefter koden.")
    page.get_by_role("button", name="Godta funnet").click()
    page.get_by_text("Funnet er godtatt.").wait_for()
    assert page.locator("#status").inner_text().startswith("godtatt")
    log = [row.inner_text() for row in page.locator("table.audit tbody tr").all()]
    steps = [" ".join(row.split()) for row in log]
    assert len(steps) == 4
    assert "leder tildelt: ingen → koder" in steps[0]
    assert "leder åpen → spurt lege Har pasienten diabetes type 1 eller 2?" in steps[1]
    assert "leder svar fra lege: Type 1, se notat 2.3." in steps[2]
    assert "leder spurt lege → godtatt Legen bekrefter koden." in steps[3]
    screenshot(page, "funn-godtatt")

    page.get_by_role("link", name="← Tilbake til arbeidslisten").click()
    page.wait_for_url(lambda url: url.startswith(f"{base_url}/arbeidsliste?"))
    assert page.locator(f'tr[data-key="{key}"]').count() == 0  # done: off the list
    assert page.locator("#antall").inner_text().startswith("4 funn.")
    screenshot(page, "arbeidsliste-etter")


def test_approve_the_fix_of_a_selected_finding(app_db: Path, browser_page: tuple[str, Any]) -> None:
    found = import_records(app_db, period_episodes())
    key = found.key("ep-5", "T29")
    base_url, page = browser_page
    login(page, base_url, Role.CODER)
    page.goto(f"{base_url}/arbeidsliste")
    row = page.locator(f'tr[data-key="{key}"]')
    assert row.locator(".has-fix").inner_text() == "retting"
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Godkjenn rettingen for valgte").click()
    page.get_by_text("1 funn har fått rettingen godkjent.").wait_for()
    assert page.locator(f'tr[data-key="{key}"]').count() == 0  # decided: off the to-do list
    screenshot(page, "arbeidsliste-godkjent")

    page.goto(f"{base_url}/arbeidsliste/{key}")
    assert page.locator("#status").inner_text().startswith("retting godkjent")
    assert "export --with-fixes" in page.locator("#godkjent-retting").inner_text()
    steps = [" ".join(r.inner_text().split()) for r in page.locator("table.audit tbody tr").all()]
    assert len(steps) == 1 and "koder åpen → retting godkjent" in steps[0]
    screenshot(page, "funn-retting-godkjent")
