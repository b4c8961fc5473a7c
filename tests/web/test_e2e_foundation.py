"""In a real browser: log in, find the menu, open Regler, log out."""

from __future__ import annotations

from typing import Any

from kodevakt.storage.accounts import Role
from tests.web.conftest import login, screenshot


def test_log_in_open_the_rules_and_log_out(browser_page: tuple[str, Any]) -> None:
    base_url, page = browser_page
    problems: list[str] = []  # script errors and what the content security policy refused
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Refused" in message.text else None,
    )
    loaded: list[str] = []
    page.on("response", lambda response: loaded.append(f"{response.status} {response.url}"))

    page.goto(f"{base_url}/regler")
    assert page.url.startswith(f"{base_url}/login")  # sent to log in first
    page.get_by_label("Brukernavn").fill("koder")
    page.get_by_label("Passord").fill("feil-passord")
    page.get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("alert").inner_text() == "Feil brukernavn eller passord."
    screenshot(page, "login-feil")

    login(page, base_url, Role.CODER)
    menu = page.get_by_role("navigation", name="Hovedmeny")
    assert menu.get_by_role("link", name="Regler").is_visible()
    assert menu.get_by_role("link", name="Brukere").count() == 0  # a coder's menu
    menu.get_by_role("link", name="Regler").click()
    page.wait_for_url(f"{base_url}/regler")
    assert page.get_by_role("heading", level=1).inner_text() == "Regler"
    assert page.locator("article#T02 h3").inner_text().startswith("T02")
    assert menu.get_by_role("link", name="Regler").get_attribute("aria-current") == "page"
    screenshot(page, "regler")

    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(f"{base_url}/login")
    page.goto(f"{base_url}/regler")
    assert "/login" in page.url  # the session is gone
    screenshot(page, "logget-ut")
    assert problems == []
    assert f"200 {base_url}/static/vendor/htmx.min.js" in loaded
    assert not [line for line in loaded if line.startswith("404")]
