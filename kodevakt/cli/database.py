"""Opening the database for a command: only `import` creates one; listings may be read-only."""

from __future__ import annotations

from kodevakt.cli.common import fail
from kodevakt.errors import KodevaktError
from kodevakt.storage import Store
from kodevakt.storage.database import Access


def open_store(db: str | None, access: Access) -> Store:
    """The database at `db` (or the default); a Norwegian error and exit 2 when it cannot be
    opened: missing (for anything but `import`), damaged, or another import holds it."""
    try:
        return Store(db, access=access)
    except KodevaktError as exc:
        fail(str(exc), code=2)
