"""`townhall services ...` (the catalogue) and `townhall notifications send` (the outbox)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from townhall.cli_support import migrated_session_factory

services_app = typer.Typer(no_args_is_help=True, help="The service catalogue: what residents can report.")
notifications_app = typer.Typer(no_args_is_help=True, help="Notifications to reporters.")
console = Console(stderr=True)


@services_app.command("list")
def list_command() -> None:
    """List every service with its code, team and service level."""
    from townhall.cli_support import friendly_errors
    from townhall.service_requests.catalogue import list_services

    @friendly_errors
    def run() -> None:
        with migrated_session_factory()() as session:
            for service in list_services(session, active_only=False):
                state = "" if service.active else "  (inactive)"
                days = service.response_working_days
                print(f"{service.code:<24} {service.name:<36} {service.team:<22} "
                      f"{days:>3} working {'day' if days == 1 else 'days'}{state}")  # fmt: skip

    run()


@services_app.command("import")
def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="A .yaml or .toml catalogue."),
) -> None:
    """Add or replace services (by code) from a YAML or TOML file with a `services` list."""
    from townhall.cli_support import friendly_errors
    from townhall.db import session_scope
    from townhall.service_requests.catalogue import import_catalogue, read_catalogue_file

    @friendly_errors
    def run() -> None:
        entries = read_catalogue_file(file)
        with session_scope(migrated_session_factory()) as session:
            added, updated = import_catalogue(session, services=entries)
        console.print(f"Added {added} services and updated {updated}.")

    run()


@notifications_app.command("purge")
def purge_command() -> None:
    """Delete emails sent, or given up on, more than TOWNHALL_OUTBOX_RETENTION_DAYS ago (run it daily)."""
    from datetime import timedelta

    from townhall.cli_support import friendly_errors, settings
    from townhall.db import session_scope
    from townhall.platform import clock
    from townhall.platform.outbox import purge_old_messages
    from townhall.service_requests.notifications import MAX_ATTEMPTS

    @friendly_errors
    def run() -> None:
        days = settings().outbox_retention_days
        with session_scope(migrated_session_factory()) as session:
            deleted = purge_old_messages(
                session, before=clock.now() - timedelta(days=days), given_up_after=MAX_ATTEMPTS
            )
        console.print(f"Deleted {deleted:,} emails sent or given up on more than {days} days ago.")

    run()


@notifications_app.command("send")
def send_command(
    loop: bool = typer.Option(False, help="Keep sending every --every seconds until stopped."),
    every: float = typer.Option(30.0, min=1.0, help="Seconds between rounds with --loop."),
) -> None:
    """Send the notifications that are due; failures are kept and tried again later."""
    from townhall.cli_support import friendly_errors, settings
    from townhall.db import session_scope
    from townhall.service_requests.notifications import notifier_for, send_due_notifications

    @friendly_errors
    def run() -> None:
        factory, notifier = migrated_session_factory(), notifier_for(settings())
        while True:
            with session_scope(factory) as session:
                sent, failed = send_due_notifications(session, notifier=notifier)
            console.print(f"Sent {sent}; {failed} failed and will be tried again.")
            if not loop:
                return
            time.sleep(every)

    run()
