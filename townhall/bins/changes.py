"""Recording the council's own changes to collections: Christmas and New Year arrangements, bad weather, strikes.

A change names one round, or every round (`round_id` None), and a usual collection day; it moves that collection
to a new day or cancels it. The schedule (`schedule.ChangeBook`) makes it win over the bank-holiday rule, and a
change for one round wins over a change for all rounds on the same day.

Use cases for the staff page and the `townhall bins changes` commands: plain functions that never commit. A
change is checked before it is written: the round exists, it really collects on the original day, the new day
is a different day at most `MAX_MOVE_DAYS` away, and the same round and day have no change yet (Conflict).

Every add, remove and import writes one audit entry in the same transaction (who, which round and day moved to
which, why): a change tells every resident on the round something new, so the council must be able to say who
made it. A refused change writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from townhall.bins.models import BinRound, BinScheduleChange, BinStream
from townhall.bins.schedule import ChangeReason, Round, scheduled_dates
from townhall.bins.service import EARLIEST_DAY, LATEST_DAY, load_network
from townhall.platform.audit import Actor, fitted_purpose, record_access
from townhall.platform.errors import Conflict, InvalidInput, NotFound

MAX_MOVE_DAYS = 14
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
T = TypeVar("T")
_SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
# The audit log's words for these changes: one kind of record, so `/audit` finds a change's whole history by its id
AUDIT_SUBJECT = "bin_schedule_change"
ADD_ACTION = "bins_change_add"
REMOVE_ACTION = "bins_change_remove"
IMPORT_ACTION = "bins_changes_import"
_EMPTY_FILE = "The file has no changes in it, only its header"


class ChangeProblems(InvalidInput):
    """Everything wrong with a change (or a file of them), each against the field or line to fix."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _field, message in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class NewChange:
    """A change to record: `round_id` None for every round, `new_date` None when the collection is cancelled."""

    round_id: str | None
    original_date: date
    new_date: date | None
    reason: ChangeReason


@dataclass(frozen=True, slots=True)
class RecordedChange:
    """A change as staff see it listed, with its round's stream and weekday (None for all rounds)."""

    id: int
    round_id: str | None
    stream_name: str | None
    weekday: int | None
    original_date: date
    new_date: date | None
    reason: ChangeReason

    @property
    def is_cancelled(self) -> bool:
        return self.new_date is None


def long_date(day: date) -> str:
    """ "Friday 25 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def day_from_text(value: str, *, field: str, label: str) -> date:
    """A date typed as 2026-12-25 (or 25/12/2026); ChangeProblems naming `field` when it is not one."""
    text = value.strip()
    if not text:
        raise ChangeProblems([(field, f"Enter the {label}")])
    try:
        slashed = _SLASHED.match(text)
        if slashed:
            day, month, year = (int(part) for part in slashed.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        shown = text[:20]
        raise ChangeProblems([(field, f"The {label} '{shown}' is not a date: write it like 2026-12-25")]) from None


def _words(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def reason_from(value: str) -> ChangeReason:
    """A reason given by its words ("bad weather") or its name ("bad_weather"); InvalidInput listing them."""
    wanted = _words(value)
    choices = ", ".join(reason.name.lower() for reason in ChangeReason)
    if not wanted:
        raise ChangeProblems([("reason", f"Choose a reason: one of {choices}")])
    for reason in ChangeReason:
        if wanted in (_words(reason.value), reason.name.lower()):
            return reason
    raise ChangeProblems([("reason", f"'{value[:60]}' is not a reason for a change: use one of {choices}")])


def describe_round(round_: Round) -> str:
    """ "Recycling, Tuesdays, every 2 weeks"."""
    every = "every week" if round_.frequency_weeks == 1 else f"every {round_.frequency_weeks} weeks"
    return f"{round_.stream.name}, {WEEKDAY_NAMES[round_.weekday]}s, {every}"


def _collects_on(round_: Round, day: date) -> bool:
    return bool(scheduled_dates(round_, day, day))


def _not_a_collection_day(round_: Round, day: date) -> str:
    period = timedelta(weeks=round_.frequency_weeks)
    before = scheduled_dates(round_, day - period, day)[-1]
    after = scheduled_dates(round_, day, day + period)[0]
    return (
        f"Round {round_.id} ({describe_round(round_)}) does not collect on {long_date(day)}: "
        f"its nearest collections are {long_date(before)} and {long_date(after)}"
    )


def _date_problems(change: NewChange) -> list[tuple[str, str]]:
    problems = []
    for field, label, day in (("original_date", "original date", change.original_date),
                              ("new_date", "new date", change.new_date)):  # fmt: skip
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            problems.append((field, f"The {label} must be from {EARLIEST_DAY.year} to {LATEST_DAY.year}, not {day}"))
    if problems or change.new_date is None:
        return problems
    gap = (change.new_date - change.original_date).days
    if gap == 0:
        problems.append(("new_date", "The new date is the original date: choose another day, or cancelled"))
    elif abs(gap) > MAX_MOVE_DAYS:
        side = "after" if gap > 0 else "before"
        problems.append(("new_date", f"The new date must be within {MAX_MOVE_DAYS} days of the original date, "
                                     f"not {abs(gap)} days {side} it"))  # fmt: skip
    return problems


def problems_with(change: NewChange, rounds: Mapping[str, Round]) -> list[tuple[str, str]]:
    """What is wrong with `change` against the council's `rounds` (duplicates are checked separately)."""
    problems = _date_problems(change)
    if any(field == "original_date" for field, _ in problems):
        return problems
    if change.round_id is None:
        if not any(_collects_on(round_, change.original_date) for round_ in rounds.values()):
            problems.append(("original_date", f"No round collects on {long_date(change.original_date)}"))
    elif change.round_id not in rounds:
        problems.append(("round", f"There is no round '{change.round_id[:40]}': choose one from the list"))
    elif not _collects_on(rounds[change.round_id], change.original_date):
        problems.append(("original_date", _not_a_collection_day(rounds[change.round_id], change.original_date)))
    return problems


