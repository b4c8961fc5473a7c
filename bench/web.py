"""Benchmark: the web API under load from 50 concurrent clients, on 127.0.0.1 only.

Targets (issue 12, on the 2-core machine): p95 under 50 ms for `GET /api/search` and under
100 ms for `POST /api/check` of one episode. `kodevakt serve` runs in a subprocess against a
temporary database with one API token; 50 asyncio clients (httpx) then each send a request,
wait for the answer and send the next, for a bounded time per endpoint and mode:

- "som sidene": each client pauses as the pages do between requests while a coder types
  (200 ms for search, 300 ms for the check: the pages' `hx-trigger` delays), so 50 coders
  typing at once;
- "uten pause": back to back, the most the server answers per second. With 50 requests
  always waiting, latency is then mostly queueing (50 ÷ throughput), not the work.

Latency is measured by the client from send to full answer. The load generator shares the
machine's two cores with the server, so the figures are a floor for a dedicated server.
Run: `.venv/bin/python bench/web.py [--seconds 10] [--clients 50]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kodevakt.storage import Store
from kodevakt.storage.accounts import Accounts, Role

KODEVAKT = Path(sys.executable).with_name("kodevakt")
QUERIES = [
    "lungebetennelse",
    "kols",
    "lårhalsbrudd",
    "akutt blærekatarr",
    "hjerteinfarkt",
    "diabetes type 2",
    "sukkersyke",
    "J12.8",
    "i214a",
    "kolecystektomi",
    "brystkreft",
    "hjernehinnebetennelse",
]
EPISODE = {
    "id": "bench-1",
    "patient": {"sex": "K", "age": 70},
    "care_level": "inpatient",
    "admission": "2025-03-01",
    "discharge": "2025-03-04",
    "conditions": [["H36.0"], ["E10.3"], ["I10"]],
    "procedures": [{"codes": ["JKA20", "ZXD10"], "date": "2025-03-02"}],
}
TARGETS_MS = {"GET /api/search": 50.0, "POST /api/check": 100.0}
PAUSES = {"GET /api/search": 0.2, "POST /api/check": 0.3}  # seconds, as the pages wait


@dataclass
class Run:
    """What one endpoint's clients saw."""

    name: str
    pause: float
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    server_cpu: float | None = None  # CPU seconds the server used meanwhile (Linux)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self) -> str:
        mode = f"pause {self.pause * 1000:.0f} ms" if self.pause else "uten pause"
        if not self.latencies:
            return f"{self.name:<16} {mode:<13} ingen vellykkede svar ({self.failures} feil)"
        p95 = self.percentile(95)
        if self.pause:  # the target is for coders typing, not for a saturated server
            target = TARGETS_MS[self.name]
            verdict = "OK" if p95 < target and not self.failures else "IKKE NÅDD"
            judged = f"mål p95 < {target:.0f} ms: {verdict}"
        else:
            judged = "metning: kapasiteten"
        return (
            f"{self.name:<16} {mode:<13} {len(self.latencies) / self.seconds:6.0f} svar/s  "
            f"p50 {statistics.median(self.latencies) * 1000:6.1f} ms  p95 {p95:6.1f} ms  "
            f"p99 {self.percentile(99):6.1f} ms  feil {self.failures}  {self._cpu()}({judged})"
        )

    def _cpu(self) -> str:
        """Server CPU per answer: what the figures are once other load is gone."""
        if self.server_cpu is None:
            return ""
        return f"server-CPU {self.server_cpu / len(self.latencies) * 1000:.2f} ms/svar  "


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(folder: Path) -> tuple[str, str]:
    """A database with one user and a coder's API token: (database URL, token)."""
    url = f"sqlite:///{folder / 'kodevakt.db'}"
    with Store(url) as store:
        accounts = Accounts(store.engine)
        accounts.add_user("bench", Role.CODER, "bench-passord-1")
        token = accounts.create_token("bench", Role.CODER)
    return url, token


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of process `pid` (None where /proc does not tell)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(KODEVAKT), "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"serveren stoppet: {stderr}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("serveren svarte ikke innen ett minutt")


Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def load(
    name: str,
    send: Send,
    base: str,
    token: str,
    clients: int,
    seconds: float,
    pause: float,
    server: int,
) -> Run:
    """`clients` loops for `seconds`, each pausing `pause` seconds after every answer; the
    latencies of the 2xx answers."""
    run = Run(name, pause)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        for i in range(clients):  # warm: connections open, code lists and index loaded
            (await send(client, i)).raise_for_status()
        stop = time.perf_counter() + seconds

        async def worker(n: int) -> None:
            i = n
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    response = await send(client, i)
                    ok = response.is_success
                except httpx.HTTPError:
                    ok = False
                if ok:
                    run.latencies.append(time.perf_counter() - start)
                else:
                    run.failures += 1
                i += clients
                if pause:
                    await asyncio.sleep(pause)

        began, cpu = time.perf_counter(), cpu_seconds(server)
        await asyncio.gather(*(worker(n) for n in range(clients)))
        run.seconds = time.perf_counter() - began
        after = cpu_seconds(server)
        run.server_cpu = after - cpu if after is not None and cpu is not None else None
    return run


async def search(client: httpx.AsyncClient, i: int) -> httpx.Response:
    query = QUERIES[i % len(QUERIES)]
    return await client.get("/api/search", params={"q": query, "limit": 10})


async def check(client: httpx.AsyncClient, i: int) -> httpx.Response:
    body = json.dumps({**EPISODE, "id": f"bench-{i}"})
    headers = {"Content-Type": "application/json"}
    return await client.post("/api/check", content=body, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, token = prepare(Path(tmp))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port)
        try:
            wait_until_up(base, server)
            print(
                f"kodevakt serve på {base}, {args.clients} samtidige klienter, "
                f"{args.seconds:.0f} s per endepunkt og modus, {os.cpu_count()} kjerner, "
                f"maskinens last før start {os.getloadavg()[0]:.1f}"
            )
            for name, send in (("GET /api/search", search), ("POST /api/check", check)):
                for pause in (PAUSES[name], 0.0):
                    run = asyncio.run(
                        load(name, send, base, token, args.clients, args.seconds, pause, server.pid)
                    )
                    print(run.line(), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
