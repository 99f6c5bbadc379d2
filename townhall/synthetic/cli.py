"""`townhall synth`: build the synthetic council into an empty database."""

from __future__ import annotations

import time
from datetime import date

import typer
from rich.console import Console

from townhall.platform import clock
from townhall.platform.errors import Forbidden, InvalidInput

console = Console(stderr=True)


def synth(
    size: int = typer.Option(20_000, help="How many properties the council has."),
    seed: int = typer.Option(1, help="The same seed always builds the same council."),
    as_of: str = typer.Option("", help="The date the council's history runs up to (YYYY-MM-DD); default today."),
) -> None:
    """Build a synthetic council (gazetteer, households, people, and every module's data) into an empty database."""
    from townhall.cli_support import settings
    from townhall.db import make_engine
    from townhall.migrate import ensure_migrated
    from townhall.platform.progress import progress_bars
    from townhall.synthetic.council import CouncilSpec, build_council

    current = settings()
    if current.environment == "production":
        raise Forbidden("The synthetic council is for demos and tests; it is never built in production.")
    spec = CouncilSpec(size=size, seed=seed, as_of=_as_of_date(as_of) if as_of else clock.today())
    engine = make_engine(current)
    ensure_migrated(engine)
    started = time.perf_counter()
    with progress_bars(console) as progress, engine.begin() as connection:
        report = build_council(connection, spec, progress=progress)
    elapsed = time.perf_counter() - started
    rows = ", ".join(f"{table} {count:,}" for table, count in report.rows_written.items())
    console.print(f"Built the synthetic council (seed {seed}, {size:,} properties) in {elapsed:.1f} s: {rows}")


def _as_of_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--as-of must be a date written YYYY-MM-DD, like 2026-04-01, not {text!r}") from None
