"""bulk_insert writes every row exactly as given, however the rows fall into batches and multi-row statements."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.datahub.models import DatahubRecord
from townhall.platform import bulk
from townhall.platform.bulk import bulk_insert

COLUMNS = ("record_key", "source", "source_record_id", "first_name", "date_of_birth", "uprn", "uprn_match",
           "address_is_home", "facts")  # fmt: skip


def _rows(count: int) -> list[tuple[object, ...]]:
    return [
        (
            f"bulk_test:{number:06d}",
            "bulk_test",
            str(number),
            None if number % 3 == 0 else f"NAME{number}",
            None if number % 5 == 0 else date(1950 + number % 60, 1 + number % 12, 1 + number % 28),
            None if number % 7 == 0 else 100_000_000 + number,
            "exact",
            "Y",
            '{"tenure": "' + str(number) + '"}',
        )
        for number in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 55, 56, 57, 113, 20_001])
def test_every_row_is_written_as_given(session: Session, count: int) -> None:
    # 512 values per statement over 9 columns: 56 rows to a statement, so 55, 56, 57 and 113 cross its edges,
    # and 20,001 the 20,000-row batch's
    assert bulk._VALUES_PER_STATEMENT // len(COLUMNS) == 56
    rows = _rows(count)
    written = bulk_insert(session.connection(), DatahubRecord, COLUMNS, iter(rows))
    assert written == count
    stored = session.execute(
        select(*(getattr(DatahubRecord, column) for column in COLUMNS))
        .where(DatahubRecord.source == "bulk_test")
        .order_by(DatahubRecord.record_key)
    ).all()
    expected = [(*row[:8], {"tenure": str(number)}) for number, row in enumerate(rows)]
    assert [tuple(row) for row in stored] == expected
