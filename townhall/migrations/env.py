"""Alembic's environment: migrate the database named by Townhall's settings (or the connection it is given)."""

from __future__ import annotations

from alembic import context

from townhall.all_models import Base
from townhall.config import Settings
from townhall.db import make_engine

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    settings = context.config.attributes.get("settings") or Settings()
    engine = make_engine(settings)
    with engine.connect() as fresh:
        _run(fresh)
        fresh.commit()
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
