"""Plain factories for bin tests: `make_*` functions with keyword defaults."""

from __future__ import annotations

from datetime import date, timedelta

from townhall.bins.schedule import Round, StreamCode, WasteStream

STREAMS = {
    StreamCode.REFUSE: WasteStream(StreamCode.REFUSE, "Rubbish", "black bin", "everything that cannot be recycled"),
    StreamCode.RECYCLING: WasteStream(
        StreamCode.RECYCLING, "Recycling", "blue bin", "paper, card, tins, cans, glass bottles; rinsed"
    ),
    StreamCode.GARDEN: WasteStream(StreamCode.GARDEN, "Garden waste", "brown bin", "grass, leaves, hedge cuttings"),
    StreamCode.FOOD: WasteStream(StreamCode.FOOD, "Food waste", "green caddy", "all cooked and raw food"),
}

# Monday 5 January 2026: a reference week with no bank holiday in it.
REFERENCE_MONDAY = date(2026, 1, 5)


def make_round(
    *,
    weekday: int = 0,
    stream: StreamCode = StreamCode.REFUSE,
    frequency_weeks: int = 1,
    round_id: str | None = None,
    reference_date: date | None = None,
) -> Round:
    reference = reference_date or REFERENCE_MONDAY + timedelta(days=weekday)
    return Round(
        id=round_id or f"{stream.value}-{weekday}-{frequency_weeks}",
        stream=STREAMS[stream],
        weekday=weekday,
        frequency_weeks=frequency_weeks,
        reference_date=reference,
    )


def make_weekday_rounds(stream: StreamCode = StreamCode.REFUSE) -> list[Round]:
    """One weekly round for each day Monday to Friday."""
    return [make_round(weekday=day, stream=stream) for day in range(5)]
