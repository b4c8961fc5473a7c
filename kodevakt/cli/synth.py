"""`kodevakt synth`: write synthetic coded episodes as JSON Lines (for tests, demos, benchmarks)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Annotated

import typer

from kodevakt.cli.common import writing
from kodevakt.report.atomic import replaced_binary
from kodevakt.synth import generate

BATCH = 4096  # lines joined per write


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)


def synth(
    episodes: Annotated[
        int, typer.Option("--episodes", "-n", min=0, help="Antall episoder som skal lages.")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Frø: samme frø gir samme episoder.")],
    year: Annotated[
        int, typer.Option("--year", min=2000, max=2100, help="Året episodene gjelder.")
    ] = 2025,
    error_rate: Annotated[
        float,
        typer.Option(
            "--error-rate", min=0.0, max=1.0, help="Andel episoder med én innlagt kodefeil."
        ),
    ] = 0.05,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Skriv til denne filen i stedet for standard ut."),
    ] = None,
) -> None:
    """Lag syntetiske, kodede episoder (JSON Lines) med en kjent andel innlagte kodefeil.

    Hver episode har feltet «synth» med regelkodene for feilene som er lagt inn med vilje.
    Med --out erstattes filen helt eller ikke i det hele tatt.

    Avslutningskode 0: skrevet; 2: episodene kunne ikke skrives.
    """
    if out is None:
        with writing("episodene"):
            _write(sys.stdout.buffer, episodes, seed, year, error_rate)
            sys.stdout.buffer.flush()
        return
    with writing(f"episodene til «{out}»"), replaced_binary(out, buffering=1 << 20) as stream:
        _write(stream, episodes, seed, year, error_rate)


def _write(stream: IO[bytes], n: int, seed: int, year: int, error_rate: float) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    batch: list[str] = []
    for episode in generate(n, seed, year, error_rate):
        batch.append(dumps(episode))
        if len(batch) >= BATCH:
            stream.write(("\n".join(batch) + "\n").encode("utf-8"))
            batch.clear()
    if batch:
        stream.write(("\n".join(batch) + "\n").encode("utf-8"))
