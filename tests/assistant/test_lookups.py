"""The assistant's live bin-day answer says what the bin day page says."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.talk import TODAY
from townhall.assistant.lookups import bin_days
from townhall.bins.models import GardenSubscription
from townhall.places.models import Property


def test_an_address_without_garden_waste_is_told_it_does_not_subscribe(session: Session) -> None:
    subscribed = select(GardenSubscription.uprn)
    uprn = session.scalar(select(Property.uprn).where(Property.uprn.not_in(subscribed)).order_by(Property.uprn))
    text = "\n".join(reply["text"] for reply in bin_days(session, uprn=uprn, today=TODAY))
    assert "Garden waste: not collected here (garden waste is a paid service this address does not subscribe to)" in (
        text
    )
    assert "next few weeks" not in text
