"""`--period auto`: each episode in the tertial of its discharge date, decided as it is read.

NPR's reporting period is the tertial, but an extract from the patient system often spans a
year. With `auto`, each episode goes to the tertial of its discharge date (its admission
date when it has none: `batch.periods.episode_tertial`, the date the rules use too). The
file is read once: each episode is routed to its tertial as it streams past, and the file
is stored in one transaction with one import run per tertial (`importing.FileImporter`).
Records that cannot be read, and episodes without any date (whose tertial cannot be known),
belong to no tertial: they are rejected with the file's earliest tertial.
"""

from __future__ import annotations

from kodevakt.batch.periods import episode_tertial
from kodevakt.episodes.model import Episode
from kodevakt.episodes.records import Rejected

AUTO_PERIOD = "auto"
UNDATED = (
    "episoden har verken utskrivnings- eller innskrivningsdato, så tertialet kan ikke "
    "bestemmes (--period auto); oppgi perioden for slike episoder"
)
NO_TERTIAL = "ingen episode i filen har dato, så tertialet kan ikke bestemmes; oppgi --period"


def is_auto(period: str) -> bool:
    """Whether `--period` asks for each episode's own tertial (`auto`, in any case)."""
    return period.strip().lower() == AUTO_PERIOD


def tertial_of(record: Episode, file: str) -> str | Rejected:
    """The label of the episode's tertial (`2025T1`), or its rejection when it has no date."""
    tertial = episode_tertial(record)
    if tertial is not None:
        return tertial.label
    source = record.source
    return Rejected(source.file if source else file, source.line if source else 0, None, UNDATED)
