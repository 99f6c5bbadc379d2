"""Bin collection schedules: which stream is collected on which day, after bank holidays and council changes.

The rule, as implemented by `collections_between`:

1. A round collects on its weekday every `frequency_weeks` weeks, in phase with its reference date.
2. An explicit change recorded by the council for that round (or for all rounds) and that original date wins:
   the collection moves to the change's new date, or is cancelled.
3. Otherwise the bank-holiday rule applies: the collection moves one day later for each England and Wales bank
   holiday on or before its day in the same week (weeks run Monday to Sunday), and if the day it lands on is
   itself a bank holiday it moves on again, one day at a time, until it is not.

A cancelled collection is still returned, with `date` None and the change's reason, because a resident needs
to be told "your garden waste collection on 24 December is cancelled" rather than see it silently vanish.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeAlias

_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)


class StreamCode(enum.StrEnum):
    REFUSE = "refuse"
    RECYCLING = "recycling"
    GARDEN = "garden"
    FOOD = "food"


class ChangeReason(enum.StrEnum):
    """Why a collection is not on its usual day; the value is the plain-English phrase shown to residents."""

    BANK_HOLIDAY = "bank holiday"
    CHRISTMAS_AND_NEW_YEAR = "Christmas and New Year arrangements"
    BAD_WEATHER = "bad weather"
    STRIKE = "strike"


@dataclass(frozen=True, slots=True)
class WasteStream:
    code: StreamCode
    name: str  # "Recycling"
    colour: str  # "blue bin", "green caddy"
    accepts: str  # what goes in it, in plain English


@dataclass(frozen=True, slots=True)
class Round:
    """A crew's round: one stream collected on one weekday, every `frequency_weeks` weeks.

    `reference_date` is any day the round collects on; it fixes the phase of a fortnightly or four-weekly
    round.
    """

    id: str
    stream: WasteStream
    weekday: int  # 0 Monday ... 6 Sunday
    frequency_weeks: int
    reference_date: date

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.frequency_weeks not in (1, 2, 4):
            raise ValueError(f"frequency must be 1, 2 or 4 weeks, not {self.frequency_weeks}")
        if self.reference_date.weekday() != self.weekday:
            raise ValueError(f"round {self.id}: reference date {self.reference_date} is not on its weekday")


@dataclass(frozen=True, slots=True)
class ScheduleChange:
    """A change the council recorded: a round's collection (or every round's, when `round_id` is None) on
    `original_date` moves to `new_date`, or is cancelled when `new_date` is None."""

    round_id: str | None
    original_date: date
    new_date: date | None
    reason: ChangeReason


_Day: TypeAlias = date  # inside Collection, the name `date` is its field


@dataclass(frozen=True, slots=True)
class Collection:
    """One collection as a resident sees it. `date` is None when the collection is cancelled."""

    stream: WasteStream
    date: _Day | None
    original_date: _Day
    reason: ChangeReason | None

    @property
    def is_cancelled(self) -> bool:
        return self.date is None

    @property
    def is_moved(self) -> bool:
        return self.date is not None and self.date != self.original_date

    @property
    def sort_date(self) -> _Day:
        """The day the collection is listed under: its new day, or its original day when cancelled."""
        return self.original_date if self.date is None else self.date


def collection_order(collection: Collection) -> tuple[date, str]:
    """Sort key: by date, then by stream code, so lists are stable and predictable."""
    return (collection.sort_date, collection.stream.code.value)


def scheduled_dates(round_: Round, start: date, end: date) -> list[date]:
    """The round's usual collection days from `start` to `end` inclusive, before any change."""
    period = timedelta(weeks=round_.frequency_weeks)
    # timedelta modulo is never negative, so the phase holds before the reference date too.
    offset = (start - round_.reference_date) % period
    first = start if offset == timedelta(0) else start + (period - offset)
    days: list[date] = []
    day = first
    while day <= end:
        days.append(day)
        day += period
    return days


def shifted_for_bank_holidays(day: date, bank_holidays: AbstractSet[date]) -> date:
    """The day a collection usually on `day` happens, by the bank-holiday rule alone (see the module doc)."""
    monday = day - timedelta(days=day.weekday())
    shift = sum(1 for offset in range(day.weekday() + 1) if monday + timedelta(days=offset) in bank_holidays)
    moved = day + timedelta(days=shift)
    while moved in bank_holidays:
        moved += _ONE_DAY
    return moved


