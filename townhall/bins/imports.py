"""Replacing the bin tables with a council's own files: streams, rounds, the rounds serving each property and
garden waste subscriptions. Use cases for `townhall bins import ...`: plain functions that never commit.

A file is the whole of what it holds (a round export is the whole network), so each import replaces its table.
Everything is checked first (`import_files`, then what the database holds); if anything is wrong, FileProblems
names it and nothing is written. Replacing never leaves a dangling reference:

- a stream that rounds collect, or a round that properties are served by, cannot be left out of the file; a
  re-organised network is loaded with the properties it serves, in one go (`import_rounds(properties_text=...)`);
- a round left out that has a change recorded for today or later (a Christmas arrangement residents may have
  been told about) is refused until the change is removed; its changes wholly in the past go with it.

Each import writes one audit entry (actor `system`, as the commands' do) in its transaction, last: the counts and
the file's name, never a UPRN, so the log says when the council's network was replaced and from which file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from townhall.bins.changes import long_date
from townhall.bins.import_files import (
    PropertyRow,
    RoundRow,
    StreamRow,
    garden_from_csv,
    property_rounds_from_csv,
    rounds_from_csv,
    streams_from_text,
)
from townhall.bins.models import BinRound, BinScheduleChange, BinStream, GardenSubscription, PropertyBinRound
from townhall.bins.schedule import Round, StreamCode, WasteStream, scheduled_dates
from townhall.places.models import Property
from townhall.platform.audit import SYSTEM, fitted_purpose, record_access
from townhall.platform.bulk import bulk_insert
from townhall.platform.csv_files import FileProblems

STREAMS_ACTION = "bins_streams_import"
ROUNDS_ACTION = "bins_rounds_import"
PROPERTIES_ACTION = "bins_properties_import"
GARDEN_ACTION = "bins_garden_import"


@dataclass(frozen=True, slots=True)
class StreamsReport:
    added: int
    updated: int
    removed: int


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of the gazetteer's properties have no round of each stream, after an import."""

    properties: int
    without: dict[str, int]  # stream code: properties with no round of it


@dataclass(frozen=True, slots=True)
class RoundsReport:
    added: int
    updated: int
    removed: int
    past_changes_removed: int
    stranded_changes: int  # changes from today whose day the round, as changed, no longer collects on
    coverage: Coverage | None  # when the properties were replaced too


@dataclass(frozen=True, slots=True)
class PropertiesReport:
    rows: int
    properties: int
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class GardenReport:
    subscriptions: int
    current: int  # covering today
    current_without_round: int  # covering today, at a property with no garden round: no collections for them


def _audit(session: Session, action: str, details: str, *, file_names: str) -> None:
    """One entry for an import, the files' names last (see `fitted_purpose`)."""
    record_access(session, actor=SYSTEM, action=action, purpose=fitted_purpose(f"{details}; {file_names}"))


def import_streams(session: Session, *, text: str, toml: bool, file_name: str) -> StreamsReport:
    """Replace the streams with the file `file_name`'s, audited; FileProblems if it is wrong or leaves out a
    stream rounds collect."""
    streams = streams_from_text(text, toml=toml)
    wanted = {stream.code for stream in streams}
    existing = set(session.scalars(select(BinStream.code)))
    in_use = dict(session.execute(select(BinRound.stream_code, func.count()).group_by(BinRound.stream_code)).all())
    left_out = sorted(existing - wanted)
    problems = [f"The stream '{code}' is not in the file, but {in_use[code]} rounds collect it: keep it in the file"
                for code in left_out if in_use.get(code)]  # fmt: skip
    if problems:
        raise FileProblems(problems)
    if left_out:
        session.execute(delete(BinStream).where(BinStream.code.in_(left_out)))
    _write(session, BinStream, [_stream_values(s) for s in streams], existing, key="code")
    session.flush()
    report = StreamsReport(len(wanted - existing), len(wanted & existing), len(left_out))
    _audit(session, STREAMS_ACTION, f"streams: {report.added} added, {report.updated} updated, {report.removed} "
           "removed", file_names=f"file {file_name}")  # fmt: skip
    return report


def _stream_values(stream: StreamRow) -> dict[str, object]:
    return {"code": stream.code, "name": stream.name, "colour": stream.colour, "accepts": stream.accepts}


