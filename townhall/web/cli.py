"""`townhall serve` and `townhall demo`."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from townhall.config import Settings, get_settings

console = Console(stderr=True)

DEMO_SIZE = 20_000


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes (use several on PostgreSQL in production)."),
) -> None:
    """Serve the web application and API."""
    import uvicorn

    from townhall.cli_support import settings
    from townhall.db import make_engine
    from townhall.migrate import ensure_migrated

    current = settings()
    current.check_for_listening(host)
    ensure_migrated(make_engine(current))
    _links_to_this_address(current, host, port)
    console.print(f"Serving {current.council_name} on http://{host}:{port}")
    uvicorn.run(
        "townhall.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # access logs would carry postcodes from query strings: personal data stays out of logs
    )


def _links_to_this_address(current: Settings, host: str, port: int) -> None:
    """Outside production, with TOWNHALL_PUBLIC_URL left at its default, make the links in emails (a password reset,
    confirming an account) point where this server listens, so a demo on another port works end to end. The
    environment variable reaches the app's settings in every worker. Production always sets its own address."""
    default = Settings.model_fields["public_url"].default
    if current.environment == "production" or current.public_url != default:
        return
    shown = f"[{host}]" if ":" in host else host
    os.environ["TOWNHALL_PUBLIC_URL"] = f"http://{shown}:{port}"
    get_settings.cache_clear()


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    size: int = typer.Option(DEMO_SIZE, help="Properties in the synthetic council, if one is built."),
) -> None:
    """Migrate, build a synthetic council if the database is empty, and serve it."""
    from townhall.cli_support import settings
    from townhall.db import make_engine, make_session_factory
    from townhall.migrate import upgrade
    from townhall.places.service import count_properties
    from townhall.synthetic.cli import synth

    current = settings()
    current.check_for_listening(host)
    upgrade(current)
    engine = make_engine(current)
    with make_session_factory(engine)() as session:
        existing = count_properties(session)
    engine.dispose()
    if existing:
        console.print(f"The database already has a council of {existing:,} properties: serving it.")
    else:
        synth(size=size, seed=1, as_of="")
    link_data_hub_once()
    _print_demo_users(host, port)
    serve(host=host, port=port, workers=1)


def link_data_hub_once() -> None:
    """Make the data hub's first linkage run if its records were never linked, so the households and people
    pages of a new demo have something to show (a council links its own extracts with `townhall datahub link`)."""
    from townhall.cli_support import settings
    from townhall.datahub.cli import link
    from townhall.datahub.linkage import LinkageConfig
    from townhall.datahub.service import needs_first_linkage
    from townhall.db import make_engine, make_session_factory

    engine = make_engine(settings())
    with make_session_factory(engine)() as session:
        needed = needs_first_linkage(session)
    engine.dispose()
    if needed:
        console.print("Linking the data hub's records into people and households (the first time only):")
        link(engine="duckdb", threshold=LinkageConfig.threshold, reuse_model=False, matched_uprns=True)


def _print_demo_users(host: str, port: int) -> None:
    """Create one user per role (only those missing) and say, once, how to sign in as each."""
    from townhall.identity.cli import create_demo_users

    created = create_demo_users()
    if not created:
        console.print("Demo users already exist (see docs/identity.md for their sign-in details).")
        return
    console.print(f"Demo users: sign in at http://{host}:{port}/sign-in as")
    for role, email, password in created:
        # one line each however narrow the output, so a password is never split across two
        console.print(f"  {role:<15} {email:<40} password {password}", soft_wrap=True)
