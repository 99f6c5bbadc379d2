"""What the data hub's record indexes, and the shape of its INSERT statements, cost a million-record ingest on
SQLite.

Statements: Townhall's `bulk_insert` writes a million rows into the `datahub_records` table as migrated, with about
512 values to each INSERT (34 rows of 15 columns), against the same function with one row to each INSERT (the
reference), in the same run.

Indexes:
A million rows shaped like `datahub_records` (keys in primary-key order, as `ingest` writes them) inserted with
`executemany` in batches of 20,000, in WAL mode with the bulk write's 256 MB page cache, into the table with the
indexes it had before migration 0013 (source, batch, UPRN: the reference) and with those it has now (source),
each in a fresh database file, in the same run. Both keep the batch column (0013 also removed it) so that only
the indexes differ. The first insert of a process runs slower (allocator and page
cache warming up), so an unmeasured warm-up insert comes first.

    .venv/bin/python bench/datahub_writes.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import string
import tempfile
import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from townhall.datahub.models import DatahubRecord
from townhall.datahub.service.ingest import RECORD_COLUMNS
from townhall.datahub.service.writes import roomy_sqlite_cache
from townhall.db import table_of
from townhall.platform import bulk

COLUMNS = (
    *("record_key", "source", "source_record_id", "batch_id", "first_name", "middle_name", "last_name"),
    *("first_name_canonical", "date_of_birth", "sex", "address", "postcode", "uprn", "uprn_match"),
    *("address_is_home", "facts"),
)
TABLE = """CREATE TABLE datahub_records (
    record_key VARCHAR(140) PRIMARY KEY, source VARCHAR(60) NOT NULL, source_record_id VARCHAR(80) NOT NULL,
    batch_id INTEGER NOT NULL, first_name VARCHAR(80), middle_name VARCHAR(120), last_name VARCHAR(80),
    first_name_canonical VARCHAR(80), date_of_birth DATE, sex VARCHAR(1), address VARCHAR(300), postcode VARCHAR(8),
    uprn BIGINT, uprn_match VARCHAR(12) NOT NULL, address_is_home VARCHAR(1) NOT NULL, facts JSON NOT NULL)"""
BEFORE_0013 = ("source", "batch_id", "uprn")
NOW = ("source",)


def synthetic_rows(count: int) -> list[tuple[Any, ...]]:
    """Rows with realistic widths; UPRNs in random order, as matched addresses give them."""
    draw = random.Random(2026)

    def word(length: int) -> str:
        return "".join(draw.choices(string.ascii_uppercase, k=length))

    sources = ("antisocial_behaviour", "council_tax", "housing_tenancies")
    keys = sorted(f"{sources[i % 3]}:{i:09d}" for i in range(count))
    return [
        (
            key,
            key.split(":")[0],
            key.split(":")[1],
            1,
            word(6),
            None,
            word(8),
            word(6),
            f"19{draw.randint(10, 99)}-0{draw.randint(1, 9)}-1{draw.randint(0, 9)}",
            "F",
            f"{draw.randint(1, 200)} {word(9)} ROAD",
            f"AB{draw.randint(1, 99)} {draw.randint(1, 9)}XY",
            draw.randint(10**9, 10**10),
            "exact",
            "Y",
            '{"band": "C"}',
        )
        for key in keys
    ]


def insert_all(path: Path, indexed: Sequence[str], rows: list[tuple[Any, ...]]) -> tuple[float, float]:
    """Wall and CPU seconds to insert ``rows`` into a fresh table indexed on ``indexed``."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(TABLE)
    for column in indexed:
        connection.execute(f"CREATE INDEX ix_{column} ON datahub_records ({column})")
    connection.commit()
    connection.execute("PRAGMA cache_size=-262144")
    sql = f"INSERT INTO datahub_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    started, cpu_started = time.perf_counter(), time.process_time()
    iterator = iter(rows)
    while batch := list(islice(iterator, 20_000)):
        connection.executemany(sql, batch)
    connection.commit()
    result = time.perf_counter() - started, time.process_time() - cpu_started
    connection.close()
    return result


def bulk_insert_all(path: Path, rows: list[tuple[Any, ...]], values_per_statement: int) -> tuple[float, float]:
    """Wall and CPU seconds for Townhall's own ``bulk_insert`` of ``rows`` (without the batch column) into a fresh
    ``datahub_records`` table, as the ingest writes it (256 MB cache, one transaction), with
    ``values_per_statement`` as its statement size."""
    engine = create_engine(f"sqlite:///{path}")
    table_of(DatahubRecord).create(engine)
    batch = COLUMNS.index("batch_id")
    without_batch = [row[:batch] + row[batch + 1 :] for row in rows]
    chosen, bulk._VALUES_PER_STATEMENT = bulk._VALUES_PER_STATEMENT, values_per_statement
    try:
        with engine.begin() as connection, roomy_sqlite_cache(connection):
            started, cpu_started = time.perf_counter(), time.process_time()
            bulk.bulk_insert(connection, DatahubRecord, RECORD_COLUMNS, without_batch, dates_as_text=True)
        return time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        bulk._VALUES_PER_STATEMENT = chosen
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = synthetic_rows(args.rows)
    with tempfile.TemporaryDirectory(prefix="townhall-writes-") as folder:
        insert_all(Path(folder) / "warm-up.db", NOW, rows[: len(rows) // 4])
        reference = insert_all(Path(folder) / "before.db", BEFORE_0013, rows)
        now = insert_all(Path(folder) / "now.db", NOW, rows)
        one_row = bulk_insert_all(Path(folder) / "one-row.db", rows, 1)
        many_rows = bulk_insert_all(Path(folder) / "many-rows.db", rows, bulk._VALUES_PER_STATEMENT)
    print(f"{args.rows:,} records, executemany in batches of 20,000, WAL, 256 MB cache")
    for label, (wall, cpu) in (("before 0013 (source, batch, UPRN), reference", reference), ("now (source)", now)):
        print(f"  indexes {label:46s} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    print(f"  ratio to the reference: wall {now[0] / reference[0]:.2f}, CPU {now[1] / reference[1]:.2f}")
    print(f"{args.rows:,} records through Townhall's bulk_insert into datahub_records, one transaction")
    per_statement = bulk._VALUES_PER_STATEMENT // len(RECORD_COLUMNS)
    for label, (wall, cpu) in (
        ("one row per INSERT, reference", one_row),
        (f"{per_statement} rows per INSERT (now)", many_rows),
    ):
        print(f"  {label:52s} {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    print(f"  ratio to the reference: wall {many_rows[0] / one_row[0]:.2f}, CPU {many_rows[1] / one_row[1]:.2f}")


if __name__ == "__main__":
    main()
