"""Requests, API keys and missed-bin rules for tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.identity.apikeys import create_api_key
from townhall.places.models import Property
from townhall.service_requests.models import ServiceRequest
from townhall.service_requests.service import NewRequest, create_request

_numbers = itertools.count(1)


def a_property(session: Session, offset: int = 300) -> Property:
    found = session.scalars(select(Property).order_by(Property.uprn).offset(offset).limit(1)).one()
    return found


def make_api_key(session: Session, scope: str = "open311:write") -> str:
    return create_api_key(session, name=f"client-{next(_numbers)}", scopes=[scope]).raw


def make_request(
    session: Session, *, service_code: str = "graffiti", offset: int = 300, **fields: object
) -> ServiceRequest:
    home = a_property(session, offset)
    values: dict[str, object] = {
        "service_code": service_code, "source": "web", "latitude": home.latitude, "longitude": home.longitude,
        "answers": {"offensive": ["no"]} if service_code == "graffiti" else {}, "description": "Paint on the wall",
    }  # fmt: skip
    values.update(fields)
    created, _ = create_request(session, new=NewRequest(**values))  # type: ignore[arg-type]
    return created


class FixedRules:
    """Missed-bin rules that answer what a test says, and remember what they were asked."""

    def __init__(self, allowed: bool, explanation: str = "") -> None:
        self.allowed, self.explanation = allowed, explanation
        self.asked: list[tuple[int, str, date]] = []

    def window(self, session: Session, *, uprn: int, stream: str, on: date, now: datetime) -> tuple[bool, str]:
        self.asked.append((uprn, stream, on))
        return self.allowed, self.explanation
