"""What every route shares, made once per application: the store, accounts and settings.

Routes reach it through the `ServicesDep` dependency (`services.store`, `services.accounts`,
`services.settings`), so that nothing is a module-level global and a test can run several
applications on different databases side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from kodevakt.storage import Store
from kodevakt.storage.accounts import Accounts
from kodevakt.web.settings import WebSettings


@dataclass
class Services:
    settings: WebSettings
    store: Store
    accounts: Accounts


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]
