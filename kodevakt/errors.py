"""Failures of kodevakt itself (not coding errors in the data, which become findings).

Hierarchy::

    KodevaktError
    ├── CodeListError   an official code list or embedded data file cannot be loaded
    ├── InputError      an episode file or record cannot be read
    ├── StorageError    the database cannot be opened, migrated or written
    └── EngineError     the distributed engine (Spark) is missing or cannot start

Every error carries where it happened (file, line or row, field) so that the Norwegian
message a user sees can name the exact spot.
"""

from __future__ import annotations


class KodevaktError(Exception):
    """Base class; `str(error)` is the Norwegian message shown to users."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(f"fil {self.file}")
        if self.line is not None:
            where.append(f"{self._line_word} {self.line}")
        if self.field:
            where.append(f"felt «{self.field}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    _line_word = "linje"


class CodeListError(KodevaktError):
    """An official code list (xlsx/JSON) or the embedded data is unusable; nothing is loaded."""

    _line_word = "rad"


class InputError(KodevaktError):
    """An episode record cannot be parsed at all."""


class StorageError(KodevaktError):
    """The database cannot be opened, migrated or written."""


class EngineError(KodevaktError):
    """The distributed engine (Apache Spark, `kodevakt.spark`) is missing or cannot start."""
