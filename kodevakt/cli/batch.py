"""`kodevakt import`, `kodevakt findings`, `kodevakt finding …`: the database and the worklist."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.cells import SafeCsvWriter, console_text
from kodevakt.cli import worklog
from kodevakt.cli.common import (
    EncodingOption,
    InputFormatOption,
    RecordFormat,
    err,
    fail,
    out,
    writing,
)
from kodevakt.cli.database import open_store
from kodevakt.cli.engine import (
    Engine,
    EngineOption,
    MasterOption,
    OutOption,
    require_parquet,
    run_import,
)
from kodevakt.episodes.reading import reading_as
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import AUTO_PERIOD, FileImport, ImportResult, Pipeline, is_auto
from kodevakt.rules.finding import Fix, Severity
from kodevakt.rules.output import csv_record, write_json_records
from kodevakt.storage import FindingStatus, StoredFinding, parse_period
from kodevakt.storage import worklog as wl
from kodevakt.storage.database import Access

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: sqlite:///fil.db eller postgresql://bruker@vert/navn. "
        "Standard: miljøvariabelen KODEVAKT_DB, ellers kodevakt.db i arbeidsmappen.",
    ),
]
EPISODES_PER_LINE = 8  # episode ids per line when a unit finding lists its episodes


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("findings")(findings)
    finding = typer.Typer(
        help="Funn: vis, godta, gjenåpne, tildel, spør lege, svar, frist.", no_args_is_help=True
    )
    finding.command("show")(show)
    finding.command("accept")(accept)
    finding.command("reopen")(reopen)
    worklog.register(finding)
    app.add_typer(finding, name="finding")


def import_(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Episodefiler (JSON, NPR-CSV, NPR-XML, FHIR, Parquet); med --engine spark "
            "Parquet-filer eller -mapper, også hdfs://… og s3a://…"
        ),
    ],
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="Periode: tertial 2025T1, måned 2025-03 eller år 2025; «auto»: hver episode i "
            "tertialet for utskrivningsdatoen",
        ),
    ],
    db: DbOption = None,
    encoding: EncodingOption = None,
    input_format: InputFormatOption = None,
    engine: EngineOption = Engine.LOCAL,
    master: MasterOption = None,
    out: OutOption = None,
) -> None:
    """Les episodefiler inn i databasen, kontroller dem og lagre funnene.

    Hver fil lastes i én transaksjon; samme uttrekk kan leses inn på nytt uten dubletter.

    Endrede episoder får historikk; funn som er borte etter en retting merkes som rettet.

    Etter filene kjøres mønsterreglene (M01–M07) over hele perioden, og funnene og
    kvalitetsindikatorene lagres.

    Med --period auto legges hver episode i tertialet for utskrivningsdatoen (innskrivningsdatoen
    når den mangler); hver fil leses da én gang og lastes i én transaksjon, og episoder uten
    dato avvises.

    Episoder med dato utenfor perioden avvises (bruk da --period auto).

    Med --engine spark gjøres det samme på Apache Spark for store uttrekk (Parquet-filer eller
    -mapper, alle sykehus samlet): kontroll, mønsterregler, kvalitetsindikatorer og
    traktgrenser skrives som Parquet til --out (findings/, patterns/, indicators/, funnels/,
    rejected/) i stedet for til databasen; resultatet er det samme som en import gir.

    Avslutningskode 0: alt lest inn; 2: en fil kunne ikke leses inn, mønsterreglene
    kunne ikke kjøres (filene er da likevel lagret), eller en annen import kjører mot
    databasen.
    """
    auto = is_auto(period)
    if engine is Engine.SPARK:
        if db is not None:
            fail("--engine spark skriver resultatet som Parquet til --out, ikke til --db", code=2)
        if not auto:
            try:
                period = parse_period(period)
            except KodevaktError as exc:
                fail(str(exc), code=2)
        target = require_parquet(files, out, input_format)
        raise typer.Exit(run_import(files, AUTO_PERIOD if auto else period, target, master))
    for path in files:
        if not Path(path).is_file():
            fail(f"filen «{path}» finnes ikke eller kan ikke leses", code=2)
    if not auto:
        try:
            period = parse_period(period)  # before the database is created
        except KodevaktError as exc:
            fail(str(exc), code=2)
    with open_store(db, Access.CREATE) as store:
        pipeline = Pipeline(store)
        try:
            with reading_as(input_format):
                results = (
                    pipeline.import_by_tertial(files, encoding=encoding)
                    if auto
                    else [pipeline.import_files(files, period, encoding=encoding)]
                )
        except KodevaktError as exc:
            fail(str(exc), code=2)
    failed = False
    for result in results:
        failed = _report_result(result, named=auto) or failed
    raise typer.Exit(2 if failed else 0)


def _report_result(result: ImportResult, *, named: bool) -> bool:
    """Print one period's files and pattern run; whether anything failed."""
    prefix = f"{console_text(result.period)}: " if named and result.period != AUTO_PERIOD else ""
    for file in result.files:
        _report_file(file, prefix)
    if len(result.files) > 1:
        err.print(
            f"{prefix}Til sammen: {result.total('read')} poster, {result.total('rejected')} "
            f"avvist; funn: {result.total('findings_new')} nye, "
            f"{result.total('findings_fixed')} rettet."
        )
    patterns = result.patterns
    if patterns is not None and patterns.error is not None:
        err.print(
            f"[bold red]Feil:[/] mønsterreglene (M01–M07) for {console_text(result.period)} "
            f"kunne ikke kjøres: {console_text(patterns.error)} (episodene og funnene fra "
            "filene er lagret)"
        )
    elif patterns is not None:
        err.print(
            f"Mønsterregler (M01–M07) for hele {console_text(result.period)}: "
            f"{patterns.findings_new} nye, "
            f"{patterns.findings_reopened} gjenåpnet, {patterns.findings_fixed} rettet."
        )
    return bool(result.failed) or (patterns is not None and patterns.error is not None)


