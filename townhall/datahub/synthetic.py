"""The synthetic council's service silos: extract files drawn from the real synthetic population, ingested
through the same path as a council's own files.

Each source's extract is written as CSV in its own system's format to the extracts folder
(``TOWNHALL_DATAHUB_EXTRACTS``, by default ``extracts/`` next to the SQLite database), with the ground truth
in ``ground_truth.csv`` beside them; only ``townhall datahub evaluate`` reads that file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

from townhall.config import Settings
from townhall.datahub.extracts import generate_extracts
from townhall.datahub.service.ingest import ingest_extract, read_extract
from townhall.datahub.service.sources import source_registry, usable_contract
from townhall.datahub.service.uprns import gazetteer_addresses
from townhall.synthetic.council import World, Writer

if TYPE_CHECKING:
    import pandas as pd

    from townhall.synthetic.geography import Geography
    from townhall.synthetic.population import Population

GROUND_TRUTH_FILE = "ground_truth.csv"


def people_frame(population: Population, geography: Geography) -> pd.DataFrame:
    """One row per person living in the council on ``as_of``: the columns ``generate_extracts`` reads.

    The current address is the person's open residence; the previous address is the residence before it,
    where they moved. People who died or left have no open residence and are not in any current extract.
    """
    import pandas as pd

    index_of_uprn = {int(uprn): i for i, uprn in enumerate(geography.uprn)}
    current: dict[int, int] = {}
    previous: dict[int, int] = {}
    for residence in sorted(population.residences, key=lambda r: (r.person, r.moved_in, r.residence_id)):
        if residence.moved_out is None:
            if residence.person in current and current[residence.person] != residence.uprn:
                previous[residence.person] = current[residence.person]
            current[residence.person] = residence.uprn
        elif residence.person not in current:
            previous[residence.person] = residence.uprn
    people = sorted(current)
    previous = {p: uprn for p, uprn in previous.items() if p in current and uprn != current[p]}

    def at(uprns: list[int | None], values: list[str]) -> list[str | None]:
        return [None if u is None else values[index_of_uprn[u]] for u in uprns]

    now = [current[p] for p in people]
    before = [previous.get(p) for p in people]
    return pd.DataFrame(
        {
            "person_id": [str(population.person_id(p)) for p in people],
            "first_name": [population.first_name[p] for p in people],
            "middle_name": [population.middle_name[p] for p in people],
            "last_name": [population.last_name[p] for p in people],
            "sex": [population.sex[p] for p in people],
            "date_of_birth": [population.date_of_birth[p] for p in people],
            "uprn": pd.array(now, dtype="Int64"),
            "address": at(list(now), geography.address),
            "postcode": at(list(now), geography.postcode),
            "previous_uprn": pd.array(before, dtype="Int64"),
            "previous_address": at(before, geography.address),
            "previous_postcode": at(before, geography.postcode),
        }
    )


def extracts_folder_for(world_url: str) -> Path:
    """Where a council at ``world_url`` keeps its synthetic extracts (see ``Settings.datahub_extracts_folder``)."""
    return Settings(database_url=world_url).datahub_extracts_folder()


def write_extract(frame: pd.DataFrame, path: Path) -> None:
    """Write atomically (a temporary file renamed into place), so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    frame.to_csv(temporary, index=False)
    temporary.replace(path)


class DatahubPart:
    name = "datahub"
    requires: tuple[str, ...] = ("geography", "population")

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None:
        people = people_frame(world.need("population"), world.need("geography"))
        silos = generate_extracts(people, rng, as_of=world.spec.as_of)
        url = writer.connection.engine.url.render_as_string(hide_password=False)
        folder = extracts_folder_for(url)
        for source, extract in silos.extracts.items():
            write_extract(extract, folder / f"{source}.csv")
        write_extract(silos.truth, folder / GROUND_TRUTH_FILE)
        registry = source_registry()
        session = Session(bind=writer.connection)
        gazetteer = gazetteer_addresses(session)
        for done, source in enumerate(silos.extracts, start=1):
            path = folder / f"{source}.csv"
            contract = usable_contract(registry, source)
            report = ingest_extract(
                session,
                contract=contract,
                raw=read_extract(path, contract.encoding),
                file_name=path.name,
                today=world.spec.as_of,
                gazetteer=gazetteer,
            )
            writer.rows_written["datahub_records"] = writer.rows_written.get("datahub_records", 0) + report.rows_loaded
            writer.report("data hub extracts", done, len(silos.extracts))
        session.flush()
        world.built[self.name] = folder


DATAHUB = DatahubPart()
