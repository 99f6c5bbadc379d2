"""Benchmark: bin schedules for 100,000 properties over 8 weeks.

Prints schedules per second for `collections_for_many` (each round computed once, then shared) and for the
naive reference, `collections_between` called once per property, and the ratio between them. The naive way
runs on a sample of properties (all of them with --full) and its rate is per property, so the two compare.

    .venv/bin/python bench/bins_schedule.py [--properties 100000] [--naive-sample 10000] [--full]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from townhall.bins.bank_holidays import england_and_wales_bank_holidays
from townhall.bins.schedule import (
    ChangeReason,
    Round,
    ScheduleChange,
    StreamCode,
    WasteStream,
    collections_between,
    collections_for_many,
)

STREAMS = {
    code: WasteStream(code, code.value.title(), f"{code.value} bin", "see the council's guide") for code in StreamCode
}
CREWS_PER_DAY = 8
START = date(2026, 11, 30)  # eight weeks over Christmas and New Year: the busiest weeks for moves
WEEKS = 8


def make_rounds() -> list[Round]:
    rounds: list[Round] = []
    first_monday = date(2026, 1, 5)
    for weekday in range(5):
        reference = first_monday + timedelta(days=weekday)
        for crew in range(CREWS_PER_DAY):
            for code, weeks, phase in (
                (StreamCode.REFUSE, 2, 0),
                (StreamCode.RECYCLING, 2, 1),  # alternate weeks with refuse
                (StreamCode.GARDEN, 2, crew % 2),
                (StreamCode.FOOD, 1, 0),
            ):
                ref = reference + timedelta(weeks=phase)
                rounds.append(Round(f"{code.value}-{weekday}-{crew}", STREAMS[code], weekday, weeks, ref))
    return rounds


def assign_rounds(properties: int, seed: int = 20261130) -> dict[int, list[str]]:
    """Each property: refuse, recycling and food of one day's crew; garden for about 40% (a subscription)."""
    rng = random.Random(seed)
    assigned: dict[int, list[str]] = {}
    for uprn in range(100_000_000, 100_000_000 + properties):
        weekday, crew = rng.randrange(5), rng.randrange(CREWS_PER_DAY)
        ids = [f"{code}-{weekday}-{crew}" for code in ("refuse", "recycling", "food")]
        if rng.random() < 0.4:
            ids.append(f"garden-{weekday}-{crew}")
        assigned[uprn] = ids
    return assigned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--properties", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=10_000)
    parser.add_argument("--full", action="store_true", help="run the naive way on every property")
    args = parser.parse_args()

    rounds = make_rounds()
    by_id = {r.id: r for r in rounds}
    properties = assign_rounds(args.properties)
    end = START + timedelta(weeks=WEEKS, days=-1)
    holidays = england_and_wales_bank_holidays({START.year, end.year})
    changes = [ScheduleChange(None, date(2026, 12, 24), date(2026, 12, 23), ChangeReason.CHRISTMAS_AND_NEW_YEAR)]

    began = time.perf_counter()
    schedules = collections_for_many(properties, rounds, START, end, changes=changes, bank_holidays=holidays)
    batch_seconds = time.perf_counter() - began
    batch_rate = len(schedules) / batch_seconds

    sample = list(properties.items()) if args.full else list(properties.items())[: args.naive_sample]
    began = time.perf_counter()
    for uprn, ids in sample:
        one = collections_between([by_id[i] for i in ids], START, end, changes=changes, bank_holidays=holidays)
        if tuple(one) != schedules[uprn]:  # keeps the work honest: both ways must agree
            raise SystemExit(f"schedules differ for {uprn}")
    naive_seconds = time.perf_counter() - began
    naive_rate = len(sample) / naive_seconds

    collections = sum(len(s) for s in schedules.values())
    print(f"properties: {len(schedules):,}  rounds: {len(rounds)}  weeks: {WEEKS}  collections: {collections:,}")
    print(f"collections_for_many: {batch_seconds:.3f} s, {batch_rate:,.0f} schedules/s")
    print(f"naive per property ({len(sample):,} properties): {naive_seconds:.3f} s, {naive_rate:,.0f} schedules/s")
    print(f"ratio (batch / naive): {batch_rate / naive_rate:,.1f}x")


if __name__ == "__main__":
    main()
