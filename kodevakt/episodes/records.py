"""What a reader yields: an episode, or a record it had to reject (with file, line, field)."""

from __future__ import annotations

from dataclasses import dataclass

from kodevakt.episodes.model import Episode


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that could not be parsed at all; it is counted and reported, never checked."""

    file: str
    line: int
    field: str | None
    message: str
    # Where in the file, when a line number alone does not say it (Norwegian): an XML
    # element path with its line, a Parquet row, a FHIR resource reference.
    position: str | None = None

    def describe(self) -> str:
        where = f"fil {self.file}, {self.position or f'linje {self.line}'}"
        if self.field:
            where += f", felt «{self.field}»"
        return f"{where}: {self.message}"


Record = Episode | Rejected

# The reason given for a record that failed in a way no reader foresaw; it names no value.
UNEXPECTED = "posten kan ikke leses (uventet feil i posten)"
