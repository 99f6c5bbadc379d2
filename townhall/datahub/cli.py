"""`townhall datahub ...`: list sources, ingest extracts, link, evaluate, export the quarantine."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from townhall.cli_support import friendly_errors, open_database
from townhall.datahub.linkage import LinkageConfig  # light: Splink is imported when a run starts

if TYPE_CHECKING:
    from townhall.datahub.service.sources import RegisteredSource

datahub_app = typer.Typer(no_args_is_help=True, help="The data hub: sources, ingestion, record linkage.")
console = Console(stderr=True)


@datahub_app.command("sources")
@friendly_errors
def sources() -> None:
    """List the source contracts and each source's latest extract.

    Each contract's owner, lawful basis, purposes, retention and any problem; each source's latest extract: when it
    was ingested, the file, the rows loaded and quarantined, marked when a newer one is overdue."""
    from townhall.cli_support import settings
    from townhall.datahub.service import source_registry

    registry = source_registry(settings().datahub_sources)
    latest, unavailable = _latest_extracts(registry)
    table = Table(
        "source", "owning service", "lawful basis", "purposes", "retention", "latest extract", show_lines=True
    )
    for name, registered in registry.items():
        contract = registered.contract
        # a contract's own words are shown as written: "[...]" in them is text, not Rich's styling
        if contract is None:
            problem = escape(registered.problem or "")
            table.add_row(name, "[red]cannot be used[/]", problem, "", "", latest.get(name, ""))
            continue
        basis = contract.lawful_basis
        lawful = f"Art. 6 {basis.article_6}: {basis.article_6_detail}"
        lawful += f"\nArt. 9: {basis.article_9_condition}" if basis.article_9_condition else ""
        lawful += f"\nArt. 10: {basis.article_10_authority}" if basis.article_10_authority else ""
        purposes, owner, retention = "\n".join(contract.purposes), contract.owning_service, escape(contract.retention)
        retention += (
            f"\nThe hub deletes its records {contract.delete_after_days} days after the latest extract"
            if contract.delete_after_days
            else "\n[yellow]No limit on how long the hub keeps its records (delete_after_days)[/]"
        )
        table.add_row(name, escape(owner), escape(lawful), escape(purposes), retention, latest.get(name, "none yet"))
    Console().print(table)
    if unavailable:
        console.print(f"No extracts are shown: {escape(unavailable)}")


def _latest_extracts(registry: dict[str, RegisteredSource]) -> tuple[dict[str, str], str | None]:
    """Each ingested source's latest extract in a line or two, by source, marked when it is older than the source's
    contract expects; or why the database cannot say."""
    from townhall.datahub.contracts import out_of_date
    from townhall.datahub.service import latest_batches
    from townhall.platform import clock
    from townhall.platform.errors import DatabaseNotReady

    try:
        _, factory = open_database()
    except DatabaseNotReady as error:  # the contracts are still worth listing before the database is set up
        return {}, str(error)
    lines: dict[str, str] = {}
    with factory() as session:
        for batch in latest_batches(session):
            ingested = clock.in_uk(batch.ingested_at)
            lines[batch.source] = (
                f"{ingested:%-d %b %Y %H:%M}, {escape(batch.file_name)}\n"
                f"{batch.rows_loaded:,} loaded, {batch.rows_quarantined:,} quarantined"
            )
            contract = registry[batch.source].contract if batch.source in registry else None
            if contract is not None and out_of_date(contract, ingested.date(), clock.today()):
                every = contract.extract_every_days
                lines[batch.source] += f"\n[red]out of date: a new extract is due every {every} days[/]"
    return lines, None


@datahub_app.command("ingest")
@friendly_errors
def ingest(
    source: str = typer.Argument(..., help="The source's name, as in `townhall datahub sources`."),
    file: Path = typer.Argument(..., help="The extract: a .csv or .parquet file."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Load it even if most rows are quarantined or it holds fewer than half the source's records.",
    ),
) -> None:
    """Check an extract against its contract and load it, replacing the source's previous extract.

    An extract that looks wrong (most rows quarantined, or fewer than half the records of the one it replaces)
    is refused and the previous one kept, unless --force. One with no loadable row is always refused."""
    from townhall.datahub.service import ingest_extract, read_extract, source_registry, usable_contract
    from townhall.db import session_scope
    from townhall.platform import clock
    from townhall.platform.errors import InvalidInput
    from townhall.platform.progress import progress_bars

    if file.is_dir():
        raise InvalidInput(f"{file} is a folder: give the extract file inside it")
    current, factory = open_database()
    contract = usable_contract(source_registry(current.datahub_sources), source)
    started = time.perf_counter()
    with progress_bars(console) as progress, session_scope(factory) as session:
        progress(f"read {file.name}", 0, 0)
        raw = read_extract(file, contract.encoding)
        progress(f"read {file.name}", len(raw), len(raw))
        report = ingest_extract(
            session,
            contract=contract,
            raw=raw,
            file_name=file.name,
            today=clock.today(),
            force=force,
            progress=progress,
        )
    methods = ", ".join(f"{method} {count:,}" for method, count in report.uprns_matched.items())
    console.print(
        f"{source}: read {report.rows_read:,} rows, loaded {report.rows_loaded:,}, quarantined "
        f"{report.rows_quarantined:,} (see `townhall datahub quarantine`); replaced {report.replaced_records:,} "
        f"records; UPRNs by {methods}; {time.perf_counter() - started:.1f} s"
    )
    if report.decisions_forgotten:
        console.print(
            f"{report.decisions_forgotten:,} officers' decision{'s' if report.decisions_forgotten > 1 else ''} about "
            "records this extract no longer has were deleted with them."
        )


@datahub_app.command("link")
@friendly_errors
def link(
    engine: str = typer.Option("duckdb", help="duckdb (one machine) or spark."),
    threshold: float = typer.Option(
        LinkageConfig.threshold, min=0.5, max=0.99999, help="Match probability at which records join."
    ),
    reuse_model: bool = typer.Option(False, help="Score with the latest run's trained model instead of training."),
    matched_uprns: bool = typer.Option(True, help="Use UPRNs matched from addresses as evidence, not only given ones."),
) -> None:
    """Link the ingested records into lasting people and households."""
    from townhall.datahub.service import record_sources, run_linkage, source_registry, usable_contracts
    from townhall.db import session_scope
    from townhall.platform.errors import InvalidInput
    from townhall.platform.progress import progress_bars

    if engine not in ("duckdb", "spark"):
        raise InvalidInput(f"--engine must be duckdb or spark, not {engine}.")
    current, factory = open_database()
    registry = source_registry(current.datahub_sources)
    started = time.perf_counter()
    with progress_bars(console) as progress, session_scope(factory) as session:
        sources_present = record_sources(session)
        contracts = usable_contracts(registry, sources_present)
        report = run_linkage(
            session,
            contracts=contracts,
            engine=engine,  # type: ignore[arg-type]
            config=LinkageConfig(threshold=threshold),
            progress=progress,
            reuse_model=reuse_model,
            inferred_uprns=matched_uprns,
        )
    console.print(
        f"Run {report.run_id}: {report.records:,} records -> {report.people:,} people in "
        f"{report.households:,} households ({report.matched_pairs:,} matched pairs, {report.merges} merges, "
        f"{report.splits} splits, {report.decisions_applied} officer decisions) "
        f"in {time.perf_counter() - started:.1f} s"
    )


@datahub_app.command("withdraw")
@friendly_errors
def withdraw(
    source: str = typer.Argument(..., help="The source's name, as its records carry it."),
    reason: str = typer.Option(
        ..., help="Why, for the audit log (10 characters or more): e.g. the data-sharing agreement that ended."
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete everything the hub holds from a source (records, quarantine, links), audited with the reason."""
    from townhall.datahub.service.withdraw import holdings, withdraw_source
    from townhall.db import session_scope

    _, factory = open_database()
    with factory() as session:
        records, quarantined = holdings(session, source)
    if (records or quarantined) and not yes:
        typer.confirm(
            f"Delete {records:,} records and {quarantined:,} quarantined rows from {source}, and their links?",
            abort=True,
        )
    with session_scope(factory) as session:
        done = withdraw_source(session, source=source, reason=reason)
    console.print(
        f"{source} withdrawn: {done.records:,} records, {done.quarantined:,} quarantined rows and "
        f"{done.matches:,} matched pairs deleted; {done.people_removed:,} people known only through it removed. "
        "Run `townhall datahub link` to work out people and households again without it."
    )


