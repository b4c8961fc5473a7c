"""`kodevakt report` and `kodevakt worklist`: the period's HTML report and the coders' list."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.batch.units import Units, load_units
from kodevakt.cells import console_text
from kodevakt.cli.common import DefinitionsOption, WeightsOption, err, fail, writing
from kodevakt.cli.database import open_store
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import Pipeline
from kodevakt.report import fmt
from kodevakt.report.atomic import replaced_text
from kodevakt.report.data import collect_report, collect_worklist
from kodevakt.report.effect import NO_TABLES, load_drg_sources
from kodevakt.report.html import render_report
from kodevakt.report.worklist import write_worklist
from kodevakt.storage import FindingStatus, Store, parse_period
from kodevakt.storage.database import Access

PeriodOption = Annotated[
    str, typer.Option("--period", help="Periode: tertial 2025T1 (også måned 2025-03 eller år)")
]
InstitutionOption = Annotated[
    str | None,
    typer.Option("--institution", help="Bare denne institusjonen (organisasjonsnummer)."),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: sqlite:///fil.db eller postgresql://bruker@vert/navn. "
        "Standard: miljøvariabelen KODEVAKT_DB, ellers kodevakt.db i arbeidsmappen.",
    ),
]

UnitsOption = Annotated[
    Path | None,
    typer.Option(
        "--units",
        help="Enhetsfil med navn på institusjoner og avdelinger (CSV: "
        "institution;department;name); ellers KODEVAKT_UNITS.",
    ),
]

ReportOut = Annotated[Path, typer.Option("--out", "-o", help="HTML-filen som skal skrives.")]
WorklistOut = Annotated[Path, typer.Option("--out", "-o", help="Arbeidslisten: .xlsx eller .csv.")]


class ListStatus(StrEnum):
    OPEN = "open"
    ASKED = "asked"
    APPROVED = "approved"
    ACCEPTED = "accepted"
    FIXED = "fixed"
    ALL = "all"


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("worklist")(worklist)


def _check_period(store: Store, period: str, institution: str | None) -> str:
    try:
        period = parse_period(period)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    if not store.has_episodes(period, institution):
        known = ", ".join(store.periods()) or "ingen"
        where = f" for institusjon {institution}" if institution else ""
        fail(f"ingen episoder i perioden {period}{where} (perioder i databasen: {known})", code=2)
    return period


def _units(path: Path | None) -> Units:
    """The units file, read before the database is opened: a bad one stops the command."""
    try:
        return load_units(path)
    except KodevaktError as exc:
        fail(str(exc), code=2)


def report(
    period: PeriodOption,
    out: ReportOut = Path("rapport.html"),
    institution: InstitutionOption = None,
    db: DbOption = None,
    definitions: DefinitionsOption = None,
    weights: WeightsOption = None,
    units: UnitsOption = None,
) -> None:
    """Skriv kvalitetsrapporten for en periode som én frittstående HTML-fil.

    Rapporten viser funn etter alvorlighet og regel, hva rettingene flytter i DRG og vekt
    (med DRG-tabeller), kvalitetsindikatorer per avdeling med trakteplott, utvikling over
    tertialer og mønstre på tvers av episoder. Den trenger ikke nett, og pasient-id-er er
    pseudonymisert. Uten DRG-tabeller sier rapporten hvordan de oppgis. Med --units vises
    institusjoner og avdelinger med navn. Filen erstattes helt eller ikke i det hele tatt:
    kan den ikke skrives ferdig, står den forrige urørt.

    Avslutningskode 0: skrevet; 2: feil (også når filen ikke kunne skrives).
    """
    names = _units(units)
    drg = load_drg_sources(definitions, weights)
    for problem in drg.problems:
        if problem != NO_TABLES:
            err.print(f"[yellow]Advarsel:[/] {console_text(problem)}")
    with open_store(db, Access.READ) as store:
        period = _check_period(store, period, institution)
        try:
            data = collect_report(Pipeline(store), period, institution, drg=drg)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    page = render_report(data, names)
    with writing(f"rapporten til «{out}»"), replaced_text(out, encoding="utf-8") as stream:
        stream.write(page)
    text = (
        f"Skrev {console_text(out)}: {fmt.integer(data.episodes)} episoder, "
        f"{fmt.integer(data.findings)} funn, "
        f"{len(data.indicators)} indikatorer, {len(data.patterns)} mønsterregler med funn"
    )
    effect = data.effect
    if effect is not None and effect.available:
        text += (
            f"; {fmt.integer(effect.fixes)} rettingsforslag gruppert, "
            f"{fmt.integer(effect.changed)} endrer DRG"
        )
    else:
        text += "; uten DRG-effekt (ingen DRG-tabeller)"
    err.print(text + ".")


def worklist(
    period: PeriodOption,
    out: WorklistOut = Path("arbeidsliste.xlsx"),
    institution: InstitutionOption = None,
    status: Annotated[
        ListStatus,
        typer.Option(
            "--status", help="Hvilke funn: open, asked, approved, accepted, fixed eller all."
        ),
    ] = ListStatus.OPEN,
    db: DbOption = None,
    units: UnitsOption = None,
) -> None:
    """Skriv arbeidslisten for koderne: ett funn per rad, feil først.

    Sortert etter alvorlighet (feil, advarsel, info), institusjon, avdeling og episode, med
    pseudonymisert pasient, melding, forslag, kilde, status og nøkkel. Med --units vises
    institusjon og avdeling med navn. Filtypen (.xlsx eller .csv) velges av filnavnet.
    Filen erstattes helt eller ikke i det hele tatt: kan den ikke skrives ferdig, står den
    forrige urørt.

    Avslutningskode 0: skrevet; 2: feil (også når filen ikke kunne skrives).
    """
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        fail(f"arbeidslisten må ha filendelsen .xlsx eller .csv, ikke «{out.suffix}»", code=2)
    statuses = list(FindingStatus) if status is ListStatus.ALL else [FindingStatus(status.value)]
    names = _units(units)
    with open_store(db, Access.READ) as store:
        period = _check_period(store, period, institution)
        try:
            rows = collect_worklist(Pipeline(store), period, institution, statuses=statuses)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    place = f", institusjon {names.institution_text(institution)}" if institution else ""
    with writing(f"arbeidslisten til «{out}»"):
        count = write_worklist(rows, out, title=f"Arbeidsliste {period}{place}", units=names)
    err.print(f"Skrev {console_text(out)}: {fmt.integer(count)} funn.")
