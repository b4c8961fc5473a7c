"""The application's routers, one module per area; `create_app` includes every one listed.

A new area adds its module's import and its router to `ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter

from kodevakt.web.routes import (
    account,
    api,
    check,
    codes,
    fhir,
    findings_api,
    overview,
    rules,
    text,
    upload,
    users,
    worklist,
)

ROUTERS: list[APIRouter] = [
    account.router,
    rules.router,
    users.router,
    codes.router,
    check.router,
    api.router,
    fhir.router,
    worklist.router,
    findings_api.router,
    upload.router,
    overview.router,
    text.router,
]
