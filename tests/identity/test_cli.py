from sqlalchemy import text
from typer.testing import CliRunner

from townhall.cli import app
from townhall.config import Settings
from townhall.db import make_engine

runner = CliRunner()


def test_create_a_user_with_the_password_on_standard_input(command_database: str) -> None:
    result = runner.invoke(app, ["users", "create", "--email", "o@example.test", "--role", "officer",
                                 "--password-stdin"], input="a long enough password\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["users", "create", "--email", "o@example.test", "--role", "officer",
                                "--password-stdin"], input="a long enough password\n")  # fmt: skip
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = runner.invoke(app, ["users", "create", "--email", "x@example.test", "--role", "wizard", "--no-password"])
    assert bad_role.exit_code != 0


def test_api_keys_are_printed_once_listed_without_the_key_and_revoked(command_database: str) -> None:
    created = runner.invoke(app, ["apikey", "create", "--name", "fms", "--scope", "open311:write"])
    assert created.exit_code == 0, created.output
    raw = next(line for line in created.output.splitlines() if line.startswith("th_"))
    listed = runner.invoke(app, ["apikey", "list"])
    assert "fms" in listed.output and raw not in listed.output and "active" in listed.output
    assert runner.invoke(app, ["apikey", "revoke", "fms"]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["apikey", "list"]).output


def test_audit_verify_passes_then_names_the_tampered_entry(command_database: str) -> None:
    for name in ("a", "b", "c"):
        runner.invoke(app, ["apikey", "create", "--name", name, "--scope", "open311:write"])
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    engine = make_engine(Settings(database_url=command_database))
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET action = 'nothing to see' WHERE id = 2"))
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "entry 2" in result.output and "changed" in result.output


def test_demo_users_are_created_once(command_database: str) -> None:
    from townhall.identity.cli import create_demo_users

    first = create_demo_users()
    assert {role for role, _, _ in first} == {"resident", "officer", "contact_centre", "early_help", "ig_officer",
                                               "analyst", "admin"}  # fmt: skip
    assert create_demo_users() == []