def _report_file(file: FileImport, prefix: str = "") -> None:
    """`prefix` is markup-safe already; everything from the file is escaped here."""
    name = console_text(file.file)
    for notice in file.notices:  # the reader's, naming the file
        err.print(f"[yellow]Advarsel:[/] {prefix}{console_text(notice)}")
    if file.error is not None:
        err.print(
            f"[bold red]Feil:[/] {prefix}{name}: {console_text(file.error)} (ingenting lagret)"
        )
        return
    for rejected in file.rejections:
        err.print(f"[red]Avvist:[/] {console_text(rejected.describe())}")
    if file.rejected > len(file.rejections):
        err.print(f"… og {file.rejected - len(file.rejections)} avviste poster til")
    repeats = f", {file.duplicates} gjentatte id-er" if file.duplicates else ""
    err.print(
        f"{prefix}{name}: lest {file.read} poster, {file.rejected} avvist{repeats}. "
        f"Episoder: {file.episodes_new} nye, {file.episodes_changed} endret, "
        f"{file.episodes_unchanged} uendret. Funn: {file.findings_new} nye, "
        f"{file.findings_reopened} gjenåpnet, {file.findings_fixed} rettet."
    )


def findings(
    period: Annotated[str | None, typer.Option("--period", help="Periode, f.eks. 2025T1")] = None,
    status: Annotated[
        FindingStatus | None,
        typer.Option("--status", help="open, asked, approved, accepted eller fixed"),
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="Regelkode eller prefiks: T02, T, K0")
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", help="Institusjon (organisasjonsnummer)")
    ] = None,
    department: Annotated[str | None, typer.Option("--department", help="Avdeling")] = None,
    episode: Annotated[str | None, typer.Option("--episode", help="Episode-id")] = None,
    min_severity: Annotated[
        Severity, typer.Option("--min-severity", help="Bare funn med minst denne alvorligheten.")
    ] = Severity.INFO,
    output: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TABLE,
    db: DbOption = None,
) -> None:
    """List lagrede funn med status (åpen, spurt lege, retting godkjent, godtatt, rettet) og
    nøkkel.

    Avslutningskode 0: listet; 2: databasen kunne ikke leses eller listen kunne ikke skrives.
    """
    with open_store(db, Access.READ) as store:
        try:
            found = store.findings(
                period,
                institution,
                status,
                rule=rule,
                department=department,
                episode_id=episode,
                severity=min_severity,
            )
            with writing("funnene"):
                if output is RecordFormat.TABLE:
                    _table(found)
                else:
                    _machine(found, output)
        except KodevaktError as exc:
            fail(str(exc), code=2)


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_PLURAL = {
    FindingStatus.OPEN: "åpne",
    FindingStatus.FIXED: "rettet",
    FindingStatus.ACCEPTED: "godtatt",
    FindingStatus.ASKED: "spurt lege",
    FindingStatus.APPROVED: "med godkjent retting",
}
_STATUS_STYLE = {
    FindingStatus.OPEN: "bold",
    FindingStatus.FIXED: "green",
    FindingStatus.ACCEPTED: "blue",
    FindingStatus.ASKED: "magenta",
    FindingStatus.APPROVED: "cyan",
}


