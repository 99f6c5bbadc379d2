"""The `townhall` command: each module adds its own group of commands here."""

from __future__ import annotations

import typer

from townhall.cli_support import console, friendly_errors, settings

__all__ = ["app", "console", "friendly_errors", "main", "settings"]

# No local variables in a traceback: they may hold residents' personal data (an extract, a record)
app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="markdown",
    help="Townhall: a council's digital front door and data back office.",
)
# Commands that serve the web application: their entries come from requests, which name their own client
_SERVING = frozenset({"serve", "demo"})


@app.callback()
def _each_command(context: typer.Context) -> None:
    """What every command shares: the audit entries it writes as the system say who ran it, where."""
    if context.invoked_subcommand in _SERVING:
        return
    from townhall.platform.audit import from_the_command_line

    context.with_resource(from_the_command_line())  # left when the command ends


db_app = typer.Typer(no_args_is_help=True, help="The database: migrations.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(revision: str = typer.Argument("head", help="The migration to go to.")) -> None:
    """Migrate the database to the newest schema (safe to run again)."""
    from townhall.migrate import upgrade

    upgrade(settings(), revision)
    console.print("The database is up to date.")


@db_app.command("current")
@friendly_errors
def db_current() -> None:
    """Show which migration the database is at."""
    from townhall.db import make_engine
    from townhall.migrate import current_revision, head_revision

    engine = make_engine(settings())
    print(f"current: {current_revision(engine) or 'none'}  newest: {head_revision()}")


def _register_module_commands() -> None:
    from townhall.assistant.cli import assistant_app
    from townhall.assistant.knowledge_cli import knowledge_app
    from townhall.bins.cli import bins_app
    from townhall.counciltax.cli import counciltax_app
    from townhall.datahub.cli import datahub_app
    from townhall.identity.cli import apikey_app, audit_app, users_app
    from townhall.places.cli import places_app
    from townhall.service_requests.cli import notifications_app, services_app
    from townhall.synthetic.cli import synth
    from townhall.web.cli import demo, serve

    app.add_typer(places_app, name="places")
    app.add_typer(users_app, name="users")
    app.add_typer(apikey_app, name="apikey")
    app.add_typer(audit_app, name="audit")
    app.add_typer(bins_app, name="bins")
    app.add_typer(services_app, name="services")
    app.add_typer(notifications_app, name="notifications")
    app.add_typer(datahub_app, name="datahub")
    app.add_typer(counciltax_app, name="counciltax")
    assistant_app.add_typer(knowledge_app, name="knowledge")  # `townhall assistant knowledge ...`
    app.add_typer(assistant_app, name="assistant")
    app.command("synth")(friendly_errors(synth))
    app.command("serve")(friendly_errors(serve))
    app.command("demo")(friendly_errors(demo))


_register_module_commands()


def main() -> None:
    app(prog_name="townhall")


if __name__ == "__main__":
    main()
