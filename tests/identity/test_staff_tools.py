"""The staff home page links each role to its pages, and each link opens for exactly the roles it is listed for."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.identity.factories import signed_in
from townhall.identity.roles import STAFF_ROLES
from townhall.identity.staff_tools import STAFF_TOOLS


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_each_listed_page_opens_for_exactly_the_roles_it_names(client: TestClient, session: Session, role: str) -> None:
    signed_in(client, session, role=role)
    home = client.get("/staff")
    assert home.status_code == 200
    for tool in STAFF_TOOLS:
        opened = client.get(tool.path, follow_redirects=False)
        if role in tool.roles:
            assert opened.status_code == 200, (role, tool.path)
            assert f'href="{tool.path}"' in home.text, (role, tool.path)
        else:
            assert opened.status_code == 403, (role, tool.path, opened.status_code)
            assert f'href="{tool.path}"' not in home.text, (role, tool.path)


def test_a_role_with_no_pages_yet_is_told_so(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="analyst")
    assert "No staff pages are open to your roles yet." in client.get("/staff").text