@datahub_app.command("expire")
@friendly_errors
def expire(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be deleted."),
) -> None:
    """Delete what the hub may no longer keep (run it daily): sources whose latest extract is older than their
    contract's delete_after_days, and quarantined rows older than TOWNHALL_DATAHUB_QUARANTINE_RETENTION_DAYS."""
    from townhall.cli_support import settings
    from townhall.datahub.service import source_registry
    from townhall.datahub.service.expire import expire as apply_retention
    from townhall.db import session_scope
    from townhall.platform import clock

    current = settings()
    registry = source_registry(current.datahub_sources)
    _, factory = open_database()
    with session_scope(factory) as session:
        done = apply_retention(
            session, registry, now=clock.now(), quarantine_days=current.datahub_quarantine_retention_days,
            dry_run=dry_run,
        )  # fmt: skip
    would = "would be " if dry_run else ""
    for stale in done.stale:
        console.print(
            f"{stale.source}: latest extract {stale.extracted_on:%-d %B %Y}, more than {stale.delete_after_days} days "
            f"ago: its records {would}deleted."
        )
    for withdrawal in done.withdrawn:
        console.print(
            f"  {withdrawal.records:,} records, {withdrawal.quarantined:,} quarantined rows and {withdrawal.matches:,} "
            f"matched pairs deleted; {withdrawal.people_removed:,} people known only through it removed."
        )
    for source, count in done.quarantine.items():
        console.print(
            f"{source}: {count:,} quarantined rows more than {current.datahub_quarantine_retention_days} days old "
            f"{would}deleted."
        )
    if not done.stale and not done.quarantine:
        console.print("Nothing has passed its retention period.")
    if done.without_limit:
        console.print(
            f"[yellow]No retention limit for {', '.join(done.without_limit)}: set delete_after_days in the "
            "contract, or withdraw the source when it is no longer needed.[/]"
        )
    if done.withdrawn and not dry_run:
        console.print("Run `townhall datahub link` to work out people and households again without them.")


