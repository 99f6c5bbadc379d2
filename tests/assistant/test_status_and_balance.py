"""A report's status (what the tracking page shows, no more) and a council tax balance (own accounts only)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.talk import all_text, say, urls
from tests.identity.factories import make_user
from tests.service_requests.factories import make_request
from townhall.assistant.balance import account_words
from townhall.assistant.dialogue import conversation_for, start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.counciltax.charges import format_pounds
from townhall.counciltax.models import Account
from townhall.counciltax.models import Payment as PaymentRow
from townhall.counciltax.service import account_summary
from townhall.identity.models import AccountLink
from townhall.places.models import Property
from townhall.platform.errors import NotFound
from townhall.service_requests.models import RequestUpdate


def test_status_asks_for_the_reference_then_answers_what_the_public_may_see(
    session: Session, product_engine: IntentEngine
) -> None:
    created = make_request(session, description="Secret details about my neighbour")
    session.add(RequestUpdate(request_id=created.id, status="in_progress", public_note="A crew is booked for Tuesday.",
                              internal_note="internal only", created_at=datetime.now(UTC)))  # fmt: skip
    session.flush()
    conversation = start_conversation(session)
    asked = say(session, product_engine, conversation, "what is happening with my report")
    assert asked.intent == "request.status" and "reference" in all_text(asked)
    answer = say(session, product_engine, conversation, created.reference.lower().replace("-", " "))
    text = all_text(answer)
    assert created.reference in text and created.service.name in text and "Reported on" in text
    assert "We aim to respond by" in text and "A crew is booked for Tuesday." in text
    assert "Secret" not in text and "internal only" not in text
    assert "/report-a-problem-track" in urls(answer) and answer.state["flow"] is None


def test_status_shows_only_the_street_for_a_problem_at_a_home(session: Session, product_engine: IntentEngine) -> None:
    home = session.scalars(select(Property).where(Property.building_number.is_not(None)).limit(1)).one()
    created = make_request(session, service_code="noise", uprn=home.uprn, answers={"noise_type": ["music"]})
    conversation = start_conversation(session)
    text = all_text(say(session, product_engine, conversation, f"status of {created.reference}"))
    assert home.street_name in text and home.address not in text
    assert not re.search(rf"\b{re.escape(str(home.building_number))} {re.escape(home.street_name)}", text)


def test_an_unknown_reference_gets_a_clear_reply(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "where is my report SR-99999999 up to")
    assert "could not find a report with the reference SR-99999999" in all_text(reply)
    assert reply.state["awaiting"] == "reference"


def test_balance_is_refused_to_someone_not_signed_in(session: Session, product_engine: IntentEngine) -> None:
    reference = session.scalars(select(Account.reference).limit(1)).one()
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, f"how much council tax do I owe on account {reference}")
    text = all_text(reply)
    assert reply.intent == "counciltax.balance" and "signed in" in text and "£" not in text and reference not in text
    assert {"/sign-in", "/account/link"} <= set(urls(reply))


def test_balance_for_a_resident_without_a_linked_account_says_how_to_link(
    session: Session, product_engine: IntentEngine
) -> None:
    resident = make_user(session, role="resident")
    conversation = start_conversation(session, user_id=resident.id)
    reply = say(session, product_engine, conversation, "how much council tax do I owe", user_id=resident.id)
    assert "no council tax account is linked" in all_text(reply) and urls(reply) == ["/account/link"]


def test_balance_for_staff_reveals_nothing(session: Session, product_engine: IntentEngine) -> None:
    officer = make_user(session, role="admin")
    conversation = start_conversation(session, user_id=officer.id)
    reply = say(session, product_engine, conversation, "how much council tax do I owe", user_id=officer.id)
    assert "£" not in all_text(reply) and "/sign-in" in urls(reply)


def test_balance_for_a_resident_with_a_linked_account(session: Session, product_engine: IntentEngine) -> None:
    resident = make_user(session, role="resident")
    account: Any = session.execute(select(Account.reference, Account.uprn).limit(1)).one()
    session.add(AccountLink(user_id=resident.id, account_reference=account.reference, linked_at=datetime.now(UTC)))
    session.flush()
    conversation = start_conversation(session, user_id=resident.id)
    reply = say(session, product_engine, conversation, "what is my council tax balance", user_id=resident.id)
    text = all_text(reply)
    address = session.get(Property, account.uprn).address
    assert f"Your council tax account for {address}" in text and "This year's bill is £" in text
    assert "you have paid £" in text and account.reference not in text
    assert any(url.startswith("/account/links/") for url in urls(reply))


def test_a_balance_says_what_went_back_so_that_paid_matches_the_page(session: Session) -> None:
    reference = session.scalars(
        select(PaymentRow.account_reference)
        .where(PaymentRow.method == "direct debit return", PaymentRow.financial_year == 2026)
        .order_by(PaymentRow.account_reference)
        .limit(1)
    ).one()
    summary = account_summary(session, reference=reference, on=date(2026, 11, 1))
    words = account_words(summary)
    assert (f"you have paid {format_pounds(summary.paid_pence)}, after {format_pounds(summary.returned_pence)} of "
            "payments returned.") in words  # fmt: skip
    assert "refunded" not in words


def test_a_balance_is_never_left_where_someone_else_can_read_it(session: Session, product_engine: IntentEngine) -> None:
    # A conversation started over the JSON API is open to whoever holds its id: someone who starts one and gets a
    # signed-in resident to use it ("continue your chat here") must not then read the resident's balance in it
    resident = make_user(session, role="resident")
    account: Any = session.execute(select(Account.reference, Account.uprn).limit(1)).one()
    session.add(AccountLink(user_id=resident.id, account_reference=account.reference, linked_at=datetime.now(UTC)))
    session.flush()
    conversation = start_conversation(session)  # nobody's
    reply = say(session, product_engine, conversation, "what is my council tax balance", user_id=resident.id)
    assert "This year's bill is £" in all_text(reply)
    with pytest.raises(NotFound):
        conversation_for(session, conversation_id=conversation.id, user_id=None)
    assert conversation_for(session, conversation_id=conversation.id, user_id=resident.id) is conversation
