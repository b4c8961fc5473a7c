"""`kodevakt search` and `kodevakt tree`: find the code for what a clinician wrote, browse codes."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kodevakt.cli.common import OutputFormat, fail, out, write_json, writing
from kodevakt.codes.loading import default_codebase
from kodevakt.errors import KodevaktError
from kodevakt.search import Node, default_searcher, tree


class SystemChoice(StrEnum):
    ICD10 = "icd10"
    NCSP = "ncsp"
    NCMP = "ncmp"
    NCRP = "ncrp"


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("tree")(tree_command)


def search(
    query: Annotated[
        list[str],
        typer.Argument(
            help="Det du leter etter, slik det står i journalen («akutt blærekatarr», «KOLS», "
            "«lårhalsbrudd»), eller en kode (J12.8, j128, J12, JKA20)."
        ),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=1000, help="Høyst så mange treff.")
    ] = 10,
    system: Annotated[
        SystemChoice | None, typer.Option("--system", help="Bare koder fra dette kodeverket.")
    ] = None,
    chapter: Annotated[
        str | None,
        typer.Option(
            "--chapter",
            help="Bare koder i dette ICD-10-kapitlet (romertall: X, IX) eller under denne koden "
            "eller kodestarten (J, E11, J09-J18). Romertall vinner: I, V og X er kapitler.",
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    """Søk etter koder med ord, forkortelser, skrivefeil eller kodebiter."""
    text = " ".join(query)
    try:
        hits = default_searcher().search(
            text, limit, system=system.value if system else None, chapter=chapter
        )
    except KodevaktError as exc:
        fail(str(exc), code=2)
    with writing("svaret"):
        if output is OutputFormat.JSON:
            write_json(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
            return
        if not hits:
            out.print(f"Ingen treff for «{escape(text.strip())}».")
            return
        table = Table(title=f"Søk: {escape(text.strip())}")
        table.add_column("Kode", style="bold", no_wrap=True)
        table.add_column("Tekst")
        table.add_column("Kodeverk", no_wrap=True)
        table.add_column("Poeng", justify="right")
        table.add_column("Hvorfor")
        for hit in hits:
            table.add_row(
                escape(hit.code),
                escape(hit.text),
                hit.system,
                f"{hit.score:.2f}",
                escape(hit.matched),
            )
        out.print(table)


def tree_command(
    code: Annotated[
        str | None,
        typer.Argument(help="Koden å starte fra (J12, J09-J18, X); uten kode vises kapitlene."),
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", "-d", min=0, max=10, help="Antall nivåer under koden.")
    ] = 1,
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    """Bla i kodehierarkiet: en kode og kodene under den, som et innrykket tre."""
    try:
        base = default_codebase()
    except KodevaktError as exc:
        fail(str(exc), code=2)
    roots = tree(base, code, depth)
    if roots is None:
        fail(f"«{(code or '').strip()}» er ikke en kjent kode.")
    with writing("svaret"):
        if output is OutputFormat.JSON:
            write_json(json.dumps([node.to_dict() for node in roots], ensure_ascii=False, indent=2))
            return
        for node in roots:
            _print_node(node, 0)


def _print_node(node: Node, level: int) -> None:
    notes = []
    if node.who_only:
        notes.append("brukes ikke i Norge")
    if node.more:
        notes.append(f"{node.more} underkoder")
    suffix = f"  [dim]({', '.join(notes)})[/]" if notes else ""
    out.print(f"{'  ' * level}[bold]{escape(node.code)}[/]  {escape(node.text)}{suffix}")
    for child in node.children:
        _print_node(child, level + 1)
