"""How long `townhall bins import properties` takes for a borough: 100,000 properties x 3 rounds.

Builds a fresh synthetic council (SQLite file under var/, or a PostgreSQL schema of its own with --postgres),
writes the refuse, recycling and food rounds of every property to a CSV file (300,000 rows), and times the
command as an operator runs it (a new process: start-up, reading, checking, replacing, the summary, commit).

    .venv/bin/python bench/bins_import.py [--size 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg
from sqlalchemy import text

from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.synthetic.council import CouncilSpec, build_council

ROOT = Path(__file__).parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL: measure there instead of in a SQLite file")
    args = parser.parse_args()
    folder = ROOT / "var"
    folder.mkdir(exist_ok=True)
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{args.postgres}?options=-csearch_path%3D{schema}"
    else:
        path = folder / f"bench-bins-import-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
    settings = Settings(database_url=url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    started = time.perf_counter()
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=args.size, seed=1, as_of=date(2026, 11, 1)))
    print(f"built a {args.size:,}-property synthetic council in {time.perf_counter() - started:.1f} s")
    source = folder / "bench-bins-properties.csv"
    query = text(
        "SELECT p.uprn, p.round_id FROM property_bin_rounds p JOIN bin_rounds r ON r.id = p.round_id "
        "WHERE r.stream_code <> 'garden' ORDER BY p.uprn, p.round_id"
    )
    with engine.connect() as connection, source.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["uprn", "round"])
        rows = connection.execute(query).all()
        writer.writerows(rows)
    engine.dispose()
    print(f"wrote {len(rows):,} rows to {source.relative_to(ROOT)}")
    command = [str(ROOT / ".venv" / "bin" / "townhall"), "bins", "import", "properties", str(source)]
    environment = {**os.environ, "TOWNHALL_DATABASE_URL": url}
    for attempt in (1, 2):
        started = time.perf_counter()
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        print(f"run {attempt}: exit {finished.returncode} in {elapsed:.2f} s ({len(rows) / elapsed:,.0f} rows/s)")
        print("  " + " ".join(finished.stderr.split()))
        if finished.returncode:
            sys.exit(1)
    if args.postgres:
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    else:
        path.unlink()
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
