"""A Spark task killed in the middle is run again, and nothing is counted twice.

A watcher kills one busy Python worker of the local Spark (SIGKILL, as a lost executor
process would die) while `check` runs; Spark runs the task again (the test master allows a
second attempt), and the findings and counts are still exactly those of the local run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

from pyspark.sql import SparkSession

from kodevakt.codes.loading import default_codebase
from kodevakt.episodes.parquet_reader import read_parquet
from kodevakt.episodes.records import Rejected
from kodevakt.rules.engine import Checker
from kodevakt.spark import check, read_episodes
from tests.spark.data import write
from tests.spark.test_differential import as_json, collected

GROUP = "kill-a-task"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _cpu(pid: int) -> float:
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers() -> list[int]:
    """This test's Spark Python workers: the children of the pyspark daemon under our JVM."""
    found = []
    for jvm in _children(os.getpid()):
        for daemon in _children(jvm):
            command = (Path("/proc") / str(daemon) / "cmdline").read_bytes()
            if b"pyspark.daemon" in command:
                found.extend(_children(daemon))
    return found


class Killer(threading.Thread):
    """Kills the first worker that works (0.3 s of CPU) after it starts, once."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.killed: int | None = None
        self.done = threading.Event()

    def run(self) -> None:
        start: dict[int, float] = {}
        deadline = time.monotonic() + 300
        while not self.done.is_set() and time.monotonic() < deadline:
            for pid in _workers():
                try:
                    used = _cpu(pid)
                except OSError:
                    continue
                if used - start.setdefault(pid, used) > 0.3:
                    os.kill(pid, signal.SIGKILL)
                    self.killed = pid
                    return
            time.sleep(0.05)


def test_a_killed_task_is_retried_and_counts_once(spark: SparkSession, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.parquet", 30_000, seed=23)
    records = list(read_parquet(batch))
    episodes = [r for r in records if not isinstance(r, Rejected)]
    local = Counter(as_json(f.to_dict()) for f in Checker(default_codebase()).check(episodes))

    context = spark.sparkContext
    context.setJobGroup(GROUP, "a task killed once")
    killer = Killer()
    killer.start()
    try:
        checked = check(read_episodes(spark, [batch]))
        summary = checked.summary()
    finally:
        killer.done.set()
        killer.join()
        context.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
    assert killer.killed is not None, "no worker was killed"
    tracker = context.statusTracker()
    failed = 0
    for job in tracker.getJobIdsForGroup(GROUP):
        info = tracker.getJobInfo(job)
        for stage in info.stageIds if info else ():
            stage_info = tracker.getStageInfo(stage)
            failed += stage_info.numFailedTasks if stage_info else 0
    assert failed >= 1, "Spark saw no failed task"
    assert (summary.read, summary.checked) == (len(records), len(episodes))
    assert sum(summary.by_rule.values()) == local.total()
    assert collected(checked.findings) == local
    checked.release()
