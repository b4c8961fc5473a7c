"""`create_app`: the web application on one kodevakt database.

Every route in `routes.ROUTERS` is included behind `security.guard` (login, roles, CSRF),
errors are Norwegian pages or API JSON (`errors`), and every response carries headers that
keep the pages to their own origin: a content security policy allowing scripts and styles
only from /static (no inline scripts, no `eval`, so htmx's `hx-on` is not available), no
framing, no caching of pages with patient data. The OpenAPI description is at
/api/openapi.json, behind login like the rest of the API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kodevakt.storage import Store
from kodevakt.storage.accounts import Accounts
from kodevakt.storage.database import Access
from kodevakt.web import errors
from kodevakt.web.routes import ROUTERS
from kodevakt.web.security import guard
from kodevakt.web.services import Services
from kodevakt.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]

STATIC = Path(__file__).parent / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds `_HEADERS` to every response, and `Cache-Control: no-store` outside /static."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [header for header in _HEADERS if header[0] not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: WebSettings) -> FastAPI:
    """The application on `settings.database_url` (which must exist; it is migrated)."""
    store = Store(settings.database_url, access=Access.WRITE)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="kodevakt",
        summary="Kvalitetskontroll av klinisk koding: kodeverk, episodesjekk og arbeidsliste.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(guard)],
        lifespan=lifespan,
    )
    app.state.services = Services(settings, store, Accounts(store.engine))
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        """The API's OpenAPI description (behind login, like the API itself)."""
        return app.openapi()

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    return app
