"""Benchmark: rule checking speed on `kodevakt synth` data, and its ratio to plain JSON parsing.

Targets (issue "Rule checking"): at least 100,000 episodes/s for the full rule set on one core,
and checking at most 3× the time the standard `json` module needs just to parse the file.

Run: `.venv/bin/python bench/check.py [--episodes 1000000] [--seed 1]`. The synthetic file is
written once to the system temp folder and reused.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.interchange import read_interchange
from kodevakt.episodes.model import Episode
from kodevakt.rules.engine import Checker
from kodevakt.rules.registry import select
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


def time_json(path: Path) -> float:
    start = time.perf_counter()
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            json.loads(line)
    return time.perf_counter() - start


def time_read(path: Path) -> float:
    start = time.perf_counter()
    for _ in read_interchange(path):
        pass
    return time.perf_counter() - start


def time_check(path: Path) -> tuple[float, int]:
    checker = Checker(default_codebase(), select())
    start = time.perf_counter()
    episodes = (e for e in read_interchange(path) if isinstance(e, Episode))
    findings = sum(1 for _ in checker.check(episodes))
    return time.perf_counter() - start, findings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    path = synth_file(args.episodes, args.seed)
    n = args.episodes
    parse = time_json(path)
    read = time_read(path)
    check, findings = time_check(path)
    print(f"episodes:                    {n:,}")
    print(f"json.loads per line:         {parse:6.2f} s  {n / parse:10,.0f} episodes/s")
    print(f"read into Episode objects:   {read:6.2f} s  {n / read:10,.0f} episodes/s")
    print(
        f"read + check (all rules):    {check:6.2f} s  {n / check:10,.0f} episodes/s "
        f"({findings:,} findings)"
    )
    print(
        f"checking only (check - read): {check - read:5.2f} s  "
        f"{n / (check - read):10,.0f} episodes/s"
    )
    print(f"ratio checking only / json.loads: {(check - read) / parse:.2f}x (target <= 3x)")
    print(f"ratio read+check / json.loads:    {check / parse:.2f}x")


if __name__ == "__main__":
    main()
