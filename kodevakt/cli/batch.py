"""`kodevakt import`, `kodevakt findings`, `kodevakt finding …`: the database and the worklist."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.cli.common import RecordFormat, err, fail, out
from kodevakt.errors import KodevaktError
from kodevakt.rules.finding import Severity
from kodevakt.storage import FindingStatus, Store, StoredFinding
from kodevakt.storage.importing import FileImport, ImportResult
from kodevakt.storage.tertials import AUTO_PERIOD

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
    finding = typer.Typer(help="Ett funn: vis, godta eller gjenåpne.", no_args_is_help=True)
    finding.command("show")(show)
    finding.command("accept")(accept)
    finding.command("reopen")(reopen)
    app.add_typer(finding, name="finding")


def _open(db: str | None) -> Store:
    try:
        return Store(db)
    except KodevaktError as exc:
        fail(str(exc), code=2)


def import_(
    files: Annotated[list[Path], typer.Argument(help="Episodefiler (JSON, JSON Lines, NPR-CSV)")],
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="Periode: tertial 2025T1, måned 2025-03 eller år 2025; «auto»: hver episode i "
            "tertialet for utskrivningsdatoen",
        ),
    ],
    db: DbOption = None,
) -> None:
    """Les episodefiler inn i databasen, kontroller dem og lagre funnene.

    Hver fil lastes i én transaksjon; samme uttrekk kan leses inn på nytt uten dubletter.

    Endrede episoder får historikk; funn som er borte etter en retting merkes som rettet.

    Etter filene kjøres mønsterreglene (M01–M07) over hele perioden, og funnene og
    kvalitetsindikatorene lagres.

    Med --period auto legges hver episode i tertialet for utskrivningsdatoen (innskrivningsdatoen
    når den mangler); hver fil lastes da i én transaksjon per tertial, og episoder uten dato
    avvises.

    Avslutningskode 0: alt lest inn; 2: en fil kunne ikke leses inn, eller mønsterreglene
    kunne ikke kjøres (filene er da likevel lagret).
    """
    for path in files:
        if not path.is_file():
            fail(f"filen «{path}» finnes ikke eller kan ikke leses", code=2)
    auto = period.strip().lower() == AUTO_PERIOD
    with _open(db) as store:
        try:
            results = (
                store.import_by_tertial(files) if auto else [store.import_files(files, period)]
            )
        except KodevaktError as exc:
            fail(str(exc), code=2)
    failed = False
    for result in results:
        failed = _report_result(result, named=auto) or failed
    raise typer.Exit(2 if failed else 0)


def _report_result(result: ImportResult, *, named: bool) -> bool:
    """Print one period's files and pattern run; whether anything failed."""
    prefix = f"{result.period}: " if named and result.period != AUTO_PERIOD else ""
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
            f"[bold red]Feil:[/] mønsterreglene (M01–M07) for {result.period} kunne ikke "
            f"kjøres: {patterns.error} (episodene og funnene fra filene er lagret)"
        )
    elif patterns is not None:
        err.print(
            f"Mønsterregler (M01–M07) for hele {result.period}: {patterns.findings_new} nye, "
            f"{patterns.findings_reopened} gjenåpnet, {patterns.findings_fixed} rettet."
        )
    return bool(result.failed) or (patterns is not None and patterns.error is not None)


def _report_file(file: FileImport, prefix: str = "") -> None:
    if file.error is not None:
        err.print(f"[bold red]Feil:[/] {prefix}{file.file}: {file.error} (ingenting lagret)")
        return
    for rejected in file.rejections:
        err.print(f"[red]Avvist:[/] {rejected.describe()}")
    if file.rejected > len(file.rejections):
        err.print(f"… og {file.rejected - len(file.rejections)} avviste poster til")
    repeats = f", {file.duplicates} gjentatte id-er" if file.duplicates else ""
    err.print(
        f"{prefix}{file.file}: lest {file.read} poster, {file.rejected} avvist{repeats}. "
        f"Episoder: {file.episodes_new} nye, {file.episodes_changed} endret, "
        f"{file.episodes_unchanged} uendret. Funn: {file.findings_new} nye, "
        f"{file.findings_reopened} gjenåpnet, {file.findings_fixed} rettet."
    )


