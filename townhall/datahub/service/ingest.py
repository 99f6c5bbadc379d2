"""Ingest a service's extract under its contract: check, standardise, find UPRNs, load in bulk.

The new extract replaces the source's previous one inside the caller's transaction (delete old, insert
new), so readers see the old records or the new ones, never a mixture. Rows that cannot be trusted go to
the quarantine table with the reason; none is dropped silently. A file whose columns differ from the
contract, or that has no rows, is refused before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from townhall.datahub.contracts import (
    ExtractError,
    SourceContract,
    check_extract_columns,
    record_ids,
    standardise_extract,
)
from townhall.datahub.models import DatahubRecord, IngestBatch, OfficerDecision, QuarantinedRow, key_of_source
from townhall.datahub.service.uprns import MATCH_METHODS, gazetteer_addresses, match_uprns
from townhall.datahub.service.writes import roomy_sqlite_cache
from townhall.db import table_of
from townhall.platform import clock
from townhall.platform.bulk import bulk_insert
from townhall.platform.errors import InvalidInput
from townhall.platform.progress import ProgressCallback

if TYPE_CHECKING:
    import pandas as pd

RECORD_COLUMNS = (
    "record_key",
    "source",
    "source_record_id",
    "first_name",
    "middle_name",
    "last_name",
    "first_name_canonical",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "uprn",
    "uprn_match",
    "address_is_home",
    "facts",
)


INGEST_STEPS = ("check and standardise", "match addresses to UPRNs", "load records")


@dataclass(frozen=True, slots=True)
class IngestReport:
    source: str
    batch_id: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    replaced_records: int
    uprns_matched: dict[str, int]
    decisions_forgotten: int = 0  # officers' decisions about records the new extract no longer has


def read_extract(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    """A CSV or Parquet extract as text columns (blank cells missing); a clear error for anything else.

    ``encoding`` is the source contract's, for CSV files; UTF-8 may start with a byte-order mark.
    """
    import pandas as pd

    if not path.is_file():
        raise InvalidInput(f"There is no file at {path}.")
    suffix = path.suffix.lower()
    csv_encoding = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        if suffix == ".csv":
            _refuse_repeated_columns(path, csv_encoding)
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=csv_encoding)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{path.name} is empty: it has no header and no rows.") from None
    except UnicodeDecodeError as error:
        raise InvalidInput(_not_in_encoding(path, encoding, error)) from None
    except (ValueError, OSError) as error:
        raise InvalidInput(f"{path.name} could not be read: {error}") from None
    raise InvalidInput(f"{path.name} is not a CSV or Parquet file (the name must end .csv or .parquet).")


def _refuse_repeated_columns(path: Path, encoding: str) -> None:
    """A header that names a column twice is refused by name (pandas would rename the second "NAME.1")."""
    with path.open(encoding=encoding, newline="") as file:
        try:
            header = next(csv.reader(file), [])
        except csv.Error as error:  # a field over the csv module's limit (128 KB), say: not a header
            raise InvalidInput(f"{path.name}'s header row could not be read ({error}). Nothing was loaded.") from None
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InvalidInput(
            f"{path.name} names the column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)} more than once "
            "in its header, so its values cannot be told apart. Nothing was loaded."
        )


def _not_in_encoding(path: Path, encoding: str, error: UnicodeDecodeError) -> str:
    """Where the file stops being ``encoding`` text, and what to do about it."""
    byte = error.object[error.start : error.start + 1].hex().upper()
    advice = (
        'If the system that exports it writes Windows-1252 (as Excel\'s "CSV" does), set encoding = "cp1252" in '
        "the source's contract."
        if codecs.lookup(encoding).name == "utf-8"
        else "Check the encoding in the source's contract."
    )
    return (
        f"{path.name} is not {encoding} text: byte {byte} at position {error.start:,} cannot be read. "
        f"Nothing was loaded. {advice}"
    )


def ingest_extract(
    session: Session,
    *,
    contract: SourceContract,
    raw: pd.DataFrame,
    file_name: str,
    today: date,
    gazetteer: pd.DataFrame | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Load one extract for ``contract``'s source, replacing its previous extract. Never commits.

    ``gazetteer`` (``uprns.gazetteer_addresses``) saves reading the gazetteer again when loading several
    extracts in a row; by default it is read from the database. An extract that looks wrong is refused and the
    previous one kept (``looks_wrong``) unless ``force``; one in which no row can be loaded is always refused.
    """
    try:
        check_extract_columns(contract, raw)
    except ExtractError as error:
        raise InvalidInput(f"{file_name}: {error}. Nothing was loaded.") from None
    report = progress or (lambda what, done, total: None)  # each step shown from its start, done at its end
    report(INGEST_STEPS[0], 0, 1)
    clean, quarantine = standardise_extract(contract, raw, today=today)
    # the records the source still has: those loaded and those held back in quarantine this time
    still_held = set(clean["unique_id"]) | _quarantined_keys(quarantine, contract)
    previous = _record_keys(session, contract.name)
    problem = looks_wrong(len(clean), quarantine["reason"], len(previous), force=force) or _ids_changed(
        previous, still_held, force=force
    )
    if problem:
        raise InvalidInput(f"{file_name}: {problem}")
    report(INGEST_STEPS[0], 1, 1)
    report(INGEST_STEPS[1], 0, 1)
    clean = match_uprns(clean, gazetteer if gazetteer is not None else gazetteer_addresses(session))
    report(INGEST_STEPS[1], 1, 1)
    report(INGEST_STEPS[2], 0, 1)
    methods = {method: int((clean["uprn_match"] == method).sum()) for method in MATCH_METHODS}
    connection = session.connection()
    replaced = _remove_previous(session, contract.name)
    batch_id = connection.execute(
        insert(table_of(IngestBatch)).values(
            source=contract.name,
            file_name=file_name,
            ingested_at=clock.now(),
            rows_read=len(raw),
            rows_loaded=len(clean),
            rows_quarantined=len(quarantine),
            uprns_matched=methods,
            contract=contract.model_dump(mode="json"),
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    with roomy_sqlite_cache(connection):
        bulk_insert(connection, DatahubRecord, RECORD_COLUMNS, _record_rows(clean), dates_as_text=True)
        bulk_insert(
            connection,
            QuarantinedRow,
            ("batch_id", "source", "row_number", "reason", "raw"),
            _quarantine_rows(quarantine, batch_id, contract.name),
        )
    forgotten = _forget_decisions_about_departed(session, contract.name, still_held)
    report(INGEST_STEPS[2], 1, 1)
    return IngestReport(
        contract.name, batch_id, len(raw), len(clean), len(quarantine), replaced, methods, decisions_forgotten=forgotten
    )


# An extract with more of its rows quarantined than this, or that would leave fewer than this share of the
# source's records, is more likely a changed export (a new date format, a truncated file) than a true change
MOST_ROWS_QUARANTINED = 0.5
LEAST_RECORDS_KEPT = 0.5


def looks_wrong(loaded: int, reasons: pd.Series, previous: int, *, force: bool = False) -> str | None:
    """Why an extract should not replace the source's previous one, or None.

    ``loaded`` rows would be loaded, ``reasons`` are the quarantined rows' reasons and ``previous`` the source's
    records now. No loadable row at all is always refused: loading it would say everyone left. Most rows
    quarantined, or fewer than half the records kept, is refused unless ``force``.
    """
    quarantined = len(reasons)
    kept = "Nothing was loaded; the previous extract is kept."
    if loaded == 0:
        return f"none of its {quarantined:,} rows can be loaded ({_commonest(reasons)}). {kept}"
    if force:
        return None
    if quarantined > MOST_ROWS_QUARANTINED * (loaded + quarantined):
        return (
            f"{quarantined:,} of its {loaded + quarantined:,} rows would be quarantined ({_commonest(reasons)}), "
            f"so the export has probably changed. {kept} Fix the extract or the contract, or load it anyway with "
            "--force."
        )
    if previous and loaded < LEAST_RECORDS_KEPT * previous:
        return (
            f"it would replace the source's {previous:,} records with {loaded:,}, fewer than half, so the file may be "
            f"cut short. {kept} If the source really has shrunk, load it with --force."
        )
    return None


def _commonest(reasons: pd.Series) -> str:
    """The commonest reason, with the quoted values that differ from row to row left out."""
    shapes = reasons.astype(str)
    for varying, stand_in in ((r"'[^']*'", "'…'"), (r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b", "…"), (r"\([0-9,]+\)", "(…)")):
        shapes = shapes.str.replace(varying, stand_in, regex=True)
    shape, count = next(iter(shapes.value_counts().items()))
    return f"the commonest reason, for {count:,} rows: {shape}"


def _ids_changed(previous: set[str], still_held: set[str], *, force: bool) -> str | None:
    """Why an extract whose record identifiers mostly differ from the previous extract's should not load, or
    None. Changed identifiers (padded with spaces, leading zeros lost, a new numbering) would cut every person
    id, link and officer's decision that hangs on the old ones, so it takes ``force`` to load them."""
    if force or not previous:
        return None
    kept = len(previous & still_held)
    if kept >= LEAST_RECORDS_KEPT * len(previous):
        return None
    return (
        f"only {kept:,} of the {len(previous):,} record identifiers in the source's previous extract are in this one, "
        "so the identifiers may have changed form (spaces, leading zeros, a new numbering). Loading it would cut "
        "the person ids, links and officers' decisions that hang on them. Nothing was loaded; the previous extract "
        "is kept. If the source really has renumbered its records, load it with --force."
    )


def _quarantined_keys(quarantine: pd.DataFrame, contract: SourceContract) -> set[str]:
    """The record keys of the rows held back (those that have an identifier)."""
    if quarantine.empty:
        return set()
    ids = record_ids(quarantine[contract.columns.source_id]).dropna()
    return set(contract.name + ":" + ids)


def _record_keys(session: Session, source: str) -> set[str]:
    """The keys of the records the hub holds from ``source`` now."""
    return set(session.scalars(select(DatahubRecord.record_key).where(DatahubRecord.source == source)))


def _remove_previous(session: Session, source: str) -> int:
    """Delete the source's previous records and quarantine (same transaction as the new load)."""
    replaced = session.execute(delete(DatahubRecord).where(DatahubRecord.source == source)).rowcount  # type: ignore[attr-defined]
    session.execute(delete(QuarantinedRow).where(QuarantinedRow.source == source))
    return int(replaced or 0)


def _forget_decisions_about_departed(session: Session, source: str, still_held: set[str]) -> int:
    """Delete officers' decisions naming a record of ``source`` that its new extract no longer has; how many.

    The hub holds a source's records only as long as its latest extract does, and a decision's reason is free text
    about the resident: it goes when the record goes, not years later. A record the new extract holds back in
    quarantine (a mistyped date, say) has not gone: decisions about it stay, for when it is loaded again.
    """
    named = session.execute(
        select(OfficerDecision.id, OfficerDecision.record_a, OfficerDecision.record_b).where(
            or_(key_of_source(OfficerDecision.record_a, source), key_of_source(OfficerDecision.record_b, source))
        )
    ).all()
    departed = [
        decision_id
        for decision_id, *keys in named
        if any(key.startswith(f"{source}:") and key not in still_held for key in keys)
    ]
    if departed:
        session.execute(delete(OfficerDecision).where(OfficerDecision.id.in_(departed)))
    return len(departed)


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, str | int | bool) else str(value)


def _record_rows(clean: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """Rows in ``RECORD_COLUMNS`` order, as plain Python values (the SQLite driver stores NumPy ints as bytes),
    sorted by record key so the primary key's index grows at its end (``writes``). Each column is put in key
    order as a whole and the rows zipped lazily from the columns: a million rows built as lists of lists cost
    seconds. Dates of birth stay ISO text, which both databases read as dates."""
    import numpy as np

    keys = _text_column(clean, "unique_id")
    # Python's sort of the keys: three times faster than NumPy's argsort on an object array
    order = sorted(range(len(keys)), key=keys.__getitem__)
    columns: list[Any] = []
    for column in RECORD_COLUMNS:
        if column == "record_key":
            values = keys
        elif column == "uprn":
            values = np.array([int(text) if isinstance(text, str) else None for text in clean["uprn"]], dtype=object)
        elif column == "facts":
            values = np.array(_facts_json(clean), dtype=object)
        else:
            values = _text_column(clean, column)
        columns.append(values[order].tolist())
    return zip(*columns, strict=True)


def _text_column(clean: pd.DataFrame, name: str) -> Any:
    """A text column as an object array, missing values (None or NaN) as None."""
    return clean[name].to_numpy(dtype=object, na_value=None)


def _facts_json(clean: pd.DataFrame) -> list[str]:
    """Each row's service facts as a JSON object (text, or null where blank). Each distinct value of a fact is
    encoded once and the rows' objects put together from those pieces: a fact has few distinct values (a band,
    a start date), and ``json.dumps`` per row took ten seconds a million rows, pandas' ``to_json`` one."""
    import numpy as np
    import pandas as pd

    fact_columns = [c for c in clean.columns if c.startswith("fact_")]
    if not fact_columns or clean.empty:
        return ["{}"] * len(clean)
    pieces = []
    for column in fact_columns:
        values = clean[column].astype(object)
        values = values.where(values.notna(), None)  # NaN and NaT as None, which is JSON's null
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            # other than text (a Parquet extract's numbers, dates): as text, as the JSON column stores them
            values = values.map(_fact_value)
        codes, distinct = pd.factorize(values)  # a missing value's code is -1: the last piece, null
        encoded = np.array([json.dumps(value) for value in distinct] + ["null"], dtype=object)
        pieces.append(encoded[codes].tolist())
    template = "{" + ", ".join(f"{json.dumps(c.removeprefix('fact_'))}: %s" for c in fact_columns) + "}"
    return [template % row for row in zip(*pieces, strict=True)]


def _fact_value(value: Any) -> Any:
    """A service fact as the JSON column keeps it: text, a whole number or true/false as they are; a date or a
    date-time (a Parquet extract's) as ISO text, the date alone at midnight, so the household view can read it
    as a date; anything else as its text."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _quarantine_rows(quarantine: pd.DataFrame, batch_id: int, source: str) -> Any:
    raw_columns = [c for c in quarantine.columns if c not in ("row_number", "reason")]
    for row in quarantine.to_dict("records"):
        raw = {str(column): _text(row[column]) for column in raw_columns}
        yield (batch_id, source, int(row["row_number"]), str(row["reason"]), json.dumps(raw))


def latest_batches(session: Session) -> list[IngestBatch]:
    """The batch that holds each source's records now, by source name."""
    newest = select(IngestBatch.source, IngestBatch.id).order_by(IngestBatch.source, IngestBatch.id.desc())
    seen: dict[str, int] = {}
    for source, batch_id in session.execute(newest):
        seen.setdefault(source, batch_id)
    if not seen:
        return []
    return list(
        session.scalars(select(IngestBatch).where(IngestBatch.id.in_(seen.values())).order_by(IngestBatch.source))
    )
