from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.assistant import talk
from tests.assistant.talk import all_text
from tests.identity.factories import make_user
from townhall.assistant.callbacks import mark_done, normalise_uk_phone, purge_callbacks
from townhall.assistant.dialogue import Reply, start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.assistant.handoff_models import CallbackRequest
from townhall.assistant.models import Conversation, Message
from townhall.assistant.replies import PHONE_EXAMPLES
from townhall.config import Settings
from townhall.platform import clock
from townhall.platform.errors import Conflict

SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=clock.LONDON)
MONDAY_OPENING = datetime(2026, 11, 30, 9, 0, tzinfo=clock.LONDON)


def say(session: Session, engine: IntentEngine, conversation: Conversation, text: str) -> Reply:
    return talk.say(session, engine, conversation, text, today=date(2026, 11, 28))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07700 900123", "07700 900123"),
        ("07700900123", "07700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("+44 (0)7700 900123", "07700 900123"),
        ("0044 7700 900 123", "07700 900123"),
        ("020 7946 0000", "020 7946 0000"),
        ("(01632) 960-123", "01632 960123"),
        ("0163 296 012", "01632 96012"),  # a ten-digit area number
    ],
)
def test_uk_phone_numbers_are_normalised(typed: str, expected: str) -> None:
    assert normalise_uk_phone(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "0909 8790000", "+1 202 555 0100", "07700 9001234", "call me", ""])
def test_other_numbers_are_refused(typed: str) -> None:
    assert normalise_uk_phone(typed) is None


def test_out_of_hours_the_assistant_takes_a_call_back(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    with clock.frozen_at(SATURDAY_NIGHT):
        offer = say(session, product_engine, conversation, "can i speak to a real person please")
        assert "Monday 30 November" in all_text(offer) and "closed" in all_text(offer)
        assert [o["value"] for o in offer.replies[-1]["options"]] == ["yes", "no"]
        assert offer.intent == "contact.human" and conversation.handed_off
        asked_name = say(session, product_engine, conversation, "yes")
        assert "name" in all_text(asked_name) and asked_name.intent == "contact.human"
        asked_phone = say(session, product_engine, conversation, "Jo Bloggs")
        assert "phone number" in all_text(asked_phone)
        again = say(session, product_engine, conversation, "12345")
        assert "does not look like a UK phone number" in all_text(again)
        done = say(session, product_engine, conversation, "07700 900456")
    assert "Thank you, Jo Bloggs" in all_text(done) and "9am on Monday 30 November" in all_text(done)
    stored = session.scalars(select(CallbackRequest).where(CallbackRequest.conversation_id == conversation.id)).one()
    assert (stored.name, stored.phone, stored.status) == ("Jo Bloggs", "07700 900456", "open")
    assert stored.call_from == MONDAY_OPENING
    transcript = session.scalars(select(Message.text).where(Message.conversation_id == conversation.id)).all()
    assert not any("900456" in line for line in transcript) and "[phone]" in transcript
    assert any(PHONE_EXAMPLES in line for line in transcript)  # the assistant's own example is no one's number
    assert "callback_name" not in conversation.state and conversation.state["awaiting"] is None


def test_declining_a_call_back_says_when_a_person_replies(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    with clock.frozen_at(SATURDAY_NIGHT):
        say(session, product_engine, conversation, "i want to talk to someone")
        declined = say(session, product_engine, conversation, "no")
        assert "9am on Monday 30 November" in all_text(declined)
        # Out of hours and nobody has it yet: the assistant keeps answering.
        assert "I can report this" in all_text(say(session, product_engine, conversation, "there is a pothole"))
    assert session.scalar(select(CallbackRequest.id).where(CallbackRequest.conversation_id == conversation.id)) is None


def test_a_booked_call_back_is_not_offered_twice(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    with clock.frozen_at(SATURDAY_NIGHT):
        for text in ("speak to a person", "yes", "Sam", "01632 960123"):
            say(session, product_engine, conversation, text)
        again = say(session, product_engine, conversation, "can i talk to a human")
    assert "already asked for a call back" in all_text(again) and not again.replies[-1]["options"]


def _callback(session: Session, *, requested: datetime, status: str = "open") -> CallbackRequest:
    conversation = start_conversation(session)
    request = CallbackRequest(conversation_id=conversation.id, name="A", phone="07700 900123", requested_at=requested,
                              call_from=requested, status=status)  # fmt: skip
    session.add(request)
    session.flush()
    return request


def test_purge_removes_done_and_old_call_backs(session: Session) -> None:
    now = SATURDAY_NIGHT
    settings = Settings(assistant_callback_retention_days=30)
    session.execute(delete(CallbackRequest))
    recent = _callback(session, requested=now - timedelta(days=2))
    _callback(session, requested=now - timedelta(days=1), status="done")
    _callback(session, requested=now - timedelta(days=31))
    assert purge_callbacks(session, now=now, settings=settings) == 2
    assert session.scalars(select(CallbackRequest.id)).all() == [recent.id]


def test_call_backs_go_with_their_conversation(session: Session) -> None:
    kept = _callback(session, requested=SATURDAY_NIGHT)
    session.execute(delete(Conversation).where(Conversation.id == kept.conversation_id))
    assert session.scalar(select(CallbackRequest.id).where(CallbackRequest.id == kept.id)) is None


def test_marking_a_call_back_done(session: Session) -> None:
    officer = make_user(session, role="contact_centre")
    request = _callback(session, requested=SATURDAY_NIGHT)
    mark_done(session, officer=officer, callback_id=request.id, now=MONDAY_OPENING)
    assert (request.status, request.done_by_user_id) == ("done", officer.id)
    with pytest.raises(Conflict):
        mark_done(session, officer=officer, callback_id=request.id, now=MONDAY_OPENING)


def test_the_purge_command_removes_call_backs_too(session: Session) -> None:
    from townhall.assistant.retention import purge_expired

    session.execute(delete(CallbackRequest))
    _callback(session, requested=SATURDAY_NIGHT - timedelta(days=1), status="done")
    kept = _callback(session, requested=SATURDAY_NIGHT - timedelta(days=1))
    counts = purge_expired(session, now=SATURDAY_NIGHT, settings=Settings(assistant_callback_retention_days=30))
    assert counts["callbacks"] == 1
    assert session.scalars(select(CallbackRequest.id)).all() == [kept.id]
