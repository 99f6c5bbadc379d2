"""The hand-off in the dialogue and the contact centre's service functions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.assistant import talk
from tests.assistant.talk import all_text
from tests.identity.factories import make_user
from townhall.assistant import staff
from townhall.assistant.dialogue import Reply, start_conversation
from townhall.assistant.engine import IntentEngine, Prediction
from townhall.assistant.handoff import open_handoff
from townhall.assistant.models import Conversation, Message
from townhall.identity.models import User
from townhall.platform import clock
from townhall.platform.audit import AuditEntry
from townhall.platform.errors import Conflict, Forbidden, InvalidInput, NotFound

TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=clock.LONDON)
SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=clock.LONDON)


def officer(session: Session, name: str = "Olu Adeyemi") -> User:
    user = make_user(session, role="contact_centre")
    user.display_name = name
    return user


def handed_off(
    session: Session, engine: IntentEngine, text: str = "can i speak to a real person please"
) -> Conversation:
    conversation = start_conversation(session)
    say(session, engine, conversation, text)
    return conversation


def say(session: Session, engine: IntentEngine, conversation: Conversation, text: str) -> Reply:
    return talk.say(session, engine, conversation, text, today=date(2026, 12, 1))


@pytest.fixture
def in_office_hours() -> Any:
    with clock.frozen_at(TUESDAY_MORNING):
        yield


@pytest.mark.usefixtures("in_office_hours")
def test_in_office_hours_messages_go_to_the_officer(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    first = say(session, product_engine, conversation, "can i speak to a real person please")
    assert "shortly" in all_text(first) and open_handoff(session, conversation_id=conversation.id) is not None
    passed = say(session, product_engine, conversation, "there is a pothole on my road")
    assert all_text(passed) == "Your message has been passed to the team." and passed.intent == "contact.human"
    assert (
        say(session, product_engine, conversation, "it is outside the school gates").replies == []
    )  # one acknowledgement
    olu = officer(session)
    staff.reply(session, officer=olu, conversation_id=conversation.id, text="Hello, I can help.", now=clock.now())
    assert all_text(say(session, product_engine, conversation, "thank you")) == "Your message has been passed to Olu."
    senders = session.scalars(select(Message.sender).where(Message.conversation_id == conversation.id)
                              .order_by(Message.id)).all()  # fmt: skip
    assert senders.count("officer") == 1 and senders.count("resident") == 4


def test_out_of_hours_a_taken_conversation_still_goes_to_the_officer(
    session: Session, product_engine: IntentEngine
) -> None:
    with clock.frozen_at(TUESDAY_MORNING):
        conversation = handed_off(session, product_engine)
        staff.take_over(session, officer=officer(session, "Sam"), conversation_id=conversation.id, now=clock.now())
    with clock.frozen_at(SATURDAY_NIGHT):
        assert all_text(say(session, product_engine, conversation, "hello?")) == "Your message has been passed to Sam."


@pytest.mark.usefixtures("in_office_hours")
def test_safeguarding_is_answered_at_once_while_a_person_has_it(session: Session, product_engine: IntentEngine) -> None:
    conversation = handed_off(session, product_engine)
    staff.take_over(session, officer=officer(session), conversation_id=conversation.id, now=clock.now())
    reply = say(session, product_engine, conversation, "my dad hits me and i am scared to go home")
    assert "999" in all_text(reply)
    found = open_handoff(session, conversation_id=conversation.id)
    assert found is not None and found.urgent and found.reason == "safeguarding" and conversation.urgent


@pytest.mark.usefixtures("in_office_hours")
def test_two_misunderstandings_join_the_queue(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "qwxz plorf")
    reply = say(session, product_engine, conversation, "asdf jkl")
    found = open_handoff(session, conversation_id=conversation.id)
    assert found is not None and found.reason == "not_understood" and reply.intent == "contact.human"


def test_the_reported_intent_is_the_flows_while_it_asks(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    assert offered.intent == "bins.next_collection"  # the engine alone calls a bare postcode out of scope
    residents = select(Message.intent).where(Message.conversation_id == conversation.id, Message.sender == "resident")
    stored = session.scalars(residents.order_by(Message.id)).all()
    assert stored[-1] != "bins.next_collection"  # the engine's own guess is still what is kept for learning
    answered = say(session, product_engine, conversation, "1")
    assert answered.intent == "bins.next_collection"


@pytest.mark.usefixtures("in_office_hours")
def test_the_queue_puts_urgent_first_then_the_longest_waiting(session: Session, product_engine: IntentEngine) -> None:
    before = set(session.scalars(select(Message.conversation_id)).all())
    with clock.frozen_at(TUESDAY_MORNING - timedelta(minutes=30)):
        oldest = handed_off(session, product_engine)
    newer = handed_off(session, product_engine)
    urgent = handed_off(session, product_engine, "a child on my street is being neglected and left alone all night")
    me, other = officer(session), officer(session, "Kim")
    staff.take_over(session, officer=other, conversation_id=newer.id, now=clock.now())
    mine = handed_off(session, product_engine)
    staff.take_over(session, officer=me, conversation_id=mine.id, now=clock.now())

    def ids(view: staff.QueueView) -> list[str]:
        items = staff.queue(session, officer=me, view=view, now=clock.now())
        return [i.handoff.conversation_id for i in items if i.handoff.conversation_id not in before]

    assert ids("open") == [urgent.id, oldest.id, newer.id, mine.id]
    assert ids("waiting") == [urgent.id, oldest.id]
    assert ids("mine") == [mine.id]
    item = next(i for i in staff.queue(session, officer=me, view="open", now=clock.now())
                if i.handoff.conversation_id == newer.id)  # fmt: skip
    assert item.taken_by == "Kim"
    oldest_item = next(i for i in staff.queue(session, officer=me, view="open", now=clock.now())
                       if i.handoff.conversation_id == oldest.id)  # fmt: skip
    assert oldest_item.waiting == timedelta(minutes=30)


@pytest.mark.usefixtures("in_office_hours")
def test_reading_a_transcript_is_audited_with_its_purpose(session: Session, product_engine: IntentEngine) -> None:
    conversation = handed_off(session, product_engine)
    me = officer(session)
    found = staff.transcript(session, officer=me, conversation_id=conversation.id, client="testclient")
    assert [m.sender for m in found.messages] == ["resident", "assistant"]
    entry = session.scalars(select(AuditEntry).where(AuditEntry.subject_id == conversation.id)).one()
    assert (entry.action, entry.actor_id, entry.purpose) == ("view_assistant_transcript", me.id, staff.READ_PURPOSE)


@pytest.mark.usefixtures("in_office_hours")
def test_staff_cannot_read_conversations_never_handed_off(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "hello")
    me, service_officer = officer(session), make_user(session, role="officer")
    count = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(NotFound):
        staff.transcript(session, officer=me, conversation_id=conversation.id)
    with pytest.raises(Forbidden):
        staff.queue(session, officer=service_officer, view="open", now=clock.now())
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == count


@pytest.mark.usefixtures("in_office_hours")
def test_replies_are_checked_and_a_takeover_is_respected(session: Session, product_engine: IntentEngine) -> None:
    conversation = handed_off(session, product_engine)
    kim, me = officer(session, "Kim"), officer(session)
    with pytest.raises(InvalidInput):
        staff.reply(session, officer=me, conversation_id=conversation.id, text="   ", now=clock.now())
    with pytest.raises(InvalidInput):
        staff.reply(session, officer=me, conversation_id=conversation.id, text="x" * 2_001, now=clock.now())
    staff.take_over(session, officer=kim, conversation_id=conversation.id, now=clock.now())
    with pytest.raises(Conflict, match="Kim has taken this conversation over"):
        staff.reply(session, officer=me, conversation_id=conversation.id, text="Hello", now=clock.now())
    staff.take_over(session, officer=me, conversation_id=conversation.id, now=clock.now())
    message = staff.reply(session, officer=me, conversation_id=conversation.id, text="Call 01632 960000",
                          now=clock.now())  # fmt: skip
    assert message.text == "Call 01632 960000" and message.author_user_id == me.id


@pytest.mark.usefixtures("in_office_hours")
def test_closing_and_returning_give_the_conversation_back(session: Session, product_engine: IntentEngine) -> None:
    conversation = handed_off(session, product_engine)
    me = officer(session)
    with pytest.raises(InvalidInput):
        staff.close(session, officer=me, conversation_id=conversation.id, outcome="whatever", now=clock.now())
    staff.close(session, officer=me, conversation_id=conversation.id, outcome="answered", now=clock.now())
    assert not conversation.handed_off and open_handoff(session, conversation_id=conversation.id) is None
    with pytest.raises(Conflict):
        staff.close(session, officer=me, conversation_id=conversation.id, outcome="answered", now=clock.now())
    assert "What can I help" in all_text(say(session, product_engine, conversation, "hello"))
    say(session, product_engine, conversation, "speak to a person please")
    staff.return_to_assistant(session, officer=me, conversation_id=conversation.id, now=clock.now())
    assert "I can report this" in all_text(say(session, product_engine, conversation, "there is a pothole"))


class _UnsureEngine:
    """The engine's answer fixed, to test what the dialogue does with a doubtful guess (not the engine itself)."""

    def __init__(self, intent: str, confidence: float) -> None:
        self.prediction = Prediction(intent, confidence)

    def predict(self, texts: list[str]) -> list[Prediction]:
        return [self.prediction for _ in texts]


@pytest.mark.parametrize(
    ("intent", "confidence", "offered"),
    [("counciltax.discount", 0.5, True), ("counciltax.discount", 0.9, False), ("report.pothole", 0.5, False),
     ("housing.repair", 0.45, True)],
)  # fmt: skip
def test_a_doubtful_guess_about_something_that_matters_offers_a_person(
    session: Session, intent: str, confidence: float, offered: bool
) -> None:
    conversation = start_conversation(session)
    reply = say(session, _UnsureEngine(intent, confidence), conversation, "something about my bill")  # type: ignore[arg-type]
    options = [o["value"] for part in reply.replies for o in part["options"]]
    assert (options == ["talk to a person"]) is offered


def test_the_offered_button_hands_off(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    assert say(session, product_engine, conversation, "talk to a person").intent == "contact.human"
    assert conversation.handed_off
