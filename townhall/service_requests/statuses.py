"""A request's statuses, in words for residents, and how each maps to Open311's `open` and `closed`.

FixMyStreet's service request updates carry the detailed status (its extended list, in lower case); the core
GeoReport v2 fields carry only `open` or `closed`.
"""

from __future__ import annotations

from typing import Literal

Open311Status = Literal["open", "closed"]

STATUS_NAMES: dict[str, str] = {
    "open": "Open",
    "in_progress": "In progress",
    "action_scheduled": "Action scheduled",
    "fixed": "Fixed",
    "closed": "Closed",
    "duplicate": "Duplicate",
    "not_councils_responsibility": "Not the council's responsibility",
}
OPEN_STATUSES = frozenset({"open", "in_progress", "action_scheduled"})
CLOSED_STATUSES = frozenset(STATUS_NAMES) - OPEN_STATUSES


def open311_status(status: str) -> Open311Status:
    return "open" if status in OPEN_STATUSES else "closed"


def statuses_for_open311(value: str) -> frozenset[str]:
    """Our statuses behind an Open311 status filter value ("open", "closed" or both, comma-separated)."""
    wanted: set[str] = set()
    for part in value.split(","):
        part = part.strip().lower()
        if part == "open":
            wanted |= OPEN_STATUSES
        elif part == "closed":
            wanted |= CLOSED_STATUSES
    return frozenset(wanted)
