"""The synthetic council's bin service: streams, rounds balanced by ward and weekday, each property's rounds,
garden waste subscriptions and the council's Christmas and New Year arrangements.

Every property has refuse and recycling on alternate weeks and food waste every week, on one weekday; the
properties of each ward are split into ten runs of neighbouring addresses (five weekdays, two phases), so each
ward's crews have the same work every day and neighbours share a bin day. About 40% of houses and few flats
subscribe to garden waste. Over Christmas and New Year the council publishes its own arrangements (no Sunday
collections) and suspends garden waste for two weeks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np

from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.bins.models import BinRound, BinScheduleChange, BinStream, GardenSubscription, PropertyBinRound
from townhall.bins.schedule import ChangeReason, StreamCode, shifted_for_bank_holidays
from townhall.synthetic.council import World, Writer
from townhall.synthetic.geography import Geography

STREAMS = (
    (StreamCode.REFUSE, "Rubbish", "black bin",
     "Everything that cannot be recycled or composted: nappies, polystyrene, crisp packets, plastic film."),
    (StreamCode.RECYCLING, "Recycling", "blue bin",
     "Paper, card, food tins, drink cans, glass bottles and jars, plastic bottles, pots, tubs and trays: "
     "rinsed and loose, not in bags."),
    (StreamCode.GARDEN, "Garden waste", "brown bin",
     "Grass cuttings, leaves, hedge trimmings, flowers and small branches. No soil, rubble or food."),
    (StreamCode.FOOD, "Food waste", "green caddy",
     "All cooked and uncooked food: peelings, tea bags, bones, plate scrapings."),
)  # fmt: skip
REFERENCE_MONDAY = date(2024, 1, 1)  # week "A": a Monday with no bank holiday in its week but New Year's Day
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
RUNS_PER_WARD = 2 * len(WEEKDAYS)  # five weekdays, two phases
GARDEN_SHARE = {"detached": 0.50, "semi-detached": 0.42, "bungalow": 0.45, "terraced": 0.30, "flat": 0.04}
GARDEN_ENDED_SHARE = 0.12
SUBSCRIPTION_HISTORY_DAYS = 5 * 365


def round_id(ward_code: str, weekday: int, stream: StreamCode, phase: int) -> str:
    """ "W03-tue-recycling-B": ward, weekday, stream and, for fortnightly rounds, the week it collects."""
    return f"{ward_code}-{WEEKDAYS[weekday]}-{stream.value}-{'AB'[phase]}"


def _rounds(ward_codes: list[str]) -> Iterator[tuple[str, str, int, int, date]]:
    for ward_index, ward in enumerate(ward_codes):
        for weekday in range(len(WEEKDAYS)):
            monday_a = REFERENCE_MONDAY + timedelta(days=weekday)
            for phase in (0, 1):
                for stream in (StreamCode.REFUSE, StreamCode.RECYCLING):
                    yield (round_id(ward, weekday, stream, phase), stream.value, weekday, 2,
                           monday_a + timedelta(weeks=phase))  # fmt: skip
            yield (round_id(ward, weekday, StreamCode.FOOD, 0), StreamCode.FOOD.value, weekday, 1, monday_a)
            garden_phase = (ward_index + weekday) % 2
            yield (round_id(ward, weekday, StreamCode.GARDEN, garden_phase), StreamCode.GARDEN.value, weekday, 2,
                   monday_a + timedelta(weeks=garden_phase))  # fmt: skip


def runs_by_property(ward_index: np.ndarray, n_wards: int) -> np.ndarray:
    """Each property's run in its ward, 0 to 9: neighbours (consecutive UPRNs) share a run; runs are equal."""
    runs = np.zeros(len(ward_index), dtype=np.int32)
    for ward in range(n_wards):
        members = np.flatnonzero(ward_index == ward)
        runs[members] = np.arange(len(members)) * RUNS_PER_WARD // max(1, len(members))
    return runs


def christmas_changes(christmas_year: int) -> list[tuple[date, date]]:
    """The council's arrangements for Christmas `christmas_year` and the New Year after: (usual day, new day)
    for every collection that moves. Collections move past bank holidays as usual, but never to a Sunday:
    one that would is collected on the Saturday before instead."""
    holidays = england_and_wales_bank_holidays({christmas_year, christmas_year + 1})
    first, last = christmas_weeks(christmas_year)
    moves = []
    day = first
    while day <= last:
        if day.weekday() < len(WEEKDAYS):
            moved = shifted_for_bank_holidays(day, holidays)
            if moved.weekday() == 6:
                moved -= timedelta(days=1)
            if moved != day:
                moves.append((day, moved))
        day += timedelta(days=1)
    return moves


