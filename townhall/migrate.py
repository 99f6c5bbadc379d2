"""Schema migrations with Alembic: upgrade, and tell a person plainly when the database is behind."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from townhall.config import Settings
from townhall.platform.errors import DatabaseNotReady, InvalidInput

MIGRATIONS = Path(__file__).parent / "migrations"
NEWER_DATABASE = "A newer version of Townhall migrated it: run that version, or restore a backup from before"


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Migrate to `revision` (default the newest); InvalidInput for a migration that does not exist,
    DatabaseNotReady for a database a newer Townhall has migrated."""
    config = alembic_config(settings)
    if not revision.startswith(("+", "-")):  # relative steps are resolved against the database
        try:
            ScriptDirectory.from_config(config).get_revisions(revision)
        except CommandError:
            raise InvalidInput(
                f"There is no migration {revision!r}: the newest is {head_revision()} "
                "(`townhall db current` shows where the database is)"
            ) from None
    try:
        command.upgrade(config, revision)
    except CommandError as error:
        if "Can't locate revision" in str(error):  # the database is at a migration these scripts do not have
            raise DatabaseNotReady(f"The database cannot be upgraded: {error}. {NEWER_DATABASE}") from None
        raise InvalidInput(f"The database cannot be upgraded: {error}") from None


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config(Settings())).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must be linear, but there are {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    """Raise DatabaseNotReady, saying what to run, unless the database is at the newest migration."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is not None and not _known_revision(current):
        raise DatabaseNotReady(f"The database {where} is at migration {current}, which this Townhall does not have. "
                               f"{NEWER_DATABASE}")  # fmt: skip
    state = "has not been set up" if current is None else f"is at migration {current}, not the newest ({head})"
    raise DatabaseNotReady(f"The database {where} {state}. Run: townhall db upgrade")


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config(Settings())).get_revision(revision) is not None
    except CommandError:
        return False


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)
