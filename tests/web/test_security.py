"""Nothing without login, no state change without the CSRF token, roles enforced by the
server, tokens held to their role, data shown inert, and no traceback ever shown.

The route walks read `app.routes`, so a route added later is covered without touching this
file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import create_engine, insert, select
from starlette.routing import Mount

from kodevakt.storage.accounts import MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_NAME, Role
from kodevakt.storage.schema import app_user
from kodevakt.web.routing import app_routes
from kodevakt.web.security import PUBLIC_PATHS, guard
from tests.web.helpers import USERS, WebClient

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
SCRIPT = "<script>alert('x')</script>"


def _routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, url) of every route, path parameters filled in; fails on a route that is not
    a FastAPI route behind `guard` (only /static, public files, is not)."""
    for route in app_routes(app):
        original = route.original_route
        if isinstance(original, Mount) and original.path == "/static":
            continue
        assert isinstance(original, APIRoute), f"{route.path}: not an APIRoute, so not guarded"
        assert any(d.dependency is guard for d in route.dependencies), route.path
        url = re.sub(r"\{[^}]+\}", "x", route.path or "")
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                yield method, url


def test_the_walk_sees_the_routes(app: FastAPI) -> None:
    walked = set(_routes(app))
    for expected in (("GET", "/regler"), ("POST", "/logout"), ("GET", "/api/me")):
        assert expected in walked


def test_every_route_but_login_and_health_refuses_without_login(
    app: FastAPI, anon: WebClient
) -> None:
    checked = 0
    for method, url in _routes(app):
        if url in PUBLIC_PATHS:
            continue
        response = anon.request(method, url)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json()["error"]["status"] == 401
        else:
            assert response.status_code == 303, (method, url, response.status_code)
            assert response.headers["location"].startswith("/login"), (method, url)
        checked += 1
    assert checked >= 5