def _which_rounds(round_id: str | None) -> str:
    return "all rounds" if round_id is None else f"round {round_id}"


def _existing(session: Session, round_id: str | None, original_date: date) -> BinScheduleChange | None:
    same_round = BinScheduleChange.round_id.is_(None) if round_id is None else BinScheduleChange.round_id == round_id
    query = select(BinScheduleChange).where(same_round, BinScheduleChange.original_date == original_date)
    return session.scalars(query.limit(1)).first()


def _duplicate_message(existing: BinScheduleChange) -> str:
    outcome = "cancelled" if existing.new_date is None else f"moved to {long_date(existing.new_date)}"
    return (
        f"There is already a change for {_which_rounds(existing.round_id)} on {long_date(existing.original_date)} "
        f"({outcome}): remove it first to record a different one"
    )


def audit_details(change: RecordedChange) -> str:
    """ "round W03-tue-recycling-B (Recycling): 2026-12-25 moved to 2026-12-24; reason: bad weather": what an
    audit entry says about one change (round ids, dates and the reason only: nothing about a resident)."""
    stream = f" ({change.stream_name})" if change.stream_name else ""
    which = "all rounds" if change.round_id is None else f"round {change.round_id}{stream}"
    outcome = "cancelled" if change.new_date is None else f"moved to {change.new_date.isoformat()}"
    return f"{which}: {change.original_date.isoformat()} {outcome}; reason: {change.reason.value}"


def _import_details(added: Sequence[RecordedChange], file_name: str) -> str:
    """ "changes: 12 (all rounds 3, single rounds 9), usual days 2026-12-25 to 2027-01-02; reasons: ...; file
    christmas.csv": counts and the span, not every line (the lines are in the table and the file)."""
    days = sorted(change.original_date for change in added)
    everywhere = sum(change.round_id is None for change in added)
    reasons = ", ".join(sorted({change.reason.value for change in added}))
    return fitted_purpose(
        f"changes: {len(added)} (all rounds {everywhere}, single rounds {len(added) - everywhere}), usual days "
        f"{days[0].isoformat()} to {days[-1].isoformat()}; reasons: {reasons}; file {file_name}"
    )


def add_change(
    session: Session,
    *,
    round_id: str | None,
    original_date: date,
    new_date: date | None,
    reason: ChangeReason,
    actor: Actor,
    client: str | None = None,
) -> RecordedChange:
    """Record one change, audited as `actor`'s (from `client`, on the web). ChangeProblems (422) for each thing
    wrong with it; Conflict (409) when the same round (or all rounds) already has a change on `original_date`."""
    change = NewChange(round_id, original_date, new_date, reason)
    problems = problems_with(change, load_network(session).rounds)
    if problems:
        raise ChangeProblems(problems)
    existing = _existing(session, round_id, original_date)
    if existing is not None:
        raise Conflict(_duplicate_message(existing))
    recorded = _insert(session, [change])[0]
    record_access(session, actor=actor, action=ADD_ACTION, subject_type=AUDIT_SUBJECT, subject_id=recorded.id,
                  purpose=audit_details(recorded), client=client)  # fmt: skip
    return recorded


def add_changes(
    session: Session, *, changes: Sequence[tuple[int, NewChange]], file_name: str, actor: Actor
) -> list[RecordedChange]:
    """Record many changes, each with its line in the file `file_name`, all together or not at all, with one audit
    entry for the file: ChangeProblems naming each bad line, including a change already recorded or given twice."""
    if not changes:
        raise ChangeProblems([("file", _EMPTY_FILE)])
    rounds = load_network(session).rounds
    problems: list[tuple[str, str]] = []
    seen: dict[tuple[str | None, date], int] = {}
    for line, change in changes:
        found = problems_with(change, rounds)
        key = (change.round_id, change.original_date)
        if not found and key in seen:
            found = [("", f"it repeats line {seen[key]} ({_which_rounds(change.round_id)}, {change.original_date})")]
        elif not found and (existing := _existing(session, *key)) is not None:
            found = [("", _duplicate_message(existing))]
        seen.setdefault(key, line)
        problems.extend((f"line {line}", f"Line {line}: {message}") for _field, message in found)
    if problems:
        raise ChangeProblems(problems)
    added = _insert(session, [change for _line, change in changes])
    record_access(session, actor=actor, action=IMPORT_ACTION, purpose=_import_details(added, file_name))
    return added


