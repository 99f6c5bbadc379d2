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
from concurrent.futures import ThreadPoolExecutor
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


def audited_phases(
    engine: Engine, *, n: int, synchronous_commit: str | None = None, audited: bool = True
) -> tuple[float, float]:
    """p50 of (the statements: a read, then record_access with the chain-head lock, or a one-row update) and
    (the commit)."""
    factory = make_session_factory(engine)
    statements, commits = [], []
    for i in range(n):
        with factory() as session:
            if synchronous_commit is not None:
                session.execute(text(f"SET LOCAL synchronous_commit = {synchronous_commit}"))
            started = time.perf_counter()
            session.execute(text("SELECT name FROM bench_people WHERE id = 1")).one()
            if audited:
                record_access(session, actor=OFFICER, action="view_person", subject_type="person", subject_id=i,
                              purpose="benchmark", client="127.0.0.1")  # fmt: skip
            else:
                session.execute(text("UPDATE bench_people SET name = name WHERE id = 1"))
            done = time.perf_counter()
            session.commit()
            statements.append(done - started)
            commits.append(time.perf_counter() - done)
    return statistics.median(statements), statistics.median(commits)


def concurrent_rate(engine: Engine, *, audited: bool, threads: int = 8, each: int = 100) -> float:
    """Units of work per second from `threads` writers at once: audited, or each writing a row of its own."""
    factory = make_session_factory(engine)
    with factory() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS bench_own_rows (id INTEGER PRIMARY KEY, n INTEGER)"))
        session.execute(text("DELETE FROM bench_own_rows"))
        session.commit()

    def work(number: int) -> None:
        for i in range(each):
            with factory() as session:
                session.execute(text("SELECT name FROM bench_people WHERE id = 1")).one()
                if audited:
                    record_access(session, actor=OFFICER, action="view_person", subject_type="person", subject_id=i,
                                  purpose="benchmark", client="127.0.0.1")  # fmt: skip
                else:
                    session.execute(text("INSERT INTO bench_own_rows (id, n) VALUES (:id, 1)"),
                                    {"id": number * 1_000_000 + i})  # fmt: skip
                session.commit()

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    return threads * each / (time.perf_counter() - started)


def write_cost_study(name: str, engine: Engine, *, n: int) -> None:
    """Where an audit write's time goes: the statements (lock included) or the commit's flush to disk."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            shown = {setting: connection.exec_driver_sql(f"SHOW {setting}").scalar()
                     for setting in ("synchronous_commit", "fsync", "wal_sync_method", "commit_delay")}  # fmt: skip
        print(f"[{name}] server settings: {shown}")
    postgres = engine.dialect.name == "postgresql"
    for round_number in range(3):  # interleaved, because the machine's load changes minute to minute
        phases = {"audited": audited_phases(engine, n=n), "one-row update": audited_phases(engine, n=n, audited=False)}
        if postgres:  # only to locate the cost: NOT durable, never used by Townhall
            phases["audited, synchronous_commit=off"] = audited_phases(engine, n=n, synchronous_commit="off")
        shown = "; ".join(f"{label}: statements {a * 1000:.3f} ms, commit {b * 1000:.3f} ms"
                          for label, (a, b) in phases.items())  # fmt: skip
        print(f"[{name}] round {round_number + 1}, p50 of a read-only unit of work: {shown}")
    audited = concurrent_rate(engine, audited=True)
    unshared = concurrent_rate(engine, audited=False)
    print(f"[{name}] 8 concurrent writers: {audited:,.0f} audited units/s; writing rows of their own (no shared "
          f"lock) {unshared:,.0f}/s (ratio {audited / unshared:.2f}x)")  # fmt: skip


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
    write_cost_study(name, engine, n=300)
    started = time.perf_counter()
    with engine.connect() as connection:
        written = int(connection.exec_driver_sql("SELECT last_entry_id FROM audit_chain_head").scalar() or 0)
    fill(engine, entries - written)
    print(f"[{name}] generated {entries - written:,} entries in bulk in {time.perf_counter() - started:.1f} s")
    processes = min(os.cpu_count() or 1, 4)
    figures = {}
    for workers in (1, processes):
        with engine.connect() as connection:
            started, cpu_started = time.perf_counter(), time.process_time()
            report = verify_chain(connection, workers=workers)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert report.intact, report.problems[:3]
        figures[workers] = report.entries / seconds
        print(f"[{name}] verify with {workers} process(es): {report.entries:,} entries in {seconds:.2f} s = "
              f"{figures[workers]:,.0f}/s (target 200,000/s: {figures[workers] / 200_000:.2f}x)")  # fmt: skip
        if workers == 1:  # independent of the machine's load: CPU time of this process only
            print(f"[{name}] verify CPU time in this process: {cpu / report.entries * 1e6:.2f} us per entry = "
                  f"{report.entries / cpu:,.0f} entries per CPU-second")  # fmt: skip
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
