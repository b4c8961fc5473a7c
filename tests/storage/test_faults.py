"""Faults a user meets: a killed import or pattern run, two imports at once, a broken or
missing database, a read-only folder, a file that makes kodevakt itself fail.

Each test checks that nothing is lost (episodes and findings as after a clean run, statuses
kept, no run left `running`) and that the user is told in Norwegian, without a traceback.
The process tests run real `kodevakt` processes on a SQLite file; the rest run on both
databases where the behaviour is theirs.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.pipeline import Pipeline
from kodevakt.rules.engine import Checker
from kodevakt.storage import FindingStatus, ImportBusy, StorageError, Store
from kodevakt.storage import store as store_module
from kodevakt.storage.database import read_only_query
from kodevakt.storage.locking import ImportLock
from tests.storage.helpers import episode, extract, write_jsonl

KODEVAKT = str(Path(sys.executable).with_name("kodevakt"))
EPISODES = 8000  # enough for an import and a pattern run of about a second each
runner = CliRunner()


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([KODEVAKT, *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "2025.jsonl"
    _run("synth", "--episodes", str(EPISODES), "--seed", "3", "--year", "2025", "--out", str(path))
    return path


def _state(db: Path) -> dict[str, Any]:
    """What a clean import leaves: episodes, findings by scope and status, runs by status."""
    with sqlite3.connect(db) as conn:
        return {
            "episodes": conn.execute("SELECT count(*) FROM episode").fetchone()[0],
            "findings": {
                (scope, status): n
                for scope, status, n in conn.execute(
                    "SELECT scope, status, count(*) FROM finding GROUP BY 1, 2"
                )
            },
            "running": conn.execute(
                "SELECT count(*) FROM import_run WHERE status = 'running'"
            ).fetchone()[0],
        }


@pytest.fixture(scope="module")
def clean(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("clean") / "k.db"
    _run("import", str(synthetic), "--period", "2025", "--db", str(db))
    state = _state(db)
    assert state["episodes"] == EPISODES and state["running"] == 0
    return state


def _kill_when(
    process: subprocess.Popen[str], db: Path, query: str, count: int, delay: float = 0.0
) -> None:
    """Kill -9 `process` `delay` seconds after `query` counts `count` rows in the database."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as conn:
                if conn.execute(query).fetchone()[0] >= count:
                    break
        except sqlite3.OperationalError:
            pass  # not created yet, or locked for a moment
        time.sleep(0.02)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate()  # waits, and closes the pipes
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be killed"


