"""The upload size limit, enforced while the body arrives, before anything parses it.

A route with `route_class=LimitedUpload` refuses a request body larger than the
application's `WebSettings.upload_limit` plus `FORM_ROOM` (the form's other fields and the
multipart framing) with 413 and a Norwegian text naming the limit: at once when the
declared `Content-Length` says so, else as soon as the bytes received pass it. The body is
counted where it is read, so the limit holds whoever reads it first: `security.guard`
(which parses a form for its CSRF field when no header carries it) or the route. When the
route is done, or refused the request, the form's spooled files are closed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

FORM_ROOM = 64 * 1024  # bytes of a form around its file: fields, boundaries, part headers
MEGABYTE = 1024 * 1024


def size_text(size: int) -> str:
    """`200 MB`, `2,5 MB`, `12 kB`: a file size as the pages state it."""
    if size >= 10 * MEGABYTE:
        return f"{size / MEGABYTE:.0f} MB"
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f} MB".replace(".", ",")
    return f"{max(round(size / 1024), 1)} kB"


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        413,
        f"Filen er for stor: grensen for opplasting er {size_text(limit)}. Del uttrekket i "
        "mindre filer (for eksempel ett tertial om gangen), eller les det inn med "
        "«kodevakt import» på serveren.",
    )


class LimitedUpload(APIRoute):
    """An API route whose request body is cut off at the application's upload limit."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit: int = request.app.state.services.settings.upload_limit
            counted = Request(request.scope, _counted(request, limit))
            try:
                return await handler(counted)
            finally:
                await counted.close()  # the form's spooled files, whoever parsed the form

        return limited


def _counted(request: Request, limit: int) -> Receive:
    """`request`'s receive, raising 413 once the body passes `limit` plus `FORM_ROOM`."""
    allowed = limit + FORM_ROOM
    declared = request.headers.get("content-length", "")
    over_already = declared.isdigit() and int(declared) > allowed
    received = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal received
        if over_already:
            raise too_large(limit)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > allowed:
                raise too_large(limit)
        return message

    return counted
