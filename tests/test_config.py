from pathlib import Path

import pytest

from townhall.config import ConfigurationError, Settings


def test_the_demo_needs_no_configuration() -> None:
    settings = Settings(_env_file=None)
    assert settings.database_url.startswith("sqlite:///")
    settings.check_for_production()  # development: no error


def test_production_refuses_a_placeholder_or_short_secret() -> None:
    with pytest.raises(ConfigurationError, match="TOWNHALL_SECRET_KEY"):
        Settings(environment="production").check_for_production()
    with pytest.raises(ConfigurationError):
        Settings(environment="production", secret_key="short").check_for_production()
    Settings(
        environment="production", secret_key="x" * 48, public_url="https://townhall.example.gov.uk"
    ).check_for_production()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://townhall.example.gov.uk", "https://localhost:8443",
                                 "https://[::1]/"])  # fmt: skip
def test_production_refuses_a_public_address_emails_could_not_use(url: str) -> None:
    with pytest.raises(ConfigurationError, match="TOWNHALL_PUBLIC_URL"):
        Settings(environment="production", secret_key="x" * 48, public_url=url).check_for_production()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "council-web"])
def test_the_development_secret_never_serves_other_machines(host: str) -> None:
    with pytest.raises(ConfigurationError, match="TOWNHALL_SECRET_KEY"):
        Settings(_env_file=None).check_for_listening(host)
    Settings(_env_file=None, secret_key="x" * 48).check_for_listening(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"])
def test_the_development_secret_serves_this_machine(host: str) -> None:
    Settings(_env_file=None).check_for_listening(host)  # the laptop demo: no error


def test_every_setting_is_documented() -> None:
    documented = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"TOWNHALL_{name.upper()}" in documented, name


def test_postgres_urls_use_psycopg_3() -> None:
    from townhall.db import _normalise_url

    assert _normalise_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _normalise_url("postgresql+psycopg2://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _normalise_url("sqlite:///var/townhall.db") == "sqlite:///var/townhall.db"


@pytest.mark.parametrize("days", [[8], [0, 1], [1, 9]])
def test_office_days_must_be_weekday_numbers(days: list[int]) -> None:
    with pytest.raises(ValueError, match="ISO weekday numbers from 1"):
        Settings(_env_file=None, assistant_office_days=days)
