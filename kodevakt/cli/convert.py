"""`kodevakt convert`: episodes from any format kodevakt reads into any format it writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.cli.common import EncodingOption, InputFormatOption, err, fail, writing
from kodevakt.cli.inputs import InputFailed, check_paths, print_read_problems, read_input
from kodevakt.cli.schema_check import SchemaOption, validate_paths
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.model import Episode
from kodevakt.episodes.npr_message import DEFAULT_NAMESPACE, NAMESPACE
from kodevakt.episodes.npr_xml_writer import MessageOptions
from kodevakt.episodes.reading import ReadStats
from kodevakt.episodes.writing import write_episodes
from kodevakt.errors import KodevaktError
from kodevakt.report.atomic import replaced_binary

ToOption = Annotated[
    EpisodeFormat,
    typer.Option("--to", help="Format å skrive: npr-xml, fhir, parquet, jsonl eller npr-csv."),
]
OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="Filen som skal skrives (erstattes helt eller ikke).")
]
NdjsonOption = Annotated[
    bool,
    typer.Option("--ndjson", help="FHIR som NDJSON (én ressurs per linje) i stedet for en Bundle."),
]
NoExtensionsOption = Annotated[
    bool,
    typer.Option(
        "--no-extensions",
        help="NPR-melding uten kodevakts tilleggsfelt (kv:): bare den dokumenterte strukturen; "
        "fødselsdato ut over året, alder i dager, mottakende institusjon og tekst går tapt.",
    ),
]


def _namespace(value: str) -> str:
    if not NAMESPACE.fullmatch(value):
        fail(
            f"--npr-namespace: «{value}» er ikke et navnerom for NPR-meldingen "
            "(http://www.npr.no/xmlstds/<versjon>_<meldingstype>)",
            code=2,
        )
    return value


NamespaceOption = Annotated[
    str,
    typer.Option(
        "--npr-namespace",
        help="Navnerommet (versjonen) for NPR-meldingen som skrives.",
        callback=_namespace,
    ),
]


def register(app: typer.Typer) -> None:
    app.command("convert")(convert)


def convert(
    files: Annotated[
        list[str],
        typer.Argument(help="Episodefiler (JSON, NPR-CSV, NPR-XML, FHIR, Parquet); - = stdin"),
    ],
    to: ToOption,
    out: OutOption,
    encoding: EncodingOption = None,
    input_format: InputFormatOption = None,
    ndjson: NdjsonOption = False,
    no_extensions: NoExtensionsOption = False,
    npr_namespace: NamespaceOption = DEFAULT_NAMESPACE,
    schema: SchemaOption = None,
) -> None:
    """Skriv episoder om fra ett format til et annet (formatet i inndata finnes fra innholdet).

    Poster som ikke kan leses, avvises som i «kodevakt check» (med fil, plassering og felt)
    og skrives ikke; oppsummeringen går til standard feil.

    Med --schema valideres NPR-meldinger (XML) mot skjemaet først, og brudd vises.

    Avslutningskode 0: alle poster skrevet; 1: filen er skrevet, men noen poster ble avvist
    (eller inndata bryter --schema);
    2: inndata kunne ikke leses eller filen kunne ikke skrives (da er den ikke endret).
    """
    check_paths(files, encoding, input_format)
    invalid = validate_paths(files, schema, input_format)
    stats = ReadStats()
    episodes = read_input(files, stats, encoding, input_format)
    options = MessageOptions(namespace=npr_namespace, extensions=not no_extensions)
    written = write_file(episodes, to, out, options, ndjson=ndjson)
    print_read_problems(stats)
    err.print(
        f"Lest {stats.read} poster: {written} skrevet til {to.label}, {len(stats.rejected)} avvist."
    )
    raise typer.Exit(1 if stats.rejected or invalid else 0)


def write_file(
    episodes: Iterable[Episode],
    to: EpisodeFormat,
    out: Path,
    options: MessageOptions,
    *,
    ndjson: bool = False,
    period: tuple[date, date] | None = None,
) -> int:
    """Write `episodes` to `out` in format `to`, whole or not at all; every failure exits 2
    (a failed read as unreadable input, a failed write as such)."""
    if period is not None:
        options = MessageOptions(options.namespace, period, options.extensions)
    try:
        with writing(f"«{out}»"), replaced_binary(out, buffering=1 << 20) as stream:
            return write_episodes(episodes, to, stream, message=options, ndjson=ndjson)
    except InputFailed as exc:
        fail(f"inndata kunne ikke leses: {exc} («{out}» er ikke endret)", code=2)
    except KodevaktError as exc:
        fail(f"{exc} («{out}» er ikke endret)", code=2)
