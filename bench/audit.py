"""Audit log benchmark: entries written per second, what an audit write adds to a request, and verify speed.

    .venv/bin/python bench/audit.py                      # SQLite in a temporary file
    .venv/bin/python bench/audit.py --postgres URL       # and PostgreSQL (a fresh schema, dropped after)

Reference for the request cost: the same unit of work (read one property, commit) without the audit write, in
the same run. The 1,000,000 entries for verify are made with the real hashing function (`canonical_form`,
`entry_hash`) and inserted in bulk (COPY / executemany), then the chain head is set, exactly as record_access
would leave it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text, update

from townhall.config import Settings
from townhall.db import make_engine, make_session_factory, table_of
from townhall.migrate import upgrade
from townhall.platform.audit import Actor, AuditChainHead, AuditEntry, record_access, verify_chain
from townhall.platform.audit.chain import canonical_form, entry_hash
from townhall.platform.bulk import bulk_insert

OFFICER = Actor("user", 7, is_staff=True)
COLUMNS = ["id", "occurred_at_us", "actor_type", "actor_id", "action", "subject_type", "subject_id", "purpose",
           "client", "previous_hash", "entry_hash"]  # fmt: skip


def unit_of_work(engine: Engine, *, audited: bool, n: int, writes: bool = False) -> float:
    factory = make_session_factory(engine)
    with factory() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS bench_people (id INTEGER PRIMARY KEY, name TEXT)"))
        session.execute(text("DELETE FROM bench_people"))
        session.execute(text("INSERT INTO bench_people (id, name) VALUES (1, 'A Person')"))
        session.commit()
    timings = []
    for i in range(n):
        started = time.perf_counter()
        with factory() as session:
            session.execute(text("SELECT name FROM bench_people WHERE id = 1")).one()
            if writes:  # a request that changes something pays the commit's flush to disk anyway
                session.execute(text("UPDATE bench_people SET name = name WHERE id = 1"))
            if audited:
                record_access(session, actor=OFFICER, action="view_person", subject_type="person",
                              subject_id=i, purpose="benchmark", client="127.0.0.1")  # fmt: skip
            session.commit()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def generated_rows(count: int, start_id: int, previous: str):  # type: ignore[no-untyped-def]
    occurred = 1_790_000_000_000_000
    for entry_id in range(start_id, start_id + count):
        fields = (entry_id, occurred + entry_id, "user", 7, "view_person", "person", str(entry_id % 50_000),
                  "benchmark", "10.0.0.1")  # fmt: skip
        digest = entry_hash(previous, canonical_form(*fields))
        yield (*fields, previous, digest)
        previous = digest


def hashing_only(count: int) -> float:
    """Reference: the same hashing over rows already in memory (so the rest is what reading the database costs)."""
    rows = list(generated_rows(min(count, 300_000), 1, "0" * 64))
    started = time.perf_counter()
    for row in rows:
        assert entry_hash(row[9], canonical_form(*row[:9])) == row[10]
    return len(rows) / (time.perf_counter() - started)


def fill(engine: Engine, count: int) -> None:
    with engine.begin() as connection:
        last = connection.execute(text("SELECT last_entry_id, last_hash FROM audit_chain_head WHERE id = 1")).one()
        rows = generated_rows(count, last[0] + 1, last[1])
        tail: list[tuple[object, ...]] = []

        def remember(rows):  # type: ignore[no-untyped-def]
            for row in rows:
                tail[:] = [row]
                yield row

        bulk_insert(connection, AuditEntry, COLUMNS, remember(rows))
        head = table_of(AuditChainHead)
        connection.execute(update(head).values(last_entry_id=tail[0][0], last_hash=tail[0][10]))


def run(name: str, settings: Settings, entries: int) -> None:
    upgrade(settings)
    engine = make_engine(settings)
    writes = 2000
    plain = unit_of_work(engine, audited=False, n=writes)
    writing = unit_of_work(engine, audited=False, n=writes, writes=True)
    started = time.perf_counter()
    audited = unit_of_work(engine, audited=True, n=writes)
    per_second = writes / (time.perf_counter() - started)
    print(f"[{name}] audited requests written: {per_second:,.0f} entries/s (one transaction each)")
    print(f"[{name}] p50 unit of work: {plain * 1000:.3f} ms without audit, {audited * 1000:.3f} ms with; "
          f"audit adds {(audited - plain) * 1000:.3f} ms (ratio {audited / plain:.2f}x the reference)")  # fmt: skip
    print(f"[{name}] p50 unit of work that also writes a row, without audit: {writing * 1000:.3f} ms; the audit "
          f"write adds {(audited - writing) * 1000:.3f} ms over it")  # fmt: skip
    started = time.perf_counter()
    fill(engine, entries - writes)
    print(f"[{name}] generated {entries - writes:,} entries in bulk in {time.perf_counter() - started:.1f} s")
    processes = min(os.cpu_count() or 1, 4)
    figures = {}
    for workers in (1, processes):
        with engine.connect() as connection:
            started = time.perf_counter()
            report = verify_chain(connection, workers=workers)
            seconds = time.perf_counter() - started
        assert report.intact, report.problems[:3]
        figures[workers] = report.entries / seconds
        print(f"[{name}] verify with {workers} process(es): {report.entries:,} entries in {seconds:.2f} s = "
              f"{figures[workers]:,.0f}/s (target 200,000/s: {figures[workers] / 200_000:.2f}x)")  # fmt: skip
    print(f"[{name}] verify reference: hashing alone (no database) {hashing_only(entries):,.0f}/s in one process")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="", help="e.g. postgresql://postgres@127.0.0.1:5432/test")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", Settings(database_url=f"sqlite:///{Path(folder) / 'bench.db'}"), arguments.entries)
    if arguments.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(arguments.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = f"{arguments.postgres}?options=-csearch_path%3D{schema}"
            run("postgresql", Settings(database_url=url), arguments.entries)
        finally:
            with psycopg.connect(arguments.postgres, autocommit=True) as admin:
                admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
