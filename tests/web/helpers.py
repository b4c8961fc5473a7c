"""Users, passwords and a logged-in test client for the web tests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx2 as httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kodevakt.storage.accounts import Role

# One user per role in every test database: name and password.
USERS: dict[Role, tuple[str, str]] = {
    Role.CODER: ("koder", "koder-passord-1"),
    Role.LEAD: ("leder", "leder-passord-1"),
    Role.ADMIN: ("admin", "admin-passord-1"),
}
BASE_URL = "https://testserver"  # https: the session cookie is Secure, as in production
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_in(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


class WebClient(TestClient):
    """A test client that can log in; `csrf` is its session's CSRF token once logged in, and
    `post_form` posts a form with it."""

    def __init__(self, app: FastAPI, *, raise_server_exceptions: bool = True) -> None:
        super().__init__(
            app,
            base_url=BASE_URL,
            follow_redirects=False,
            raise_server_exceptions=raise_server_exceptions,
        )
        self.csrf = ""

    def login(self, name: str, password: str) -> httpx.Response:
        """Log in afresh (any earlier session's cookie is dropped first)."""
        self.cookies.clear()
        page = self.get("/login")
        response = self.post(
            "/login",
            data={"brukernavn": name, "passord": password, "csrf_token": csrf_in(page.text)},
        )
        if response.status_code == 303:
            self.csrf = csrf_in(self.get("/regler").text)
        return response

    def post_form(
        self, url: str, data: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf}, **kwargs)
