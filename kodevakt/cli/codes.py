"""`kodevakt code` and `kodevakt data`: look codes up and see which code lists are loaded."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any

import typer
from rich.table import Table

from kodevakt.cells import console_text
from kodevakt.cli.common import (
    OutputFormat,
    err,
    fail,
    out,
    parse_day,
    write_json,
    writing,
)
from kodevakt.codes.codebase import Status
from kodevakt.codes.coverage import coverage_lines
from kodevakt.codes.describe import CHANGE_TEXT, describe
from kodevakt.codes.history import default_history
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.model import ChangeKind
from kodevakt.codes.release import Family
from kodevakt.errors import KodevaktError

FOUND = {Status.OK, Status.NOT_VALID, Status.NOT_REPORTABLE, Status.WHO_ONLY}
KNOWN_SHAPE = {Status.NOT_IN_LOADED_LIST, Status.FORMAT_ONLY, Status.NOT_COVERED}


def register(app: typer.Typer) -> None:
    app.command("code")(code)
    data = typer.Typer(help="Innlastede kodelister.", no_args_is_help=True)
    data.command("status")(status)
    app.add_typer(data, name="data")


def code(
    value: Annotated[str, typer.Argument(help="Koden, skrevet som du vil: J12.8, j128, C07A B02")],
    list_children: Annotated[
        bool, typer.Option("--list", "-l", help="List underordnede koder.")
    ] = False,
    day: Annotated[
        str | None, typer.Option("--date", help="Slå opp i kodelisten som gjaldt denne datoen.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    """Vis en kode: tekst, kodeverk, overordnede nivåer, gyldighet og flagg."""
    at = parse_day(day)
    try:
        base = default_codebase()
    except KodevaktError as exc:
        fail(str(exc), code=2)
    with writing("svaret"):
        info = describe(base, value, at)
        status = Status(info["status"])
        if status not in FOUND and status not in KNOWN_SHAPE:
            if output is OutputFormat.JSON:
                write_json(json.dumps(info, ensure_ascii=False, indent=2))
            fail(f"«{value.strip()}» er ikke en kjent kode ({info['status_text']}).")
        if list_children:
            children = [
                {"code": c.code, "text": c.display_text, "reportable": c.reportable}
                for c in base.children(info["code"], at)
            ]
            if output is OutputFormat.JSON:
                write_json(json.dumps(children, ensure_ascii=False, indent=2))
            else:
                _print_children(info, children)
            return
        if output is OutputFormat.JSON:
            write_json(json.dumps(info, ensure_ascii=False, indent=2))
        else:
            _print_code(info)


def _print_code(info: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    _add(table, "Kode", info["code"])
    if info.get("text"):
        _add(table, "Tekst", info["text"])
    elif info.get("own_title"):
        _add(table, "Tittel", f"{info['own_title']} (kodevakts egen oversettelse)")
    if info.get("full_text") and info["full_text"] != info.get("text"):
        _add(table, "Full tekst", info["full_text"])
    if info.get("text_en"):
        _add(table, "WHO (engelsk)", info["text_en"])
    _add(table, "Kodeverk", info["system"] or "ukjent")
    _add(table, "Status", info["status_text"])
    if info.get("level"):
        _add(table, "Nivå", info["level"])
    for parent in info.get("parents", []):
        own = " (kodevakts oversettelse)" if parent["own_title"] else ""
        _add(table, f"  {parent['level']}", f"{parent['code']}  {parent['text']}{own}")
    validity = _span(info.get("valid_from"), info.get("valid_to"))
    if validity:
        _add(table, "Gyldig", validity)
    npr = _span(info.get("npr_from"), info.get("npr_to"))
    if npr:
        _add(table, "NPR-gyldig", npr)
    for span in info.get("validity_by_year", []):
        _add(table, "Gyldighet per år", f"{_years(span['from'], span['to'])}: {span['status']}")
    for change in info.get("history", []):
        detail = f" ({change['detail_text']}: «{change['detail']}»)" if change["detail"] else ""
        _add(
            table,
            "Historikk",
            f"{change['year']} {change['change_text']}{detail} [{change['source']}]",
        )
    if info.get("flags"):
        _add(table, "Flagg", ", ".join(info["flags"]))
    for note in info.get("notes", []):
        _add(table, "Merknad", note)
    structure = info.get("structure")
    if structure:
        _add(table, "Kapittel", f"{structure['chapter']} {structure['chapter_name'] or ''}")
        if structure.get("access"):
            _add(table, "Tilgang", structure["access"])
        if structure.get("modality"):
            _add(table, "Modalitet", structure["modality"])
        if structure.get("additional"):
            _add(table, "Type", "tilleggskode")
    if info["normalised"]:
        _add(table, "Normalisert", "; ".join(info["normalised"]))
    if info.get("children"):
        _add(table, "Underkoder", f"{info['children']} (vis med --list)")
    _add(table, "Kilde", info["release"] or "ingen kodeliste")
    out.print(table)


def _print_children(info: dict[str, Any], children: list[dict[str, Any]]) -> None:
    if not children:
        out.print(f"{console_text(info['code'])} har ingen underordnede koder.")
        return
    title = f"Under {info['code']} {info.get('title', '')}"
    table = Table(title=console_text(title))
    table.add_column("Kode", style="bold")
    table.add_column("Tekst")
    table.add_column("Rapporteres", justify="center")
    for child in children:
        _add(table, child["code"], child["text"], "ja" if child["reportable"] else "nei")
    out.print(table)


def _add(table: Table, *cells: str) -> None:
    """A row of values from the code lists, which may come from the user's own files."""
    table.add_row(*(console_text(cell) for cell in cells))


def _years(start: int | None, end: int) -> str:
    if start is None:
        return f"til og med {end}"
    return str(start) if start == end else f"{start}–{end}"


def _span(start: str | None, end: str | None) -> str:
    if not start and not end:
        return ""
    return f"{start or '…'} – {end or '…'}"


def status() -> None:
    """Vis hvilke kodelister som er lastet inn (innebygde og offisielle), år for år."""
    try:
        base = default_codebase()
    except KodevaktError as exc:
        fail(str(exc), code=2)
    history = default_history()
    counts = history.counts()
    table = Table(title="Innlastede kodelister")
    table.add_column("Familie")
    table.add_column("År", justify="right")
    table.add_column("Koder", justify="right")
    table.add_column("Endringer fra året før")
    table.add_column("Kilde")
    table.add_column("Komplett")
    for release in base.releases:
        code_list = base.code_list(release.family, release.year)
        count = len(code_list) if code_list else 0
        changes = ""
        if release.family is Family.ICD10 and release.embedded:
            changes = _changes(counts.get(release.year))
        _add(
            table,
            release.family.value,
            str(release.year),
            str(count),
            changes,
            release.source,
            "ja" if release.complete else "nei (utvalg)",
        )
    with writing("svaret"):
        out.print(table)
        for line in coverage_lines(base, history):
            out.print(console_text(line))
    err.print("Offisielle lister lastes med miljøvariabelen KODEVAKT_CODE_FILES.")


def _changes(counted: Counter[ChangeKind] | None) -> str:
    if not counted:
        return "ingen"
    return ", ".join(f"{counted[kind]} {CHANGE_TEXT[kind]}" for kind in ChangeKind if counted[kind])
