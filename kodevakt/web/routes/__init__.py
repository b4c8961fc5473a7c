"""The application's routers, one module per area; `create_app` includes every one listed.

A new area adds its module's import and its router to `ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter

from kodevakt.web.routes import (
    account,
    api,
    audit,
    check,
    codelists,
    codes,
    fhir,
    findings_api,
    learning,
    next_year,
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
    learning.router,
    audit.router,
    next_year.router,
    codelists.router,
    text.router,
]
