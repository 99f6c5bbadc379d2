"""The reference for the linkage benchmark: what a council would write with Splink alone.

It starts where Townhall starts (the six CSV extracts) and ends where Townhall ends (clusters saved), doing
its own equivalent standardisation in DuckDB SQL: names upper-cased to letters and single spaces, full
names split, dates of birth parsed in each source's format, sex codes mapped, postcodes validated and
spaced, nicknames mapped to formal first names from the same table. Then the same Splink model (settings,
training, threshold) links and clusters. It has no contract checks, quarantine, UPRN matching, database,
stable ids or households: those are what Townhall's overhead buys.
"""

from __future__ import annotations

import logging
import time
from importlib import resources
from pathlib import Path

import pandas as pd

from townhall.datahub.contracts import ColumnMapping, SourceContract, load_contracts
from townhall.datahub.linkage import LinkageConfig, person_model_settings

_NAME = (
    "nullif(trim(regexp_replace(regexp_replace(regexp_replace(upper(strip_accents(coalesce({0}, ''))), "
    "'[''’`]', '', 'g'), '[^A-Z ]+', ' ', 'g'), ' +', ' ', 'g')), '')"
)
_POSTCODE = "upper(replace(coalesce({0}, ''), ' ', ''))"
_POSTCODE_OK = "^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"


def _name_columns(mapping: ColumnMapping) -> str:
    if mapping.full_name is None:
        first, last = _NAME.format(f'"{mapping.first_name}"'), _NAME.format(f'"{mapping.last_name}"')
        return f"{first} AS first_name, {last} AS last_name"
    full = f'"{mapping.full_name}"'
    if mapping.full_name_order == "last_comma_first":
        given = _NAME.format(f"split_part({full}, ',', 2)")
        return (
            f"split_part({given}, ' ', 1) AS first_name, {_NAME.format(f'split_part({full}, chr(44), 1)')} AS last_name"
        )
    words = f"string_split({_NAME.format(full)}, ' ')"
    return f"{words}[1] AS first_name, CASE WHEN len({words}) > 1 THEN {words}[-1] END AS last_name"


def _select(source: str, contract: SourceContract, path: Path) -> str:
    mapping = contract.columns
    formats = mapping.date_of_birth_format
    formats_sql = ", ".join(f"'{f}'" for f in ([formats] if isinstance(formats, str) else formats or []))
    dob = (
        f"strftime(try_strptime(\"{mapping.date_of_birth}\", [{formats_sql}]), '%Y-%m-%d')"
        if mapping.date_of_birth
        else "NULL"
    )
    sex = "NULL"
    if mapping.sex:
        cases = " ".join(f"WHEN '{raw}' THEN '{code}'" for raw, code in mapping.sex_values.items())
        sex = f'CASE "{mapping.sex}" {cases} END'
    postcode = _POSTCODE.format(f'"{mapping.postcode}"') if mapping.postcode else "''"
    spaced = (
        f"CASE WHEN regexp_matches({postcode}, '{_POSTCODE_OK}') "
        f"THEN left({postcode}, -3) || ' ' || right({postcode}, 3) END"
    )
    uprn = (
        f'CASE WHEN regexp_matches("{mapping.uprn}", \'^[0-9]+$\') THEN "{mapping.uprn}" END'
        if mapping.uprn
        else "NULL"
    )
    return (
        f"SELECT '{source}:' || \"{mapping.source_id}\" AS unique_id, '{source}' AS source, {_name_columns(mapping)}, "
        f"{dob} AS date_of_birth, {sex} AS sex, {spaced} AS postcode, {uprn} AS uprn, "
        f"'{'Y' if contract.address_is_home else 'N'}' AS address_is_home "
        f"FROM read_csv('{path}', all_varchar = true, header = true)"
    )


