"""Benchmark: load time of the embedded code data and code lookups per second.

Targets (issue "Foundation"): embedded default loads in under 0.3 s warm; over 1 million
lookups per second for canonical codes. Run: `.venv/bin/python bench/codes.py`.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.loading import default_codebase


def load_times(runs: int = 5) -> list[float]:
    """Warm load in a fresh interpreter each time (files in the OS cache, nothing in memory)."""
    script = (
        "import time; t=time.perf_counter(); "
        "from kodevakt.codes.loading import default_codebase; b=default_codebase(); "
        "b.get('J12.8'); print(time.perf_counter()-t)"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", script], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(runs)
    ]


def lookups_per_second(base: CodeBase, codes: list[str], method: str) -> float:
    lookup = getattr(base, method)
    start = time.perf_counter()
    for code in codes:
        lookup(code)
    return len(codes) / (time.perf_counter() - start)


def main() -> None:
    times = load_times()
    print(
        "load embedded default (fresh process, warm cache): "
        f"median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s over {len(times)} runs"
    )
    base = default_codebase()
    known = [c.code for c in base.code_list(base.releases[0].family) or []]
    rng = random.Random(1)
    sample = [rng.choice(known) for _ in range(1_000_000)]
    base.get("J12.8")
    print(f"get(canonical):     {lookups_per_second(base, sample, 'get') / 1e6:.2f} M lookups/s")
    print(f"lookup(canonical):  {lookups_per_second(base, sample, 'lookup') / 1e6:.2f} M lookups/s")
    written = [c.replace(".", "") for c in sample[:200_000]]
    print(
        f"lookup(no dot):     {lookups_per_second(base, written, 'lookup') / 1e6:.2f} M lookups/s"
    )
    print(
        f"resolve(canonical): {lookups_per_second(base, sample[:200_000], 'resolve') / 1e6:.2f} M/s"
    )


if __name__ == "__main__":
    main()
