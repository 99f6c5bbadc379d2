"""Build a whole synthetic council from a seed and a size: the same seed always gives the same council.

The council is built by parts, each owned by the module it serves: the gazetteer and the population here, bin
rounds in `bins`, accounts in `counciltax`, and so on. A part declares what it needs, reads what earlier parts
left in the `World`, writes its rows in bulk through the `Writer`, and draws randomness only from the generator
it is given (seeded from the council's seed and the part's name, so adding a part never changes the others).
See docs/synthetic.md for how to add one.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection, func, select

from townhall.db import Base, table_of
from townhall.places.models import Property
from townhall.platform import clock
from townhall.platform.bulk import bulk_insert
from townhall.platform.errors import Conflict, InvalidInput
from townhall.platform.progress import ProgressCallback as Progress
from townhall.synthetic.models import SyntheticBuild

# Every part, in build order. A module adds its part here as "package.module:PART".
PART_PATHS: tuple[str, ...] = (
    "townhall.synthetic.geography:GEOGRAPHY",
    "townhall.synthetic.population:POPULATION",
    "townhall.bins.synthetic:BINS",
    "townhall.counciltax.synthetic:COUNCILTAX",
    "townhall.service_requests.synthetic:SERVICE_REQUESTS",
    "townhall.datahub.synthetic:DATAHUB",
)

MAX_SIZE = 5_000_000


@dataclass(frozen=True, slots=True)
class CouncilSpec:
    size: int
    seed: int
    as_of: date

    def __post_init__(self) -> None:
        if not 1 <= self.size <= MAX_SIZE:
            raise InvalidInput(f"The size must be between 1 and {MAX_SIZE:,} properties, not {self.size:,}")


@dataclass
class World:
    """What the parts built so far, for the parts after them (arrays and tables in memory, not the database)."""

    spec: CouncilSpec
    built: dict[str, Any] = field(default_factory=dict)

    def need(self, name: str) -> Any:
        if name not in self.built:
            raise RuntimeError(f"the synthetic part '{name}' must be built first")
        return self.built[name]


class Writer:
    """Bulk writes into the build's transaction, reporting progress as it goes."""

    def __init__(self, connection: Connection, progress: Progress | None = None) -> None:
        self.connection = connection
        self.progress = progress
        self.rows_written: dict[str, int] = {}

    def insert(self, model: type[Base], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        written = bulk_insert(self.connection, model, columns, rows)
        name = table_of(model).name
        self.rows_written[name] = self.rows_written.get(name, 0) + written
        return written

    def report(self, what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(what, done, total)


class Part(Protocol):
    name: str
    requires: tuple[str, ...]

    def build(self, world: World, writer: Writer, rng: np.random.Generator) -> None: ...


@dataclass(frozen=True, slots=True)
class BuildReport:
    spec: CouncilSpec
    parts: tuple[str, ...]
    rows_written: dict[str, int]


def load_parts(paths: Sequence[str] = PART_PATHS) -> list[Part]:
    parts = []
    for path in paths:
        module_name, attribute = path.split(":")
        parts.append(getattr(importlib.import_module(module_name), attribute))
    return parts


def part_rng(seed: int, part_name: str) -> np.random.Generator:
    """A generator for one part, independent of every other part's."""
    return np.random.default_rng([seed, zlib.crc32(part_name.encode())])


def build_council(
    connection: Connection,
    spec: CouncilSpec,
    *,
    parts: Sequence[Part] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the council into an empty database inside the caller's transaction."""
    existing = connection.scalar(select(func.count()).select_from(table_of(Property)))
    if existing:
        raise Conflict(
            f"This database already has {existing:,} properties. The synthetic council is built only into an "
            "empty database: point TOWNHALL_DATABASE_URL at a new one."
        )
    chosen = list(parts) if parts is not None else load_parts()
    world = World(spec)
    writer = Writer(connection, progress)
    for part in chosen:
        missing = [r for r in part.requires if r not in world.built]
        if missing:
            raise RuntimeError(f"part {part.name} needs {', '.join(missing)} built before it")
        part.build(world, writer, part_rng(spec.seed, part.name))
    names = tuple(p.name for p in chosen)
    connection.execute(
        table_of(SyntheticBuild)
        .insert()
        .values(seed=spec.seed, size=spec.size, as_of=spec.as_of, built_at=clock.now(), parts=",".join(names))
    )
    return BuildReport(spec=spec, parts=names, rows_written=dict(writer.rows_written))
