"""Open311 throughput and p99 latency under 50 concurrent clients: POST requests.json (creates) and GET
requests.json (reads), against the minimal Starlette reference (bench/reference_app.py) in the same run.
Targets: creates at least 25% and reads at least 40% of the reference; no accepted request lost.

    .venv/bin/python bench/open311.py [--size 5000] [--seconds 8] [--database-url postgresql://...]

Without --database-url a PostgreSQL schema of its own is made on the local server (TOWNHALL_TEST_POSTGRES_URL).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import func, select

from bench.harness import LoadResult, load, served, server_cpu_seconds
from townhall.config import Settings
from townhall.db import make_engine, make_session_factory
from townhall.identity.apikeys import create_api_key
from townhall.migrate import upgrade
from townhall.places.models import Property
from townhall.service_requests.models import Service, ServiceRequest
from townhall.synthetic.council import CouncilSpec, build_council

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def prepare(url: str, size: int) -> tuple[list[str], list[str]]:
    settings = Settings(database_url=url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=size, seed=1, as_of=date(2026, 11, 1)))
    with make_session_factory(engine)() as session:
        key = create_api_key(session, name="bench", scopes=["open311:write"]).raw
        session.commit()
        points = session.execute(select(Property.latitude, Property.longitude).limit(2000)).all()
        codes = list(session.scalars(select(Service.code)))
    engine.dispose()
    bodies = [urlencode({"api_key": key, "service_code": "graffiti", "lat": p[0], "long": p[1],
                         "attribute[offensive]": "no", "description": "Tags on the wall"}) for p in points]  # fmt: skip
    reads = [f"/open311/v2/requests.json?service_code={code}" for code in codes]
    return bodies, reads


def count_requests(url: str) -> int:
    engine = make_engine(Settings(database_url=url, environment="test"))
    with engine.connect() as connection:
        counted = connection.scalar(
            select(func.count()).select_from(ServiceRequest).where(ServiceRequest.source == "open311")
        )
    engine.dispose()
    return int(counted or 0)


def cpu_per_request(base: str, run: Callable[[], LoadResult]) -> tuple[LoadResult, float]:
    """`run`'s figures and the server's CPU time (all its threads, from /proc) per request it answered, in µs."""
    before = server_cpu_seconds(base)
    result = run()
    return result, (server_cpu_seconds(base) - before) / max(1, result.requests) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--warm-up", type=int, default=2, help="seconds of unmeasured load on each server first")
    args = parser.parse_args()
    schema = None
    url = args.database_url
    if not url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    try:
        bodies, reads = prepare(url, args.size)
        env = {"TOWNHALL_DATABASE_URL": url, "TOWNHALL_ENVIRONMENT": "test"}
        with (
            served("bench.reference_app:app") as reference,
            served("townhall.web.app:create_app", env=env, factory=True) as townhall,
        ):

            def post(base: str) -> Callable[[], LoadResult]:
                target = "/open311/v2/requests.json"
                return lambda: load(base, bodies, connections=args.connections, seconds=args.seconds, post_to=target)

            def get(base: str, paths: list[str]) -> Callable[[], LoadResult]:
                return lambda: load(base, paths, connections=args.connections, seconds=args.seconds)

            # Both servers get the same unmeasured warm-up first (connections opened, statements prepared,
            # caches filled), so the figures are of a running service, not of its first seconds.
            for base in (reference, townhall):
                if args.warm_up:
                    load(base, bodies, connections=args.connections, seconds=args.warm_up,
                         post_to="/open311/v2/requests.json")  # fmt: skip
            ref_post, ref_post_cpu = cpu_per_request(reference, post(reference))
            stored_before = count_requests(url)  # the warm-up's last creates have long committed by now
            th_post, th_post_cpu = cpu_per_request(townhall, post(townhall))
            ref_get, ref_get_cpu = cpu_per_request(reference, get(reference, ["/open311/v2/requests.json"]))
            th_get, th_get_cpu = cpu_per_request(townhall, get(townhall, reads))
        stored = count_requests(url) - stored_before
        accepted = th_post.requests - th_post.non_2xx
        print(ref_post.line("reference POST (Starlette, no db)"))
        print(th_post.line("townhall POST requests.json"))
        print(f"  creates: {th_post.rps / ref_post.rps:.1%} of the reference (target 25%)")
        print(f"  server CPU per request: Townhall {th_post_cpu:.0f} µs, reference {ref_post_cpu:.0f} µs")
        print(f"  rows stored {stored:,}; wrk 2xx {accepted:,}; lost {max(0, accepted - stored):,}")
        print(ref_get.line("reference GET (Starlette, no db)"))
        print(th_get.line("townhall GET requests.json"))
        print(f"  reads: {th_get.rps / ref_get.rps:.1%} of the reference (target 40%)")
        print(f"  server CPU per request: Townhall {th_get_cpu:.0f} µs, reference {ref_get_cpu:.0f} µs")
    finally:
        if schema:
            with psycopg.connect(POSTGRES, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
