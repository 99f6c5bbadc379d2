"""Benchmark: bin schedules from the database, and the bins endpoints over HTTP.

1. Batch: load rounds and every property's rounds and subscriptions from a synthetic council's database and
   compute every property's collections over 8 weeks (the batch behind reminder e-mails). Reference: the same
   schedules computed one property at a time from the database (a sample), in the same run.
2. HTTP: `GET /api/v1/properties/{uprn}/collections` and `GET /bins/{uprn}.ics` served by uvicorn (one worker)
   under 50 concurrent keep-alive clients on loopback, random UPRNs, against a minimal Starlette JSON endpoint
   served the same way in the same run (reference). The iCal feed is measured twice: plain downloads, and
   calendar-app refreshes that send the ETag back (If-None-Match) and get 304.

The lead's shared harness (bench/harness.py) was not in this worktree yet, so a minimal one is below: a
server subprocess and an asyncio HTTP/1.1 load generator with rps, p50 and p99.

    .venv/bin/python bench/bins.py [--size 100000] [--database var/bench-bins.db] [--seconds 10] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
BATCH_START = date(2026, 11, 30)  # eight weeks over Christmas and New Year: the busiest weeks for moves
WEEKS = 8


async def _reference_endpoint(request: Request) -> JSONResponse:
    return JSONResponse({"uprn": int(request.path_params["uprn"]), "collections": []})


reference_app = Starlette(routes=[Route("/ref/{uprn}", _reference_endpoint)])


# Database -------------------------------------------------------------------------------------------------
def ensure_council(database: Path, size: int) -> str:
    url = f"sqlite:///{database}"
    if database.exists():
        return url
    from townhall.config import Settings
    from townhall.db import make_engine
    from townhall.migrate import upgrade
    from townhall.synthetic.council import CouncilSpec, build_council

    print(f"building a {size:,}-property council into {database} (once)...", flush=True)
    settings = Settings(database_url=url)
    upgrade(settings)
    engine = make_engine(settings)
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=size, seed=1, as_of=date(2026, 11, 1)))
    engine.dispose()
    return url


def bench_batch(url: str, sample: int) -> list[int]:
    from townhall.bins import service
    from townhall.config import Settings
    from townhall.db import make_engine, make_session_factory

    engine = make_engine(Settings(database_url=url))
    end = BATCH_START + timedelta(weeks=WEEKS, days=-1)
    with make_session_factory(engine)() as session:
        began = time.perf_counter()
        network = service.load_network(session)
        served = service.assignments(session)
        loaded = time.perf_counter() - began
        schedules = service.schedules_for_many(network, served, BATCH_START, end)
        batch = time.perf_counter() - began
        uprns = sorted(schedules)
        chosen = random.Random(1).sample(uprns, min(sample, len(uprns)))
        began = time.perf_counter()
        for uprn in chosen:
            one = service.collections_for_property(session, uprn=uprn, start=BATCH_START, days=WEEKS * 7)
            if one.collections != schedules[uprn]:
                raise SystemExit(f"schedules differ for {uprn}")
        naive = (time.perf_counter() - began) / len(chosen)
    engine.dispose()
    collections = sum(len(s) for s in schedules.values())
    rate = len(schedules) / batch
    print(
        f"batch: {len(schedules):,} properties, {len(network.rounds):,} rounds, {WEEKS} weeks, "
        f"{collections:,} collections"
    )
    print(f"  from the database in {batch:.2f} s (loading {loaded:.2f} s): {rate:,.0f} schedules/s")
    print(
        f"  reference, one property at a time from the database ({len(chosen):,} sampled): {1 / naive:,.0f} schedules/s"
    )
    print(f"  ratio (batch / one at a time): {rate * naive:,.1f}x; target: all {len(schedules):,} in under 10 s")
    return uprns


# HTTP -----------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(app: str, port: int, env: dict[str, str], factory: bool) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
               "--log-level", "warning", "--no-access-log", "--app-dir", str(ROOT)]  # fmt: skip
    if factory:
        command.append("--factory")
    server = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"{app} did not start")


async def _client(port: int, requests: list[bytes], until: float, latencies: list[float], seed: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random(seed)
    try:
        while time.perf_counter() < until:
            request = requests[rng.randrange(len(requests))]
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            if status not in (200, 304):
                raise SystemExit(f"{request!r} answered {status}")
            latencies.append(time.perf_counter() - began)
    finally:
        writer.close()


def load(
    port: int, paths: list[str], clients: int, seconds: float, etags: dict[str, str] | None = None
) -> dict[str, float]:
    """Requests per second, p50 and p99 of GETs of random `paths` (sending each path's ETag when given)."""
    conditional = {path: f"If-None-Match: {tag}\r\n" for path, tag in (etags or {}).items()}
    requests = [f"GET {path} HTTP/1.1\r\nHost: bench\r\n{conditional.get(path, '')}\r\n".encode() for path in paths]

    async def run() -> list[float]:
        latencies: list[float] = []
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, requests, until, latencies, seed) for seed in range(clients)))
        return latencies

    asyncio.run(run())  # warm-up (caches, connection pools)
    latencies = asyncio.run(run())
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99)] * 1000,
    }


def report(name: str, figures: dict[str, float], reference: dict[str, float] | None = None) -> None:
    ratio = f"  {figures['rps'] / reference['rps']:.0%} of the reference" if reference else ""
    print(f"  {name:<42} {figures['rps']:8,.0f} rps  p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms{ratio}")


def etags_for(port: int, paths: list[str]) -> dict[str, str]:
    import urllib.request

    found = {}
    for path in paths:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
            found[path] = response.headers["ETag"]
    return found


def bench_http(url: str, uprns: list[int], clients: int, seconds: float) -> None:
    chosen = random.Random(2).sample(uprns, min(5_000, len(uprns)))
    print(f"http: uvicorn, 1 worker each, {clients} concurrent keep-alive clients, {seconds:.0f} s per figure, "
          f"{len(chosen):,} random UPRNs")  # fmt: skip
    port = free_port()
    server = start_server("bench.bins:reference_app", port, {}, factory=False)
    try:
        reference = load(port, [f"/ref/{u}" for u in chosen], clients, seconds)
    finally:
        server.terminate()
        server.wait()
    report("reference: minimal Starlette JSON", reference)
    port = free_port()
    env = {"TOWNHALL_DATABASE_URL": url, "TOWNHALL_ENVIRONMENT": "development"}
    server = start_server("townhall.web.app:create_app", port, env, factory=True)
    try:
        report(
            "collections (28 days)",
            load(port, [f"/api/v1/properties/{u}/collections" for u in chosen], clients, seconds),
            reference,
        )
        report("iCal feed, full download", load(port, [f"/bins/{u}.ics" for u in chosen], clients, seconds), reference)
        paths = [f"/bins/{u}.ics" for u in chosen[:500]]
        refreshes = load(port, paths, clients, seconds, etags_for(port, paths))
        report("iCal feed, calendar refresh with ETag (304)", refreshes, reference)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "bench-bins.db")
    parser.add_argument("--sample", type=int, default=2_000, help="properties for the one-at-a-time reference")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    url = ensure_council(args.database, args.size)
    uprns = bench_batch(url, args.sample)
    if not args.skip_http:
        bench_http(url, uprns, args.clients, args.seconds)


if __name__ == "__main__":
    main()
