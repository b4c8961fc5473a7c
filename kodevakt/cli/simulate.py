"""`kodevakt simulate`: a stored period coded as if in another year (HTML or CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kodevakt.batch.units import load_units
from kodevakt.cells import console_text
from kodevakt.cli.common import DefinitionsOption, WeightsOption, err, fail, writing
from kodevakt.cli.database import DbOption, open_store
from kodevakt.codes.loading import default_codebase
from kodevakt.errors import KodevaktError
from kodevakt.report import fmt
from kodevakt.report.atomic import replaced_text
from kodevakt.report.effect import NO_TABLES, load_drg_sources
from kodevakt.rules.engine import Checker
from kodevakt.simulation.html import render_simulation
from kodevakt.simulation.run import simulate as run_simulation
from kodevakt.simulation.table import write_csv
from kodevakt.storage.database import Access


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)


def simulate(
    period: Annotated[
        str, typer.Option("--period", help="Periode: tertial 2025T1, måned eller år.")
    ],
    to_year: Annotated[int, typer.Option("--to-year", help="Året episodene skal kodes som i.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Resultatet: .html (rapport) eller .csv.")
    ] = Path("neste-ar.html"),
    institution: Annotated[
        str | None, typer.Option("--institution", help="Bare denne institusjonen.")
    ] = None,
    db: DbOption = None,
    definitions: DefinitionsOption = None,
    weights: WeightsOption = None,
    units: Annotated[
        Path | None,
        typer.Option("--units", help="Enhetsfil med navn på institusjoner og avdelinger."),
    ] = None,
) -> None:
    """Kjør en periodes episoder på nytt som om de var kodet i et annet år.

    Episodene flyttes til året (alle datoer, så alderen er den samme) og sjekkes med
    kodelistene og reglene som gjelder da (offisielle filer i KODEVAKT_CODE_FILES når de er
    lastet), og grupperes med DRG-tabellene for året når de er oppgitt. Resultatet viser
    koder som blir ugyldige, blir gyldige eller endrer tekst, funn som kommer og forsvinner
    per regel, og DRG- og vektendringer per avdeling, med episodene bak hver endring.

    Avslutningskode 0: skrevet; 2: feil.
    """
    suffix = out.suffix.lower()
    if suffix not in (".html", ".csv"):
        fail(f"resultatet må ha filendelsen .html eller .csv, ikke «{out.suffix}»", code=2)
    try:
        names = load_units(units)
        checker = Checker(default_codebase())
    except KodevaktError as exc:
        fail(str(exc), code=2)
    sources = load_drg_sources(definitions, weights)
    for problem in sources.problems:
        if problem != NO_TABLES:
            err.print(f"[yellow]Advarsel:[/] {console_text(problem)}")
    with open_store(db, Access.READ) as store:
        try:
            result = run_simulation(
                store, period, to_year, checker, institution=institution, drg=sources
            )
        except KodevaktError as exc:
            fail(str(exc), code=2)
    with writing(f"resultatet til «{out}»"):
        if suffix == ".csv":
            write_csv(result, out)
        else:
            with replaced_text(out, encoding="utf-8") as stream:
                stream.write(render_simulation(result, names))
    invalid = sum(1 for c in result.code_changes if c.kind == "invalid")
    text = (
        f"Skrev {console_text(out)}: {fmt.integer(result.episodes)} episoder kodet som i "
        f"{to_year}; {fmt.integer(invalid)} koder blir ugyldige, "
        f"{fmt.integer(sum(len(r.appear) for r in result.rule_changes))} nye funn, "
        f"{fmt.integer(sum(len(r.vanish) for r in result.rule_changes))} forsvinner"
    )
    if result.drg_available:
        text += f", {fmt.integer(result.changed_drg)} episoder får annen DRG"
    err.print(text + ".")
