"""Benchmark: bin schedules from the database, and the bins endpoints over HTTP.

1. Batch: load rounds and every property's rounds and subscriptions from a synthetic council's database and
   compute every property's collections over 8 weeks (the batch behind reminder e-mails). Reference: the same
   schedules computed one property at a time from the database (a sample), in the same run.
2. HTTP: `GET /api/v1/properties/{uprn}/collections` and `GET /bins/{uprn}.ics` served by uvicorn (one worker)
   under 50 concurrent keep-alive clients on loopback, random UPRNs, against a minimal Starlette JSON endpoint
   served the same way in the same run (reference). The iCal feed is measured twice: plain downloads, and
   calendar-app refreshes that send the ETag back (If-None-Match) and get 304.

Served and loaded with the shared harness (bench/harness.py: uvicorn, wrk), with and without the per-worker
cache of answers.

    .venv/bin/python bench/bins.py [--size 100000] [--database var/bench-bins.db] [--seconds 8] [--connections 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BATCH_START = date(2026, 11, 30)  # eight weeks over Christmas and New Year: the busiest weeks for moves
WEEKS = 8


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


def etags_for(base: str, paths: list[str]) -> dict[str, str]:
    import urllib.request

    found = {}
    for path in paths:
        with urllib.request.urlopen(base + path) as response:
            found[path] = response.headers["ETag"]
    return found


def bench_http(url: str, uprns: list[int], connections: int, seconds: int, rounds: int = 3) -> None:
    """The endpoints and the reference, served and loaded the same way (bench/harness.py: uvicorn, wrk), in
    interleaved rounds so the machine's noise hits them alike; medians reported."""
    from contextlib import ExitStack

    from bench.harness import LoadResult, load, served

    chosen = random.Random(2).sample(uprns, min(5_000, len(uprns)))
    print(f"http: uvicorn, 1 worker each, wrk with {connections} connections, {rounds} interleaved rounds of "
          f"{seconds} s, medians; {len(chosen):,} random UPRNs")  # fmt: skip
    with ExitStack() as servers:
        reference_base = servers.enter_context(served("bench.reference_app:app"))
        targets: dict[str, tuple[str, list[str], dict[str, str] | None]] = {
            "reference: minimal Starlette JSON": (reference_base, ["/api/v1/addresses"], None)
        }
        for label, cache_seconds in (("cache", "60"), ("no cache", "0")):
            env = {"TOWNHALL_DATABASE_URL": url, "TOWNHALL_ENVIRONMENT": "test"}
            env["TOWNHALL_BIN_CACHE_SECONDS"] = cache_seconds
            base = servers.enter_context(served("townhall.web.app:create_app", env=env, factory=True))
            refresh = [f"/bins/{u}.ics" for u in chosen[:500]]
            targets[f"collections (28 days), {label}"] = (
                base,
                [f"/api/v1/properties/{u}/collections" for u in chosen],
                None,
            )
            targets[f"iCal feed, full download, {label}"] = (base, [f"/bins/{u}.ics" for u in chosen], None)
            targets[f"iCal refresh with ETag (304), {label}"] = (base, refresh, etags_for(base, refresh))
        for base, paths, tags in targets.values():
            load(base, paths, connections=connections, seconds=3, etags=tags)  # warm up (and fill caches)
        runs: dict[str, list[LoadResult]] = {label: [] for label in targets}
        for _ in range(rounds):
            for label, (base, paths, tags) in targets.items():
                runs[label].append(load(base, paths, connections=connections, seconds=seconds, etags=tags))
    medians = {label: sorted(found, key=lambda r: r.rps)[len(found) // 2] for label, found in runs.items()}
    reference = medians.pop("reference: minimal Starlette JSON")
    print(reference.line("reference: minimal Starlette JSON"))
    for label, result in medians.items():
        print(result.line(label), f"  ratio {result.rps / reference.rps:.2f} (target >= 0.40)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "bench-bins.db")
    parser.add_argument("--sample", type=int, default=2_000, help="properties for the one-at-a-time reference")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    url = ensure_council(args.database, args.size)
    uprns = bench_batch(url, args.sample)
    if not args.skip_http:
        bench_http(url, uprns, args.connections, args.seconds)


if __name__ == "__main__":
    main()
