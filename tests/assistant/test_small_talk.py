"""Fillers, closings the engine splits, and two questions in one message (small_talk.py), in the dialogue."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.assistant.talk import all_text, labels, option_value, say
from townhall.assistant.dialogue import start_conversation
from townhall.assistant.engine import IntentEngine, Prediction
from townhall.assistant.handoff import open_handoff
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


def test_two_questions_the_whole_of_which_is_not_understood_answer_the_first_and_offer_the_second(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "when is my bin day and how much is band D")
    assert reply.intent == "bins.next_collection" and "What is your postcode?" in all_text(reply)
    assert labels(reply) == ["How much is band D"]
    second = say(session, product_engine, conversation, option_value(reply, "How much is band D"))
    assert "Band D is £" in all_text(second)


def test_an_understood_message_with_another_question_in_it_offers_that_one_too(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "my bin was not collected. Also there is a pothole on my road")
    assert reply.intent == "bins.missed" and "Missed bin collection" in all_text(reply)
    assert labels(reply) == ["There is a pothole on my road"]
    single = say(session, product_engine, start_conversation(session), "my bin was not collected this week")
    assert "You asked about two things" not in all_text(single)
