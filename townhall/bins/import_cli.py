"""`townhall bins import streams|rounds|properties|garden FILE`: a council's own bin data from its round-management
system. Each file is checked whole, then replaces its table in one transaction; a wrong file changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from townhall.cli_support import friendly_errors, open_database

if TYPE_CHECKING:
    from townhall.bins.imports import Coverage

import_app = typer.Typer(
    no_args_is_help=True, help="Load the council's own streams, rounds, properties' rounds and garden subscriptions."
)
console = Console(stderr=True)
SEEN_WITHIN = "Web servers already running use it within a minute."
MAX_SHOWN = 100  # a file wrong on every line of 100,000 needs its first problems, not all of them
T = TypeVar("T")
_FILE = typer.Argument(..., exists=True, dir_okay=False, help="The file to load.")


def _text(file: Path) -> str:
    from townhall.platform.errors import InvalidInput

    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{file.name} is not a UTF-8 text file: save it as CSV (UTF-8)") from None


def _load(names: str, work: Callable[[Session], T]) -> T:
    """`work` in one transaction; for a wrong file, each problem on a line of its own and exit 1."""
    from townhall.db import session_scope
    from townhall.platform.csv_files import FileProblems

    _, factory = open_database()
    try:
        with session_scope(factory) as session:
            return work(session)
    except FileProblems as problems:
        console.print(f"[bold red]Error:[/] {escape(names)} not loaded; nothing changed. Fix these:")
        for message in problems.problems[:MAX_SHOWN]:
            console.print(f"  {escape(message)}", soft_wrap=True)
        if len(problems.problems) > MAX_SHOWN:
            console.print(f"  ... and {len(problems.problems) - MAX_SHOWN:,} more problems")
        raise typer.Exit(1) from None


def _coverage_lines(coverage: Coverage) -> None:
    parts = [f"{stream} {count:,}" for stream, count in coverage.without.items()]
    console.print(f"Of the gazetteer's {coverage.properties:,} properties, those with no round of each stream: "
                  f"{', '.join(parts)}. They have no collections of that stream.", soft_wrap=True)  # fmt: skip


@import_app.command("streams")
@friendly_errors
def streams_command(file: Path = _FILE) -> None:
    """Replace the waste streams (TOML [[stream]] tables, or CSV columns code, name, colour, accepts)."""
    from townhall.bins.imports import import_streams

    text = _text(file)
    toml = file.suffix.lower() == ".toml"
    report = _load(
        f"{file.name} was", lambda session: import_streams(session, text=text, toml=toml, file_name=file.name)
    )
    console.print(f"Loaded the streams from {escape(file.name)}: {report.added} added, {report.updated} updated, "
                  f"{report.removed} removed. {SEEN_WITHIN}")  # fmt: skip


@import_app.command("rounds")
@friendly_errors
def rounds_command(
    file: Path = _FILE,
    properties: Path | None = typer.Option(
        None, "--properties", exists=True, dir_okay=False,
        help="The rounds serving each property, replaced in the same go (for a re-organised network).",
    ),
) -> None:  # fmt: skip
    """Replace the rounds (columns round, stream, weekday, frequency_weeks, reference_date)."""
    from townhall.bins.imports import import_rounds
    from townhall.platform import clock

    text = _text(file)
    properties_text = _text(properties) if properties is not None else None
    properties_name = properties.name if properties is not None else ""
    names = f"{file.name} and {properties_name} were" if properties is not None else f"{file.name} was"
    report = _load(names, lambda session: import_rounds(session, text=text, today=clock.today(), file_name=file.name,
                   properties_text=properties_text, properties_name=properties_name))  # fmt: skip
    console.print(f"Loaded the rounds from {escape(file.name)}: {report.added} added, {report.updated} updated, "
                  f"{report.removed} removed (with {report.past_changes_removed} of their past changes). "
                  f"{SEEN_WITHIN}", soft_wrap=True)  # fmt: skip
    if report.stranded_changes:
        console.print(f"[bold yellow]Note:[/] {report.stranded_changes} changes from today are for a day their "
                      "round no longer collects on, so they do nothing: see `townhall bins changes list`")  # fmt: skip
    if report.coverage is not None:
        _coverage_lines(report.coverage)


@import_app.command("properties")
@friendly_errors
def properties_command(file: Path = _FILE) -> None:
    """Replace the rounds serving each property (columns uprn, round; one row per round serving a property)."""
    from townhall.bins.imports import import_property_rounds

    text = _text(file)
    report = _load(f"{file.name} was", lambda session: import_property_rounds(session, text=text, file_name=file.name))
    console.print(f"Loaded {report.rows:,} rounds of {report.properties:,} properties from {escape(file.name)}. "
                  f"{SEEN_WITHIN}", soft_wrap=True)  # fmt: skip
    _coverage_lines(report.coverage)


@import_app.command("garden")
@friendly_errors
def garden_command(file: Path = _FILE) -> None:
    """Replace the garden waste subscriptions (columns uprn, starts, ends (blank: still running), bins)."""
    from townhall.bins.imports import import_garden
    from townhall.platform import clock

    text = _text(file)
    today = clock.today()
    report = _load(
        f"{file.name} was", lambda session: import_garden(session, text=text, today=today, file_name=file.name)
    )
    console.print(f"Loaded {report.subscriptions:,} garden waste subscriptions from {escape(file.name)}, "
                  f"{report.current:,} of them current. {SEEN_WITHIN}", soft_wrap=True)  # fmt: skip
    if report.current_without_round:
        console.print(f"[bold yellow]Note:[/] {report.current_without_round:,} current subscribers' properties "
                      "have no garden waste round, so no garden collections: add their rounds with "
                      "`townhall bins import properties`", soft_wrap=True)  # fmt: skip
