"""`townhall bins changes ...`: the council's own changes to collections (Christmas and New Year arrangements, bad
weather, strikes): list, add, remove, and import a whole file of them at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from townhall.bins.import_cli import import_app
from townhall.cli_support import friendly_errors, open_database

bins_app = typer.Typer(no_args_is_help=True, help="Bin collections.")
changes_app = typer.Typer(no_args_is_help=True, help="The council's changes to collections: list, add, remove, import.")
bins_app.add_typer(changes_app, name="changes")
bins_app.add_typer(import_app, name="import")
console = Console(stderr=True)
SEEN_WITHIN = "Web servers already running show it within a minute."


def _day(value: str, field: str, label: str) -> date:
    from townhall.bins.changes import day_from_text

    return day_from_text(value, field=field, label=label)


def _outcome(new_date: date | None) -> str:
    from townhall.bins.changes import long_date

    return "cancelled" if new_date is None else f"moved to {long_date(new_date)}"


@changes_app.command("list")
@friendly_errors
def list_command(
    start: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD; default today."),
) -> None:
    """The changes whose usual or new day is on or after --from, by usual day."""
    from townhall.bins.changes import list_changes, long_date
    from townhall.db import session_scope
    from townhall.platform import clock

    first = _day(start, "from", "--from date") if start is not None else clock.today()
    _, factory = open_database()
    with session_scope(factory) as session:
        found = list_changes(session, start=first)
    if not found:
        console.print(f"No changes from {long_date(first)}.")
        return
    table = Table("id", "round", "stream", "usual day", "now", "reason")
    for change in found:
        table.add_row(str(change.id), escape(change.round_id or "all rounds"), escape(change.stream_name or "all"),
                      long_date(change.original_date), _outcome(change.new_date), change.reason.value)  # fmt: skip
    Console(width=160).print(table)


@changes_app.command("add")
@friendly_errors
def add_command(
    round_id: str | None = typer.Option(None, "--round", help="The round's id (see the staff page)."),
    all_rounds: bool = typer.Option(False, "--all-rounds", help="Every round collecting on --date."),
    on: str = typer.Option(..., "--date", help="The usual collection day, YYYY-MM-DD."),
    to: str | None = typer.Option(None, "--to", help="The new day, YYYY-MM-DD, within 14 days of --date."),
    cancelled: bool = typer.Option(False, "--cancelled", help="The collection is cancelled, not moved."),
    reason: str = typer.Option(..., "--reason", help="christmas_and_new_year, bad_weather, strike or bank_holiday."),
) -> None:
    """Move (--to) or cancel (--cancelled) one round's collection (--round) or every round's (--all-rounds)."""
    from townhall.bins.changes import add_change, reason_from
    from townhall.db import session_scope
    from townhall.platform.audit import SYSTEM
    from townhall.platform.errors import InvalidInput

    if (round_id is None) == (not all_rounds):
        raise InvalidInput("Give either --round ID or --all-rounds")
    if (to is None) == (not cancelled):
        raise InvalidInput("Give either --to DATE (moved) or --cancelled")
    original = _day(on, "original_date", "--date")
    new = _day(to, "new_date", "--to date") if to is not None else None
    chosen = reason_from(reason)
    _, factory = open_database()
    with session_scope(factory) as session:
        change = add_change(session, round_id=round_id, original_date=original, new_date=new, reason=chosen,
                            actor=SYSTEM)  # fmt: skip
    which = change.round_id or "all rounds"
    console.print(f"Recorded change {change.id}: {escape(which)} on {original}, {_outcome(new)}. {SEEN_WITHIN}")


@changes_app.command("remove")
@friendly_errors
def remove_command(change_id: int = typer.Argument(..., min=1, help="The change's id, from `list`.")) -> None:
    """Remove a change: the collection follows the usual rules (and the bank-holiday rule) again."""
    from townhall.bins.changes import remove_change
    from townhall.db import session_scope
    from townhall.platform.audit import SYSTEM

    _, factory = open_database()
    with session_scope(factory) as session:
        change = remove_change(session, change_id=change_id, actor=SYSTEM)
    which = change.round_id or "all rounds"
    console.print(f"Removed change {change.id} ({escape(which)} on {change.original_date}). {SEEN_WITHIN}")


@changes_app.command("import")
@friendly_errors
def import_command(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A CSV file.")) -> None:
    """Load a file of changes (columns round, original_date, new_date, reason; a blank round is every round, a
    blank new_date a cancellation): every line is checked first, and nothing is loaded if any is wrong."""
    from townhall.bins.changes import ChangeProblems, add_changes, changes_from_csv
    from townhall.db import session_scope
    from townhall.platform.audit import SYSTEM
    from townhall.platform.errors import InvalidInput

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{file.name} is not a UTF-8 text file: save it as CSV (UTF-8)") from None
    _, factory = open_database()
    try:
        with session_scope(factory) as session:
            added = add_changes(session, changes=changes_from_csv(text), file_name=file.name, actor=SYSTEM)
    except ChangeProblems as problems:  # one line each, so a long file's problems can be read and fixed
        console.print(f"[bold red]Error:[/] {escape(file.name)} was not loaded; nothing changed. Fix these lines:")
        for _line, message in problems.problems:
            console.print(f"  {escape(message)}")
        raise typer.Exit(1) from None
    console.print(f"Loaded {len(added)} changes from {escape(file.name)}. {SEEN_WITHIN}")
