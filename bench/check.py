"""Benchmark: `kodevakt check FILE --format jsonl` end to end, on two mixes of episodes.

Targets (issue 16): on one core, at least 100,000 episodes/s and at most 3× the time the
standard `json.loads` needs to parse the same file, both on `kodevakt synth` episodes (a few
hundred clinical profiles: code combinations repeat) and on widely drawn ones (`kodevakt synth
--mix wide`: every reportable code, Zipf-like; combinations rarely repeat); the findings
identical to the plain definition of checking.

Each mix's file is written once to the system temp folder and reused. The check runs as a
user runs it, in a process of its own with its output to a file, interleaved with the
`json.loads` baseline so that both see the same machine. Timings are CPU time (user + sys of
the process, the median of `--runs`), which a shared machine disturbs less than wall time;
wall time and the load average are printed beside them.

The differential run then checks `--differential` widely drawn episodes (a share of them odd)
through the command, and again by the plain definition (`Checker.check_plainly`, every rule on
every episode, read by the careful reader, written by `json.dumps`), and requires the same
output, line for line.

Run: `.venv/bin/python bench/check.py [--episodes 1000000] [--runs 3] [--differential N]`
(`--runs 0`: the differential run alone; `--differential 0`: the timings alone).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.decoding import decoded
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.json_stream import read_records
from kodevakt.episodes.model import Episode
from kodevakt.rules.engine import Checker
from kodevakt.rules.registry import select
from kodevakt.synth import generate_wide

KODEVAKT = [str(Path(sys.executable).with_name("kodevakt"))]
MIXES = ("profiles", "wide")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} cores"


def data_file(mix: str, episodes: int, seed: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"kodevakt-bench-{mix}-{episodes}-{seed}.jsonl"
    if not path.exists():
        start = time.perf_counter()
        command = ["synth", "-n", str(episodes), "--seed", str(seed), "--mix", mix]
        subprocess.run([*KODEVAKT, *command, "--out", str(path)], check=True)
        print(f"generated {episodes:,} {mix} episodes in {time.perf_counter() - start:.0f} s")
    return path


def time_json(path: Path) -> float:
    """CPU seconds for `json.loads` of every line, in this process."""
    start = time.process_time()
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            json.loads(line)
    return time.process_time() - start


def time_check(path: Path, out: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of `kodevakt check path --format jsonl > out`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(out, "wb") as stream:
        done = subprocess.run(
            [*KODEVAKT, "check", str(path), "--format", "jsonl"],
            stdout=stream,
            stderr=subprocess.DEVNULL,
        )
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"kodevakt check failed ({done.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def bench(mix: str, episodes: int, seed: int, runs: int) -> None:
    path = data_file(mix, episodes, seed)
    out = path.with_suffix(".findings.jsonl")
    parsed, cpus, walls = [], [], []
    print(f"{mix}: {episodes:,} episodes, {path.stat().st_size / 1e6:.0f} MB; {load()}")
    for _ in range(runs):
        parsed.append(time_json(path))
        cpu, wall = time_check(path, out)
        cpus.append(cpu)
        walls.append(wall)
    with open(out, encoding="utf-8") as stream:
        findings = sum(1 for _ in stream)
    base, cpu, wall = (statistics.median(x) for x in (parsed, cpus, walls))
    print(f"  json.loads per line:      {base:6.2f} s CPU  {episodes / base:10,.0f} episodes/s")
    print(
        f"  kodevakt check --jsonl:   {cpu:6.2f} s CPU  {episodes / cpu:10,.0f} episodes/s  "
        f"({wall:.2f} s wall, {episodes / wall:,.0f}/s; {findings:,} findings)"
    )
    print(f"  ratio check / json.loads: {cpu / base:.2f}x CPU (target <= 3x)  {load()}")
    out.unlink()


def plain_lines(path: Path) -> Iterator[str]:
    """The JSON Lines the plain definition makes of `path`: careful reader, every rule on
    every episode, `json.dumps` of each finding's dict."""
    checker = Checker(default_codebase(), select())
    seen: set[str] = set()
    with decoded(str(path), None) as (text, name):
        for record in read_records(text, name, episode_from_dict):
            if not isinstance(record, Episode):
                continue
            duplicate = record.id in seen
            seen.add(record.id)
            for finding in checker.check_plainly(record, duplicate_id=duplicate):
                yield json.dumps(finding.to_dict(), ensure_ascii=False)


def differential(episodes: int, seed: int) -> None:
    path = Path(tempfile.gettempdir()) / f"kodevakt-bench-odd-{episodes}-{seed}.jsonl"
    if not path.exists():
        with open(path, "w", encoding="utf-8") as out:
            per_year = episodes // 11
            for year in range(2016, 2027):
                count = per_year if year < 2026 else episodes - 10 * per_year
                for episode in generate_wide(count, seed + year, year, odd=0.3):
                    out.write(json.dumps(episode, ensure_ascii=False) + "\n")
    out = path.with_suffix(".findings.jsonl")
    start = time.perf_counter()
    cpu, _ = time_check(path, out)
    checked = time.perf_counter()
    lines = 0
    with open(out, encoding="utf-8") as fast:
        for lines, (got, expected) in enumerate(zip(fast, plain_lines(path), strict=True), 1):
            if got.rstrip("\n") != expected:
                raise SystemExit(f"differential: finding {lines} differs:\n{got}\n{expected}")
    print(
        f"differential: {episodes:,} widely drawn episodes (30 % odd, 2016–2026), "
        f"{lines:,} findings identical, fast path and plain definition "
        f"(check {cpu:.0f} s CPU, plain {time.perf_counter() - checked:.0f} s; "
        f"{time.perf_counter() - start:.0f} s in all)"
    )
    out.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="0: only the differential run")
    parser.add_argument("--differential", type=int, default=1_000_000, help="0: skip it")
    parser.add_argument("--mix", choices=MIXES, action="append", help="default: both")
    args = parser.parse_args()
    for mix in args.mix or MIXES if args.runs else ():
        bench(mix, args.episodes, args.seed, args.runs)
    if args.differential:
        differential(args.differential, args.seed)


if __name__ == "__main__":
    main()
