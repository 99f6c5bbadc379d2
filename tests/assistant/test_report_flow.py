"""Reporting a problem through the assistant: location, questions, description, check, a real request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.talk import TODAY, all_text, labels, option_value, say, urls
from tests.identity.factories import make_user
from townhall.assistant.dialogue import Reply, start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.assistant.models import Conversation
from townhall.bins.service import bin_day_outlook
from townhall.platform import clock
from townhall.service_requests.models import ServiceRequest


def reference_in(reply: Reply) -> str:
    return all_text(reply).split("reference is ")[1][:11]


def created_by(session: Session, reply: Reply) -> ServiceRequest:
    found = session.get(ServiceRequest, int(reference_in(reply)[3:]))
    assert found is not None
    return found


def to_the_check(
    session: Session,
    engine: IntentEngine,
    conversation: Conversation,
    place: dict[str, Any],
    *,
    user_id: int | None = None,
) -> Reply:
    """A pothole at `place`, on the pavement, described: up to "Check your report"."""
    say(session, engine, conversation, "there is a huge pothole in my road", user_id=user_id)
    offered = say(session, engine, conversation, str(place["postcode"]), user_id=user_id)
    say(session, engine, conversation, option_value(offered, str(place["address"])), user_id=user_id)
    say(session, engine, conversation, "on the pavement", user_id=user_id)
    return say(session, engine, conversation, "Deep hole near the drain, about a foot wide", user_id=user_id)


def test_a_pothole_reported_end_to_end(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    asked = say(session, product_engine, conversation, "there is a huge pothole in my road")
    assert asked.intent == "report.pothole" and "postcode" in all_text(asked)
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    assert "Not at one of these addresses" in labels(offered)
    question = say(session, product_engine, conversation, option_value(offered, str(sample_property["address"])))
    assert "Where is the problem?" in all_text(question) and "On the pavement" in labels(question)
    say(session, product_engine, conversation, "on the pavement")
    check = say(session, product_engine, conversation, "Deep hole near the drain, about a foot wide")
    text = all_text(check)
    assert "Check your report" in text and "On the pavement" in text and str(sample_property["address"]) in text
    assert labels(check) == ["Send the report", "Change something", "Cancel"]
    sent = say(session, product_engine, conversation, "1")
    created = created_by(session, sent)
    assert created.source == "assistant" and created.uprn == sample_property["uprn"] and created.status == "open"
    assert created.answers == {"surface": "pavement"} and created.description.startswith("Deep hole")
    assert created.reporter_user_id is None and created.team == "Highways"
    assert "/report-a-problem-track" in urls(sent) and sent.state["flow"] is None
    assert "We aim to respond by" in all_text(sent)


def test_sending_twice_makes_one_request(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    to_the_check(session, product_engine, conversation, sample_property)
    state = dict(conversation.state)
    first = say(session, product_engine, conversation, "send it")
    conversation.state = state  # as if the resident's second tap arrived with the old state
    again = say(session, product_engine, conversation, "send it")
    assert reference_in(first) == reference_in(again)


def test_a_signed_in_residents_report_is_theirs(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    resident = make_user(session, role="resident")
    conversation = start_conversation(session, user_id=resident.id)
    to_the_check(session, product_engine, conversation, sample_property, user_id=resident.id)
    sent = say(session, product_engine, conversation, "1", user_id=resident.id)
    created = created_by(session, sent)
    assert created.reporter_user_id == resident.id and f"/your-reports/{created.id}" in urls(sent)


def test_a_street_problem_not_at_an_address(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "there is graffiti on the bus shelter")
    say(session, product_engine, conversation, str(sample_property["postcode"]))
    asked = say(session, product_engine, conversation, "0")
    assert "Describe where it is" in all_text(asked)
    question = say(session, product_engine, conversation, "on the bus shelter by the park gates")
    assert "offensive" in all_text(question)
    say(session, product_engine, conversation, "no")
    check = say(session, product_engine, conversation, "skip")
    assert "on the bus shelter by the park gates (near " in all_text(check)
    created = created_by(session, say(session, product_engine, conversation, "yes"))
    assert created.uprn is None and created.address.startswith("on the bus shelter by the park gates")
    assert created.answers == {"offensive": "no"} and created.description == ""


def test_an_answer_not_allowed_is_asked_again_with_the_allowed_answers(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "street light is out")
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    say(session, product_engine, conversation, option_value(offered, str(sample_property["address"])))
    again = say(session, product_engine, conversation, "purple")
    text = all_text(again)
    assert "did not understand" in text and "Not working, Flickering" in text and again.state["awaiting"] == "question"
    moved = say(session, product_engine, conversation, "2")
    assert "Describe the problem" in all_text(moved)


def test_a_report_can_be_changed_and_cancelled(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    to_the_check(session, product_engine, conversation, sample_property)
    change = say(session, product_engine, conversation, "2")
    assert labels(change) == ["Where it is", "The answers to the questions", "The description"]
    asked = say(session, product_engine, conversation, "3")
    assert "Describe the problem" in all_text(asked)
    check = say(session, product_engine, conversation, "A different description")
    assert "Description: A different description" in all_text(check)
    before = session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc()).limit(1))
    cancelled = say(session, product_engine, conversation, "cancel")
    assert "Nothing was sent" in all_text(cancelled) and cancelled.state["flow"] is None
    assert session.scalar(select(ServiceRequest.id).order_by(ServiceRequest.id.desc()).limit(1)) == before


def test_a_private_problem_needs_an_address(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    asked = say(session, product_engine, conversation, "my neighbours play loud music every night")
    assert asked.intent == "report.noise"
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    assert "Not at one of these addresses" not in labels(offered)
    again = say(session, product_engine, conversation, "0")
    assert "from 1 to" in all_text(again)


def _last_refuse_collection(session: Session, uprn: int) -> Any:
    outlook = bin_day_outlook(session, uprn=uprn, today=TODAY)
    stream = next(s for s in outlook.streams if s.stream.code.value == "refuse" and s.next_collection)
    return stream.next_collection.date  # type: ignore[union-attr]


def _missed_bin(session: Session, engine: IntentEngine, place: dict[str, Any], day: Any) -> Reply:
    conversation = start_conversation(session)
    asked = say(session, engine, conversation, "my bin was not collected")
    assert asked.intent == "bins.missed"
    offered = say(session, engine, conversation, str(place["postcode"]))
    say(session, engine, conversation, option_value(offered, str(place["address"])))
    say(session, engine, conversation, "Rubbish")
    return say(session, engine, conversation, day.isoformat())


def test_a_missed_bin_inside_its_window_is_taken(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    day = _last_refuse_collection(session, int(sample_property["uprn"]))
    with clock.frozen_at(datetime.combine(day + timedelta(days=1), datetime.min.time(), clock.LONDON).replace(hour=10)):
        described = _missed_bin(session, product_engine, sample_property, day)
        assert "Describe the problem" in all_text(described)
        conversation_id = described.conversation_id
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        say(session, product_engine, conversation, "skip")
        created = created_by(session, say(session, product_engine, conversation, "1"))
    assert created.service.code == "missed_bin" and created.answers["bin_stream"] == "refuse"


def test_a_missed_bin_outside_its_window_is_refused_with_the_reason(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    day = _last_refuse_collection(session, int(sample_property["uprn"]))
    with clock.frozen_at(datetime.combine(day + timedelta(days=14), datetime.min.time(), clock.LONDON)):
        refused = _missed_bin(session, product_engine, sample_property, day)
    text = all_text(refused)
    assert "I cannot take this missed bin report: It is too late" in text and refused.state["flow"] is None


def test_while_a_report_asks_its_questions_the_reply_names_the_report_intent(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    say(session, product_engine, conversation, "someone has sprayed graffiti all over the bus shelter")
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    assert offered.intent == "report.graffiti"  # a bare postcode, which the engine alone calls out of scope
    status = say(session, product_engine, conversation, "what's happening with SR-00000001")
    assert status.intent == "request.status"
