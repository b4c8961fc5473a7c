"""Benchmark: reading the same episodes from JSON Lines and from Parquet; the NPR message's memory.

Target (issue "Interop"): reading a Parquet file of a million episodes is faster than reading
the JSON Lines of the same episodes. Both are read through `read_file`, the path every
command takes, to Episode objects. Then an NPR message of about 50 MB is written and read
back, and the reader's peak memory (tracemalloc) is printed: it must stay bounded, far below
the file's size.

Run: `.venv/bin/python bench/formats.py [--episodes 1000000] [--seed 1] [--xml-mb 50]`. The
files are written once to the system temp folder and reused.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from kodevakt.episodes.interchange import read_interchange
from kodevakt.episodes.model import Episode
from kodevakt.episodes.npr_xml import read_npr_xml
from kodevakt.episodes.npr_xml_writer import write_npr_xml
from kodevakt.episodes.parquet_writer import write_parquet
from kodevakt.episodes.reading import read_file
from kodevakt.synth.generator import generate


def synth_file(episodes: int, seed: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"kodevakt-bench-{episodes}-{seed}.jsonl"
    if not path.exists():
        start = time.perf_counter()
        with open(path, "w", encoding="utf-8") as out:
            for episode in generate(episodes, seed):
                out.write(json.dumps(episode, ensure_ascii=False))
                out.write("\n")
        print(f"generated {episodes:,} episodes in {time.perf_counter() - start:.1f} s -> {path}")
    return path


def parquet_file(jsonl: Path) -> Path:
    path = jsonl.with_suffix(".parquet")
    if not path.exists():
        with open(path, "wb") as stream:
            write_parquet((e for e in read_interchange(jsonl) if isinstance(e, Episode)), stream)
    return path


def time_read(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in read_file(path))
    return time.perf_counter() - start, count


def xml_memory(jsonl: Path, megabytes: int) -> None:
    path = jsonl.with_name(f"kodevakt-bench-{megabytes}mb.xml")
    if not path.exists():
        target = megabytes * 1_000_000
        with open(path, "wb") as stream:
            # about 700 bytes an episode; the writer stops when the source runs out
            wanted = target // 700
            source = (e for e in read_interchange(jsonl) if isinstance(e, Episode))
            write_npr_xml((e for i, e in zip(range(wanted), source, strict=False)), stream)
    size = path.stat().st_size / 1e6
    start = time.perf_counter()
    count = sum(1 for _ in read_npr_xml(path))
    seconds = time.perf_counter() - start
    tracemalloc.start()  # a second read: tracing slows every allocation down
    sum(1 for _ in read_npr_xml(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"NPR message: {size:.1f} MB, {count:,} episodes read in {seconds:.1f} s, "
        f"peak Python memory while reading {peak / 1e6:.1f} MB (tracemalloc)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--xml-mb", type=int, default=50)
    args = parser.parse_args()
    jsonl = synth_file(args.episodes, args.seed)
    parquet = parquet_file(jsonl)
    json_seconds, json_count = time_read(jsonl)
    parquet_seconds, parquet_count = time_read(parquet)
    assert json_count == parquet_count
    print(
        f"read {json_count:,} episodes: JSON Lines {json_seconds:.1f} s "
        f"({jsonl.stat().st_size / 1e6:.0f} MB), Parquet {parquet_seconds:.1f} s "
        f"({parquet.stat().st_size / 1e6:.0f} MB): Parquet {json_seconds / parquet_seconds:.2f}× "
        f"{'faster' if parquet_seconds < json_seconds else 'SLOWER (target missed)'}"
    )
    xml_memory(jsonl, args.xml_mb)


if __name__ == "__main__":
    main()
