"""The nearest property to a reported point: the batch search (nearest-neighbour index on PostgreSQL) answers as
the one-point box search does."""

from __future__ import annotations

import random

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from townhall.places.models import Property
from townhall.service_requests import location


def test_the_batch_search_finds_what_the_box_search_finds(session: Session) -> None:
    homes = session.execute(select(Property.latitude, Property.longitude)).all()
    rng = random.Random(5)
    # Points a few metres to ~250 m from a home, and two where the search box holds no property at all.
    points = [
        (lat + rng.uniform(-0.002, 0.002), lon + rng.uniform(-0.003, 0.003)) for lat, lon in rng.sample(homes, 150)
    ]
    points += [(homes[0][0] + 0.5, homes[0][1]), (homes[0][0], homes[0][1] - 0.8)]
    batch = location.nearest_properties(session, points)
    one_by_one = {point: location._nearest(session, *point) for point in points}
    assert batch == one_by_one
    assert batch[points[-1]] is None and batch[points[-2]] is None
    assert sum(found is not None for found in batch.values()) >= 140


def test_postgresql_answers_the_batch_search_from_the_nearest_neighbour_index(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite searches the latitude/longitude box: it has no GiST index
    home = session.execute(select(Property.latitude, Property.longitude).limit(1)).one()
    parameters = {"lats": [home[0]], "lons": [home[1]], "scales": [location._scale(home[0])],
                  "box": location.NEAREST_SEARCH_DEGREES}  # fmt: skip
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a test council is small enough for a scan to win
    plan = "\n".join(row[0] for row in session.execute(text("EXPLAIN " + location._NEAREST_MANY.text), parameters))
    assert "ix_properties_nearest" in plan
