"""`kodevakt rules`: the rule registry as a table or JSON."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from kodevakt.batch.catalogue import all_rules
from kodevakt.cli.common import OutputFormat, out, write_json, writing


def register(app: typer.Typer) -> None:
    app.command("rules")(rules)


def rules(
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    """List reglene: kode, alvorlighet, årene de gjelder og tittel."""
    registered = all_rules()
    with writing("svaret"):
        if output is OutputFormat.JSON:
            write_json(
                json.dumps(
                    [
                        {
                            "code": r.code,
                            "name": r.name,
                            "severity": r.severity.value,
                            "years": r.years,
                            "status": r.status.value,
                            "title": r.title,
                            "source": r.source,
                        }
                        for r in registered
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        table = Table(title=f"{len(registered)} regler")
        for column in ("Kode", "Alvor", "År", "Tittel", "Kilde"):
            table.add_column(column)
        for r in registered:
            table.add_row(r.code, r.severity.norwegian, r.years, r.title, r.source)
        out.print(table)
