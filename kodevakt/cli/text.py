"""`kodevakt text`: read discharge summaries and show the conditions and procedures they state."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kodevakt.cells import console_text
from kodevakt.cli.common import EncodingOption, RecordFormat, err, fail, out, writing
from kodevakt.documentation import Reading, default_reader
from kodevakt.documentation.mentions import CodeFound
from kodevakt.documentation.texts import TextRecord, read_texts
from kodevakt.errors import KodevaktError


def register(app: typer.Typer) -> None:
    app.command("text")(text)


class TextFormat:
    """The output formats `kodevakt text` writes (a subset of the record formats)."""

    CHOICES = (RecordFormat.TABLE, RecordFormat.JSON, RecordFormat.JSONL)


def text(
    file: Annotated[
        str,
        typer.Argument(
            help='Epikrise som ren tekst, eller JSON Lines med {"id": …, "text": …} per '
            "linje; - = standard inn"
        ),
    ] = "-",
    output: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TABLE,
    encoding: EncodingOption = None,
) -> None:
    """Les epikriser: tilstander og prosedyrer med kode, sikkerhet (bekreftet, avkreftet,
    usikker, tidligere, familie), seksjon og ordene som belegger dem, og foreslått
    hovedtilstand.

    Lesingen er leksikalsk og regelbasert (se docs/text.md). Teksten logges aldri og
    sendes ingen steder; belegget skrives bare til deg.

    Avslutningskode 0: lest; 2: inndata kunne ikke leses eller resultatet ikke skrives.
    """
    if output not in TextFormat.CHOICES:
        fail("--format må være table, json eller jsonl", code=2)
    try:
        records = list(read_texts(file, encoding))
    except OSError as exc:
        fail(f"filen «{file}» kan ikke leses: {exc.strerror}", code=2)
    except KodevaktError as exc:
        fail(f"inndata kunne ikke leses: {exc}", code=2)
    reader = default_reader()
    with writing("resultatet"):
        if output is RecordFormat.JSONL:
            for record in records:
                line = json.dumps(reader.read(record.text).to_dict(record.id), ensure_ascii=False)
                sys.stdout.write(line + "\n")
        elif output is RecordFormat.JSON:
            readings = [reader.read(r.text).to_dict(r.id) for r in records]
            sys.stdout.write(json.dumps(readings, ensure_ascii=False, indent=2) + "\n")
        else:
            for record in records:
                _table(record, reader.read(record.text))
    err.print(f"Lest {len(records)} {'tekst' if len(records) == 1 else 'tekster'}.")


def _table(record: TextRecord, reading: Reading) -> None:
    main = reading.main
    said = f"{main.code} {main.title}" if main is not None else "ingen (teksten oppgir ingen)"
    out.print(f"\n[bold]{escape(console_text(record.id))}[/]  Foreslått hovedtilstand: ", end="")
    out.print(escape(console_text(said)), markup=False, highlight=False)
    if not reading.codes:
        out.print("  Ingen tilstander eller prosedyrer funnet.")
        return
    table = Table(show_edge=False)
    for column in ("Kode", "Tekst", "Sikkerhet", "Seksjon", "Kodes", "Belegg"):
        table.add_column(column)
    for found in reading.codes:
        table.add_row(*_row(found, reading.text))
    out.print(table)


def _row(found: CodeFound, text: str) -> list[str]:
    codes = "+".join(found.codes)
    quote = found.evidence.context_span().quote(text)
    return [
        escape(codes),
        escape(console_text(found.title or "(ikke i den innlastede kodelisten)")),
        found.certainty.norwegian,
        found.section.norwegian,
        "ja" if found.proposed else "",
        escape(console_text(f"«{quote}»")),
    ]
