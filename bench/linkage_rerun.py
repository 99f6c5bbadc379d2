"""How person ids behave across two linkage runs: link the synthetic extracts, then take next month's council tax
extract (accounts closed, people moved, new accounts) and link again, as a council's nightly job would.

    .venv/bin/python bench/linkage_rerun.py                    # 100,000 records
    .venv/bin/python bench/linkage_rerun.py --records 1000000

Prints, for the records in both runs: how many kept their person id, and both runs' scores against the ground truth
on those records; the merges and splits the second run reported for review; and whether the new accounts joined
their people. Not a timing benchmark: it checks the promise that re-linking keeps ids where the people are
the same.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from linkage import RECORDS_PER_PERSON, ingest_file, stand_in_gazetteer, write_extracts
from sqlalchemy import select

from townhall.config import Settings
from townhall.datahub.evaluation import bcubed_scores, pairwise_scores
from townhall.datahub.linkage import LinkageConfig
from townhall.datahub.models import PersonRecord
from townhall.datahub.people import make_people
from townhall.datahub.service import (
    LinkageReport,
    read_extract,
    run_linkage,
    source_registry,
)
from townhall.datahub.service import usable_contracts as contracts_for
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.migrate import upgrade

CLOSED, MOVED, OPENED = 0.02, 0.02, 0.01  # shares of council tax accounts, from one month to the next


def next_month(extract: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.Series]:
    """The council tax extract a month on, and the original row each new account copies (its person)."""
    rows = len(extract)
    closed = rng.random(rows) < CLOSED
    moved = ~closed & (rng.random(rows) < MOVED)
    month = extract.copy()
    elsewhere = rng.integers(0, rows, rows)  # another account's home, for those who moved
    for column in ("PROPERTY_UPRN", "ADDRESS_LINE", "POSTCODE"):
        month.loc[moved, column] = extract[column].to_numpy()[elsewhere[moved]]
    copied = rng.choice(np.flatnonzero(~closed), size=round(rows * OPENED), replace=False)
    opened = month.iloc[copied].copy()  # the same people opening a second account at another address
    opened["ACCOUNT_REF"] = [f"CT9{number:07d}" for number in range(len(opened))]
    for column in ("PROPERTY_UPRN", "ADDRESS_LINE", "POSTCODE"):
        opened[column] = extract[column].to_numpy()[rng.integers(0, rows, len(opened))]
    sources = pd.Series(extract["ACCOUNT_REF"].to_numpy()[copied], index=opened["ACCOUNT_REF"].to_numpy())
    return pd.concat([month[~closed], opened], ignore_index=True), sources


def assignment(factory: object) -> dict[str, str]:
    with session_scope(factory) as session:  # type: ignore[arg-type]
        return dict(session.execute(select(PersonRecord.record_key, PersonRecord.person_id)).all())  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    people = make_people(round(args.records / RECORDS_PER_PERSON), seed=2025)
    registry = source_registry()
    with tempfile.TemporaryDirectory(prefix="townhall-rerun-") as temporary:
        folder = Path(temporary)
        paths, truth = write_extracts(people, folder)
        gazetteer = stand_in_gazetteer(people)
        settings = Settings(database_url=f"sqlite:///{folder / 'rerun.db'}", environment="test")
        upgrade(settings)
        factory = make_session_factory(make_engine(settings))
        for source, path in paths.items():
            ingest_file(factory, registry, source, path, gazetteer)
        contracts = contracts_for(registry, list(paths))
        with session_scope(factory) as session:
            first_report = run_linkage(session, contracts=contracts, config=LinkageConfig())
        first = assignment(factory)
        month, copied_from = next_month(read_extract(paths["council_tax"]), np.random.default_rng(7))
        month_path = folder / "council_tax_next_month.csv"
        month.to_csv(month_path, index=False)
        ingest_file(factory, registry, "council_tax", month_path, gazetteer)
        started = time.perf_counter()
        with session_scope(factory) as session:
            second_report = run_linkage(session, contracts=contracts, config=LinkageConfig())
        elapsed = time.perf_counter() - started
        second = assignment(factory)
    report(first, second, truth, copied_from, first_report, second_report, elapsed)


def report(
    first: dict[str, str],
    second: dict[str, str],
    truth: pd.Series,
    copied_from: pd.Series,
    first_report: LinkageReport,
    second_report: LinkageReport,
    elapsed: float,
) -> None:
    both = sorted(first.keys() & second.keys())
    kept = sum(first[key] == second[key] for key in both)
    print(
        f"Run 1: {len(first):,} records, {first_report.people:,} people. "
        f"Next month's council tax: {len(first.keys() - second.keys()):,} accounts closed, "
        f"{len(copied_from):,} opened; run 2 took {elapsed:.1f}s"
    )
    print(f"  records in both runs: {len(both):,}; kept their person id: {kept:,} ({kept / len(both):.2%})")
    changed = sum(first[key] != second[key] for key in both)
    print(f"  changed person: {changed:,} records")
    # Whether the changes are for better or worse, on the records both runs linked (closed and new accounts aside)
    truth_ids = truth.loc[both]
    for name, run in (("run 1", first), ("run 2", second)):
        predicted = pd.Series([run[key] for key in both], index=both)
        print(
            f"  {name} on those records: pairwise {pairwise_scores(predicted, truth_ids)}; "
            f"B-cubed F1 {bcubed_scores(predicted, truth_ids).f1:.4f}"
        )
    print(
        f"  run 2 reported {second_report.merges:,} merges and {second_report.splits:,} splits for review; "
        f"{second_report.people:,} people"
    )
    new_accounts = [f"council_tax:{account}" for account in copied_from.index]
    joined = sum(
        second.get(key) is not None and second.get(key) == second.get(f"council_tax:{source}")
        for key, source in zip(new_accounts, copied_from.to_numpy(), strict=True)
    )
    print(f"  new accounts linked to the person of the account they copy: {joined:,} of {len(new_accounts):,}")


if __name__ == "__main__":
    main()
