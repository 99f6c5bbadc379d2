"""How residents really write: an address instead of a postcode, a house number instead of a list number, "cancel"
in the middle of a question. Each test is a conversation found wanting in a review of the assistant (29 Nov)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.assistant.talk import all_text, labels, say
from townhall.assistant.dialogue import start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.assistant.topics import topic_named
from townhall.counciltax.service import charge_years, charges_by_band


def _house(sample_property: dict[str, Any]) -> str:
    return f"{sample_property['building_number']} {sample_property['street_name']}"


def test_an_address_in_the_first_message_is_answered_without_asking_for_a_postcode(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, f"When is my bin collected? I live at {_house(sample_property)}")
    text = all_text(reply)
    assert "postcode" not in text
    assert f"The next collections at {sample_property['address']}" in text
    assert f"/bin-day/{sample_property['uprn']}" in text


def test_an_address_given_when_asked_for_the_postcode_is_used(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    reply = say(session, product_engine, conversation, f"I live at {sample_property['address']}")
    assert f"The next collections at {sample_property['address']}" in all_text(reply)


def test_a_bare_address_given_for_the_postcode_is_not_taken_for_another_question(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    reply = say(session, product_engine, conversation, str(sample_property["address"]))
    assert reply.intent == "bins.next_collection"
    assert "report" not in all_text(reply) and sample_property["address"] in all_text(reply)


def test_an_address_outside_the_area_is_named_and_the_postcode_asked_for(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "when is my bin day? i live at 99 nowhere road")
    assert "I could not find 99 Nowhere Road in the council's area" in all_text(reply)
    assert reply.state["awaiting"] == "postcode"


def test_an_address_with_its_postcode_answers_the_band_at_once(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    message = f"what council tax band is {sample_property['address']} {sample_property['postcode']}"
    reply = say(session, product_engine, conversation, message)
    assert f"{sample_property['address']} is in council tax band" in all_text(reply)


def test_a_house_number_typed_at_the_address_list_chooses_that_house(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my recycling collected")
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    number = str(sample_property["building_number"])
    assert int(number) > len(labels(offered))  # not a number on the list: the resident means the house
    reply = say(session, product_engine, conversation, number)
    assert f"The next collections at {sample_property['address']}" in all_text(reply)


def test_the_first_one_chooses_the_first_address(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    reply = say(session, product_engine, conversation, "the first one")
    assert f"The next collections at {labels(offered)[0]}" in all_text(reply)


def test_cancel_stops_the_bin_day_question(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    reply = say(session, product_engine, conversation, "cancel")
    assert "postcode" not in all_text(reply) and reply.state["awaiting"] is None


def test_not_knowing_the_postcode_is_told_an_address_will_do(session: Session, product_engine: IntentEngine) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "when is my bin day")
    reply = say(session, product_engine, conversation, "I don't know my postcode")
    assert "house number and street" in all_text(reply)


def test_a_missed_bin_at_a_named_address_skips_the_postcode(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, f"my bins wasnt emptied at {_house(sample_property)}")
    assert reply.state["uprn"] == sample_property["uprn"]
    assert reply.state["awaiting"] != "postcode" and "postcode" not in all_text(reply)


def test_a_council_service_the_assistant_cannot_answer_is_named_not_sent_to_gov_uk(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "I want to apply for planning permission for an extension")
    text = all_text(reply)
    assert "planning team" in text and "01632 960000" in text
    assert "gov.uk" not in text.lower() and "passports" not in text


def test_asking_about_public_toilets_is_pointed_to_the_parks_team(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "the public toilets are filthy")
    assert "parks and open spaces team" in all_text(reply)
    assert reply.state["misunderstood"] == 0  # understood: two of these in a row do not hand off


def test_how_much_a_band_is_is_answered_without_an_address(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "how much is band D council tax")
    assert reply.intent == "counciltax.band"
    expected = charges_by_band(session, year=charge_years(session)[-1], band="D").bands[0].total
    assert f"Band D is {expected}" in all_text(reply) and "where no parish" in all_text(reply)
    assert reply.state["awaiting"] == "postcode"  # and a home's own charge when they give its postcode
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    assert sample_property["address"] in labels(offered)


@pytest.mark.parametrize(
    ("typed", "topic"),
    [
        ("bins", "bins and recycling"),
        ("Recycling?", "bins and recycling"),
        ("council tax", "council tax"),
        ("my council tax", "council tax"),
    ],
)
def test_a_topic_on_its_own_gets_the_questions_about_it(
    session: Session, product_engine: IntentEngine, typed: str, topic: str
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, typed)
    assert f"What would you like to know about {topic}?" in all_text(reply)
    assert "GOV.UK" not in all_text(reply)
    if topic == "bins and recycling":
        assert "When is my bin day?" in labels(reply)
        chosen = say(session, product_engine, conversation, "When is my bin day?")  # what the button sends
        assert chosen.intent == "bins.next_collection" and chosen.state["awaiting"] == "postcode"


def test_a_longer_message_is_not_taken_for_a_topic() -> None:
    assert topic_named("bins") is not None and topic_named("the recycling.") is not None
    assert topic_named("my bins were not emptied") is None and topic_named("council tax band for my flat") is None
