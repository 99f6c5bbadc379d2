"""Reads through ADBC see exactly what the session would, or are not made at all."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from townhall.platform.arrow_reads import snapshot_as_arrow

ROWS = 3_000
COUNT = "SELECT count(*) FROM things"
READ = "SELECT id, label FROM things ORDER BY id"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    # A label blank in the first 2,000 rows, then text: a batch of 1,024 rows would type it as a number
    engine = create_engine(f"sqlite:///{tmp_path / 'things.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT)"))
        connection.execute(
            text("INSERT INTO things VALUES (:id, :label)"),
            [{"id": n, "label": None if n < 2_000 else f"thing {n}"} for n in range(ROWS)],
        )
    yield engine
    engine.dispose()


def test_a_session_that_has_written_nothing_is_read_through_adbc(engine: Engine) -> None:
    with Session(engine) as session:
        session.execute(text("SELECT count(*) FROM things"))  # reads do not stop it
        table = snapshot_as_arrow(session, READ, count_sql=COUNT)
    assert table is not None
    assert table.num_rows == ROWS
    labels = table.column("label").to_pylist()
    assert labels[:2_000] == [None] * 2_000 and labels[-1] == f"thing {ROWS - 1}"


def test_a_session_with_uncommitted_writes_is_not_read_around(engine: Engine) -> None:
    with Session(engine) as session:
        session.execute(text("DELETE FROM things WHERE id < 10"))
        # another connection would still see the ten rows this session has deleted
        assert snapshot_as_arrow(session, READ, count_sql=COUNT) is None


def test_after_a_commit_the_committed_rows_are_read(engine: Engine) -> None:
    with Session(engine) as session:
        session.execute(text("DELETE FROM things WHERE id < 10"))
        session.commit()
        table = snapshot_as_arrow(session, READ, count_sql=COUNT)
    assert table is not None and table.num_rows == ROWS - 10


def test_an_empty_result_is_an_empty_table(engine: Engine) -> None:
    with Session(engine) as session:
        table = snapshot_as_arrow(session, "SELECT id FROM things WHERE id < 0", count_sql="SELECT 0")
    assert table is not None and table.num_rows == 0


def test_an_in_memory_database_is_read_through_the_session() -> None:
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        assert snapshot_as_arrow(session, "SELECT 1", count_sql="SELECT 1") is None


def test_the_read_cannot_write(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(Exception, match="readonly"):
        snapshot_as_arrow(session, "DELETE FROM things RETURNING id", count_sql=COUNT)
