from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.talk import TODAY, all_text, say
from townhall.assistant.dialogue import Reply, handle_message, start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.assistant.models import Message
from townhall.assistant.replies import hand_off, next_opening
from townhall.config import Settings
from townhall.platform import clock
from townhall.platform.errors import InvalidInput, NotFound

STREAM_NAMES = ("Recycling", "Refuse", "Rubbish", "Garden", "Food")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "today", "tomorrow")


def labels(reply: Reply) -> list[str]:
    return [option["label"] for part in reply.replies for option in part["options"]]


def test_bin_day_conversation_end_to_end(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    asked = say(session, product_engine, conversation, "when is my bin day")
    assert asked.intent == "bins.next_collection" and "postcode" in all_text(asked)
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]).lower())
    options = labels(offered)
    assert sample_property["address"] in options
    number = options.index(str(sample_property["address"])) + 1
    answer = say(session, product_engine, conversation, str(number))
    text = all_text(answer)
    assert any(name in text for name in STREAM_NAMES), text
    assert any(day in text for day in WEEKDAYS), text
    assert f"/bin-day/{sample_property['uprn']}" in text
    assert answer.state["awaiting"] is None


def test_choosing_an_address_by_its_text(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    offered = say(session, product_engine, conversation, f"bin collection day for {sample_property['postcode']}?")
    assert offered.state["awaiting"] == "address"
    answer = say(session, product_engine, conversation, str(sample_property["address"]).upper())
    assert any(name in all_text(answer) for name in STREAM_NAMES)


def test_council_tax_band_flow(session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]) -> None:
    conversation = start_conversation(session)
    asked = say(session, product_engine, conversation, "what council tax band is my house")
    assert asked.intent == "counciltax.band" and "postcode" in all_text(asked)
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    number = labels(offered).index(str(sample_property["address"])) + 1
    answer = say(session, product_engine, conversation, str(number))
    text = all_text(answer)
    assert "band" in text and "£" in text and f"/council-tax/band/{sample_property['uprn']}" in text


def test_a_wrong_number_asks_again(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    say(session, product_engine, conversation, str(sample_property["postcode"]))
    again = say(session, product_engine, conversation, "999")
    assert "Reply with a number" in all_text(again) and again.state["awaiting"] == "address"


def test_safeguarding_is_answered_seriously_and_marked_urgent(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "i think my neighbour is hurting his kids, i hear screaming")
    assert reply.intent == "safeguarding.concern"
    text = all_text(reply)
    assert "999" in text and Settings().safeguarding_phone in text and Settings().safeguarding_out_of_hours in text
    assert "!" not in text
    assert conversation.urgent and conversation.handed_off
    kept = "\n".join(session.scalars(select(Message.text).where(Message.conversation_id == conversation.id)))
    # the transcript the resident reads back keeps the council's numbers (no one's personal data)
    assert Settings().safeguarding_phone in kept and Settings().safeguarding_out_of_hours in kept
    assert "[phone]" not in kept


def test_safeguarding_wins_in_the_middle_of_a_question(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    reply = say(session, product_engine, conversation, "my dad hits me and i am scared to go home")
    assert "999" in all_text(reply) and conversation.urgent


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 2_001])
def test_empty_or_overlong_messages_are_refused(session: Session, product_engine: IntentEngine, text: str) -> None:
    conversation = start_conversation(session)
    with pytest.raises(InvalidInput):
        say(session, product_engine, conversation, text)


def test_an_unknown_conversation_is_not_found(session: Session, product_engine: IntentEngine) -> None:
    with pytest.raises(NotFound):
        handle_message(session, conversation_id="nope", text="hello", engine=product_engine, today=TODAY)


def test_resident_messages_are_stored_redacted(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "call me on 07700 900123 or email jo@example.com <b>please</b>")
    stored = session.scalars(
        select(Message.text).where(Message.conversation_id == conversation.id, Message.sender == "resident")
    ).one()
    assert "07700" not in stored and "jo@example.com" not in stored
    assert "[phone]" in stored and "[email]" in stored and "<b>please</b>" in stored


def test_two_misunderstandings_in_a_row_hand_off(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    first = say(session, product_engine, conversation, "qwxz plorf")
    assert not conversation.handed_off and "I can help with" in all_text(first)
    second = say(session, product_engine, conversation, "asdf jkl")
    assert conversation.handed_off and "member of staff" in all_text(second)


def test_an_understood_message_resets_the_count(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "qwxz plorf")
    say(session, product_engine, conversation, "hello")
    say(session, product_engine, conversation, "asdf jkl")
    assert not conversation.handed_off


def test_asking_for_a_person_hands_off(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "can i speak to a real person please")
    assert reply.intent == "contact.human" and conversation.handed_off


def test_out_of_scope_points_to_gov_uk(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "how do i renew my passport")
    assert reply.intent == "out_of_scope" and "https://www.gov.uk" in all_text(reply)


def test_an_intent_with_no_article_names_the_service(session: Session, product_engine: IntentEngine) -> None:
    # Reports now start a report (tests/assistant/test_report_flow.py) and articles answer the rest
    # (test_knowledge.py); with an article's intent unclaimed, the fixed pointer still answers.
    from townhall.assistant import knowledge
    from townhall.assistant.knowledge_models import KnowledgeArticle

    knowledge.list_articles(session)
    session.execute(KnowledgeArticle.__table__.delete().where(KnowledgeArticle.slug != "opening-hours"))
    knowledge.forget_knowledge()
    try:
        conversation = start_conversation(session)
        reply = say(session, product_engine, conversation, "how do I get a residents parking permit")
        assert reply.intent == "parking.permit" and "parking team" in all_text(reply)
    finally:
        knowledge.forget_knowledge()


def test_hand_off_out_of_hours_names_when_a_person_replies() -> None:
    saturday = datetime(2026, 11, 28, 22, 0, tzinfo=clock.LONDON)
    assert next_opening(saturday) == datetime(2026, 11, 30, 9, 0, tzinfo=clock.LONDON)
    assert "Monday 30 November" in hand_off(saturday)[0]["text"]
    tuesday_morning = datetime(2026, 12, 1, 10, 0, tzinfo=clock.LONDON)
    assert "shortly" in hand_off(tuesday_morning)[0]["text"]
