"""Which page numbers a GOV.UK pagination component shows: the first, the last, and those around the current
page, with None where numbers are left out (shown as an ellipsis)."""

from __future__ import annotations


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` items fill, ``size`` to a page (at least one, so an empty list has a page)."""
    return max(1, -(-total // size))


def page_numbers(current: int, pages: int) -> list[int | None]:
    """E.g. [1, None, 4, 5, 6, None, 12] for page 5 of 12."""
    shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
