"""`kodevakt serve`: the web application and HTTP API for a team (uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kodevakt.cells import console_text
from kodevakt.cli.common import DefinitionsOption, WeightsOption, err, fail
from kodevakt.cli.database import DbOption
from kodevakt.errors import KodevaktError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Adressen serveren lytter på. 127.0.0.1: bare denne maskinen (også bak en "
            "omvendt proxy på samme maskin); 0.0.0.0: alle nettverkskort.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Porten.")] = 8000,
    db: DbOption = None,
    definitions: DefinitionsOption = None,
    weights: WeightsOption = None,
    units: Annotated[
        Path | None,
        typer.Option(
            "--units",
            help="Fil med navn på institusjoner og avdelinger (vises i stedet for koder).",
        ),
    ] = None,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Send innloggingen også over vanlig HTTP. Bare for prøving på et lukket nett: "
            "ellers skal serveren stå bak HTTPS (se docs/web.md).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Adressene til den omvendte proxyen som får oppgi klientens adresse "
            "(X-Forwarded-For), kommaseparert.",
        ),
    ] = "127.0.0.1",
    upload_limit: Annotated[
        int,
        typer.Option(
            "--upload-limit",
            min=1,
            help="Største uttrekk som kan lastes opp på Import-siden, i MB (proxyens grense "
            "må være minst like stor).",
        ),
    ] = 200,
) -> None:
    """Start webapplikasjonen: søk, episodesjekk, arbeidsliste, oversikt og API på /api/.

    Databasen må finnes, med minst én bruker (kodevakt user add).

    Med DRG-tabeller (--definitions) viser sjekken DRG før og etter hver retting.

    For et team: PostgreSQL og HTTPS foran, se docs/web.md.

    Avslutningskode 2: databasen, DRG-tabellene eller enhetsfilen kan ikke åpnes.
    """
    import uvicorn

    from kodevakt.drg import load_definitions
    from kodevakt.drg.tables import default_path
    from kodevakt.drg.weights import load_weights
    from kodevakt.storage.database import display_url
    from kodevakt.web.app import create_app
    from kodevakt.web.settings import WebSettings

    if units is not None and not units.is_file():
        fail(f"enhetsfilen «{units}» finnes ikke", code=2)
    try:
        tables = (
            load_definitions(definitions)
            if definitions is not None or default_path() is not None
            else None
        )
        settings = WebSettings(
            database_url=db or "",
            secure_cookies=not insecure_cookies,
            drg_definitions=tables,
            drg_weights=load_weights(weights),
            units_file=units,
            upload_limit=upload_limit * 1024 * 1024,
        )
        application = create_app(settings)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    services = application.state.services
    if services.accounts.count_users() == 0:
        err.print(
            "[yellow]Ingen brukere ennå:[/] legg til den første med "
            "«kodevakt user add NAVN --role admin» (samme --db)."
        )
    if insecure_cookies and host not in LOOPBACK:
        err.print(
            "[yellow]Advarsel:[/] innloggingen sendes ukryptert over nettet (--insecure-cookies)."
        )
    shown = f"[{host}]" if ":" in host else host
    err.print(
        f"kodevakt kjører på http://{console_text(shown)}:{port}/ mot "
        f"{console_text(display_url(services.store.url))} "
        "(Ctrl+C stopper)."
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=False,  # paths and queries may hold patient values: never logged
        log_level="warning",
        server_header=False,
    )
