"""The council tax account tables written out as a revenues system's snapshot (the seven CSV files of
`townhall counciltax accounts import`): the tests' and the benchmark's way to a full, realistic snapshot; and the
documented example snapshot (docs/examples/counciltax-accounts), with changes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import Connection, text

from townhall.counciltax.accounts_files import COLUMNS, FILES

EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples" / "counciltax-accounts"

# Each file's columns, as selected from its table (in COLUMNS' order)
_QUERIES = {
    "accounts.csv": "SELECT reference, uprn, starts, ends, instalment_months, instalment_day FROM ct_accounts "
    "ORDER BY reference",
    "liable_people.csv": "SELECT account_reference, full_name, starts, ends FROM ct_liable_people ORDER BY id",
    "discounts.csv": "SELECT account_reference, kind, adults, disregarded, starts, ends FROM ct_discounts ORDER BY id",
    "exemptions.csv": "SELECT account_reference, exemption_class, starts, ends FROM ct_exemptions ORDER BY id",
    "bills.csv": "SELECT account_reference, financial_year, version, issued_on, charge_pence, reason FROM ct_bills "
    "ORDER BY account_reference, financial_year, version",
    "instalments.csv": "SELECT account_reference, financial_year, bill_version, number, due, pence, settled "
    "FROM ct_instalments ORDER BY account_reference, financial_year, bill_version, number",
    "payments.csv": "SELECT account_reference, financial_year, received, pence, method FROM ct_payments ORDER BY id",
}


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def snapshot_texts(connection: Connection) -> dict[str, str]:
    """File name -> the CSV text of that file, from the tables as they are."""
    texts = {}
    for name, query in _QUERIES.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS[name])
        result = connection.execute(text(query))
        settled = COLUMNS[name].index("settled") if "settled" in COLUMNS[name] else None
        for row in result:
            values = [_cell(value) for value in row]
            if settled is not None:  # SQLite gives 0 or 1
                values[settled] = "true" if row[settled] else "false"
            writer.writerow(values)
        texts[name] = out.getvalue()
    return texts


def write_snapshot(connection: Connection, folder: Path) -> dict[str, int]:
    """The snapshot's files written to `folder`; file name -> rows."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, content in snapshot_texts(connection).items():
        (folder / name).write_text(content, encoding="utf-8")
        counts[name] = content.count("\n") - 1
    return counts


def example_texts(**changes: str) -> dict[str, str]:
    """The example snapshot's files (name -> text), with `changes` (payments="..." replaces payments.csv)."""
    texts = {name: (EXAMPLES / name).read_text(encoding="utf-8") for name in FILES}
    return {**texts, **{f"{name}.csv": value for name, value in changes.items()}}