def _table(found: Iterator[StoredFinding]) -> None:
    rows, by_status = 0, dict.fromkeys(FindingStatus, 0)
    place = None
    for item in found:
        rows += 1
        by_status[item.status] += 1
        f = item.finding
        here = (item.period, item.institution, f.episode_id or item.key)
        if here != place:
            place = here
            unit = " ".join(p for p in (item.institution, item.department) if p)
            name = f.episode_id or f"enhetsfunn, {len(f.episodes)} episoder"
            where = console_text(f"{item.period} {unit}")
            out.print(f"\n[bold]{console_text(name)}[/]  [dim]{where}[/]")
        status = f"[{_STATUS_STYLE[item.status]}]{item.status.norwegian:<7}[/]"
        severity = f"[{_STYLE[f.severity]}]{f.severity.norwegian:<8}[/]"
        what = console_text(f"{f.rule}  {f.message}")
        out.print(f"  {console_text(item.key)}  {status} {severity} {what}")
        if item.status is not FindingStatus.OPEN:
            who = item.by or "automatisk"
            note = f": {item.comment}" if item.comment else ""
            when = console_text(f"{who}, {item.changed_at:%Y-%m-%d %H:%M}{note}")
            out.print(f"                    [dim]{when}[/]")
    if not rows:
        out.print("Ingen funn.")
        return
    err.print(
        f"{rows} funn: "
        + ", ".join(f"{n} {_PLURAL[status]}" for status, n in by_status.items() if n)
        + "."
    )


def _machine(found: Iterator[StoredFinding], output: RecordFormat) -> None:
    if output is RecordFormat.JSONL:
        for item in found:
            sys.stdout.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
    elif output is RecordFormat.JSON:
        write_json_records((item.to_dict() for item in found), sys.stdout)
    else:
        writer = SafeCsvWriter(sys.stdout)
        columns: list[str] | None = None
        for item in found:
            row = item.record(csv_record(item.finding))  # every finding has `episodes`
            if columns is None:
                columns = list(row)
                writer.writerow(columns)
            writer.writerow(row[c] for c in columns)


KeyArgument = Annotated[str, typer.Argument(help="Funnets nøkkel (eller de første minst 6 tegn)")]


