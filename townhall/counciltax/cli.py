"""`townhall counciltax charges ...`: load a year's charges from a file, and show a year's charges by band;
`townhall counciltax accounts import FOLDER`: replace the accounts with the revenues system's nightly snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from townhall.cli_support import friendly_errors

if TYPE_CHECKING:
    from townhall.counciltax.charges_import import LoadedCharges

counciltax_app = typer.Typer(no_args_is_help=True, help="Council tax: the charges set each year.")
charges_app = typer.Typer(no_args_is_help=True, help="Each year's charges: each precepting body's Band D.")
counciltax_app.add_typer(charges_app, name="charges")
accounts_app = typer.Typer(no_args_is_help=True, help="Council tax accounts: the revenues system's nightly snapshot.")
counciltax_app.add_typer(accounts_app, name="accounts")
console = Console(stderr=True)
MAX_SHOWN = 100  # a snapshot wrong on every line needs its first problems, not all of them


@charges_app.command("import")
@friendly_errors
def import_command(
    file: Path = typer.Argument(..., help="The year's charges: a .toml file (see docs/counciltax.md)."),
    replace: bool = typer.Option(False, "--replace", help="Replace the year's charges if it has some already."),
) -> None:
    """Check a year's charges file and load it: every body's Band D for the financial year, in one go.

    Nothing is loaded if anything in the file is wrong (each problem is named), or if the year has charges
    already, unless --replace, which replaces them all at once. Prints what was loaded and the Band D totals."""
    from townhall.cli_support import migrated_database
    from townhall.counciltax.charges_file import read_charges_file
    from townhall.counciltax.charges_import import load_charges
    from townhall.db import session_scope

    charges = read_charges_file(file)
    with migrated_database() as (_, factory), session_scope(factory) as session:
        loaded = load_charges(session, charges=charges, file_name=file.name, replace=replace)
    _print_loaded(loaded)


def _print_loaded(loaded: LoadedCharges) -> None:
    from townhall.counciltax.charges import format_pounds
    from townhall.counciltax.charges_file import short_kind

    year, without, out = loaded.year, loaded.band_d_without_parish, Console()
    verb = f"Replaced the {loaded.replaced} precepts of" if loaded.replaced else "Loaded the charges for"
    out.print(f"{verb} {year.label} (1 April {year.starts} to 31 March {year.starts + 1}).")
    for parish in loaded.parishes_added:
        out.print(f"New parish: {escape(parish)}")
    bodies = Table("body", "kind", "Band D", title=f"Band D by body, {year.label}", box=box.SIMPLE_HEAD)
    bodies.columns[2].justify = "right"
    for line in without.lines:
        bodies.add_row(escape(line.body), short_kind(line.kind), format_pounds(line.pence))
    for parish, charge in loaded.band_d_by_parish.items():
        line = charge.lines[-1]
        kind = "parish" if line.body == parish else f"parish: {parish}"
        bodies.add_row(escape(line.body), escape(kind), format_pounds(line.pence))
    out.print(bodies)
    out.print(f"Band D total where no parish precepts: [bold]{format_pounds(without.total_pence)}[/]")
    if loaded.band_d_by_parish:
        totals = Table(
            "parish", "Band D total there", title=f"Band D with each parish, {year.label}", box=box.SIMPLE_HEAD
        )
        totals.columns[1].justify = "right"
        for parish, charge in loaded.band_d_by_parish.items():
            totals.add_row(escape(parish), format_pounds(charge.total_pence))
        out.print(totals)
    if loaded.kinds_missing:
        out.print(
            "Note: the file has no " + ", ".join(k.value for k in loaded.kinds_missing) + ". That is right only "
            "where no such body precepts on the council's area (fire may be part of the county or the police's)."
        )
    if loaded.parishes_without_precept:
        names = ", ".join(loaded.parishes_without_precept)
        out.print(f"Note: these parishes have no precept in {year.label}: {escape(names)}")


@accounts_app.command("import")
@friendly_errors
def accounts_import_command(
    folder: Path = typer.Argument(
        ..., exists=True, file_okay=False, help="A folder holding accounts.csv and the six other files of a snapshot."
    ),
) -> None:
    """Check a snapshot of every council tax account and load it in place of the accounts there are.

    The folder holds accounts.csv, liable_people.csv, discounts.csv, exemptions.csv, bills.csv, instalments.csv and
    payments.csv (columns in docs/counciltax.md). Nothing is loaded if anything is wrong: each problem is named by
    file and line. Prints counts only, never a name."""
    from townhall.cli_support import migrated_database
    from townhall.counciltax.accounts_files import FILES
    from townhall.counciltax.accounts_import import import_accounts
    from townhall.db import session_scope
    from townhall.platform.csv_files import FileProblems
    from townhall.platform.errors import InvalidInput

    texts = {}
    for name in FILES:
        path = folder / name
        if path.is_file():
            try:
                texts[name] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"{name} is not a UTF-8 text file: save it as CSV (UTF-8)") from None
    try:
        with migrated_database() as (_, factory), session_scope(factory) as session:
            report = import_accounts(session, texts=texts)
    except FileProblems as problems:
        console.print(f"[bold red]Error:[/] the snapshot in {escape(str(folder))} was not loaded; nothing changed. "
                      f"Fix these ({len(problems.problems):,}):", soft_wrap=True)  # fmt: skip
        for message in problems.problems[:MAX_SHOWN]:
            console.print(f"  {escape(message)}", soft_wrap=True)
        if len(problems.problems) > MAX_SHOWN:
            console.print(f"  ... and {len(problems.problems) - MAX_SHOWN:,} more problems")
        raise typer.Exit(1) from None
    counts = ", ".join(f"{count:,} {name}" for name, count in report.loaded.items())
    console.print(f"Loaded the snapshot: {counts}. It replaced {report.replaced_accounts:,} accounts.", soft_wrap=True)
    console.print(f"Residents' account links: {report.links_kept:,} kept, {report.links_removed:,} removed (their "
                  "account is no longer in the snapshot, or is at another property).", soft_wrap=True)  # fmt: skip


@charges_app.command("show")
@friendly_errors
def show_command(
    year: int | None = typer.Option(None, help="The financial year starting 1 April YEAR; default this one."),
    parish: str | None = typer.Option(None, help="A parish, to include its precept."),
) -> None:
    """Show a year's charge for each band, A to H, with each precepting body's part.

    Without --parish, also each parish's precept and the Band D total with it."""
    from townhall.cli_support import migrated_database
    from townhall.counciltax.billing import FinancialYear
    from townhall.counciltax.charges import BAND_PROPORTIONS, Band, format_pounds
    from townhall.counciltax.service import charges_by_band, parish_band_d
    from townhall.platform import clock

    chosen = year if year is not None else FinancialYear.containing(clock.today()).starts
    with migrated_database() as (_, factory), factory() as session:
        charges = charges_by_band(session, year=chosen, parish=parish)
        by_parish = [] if parish else parish_band_d(session, year=chosen)
    parts = charges.bands[0].parts
    where = f", in {charges.parish}" if charges.parish else ", where no parish precepts"
    out = Console()
    out.print(escape(f"Council tax {charges.label}{where}, by band (A is 6/9 of Band D, H is 18/9):"))
    for part in parts:
        out.print(f"  {escape(part.kind)}: {escape(part.body)}")
    table = Table("band", box=box.SIMPLE_HEAD)
    for heading in [*(_KIND_WORDS.get(part.kind, part.kind) for part in parts), "total"]:
        table.add_column(heading, justify="right", no_wrap=True)
    for row in charges.bands:
        share = f"{int(BAND_PROPORTIONS[Band(row.band)] * 9)}/9"
        table.add_row(f"{row.band} {share}", *(part.amount for part in row.parts), f"[bold]{row.total}[/]")
    out.print(table)
    if by_parish:
        parish_table = Table(
            "parish", "its Band D", "Band D total there", title=f"Parish precepts, {charges.label}", box=box.SIMPLE_HEAD
        )
        parish_table.columns[1].justify = parish_table.columns[2].justify = "right"
        for found in by_parish:
            parish_table.add_row(
                escape(found.parish), format_pounds(found.precept_pence), format_pounds(found.total_pence)
            )
        out.print(parish_table)


# Short column headings, so that a year's eight bands fit a terminal of 80 columns
_KIND_WORDS = {"district council": "district", "county council": "county", "police and crime commissioner": "police",
               "fire and rescue authority": "fire", "parish or town council": "parish"}  # fmt: skip
