"""One import at a time per database.

Two imports of the same extract into one database would both find an episode missing and
both insert it; the second then fails on the unique constraint, after minutes of work. So
everything that writes import runs (the pipeline's imports and pattern runs,
`Store.add_findings`) holds the import lock of the database (`Store.import_lock()`):

- SQLite: an exclusive lock (`flock`; on Windows `msvcrt.locking`) on the file `<db>.lock`
  beside the database. The operating system releases it when the process ends, however it
  ends, so a killed import leaves no stale lock.
- PostgreSQL: a session advisory lock, held on a connection of its own for as long as the
  import runs, released with that connection.

A second import waits up to `wait` seconds for the first and then gives up with
`ImportBusy` ("en annen import kjører mot denne databasen"). Holding the lock also shows that
no import is running, which is when a run left `running` by a killed process can safely be
marked as interrupted (`Store` does so when it opens a database for writing).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, text

from kodevakt.errors import StorageError
from kodevakt.storage.database import sqlite_file

_IMPORT_LOCK = 0x6B6F6469  # "kodi": the PostgreSQL advisory lock id of imports
_POLL = 0.1


class ImportBusy(StorageError):
    """Another import holds the database's import lock."""


class ImportLock:
    """The import lock of the database behind `engine`; re-entrant within the thread that
    holds it. Another thread of the same process (the web application's requests beside its
    import) waits for it as another process does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.path = _lock_path(engine)
        self._depth = 0
        self._owner: int | None = None  # the thread holding the lock
        self._threads = threading.Lock()  # held by that thread: the others of this process wait
        self._file: IO[bytes] | None = None
        self._connection: Connection | None = None

    def acquire(self, wait: float) -> bool:
        """Take the lock, trying for up to `wait` seconds; whether it was taken."""
        me = threading.get_ident()
        if self._depth and self._owner == me:
            self._depth += 1
            return True
        deadline = time.monotonic() + wait
        if not self._threads.acquire(timeout=max(wait, 0.0)):
            return False
        while not self._try():
            if time.monotonic() >= deadline:
                self._disconnect()
                self._threads.release()
                return False
            time.sleep(_POLL)
        self._depth = 1
        self._owner = me
        return True

    def hold(self, wait: float) -> None:
        """`acquire`, or `ImportBusy` when another import keeps the lock past `wait`."""
        if not self.acquire(wait):
            raise ImportBusy(
                "en annen import kjører mot denne databasen; vent til den er ferdig og prøv igjen"
            )

    def release(self) -> None:
        self._depth -= 1
        if self._depth:
            return
        try:
            if self._file is not None:
                self._file.close()  # closing the file releases the lock
                self._file = None
            if self._connection is not None:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": _IMPORT_LOCK}
                )
                self._disconnect()
        finally:
            self._owner = None
            self._threads.release()

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _try(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            return self._try_advisory()
        if self.path is None:
            return True  # an in-memory database: no other process can reach it
        handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        if _lock_file(handle):
            self._file = handle
            return True
        handle.close()
        return False

    def _try_advisory(self) -> bool:
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        taken = self._connection.execute(
            text("SELECT pg_try_advisory_lock(:id)"), {"id": _IMPORT_LOCK}
        ).scalar_one()
        return bool(taken)


def _lock_path(engine: Engine) -> Path | None:
    path = sqlite_file(engine.url)
    return path.with_name(path.name + ".lock") if path is not None else None


def _lock_file(handle: IO[Any]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
