"""`kodevakt user …` and `kodevakt token …`: who may use the web application and the API."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from kodevakt.cells import console_text
from kodevakt.cli.common import err, fail, out, writing
from kodevakt.cli.database import DbOption, open_store
from kodevakt.errors import KodevaktError
from kodevakt.storage.accounts import Accounts, Role
from kodevakt.storage.database import Access

RoleOption = Annotated[
    Role,
    typer.Option(
        "--role",
        help="Rolle: coder (koder), lead (leder: også brukere og arbeidsfordeling) eller "
        "admin (administrator: alt, men ser pseudonymer i stedet for pasient-id).",
    ),
]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Les passordet fra første linje på standard inn (for skript). Uten: spør.",
    ),
]


def register(app: typer.Typer) -> None:
    user = typer.Typer(help="Brukere av webapplikasjonen.", no_args_is_help=True)
    user.command("add")(user_add)
    user.command("password")(user_password)
    user.command("list")(user_list)
    app.add_typer(user, name="user")
    token = typer.Typer(help="API-tokener for andre systemer.", no_args_is_help=True)
    token.command("create")(token_create)
    token.command("list")(token_list)
    token.command("revoke")(token_revoke)
    app.add_typer(token, name="token")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        fail("ingen terminal å spørre i: gi passordet med --password-stdin", code=2)
    entered: str = typer.prompt("Passord", hide_input=True, confirmation_prompt="Gjenta passordet")
    return entered


@contextmanager
def _accounts(db: str | None, access: Access) -> Iterator[Accounts]:
    with open_store(db, access) as store:
        yield Accounts(store.engine)


def _when(moment: datetime | None) -> str:
    """A stored time in this machine's time zone."""
    return moment.astimezone().strftime("%d.%m.%Y %H:%M") if moment is not None else "–"


def user_add(
    name: Annotated[str, typer.Argument(help="Brukernavnet (bokstaver, sifre, . - _ @).")],
    role: RoleOption,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Legg til en bruker av webapplikasjonen (lager databasen om den mangler).

    Passordet lagres bare som Argon2-hash.

    Avslutningskode 2: brukeren finnes, passordet er for kort, eller databasen kan ikke åpnes.
    """
    with _accounts(db, Access.CREATE) as accounts:
        try:
            added = accounts.add_user(name, role, _password(password_stdin))
        except KodevaktError as exc:
            fail(str(exc), code=2)
    err.print(f"La til {console_text(added.name)} som {added.role.label}.")


def user_password(
    name: Annotated[str, typer.Argument(help="Brukernavnet.")],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Sett nytt passord for en bruker (brukerens økter fortsetter)."""
    with _accounts(db, Access.WRITE) as accounts:
        try:
            accounts.set_password(name, _password(password_stdin))
        except KodevaktError as exc:
            fail(str(exc), code=2)
    err.print(f"Nytt passord er satt for {console_text(name)}.")


def user_list(db: DbOption = None) -> None:
    """List brukerne: navn, rolle, om de er aktive og når de sist logget inn."""
    with _accounts(db, Access.READ) as accounts:
        users = accounts.users()
    table = Table(title=f"{len(users)} brukere")
    for column in ("Navn", "Rolle", "Status", "Lagt til", "Sist innlogget"):
        table.add_column(column)
    for user in users:
        table.add_row(
            console_text(user.name),
            user.role.label,
            "aktiv" if user.active else "deaktivert",
            _when(user.created_at),
            _when(user.last_login_at),
        )
    with writing("svaret"):
        out.print(table)


def token_create(
    name: Annotated[
        str, typer.Argument(help="Navn på tokenet, gjerne systemet som skal bruke det.")
    ],
    role: RoleOption,
    db: DbOption = None,
) -> None:
    """Lag et API-token og skriv det ut én gang (bare en hash lagres).

    Systemet sender det som «Authorization: Bearer …» og får tokenets rolle, aldri mer.
    """
    with _accounts(db, Access.WRITE) as accounts:
        try:
            secret = accounts.create_token(name, role)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    with writing("tokenet"):
        sys.stdout.write(secret + "\n")
    err.print(
        f"Token «{console_text(name)}» ({role.label}) er laget. Ta vare på det nå: "
        "det vises ikke igjen."
    )


def token_list(db: DbOption = None) -> None:
    """List API-tokenene (aldri selve hemmeligheten)."""
    with _accounts(db, Access.READ) as accounts:
        tokens = accounts.tokens()
    table = Table(title=f"{len(tokens)} tokener")
    for column in ("Navn", "Rolle", "Laget", "Sist brukt", "Status"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            console_text(token.name),
            token.role.label,
            _when(token.created_at),
            _when(token.last_used_at),
            f"tilbakekalt {_when(token.revoked_at)}" if token.revoked_at else "gyldig",
        )
    with writing("svaret"):
        out.print(table)


def token_revoke(
    name: Annotated[str, typer.Argument(help="Navnet på tokenet.")],
    db: DbOption = None,
) -> None:
    """Tilbakekall et API-token: det virker ikke lenger fra neste forespørsel."""
    with _accounts(db, Access.WRITE) as accounts:
        try:
            accounts.revoke_token(name)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    err.print(f"Token «{console_text(name)}» er tilbakekalt.")
