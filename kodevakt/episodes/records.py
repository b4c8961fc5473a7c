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

    def describe(self) -> str:
        where = f"fil {self.file}, linje {self.line}"
        if self.field:
            where += f", felt «{self.field}»"
        return f"{where}: {self.message}"


Record = Episode | Rejected

# The reason given for a record that failed in a way no reader foresaw; it names no value.
UNEXPECTED = "posten kan ikke leses (uventet feil i posten)"
