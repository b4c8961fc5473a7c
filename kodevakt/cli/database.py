"""Opening the database for a command: only `import` and `user add` create one; listings may be
read-only."""

from __future__ import annotations

from typing import Annotated

import typer

from kodevakt.cli.common import fail
from kodevakt.errors import KodevaktError
from kodevakt.storage import Store
from kodevakt.storage.database import Access

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: sqlite:///fil.db eller postgresql://bruker@vert/navn. "
        "Standard: miljøvariabelen KODEVAKT_DB, ellers kodevakt.db i arbeidsmappen.",
    ),
]


def open_store(db: str | None, access: Access) -> Store:
    """The database at `db` (or the default); a Norwegian error and exit 2 when it cannot be
    opened: missing (for anything but `import`), damaged, or another import holds it."""
    try:
        return Store(db, access=access)
    except KodevaktError as exc:
        fail(str(exc), code=2)
