"""How long `townhall counciltax accounts import` takes for a borough: 100,000 properties' accounts.

Builds a fresh synthetic council (SQLite file under var/, or a PostgreSQL schema of its own with --postgres),
writes its own council tax accounts out as a revenues system's snapshot (the seven CSV files, with
`tests/counciltax/snapshot.py`), and times the command as an operator runs it (a new process: start-up, reading,
checking every line, one query for the gazetteer's UPRNs, replacing the seven tables, the audit entry, commit), twice.

    .venv/bin/python bench/counciltax_accounts_import.py [--size 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import sys

from import_bench import ROOT, VAR, fresh_council, time_command

sys.path.insert(0, str(ROOT))  # for the tests' snapshot writer

from tests.counciltax.snapshot import write_snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL: measure there instead of in a SQLite file")
    args = parser.parse_args()
    with fresh_council(args.size, args.postgres, "bench-ct-accounts") as (engine, url):
        snapshot = VAR / "bench-ct-accounts-snapshot"
        with engine.connect() as connection:
            counts = write_snapshot(connection, snapshot)
        rows = sum(counts.values())
        print(
            f"wrote {rows:,} rows to {snapshot.relative_to(ROOT)}: "
            + ", ".join(f"{n} {c:,}" for n, c in counts.items())
        )
        time_command(["counciltax", "accounts", "import", str(snapshot)], url, rows)


if __name__ == "__main__":
    main()
