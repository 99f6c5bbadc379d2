"""A linkage run over the ingested records: link, honour officers' decisions, keep person ids stable, find
households, and write it all back to the main database in bulk (the web application reads it there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from townhall.datahub.contracts import SourceContract
from townhall.datahub.linkage import MODEL_COLUMNS, Engine, LinkageConfig, TrainingFailed, link_people
from townhall.datahub.models import (
    DatahubRecord,
    LinkageEvent,
    LinkageRun,
    LinkedPerson,
    MatchEvidence,
    OfficerDecision,
    PersonRecord,
)
from townhall.datahub.service.writes import indexes_built_after, roomy_sqlite_cache
from townhall.datahub.stable_ids import ConflictingDecisionsError, Merge, apply_officer_decisions, assign_stable_ids
from townhall.datahub.stable_ids import OfficerDecision as Decision
from townhall.platform import clock
from townhall.platform.bulk import bulk_insert, collector_paused
from townhall.platform.errors import InvalidInput
from townhall.platform.progress import ProgressCallback

if TYPE_CHECKING:
    import pandas as pd

STEPS = ("read records", "link and cluster", "stable ids", "write results")


@dataclass(frozen=True, slots=True)
class LinkageReport:
    run_id: int
    records: int
    people: int
    households: int
    matched_pairs: int
    merges: int
    splits: int
    decisions_applied: int


# The columns a run reads: the model's (but its full name, made in SQL), how the UPRN was found
LINKED_COLUMNS = (*(c for c in MODEL_COLUMNS if c != "first_and_last_name"), "uprn_match")


def load_records(session: Session) -> pd.DataFrame:
    """The ingested records in key order, in the columns a run needs (``LINKED_COLUMNS``), all text.

    Dates of birth and UPRNs become text in the query, so the million values need no pass in pandas.
    """
    import pandas as pd

    selected = {column: column for column in LINKED_COLUMNS}
    selected["unique_id"] = "record_key"
    selected["uprn"] = "CAST(uprn AS TEXT)"  # '123', as the model compares it; NULL stays NULL
    if session.connection().dialect.name == "postgresql":  # a date there, ISO text already on SQLite
        selected["date_of_birth"] = "to_char(date_of_birth, 'YYYY-MM-DD')"
    columns = ", ".join(f"{expression} AS {name}" for name, expression in selected.items())
    sql = f"SELECT {columns} FROM datahub_records ORDER BY record_key"  # noqa: S608 - fixed names
    names, rows = _fetch_all(session, sql)
    return pd.DataFrame.from_records(rows, columns=names, coerce_float=False)


def _fetch_all(session: Session, sql: str) -> tuple[list[str], Sequence[Any]]:
    """(column names, rows) of a fixed query through the driver's own cursor: a million rows arrive without
    SQLAlchemy building a Row object for each (a million record-person pairs: 2.8 s with Row objects, 0.8 s without)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return [description[0] for description in cursor.description], cursor.fetchall()
    finally:
        cursor.close()


def record_sources(session: Session) -> list[str]:
    """The sources that have records ingested, by name."""
    return list(session.scalars(select(DatahubRecord.source).distinct().order_by(DatahubRecord.source)))


def any_linkage_run(session: Session) -> bool:
    """Whether `townhall datahub link` has ever run on this database."""
    return session.scalar(select(LinkageRun.id).limit(1)) is not None


def needs_first_linkage(session: Session) -> bool:
    """True when records have been ingested but never linked (no run yet)."""
    has_records = session.scalar(select(DatahubRecord.record_key).limit(1)) is not None
    return has_records and not any_linkage_run(session)


def linkage_input(records: pd.DataFrame, *, inferred_uprns: bool = True) -> pd.DataFrame:
    """The records as the model sees them; with ``inferred_uprns`` false, only UPRNs the source itself gave.

    UPRNs the gazetteer matcher inferred are good evidence in a realistic population (the test council's
    recall is 0.95 with them, 0.90 without), but among a million people, many sharing their full name with
    someone else, they also make relatives at one address look alike (docs/benchmarks.md).
    """
    if inferred_uprns:
        return records
    return records.assign(uprn=records["uprn"].where(records["uprn_match"] == "source", None))


