import hashlib
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from townhall.places.models import Property
from townhall.places.postcodes import is_valid_postcode
from townhall.platform.errors import Conflict, InvalidInput
from townhall.synthetic.council import CouncilSpec, build_council
from townhall.synthetic.geography import ENGLAND_BAND_SHARES

TABLES = (
    "wards",
    "streets",
    "properties",
    "synthetic_people",
    "synthetic_residences",
    "synthetic_life_events",
)


def fingerprint(connection: Connection) -> str:
    digest = hashlib.sha256()
    for table in TABLES:
        for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def build(database, seed: int) -> str:
    with database.engine.begin() as connection:
        build_council(connection, CouncilSpec(size=600, seed=seed, as_of=date(2026, 6, 1)))
    with database.engine.connect() as connection:
        return fingerprint(connection)


def test_the_same_seed_builds_the_same_council(backend, tmp_path) -> None:
    from tests.conftest import _fresh_database

    prints = []
    for seed in (3, 3, 4):
        for database in _fresh_database(backend, tmp_path):
            prints.append(build(database, seed))
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_a_council_is_built_only_into_an_empty_database(council_database) -> None:
    with council_database.engine.begin() as connection, pytest.raises(Conflict, match="already has 1,500"):
        build_council(connection, CouncilSpec(size=10, seed=1, as_of=date(2026, 1, 1)))


def test_size_must_be_sensible() -> None:
    with pytest.raises(InvalidInput):
        CouncilSpec(size=0, seed=1, as_of=date(2026, 1, 1))


def test_postcodes_are_valid_and_group_15_to_20_homes(session: Session) -> None:
    counts = Counter(session.scalars(select(Property.postcode)).all())
    assert all(is_valid_postcode(p) for p in counts)
    sizes = list(counts.values())
    assert 15 <= sum(sizes) / len(sizes) <= 20
    assert sum(1 for s in sizes if 15 <= s <= 20) / len(sizes) > 0.85
    assert max(sizes) <= 20


def test_bands_follow_englands_distribution(session: Session) -> None:
    bands = Counter(session.scalars(select(Property.council_tax_band)).all())
    total = sum(bands.values())
    for band, share in ENGLAND_BAND_SHARES.items():
        assert abs(bands[band] / total - share) < 0.01, band


def test_bands_go_with_the_type_of_home(session: Session) -> None:
    def mean_band(kind: str) -> float:
        rows = session.scalars(select(Property.council_tax_band).where(Property.property_type == kind)).all()
        return sum("ABCDEFGH".index(b) for b in rows) / len(rows)

    assert mean_band("flat") < mean_band("semi-detached") < mean_band("detached")


def test_every_address_is_unique(session: Session) -> None:
    assert session.scalar(select(func.count(func.distinct(Property.address)))) == 1500


def test_people_have_plausible_lives(session: Session) -> None:
    people = session.execute(text("SELECT date_of_birth, date_of_death, sex FROM synthetic_people")).all()
    assert 2.0 < len(people) / 1500 < 3.2
    as_of = date(2026, 11, 1)
    for born, died, sex in people:
        born = date.fromisoformat(str(born))
        assert born <= as_of and (as_of - born).days < 110 * 366
        assert died is None or date.fromisoformat(str(died)) >= born
        assert sex in ("F", "M")
    shares = Counter(sex for _, _, sex in people)
    assert 0.45 < shares["F"] / len(people) < 0.57


def test_households_change_over_three_years(session: Session) -> None:
    kinds = Counter(session.scalars(text("SELECT kind FROM synthetic_life_events")).all())
    assert kinds["born"] > 0 and kinds["died"] > 0 and kinds["moved_in"] > 0 and kinds["arrived"] > 0
    bad = session.scalar(
        text(
            "SELECT count(*) FROM synthetic_residences r JOIN synthetic_people p USING (person_id) "
            "WHERE r.moved_in < p.date_of_birth OR (r.moved_out IS NOT NULL AND r.moved_out < r.moved_in)"
        )
    )
    assert bad == 0
    living_in_two_places = session.scalar(
        text(
            "SELECT count(*) FROM (SELECT person_id FROM synthetic_residences WHERE moved_out IS NULL "
            "GROUP BY person_id HAVING count(*) > 1) AS twice"
        )
    )
    assert living_in_two_places == 0


def test_some_couples_share_a_married_surname(session: Session) -> None:
    changed = session.scalar(text("SELECT count(*) FROM synthetic_people WHERE last_name <> birth_last_name"))
    assert changed > 50
