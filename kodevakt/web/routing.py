"""Every route of an application, with included routers flattened.

FastAPI keeps an included router as one entry of `app.routes` and resolves its routes on
demand; the menu (which pages exist) and the security tests (every route is guarded) need
the flat list, with each route's effective path, methods and dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import RouteContext, iter_route_contexts


def app_routes(app: FastAPI) -> Iterator[RouteContext]:
    """Each route as served: `.path`, `.methods`, `.original_route`, `.dependencies`."""
    yield from iter_route_contexts(app.routes)
