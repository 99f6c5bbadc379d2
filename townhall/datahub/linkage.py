"""Link standardised person records from many sources into people, with a Splink model built for UK data.

``link_people(records)`` trains the model without labels (u by random sampling, the prior from strict
deterministic rules, m by expectation maximisation over two blocking rules), scores candidate pairs and
clusters them at a match-probability threshold. The same settings run on DuckDB (default, one machine) or on
Spark (``engine="spark"``), and a model trained once can be reused on either engine via ``model=``.

Records are the common person record from ``contracts.standardise_extract`` (``PERSON_COLUMNS``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Engine = Literal["duckdb", "spark"]
MODEL_COLUMNS = (
    "unique_id", "source", "first_name", "last_name", "first_name_canonical", "first_and_last_name",
    "date_of_birth", "sex", "postcode", "uprn", "address_is_home",
)  # fmt: skip
DOB_DISAGREE_M = 0.002  # share of true matches whose dates of birth disagree beyond the levels above
_SECTOR = "^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]"
_DISTRICT = "^[A-Z]{1,2}[0-9][A-Z0-9]?"


@dataclass(frozen=True)
class LinkageConfig:
    """Choices a council may tune; the defaults are the ones the benchmark measures."""

    # Match probability at which two records are joined into one person. 0.95 is the best or within 0.002 of
    # the best pairwise F1 at 300,000 and 1,000,000 records on two seeds (docs/datahub-linkage.md, Threshold)
    threshold: float = 0.95
    u_max_pairs: float = 5e6  # random pairs for u; more is slower and only slightly more precise
    em_max_pairs: float | None = 2e6  # cap on the pairs EM sees per blocking rule
    deterministic_recall: float = 0.8  # how many true matches the strict rules are believed to find
    seed: int = 20250401


@dataclass
class LinkageResult:
    clusters: pd.DataFrame  # unique_id, cluster_id
    edges: pd.DataFrame  # unique_id_l, unique_id_r, match_weight, match_probability (at or above threshold)
    model: dict[str, Any]  # Splink settings with trained parameters; pass back as ``model=`` to reuse
    linker: Any  # the Splink linker, for explanations; tied to the engine's session


def _name_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    first, last, canonical = "first_name", "last_name", "first_name_canonical"
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="First and last name together, so swaps and surname changes are levels",
        comparison_levels=[
            cll.And(cll.NullLevel(first), cll.NullLevel(last)),
            cll.ExactMatchLevel("first_and_last_name").configure(
                tf_adjustment_column="first_and_last_name", label_for_charts="Exact first and last name"
            ),
            cll.ColumnsReversedLevel(first, last, symmetrical=True).configure(
                label_for_charts="First and last name swapped"
            ),
            cll.And(cll.ExactMatchLevel(canonical), cll.ExactMatchLevel(last)).configure(
                label_for_charts="Same formal first name (nickname) and last name"
            ),
            cll.And(cll.JaroWinklerLevel(first, 0.92), cll.ExactMatchLevel(last)).configure(
                label_for_charts="First name Jaro-Winkler >= 0.92, same last name"
            ),
            cll.And(cll.ExactMatchLevel(canonical), cll.JaroWinklerLevel(last, 0.92)).configure(
                label_for_charts="Same formal first name, last name Jaro-Winkler >= 0.92"
            ),
            cll.And(cll.JaroWinklerLevel(first, 0.88), cll.JaroWinklerLevel(last, 0.88)).configure(
                label_for_charts="Both names Jaro-Winkler >= 0.88"
            ),
            cll.ExactMatchLevel(canonical).configure(
                tf_adjustment_column=canonical,
                label_for_charts="Same formal first name only (surname change)",
            ),
            # Not adjusted for the surname's rarity: a rare surname shared at one address marks a family
            # (a parent and child, a couple), and the adjustment let it outweigh two different first names
            cll.ExactMatchLevel(last).configure(label_for_charts="Same last name only"),
            cll.ElseLevel(),
        ],
    )


def _date_of_birth_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    # ISO text: yyyy-mm-dd, so month is characters 6-7 and day 9-10 in both DuckDB and Spark SQL
    transposed = (
        "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4)"
        " AND substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2)"
        " AND substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)"
    )
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(transposed, label_for_charts="Day and month transposed"),
            cll.LevenshteinLevel("date_of_birth", 1).configure(label_for_charts="One character different"),
            cll.LevenshteinLevel("date_of_birth", 2).configure(label_for_charts="Two characters different"),
            # EM cannot tell a father and son of the same name at one address from one person, so it
            # overstates how often one person's dates of birth disagree outright. We fix that m instead:
            # beyond a transposition or two typed characters, disagreement is rare for the same person.
            cll.ElseLevel().configure(m_probability=DOB_DISAGREE_M, fix_m_probability=True),
        ],
    )


def _address_comparison() -> Any:
    """UPRN and postcode as one comparison: two records at the same property also share a postcode, and
    counting both as independent evidence would let any two members of a household outscore a name."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import ColumnExpression

    postcode = ColumnExpression("postcode")
    neither_known = "(postcode_l IS NULL OR postcode_r IS NULL) AND (uprn_l IS NULL OR uprn_r IS NULL)"
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(neither_known, label_for_charts="No postcode or UPRN to compare").configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("uprn").configure(label_for_charts="Same property (UPRN)"),
            cll.ExactMatchLevel("postcode").configure(label_for_charts="Same postcode"),
            cll.ExactMatchLevel(postcode.regex_extract(_SECTOR)).configure(label_for_charts="Same postcode sector"),
            cll.ExactMatchLevel(postcode.regex_extract(_DISTRICT)).configure(label_for_charts="Same postcode district"),
            # An incident's location differs from where the person lives far more often than two home
            # addresses of one person differ, so that disagreement is weaker evidence against a match
            cll.CustomLevel(
                "address_is_home_l = 'N' OR address_is_home_r = 'N'",
                label_for_charts="Different places, one not a home (e.g. an incident)",
            ),
            cll.ElseLevel(),
        ],
    )