class ChangeBook:
    """Explicit changes indexed for lookup; a change for one round wins over a change for all rounds."""

    __slots__ = ("_all_rounds", "_by_round", "largest_move")

    def __init__(self, changes: Iterable[ScheduleChange]) -> None:
        self._by_round: dict[tuple[str, date], ScheduleChange] = {}
        self._all_rounds: dict[date, ScheduleChange] = {}
        self.largest_move = timedelta(0)
        for change in changes:
            if change.round_id is None:
                self._all_rounds[change.original_date] = change
            else:
                self._by_round[(change.round_id, change.original_date)] = change
            if change.new_date is not None:
                self.largest_move = max(self.largest_move, abs(change.new_date - change.original_date))

    def change_for(self, round_id: str, original_date: date) -> ScheduleChange | None:
        return self._by_round.get((round_id, original_date)) or self._all_rounds.get(original_date)


def round_collections(
    round_: Round, start: date, end: date, *, changes: ChangeBook, bank_holidays: AbstractSet[date]
) -> list[Collection]:
    """One round's collections whose day (or, if cancelled, original day) falls from `start` to `end`."""
    # Look beyond the range: a collection due just outside it may be moved into it, and the reverse.
    margin = _ONE_WEEK + changes.largest_move
    found: list[Collection] = []
    for original in scheduled_dates(round_, start - margin, end + margin):
        collection = _collection_on(round_, original, changes, bank_holidays)
        if start <= collection.sort_date <= end:
            found.append(collection)
    return found


def _collection_on(round_: Round, original: date, changes: ChangeBook, bank_holidays: AbstractSet[date]) -> Collection:
    change = changes.change_for(round_.id, original)
    if change is not None:
        return Collection(round_.stream, change.new_date, original, change.reason)
    actual = shifted_for_bank_holidays(original, bank_holidays)
    reason = ChangeReason.BANK_HOLIDAY if actual != original else None
    return Collection(round_.stream, actual, original, reason)


def collections_between(
    rounds: Iterable[Round],
    start: date,
    end: date,
    *,
    changes: Iterable[ScheduleChange],
    bank_holidays: AbstractSet[date],
) -> list[Collection]:
    """Every collection of the given rounds from `start` to `end` inclusive, ordered by date then stream.

    A collection is included when the day it actually happens is in the range; a cancelled one is included,
    with `date` None, when its original day is in the range. `bank_holidays` should cover the range and a week
    either side (see `england_and_wales_bank_holidays`).
    """
    book = ChangeBook(changes)
    found: list[Collection] = []
    for round_ in rounds:
        found.extend(round_collections(round_, start, end, changes=book, bank_holidays=bank_holidays))
    found.sort(key=collection_order)
    return found


def collections_for_many(
    round_ids_by_property: Mapping[int, Sequence[str]],
    rounds: Iterable[Round],
    start: date,
    end: date,
    *,
    changes: Iterable[ScheduleChange],
    bank_holidays: AbstractSet[date],
) -> dict[int, tuple[Collection, ...]]:
    """The schedule of many properties at once: UPRN -> its collections, as `collections_between` gives them.

    Properties share rounds, so each round is computed once and each distinct set of rounds is merged once;
    properties with the same rounds share one (immutable) tuple. Unknown round ids raise KeyError.
    """
    book = ChangeBook(changes)
    by_round = {
        round_.id: round_collections(round_, start, end, changes=book, bank_holidays=bank_holidays) for round_ in rounds
    }
    merged: dict[frozenset[str], tuple[Collection, ...]] = {}
    schedules: dict[int, tuple[Collection, ...]] = {}
    for uprn, round_ids in round_ids_by_property.items():
        key = frozenset(round_ids)
        schedule = merged.get(key)
        if schedule is None:
            combined = [collection for round_id in key for collection in by_round[round_id]]
            schedule = merged[key] = tuple(sorted(combined, key=collection_order))
        schedules[uprn] = schedule
    return schedules
