"""Long fuzz run: `kodevakt check` on ten thousand damaged episode files.

The same cases and promises as tests/fuzz/test_check_fuzz.py (no traceback, exit codes by
their documented meaning, read = checked + rejected, every intact record checked exactly
once, no personal value on stderr), drawn by Hypothesis many more times than `make test`
can afford. Prints what it tried, by file format and kind of damage, and any failure.

Run from the repository root: `.venv/bin/python bench/fuzz.py [--cases 10000] [--seed 1]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.episodes.corrupt import CORRUPTIONS, FORMATS, episode_lists
from tests.fuzz.harness import make_case, run_check


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tried: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    failures: list[str] = []

    @seed(args.seed)
    @settings(
        max_examples=args.cases,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=st.data(),
        episodes=episode_lists(max_size=20),
        fmt=st.sampled_from(FORMATS),
        corruption=st.sampled_from(CORRUPTIONS),
    )
    def one_case(data: st.DataObject, episodes: list[dict[str, Any]], fmt: str, corruption: str):
        case = make_case(data.draw, episodes, fmt, corruption)
        tried[(fmt, corruption)] += 1
        totals["cases"] += 1
        totals["records"] += len(episodes)
        totals["intact"] += len(case.intact)
        with TemporaryDirectory() as folder:
            try:
                outcome = run_check(case, Path(folder))
            except AssertionError as error:  # counted and shown; the run goes on
                failures.append(str(error).splitlines()[0])
                totals["failed"] += 1
                return
        if outcome.refused:
            totals["refused (encoding)"] += 1
        else:
            totals["read"] += outcome.read or 0
            totals["checked"] += outcome.checked or 0
            totals["rejected"] += outcome.rejected or 0
        totals[f"exit {outcome.exit_code}"] += 1

    start = time.perf_counter()
    one_case()
    elapsed = time.perf_counter() - start
    print(f"{totals['cases']:,} damaged files checked in {elapsed:.0f} s (seed {args.seed})")
    print(f"{'format':8} " + " ".join(f"{c:>12}" for c in CORRUPTIONS))
    for fmt in FORMATS:
        print(f"{fmt:8} " + " ".join(f"{tried[(fmt, c)]:>12,}" for c in CORRUPTIONS))
    for name in ("records", "intact", "read", "checked", "rejected", "refused (encoding)"):
        print(f"{name:>20}: {totals[name]:,}")
    for code in (0, 1, 2):
        print(f"{'exit ' + str(code):>20}: {totals[f'exit {code}']:,}")
    print(f"{'crashes or losses':>20}: {totals['failed']:,}")
    for failure in failures[:20]:
        print(f"  {failure}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