def person_model_settings() -> Any:
    """The Splink ``SettingsCreator`` for UK person records: comparisons and prediction blocking rules."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _name_comparison(),
            _date_of_birth_comparison(),
            _address_comparison(),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name_canonical", "last_name"),
            block_on("date_of_birth", "last_name"),
            block_on("date_of_birth", "first_name_canonical"),
            block_on("date_of_birth", "postcode"),
            block_on("postcode", "first_name_canonical"),
            block_on("postcode", "last_name"),
            CustomRule("l.first_name = r.last_name AND l.last_name = r.first_name"),
        ],
        additional_columns_to_retain=["source"],
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
    )


class TrainingFailed(ValueError):
    """The model could not be estimated from these records (too few, or too few that look alike)."""


def train_person_model(linker: Any, config: LinkageConfig) -> None:
    """Estimate the model's parameters in place, without labels; TrainingFailed if the records do not allow it.

    Splink fails in several ways on too little data: no pair for a training rule (EMTrainingException), no
    deterministic match to set the prior from (a logarithm of zero, ValueError) or no pair at all
    (ZeroDivisionError). All mean the same to a council: there is not enough data to learn from yet.
    """
    from splink.internals.exceptions import EMTrainingException

    try:
        _estimate_parameters(linker, config)
    except (EMTrainingException, ValueError, ZeroDivisionError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TrainingFailed(first_line) from error


def _estimate_parameters(linker: Any, config: LinkageConfig) -> None:
    from splink import block_on

    strict_rules = [
        block_on("first_name", "last_name", "date_of_birth"),
        block_on("first_name_canonical", "date_of_birth", "postcode"),
    ]
    linker.training.estimate_probability_two_random_records_match(strict_rules, recall=config.deterministic_recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    # Each EM pass learns m for the comparisons its blocking rule does not fix: names and places when
    # blocking on date of birth, dates of birth and places when blocking on names.
    for rule in (block_on("date_of_birth"), block_on("first_name_canonical", "last_name")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=config.em_max_pairs
        )


def model_input(records: pd.DataFrame) -> pd.DataFrame:
    """The columns the model reads, with the full-name column its term frequencies use."""
    if "address_is_home" not in records.columns:  # records from before contracts said where people live
        records = records.assign(address_is_home="Y")
    frame = records.loc[:, [c for c in MODEL_COLUMNS if c != "first_and_last_name"]].copy()
    full = frame["first_name"].fillna("") + " " + frame["last_name"].fillna("")
    frame["first_and_last_name"] = full.where(frame["first_name"].notna() & frame["last_name"].notna(), None)
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.loc[:, list(MODEL_COLUMNS)]


def link_people(
    records: pd.DataFrame,
    *,
    config: LinkageConfig | None = None,
    model: dict[str, Any] | None = None,
    engine: Engine = "duckdb",
    spark: Any = None,
) -> LinkageResult:
    """Cluster person records into people.

    Trains a new model unless ``model`` (from a previous ``LinkageResult.model``) is given. ``engine="spark"``
    runs on ``spark`` (a SparkSession) or a local one made for the purpose. Clusters include every record,
    single-record clusters too; ``cluster_id`` is the smallest ``unique_id`` in the cluster.
    """
    from splink import Linker

    config = config or LinkageConfig()
    db_api = _database_api(engine, spark)
    if engine == "duckdb":
        table = db_api.register(_duckdb_model_table(db_api.duckdb_con, records), dataset_display_name="person_records")
    else:
        table = _register(db_api, model_input(records), engine)
    settings = _trained_settings(model, engine) if model is not None else person_model_settings()
    linker = Linker(table, settings, log_level=logging.WARNING)
    if model is None:
        train_person_model(linker, config)
    predictions = linker.inference.predict(threshold_match_probability=config.threshold)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=config.threshold
    )
    clusters = _columns(clustered, ["unique_id", "cluster_id"], engine)
    edges = _columns(predictions, ["unique_id_l", "unique_id_r", "match_weight", "match_probability"], engine)
    return LinkageResult(
        clusters=clusters.sort_values("unique_id", ignore_index=True),
        edges=edges,
        model=linker.misc.save_model_to_json(),
        linker=linker,
    )


def _duckdb_model_table(connection: Any, records: pd.DataFrame) -> str:
    """``model_input(records)`` made once, in SQL, as a table of DuckDB's own; its name.

    Registered as a pandas frame, the input is a view that every one of Splink's queries converts again,
    column of Python strings by column; and building the frame in pandas (the full name, None for NaN) cost
    a second per 200,000 records. Rows keep their order, so training samples the same pairs as before.
    """
    columns = [c for c in MODEL_COLUMNS if c != "first_and_last_name"]
    frame = records.assign(address_is_home="Y") if "address_is_home" not in records.columns else records
    frame = frame.loc[:, columns]
    # DuckDB reads None and NaN in text (object) columns as NULL; other columns are made text first
    for column in frame.columns[(frame.dtypes != "object").to_numpy()]:
        frame = frame.assign(**{column: frame[column].astype(object).where(frame[column].notna(), None)})
    selected = {column: f'CAST("{column}" AS VARCHAR)' for column in columns}
    selected["first_and_last_name"] = (
        "CASE WHEN first_name IS NOT NULL AND last_name IS NOT NULL THEN first_name || ' ' || last_name END"
    )
    select = ", ".join(f'{selected[column]} AS "{column}"' for column in MODEL_COLUMNS)
    connection.register("person_records_frame", frame)
    try:
        connection.execute(f"CREATE TABLE person_records_input AS SELECT {select} FROM person_records_frame")  # noqa: S608 - our names
    finally:
        connection.unregister("person_records_frame")
    return "person_records_input"


def _columns(table: Any, columns: list[str], engine: Engine) -> pd.DataFrame:
    """Only ``columns`` of a Splink table as a pandas frame. On DuckDB the other columns are never converted:
    the clusters carry every input column, a million rows of them, and the predictions two dozen."""
    if engine == "duckdb":
        frame: pd.DataFrame = table.as_duckdbpyrelation().project(", ".join(f'"{c}"' for c in columns)).df()
        return frame
    return table.as_pandas_dataframe()[columns]


def linker_for(records: pd.DataFrame, model: dict[str, Any], engine: Engine = "duckdb", spark: Any = None) -> Any:
    """A Splink linker holding ``model``'s trained parameters over ``records`` (``model_input`` rows), for
    scoring and explaining pairs without running a prediction."""
    from splink import Linker

    db_api = _database_api(engine, spark)
    table = _register(db_api, records, engine)
    return Linker(table, _trained_settings(model, engine), log_level=logging.WARNING)


def _trained_settings(model: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """Today's settings written in ``engine``'s SQL dialect, carrying ``model``'s trained parameters.

    A saved model holds SQL in the dialect it was trained on (DuckDB quotes names differently from Spark),
    so the parameters are copied level by level onto freshly generated settings instead.
    """
    dialect = "spark" if engine == "spark" else "duckdb"
    settings: dict[str, Any] = person_model_settings().create_settings_dict(dialect)
    trained = {comparison["output_column_name"]: comparison for comparison in model["comparisons"]}
    for comparison in settings["comparisons"]:
        levels = trained[comparison["output_column_name"]]["comparison_levels"]
        if len(levels) != len(comparison["comparison_levels"]):
            raise ValueError(f"the saved model's {comparison['output_column_name']} comparison has other levels")
        for level, trained_level in zip(comparison["comparison_levels"], levels, strict=True):
            for parameter in ("m_probability", "u_probability"):
                if trained_level.get(parameter) is not None:
                    level[parameter] = trained_level[parameter]
    settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return settings


def _database_api(engine: Engine, spark: Any) -> Any:
    if engine == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if engine == "spark":
        from splink import SparkAPI

        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark or local_spark_session(), break_lineage_method="persist"
        )
    raise ValueError(f"engine must be 'duckdb' or 'spark', not {engine!r}")


def _register(db_api: Any, frame: pd.DataFrame, engine: Engine) -> Any:
    if engine == "duckdb":
        return db_api.register(frame, dataset_display_name="person_records")
    from pyspark.sql.types import StringType, StructField, StructType

    # Every model column is text; an explicit schema stops Spark guessing types from columns that are all null
    schema = StructType([StructField(column, StringType(), nullable=True) for column in frame.columns])
    spark_frame = db_api.spark.createDataFrame(frame.to_dict("records"), schema=schema)
    return db_api.register(spark_frame, dataset_display_name="person_records")


def local_spark_session(cores: int = 2, memory: str = "2g") -> Any:
    """A local SparkSession with Splink's string-similarity functions loaded.

    One shuffle partition per core: Splink runs dozens of small queries, and each extra partition is
    another task to schedule. Other settings (for example ``spark.sql.codegen.wholeStage false`` for tiny
    inputs, as the tests use) come from ``spark-defaults.conf`` in ``SPARK_CONF_DIR`` as usual.
    """
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("townhall-datahub")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
