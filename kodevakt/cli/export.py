"""`kodevakt export`: a period's stored episodes in any format, optionally with fixes applied."""

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
from kodevakt.rules.finding import Fix
from kodevakt.storage import FindingStatus, Store, parse_period
from kodevakt.storage.database import Access

SHOWN_CONFLICTS = 20


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
            help="Bruk rettingen (fix) fra hvert godtatt funn (status accepted) på episoden.",
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

    Med --with-fixes brukes rettingen fra hvert godtatt funn med rettingsforslag. To godtatte
    rettinger av samme del av en episode (tilstandene eller prosedyrene) som gir ulikt
    resultat, brukes ikke; episoden skrives da uten dem, og det sies fra.

    Avslutningskode 0: skrevet; 2: databasen kunne ikke leses eller filen kunne ikke skrives
    (da er den ikke endret).
    """
    try:
        period = parse_period(period)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    options = MessageOptions(namespace=npr_namespace, extensions=not no_extensions)
    conflicts: list[str] = []
    applied = [0]
    with open_store(db, Access.READ) as store:
        try:
            fixes = _accepted_fixes(store, period, institution) if with_fixes else {}
            episodes = _fixed(store.episodes(period, institution, sources=False), fixes)
            written = write_file(
                _counting(episodes, applied, conflicts, fixes),
                to,
                Path(out),
                options,
                ndjson=ndjson,
                period=period_span(period),
            )
        except KodevaktError as exc:
            fail(str(exc), code=2)
    for conflict in conflicts[:SHOWN_CONFLICTS]:
        err.print(f"[yellow]Advarsel:[/] {console_text(conflict)}")
    if len(conflicts) > SHOWN_CONFLICTS:
        err.print(
            f"… og {len(conflicts) - SHOWN_CONFLICTS} episoder til med motstridende rettinger"
        )
    fixed = f", {applied[0]} med godtatte rettinger" if with_fixes else ""
    err.print(f"Skrev {written} episoder fra {console_text(period)} til {to.label}{fixed}.")


def _accepted_fixes(
    store: Store, period: str, institution: str | None
) -> dict[tuple[str | None, str], list[Fix]]:
    """The fixes of the period's accepted findings, by (institution, episode id)."""
    found: dict[tuple[str | None, str], list[Fix]] = {}
    for stored in store.findings(period, institution, FindingStatus.ACCEPTED):
        fix, episode_id = stored.finding.fix, stored.finding.episode_id
        if fix is not None and episode_id:
            found.setdefault((stored.institution or None, episode_id), []).append(fix)
    return found


def _fixed(
    episodes: Iterable[Episode], fixes: dict[tuple[str | None, str], list[Fix]]
) -> Iterator[tuple[Episode, str | None]]:
    """Each episode with its fixes applied, and what kept a part from being fixed."""
    for episode in episodes:
        found = fixes.get((episode.institution or None, episode.id))
        if not found:
            yield episode, None
            continue
        conditions = {f.conditions for f in found if f.conditions is not None}
        procedures = {f.procedures for f in found if f.procedures is not None}
        conflict = [
            part
            for part, options in (("tilstandene", conditions), ("prosedyrene", procedures))
            if len(options) > 1
        ]
        fix = Fix(
            next(iter(conditions)) if len(conditions) == 1 else None,
            next(iter(procedures)) if len(procedures) == 1 else None,
        )
        note = None
        if conflict:
            note = (
                f"episode {episode.id}: godtatte rettinger av {' og '.join(conflict)} gir ulikt "
                "resultat og er ikke brukt"
            )
        yield fix.apply(episode), note


def _counting(
    pairs: Iterator[tuple[Episode, str | None]],
    applied: list[int],
    conflicts: list[str],
    fixes: dict[tuple[str | None, str], list[Fix]],
) -> Iterator[Episode]:
    for episode, note in pairs:
        if note is not None:
            conflicts.append(note)
        if (episode.institution or None, episode.id) in fixes:
            applied[0] += 1
        yield episode
