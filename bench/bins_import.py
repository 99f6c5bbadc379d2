"""How long `townhall bins import properties` takes for a borough: 100,000 properties x 3 rounds.

Builds a fresh synthetic council (SQLite file under var/, or a PostgreSQL schema of its own with --postgres),
writes the refuse, recycling and food rounds of every property to a CSV file (300,000 rows), and times the
command as an operator runs it (a new process: start-up, reading, checking, replacing, the summary, commit).

    .venv/bin/python bench/bins_import.py [--size 100000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv

from import_bench import ROOT, VAR, fresh_council, time_command
from sqlalchemy import text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL: measure there instead of in a SQLite file")
    args = parser.parse_args()
    with fresh_council(args.size, args.postgres, "bench-bins-import") as (engine, url):
        source = VAR / "bench-bins-properties.csv"
        query = text(
            "SELECT p.uprn, p.round_id FROM property_bin_rounds p JOIN bin_rounds r ON r.id = p.round_id "
            "WHERE r.stream_code <> 'garden' ORDER BY p.uprn, p.round_id"
        )
        with engine.connect() as connection, source.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["uprn", "round"])
            rows = connection.execute(query).all()
            writer.writerows(rows)
        print(f"wrote {len(rows):,} rows to {source.relative_to(ROOT)}")
        time_command(["bins", "import", "properties", str(source)], url, len(rows))


if __name__ == "__main__":
    main()
