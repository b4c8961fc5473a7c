"""`kodevakt audit`: record review (journalrevisjon): sample, worksheet, import, report, list."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.audit.estimates import Interval
from kodevakt.audit.frame import Stratifier, parse_strata
from kodevakt.audit.html import render_audit
from kodevakt.audit.results import audit_results
from kodevakt.audit.samples import SampleRequest, describe, draw_sample, new_seed
from kodevakt.audit.sampling import Allocation
from kodevakt.audit.worksheet import Sheet, read_worksheet, sample_of, write_worksheet
from kodevakt.batch.units import load_units
from kodevakt.cells import console_text
from kodevakt.cli.common import DefinitionsOption, WeightsOption, err, fail, out, writing
from kodevakt.cli.database import DbOption, open_store
from kodevakt.errors import KodevaktError
from kodevakt.report import fmt
from kodevakt.report.atomic import replaced_text
from kodevakt.report.effect import NO_TABLES, DrgSources, load_drg_sources
from kodevakt.storage import audits as stored
from kodevakt.storage.database import Access

SampleOption = Annotated[int, typer.Option("--sample", help="Utvalgets nummer (se audit list).")]
AuditorOption = Annotated[
    str | None, typer.Option("--auditor", help="Revisorens navn (for rader som ikke oppgir det).")
]
WorksheetOut = Annotated[
    Path, typer.Option("--out", "-o", help="Arbeidsarket: .xlsx eller .csv (etter filendelsen).")
]


class IntervalChoice(StrEnum):
    WILSON = "wilson"
    EXACT = "exact"


def register(app: typer.Typer) -> None:
    audit = typer.Typer(
        help="Journalrevisjon: trekk utvalg, skriv arbeidsark, les inn vurderinger, rapport.",
        no_args_is_help=True,
    )
    audit.command("sample")(sample)
    audit.command("worksheet")(worksheet)
    audit.command("import")(import_)
    audit.command("report")(report)
    audit.command("list")(list_)
    app.add_typer(audit, name="audit")


def _suffix(path: Path, allowed: tuple[str, ...], what: str) -> None:
    if path.suffix.lower() not in allowed:
        endings = " eller ".join(allowed)
        fail(f"{what} må ha filendelsen {endings}, ikke «{path.suffix}»", code=2)


def _drg(definitions: str | None, weights: str | None) -> DrgSources:
    sources = load_drg_sources(definitions, weights)
    for problem in sources.problems:
        if problem != NO_TABLES:
            err.print(f"[yellow]Advarsel:[/] {console_text(problem)}")
    return sources


def sample(
    period: Annotated[
        str, typer.Option("--period", help="Periode: tertial 2025T1, måned eller år.")
    ],
    out_file: WorksheetOut,
    size: Annotated[int, typer.Option("--size", help="Antall episoder i utvalget.")] = 100,
    strata: Annotated[
        str | None,
        typer.Option(
            "--strata",
            help="Stratifiser etter department (avdeling), severity (kodevakts alvorligste funn), "
            "drg (om en retting endrer DRG; krever DRG-tabeller) og/eller outlier (avdeling "
            "utenfor indikatorgrensene); flere skilles med komma.",
        ),
    ] = None,
    allocation: Annotated[
        Allocation,
        typer.Option(
            "--allocation",
            help="Fordeling på strata: proportional (etter størrelse) eller equal (like mange "
            "i hvert stratum).",
        ),
    ] = Allocation.PROPORTIONAL,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Frø: samme frø gir samme utvalg. Uten frø velges ett."),
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", help="Bare denne institusjonen.")
    ] = None,
    auditor: AuditorOption = None,
    db: DbOption = None,
    definitions: DefinitionsOption = None,
    weights: WeightsOption = None,
) -> None:
    """Trekk et utvalg episoder til journalrevisjon og skriv arbeidsarket.

    Utvalget er et tilfeldig utvalg av periodens episoder, enkelt eller stratifisert.
    Hver episode får en inklusjonssannsynlighet, så rapporten kan anslå feilandeler for
    hele perioden. Samme periode, strata, størrelse og frø gir samme utvalg og samme fil;
    utvalget lagres i databasen med episodenes koding slik den var da det ble trukket.

    Arbeidsarket (.xlsx eller .csv) har én rad per episode med kodingen og kodevakts funn,
    og kolonner der revisoren fører vurdering, egne koder og årsak til hver endring.

    Avslutningskode 0: trukket og skrevet; 2: feil.
    """
    _suffix(out_file, (".xlsx", ".csv"), "arbeidsarket")
    try:
        chosen = parse_strata(strata)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    if seed is None:
        seed = new_seed()
    sources = _drg(definitions, weights) if Stratifier.DRG in chosen else None
    request = SampleRequest(period, size, seed, chosen, allocation, institution)
    with open_store(db, Access.WRITE) as store:
        try:
            drawn = draw_sample(store, request, sources)
            episodes = stored.sample_episodes(store.engine, drawn.id)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    with writing(f"arbeidsarket til «{out_file}»"):
        rows = write_worksheet(Sheet(drawn, episodes, auditor or ""), out_file)
    err.print(
        f"Utvalg {drawn.id}: {describe(drawn)}, {fmt.integer(drawn.sampled)} av "
        f"{fmt.integer(drawn.population)} episoder i {console_text(drawn.period)}, frø "
        f"{drawn.seed}. Skrev {console_text(out_file)}: {fmt.integer(rows)} rader."
    )


def worksheet(
    sample_id: SampleOption,
    out_file: WorksheetOut,
    auditor: AuditorOption = None,
    db: DbOption = None,
) -> None:
    """Skriv arbeidsarket for et lagret utvalg på nytt, f.eks. en kopi til en annen revisor.

    Avslutningskode 0: skrevet; 2: feil.
    """
    _suffix(out_file, (".xlsx", ".csv"), "arbeidsarket")
    with open_store(db, Access.READ) as store:
        try:
            found = stored.get_sample(store.engine, sample_id)
            episodes = stored.sample_episodes(store.engine, sample_id)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    with writing(f"arbeidsarket til «{out_file}»"):
        rows = write_worksheet(Sheet(found, episodes, auditor or ""), out_file)
    err.print(f"Skrev {console_text(out_file)}: utvalg {found.id}, {fmt.integer(rows)} rader.")


def import_(
    file: Annotated[Path, typer.Argument(help="Utfylt arbeidsark (.xlsx eller .csv).")],
    sample_id: Annotated[
        int | None,
        typer.Option("--sample", help="Utvalgets nummer; ellers det arket nevner."),
    ] = None,
    auditor: AuditorOption = None,
    db: DbOption = None,
) -> None:
    """Les revisorens vurderinger fra et utfylt arbeidsark inn i databasen.

    Rader uten vurdering, med uendrede koder og uten merket årsak er ikke vurdert ennå og
    hoppes over. En revisors nye vurdering av en episode erstatter den forrige; to
    revisorer kan vurdere samme utvalg. Ved en feil i arket (rad og kolonne oppgis) lagres
    ingenting.

    Avslutningskode 0: lest inn; 2: feil.
    """
    if not file.is_file():
        fail(f"filen «{file}» finnes ikke eller kan ikke leses", code=2)
    with open_store(db, Access.WRITE) as store:
        try:
            number = sample_id if sample_id is not None else sample_of(file)
            found = stored.get_sample(store.engine, number)
            episodes = stored.sample_episodes(store.engine, number)
            read = read_worksheet(file, found, episodes, auditor)
            saved = stored.save_reviews(store.engine, number, read.reviews, source=file.name)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    names = sorted({r.auditor for r in read.reviews})
    who = f" av {', '.join(console_text(n) for n in names)}" if names else ""
    text = f"Utvalg {found.id}: {fmt.integer(saved)} vurderinger lest inn{who}"
    if read.skipped:
        text += f"; {fmt.integer(read.skipped)} rader er ikke vurdert ennå"
    if read.derived:
        text += (
            f"; {fmt.integer(read.derived)} rader uten vurdering men med endrede koder eller "
            "merket årsak er regnet som «endret»"
        )
    err.print(text + ".")


def _standard(value: str) -> float:
    text = value.strip().rstrip("%").strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        fail(f"standarden «{value}» kan ikke leses; skriv f.eks. 95 eller 0,95", code=2)
    share = number / 100 if number > 1 else number
    if not 0 < share < 1:
        fail(f"standarden «{value}» må ligge mellom 0 og 100 %", code=2)
    return share


def report(
    sample_id: SampleOption,
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="HTML-filen som skal skrives.")
    ] = Path("revisjon.html"),
    auditor: Annotated[
        str | None,
        typer.Option("--auditor", help="Revisoren anslagene bygger på; ellers den med flest."),
    ] = None,
    standard: Annotated[
        str,
        typer.Option("--standard", help="Standard for riktig hovedtilstand, f.eks. 95 (prosent)."),
    ] = "95",
    interval: Annotated[
        IntervalChoice,
        typer.Option(
            "--interval", help="Intervall for andeler: wilson eller exact (Clopper–Pearson)."
        ),
    ] = IntervalChoice.WILSON,
    db: DbOption = None,
    definitions: DefinitionsOption = None,
    weights: WeightsOption = None,
    units: Annotated[
        Path | None,
        typer.Option("--units", help="Enhetsfil med navn på institusjoner og avdelinger."),
    ] = None,
) -> None:
    """Skriv revisjonsrapporten for et utvalg som én frittstående HTML-fil.

    Rapporten anslår for hele perioden, med 95 %-intervall: andelen episoder med feil av
    hver type, andelen med riktig hovedtilstand mot standarden (95 % som standard), og med
    DRG-tabeller hvor mange episoder revisorens koding gir en annen DRG og vektendringen.
    Med to revisorer vises samsvaret (Cohens kappa), og for hver regelfamilie hvor godt
    kodevakts funn forutså revisorens rettinger.

    Avslutningskode 0: skrevet; 2: feil.
    """
    share = _standard(standard)
    try:
        names = load_units(units)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    sources = _drg(definitions, weights)
    method = Interval.EXACT if interval is IntervalChoice.EXACT else Interval.WILSON
    with open_store(db, Access.READ) as store:
        try:
            results = audit_results(
                store, sample_id, auditor=auditor, standard=share, method=method, drg=sources
            )
        except KodevaktError as exc:
            fail(str(exc), code=2)
    page = render_audit(results, names)
    with writing(f"rapporten til «{out_file}»"), replaced_text(out_file, encoding="utf-8") as f:
        f.write(page)
    any_error = results.kinds[0].rate
    low = "–" if any_error.low is None else fmt.percent(any_error.low)
    high = "–" if any_error.high is None else fmt.percent(any_error.high)
    err.print(
        f"Skrev {console_text(out_file)}: {fmt.integer(results.reviewed)} vurderte episoder; "
        f"minst én feil {fmt.percent(any_error.estimate or 0.0)} ({low}–{high}); riktig "
        f"hovedtilstand {fmt.percent(results.main.rate.estimate or 0.0)}."
    )


def list_(
    period: Annotated[str | None, typer.Option("--period", help="Bare denne perioden.")] = None,
    db: DbOption = None,
) -> None:
    """List utvalgene i databasen med hvor mange episoder hver revisor har vurdert.

    Avslutningskode 0.
    """
    with open_store(db, Access.READ) as store:
        try:
            found = stored.samples(store.engine, period)
            reviews = {s.id: stored.reviews(store.engine, s.id) for s in found}
        except KodevaktError as exc:
            fail(str(exc), code=2)
    if not found:
        err.print("Ingen utvalg i databasen.")
        return
    with writing("listen"):
        for s in found:
            counts: dict[str, int] = {}
            for r in reviews[s.id]:
                counts[r.auditor] = counts.get(r.auditor, 0) + 1
            done = ", ".join(f"{console_text(n)} {c}" for n, c in sorted(counts.items()))
            place = f" {console_text(s.institution)}" if s.institution else ""
            out.print(
                f"{s.id}\t{console_text(s.period)}{place}\t{describe(s)}\t{s.sampled} av "
                f"{s.population}\tfrø {s.seed}\tvurdert: {done or 'ingen'}"
            )
