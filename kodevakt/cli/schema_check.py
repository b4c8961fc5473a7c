"""`--schema FILE.xsd`: validate NPR messages against an XML schema before they are read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from kodevakt.cells import console_text
from kodevakt.cli.common import err, fail
from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.episodes.reading import format_of
from kodevakt.errors import KodevaktError

SHOWN = 50

SchemaOption = Annotated[
    Path | None,
    typer.Option(
        "--schema",
        help="XML-skjema (XSD) som NPR-meldinger valideres mot før de leses, f.eks. det "
        "offisielle skjemaet for meldingens versjon; hvert brudd vises med linje og element.",
    ),
]


def validate_paths(
    paths: Sequence[str], schema: Path | None, input_format: EpisodeFormat | None
) -> int:
    """Print every schema violation of the NPR messages among `paths` (stderr); their count.
    Files of other formats are not validated; an unreadable schema exits 2."""
    if schema is None:
        return 0
    # xmlschema costs a third of a second to import: only when a schema is given
    from kodevakt.episodes.npr_xml_schema import load_schema, violations

    try:
        loaded = load_schema(schema)
    except KodevaktError as exc:
        fail(str(exc), code=2)
    total = 0
    for path in paths:
        if path == "-" or format_of(path, None, input_format) is not EpisodeFormat.NPR_XML:
            continue
        try:
            for violation in violations(path, loaded):
                total += 1
                if total <= SHOWN:
                    where = console_text(f"fil {path}, {violation.describe()}")
                    err.print(f"[red]Skjemafeil:[/] {where}")
        except KodevaktError as exc:
            fail(f"inndata kunne ikke leses: {exc}", code=2)
        if total > SHOWN:
            err.print(f"… og {total - SHOWN} skjemafeil til")
    if total:
        err.print(f"Skjemafeil: {total} brudd på {console_text(str(schema))}.")
    return total
