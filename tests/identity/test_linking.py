"""Linking a council tax account: a postcode is guessable, so failed guesses are limited per resident and per
client address (new accounts cost nothing, so a limit per resident alone is no limit)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.counciltax.test_accounts import an_account, link
from tests.identity.factories import signed_in
from townhall.identity.linking import MAX_LINK_FAILURES, MAX_LINK_FAILURES_PER_CLIENT


def test_a_resident_who_guesses_too_often_is_told_to_wait(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    reference, postcode = an_account(session)
    for _ in range(MAX_LINK_FAILURES):
        assert link(client, reference, "ZX99 9ZZ").status_code == 422
    limited = link(client, reference, postcode)  # even the right postcode, while limited
    assert limited.status_code == 429 and "too many attempts" in limited.text.lower()


def test_guessing_from_new_accounts_on_one_client_is_limited_too(client: TestClient, session: Session) -> None:
    reference, postcode = an_account(session)
    for _ in range(MAX_LINK_FAILURES_PER_CLIENT // MAX_LINK_FAILURES):
        client.cookies.clear()
        signed_in(client, session, role="resident")
        for _ in range(MAX_LINK_FAILURES):
            assert link(client, reference, "ZX99 9ZZ").status_code == 422
    client.cookies.clear()
    signed_in(client, session, role="resident")
    assert link(client, reference, postcode).status_code == 429


def test_each_problem_is_shown_by_its_field_with_what_was_typed(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    reference, _postcode = an_account(session)
    blank = link(client, reference, "")
    assert blank.status_code == 422 and 'id="postcode-error"' in blank.text and 'href="#postcode"' in blank.text
    assert f'value="{reference}"' in blank.text
    whole_address = link(client, reference, "Flat 3, 12 High Street ZX1 0AA")
    assert whole_address.status_code == 422 and "Enter the postcode only" in whole_address.text
    assert 'value="flat3,12highstreetzx10aa"' in whole_address.text  # as sent (the helper squeezes it)
    assert 'id="reference-error"' not in whole_address.text
    too_long = link(client, "5" * 50, "ZX1 0AA")
    assert too_long.status_code == 422 and 'id="reference-error"' in too_long.text
