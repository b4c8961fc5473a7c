"""Benchmark: kodevakt on Spark, episodes per second on local[1] and local[2], and where the
time goes (start-up, read, check, patterns, write).

For each master the same Parquet file of synthetic episodes (a million by default) is run
through a fresh session:

- start-up: `start(master)` and a first trivial job (JVM, Python workers);
- read: reading the file into the Python workers as Arrow batches (`read_episodes`), nothing
  else done with them;
- check: `check` (as `kodevakt check --engine spark`), findings counted; its time less the
  read is the checking itself;
- patterns: `analyse` (as `kodevakt import --engine spark`: check again with the import's
  rules for repeats, merging, indicator totals, pattern rules by institution and patient);
- write: the analysis's Parquet folders (`write_analysis`), from the persisted results.

Episodes per second are for the check and for the whole import run (patterns + write).
The load average is printed before and after: the machine may be shared.

Run: `.venv/bin/python bench/spark.py [--episodes 1000000] [--seed 1]
[--masters local[1] local[2]]`. The Parquet file is written once to the system temp
folder and reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.parquet_writer import write_parquet
from kodevakt.spark import analyse, check, read_episodes, start, write_analysis
from kodevakt.synth.generator import generate


def parquet_file(episodes: int, seed: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"kodevakt-bench-spark-{episodes}-{seed}.parquet"
    if not path.exists():
        started = time.perf_counter()

        def records() -> Iterator[Episode]:
            for i, record in enumerate(generate(episodes, seed), start=1):
                episode = episode_from_dict(record, Source("synth", i))
                if isinstance(episode, Episode):
                    yield episode

        with open(path, "wb") as stream:
            write_parquet(records(), stream)
        print(f"generated {episodes:,} episodes in {time.perf_counter() - started:.0f} s")
    return path


def _count_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    rows = 0
    for batch in batches:
        rows += batch.num_rows
    yield pa.RecordBatch.from_pydict({"rows": [rows]})


def run(master: str, path: Path, episodes: int) -> None:
    load = os.getloadavg()[0]
    clock = time.perf_counter()
    spark = start(master)
    spark.range(1).count()
    startup = time.perf_counter() - clock

    frame = read_episodes(spark, [path])
    clock = time.perf_counter()
    read = sum(row.rows for row in frame.mapInArrow(_count_batches, "rows long").collect())
    reading = time.perf_counter() - clock
    assert read == episodes, read

    clock = time.perf_counter()
    checked = check(frame)
    summary = checked.summary()
    checking = time.perf_counter() - clock
    checked.release()

    clock = time.perf_counter()
    analysis = analyse(frame, "auto")
    patterns = analysis.patterns.count()
    analysing = time.perf_counter() - clock

    out = Path(tempfile.mkdtemp(prefix="kodevakt-bench-spark-"))
    clock = time.perf_counter()
    write_analysis(analysis, str(out))
    writing = time.perf_counter() - clock
    shutil.rmtree(out)
    analysis.release()
    spark.stop()

    findings = sum(summary.by_rule.values())
    print(
        f"{master}: start-up {startup:.1f} s, read {reading:.1f} s, "
        f"check {checking:.1f} s (checking alone {checking - reading:.1f} s), "
        f"patterns {analysing:.1f} s, write {writing:.1f} s; load average at start {load:.1f}"
    )
    print(
        f"{master}: check {episodes / checking:,.0f} episodes/s ({findings:,} findings); "
        f"import run (patterns + write) {episodes / (analysing + writing):,.0f} episodes/s "
        f"({patterns:,} pattern findings)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    path = parquet_file(args.episodes, args.seed)
    for master in args.masters:
        run(master, path, args.episodes)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
