"""Reporting a problem through the assistant: location, questions, description, check, a real request."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.assistant.talk import all_text, labels, option_value, say, urls
from townhall.assistant.dialogue import start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.service_requests.models import ServiceRequest


def test_a_pothole_reported_end_to_end(
    session: Session, product_engine: IntentEngine, sample_property: dict[str, Any]
) -> None:
    conversation = start_conversation(session)
    asked = say(session, product_engine, conversation, "there is a huge pothole in my road")
    print(all_text(asked))
    assert asked.intent == "report.pothole" and "postcode" in all_text(asked)
    offered = say(session, product_engine, conversation, str(sample_property["postcode"]))
    print(all_text(offered), labels(offered))
    assert "Not at one of these addresses" in labels(offered)
    question = say(session, product_engine, conversation, option_value(offered, str(sample_property["address"])))
    print(all_text(question), labels(question))
    assert "Where is the problem?" in all_text(question) and "On the pavement" in labels(question)
    described = say(session, product_engine, conversation, "on the pavement")
    print(all_text(described))
    check = say(session, product_engine, conversation, "Deep hole near the drain, about a foot wide")
    print(all_text(check))
    text = all_text(check)
    assert "Check your report" in text and "On the pavement" in text and str(sample_property["address"]) in text
    sent = say(session, product_engine, conversation, "1")
    print(all_text(sent), urls(sent))
    reference = all_text(sent).split("reference is ")[1][:11]
    created = session.get(ServiceRequest, int(reference[3:]))
    assert created is not None and created.source == "assistant" and created.uprn == sample_property["uprn"]
    assert created.answers == {"surface": "pavement"} and created.description.startswith("Deep hole")
    assert "/report-a-problem-track" in urls(sent) and sent.state["flow"] is None