def _round_values(round_: RoundRow) -> dict[str, object]:
    return {"id": round_.id, "stream_code": round_.stream_code, "weekday": round_.weekday,
            "frequency_weeks": round_.frequency_weeks, "reference_date": round_.reference_date}  # fmt: skip


def _write(
    session: Session, model: type[BinStream] | type[BinRound], rows: list[dict[str, object]], existing: set[str],
    *, key: str,
) -> None:  # fmt: skip
    """Update the rows whose key exists already (changes and rounds keep pointing at them), insert the others."""
    kept = [row for row in rows if row[key] in existing]
    new = [row for row in rows if row[key] not in existing]
    if kept:
        session.execute(update(model), kept)  # by primary key, in one executemany
    if new:
        columns = list(new[0])
        bulk_insert(session.connection(), model, columns, [[row[c] for c in columns] for row in new])


def import_rounds(
    session: Session, *, text: str, today: date, file_name: str, properties_text: str | None = None,
    properties_name: str = "",
) -> RoundsReport:  # fmt: skip
    """Replace the rounds with the file `file_name`'s (and, given `properties_text`, the rounds serving each
    property with that file's, in the same go), audited. FileProblems for a wrong line in either file, and for a
    round left out that properties are still served by or that has a change recorded from `today`."""
    streams = set(session.scalars(select(BinStream.code)))
    problems: list[str] = []
    rounds: list[RoundRow] = []
    try:
        rounds = rounds_from_csv(text, streams=streams)
    except FileProblems as error:
        problems.extend(error.problems)
    wanted = {round_.id for round_ in rounds}
    assignments = None
    if properties_text is not None:
        try:
            uprns = set(session.scalars(select(Property.uprn)))
            assignments = property_rounds_from_csv(properties_text, uprns=uprns, rounds=wanted)
        except FileProblems as error:
            problems.extend(f"{properties_name}: {problem}" for problem in error.problems)
    if problems:
        raise FileProblems(problems)
    existing = set(session.scalars(select(BinRound.id)))
    left_out = existing - wanted
    past_changes = _check_left_out(session, left_out, today, properties_replaced=assignments is not None)
    if assignments is not None:
        session.execute(delete(PropertyBinRound))
    if past_changes:
        session.execute(delete(BinScheduleChange).where(BinScheduleChange.id.in_(past_changes)))
    if left_out:
        session.execute(delete(BinRound).where(BinRound.id.in_(sorted(left_out))))
    _write(session, BinRound, [_round_values(r) for r in rounds], existing, key="id")
    coverage = None
    if assignments is not None:
        bulk_insert(session.connection(), PropertyBinRound, ("uprn", "round_id"), assignments)
        coverage = property_coverage(session)
    session.flush()
    stranded = _stranded_changes(session, rounds, today)
    report = RoundsReport(len(wanted - existing), len(wanted & existing), len(left_out), len(past_changes),
                          stranded, coverage)  # fmt: skip
    _audit_rounds(session, report, assignments, file_names=(file_name, properties_name))
    return report


def _audit_rounds(
    session: Session, report: RoundsReport, assignments: list[PropertyRow] | None, *, file_names: tuple[str, str]
) -> None:
    details = (f"rounds: {report.added} added, {report.updated} updated, {report.removed} removed (their past "
               f"changes removed with them: {report.past_changes_removed})")  # fmt: skip
    if assignments is None:
        _audit(session, ROUNDS_ACTION, details, file_names=f"file {file_names[0]}")
        return
    served = len({uprn for uprn, _ in assignments})
    _audit(session, ROUNDS_ACTION, f"{details}; properties' rounds replaced: {len(assignments)} rows, {served} "
           "properties", file_names=f"files {file_names[0]} and {file_names[1]}")  # fmt: skip


