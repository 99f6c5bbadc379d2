"""The schema comes from migrations only: they must be linear and agree with the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from townhall.all_models import Base
from townhall.config import Settings
from townhall.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade


def test_migrations_are_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config(Settings()))
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert all(len(r._all_down_revisions) <= 1 for r in revisions)


# SQLite cannot reflect expression indexes, so Alembic skips comparing the PostgreSQL-only `ix_properties_nearest`
# there (it is compared on PostgreSQL).
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree(empty_database) -> None:
    with empty_database.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []


def test_downgrade_to_nothing_and_back(empty_database) -> None:
    downgrade(empty_database.settings, "base")
    assert current_revision(empty_database.engine) is None
    upgrade(empty_database.settings)
    assert current_revision(empty_database.engine) == head_revision()
