"""What the bins API gives out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class CollectionOut(BaseModel):
    stream: str  # refuse, recycling, garden, food
    colour: str  # "blue bin"
    date: dt.date | None  # None when the collection is cancelled
    original_date: dt.date
    reason: str | None  # why it is not on its usual day: bank holiday, Christmas and New Year arrangements...


class PropertyCollections(BaseModel):
    uprn: int
    address: str
    collections: list[CollectionOut]