def show(key: KeyArgument, db: DbOption = None) -> None:
    """Vis ett funn med tildeling, frist, spørsmål til lege, loggen over alle endringer og
    episodens endringer.

    Et funn om en enhets kodepraksis (M04, M05, M07) viser episodene bak det.
    """
    with open_store(db, Access.READ) as store:
        try:
            item = store.finding(key)
            work = wl.work_item(store.engine, item.key)
            events = wl.events(store.engine, item.key)
            history = (
                store.history(item.finding.episode_id, item.period, item.institution or "")
                if item.finding.episode_id
                else []
            )
        except KodevaktError as exc:
            fail(str(exc))
    with writing("funnet"):
        _print_finding(item)
        worklog.print_work(work)
        named = item.finding.episodes
        if named:
            _line(f"Episodene bak funnet ({len(named)}):")
            for start in range(0, len(named), EPISODES_PER_LINE):
                _line("  " + ", ".join(named[start : start + EPISODES_PER_LINE]))
        if events:
            _line("Logg:")
        for event in events:
            who = event.by or "automatisk (innlesing)"
            note = f": {event.comment}" if event.comment else ""
            _line(f"  {event.at:%Y-%m-%d %H:%M}  {event.describe()}  {who}{note}")
        if history:
            _line("Endringer i episoden:")
        for change in history:
            fields = ", ".join(change.changes)
            _line(
                f"  {change.changed_at:%Y-%m-%d %H:%M}  episoden endret (v{change.version}): "
                f"{fields}"
            )


def _line(text: str) -> None:
    """A line of plain text: ids, comments and names from the data are never markup."""
    out.print(console_text(text))


def _print_finding(item: StoredFinding) -> None:
    unit = " ".join(p for p in (item.institution, item.department) if p)
    where = console_text(f"  {item.status.norwegian}  {item.period} {unit}")
    out.print(f"[bold]{console_text(item.key)}[/]{where}")
    f = item.finding
    episodes = f"{len(f.episodes)} episoder" if f.episodes else f.episode_id
    _line(f"  {episodes}  {f.severity.norwegian} {f.rule}  {f.message}")
    if f.suggestion:
        _line(f"  → {f.suggestion}")
    if f.fix is not None:
        _line(f"  Rettingsforslag: {_fix_text(f.fix)}")
    out.print(f"  [dim]{console_text(f.source)}[/]")
    if item.comment or item.by:
        _line(f"  {item.by or 'automatisk'}: {item.comment or ''}")


def _fix_text(fix: Fix) -> str:
    """The coding a fix leaves, in the check form's notation (`E10.3+H36.0; I10`)."""
    parts = []
    if fix.conditions is not None:
        parts.append("tilstander " + ("; ".join("+".join(g) for g in fix.conditions) or "ingen"))
    if fix.procedures is not None:
        parts.append("prosedyrer " + ("; ".join("+".join(g) for g in fix.procedures) or "ingen"))
    return ", ".join(parts)


def accept(
    key: KeyArgument,
    comment: Annotated[str, typer.Option("--comment", help="Hvorfor kodingen er riktig likevel")],
    by: Annotated[str, typer.Option("--by", help="Hvem som godtar (navn eller brukernavn)")],
    db: DbOption = None,
) -> None:
    """Godta et funn: kodingen er riktig til tross for regelen (kommentar og navn kreves)."""
    _set(key, FindingStatus.ACCEPTED, comment, by, db)


def reopen(
    key: KeyArgument,
    comment: Annotated[str | None, typer.Option("--comment", help="Hvorfor")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Hvem")] = None,
    db: DbOption = None,
) -> None:
    """Gjenåpne et godtatt, spurt, godkjent eller rettet funn."""
    _set(key, FindingStatus.OPEN, comment, by, db)


def _set(
    key: str, status: FindingStatus, comment: str | None, by: str | None, db: str | None
) -> None:
    with open_store(db, Access.WRITE) as store:
        try:
            item = store.set_status(key, status, comment, by)
        except KodevaktError as exc:
            fail(str(exc))
    with writing("funnet"):
        _print_finding(item)
