"""Fillers, closings the engine splits, and two questions in one message (small_talk.py), in the dialogue."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.talk import all_text, labels, option_value, say
from townhall.assistant.dialogue import start_conversation
from townhall.assistant.engine import IntentEngine, Prediction
from townhall.assistant.handoff import open_handoff
from townhall.assistant.models import Message
from townhall.assistant.small_talk import is_filler, social_intent


@pytest.mark.parametrize("text", ["ok", "Yes.", "hmm?", "what?", "ok ok", "fine", "Right, sure!", "k", "I see"])
def test_words_that_ask_nothing_are_fillers(text: str) -> None:
    assert is_filler(text)


@pytest.mark.parametrize("text", ["ok my bin was not collected", "no bins today", "fine for parking", "bins", ""])
def test_a_message_with_a_question_in_it_is_not_a_filler(text: str) -> None:
    assert not is_filler(text)


def test_an_unsure_reading_that_is_nearly_all_social_is_the_likeliest_social_intent() -> None:
    split = Prediction("out_of_scope", 0.0, (("goodbye", 0.52), ("thanks", 0.47), ("greeting", 0.005)))
    assert social_intent(split) == "goodbye"
    spread = Prediction("out_of_scope", 0.3, (("goodbye", 0.4), ("bins.missed", 0.3)))
    assert social_intent(spread) is None


def test_closing_words_the_engine_is_unsure_of_say_goodbye_and_hand_nothing_off(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    for _ in range(2):
        reply = say(session, product_engine, conversation, "that's all thanks")
        assert reply.intent == "goodbye" and all_text(reply) == "Goodbye."
    assert open_handoff(session, conversation_id=conversation.id) is None


def test_fillers_ask_what_the_resident_wants_and_are_not_counted_towards_a_hand_off(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    for text in ("yes", "hmm", "fine", "what?"):
        reply = say(session, product_engine, conversation, text)
        assert all_text(reply).startswith("What would you like to ask?"), text  # "fine" is no parking fine
        assert "Bins and recycling" in labels(reply)
    assert open_handoff(session, conversation_id=conversation.id) is None
    topic = say(session, product_engine, conversation, option_value(reply, "Bins and recycling"))
    assert "When is my bin day?" in labels(topic)


def test_two_questions_the_whole_of_which_is_not_understood_answer_one_then_offer_the_other(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, object]
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "when is my bin day and how much is band D")
    assert reply.intent == "bins.next_collection" and all_text(reply).startswith("You asked about two things")
    assert "What is your postcode?" in all_text(reply) and labels(reply) == []  # the postcode is the question now
    addresses = say(session, product_engine, conversation, str(sample_property["postcode"]))
    assert "How much is band D" not in labels(addresses)  # still choosing the address
    answered = say(session, product_engine, conversation, str(sample_property["address"]))
    assert "Refuse" in all_text(answered) or "Recycling" in all_text(answered)
    assert labels(answered) == ["How much is band D"]  # offered once the bin day is answered
    second = say(session, product_engine, conversation, option_value(answered, "How much is band D"))
    assert "Band D is £" in all_text(second) and "How much is band D" not in labels(second)


def test_an_understood_message_with_another_question_in_it_offers_that_one_when_done(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "how do I pay my council tax? and how do I apply for housing")
    other = {"counciltax.pay": "How do I apply for housing", "housing.apply": "How do I pay my council tax"}
    assert reply.intent in other and all_text(reply).startswith("You asked about two things")
    assert labels(reply) == [other[reply.intent]]  # its answer needs no follow-up, so the other is offered at once
    single = say(session, product_engine, start_conversation(session), "my bin was not collected this week")
    assert "You asked about two things" not in all_text(single)


def test_a_hand_off_drops_the_other_question(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day and how much is band D")
    say(session, product_engine, conversation, "I want to speak to a person")
    assert "other_question" not in (conversation.state or {})


def test_the_example_postcode_stays_in_the_transcript(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    say(session, product_engine, conversation, "hmm")
    stored = session.scalars(
        select(Message.text).where(Message.conversation_id == conversation.id, Message.sender == "assistant")
    ).all()
    assert any("for example WX1 2AB" in text for text in stored)