def _start_import(path: Path, db: Path) -> subprocess.Popen[str]:
    args = [KODEVAKT, "import", str(path), "--period", "2025", "--db", str(db)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_import_loses_nothing(
    synthetic: Path, clean: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "k.db"
    process = _start_import(synthetic, db)
    running = "SELECT count(*) FROM import_run WHERE kind = 'file' AND status = 'running'"
    _kill_when(process, db, running, 1, delay=0.3)  # well into the file's transaction
    assert _state(db)["episodes"] == 0  # the file's transaction never committed

    with Store(str(db)) as store:  # opening for writing marks the killed run
        [run] = store.imports()
        assert run.status == "failed" and "avbrutt" in (run.message or "")
    again = _run("import", str(synthetic), "--period", "2025", "--db", str(db))
    assert f"lest {EPISODES} poster" in again.stderr
    assert _state(db) == clean


def test_killed_pattern_run_loses_nothing(
    synthetic: Path, clean: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "k.db"
    _run("import", str(synthetic), "--period", "2025", "--db", str(db))
    with Store(str(db)) as store:
        key = next(store.findings(rule="T02")).key
        store.set_status(key, "accepted", comment="Godkjent", by="kari")

    process = _start_import(synthetic, db)  # the file again, then the pattern run
    files_done = "SELECT count(*) FROM import_run WHERE kind = 'file' AND status = 'ok'"
    _kill_when(process, db, files_done, 2)
    with Store(str(db), access="read") as store:
        assert not store.patterns_stored("2025")  # the killed run stored nothing
    _run("import", str(synthetic), "--period", "2025", "--db", str(db))
    state = _state(db)
    assert state["episodes"] == clean["episodes"] and state["running"] == 0
    with Store(str(db), access="read") as store:
        assert store.finding(key).status is FindingStatus.ACCEPTED
        assert store.patterns_stored("2025")
        by_status: dict[tuple[str, str], int] = {}
        for item in store.findings():
            by_status[(item.scope, item.status.value)] = (
                by_status.get((item.scope, item.status.value), 0) + 1
            )
    expected = dict(clean["findings"])
    expected[("episode", "open")] -= 1
    expected[("episode", "accepted")] = 1
    assert by_status == expected


def test_two_imports_at_once_into_a_new_database(
    synthetic: Path, clean: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "k.db"  # both also race to create and migrate it
    processes = [_start_import(synthetic, db) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert "Traceback" not in stderr and "UNIQUE" not in stderr
        assert process.returncode == 0, stderr  # the second waited for the first
    assert sorted(f"{EPISODES} nye" in stderr for _, stderr in outputs) == [False, True]
    assert _state(db) == clean


def test_an_import_running_elsewhere_is_named(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = extract(tmp_path)
    with Store(db_url) as holder:
        lock = ImportLock(holder.engine)
        assert lock.acquire(0)
        try:
            with Store(db_url, lock_wait=0.2) as store, pytest.raises(ImportBusy):
                Pipeline(store).import_files([path], "2025T1")
            monkeypatch.setattr(store_module, "LOCK_WAIT", 0.2)
            result = runner.invoke(app, ["import", str(path), "--period", "2025T1", "--db", db_url])
        finally:
            lock.release()
        assert result.exit_code == 2
        assert "Feil: en annen import kjører mot denne databasen" in result.stderr
        assert list(holder.episodes()) == [] and holder.imports() == []
        assert Pipeline(holder).import_files([path], "2025T1").files[0].episodes_new == 10


def test_one_failing_file_does_not_stop_the_others(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write_jsonl(tmp_path / "a.jsonl", [episode("ok-1", [["I10"]]), episode("boom", [])])
    good = extract(tmp_path)
    check = Checker.check_episode

    def failing(self: Checker, current: object, *args: object, **kwargs: object) -> object:
        if getattr(current, "id", None) == "boom":
            raise RuntimeError("a fault in kodevakt")
        return check(self, current, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Checker, "check_episode", failing)
    args = ["import", str(bad), str(good), "--period", "2025T1", "--db", db_url]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "uventet feil i kodevakt (RuntimeError) etter 2 poster" in result.stderr
    assert "t1.jsonl: lest 10 poster" in result.stderr
    with Store(db_url, access="read") as store:
        runs = {run.file: run for run in store.imports() if run.kind == "file"}
        assert runs[str(bad)].status == "failed" and "uventet feil" in (
            runs[str(bad)].message or ""
        )
        assert runs[str(good)].status == "ok"
        assert {e.id for e in store.episodes()} == {f"ep-{i}" for i in range(1, 11)}
        assert store.patterns_stored("2025T1")


def _database(tmp_path: Path) -> Path:
    db = tmp_path / "k.db"
    with Store(str(db)) as store:
        Pipeline(store).import_files([extract(tmp_path)], "2025T1")
    return db


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_database_is_named(tmp_path: Path, damage: str) -> None:
    db = _database(tmp_path)
    data = db.read_bytes()
    db.write_bytes(os.urandom(8192) if damage == "garbage" else data[: len(data) // 3])
    for args in (["findings"], ["import", str(tmp_path / "t1.jsonl"), "--period", "2025T1"]):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
        assert "Feil:" in result.stderr and "skadet" in result.stderr, result.stderr


def test_a_mistyped_database_is_not_created(tmp_path: Path) -> None:
    db = _database(tmp_path)
    typo = tmp_path / "kodevak.db"
    commands = (
        ["findings"],
        ["finding", "show", "abcdef"],
        ["finding", "reopen", "abcdef"],
        ["report", "--period", "2025T1", "--out", str(tmp_path / "r.html")],
        ["worklist", "--period", "2025T1", "--out", str(tmp_path / "w.csv")],
    )
    for args in commands:
        result = runner.invoke(app, [*args, "--db", str(typo)])
        assert result.exit_code == 2
        assert f"databasefilen «{typo}» finnes ikke" in result.stderr
    assert not typo.exists()
    assert runner.invoke(app, ["findings", "--db", str(db)]).exit_code == 0


def test_read_only_uri_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _database(tmp_path)
    writable = {str(db): True, str(tmp_path): True}
    monkeypatch.setattr(os, "access", lambda path, _mode: writable.get(str(path), True))
    assert read_only_query(db) is None
    writable[str(db)] = False
    assert read_only_query(db) == {"mode": "ro"}
    writable[str(tmp_path)] = False
    assert read_only_query(db) == {"mode": "ro", "immutable": "1"}
    wal = db.with_name("k.db-wal")
    wal.write_bytes(b"unfinished")
    assert read_only_query(db) == {"mode": "ro"}  # immutable would skip what the log holds
    wal.unlink()

    # a real open as a reader who can write neither the file nor its folder would
    before = sorted(os.listdir(tmp_path))
    with Store(str(db), access="read") as store:
        assert store.read_only and store.engine.url.query["immutable"] == "1"
        assert len(list(store.findings())) == 2
    result = runner.invoke(app, ["findings", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count('"rule": "T02"') == 2
    assert sorted(os.listdir(tmp_path)) == before  # no -wal, -shm or lock file made


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    """A folder with a database in it that the test cannot write."""
    if os.geteuid() == 0:
        pytest.skip("root writes to any folder (test_read_only_uri_choice opens one as if not)")
    folder = Path(tempfile.mkdtemp(prefix="kodevakt-ro-"))
    try:
        _database(folder)
        for name in os.listdir(folder):
            (folder / name).chmod(0o444)
        folder.chmod(0o555)
        yield folder
    finally:
        folder.chmod(0o755)
        for name in os.listdir(folder):
            (folder / name).unlink()
        folder.rmdir()


def test_reading_a_database_in_a_read_only_folder(read_only_folder: Path) -> None:
    before = sorted(os.listdir(read_only_folder))
    db = read_only_folder / "k.db"
    result = runner.invoke(app, ["findings", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count('"rule": "T02"') == 2
    assert sorted(os.listdir(read_only_folder)) == before


def test_stale_patterns_in_a_read_only_database_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports read only stored results; a stale period that cannot be made current because
    the database cannot be written stops the report instead of showing stale patterns."""
    db = tmp_path / "k.db"
    with Store(str(db)) as store:
        Pipeline(store).import_files([extract(tmp_path)], "2025T1", patterns=False)
    locked = {str(db), str(tmp_path)}  # neither the file nor its folder can be written
    monkeypatch.setattr(os, "access", lambda path, _mode: str(path) not in locked)
    with Store(str(db), access="read") as store:
        assert store.read_only
        with pytest.raises(StorageError, match="2025T1 er ikke oppdatert"):
            Pipeline(store).ensure_current(["2025T1"])
    for command, out in (("report", "r.html"), ("worklist", "w.csv")):
        args = [command, "--period", "2025T1", "--db", str(db), "--out", str(tmp_path / out)]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "kan ikke skrives her" in result.stderr
        assert not (tmp_path / out).exists()