def _check_left_out(session: Session, left_out: set[str], today: date, *, properties_replaced: bool) -> list[int]:
    """The ids of the left-out rounds' past changes, to delete with them; FileProblems for a left-out round that
    still serves properties (unless they are replaced too) or has a change from `today`."""
    if not left_out:
        return []
    problems = []
    if not properties_replaced:
        served = session.execute(select(PropertyBinRound.round_id, func.count()).group_by(PropertyBinRound.round_id))
        problems += [
            f"Round {round_id} is not in the file, but {count:,} properties are served by it: keep it in the "
            "file, or load the rounds with the properties they serve (--properties FILE)"
            for round_id, count in sorted(served) if round_id in left_out
        ]  # fmt: skip
    query = select(BinScheduleChange).where(BinScheduleChange.round_id.is_not(None)).order_by(BinScheduleChange.id)
    past: list[int] = []
    coming: dict[str, list[BinScheduleChange]] = {}
    for change in session.scalars(query):
        if change.round_id not in left_out:
            continue
        if change.original_date < today and (change.new_date is None or change.new_date < today):
            past.append(change.id)
        else:
            coming.setdefault(change.round_id, []).append(change)
    for round_id, changes in sorted(coming.items()):
        days = ", ".join(f"{long_date(c.original_date)} (change {c.id})" for c in changes[:3])
        more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
        problems.append(f"Round {round_id} is not in the file, but it has changes recorded from today: {days}{more}. "
                        "Keep it in the file, or remove them first with `townhall bins changes remove ID`")  # fmt: skip
    if problems:
        raise FileProblems(problems)
    return past


def _stranded_changes(session: Session, rounds: list[RoundRow], today: date) -> int:
    """Changes from `today` for a round that, as loaded, no longer collects on the change's day: they do nothing."""
    by_id = {r.id: r for r in rounds}
    query = select(BinScheduleChange.round_id, BinScheduleChange.original_date).where(
        BinScheduleChange.round_id.is_not(None), BinScheduleChange.original_date >= today
    )
    stranded = 0
    for round_id, day in session.execute(query):
        row = by_id.get(round_id or "")
        if row is None:
            continue
        stream = WasteStream(StreamCode(row.stream_code), "", "", "")
        round_ = Round(row.id, stream, row.weekday, row.frequency_weeks, row.reference_date)
        stranded += not scheduled_dates(round_, day, day)
    return stranded


def import_property_rounds(session: Session, *, text: str, file_name: str) -> PropertiesReport:
    """Replace the rounds serving every property with the file `file_name`'s, audited; FileProblems naming each
    bad line."""
    uprns = set(session.scalars(select(Property.uprn)))
    rounds = set(session.scalars(select(BinRound.id)))
    rows = property_rounds_from_csv(text, uprns=uprns, rounds=rounds)
    session.execute(delete(PropertyBinRound))
    bulk_insert(session.connection(), PropertyBinRound, ("uprn", "round_id"), rows)
    report = PropertiesReport(len(rows), len({uprn for uprn, _ in rows}), property_coverage(session))
    _audit(session, PROPERTIES_ACTION, f"properties' rounds: {report.rows} rows, {report.properties} properties",
           file_names=f"file {file_name}")  # fmt: skip
    return report


def property_coverage(session: Session) -> Coverage:
    """How many properties in the gazetteer have no round of each stream."""
    total = session.scalar(select(func.count()).select_from(Property)) or 0
    served = dict(
        session.execute(
            select(BinRound.stream_code, func.count(PropertyBinRound.uprn.distinct()))
            .join(PropertyBinRound, PropertyBinRound.round_id == BinRound.id)
            .group_by(BinRound.stream_code)
        ).all()
    )
    codes = list(session.scalars(select(BinStream.code)))
    order = {code.value: index for index, code in enumerate(StreamCode)}
    return Coverage(total, {code: total - served.get(code, 0) for code in sorted(codes, key=order.__getitem__)})


def import_garden(session: Session, *, text: str, today: date, file_name: str) -> GardenReport:
    """Replace the garden waste subscriptions with the file `file_name`'s, audited; FileProblems naming each bad
    line."""
    uprns = set(session.scalars(select(Property.uprn)))
    rows = garden_from_csv(text, uprns=uprns)
    session.execute(delete(GardenSubscription))
    bulk_insert(session.connection(), GardenSubscription, ("uprn", "starts", "ends", "bins"), rows)
    current = {uprn for uprn, starts, ends, _ in rows if starts <= today and (ends is None or today <= ends)}
    with_round = set(
        session.scalars(
            select(PropertyBinRound.uprn)
            .join(BinRound, BinRound.id == PropertyBinRound.round_id)
            .where(BinRound.stream_code == StreamCode.GARDEN.value)
        )
    )
    report = GardenReport(len(rows), len(current), len(current - with_round))
    _audit(session, GARDEN_ACTION, f"garden waste subscriptions: {report.subscriptions} (current: {report.current})",
           file_names=f"file {file_name}")  # fmt: skip
    return report
