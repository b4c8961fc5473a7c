"""`kodevakt synth`: write synthetic coded episodes as JSON Lines (for tests, demos, benchmarks)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from kodevakt.cli.common import fail, writing
from kodevakt.report.atomic import replaced_binary
from kodevakt.synth import generate, generate_wide

BATCH = 4096  # lines joined per write


class Mix(StrEnum):
    """How codes are drawn: from clinical profiles, or widely from the whole code list."""

    PROFILES = "profiles"
    WIDE = "wide"


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
        float | None,
        typer.Option(
            "--error-rate",
            min=0.0,
            max=1.0,
            help="Andel episoder med én innlagt kodefeil (standard 0,05; bare med profiles).",
        ),
    ] = None,
    mix: Annotated[
        Mix,
        typer.Option(
            "--mix",
            help="profiles: realistiske kliniske profiler, der de fleste kodekombinasjoner "
            "gjentas; wide: koder trukket fra hele kodelisten, der kombinasjonene sjelden "
            "gjentas (uten innlagte feil).",
        ),
    ] = Mix.PROFILES,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Skriv til denne filen i stedet for standard ut."),
    ] = None,
) -> None:
    """Lag syntetiske, kodede episoder (JSON Lines) med en kjent andel innlagte kodefeil.

    Hver episode har feltet «synth» med regelkodene for feilene som er lagt inn med vilje.
    Med --mix wide trekkes kodene i stedet fra hele kodelisten (alle rapporterbare koder kan
    komme med, de vanligste oftest; kjønn og alder passer kodenes grenser), som et mål på
    kontrollens fart og riktighet når kodekombinasjonene sjelden gjentas.
    Med --out erstattes filen helt eller ikke i det hele tatt.

    Avslutningskode 0: skrevet; 2: episodene kunne ikke skrives.
    """
    if mix is Mix.WIDE and error_rate is not None:
        fail("--error-rate gjelder bare --mix profiles; --mix wide legger ikke inn feil", code=2)
    if mix is Mix.WIDE:
        drawn = generate_wide(episodes, seed, year)
    else:
        drawn = generate(episodes, seed, year, 0.05 if error_rate is None else error_rate)
    if out is None:
        with writing("episodene"):
            _write(sys.stdout.buffer, drawn)
            sys.stdout.buffer.flush()
        return
    with writing(f"episodene til «{out}»"), replaced_binary(out, buffering=1 << 20) as stream:
        _write(stream, drawn)


def _write(stream: IO[bytes], episodes: Iterator[dict[str, object]]) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    batch: list[str] = []
    for episode in episodes:
        batch.append(dumps(episode))
        if len(batch) >= BATCH:
            stream.write(("\n".join(batch) + "\n").encode("utf-8"))
            batch.clear()
    if batch:
        stream.write(("\n".join(batch) + "\n").encode("utf-8"))
