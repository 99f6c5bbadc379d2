"""What every module's commands share: errors a person can act on, the checked settings, the migrated database.

Module command groups import from here rather than from `townhall.cli`, which imports them to register them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError

from townhall.config import ConfigurationError, Settings, get_settings
from townhall.platform.errors import TownhallError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

console = Console(stderr=True)


def friendly_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Print a person-readable message and exit 1 for errors a person can act on, instead of a traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (TownhallError, ConfigurationError) as error:
            console.print(f"[bold red]Error:[/] {escape(str(error))}")  # a message may hold [brackets]
            raise typer.Exit(1) from None
        except DBAPIError as error:
            # The driver's message only: SQLAlchemy's own text repeats the statement and its parameters, which
            # may be a resident's personal data
            message = str(error.orig).strip()
            first_line = message.splitlines()[0] if message else type(error.orig).__name__
            if error.statement is None:  # raised while connecting, before any statement was sent
                console.print(f"[bold red]Error:[/] could not connect to the database: {escape(first_line)}")
            else:
                console.print(
                    f"[bold red]Error:[/] the database refused the change, so nothing was saved: {escape(first_line)}"
                )
            raise typer.Exit(1) from None

    return wrapper


def settings() -> Settings:
    current = get_settings()
    current.check_for_production()
    return current


def open_database() -> tuple[Settings, sessionmaker[Session]]:
    """The settings and a session factory on the database, refusing one that has not been migrated.

    For a command that runs once and exits; a long one uses `migrated_database` to close its connections."""
    from townhall.db import make_engine, make_session_factory
    from townhall.migrate import ensure_migrated

    current = settings()
    engine = make_engine(current)
    ensure_migrated(engine)
    return current, make_session_factory(engine)


def migrated_session_factory() -> sessionmaker[Session]:
    return open_database()[1]


@contextmanager
def migrated_database() -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    """`open_database`, with the engine's connections closed afterwards."""
    current, factory = open_database()
    try:
        yield current, factory
    finally:
        bind = factory.kw.get("bind")
        if bind is not None:
            bind.dispose()
