"""How long `townhall counciltax accounts import` takes for a borough: 100,000 properties' accounts.

Builds a fresh synthetic council (SQLite file under var/, or a PostgreSQL schema of its own with --postgres),
writes its own council tax accounts out as a revenues system's snapshot (the seven CSV files, with
`tests/counciltax/snapshot.py`), and times the command as an operator runs it (a new process: start-up, reading,
checking every line, one query for the gazetteer's UPRNs, replacing the seven tables, the audit entry, commit), twice.

    .venv/bin/python bench/counciltax_accounts_import.py [--size 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg

from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.synthetic.council import CouncilSpec, build_council

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the tests' snapshot writer

from tests.counciltax.snapshot import write_snapshot  # noqa: E402


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
        path = folder / f"bench-ct-accounts-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
    settings = Settings(database_url=url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    started = time.perf_counter()
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=args.size, seed=1, as_of=date(2026, 11, 1)))
    print(f"built a {args.size:,}-property synthetic council in {time.perf_counter() - started:.1f} s")
    snapshot = folder / "bench-ct-accounts-snapshot"
    with engine.connect() as connection:
        counts = write_snapshot(connection, snapshot)
    engine.dispose()
    rows = sum(counts.values())
    print(f"wrote {rows:,} rows to {snapshot.relative_to(ROOT)}: " + ", ".join(f"{n} {c:,}" for n, c in counts.items()))
    command = [str(ROOT / ".venv" / "bin" / "townhall"), "counciltax", "accounts", "import", str(snapshot)]
    environment = {**os.environ, "TOWNHALL_DATABASE_URL": url}
    for attempt in (1, 2):
        started = time.perf_counter()
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        print(f"run {attempt}: exit {finished.returncode} in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)")
        print("  " + " ".join(finished.stderr.split())[:2000])
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
