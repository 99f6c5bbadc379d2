"""Reading the CSV files councils' systems export, for the imports every module has (bins, council tax): the
header checked by name, each row's chosen columns by their line, and every problem of a file reported at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from townhall.platform.errors import InvalidInput


class FileProblems(InvalidInput):
    """Everything wrong with a file, one message a problem, each naming its line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else ""))
        self.problems = list(problems)


def csv_rows(text: str, columns: Sequence[str]) -> Iterator[tuple[int, list[str]]]:
    """(line, values of `columns` in that order, stripped) for each row that is not blank; FileProblems naming
    the missing columns when the header lacks any. Other columns are ignored (exports often carry more)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [name.strip().lower() for name in next(reader, [])]
    if not any(header):
        raise FileProblems([f"The file is empty: it needs a header row with the columns {', '.join(columns)}"])
    missing = [column for column in columns if column not in header]
    if missing:
        raise FileProblems([f"The file needs the columns {', '.join(columns)}; it has no {', '.join(missing)} "
                            f"(its columns are: {', '.join(name for name in header if name) or 'none'})"])  # fmt: skip
    positions = [header.index(column) for column in columns]
    width = max(positions) + 1
    for row in reader:
        if not any(value.strip() for value in row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield reader.line_num, [row[position].strip() for position in positions]
