import os

import pytest

from townhall.config import Settings
from townhall.web.cli import _links_to_this_address


@pytest.fixture
def no_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    # set, then removed: monkeypatch then restores the variable (or its absence) after the test, whatever the code sets
    monkeypatch.setenv("TOWNHALL_PUBLIC_URL", "http://placeholder")
    monkeypatch.delenv("TOWNHALL_PUBLIC_URL")


@pytest.mark.usefixtures("no_public_url")
def test_a_demo_on_another_port_emails_links_to_where_it_listens() -> None:
    _links_to_this_address(Settings(_env_file=None), "127.0.0.1", 8124)
    assert os.environ["TOWNHALL_PUBLIC_URL"] == "http://127.0.0.1:8124"
    del os.environ["TOWNHALL_PUBLIC_URL"]
    _links_to_this_address(Settings(_env_file=None), "::1", 8124)
    assert os.environ["TOWNHALL_PUBLIC_URL"] == "http://[::1]:8124"


@pytest.mark.usefixtures("no_public_url")
def test_a_chosen_address_and_production_are_left_alone() -> None:
    _links_to_this_address(Settings(_env_file=None, public_url="https://townhall.example.gov.uk"), "127.0.0.1", 8124)
    assert "TOWNHALL_PUBLIC_URL" not in os.environ
    production = Settings(_env_file=None, environment="production", secret_key="x" * 48)
    _links_to_this_address(production, "127.0.0.1", 8124)
    assert "TOWNHALL_PUBLIC_URL" not in os.environ