@datahub_app.command("evaluate")
@friendly_errors
def evaluate(
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    explain: int = typer.Option(3, min=0, help="How many missed and wrong pairs to explain (personal data masked)."),
    truth: Path | None = typer.Option(None, help="Ground-truth CSV; default: the synthetic one."),
) -> None:
    """Score the latest linkage run against the synthetic ground truth."""
    from townhall.datahub.service import evaluate_latest_run, read_ground_truth
    from townhall.datahub.synthetic import GROUND_TRUTH_FILE

    current, factory = open_database()
    path = truth or current.datahub_extracts_folder() / GROUND_TRUTH_FILE
    with factory() as session:
        result = evaluate_latest_run(session, truth=read_ground_truth(path), explain=explain)
    if as_json:
        print(json.dumps(result.as_dict(), indent=2))
        return
    print(f"Run {result.run_id}, {result.records:,} records with ground truth")
    print(f"  pairwise  {result.pairwise}")
    print(f"  B-cubed   {result.bcubed}")
    if result.explanations:
        print("\nA sample of missed and wrong pairs (values masked):\n")
        print(result.explanations)


@datahub_app.command("quarantine")
@friendly_errors
def quarantine(
    purpose: str = typer.Option(..., help="Why you are exporting the rows, for the audit log."),
    source: str | None = typer.Option(None, help="Only this source."),
    output: Path | None = typer.Option(None, help="Write CSV here instead of printing it."),
) -> None:
    """Export the quarantined rows of the current extracts, with reasons, as CSV; audited with the purpose.

    The rows are personal data as the services sent them, so the export is written to the audit log, as the
    quarantine page's export is."""
    from townhall.datahub.service import quarantine_csv, source_registry
    from townhall.db import session_scope
    from townhall.platform.audit import SYSTEM, record_access
    from townhall.platform.errors import InvalidInput, NotFound

    if not purpose.strip():
        raise InvalidInput("Say why you are exporting the quarantined rows (--purpose), for the audit log.")
    current, factory = open_database()
    with session_scope(factory) as session:
        text = quarantine_csv(session, source=source)
        record_access(session, actor=SYSTEM, action="export_quarantine", subject_type="datahub_quarantine",
                      subject_id=source or "all", purpose=purpose)  # fmt: skip
    if source is not None and text.count("\n") <= 1:  # a header alone: perhaps a mistyped name
        registry = source_registry(current.datahub_sources)
        if source not in registry:
            raise NotFound(f"There is no data hub source called '{source}'. Sources: {', '.join(sorted(registry))}.")
    if output is None:
        print(text, end="")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"Townhall cannot write {output}: {error.strerror}") from None
    console.print(f"Wrote {text.count(chr(10)) - 1:,} quarantined rows to {output}")
