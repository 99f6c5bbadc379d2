"""Dates in the words a resident reads: "today", "tomorrow", "Thursday 3 December, in 5 days"."""

from __future__ import annotations

from datetime import date


def day_and_date(day: date, *, today: date | None = None) -> str:
    """ "Thursday 3 December", with the year added when it differs from `today`'s year (when given)."""
    text = f"{day:%A} {day.day} {day:%B}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def describe_when(day: date, today: date) -> str:
    """How far `day` is from `today`, in words.

    Promises: "today", "tomorrow" and "yesterday" for those days; otherwise the weekday and date with
    "in N days" or "N days ago", e.g. "Thursday 3 December, in 5 days". The year is named only when it is not
    `today`'s year: "Friday 1 January 2027, in 9 days".
    """
    gap = (day - today).days
    if gap == 0:
        return "today"
    if gap == 1:
        return "tomorrow"
    if gap == -1:
        return "yesterday"
    when = day_and_date(day, today=today)
    return f"{when}, in {gap} days" if gap > 0 else f"{when}, {-gap} days ago"
