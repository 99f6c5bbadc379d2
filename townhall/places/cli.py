"""`townhall places ...`: load and look up the gazetteer."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

places_app = typer.Typer(no_args_is_help=True, help="The gazetteer of properties.")
console = Console(stderr=True)


@places_app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Gazetteer extract (CSV)."),
    rejects: Path | None = typer.Option(None, help="Where to write rejected rows; default FILE.rejects.csv."),
) -> None:
    """Load a gazetteer extract in bulk; rows that fail checks go to a rejects file with the reason."""
    from townhall.cli_support import friendly_errors, settings
    from townhall.db import make_engine
    from townhall.migrate import ensure_migrated
    from townhall.places.importer import import_gazetteer
    from townhall.platform.progress import progress_bars

    @friendly_errors
    def run() -> None:
        engine = make_engine(settings())
        ensure_migrated(engine)
        rejects_path = rejects or file.with_suffix(".rejects.csv")
        with progress_bars(console) as progress, engine.begin() as connection:
            report = import_gazetteer(connection, source=file, rejects=rejects_path, progress=progress)
        console.print(f"Loaded {report.loaded:,} properties; rejected {report.rejected:,}.")
        if report.rejected:
            console.print(f"The rejected rows and the reasons are in {rejects_path}")

    run()


@places_app.command("lookup")
def lookup_command(postcode: str = typer.Argument(..., help="A postcode, in any case or spacing.")) -> None:
    """List the addresses at a postcode."""
    from townhall.cli_support import friendly_errors, settings
    from townhall.db import make_engine, make_session_factory
    from townhall.migrate import ensure_migrated
    from townhall.places.service import addresses_at_postcode

    @friendly_errors
    def run() -> None:
        engine = make_engine(settings())
        ensure_migrated(engine)
        with make_session_factory(engine)() as session:
            found_any = False
            for found in addresses_at_postcode(session, postcode=postcode):
                print(f"{found.uprn}\t{found.address}\t{found.postcode}\t{found.ward}")
                found_any = True
        if not found_any:
            console.print(f"The gazetteer has no addresses at {escape(postcode)}.")

    run()
