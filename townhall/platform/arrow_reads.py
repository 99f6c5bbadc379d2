"""Large reads as Arrow tables through ADBC (Apache Arrow's database connectivity), for analytical work.

A linkage run reads every ingested record, a million rows of eleven text columns. Through Python's ``sqlite3``
driver that is a million tuples of Python strings (2.3 s measured), which pandas and then DuckDB convert again
(0.4 s); ADBC's SQLite driver reads the same rows into Arrow columns in C (0.7 s), and DuckDB scans Arrow
without a copy (0.2 s).

The read runs on a read-only connection of its own, so it sees what is committed. That is what the session
sees too when the session has written nothing yet: SQLite runs a session's reads outside any transaction
until its first write. Otherwise (uncommitted writes, an in-memory database, another database) the caller
reads through the session as before: ``snapshot_as_arrow`` returns None.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import pyarrow as pa

_MOST_ROWS_A_BATCH = 1 << 30  # the driver refuses much larger batches


def snapshot_as_arrow(session: Session, sql: str, *, count_sql: str) -> pa.Table | None:
    """The rows of a fixed, read-only ``sql`` as an Arrow table, read through ADBC; None where that read could
    see other data than the session would (then read through the session).

    ``count_sql`` counts the rows ``sql`` returns (or more): SQLite's ADBC driver works out each column's Arrow
    type from its first batch of rows and fails when a later batch disagrees (a column blank in the first
    1,024 rows is taken for a number), so the whole result is read as one batch, typed from all its values.
    The driver reserves memory for a batch's full size, hence the count rather than a very large number.
    """
    path = _sqlite_file_without_writes(session)
    if path is None:
        return None
    import adbc_driver_sqlite.dbapi as adbc_sqlite

    # Not autocommit: the count and the rows are read in one transaction, so from one snapshot
    with adbc_sqlite.connect(f"{path.as_uri()}?mode=ro") as connection, connection.cursor() as cursor:
        cursor.execute(count_sql)
        (rows,) = cursor.fetchone() or (0,)
        batch = min(max(int(rows), 1), _MOST_ROWS_A_BATCH)
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(batch)})
        cursor.execute(sql)
        return cursor.fetch_arrow_table()


def _sqlite_file_without_writes(session: Session) -> Path | None:
    """The SQLite database file behind ``session`` when the session has no uncommitted writes, else None."""
    session.flush()  # pending objects are writes too
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return None
    database = connection.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    driver = connection.connection.driver_connection
    if driver is None or driver.in_transaction:  # sqlite3 opens a transaction at a session's first write
        return None
    return Path(database).resolve()
