"""`kodevakt export`: a period's stored episodes in any format, optionally with the fixes
coders approved applied (`pipeline.corrections`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.batch.periods import period_span
from kodevakt.cells import console_text
from kodevakt.cli.batch import DbOption
from kodevakt.cli.common import err, fail
from kodevakt.cli.convert import (
    NamespaceOption,
    NdjsonOption,
    NoExtensionsOption,
    OutOption,
    ToOption,
    write_file,
)
from kodevakt.cli.database import open_store
from kodevakt.episodes.model import Episode
from kodevakt.episodes.npr_message import DEFAULT_NAMESPACE
from kodevakt.episodes.npr_xml_writer import MessageOptions
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.pipeline.corrections import Corrected
from kodevakt.storage import parse_period
from kodevakt.storage.database import Access

SHOWN_LEFT = 20  # episodes named whose approved fixes could not all be applied


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    period: Annotated[str, typer.Option("--period", help="Periode, f.eks. 2025T1")],
    to: ToOption,
    out: OutOption,
    with_fixes: Annotated[
        bool,
        typer.Option(
            "--with-fixes",
            help="Bruk rettingen fra hvert funn med godkjent retting (status approved) på "
            "episoden. Godtatte funn (accepted: kodingen er riktig) beholder kodingen.",
        ),
    ] = False,
    institution: Annotated[
        str | None, typer.Option("--institution", help="Bare denne institusjonen")
    ] = None,
    db: DbOption = None,
    ndjson: NdjsonOption = False,
    no_extensions: NoExtensionsOption = False,
    npr_namespace: NamespaceOption = DEFAULT_NAMESPACE,
) -> None:
    """Skriv periodens lagrede episoder (gjeldende versjon) til en fil i valgt format.

    Med --with-fixes skrives den rettede kodingen: rettingen fra hvert funn der koderen har
    godkjent rettingen (kodevakt finding approve, «Godkjenn rettingen» i arbeidslisten).
    Leses filen inn igjen, blir disse funnene rettet. Funn som er godtatt (kodingen er riktig
    likevel) endrer ingenting. Gjelder to godkjente rettinger samme del av en episode
    (tilstandene eller prosedyrene), brukes de én om gangen med ny kontroll imellom; en
    retting som da ikke lar seg bruke, står igjen, og episoden nevnes.

    Avslutningskode 0: skrevet; 2: databasen kunne ikke leses eller filen kunne ikke skrives
    (da er den ikke endret).
    """
    try:
        period = parse_period(period)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    options = MessageOptions(namespace=npr_namespace, extensions=not no_extensions)
    tally = _Tally()
    with open_store(db, Access.READ) as store:
        try:
            if with_fixes:
                corrected = Pipeline(store).corrected_episodes(period, institution)
                episodes = tally.episodes(corrected)
            else:
                episodes = store.episodes(period, institution, sources=False)
            written = write_file(
                episodes, to, Path(out), options, ndjson=ndjson, period=period_span(period)
            )
        except KodevaktError as exc:
            fail(str(exc), code=2)
    for note in tally.left[:SHOWN_LEFT]:
        err.print(f"[yellow]Advarsel:[/] {console_text(note)}")
    if len(tally.left) > SHOWN_LEFT:
        err.print(
            f"… og {len(tally.left) - SHOWN_LEFT} episoder til med godkjente rettinger som "
            "ikke kunne brukes"
        )
    fixed = f", {tally.corrected} med godkjente rettinger" if with_fixes else ""
    err.print(f"Skrev {written} episoder fra {console_text(period)} til {to.label}{fixed}.")


class _Tally:
    """Counts the corrected episodes as they are written, and names those with approved
    fixes left unapplied (by rule and key: never a code or other value of the episode)."""

    def __init__(self) -> None:
        self.corrected = 0
        self.left: list[str] = []

    def episodes(self, items: Iterable[Corrected]) -> Iterator[Episode]:
        for item in items:
            self.corrected += item.corrected
            if item.left:
                named = ", ".join(f"{a.rule} ({a.key})" for a in item.left)
                self.left.append(
                    f"episode {item.episode.id}: godkjent retting ikke brukt for {named}: "
                    "den kunne ikke brukes sammen med episodens andre godkjente rettinger "
                    "(se kodevakt finding show NØKKEL)"
                )
            yield item.episode