def christmas_weeks(christmas_year: int) -> tuple[date, date]:
    """Monday of the week of Christmas Day to the Sunday of the week of New Year's Day."""
    christmas = date(christmas_year, 12, 25)
    new_year = date(christmas_year + 1, 1, 1)
    return christmas - timedelta(days=christmas.weekday()), new_year + timedelta(days=6 - new_year.weekday())


class BinsPart:
    name = "bins"
    requires: tuple[str, ...] = ("geography",)

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None:
        geography: Geography = world.need("geography")
        writer.insert(BinStream, ("code", "name", "colour", "accepts"), (
            (code.value, name, colour, accepts) for code, name, colour, accepts in STREAMS
        ))  # fmt: skip
        rounds = list(_rounds(geography.ward_codes))
        writer.insert(BinRound, ("id", "stream_code", "weekday", "frequency_weeks", "reference_date"), rounds)
        runs = runs_by_property(geography.ward_index, len(geography.ward_codes))
        subscribers = _garden_subscribers(geography, rng)
        writer.insert(PropertyBinRound, ("uprn", "round_id"), _assignments(geography, runs, subscribers))
        writer.insert(GardenSubscription, ("uprn", "starts", "ends", "bins"),
                      _subscriptions(geography, subscribers, world.spec.as_of, rng))  # fmt: skip
        garden_rounds = [r for r in rounds if r[1] == StreamCode.GARDEN.value]
        writer.insert(BinScheduleChange, ("round_id", "original_date", "new_date", "reason"),
                      _changes(world.spec.as_of, garden_rounds))  # fmt: skip
        world.built[self.name] = {"runs": runs, "garden_subscribers": subscribers}


def _garden_subscribers(geography: Geography, rng: np.random.Generator) -> np.ndarray:
    shares = np.array([GARDEN_SHARE.get(kind, 0.3) for kind in geography.property_type])
    return np.asarray(rng.random(len(shares)) < shares)


def _assignments(geography: Geography, runs: np.ndarray, subscribers: np.ndarray) -> Iterator[tuple[int, str]]:
    for uprn, ward, run, garden in zip(
        geography.uprn.tolist(), geography.ward_index.tolist(), runs.tolist(), subscribers.tolist(), strict=True
    ):
        ward_code = geography.ward_codes[ward]
        weekday, phase = divmod(run, 2)
        yield uprn, round_id(ward_code, weekday, StreamCode.REFUSE, phase)
        yield uprn, round_id(ward_code, weekday, StreamCode.RECYCLING, 1 - phase)
        yield uprn, round_id(ward_code, weekday, StreamCode.FOOD, 0)
        if garden:
            yield uprn, round_id(ward_code, weekday, StreamCode.GARDEN, (ward + weekday) % 2)


def _subscriptions(
    geography: Geography, subscribers: np.ndarray, as_of: date, rng: np.random.Generator
) -> Iterator[tuple[int, date, date | None, int]]:
    chosen = np.flatnonzero(subscribers)
    ages = rng.integers(0, SUBSCRIPTION_HISTORY_DAYS, len(chosen))
    ended = rng.random(len(chosen)) < GARDEN_ENDED_SHARE
    two_bins = rng.random(len(chosen)) < 0.1
    for index, age, has_ended, two in zip(
        chosen.tolist(), ages.tolist(), ended.tolist(), two_bins.tolist(), strict=True
    ):
        starts = as_of - timedelta(days=age)
        ends = starts + timedelta(days=age // 2) if has_ended else None
        yield int(geography.uprn[index]), starts, ends, 2 if two else 1


def _changes(
    as_of: date, garden_rounds: list[tuple[str, str, int, int, date]]
) -> Iterator[tuple[str | None, date, date | None, str]]:
    """Christmas arrangements from two years before `as_of` to the coming one, and garden waste suspended."""
    reason = ChangeReason.CHRISTMAS_AND_NEW_YEAR.value
    for year in range(as_of.year - 2, as_of.year + 1):
        for usual, moved in christmas_changes(year):
            yield None, usual, moved, reason
        first, last = christmas_weeks(year)
        for rid, _stream, weekday, _weeks, reference in garden_rounds:
            day = first + timedelta(days=weekday)
            while day <= last:
                if (day - reference).days % 14 == 0:
                    yield rid, day, None, reason
                day += timedelta(weeks=1)


BINS = BinsPart()
