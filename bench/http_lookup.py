"""Throughput and latency of GET /api/v1/addresses?postcode=... under 50 concurrent clients, against a minimal
Starlette JSON endpoint served the same way in the same run. Target: at least 50% of the reference's throughput.

    .venv/bin/python bench/http_lookup.py [--size 20000] [--seconds 10] [--connections 50] [--database-url URL]

Builds a synthetic council into a fresh SQLite file (or the PostgreSQL URL given, which must be an empty migrated
database), then serves Townhall and the reference with one uvicorn worker each and loads them with wrk, cycling
through every postcode of the council.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import ExitStack
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.harness import LoadResult, load, served
from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.places.models import Property
from townhall.synthetic.council import CouncilSpec, build_council


def prepare(database_url: str, size: int) -> list[str]:
    settings = Settings(database_url=database_url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=size, seed=1, as_of=date(2026, 11, 1)))
    with engine.connect() as connection:
        postcodes = sorted(set(connection.scalars(select(Property.postcode))))
    engine.dispose()
    return [f"/api/v1/addresses?postcode={p.replace(' ', '+')}" for p in postcodes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=6, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each server, interleaved")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as servers:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        paths = prepare(url, args.size)
        print(f"council: {args.size:,} properties, {len(paths):,} postcodes; database {url.split(':')[0]}")
        targets = {"reference (Starlette, no database)": (servers.enter_context(served("bench.reference_app:app")),
                                                          ["/api/v1/addresses"])}  # fmt: skip
        for label, cache_seconds in (("townhall, per-worker cache", "60"), ("townhall, every request to the db", "0")):
            env = {"TOWNHALL_DATABASE_URL": url, "TOWNHALL_ENVIRONMENT": "test",
                   "TOWNHALL_ADDRESS_CACHE_SECONDS": cache_seconds}  # fmt: skip
            targets[label] = (
                servers.enter_context(served("townhall.web.app:create_app", env=env, factory=True)),
                paths,
            )
        for base, target_paths in targets.values():
            load(base, target_paths, connections=args.connections, seconds=2)  # warm up (and fill the cache)
        # Interleaved rounds, median of each: the machine's noise hits every server alike.
        runs: dict[str, list[LoadResult]] = {label: [] for label in targets}
        for _ in range(args.rounds):
            for label, (base, target_paths) in targets.items():
                runs[label].append(load(base, target_paths, connections=args.connections, seconds=args.seconds))
    medians = {label: sorted(results, key=lambda r: r.rps)[len(results) // 2] for label, results in runs.items()}
    reference = medians.pop("reference (Starlette, no database)")
    print(reference.line("reference (Starlette, no database)"))
    for label, result in medians.items():
        print(result.line(label))
        print(f"  ratio to reference throughput: {result.rps / reference.rps:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
