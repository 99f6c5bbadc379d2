"""Bulk writes that stay fast at a million rows: COPY on PostgreSQL, executemany on SQLite.

Used by imports and the synthetic council. Rows are tuples in the order of `columns`; the caller's transaction
covers the write, so a failure leaves nothing half-loaded. `insert_from_arrays` is for the other end: small
batches written many times a second (Open311's group commit, the audit append of a batch).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any

from sqlalchemy import JSON, Column, Connection, Date, DateTime, Dialect, Table, TypeDecorator, bindparam, cast, func
from sqlalchemy import select as sql_select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from townhall.db import Base, table_of

_BATCH = 20_000
# SQLite: rows per INSERT such that a statement binds about this many values. One statement of 34 rows of 15
# columns (or 256 rows of 2) costs less per row than as many single-row steps: a million records, 5.6 s of CPU
# against 7.0 s (bench/datahub_writes.py); a million two-column rows, 1.0 s against 2.7 s
_VALUES_PER_STATEMENT = 512


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterable[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block (also a decorator), then back as it was.

    Work on a million records keeps millions of tuples, lists and dictionaries alive, and the collector walks
    them again and again as they are made without finding a cycle to free; reference counting still frees
    everything as usual. Measured on the data hub's million-record benchmark: 0.4 s of a 15 s ingest and
    0.8 s of a link's work outside Splink.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def bulk_insert(
    connection: Connection,
    model: type[Base],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    dates_as_text: bool = False,
) -> int:
    """Insert rows in bulk inside the connection's transaction; returns how many were written.

    ``dates_as_text``: the rows already hold their dates as ISO text (or None), which both databases read as
    dates, so the per-row conversion of date objects for SQLite is skipped (a million rows: seconds).
    """
    table = table_of(model)
    written = 0
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection  # psycopg's own connection, for COPY
        column_list = ", ".join(f'"{c}"' for c in columns)
        with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    if not dates_as_text:
        rows = _with_iso_dates(table, columns, rows)
    per_statement = max(1, _VALUES_PER_STATEMENT // len(columns))
    one_row, many_rows = _values_insert(table.name, columns, 1), _values_insert(table.name, columns, per_statement)
    cursor = connection.connection.cursor()  # the raw DB-API cursor: executemany without per-row overhead
    try:
        for batch in _batches(rows, _BATCH):
            whole = len(batch) - len(batch) % per_statement
            if whole:  # the batch's rows flattened, per_statement rows to each statement's parameters
                flattened = [
                    tuple(chain.from_iterable(batch[start : start + per_statement]))
                    for start in range(0, whole, per_statement)
                ]
                cursor.executemany(many_rows, flattened)
            cursor.executemany(one_row, batch[whole:])
            written += len(batch)
    finally:
        cursor.close()
    return written


def _values_insert(table: str, columns: Sequence[str], rows: int) -> str:
    """SQLite's INSERT of ``rows`` rows of ``columns`` in one statement, all values as ``?`` parameters."""
    row = f"({', '.join('?' for _ in columns)})"
    return f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES {", ".join([row] * rows)}'  # noqa: S608 - our names


def _with_iso_dates(table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    """Dates as the ISO text SQLAlchemy itself writes to SQLite (sqlite3's own date adapters are deprecated)."""
    date_positions = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, Date | DateTime)]
    if not date_positions:
        return rows

    def convert(row: Sequence[Any]) -> Sequence[Any]:
        values = list(row)
        for position in date_positions:
            value = values[position]
            if hasattr(value, "isoformat"):  # text already in ISO form passes through
                values[position] = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return values

    return map(convert, rows)


def upsert(connection: Connection, model: type[Base], rows: list[dict[str, Any]], *, key: Sequence[str]) -> None:
    """Insert rows, replacing the other columns of rows whose key already exists."""
    if not rows:
        return
    table = table_of(model)
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(table)
    updates = {c: statement.excluded[c] for c in rows[0] if c not in key}
    if updates:
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    connection.execute(statement, rows)


def insert_from_arrays(table: Table, columns: Sequence[str]) -> PostgresqlInsert:
    """PostgreSQL's `INSERT INTO table (columns) SELECT * FROM unnest(one array parameter per column)`: one short
    statement whatever the number of rows, where a multi-row VALUES list is a new, long SQL text for every row
    count, which the driver parses each time. Bind it with `array_parameters`. Build it once per process (callers
    keep it in a `functools.cache`): building it costs more than sending it."""
    # Parameters are named after their columns with a suffix: a bare column name is reserved by SQLAlchemy.
    typed = [cast(bindparam(f"{name}_array"), ARRAY(_element_type(table.c[name]))) for name in columns]
    unnested = func.unnest(*typed).table_valued(*columns).render_derived()
    return postgresql_insert(table).from_select(list(columns), sql_select(*unnested.c))


def array_parameters(
    table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> dict[str, list[Any]]:
    """The rows as one array per column for `insert_from_arrays`, each value as its column's type would bind it."""
    arrays: dict[str, list[Any]] = {}
    for name in columns:
        convert = _bind_converter(table.c[name], dialect)
        values = [row[name] for row in rows]
        arrays[f"{name}_array"] = values if convert is None else [None if v is None else convert(v) for v in values]
    return arrays


def _element_type(column: Column[Any]) -> Any:
    if isinstance(column.type, JSON):
        return JSON()  # the array travels as text elements, each value's JSON form
    if isinstance(column.type, TypeDecorator):
        return column.type.impl_instance
    return column.type


def _bind_converter(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    column_type = column.type
    if isinstance(column_type, JSON):
        return json.dumps
    if isinstance(column_type, TypeDecorator):
        return lambda value: column_type.process_bind_param(value, dialect)
    return None