def test_a_page_request_from_htmx_without_login_is_sent_to_login(anon: WebClient) -> None:
    response = anon.get("/regler", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?neste=%2Fregler"


@pytest.mark.parametrize("token", [None, "feil-merke"])
def test_every_state_change_refuses_without_a_valid_csrf_token(
    app: FastAPI, client_as: Callable[[Role], WebClient], token: str | None
) -> None:
    admin = client_as(Role.ADMIN)
    checked = 0
    for method, url in _routes(app):
        if method not in UNSAFE:
            continue
        data = {} if token is None else {"csrf_token": token}
        headers = {} if token is None else {"X-CSRF-Token": token}
        response = admin.request(method, url, data=data or None, headers=headers)
        assert response.status_code == 403, (method, url, response.status_code)
        assert "CSRF" in response.text, (method, url)
        checked += 1
    assert checked >= 3
    assert admin.get("/regler").status_code == 200  # still logged in: nothing was done


def test_login_itself_needs_the_login_forms_token(anon: WebClient) -> None:
    name, password = USERS[Role.CODER]
    anon.get("/login")
    response = anon.post("/login", data={"brukernavn": name, "passord": password})
    assert response.status_code == 403
    assert anon.get("/regler").status_code == 303


def test_csrf_token_in_header_is_accepted_as_htmx_sends_it(client: WebClient) -> None:
    response = client.post("/logout", headers={"X-CSRF-Token": client.csrf})
    assert response.status_code == 303
    assert client.get("/regler").status_code == 303  # logged out


def test_a_coder_cannot_do_lead_or_admin_actions(
    client: WebClient, client_as: Callable[[Role], WebClient], app: FastAPI
) -> None:
    assert client.get("/brukere").status_code == 403
    added = client.post_form("/brukere", {"navn": "ny", "rolle": "coder", "passord": "x" * 12})
    assert added.status_code == 403
    assert "krever rollen leder" in added.text
    assert client.post_form("/brukere/leder/deaktiver").status_code == 403
    names = [u.name for u in app.state.services.accounts.users()]
    assert "ny" not in names

    lead = client_as(Role.LEAD)
    assert lead.get("/brukere").status_code == 200
    refused = lead.post_form("/brukere", {"navn": "sjef", "rolle": "admin", "passord": "x" * 12})
    assert refused.status_code == 403
    assert lead.post_form("/brukere/koder/deaktiver").status_code == 403
    app.state.services.accounts.create_token("epj", Role.CODER)
    assert lead.post_form("/tokens/epj/tilbakekall").status_code == 403
    assert app.state.services.accounts.tokens()[0].revoked_at is None
    added = lead.post_form("/brukere", {"navn": "ny", "rolle": "coder", "passord": "x" * 12})
    assert added.status_code == 303

    admin = client_as(Role.ADMIN)
    assert admin.post_form("/tokens/epj/tilbakekall").status_code == 303
    assert app.state.services.accounts.tokens()[0].revoked_at is not None
    assert admin.post_form("/brukere/koder/deaktiver").status_code == 303
    assert client.get("/regler").status_code == 303  # the coder's session ended with it


def test_the_menu_shows_only_what_the_role_may_open(
    client: WebClient, client_as: Callable[[Role], WebClient]
) -> None:
    assert 'href="/brukere"' not in client.get("/regler").text
    assert 'href="/brukere"' in client_as(Role.LEAD).get("/regler").text


def test_an_api_token_cannot_exceed_its_role(
    anon: WebClient, api_token: Callable[[Role], str]
) -> None:
    def bearer(secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    coder, lead, admin = (api_token(role) for role in (Role.CODER, Role.LEAD, Role.ADMIN))
    me = anon.get("/api/me", headers=bearer(coder)).json()
    assert me["role"] == "coder" and me["token"] is True
    assert anon.get("/api/tokens", headers=bearer(coder)).status_code == 403
    assert anon.get("/api/tokens", headers=bearer(lead)).status_code == 403
    listed = anon.get("/api/tokens", headers=bearer(admin))
    assert listed.status_code == 200
    assert coder not in listed.text and admin not in listed.text  # never the secrets
    # a token opens the API only, not the pages
    assert anon.get("/regler", headers=bearer(admin)).status_code == 303
    assert anon.get("/api/me", headers=bearer(coder + "x")).status_code == 401


def test_a_revoked_token_is_refused_at_once(
    app: FastAPI, anon: WebClient, api_token: Callable[[Role], str]
) -> None:
    secret = api_token(Role.LEAD)
    headers = {"Authorization": f"Bearer {secret}"}
    assert anon.get("/api/me", headers=headers).status_code == 200
    name = app.state.services.accounts.tokens()[0].name
    app.state.services.accounts.revoke_token(name)
    refused = anon.get("/api/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "Ugyldig eller tilbakekalt API-token."


class Probe(BaseModel):
    name: str
    count: int


@pytest.fixture
def probe_app(app: FastAPI) -> FastAPI:
    """The application with test routes: a change on the API, a body model, a crash."""

    @app.post("/api/probe")
    def probe(body: Probe) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/krasj")
    def crash() -> None:
        raise RuntimeError("hemmelig-verdi-123")

    @app.get("/api/krasj")
    def api_crash() -> None:
        raise RuntimeError("hemmelig-verdi-123")

    return app


def test_api_changes_with_a_token_need_no_csrf_but_a_cookie_session_does(
    probe_app: FastAPI, client: WebClient, api_token: Callable[[Role], str]
) -> None:
    body = {"name": "a", "count": 1}
    token = {"Authorization": f"Bearer {api_token(Role.CODER)}"}
    with WebClient(probe_app) as fresh:
        assert fresh.post("/api/probe", json=body, headers=token).status_code == 200
    assert client.post("/api/probe", json=body).status_code == 403
    sent = client.post("/api/probe", json=body, headers={"X-CSRF-Token": client.csrf})
    assert sent.status_code == 200


def test_a_malformed_api_body_gets_422_naming_the_field(
    probe_app: FastAPI, anon: WebClient, api_token: Callable[[Role], str]
) -> None:
    token = {"Authorization": f"Bearer {api_token(Role.CODER)}"}
    response = anon.post("/api/probe", json={"name": "a", "count": "mange"}, headers=token)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == [{"field": "count", "message": "kan ikke leses"}]
    assert "mange" not in response.text  # the value sent is never echoed
    missing = anon.post("/api/probe", json={"count": 1}, headers=token).json()["error"]
    assert missing["fields"] == [{"field": "name", "message": "mangler"}]
    broken = anon.post(
        "/api/probe",
        content=b'{"name": ',
        headers={**token, "content-type": "application/json"},
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["fields"][0]["message"] == "er ikke gyldig JSON"


def test_no_page_shows_a_traceback(
    probe_app: FastAPI, api_token: Callable[[Role], str], client: WebClient
) -> None:
    with WebClient(probe_app, raise_server_exceptions=False) as web:
        web.cookies = client.cookies
        page = web.get("/krasj")
        token = {"Authorization": f"Bearer {api_token(Role.CODER)}"}
        api = web.get("/api/krasj", headers=token)
    assert page.status_code == 500 and api.status_code == 500
    for response in (page, api):
        assert "Traceback" not in response.text
        assert "hemmelig-verdi-123" not in response.text
        assert "RuntimeError" not in response.text
    assert "Det oppstod en feil i kodevakt" in page.text
    assert api.json()["error"]["message"].startswith("Det oppstod en feil i kodevakt")
    missing = client.get("/finnes-ikke")
    assert missing.status_code == 404 and "Siden finnes ikke." in missing.text
    assert client.get("/api/finnes-ikke").json()["error"]["message"] == "Siden finnes ikke."
    not_allowed = client.put("/regler", headers={"X-CSRF-Token": client.csrf})
    assert not_allowed.status_code == 405 and "ikke tillatt" in not_allowed.text


def test_script_in_a_user_name_is_shown_inert(
    app: FastAPI, app_db: Path, anon: WebClient, client_as: Callable[[Role], WebClient]
) -> None:
    anon.get("/login")
    login_page = anon.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', login_page)
    assert token is not None
    refused = anon.post(
        "/login",
        data={"brukernavn": SCRIPT, "passord": "feil-passord", "csrf_token": token.group(1)},
    )
    assert refused.status_code == 401
    assert SCRIPT not in refused.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in refused.text

    admin = client_as(Role.ADMIN)
    form = admin.post_form("/brukere", {"navn": SCRIPT, "rolle": "coder", "passord": "x" * 12})
    assert form.status_code == 400 and SCRIPT not in form.text
    assert "Brukernavnet må ha 1–64 tegn" in form.text
    # a name that came in another way (a later login provider) is still only text
    engine = create_engine(f"sqlite:///{app_db}")
    with engine.begin() as conn:
        conn.execute(
            insert(app_user).values(
                name=SCRIPT,
                role="coder",
                active=True,
                created_at=datetime.now(UTC),
                password_hash=None,
            )
        )
    engine.dispose()
    page = admin.get("/brukere").text
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_cookies_are_httponly_samesite_and_secure(anon: WebClient) -> None:
    name, password = USERS[Role.CODER]
    response = anon.login(name, password)
    assert response.status_code == 303
    cookie = next(
        value
        for key, value in response.headers.multi_items()
        if key == "set-cookie" and value.startswith("kodevakt_sesjon=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags


def test_logout_ends_the_session_on_the_server(app: FastAPI, client: WebClient) -> None:
    old = dict(client.cookies)
    assert client.post_form("/logout").headers["location"] == "/login"
    with WebClient(app) as replay:
        replay.cookies = old
        assert replay.get("/regler").status_code == 303


def test_after_login_the_user_lands_where_they_were_going_but_never_off_site(
    anon: WebClient,
) -> None:
    name, password = USERS[Role.CODER]
    for target, expected in (("/regler#K01", "/regler#K01"), ("//evil.example/x", "/")):
        anon.cookies.clear()
        page = anon.get("/login", params={"neste": target})
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
        assert token is not None
        response = anon.post(
            "/login",
            data={
                "brukernavn": name,
                "passord": password,
                "neste": target,
                "csrf_token": token.group(1),
            },
        )
        assert response.headers["location"] == expected


def test_login_errors_are_per_field_and_in_norwegian(anon: WebClient) -> None:
    page = anon.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert token is not None
    empty = anon.post("/login", data={"brukernavn": " ", "passord": "", "csrf_token": token[1]})
    assert empty.status_code == 400
    assert 'id="brukernavn-feil">Skriv brukernavnet ditt.' in empty.text
    assert 'id="passord-feil">Skriv passordet ditt.' in empty.text
    wrong = anon.post(
        "/login", data={"brukernavn": "koder", "passord": "feil", "csrf_token": token[1]}
    )
    assert wrong.status_code == 401 and "Feil brukernavn eller passord." in wrong.text
    unknown = anon.post(
        "/login", data={"brukernavn": "ingen", "passord": "feil", "csrf_token": token[1]}
    )
    assert "Feil brukernavn eller passord." in unknown.text  # the same: no user is revealed


def test_login_is_throttled_per_user_name_then_heard_again(app: FastAPI, anon: WebClient) -> None:
    accounts = app.state.services.accounts
    start = accounts.clock()
    now = [start]
    accounts.clock = lambda: now[0]
    name, password = USERS[Role.CODER]
    for _ in range(MAX_FAILURES_PER_NAME):
        assert anon.login(name, "feil-passord").status_code == 401
    throttled = anon.login(name, password)  # even the right password waits
    assert throttled.status_code == 429
    assert "For mange mislykkede innlogginger; vent 15 minutter og prøv igjen." in throttled.text
    other_name, other_password = USERS[Role.LEAD]
    assert anon.login(other_name, other_password).status_code == 303  # others may log in
    now[0] = start + timedelta(minutes=15, seconds=1)
    assert anon.login(name, password).status_code == 303


def test_login_is_throttled_per_client_address(app: FastAPI, anon: WebClient) -> None:
    for number in range(MAX_FAILURES_PER_CLIENT):
        assert anon.login(f"gjett{number}", "feil-passord").status_code in (401, 429)
    name, password = USERS[Role.ADMIN]
    assert anon.login(name, password).status_code == 429


def test_sessions_expire_when_idle(app: FastAPI, client: WebClient) -> None:
    accounts = app.state.services.accounts
    later = accounts.clock() + timedelta(hours=4, minutes=1)
    accounts.clock = lambda: later
    assert client.get("/regler").status_code == 303


def test_passwords_are_stored_as_argon2_hashes_only(app_db: Path) -> None:
    engine = create_engine(f"sqlite:///{app_db}")
    with engine.connect() as conn:
        hashes = conn.execute(select(app_user.c.password_hash)).scalars().all()
    engine.dispose()
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") for h in hashes)
    content = app_db.read_bytes()
    for _name, password in USERS.values():
        assert password.encode() not in content


def test_health_check_needs_no_login_and_tells_nothing(anon: WebClient) -> None:
    response = anon.get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"
    assert "set-cookie" not in response.headers


def test_pages_carry_security_headers(client: WebClient) -> None:
    headers = client.get("/regler").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert client.get("/static/style.css").status_code == 200
