"""How long a practitioner waits for the data hub's household and person views on a realistically large hub.

Builds a hub as `bench/linkage.py` does (synthetic extracts ingested and linked through Townhall, SQLite by
default), then opens the household view and the person view for a sample of households and people, each with a
purpose and its audit entry, as the pages do. The reference, in the same run, is the cheapest read the household
view cannot avoid: the household's members by their indexed household id. A view that reads far more than that
(a query plan that walks every record by source, say) shows as a large ratio: at 300,000 records the household
view took 40.5 ms (494x) before 86db60c and 1.6 ms (20x) after (docs/benchmarks.md, "Data hub views").

    .venv/bin/python bench/datahub_views.py [--records 300000] [--views 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from linkage import RECORDS_PER_PERSON, stand_in_gazetteer, townhall_pipeline, write_extracts
from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.config import Settings
from townhall.datahub.models import LinkedPerson
from townhall.datahub.people import make_people
from townhall.datahub.service import household_view, person_view, source_registry
from townhall.db import make_engine, make_session_factory
from townhall.platform.audit import Actor

PURPOSE = "Keep one accurate record of each resident across council services"  # a purpose every shipped source allows
PRACTITIONER = Actor("user", 1, is_staff=True)


def milliseconds(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def timed(calls: list[Callable[[], object]]) -> list[float]:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def members(session: Session, household_id: str) -> list[str]:
    """The reference: a household's members by their indexed household id, which every household view reads."""
    return list(session.scalars(select(LinkedPerson.person_id).where(LinkedPerson.household_id == household_id)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--views", type=int, default=300)
    args = parser.parse_args()
    people = make_people(round(args.records / RECORDS_PER_PERSON), seed=2025)
    with tempfile.TemporaryDirectory(prefix="townhall-views-") as temporary:
        folder = Path(temporary)
        paths, _truth = write_extracts(people, folder)
        url = f"sqlite:///{folder / 'hub.db'}"
        townhall_pipeline(paths, stand_in_gazetteer(people), url, inferred_uprns=True)
        factory = make_session_factory(make_engine(Settings(database_url=url, environment="test")))
        registry = source_registry()
        with factory() as session:
            households = list(
                session.scalars(
                    select(LinkedPerson.household_id).where(LinkedPerson.household_id.is_not(None)).distinct()
                )
            )
            persons = list(session.scalars(select(LinkedPerson.person_id)))
            chosen = random.Random(7).sample(households, min(args.views, len(households)))
            who = random.Random(8).sample(persons, min(args.views, len(persons)))
            reference = timed([
                (lambda h=h: members(session, h))
                for h in chosen
            ])  # fmt: skip
            households_timed = timed([
                (lambda h=h: household_view(session, household_id=h, purpose=PURPOSE, registry=registry,
                                            viewer=PRACTITIONER))
                for h in chosen
            ])  # fmt: skip
            persons_timed = timed([
                (lambda p=p: person_view(session, person_id=p, purpose=PURPOSE, registry=registry, viewer=PRACTITIONER))
                for p in who
            ])  # fmt: skip
            session.rollback()
        count = sum(1 for path in paths.values() for _ in path.open()) - len(paths)
        print(f"Data hub views on {count:,} records, {len(chosen)} households and {len(who)} people (SQLite)")
        print(f"  household view (with its audit entry): {milliseconds(households_timed)}")
        print(f"  person view (with its audit entry):    {milliseconds(persons_timed)}")
        print(f"  reference, the household's members by index: {milliseconds(reference)}")
        ratio = statistics.median(households_timed) / statistics.median(reference)
        print(f"  household view against the reference (medians): {ratio:.1f}x")


if __name__ == "__main__":
    main()