def _insert(session: Session, changes: Iterable[NewChange]) -> list[RecordedChange]:
    rows = [
        BinScheduleChange(
            round_id=c.round_id, original_date=c.original_date, new_date=c.new_date, reason=c.reason.value
        )
        for c in changes
    ]
    session.add_all(rows)
    session.flush()
    return _recorded(session, [row.id for row in rows])


_LISTED = (
    select(BinScheduleChange, BinRound.weekday, BinStream.name)
    .outerjoin(BinRound, BinRound.id == BinScheduleChange.round_id)
    .outerjoin(BinStream, BinStream.code == BinRound.stream_code)
    .order_by(BinScheduleChange.original_date, BinScheduleChange.round_id.is_not(None), BinScheduleChange.round_id,
              BinScheduleChange.id)
)  # fmt: skip


def _as_recorded(row: BinScheduleChange, weekday: int | None, stream_name: str | None) -> RecordedChange:
    return RecordedChange(row.id, row.round_id, stream_name, weekday, row.original_date, row.new_date,
                          ChangeReason(row.reason))  # fmt: skip


def _recorded(session: Session, ids: list[int]) -> list[RecordedChange]:
    rows = session.execute(_LISTED.where(BinScheduleChange.id.in_(ids))).all()
    return [_as_recorded(*row) for row in rows]


def list_changes(session: Session, *, start: date) -> list[RecordedChange]:
    """The changes whose original or new day is on or after `start`, by original day (all rounds first)."""
    query = _LISTED.where(or_(BinScheduleChange.original_date >= start, BinScheduleChange.new_date >= start))
    return [_as_recorded(*row) for row in session.execute(query)]


def remove_change(session: Session, *, change_id: int, actor: Actor, client: str | None = None) -> RecordedChange:
    """Delete a change, so the collection follows the usual rules again, audited as `actor`'s with what the change
    said; NotFound when there is no such change."""
    found = _recorded(session, [change_id])
    if not found:
        raise NotFound(f"There is no change {change_id}: it may have been removed already")
    row = session.get(BinScheduleChange, change_id)
    session.delete(row)
    session.flush()
    record_access(session, actor=actor, action=REMOVE_ACTION, subject_type=AUDIT_SUBJECT, subject_id=change_id,
                  purpose=audit_details(found[0]), client=client)  # fmt: skip
    return found[0]


def round_choices(session: Session) -> list[tuple[str, str]]:
    """Every round as (id, "Recycling, Tuesdays, every 2 weeks"), ordered by stream, weekday and id."""
    rounds = load_network(session).rounds.values()
    ordered = sorted(rounds, key=lambda r: (r.stream.name, r.weekday, r.id))
    return [(round_.id, describe_round(round_)) for round_ in ordered]


CSV_COLUMNS = ("round", "original_date", "new_date", "reason")


def changes_from_csv(text: str) -> list[tuple[int, NewChange]]:
    """The changes in a CSV file's text (columns `CSV_COLUMNS`; a blank round is every round, a blank new date a
    cancellation). ChangeProblems naming each line that cannot be read; the file's lines count from 1."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ChangeProblems([("file", f"The file needs the columns {', '.join(CSV_COLUMNS)}; "
                                       f"it has no {', '.join(missing)}")])  # fmt: skip
    changes: list[tuple[int, NewChange]] = []
    problems: list[tuple[str, str]] = []
    for row in reader:
        line = reader.line_num
        try:
            changes.append((line, _change_from_row(row)))
        except ChangeProblems as error:
            problems.extend((f"line {line}", f"Line {line}: {message}") for _field, message in error.problems)
    if problems:
        raise ChangeProblems(problems)
    if not changes:
        raise ChangeProblems([("file", _EMPTY_FILE)])
    return changes


def _change_from_row(row: Mapping[str, str | None]) -> NewChange:
    problems: list[tuple[str, str]] = []

    def attempt(read: Callable[[str], T], text: str) -> T | None:
        try:
            return read(text)
        except ChangeProblems as error:
            problems.extend(error.problems)
            return None

    original = attempt(
        partial(day_from_text, field="original_date", label="original date"), row.get("original_date") or ""
    )
    new_text = (row.get("new_date") or "").strip()
    new = attempt(partial(day_from_text, field="new_date", label="new date"), new_text) if new_text else None
    reason = attempt(reason_from, row.get("reason") or "")
    if problems or original is None or reason is None:
        raise ChangeProblems(problems)
    return NewChange((row.get("round") or "").strip() or None, original, new, reason)
