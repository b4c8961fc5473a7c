"""Fixtures for the web tests: a database with one user per role, clients logged in as each,
API tokens, and a live server with a real browser (Playwright driving Debian's Chromium).

- `app_db`: a migrated SQLite file with the users of `helpers.USERS` (copied per test from
  one made per session: Argon2 hashing is slow on purpose).
- `app`: the application on it (secure cookies on; the clients use https://testserver).
- `client`: logged in as the coder; `client.csrf`, `client.post_form(url, data)`.
- `client_as(role)`: a new client logged in as that role's user; `anon`: not logged in.
- `api_token(role)`: the secret of a new API token with that role.
- `browser_page`: (base_url, page) on a live server in a thread; `login(page, base_url,
  role)` logs in through the form; `screenshot(page, name)` saves
  out/screenshots/<name>.png. Without Chromium the browser tests are skipped locally and
  fail under CI, as the report's browser tests do (tests/report/browser.py).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from kodevakt.storage import Store
from kodevakt.storage.accounts import Accounts, Role
from kodevakt.web.app import create_app
from kodevakt.web.settings import WebSettings
from tests.report.browser import chromium
from tests.web.helpers import USERS, WebClient

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-template") / "kodevakt.db"
    with Store(f"sqlite:///{path}") as store:
        accounts = Accounts(store.engine)
        for role, (name, password) in USERS.items():
            accounts.add_user(name, role, password)
    return path


@pytest.fixture
def app_db(_template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "kodevakt.db"
    shutil.copy(_template_db, path)
    return path


def make_app(db: Path, **settings: Any) -> FastAPI:
    return create_app(WebSettings(database_url=f"sqlite:///{db}", **settings))


@pytest.fixture
def app(app_db: Path) -> Iterator[FastAPI]:
    made = make_app(app_db)
    yield made
    made.state.services.store.close()


@pytest.fixture
def client_as(app: FastAPI) -> Iterator[Callable[[Role], WebClient]]:
    made: list[WebClient] = []

    def logged_in(role: Role) -> WebClient:
        web = WebClient(app)
        made.append(web)
        response = web.login(*USERS[role])
        assert response.status_code == 303, response.text
        return web

    yield logged_in
    for web in made:
        web.close()


@pytest.fixture
def client(client_as: Callable[[Role], WebClient]) -> WebClient:
    return client_as(Role.CODER)


@pytest.fixture
def anon(app: FastAPI) -> Iterator[WebClient]:
    with WebClient(app) as web:
        yield web


@pytest.fixture
def api_token(app: FastAPI) -> Callable[[Role], str]:
    counter = iter(range(1_000_000))

    def create(role: Role) -> str:
        accounts: Accounts = app.state.services.accounts
        return accounts.create_token(f"test-{role.value}-{next(counter)}", role)

    return create


# -- live server and browser ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(app_db: Path) -> Iterator[str]:
    """The application on a free 127.0.0.1 port, served by uvicorn in a thread, set up as
    `kodevakt serve` sets it up (Secure cookies: browsers keep them for http://127.0.0.1)."""
    application = make_app(app_db)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    application.state.services.store.close()


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(live_server: str, _browser: Any) -> Iterator[tuple[str, Any]]:
    context = _browser.new_context(viewport={"width": 1366, "height": 850}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield live_server, page
    context.close()


def login(page: Any, base_url: str, role: Role = Role.CODER) -> None:
    """Log in through the login form as `role`'s test user."""
    name, password = USERS[role]
    page.goto(f"{base_url}/login")
    page.get_by_label("Brukernavn").fill(name)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Any, name: str) -> Path:
    """Save the whole page as out/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