def bare_standardise(paths: dict[str, Path], connection: object) -> pd.DataFrame:
    """All extracts as one frame in the model's columns, standardised in SQL."""
    contracts = load_contracts()
    nicknames = resources.files("townhall.datahub").joinpath("data/nicknames.csv")
    union = " UNION ALL ".join(_select(source, contracts[source], path) for source, path in paths.items())
    sql = f"""
        WITH records AS ({union}),
        nicknames AS (
            SELECT *, row_number() OVER () AS place FROM read_csv('{nicknames}', comment = '#', header = true)
        ),
        formal AS (
            SELECT r.unique_id, arg_min(n.formal, (n.sex IS DISTINCT FROM r.sex)::int * 100000 + n.place) AS formal
            FROM records r JOIN nicknames n ON upper(n.nickname) = r.first_name GROUP BY r.unique_id
        )
        SELECT r.unique_id, r.source, r.first_name, r.last_name,
               coalesce(f.formal, r.first_name) AS first_name_canonical,
               CASE WHEN r.first_name IS NOT NULL AND r.last_name IS NOT NULL
                    THEN r.first_name || ' ' || r.last_name END AS first_and_last_name,
               r.date_of_birth, r.sex, r.postcode, r.uprn, r.address_is_home
        FROM records r LEFT JOIN formal f USING (unique_id)
        WHERE r.first_name IS NOT NULL OR r.last_name IS NOT NULL
    """
    return connection.execute(sql).df()  # type: ignore[attr-defined]


def bare_pipeline(
    paths: dict[str, Path], config: LinkageConfig, output: Path, *, database: Path | None = None
) -> tuple[pd.Series, dict[str, float]]:
    """Standardise, train, predict, cluster and save; the clusters as a Series by record key, and step times.

    With ``database`` (a new SQLite file), the script keeps a database of record, as any hub must: the
    standardised records are written to it and read back before linking (a link runs apart from the ingest),
    and the clusters are written to it instead of a Parquet file: the least a database of record costs.
    """
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    connection = duckdb.connect()
    records = bare_standardise(paths, connection)
    standardised = time.perf_counter()
    if database is not None:
        records = _stored_and_read_back(records, database)
    stored = time.perf_counter()
    db_api = DuckDBAPI(connection=connection)
    linker = Linker(
        db_api.register(records, dataset_display_name="bare"), person_model_settings(), log_level=logging.WARNING
    )
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
    frame = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    linked = time.perf_counter()
    if database is None:
        frame.to_parquet(output)
    else:
        _store_clusters(frame, database)
    times = {
        "standardise": standardised - started,
        "database": (stored - standardised) + (time.perf_counter() - linked),
        "splink": linked - stored,
    }
    return frame.set_index("unique_id")["cluster_id"], times


def _stored_and_read_back(records: pd.DataFrame, database: Path) -> pd.DataFrame:
    """The records written to a SQLite table with a primary key in one transaction, then read back whole, through
    ``sqlite3``'s ``executemany`` and ``fetchall``: the driver SQLAlchemy uses, as Townhall does.

    (ADBC's SQLite driver moves Arrow columns in C, faster, but it links its own copy of SQLite: two copies with
    the same file open in one process lose each other's locks, and Townhall's process has the file open through
    ``sqlite3`` (docs/benchmarks.md, tenth session).)"""
    import sqlite3

    columns = list(records.columns)
    rows = zip(*(records[c].to_numpy(dtype=object, na_value=None).tolist() for c in columns), strict=True)
    with sqlite3.connect(database) as connection:
        connection.execute(f"CREATE TABLE records ({', '.join(columns)}, PRIMARY KEY (unique_id))")
        connection.executemany(f"INSERT INTO records VALUES ({', '.join('?' * len(columns))})", rows)
    with sqlite3.connect(database) as connection:
        cursor = connection.execute(f"SELECT {', '.join(columns)} FROM records ORDER BY unique_id")
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=False)


def _store_clusters(frame: pd.DataFrame, database: Path) -> None:
    import sqlite3

    rows = zip(frame["unique_id"].tolist(), frame["cluster_id"].tolist(), strict=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE clusters (unique_id PRIMARY KEY, cluster_id)")
        connection.executemany("INSERT INTO clusters VALUES (?, ?)", rows)