@collector_paused()
def run_linkage(
    session: Session,
    *,
    contracts: Mapping[str, SourceContract],
    engine: Engine = "duckdb",
    config: LinkageConfig | None = None,
    progress: ProgressCallback | None = None,
    spark: Any = None,
    reuse_model: bool = False,
    inferred_uprns: bool = True,
) -> LinkageReport:
    """Link every ingested record into lasting people and households. Never commits.

    ``contracts`` are the usable contracts by source; records of any other source make the run refuse.
    ``reuse_model`` scores with the latest run's trained model instead of training a new one (faster, and
    the same evidence means the same decisions from run to run). ``inferred_uprns`` false links on the
    UPRNs sources gave only (see ``linkage_input``); households use matched UPRNs either way.
    """
    config = config or LinkageConfig()
    report = progress or (lambda what, done, total: None)
    started = clock.now()
    records = load_records(session)
    if records.empty:
        raise InvalidInput("There are no ingested records to link: ingest some extracts first.")
    unusable = sorted(set(records["source"]) - set(contracts))
    if unusable:
        raise InvalidInput(
            f"Records from {', '.join(unusable)} cannot be linked: the source has no usable contract "
            "(lawful basis and purposes). Fix the contract or re-ingest without that source."
        )
    report(STEPS[0], 1, 1)
    model_records = linkage_input(records, inferred_uprns=inferred_uprns)
    previous_run = session.scalar(select(LinkageRun).order_by(LinkageRun.id.desc()).limit(1)) if reuse_model else None
    if reuse_model and previous_run is None:
        raise InvalidInput("There is no earlier run whose model could be reused: link once without reusing.")
    model = previous_run.model if previous_run is not None else None
    try:
        result = link_people(model_records, config=config, engine=engine, spark=spark, model=model)
    except TrainingFailed as error:
        how_many = f"{len(records):,} record{'' if len(records) == 1 else 's'}"
        raise InvalidInput(
            f"The linkage model could not be trained on {how_many} ({error}). Training without "
            "labels learns from records that share names, dates of birth and addresses across sources, so it needs "
            "many of them: link when more extracts are in, or score with an earlier run's model (--reuse-model)."
        ) from None
    report(STEPS[1], 1, 1)
    clusters = dict(zip(result.clusters["unique_id"].tolist(), result.clusters["cluster_id"].tolist(), strict=True))
    edges = zip(
        result.edges["unique_id_l"].tolist(),
        result.edges["unique_id_r"].tolist(),
        result.edges["match_probability"].tolist(),
        strict=True,
    )
    decisions = _decisions(session)
    try:
        clusters = apply_officer_decisions(clusters, edges, decisions)
    except ConflictingDecisionsError as error:
        raise InvalidInput(f"Officers' decisions contradict each other; resolve them first: {error}") from None
    previous, issued = _previous_assignment(session)
    stable = assign_stable_ids(previous, clusters, issued_up_to=issued)
    report(STEPS[2], 1, 1)
    people = _people(records, stable.person_ids, contracts)
    run = LinkageRun(
        started_at=started,
        finished_at=clock.now(),
        engine=engine,
        threshold=config.threshold,
        parameters={
            **asdict(config),
            "model_from_run": previous_run.id if previous_run else None,
            "inferred_uprns": inferred_uprns,
        },
        metrics={},
        model=result.model,
        issued_up_to=stable.issued_up_to,
    )
    session.add(run)
    session.flush()
    _write(session, run.id, stable.person_ids, people, result.edges, stable.events)
    merges = sum(isinstance(event, Merge) for event in stable.events)
    summary = LinkageReport(
        run_id=run.id,
        records=len(records),
        people=len(people),
        households=int(people["household_id"].nunique()),
        matched_pairs=len(result.edges),
        merges=merges,
        splits=len(stable.events) - merges,
        decisions_applied=len(decisions),
    )
    run.metrics = {k: v for k, v in asdict(summary).items() if k != "run_id"}
    run.finished_at = clock.now()
    report(STEPS[3], 1, 1)
    return summary


def _decisions(session: Session) -> list[Decision]:
    rows = session.execute(
        select(OfficerDecision.record_a, OfficerDecision.record_b, OfficerDecision.same_person).order_by(
            OfficerDecision.decided_at, OfficerDecision.id
        )
    )
    return [Decision(a, b, same) for a, b, same in rows]


def _previous_assignment(session: Session) -> tuple[dict[str, str], int | None]:
    _, rows = _fetch_all(session, "SELECT record_key, person_id FROM datahub_person_records")
    previous = dict(rows)
    issued = session.scalar(select(LinkageRun.issued_up_to).order_by(LinkageRun.id.desc()).limit(1))
    return previous, issued


