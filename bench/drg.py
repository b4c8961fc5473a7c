"""Benchmark: DRG table load time (uncached and cached) and grouping throughput.

Targets (issue 6): tables load in under 2 s, the cached form in under 0.3 s; at least 20,000
episodes per second on one core. The tables are not part of the project: this reads them from
`KODEVAKT_DRG_DEFINITIONS`, else `../shared/drg/` next to the repository.

Run: `.venv/bin/python bench/drg.py [--year 2015] [--workbook]`. `--workbook` also times the
Excel form (written once from the JSON tables into a temporary folder, which takes a while).
Episodes for the throughput come from `kodevakt.synth` when it is installed, else the reference
test set's DRG strings, repeated.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kodevakt.drg import DrgInput, DrgTables, episode_input, load_definitions, parse_drg_string
from kodevakt.drg.tables import DefinitionSource, read_tables
from kodevakt.episodes.model import Episode

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "drg"


def definitions_path() -> Path:
    env = os.environ.get("KODEVAKT_DRG_DEFINITIONS", "").strip()
    path = Path(env) if env else SHARED
    if not path.exists():
        sys.exit(f"Fant ingen DRG-tabeller (KODEVAKT_DRG_DEFINITIONS eller {SHARED}).")
    return path


def load_in_fresh_process(source: Path, year: int, cache_dir: str, use_cache: bool) -> float:
    script = (
        "import time; t=time.perf_counter(); "
        "from kodevakt.drg import load_definitions; "
        f"d=load_definitions({str(source)!r}, year={year}, use_cache={use_cache}); "
        f"d.tables({year}); print(time.perf_counter()-t)"
    )
    env = {**os.environ, "KODEVAKT_CACHE_DIR": cache_dir}
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env
    )
    return float(done.stdout)


def time_loads(source: Path, year: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as cache_dir:
        cold = [load_in_fresh_process(source, year, cache_dir, False) for _ in range(runs)]
        load_in_fresh_process(source, year, cache_dir, True)  # fills the cache
        warm = [load_in_fresh_process(source, year, cache_dir, True) for _ in range(runs)]
    name = source.name
    print(f"laste {name} uten cache: median {statistics.median(cold):.2f} s (mål < 2 s)")
    print(f"laste {name} fra cache:  median {statistics.median(warm):.3f} s (mål < 0,3 s)")


def write_workbook(source: Path, year: int, folder: Path) -> Path:
    import openpyxl

    raw = read_tables(DefinitionSource(source, year))
    book = openpyxl.Workbook(write_only=True)
    for name, sheet in raw.items():
        out = book.create_sheet(name)
        columns = list(sheet.columns)
        out.append(columns)
        for values in sheet.values(*columns):
            out.append(["".join(c if c.isprintable() else " " for c in v) for v in values])
    path = folder / f"DRG-logikk {year}.xlsx"
    book.save(path)
    return path


def test_inputs() -> list[DrgInput]:
    path = SHARED / "TestDataFull.csv"
    with open(path, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))[1:]
    return [parse_drg_string(row[3]) for row in rows]


def synthetic_episodes(count: int, year: int) -> list[Episode] | None:
    try:
        from kodevakt.synth.generator import generate
    except ImportError:
        return None
    from kodevakt.episodes.interchange import episode_from_dict
    from kodevakt.episodes.model import Source

    episodes = []
    for i, obj in enumerate(generate(count, 1, year)):
        record: Any = episode_from_dict(obj, Source("synth", i + 1))
        if isinstance(record, Episode):
            episodes.append(record)
    return episodes


def throughput(tables: DrgTables, inputs: list[DrgInput], explain: bool) -> float:
    start = time.perf_counter()
    for case in inputs:
        tables.group(case, explain_row=explain)
    return len(inputs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workbook", action="store_true")
    args = parser.parse_args()
    path = definitions_path()
    definitions = load_definitions(path)
    source = definitions.sources[args.year].path
    time_loads(source, args.year, args.runs)
    if args.workbook:
        with tempfile.TemporaryDirectory() as folder:
            book = write_workbook(source, args.year, Path(folder))
            time_loads(book, args.year, 1)

    tables = definitions.tables(args.year)
    episodes = synthetic_episodes(50_000, args.year)
    if episodes:
        kind = f"{len(episodes):,} syntetiske episoder (kodevakt.synth)"
        start = time.perf_counter()
        inputs = [episode_input(e, year=args.year) for e in episodes]
        convert = len(inputs) / (time.perf_counter() - start)
        print(f"episode → grupperingsinndata: {convert:,.0f} episoder/s")
    else:
        inputs = test_inputs() * 40
        kind = f"{len(inputs):,} DRG-strenger (referansesettet gjentatt)"
    print(f"gruppering av {kind}, én kjerne:")
    print(f"  uten forklaring: {throughput(tables, inputs, False):,.0f} per s (mål ≥ 20 000)")
    print(f"  med forklaring:  {throughput(tables, inputs, True):,.0f} per s")


if __name__ == "__main__":
    main()
