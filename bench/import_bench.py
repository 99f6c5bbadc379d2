"""What the import benchmarks share: a fresh synthetic council to import into, and timing a `townhall` command as
an operator runs it (a new process each time, twice)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from townhall.config import Settings
from townhall.db import make_engine
from townhall.migrate import upgrade
from townhall.synthetic.council import CouncilSpec, build_council

ROOT = Path(__file__).parent.parent
VAR = ROOT / "var"


@contextmanager
def fresh_council(size: int, postgres: str | None, name: str) -> Iterator[tuple[Engine, str]]:
    """(an engine, its URL) on a new synthetic council of ``size`` properties: a SQLite file under var/, or a
    PostgreSQL schema of its own; removed afterwards."""
    VAR.mkdir(exist_ok=True)
    label = f"{name}-{uuid.uuid4().hex[:8]}"
    if postgres:
        schema = f"bench_{label.replace('-', '_')}"
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{postgres}?options=-csearch_path%3D{schema}"
    else:
        path = VAR / f"{label}.db"
        url = f"sqlite:///{path}"
    settings = Settings(database_url=url, environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    started = time.perf_counter()
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=size, seed=1, as_of=date(2026, 11, 1)))
    print(f"built a {size:,}-property synthetic council in {time.perf_counter() - started:.1f} s")
    try:
        yield engine, url
    finally:
        engine.dispose()
        if postgres:
            with psycopg.connect(postgres, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def time_command(arguments: Sequence[str], url: str, rows: int) -> None:
    """Run `townhall ARGUMENTS` on the database at ``url`` twice, printing each run's time; exit if one fails."""
    command = [str(ROOT / ".venv" / "bin" / "townhall"), *arguments]
    environment = {**os.environ, "TOWNHALL_DATABASE_URL": url}
    for attempt in (1, 2):
        started = time.perf_counter()
        finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        print(f"run {attempt}: exit {finished.returncode} in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)")
        print("  " + " ".join(finished.stderr.split())[:2000])
        if finished.returncode:
            sys.exit(1)