def findings(
    period: Annotated[str | None, typer.Option("--period", help="Periode, f.eks. 2025T1")] = None,
    status: Annotated[
        FindingStatus | None, typer.Option("--status", help="open, fixed eller accepted")
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
    """List lagrede funn med status (åpen, rettet, godtatt) og nøkkel."""
    with _open(db) as store:
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
}
_STATUS_STYLE = {
    FindingStatus.OPEN: "bold",
    FindingStatus.FIXED: "green",
    FindingStatus.ACCEPTED: "blue",
}


def _table(found: Iterator[StoredFinding]) -> None:
    rows, by_status = 0, dict.fromkeys(FindingStatus, 0)
    place = None
    for item in found:
        rows += 1
        by_status[item.status] += 1
        here = (item.period, item.institution, item.episode_id or item.key)
        if here != place:
            place = here
            unit = " ".join(p for p in (item.institution, item.department) if p)
            name = item.episode_id or f"enhetsfunn, {len(item.episodes)} episoder"
            out.print(f"\n[bold]{name}[/]  [dim]{item.period} {unit}[/]")
        status = f"[{_STATUS_STYLE[item.status]}]{item.status.norwegian:<7}[/]"
        severity = f"[{_STYLE[item.severity]}]{item.severity.norwegian:<8}[/]"
        out.print(f"  {item.key}  {status} {severity} {item.rule}  {item.message}")
        if item.status is not FindingStatus.OPEN:
            who = item.by or "automatisk"
            note = f": {item.comment}" if item.comment else ""
            out.print(f"                    [dim]{who}, {item.changed_at:%Y-%m-%d %H:%M}{note}[/]")
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
        sys.stdout.write("[")
        for i, item in enumerate(found):
            sys.stdout.write(",\n  " if i else "\n  ")
            sys.stdout.write(json.dumps(item.to_dict(), ensure_ascii=False))
        sys.stdout.write("\n]\n")
    else:
        writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
        columns: list[str] | None = None
        for item in found:
            row = item.to_dict()
            row["codes"] = " ".join(item.codes)
            row["fix"] = json.dumps(row["fix"], ensure_ascii=False) if row["fix"] else None
            row["episodes"] = " ".join(item.episodes)  # a unit finding's episodes, else empty
            if columns is None:
                columns = list(row)
                writer.writerow(columns)
            writer.writerow(["" if row[c] is None else row[c] for c in columns])


KeyArgument = Annotated[str, typer.Argument(help="Funnets nøkkel (eller de første minst 6 tegn)")]


def show(key: KeyArgument, db: DbOption = None) -> None:
    """Vis ett funn med statushistorikken og episodens endringer.

    Et funn om en enhets kodepraksis (M04, M05, M07) viser episodene bak det.
    """
    with _open(db) as store:
        try:
            item = store.finding(key)
            events = store.finding_events(item.key)
            history = (
                store.history(item.episode_id, item.period, item.institution or "")
                if item.episode_id
                else []
            )
        except KodevaktError as exc:
            fail(str(exc))
    _print_finding(item)
    if item.episodes:
        out.print(f"Episodene bak funnet ({len(item.episodes)}):")
        for start in range(0, len(item.episodes), EPISODES_PER_LINE):
            out.print("  " + ", ".join(item.episodes[start : start + EPISODES_PER_LINE]))
    if events:
        out.print("Statusendringer:")
    for event in events:
        who = event.by or "automatisk (innlesing)"
        note = f": {event.comment}" if event.comment else ""
        out.print(
            f"  {event.at:%Y-%m-%d %H:%M}  {event.from_status.norwegian} → "
            f"{event.to_status.norwegian}  {who}{note}"
        )
    if history:
        out.print("Endringer i episoden:")
    for change in history:
        fields = ", ".join(change.changes)
        out.print(
            f"  {change.changed_at:%Y-%m-%d %H:%M}  episoden endret (v{change.version}): {fields}"
        )


def _print_finding(item: StoredFinding) -> None:
    unit = " ".join(p for p in (item.institution, item.department) if p)
    out.print(f"[bold]{item.key}[/]  {item.status.norwegian}  {item.period} {unit}")
    where = f"{len(item.episodes)} episoder" if item.episodes else item.episode_id
    out.print(f"  {where}  {item.severity.norwegian} {item.rule}  {item.message}")
    if item.suggestion:
        out.print(f"  → {item.suggestion}")
    out.print(f"  [dim]{item.source}[/]")
    if item.comment or item.by:
        out.print(f"  {item.by or 'automatisk'}: {item.comment or ''}")


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
    """Gjenåpne et godtatt eller rettet funn."""
    _set(key, FindingStatus.OPEN, comment, by, db)


def _set(
    key: str, status: FindingStatus, comment: str | None, by: str | None, db: str | None
) -> None:
    with _open(db) as store:
        try:
            item = store.set_status(key, status, comment, by)
        except KodevaktError as exc:
            fail(str(exc))
    _print_finding(item)