def _people(
    records: pd.DataFrame, person_ids: Mapping[str, str], contracts: Mapping[str, SourceContract]
) -> pd.DataFrame:
    """One row per person: how many records, their current UPRN and household.

    The current UPRN is the one most of the person's home addresses give (records of sources whose address
    is not a home, such as incident locations, do not count); a tie goes to the smaller UPRN. People
    sharing a current UPRN are one household, ``H<uprn>``: it lasts as long as the address does.
    """
    import duckdb
    import pandas as pd

    frame = pd.DataFrame(
        {
            "person_id": records["unique_id"].map(person_ids).to_numpy(dtype=object),
            "source": records["source"].to_numpy(dtype=object),
            "uprn": records["uprn"].to_numpy(dtype=object),
        }
    )
    homes = sorted(name for name, contract in contracts.items() if contract.address_is_home)
    with duckdb.connect() as database:
        database.register("records", frame)
        return database.execute(_PEOPLE_SQL, [homes]).df()


# Counted and voted in DuckDB: pandas group-bys on a million text keys took seconds
_PEOPLE_SQL = """
WITH counts AS (SELECT person_id, count(*) AS records FROM records GROUP BY person_id),
votes AS (
    SELECT person_id, CAST(uprn AS BIGINT) AS uprn, count(*) AS votes
    FROM records WHERE uprn IS NOT NULL AND list_contains(CAST(? AS VARCHAR[]), source)
    GROUP BY person_id, CAST(uprn AS BIGINT)
),
current AS (
    SELECT person_id, uprn FROM votes
    QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY votes DESC, uprn) = 1
)
SELECT c.person_id, c.records, cur.uprn, 'H' || CAST(cur.uprn AS VARCHAR) AS household_id
FROM counts c LEFT JOIN current cur USING (person_id)
ORDER BY c.person_id
"""


def _write(
    session: Session,
    run_id: int,
    person_ids: Mapping[str, str],
    people: pd.DataFrame,
    edges: pd.DataFrame,
    events: list[Any],
) -> None:
    """Replace the latest assignment, people and match evidence with this run's, in bulk."""
    for model in (PersonRecord, LinkedPerson, MatchEvidence):
        session.execute(delete(model))
    connection = session.connection()
    with roomy_sqlite_cache(connection), indexes_built_after(connection, (PersonRecord, LinkedPerson, MatchEvidence)):
        # each table's rows in primary-key order, so its index grows at the end (``writes``)
        bulk_insert(
            connection,
            PersonRecord,
            ("record_key", "person_id"),
            sorted(person_ids.items()),
        )
        bulk_insert(
            connection,
            LinkedPerson,
            ("person_id", "records", "uprn", "household_id"),
            _people_rows(people),
        )
        bulk_insert(
            connection,
            MatchEvidence,
            ("record_l", "record_r", "match_weight", "match_probability"),
            _match_rows(edges),
        )
        bulk_insert(
            connection,
            LinkageEvent,
            ("run_id", "kind", "person_id", "others"),
            (
                (
                    run_id,
                    "merge" if isinstance(e, Merge) else "split",
                    e.person_id,
                    _json(list(e.merged_from if isinstance(e, Merge) else e.into)),
                )
                for e in events
            ),
        )


def _people_rows(people: pd.DataFrame) -> Any:
    """People in person id order (as ``_people`` gives them), as plain Python values."""
    uprns = people["uprn"].astype(object).where(people["uprn"].notna(), None).tolist()
    households = people["household_id"].astype(object).where(people["household_id"].notna(), None).tolist()
    return zip(
        people["person_id"].tolist(),
        people["records"].astype(int).tolist(),
        [None if uprn is None else int(uprn) for uprn in uprns],
        households,
        strict=True,
    )


def _match_rows(edges: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Each matched pair once, the smaller record key first, in key order."""
    import numpy as np

    left, right = edges["unique_id_l"].to_numpy(dtype=object), edges["unique_id_r"].to_numpy(dtype=object)
    first = left < right
    low, high = np.where(first, left, right).tolist(), np.where(first, right, left).tolist()
    rows = zip(
        low,
        high,
        edges["match_weight"].astype(float).tolist(),
        edges["match_probability"].astype(float).tolist(),
        strict=True,
    )
    return sorted(rows, key=itemgetter(0, 1))


def _json(value: Any) -> str:
    import json

    return json.dumps(value)
