"""How fast `townhall synth` builds a council: properties per second at 100,000 properties into SQLite and into
PostgreSQL, with all their households and people. Target: 100,000 properties in under 60 s.

    .venv/bin/python bench/synthetic.py [--size 100000] [--postgres-url postgresql://postgres@127.0.0.1:5432/test]

The reference, measured in the same run against the same database, is the bare write: the same number of rows
copied into the same tables with the driver's fastest bulk path and nothing generated. The ratio says how much of
the build is generating the world rather than storing it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import Engine, text

from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.synthetic.council import CouncilSpec, build_council

TABLES = ("wards", "streets", "properties", "address_terms", "synthetic_households", "synthetic_people",
          "synthetic_residences", "synthetic_life_events")  # fmt: skip


def fresh_engine(backend: str, folder: Path, postgres_url: str) -> tuple[Engine, str | None]:
    if backend == "sqlite":
        settings = Settings(database_url=f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}", environment="test")
        schema = None
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        settings = Settings(database_url=f"{postgres_url}?options=-csearch_path%3D{schema}", environment="test")
    upgrade(settings)
    return make_engine(settings), schema


def copy_rows(source: Engine, target: Engine) -> float:
    """The reference: write the rows the build wrote, already made, through the same bulk path."""
    from townhall.all_models import Base
    from townhall.platform.bulk import bulk_insert

    models = {mapper.local_table.name: mapper.class_ for mapper in Base.registry.mappers}
    with source.connect() as reading:
        tables = {t: reading.execute(text(f"SELECT * FROM {t}")).all() for t in TABLES}
        columns = {t: list(reading.execute(text(f"SELECT * FROM {t} LIMIT 0")).keys()) for t in TABLES}
    started = time.perf_counter()
    with target.begin() as connection:
        for table in TABLES:
            bulk_insert(connection, models[table], columns[table], (tuple(r) for r in tables[table]))
    return time.perf_counter() - started


def measure(backend: str, size: int, folder: Path, postgres_url: str) -> None:
    engine, schema = fresh_engine(backend, folder, postgres_url)
    spec = CouncilSpec(size=size, seed=1, as_of=date(2026, 11, 1))
    started = time.perf_counter()
    with engine.begin() as connection:
        report = build_council(connection, spec)
    build_seconds = time.perf_counter() - started
    reference_engine, reference_schema = fresh_engine(backend, folder, postgres_url)
    reference_seconds = copy_rows(engine, reference_engine)
    rows = sum(report.rows_written.values())
    verdict = "met" if build_seconds < 60 else "MISSED"
    print(
        f"{backend:<10} {size:>9,} properties  {rows:>10,} rows  build {build_seconds:6.1f} s  "
        f"{size / build_seconds:>9,.0f} properties/s  (target < 60 s: {verdict})"
    )
    print(
        f"{'':<10} reference: bare bulk write of the same rows {reference_seconds:6.1f} s; "
        f"build / bare write = {build_seconds / reference_seconds:.1f}x"
    )
    for disposable in (engine, reference_engine):
        disposable.dispose()
    for name in (schema, reference_schema):
        if name:
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{name}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            measure(backend, args.size, Path(folder), args.postgres_url)


if __name__ == "__main__":
    main()
