"""`townhall users ...`, `townhall apikey ...` and `townhall audit verify`: operators' commands."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from townhall.cli_support import migrated_session_factory
from townhall.identity.roles import ROLES

users_app = typer.Typer(no_args_is_help=True, help="Staff and resident accounts.")
apikey_app = typer.Typer(no_args_is_help=True, help="API keys for machine clients.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit log.")
console = Console(stderr=True)
DEMO_PASSWORD_SUFFIX = "-demo-password"  # noqa: S105 - synthetic demo only, refused in production
ROLE_HELP = f"A role (repeat for several): {', '.join(ROLES)}."


@users_app.command("create")
def create_user_command(
    email: str = typer.Option(..., help="The user's email address (their sign-in name)."),
    role: list[str] = typer.Option(..., help=ROLE_HELP),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input instead of asking."
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="No local password: the user signs in with OIDC only."
    ),
) -> None:
    """Create a user with roles; asks for the password (never give it on the command line)."""
    from townhall.cli_support import friendly_errors
    from townhall.db import session_scope
    from townhall.identity.service import create_user
    from townhall.platform.errors import InvalidInput

    @friendly_errors
    def run() -> None:
        if password_stdin and no_password:
            raise InvalidInput("Give --password-stdin or --no-password, not both")
        password: str | None = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif not no_password:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        with session_scope(migrated_session_factory()) as session:
            user = create_user(session, email=email, password=password, roles=role)
            console.print(f"Created user {user.id} ({', '.join(sorted(user.roles))}).")

    run()


@apikey_app.command("create")
def create_key_command(
    name: str = typer.Option(..., help="Who uses the key, e.g. 'fixmystreet'."),
    scope: list[str] = typer.Option(..., help="What it may do, e.g. open311:write (repeat for several)."),
) -> None:
    """Create an API key and print it once: only its hash is kept."""
    from townhall.cli_support import friendly_errors
    from townhall.db import session_scope
    from townhall.identity.apikeys import create_api_key

    @friendly_errors
    def run() -> None:
        with session_scope(migrated_session_factory()) as session:
            created = create_api_key(session, name=name, scopes=scope)
        console.print(f"API key {name!r} ({created.key.scopes}). Copy it now: it cannot be shown again.")
        print(created.raw)

    run()


@apikey_app.command("revoke")
def revoke_key_command(name: str = typer.Argument(..., help="The key's name.")) -> None:
    """Revoke an API key: it stops working at once."""
    from townhall.cli_support import friendly_errors
    from townhall.db import session_scope
    from townhall.identity.apikeys import revoke_api_key

    @friendly_errors
    def run() -> None:
        with session_scope(migrated_session_factory()) as session:
            revoke_api_key(session, name=name)
        console.print(f"API key {name!r} is revoked.")

    run()


@apikey_app.command("list")
def list_keys_command() -> None:
    """List API keys (names, scopes, state; never the keys)."""
    from townhall.cli_support import friendly_errors
    from townhall.identity.apikeys import list_api_keys

    @friendly_errors
    def run() -> None:
        with migrated_session_factory()() as session:
            for key in list_api_keys(session):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                used = f"last used {key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never used"
                print(f"{key.name}\tth_{key.prefix}_…\t{key.scopes}\t{state}\t{used}")

    run()


@audit_app.command("verify")
def verify_command(
    workers: int = typer.Option(
        1, min=1, max=16, help="Processes checking id ranges side by side: worth it only with idle cores."
    ),
) -> None:
    """Check the audit log's hash chain; exits 1 and names each broken entry if any was changed or removed."""
    import time

    from townhall.cli_support import friendly_errors, settings
    from townhall.db import make_engine
    from townhall.migrate import ensure_migrated
    from townhall.platform.audit import verify_chain
    from townhall.platform.progress import progress_bars

    @friendly_errors
    def run() -> None:
        engine = make_engine(settings())
        ensure_migrated(engine)
        started = time.perf_counter()
        checked = [0]

        with progress_bars(console) as progress, engine.connect() as connection:

            def advance(count: int) -> None:
                checked[0] += count
                progress("Checking audit entries", checked[0], 0)

            report = verify_chain(connection, on_progress=advance, workers=workers)
        seconds = time.perf_counter() - started
        for problem in report.problems:
            console.print(f"[bold red]entry {problem.entry_id}:[/] {problem.what}")
        if not report.intact:
            console.print(f"The audit log has been tampered with ({len(report.problems)} problems found).")
            raise typer.Exit(1)
        console.print(f"The audit log is intact: {report.entries:,} entries checked in {seconds:.1f} s.")

    run()


def create_demo_users() -> list[tuple[str, str, str]]:
    """One user per role, if missing; returns (role, email, password) for those created now."""
    from townhall.cli_support import settings
    from townhall.db import session_scope
    from townhall.identity.service import create_user, user_by_email

    if settings().environment == "production" or not settings().demo_users:
        return []
    created = []
    with session_scope(migrated_session_factory()) as session:
        for role in ROLES:
            email = f"{role.replace('_', '-')}@demo.townhall.example"
            if user_by_email(session, email=email) is None:
                password = f"{role}{DEMO_PASSWORD_SUFFIX}"
                create_user(session, email=email, password=password, roles=[role], display_name=f"Demo {role}")
                created.append((role, email, password))
    return created
