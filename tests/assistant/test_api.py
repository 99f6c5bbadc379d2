from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.identity.factories import signed_in
from townhall.assistant.models import Message

BASE = "/api/v1/assistant/conversations"


def start(client: TestClient) -> str:
    response = client.post(BASE, json={})
    assert response.status_code == 201, response.text
    return str(response.json()["conversation_id"])


def send(client: TestClient, conversation_id: str, text: str) -> Any:
    return client.post(f"{BASE}/{conversation_id}/messages", json={"text": text})


def test_bin_day_over_the_api(client: TestClient, sample_property: dict[str, Any]) -> None:
    conversation_id = start(client)
    asked = send(client, conversation_id, "when is my bin day").json()
    assert asked["intent"] == "bins.next_collection" and asked["conversation_id"] == conversation_id
    offered = send(client, conversation_id, str(sample_property["postcode"])).json()
    options = offered["replies"][0]["options"]
    chosen = next(o["value"] for o in options if o["label"] == sample_property["address"])
    answered = send(client, conversation_id, chosen)
    assert answered.status_code == 200
    assert "/bin-day/" in " ".join(part["text"] for part in answered.json()["replies"])


def test_empty_and_overlong_messages_are_422(client: TestClient) -> None:
    conversation_id = start(client)
    empty = send(client, conversation_id, "  ")
    assert empty.status_code == 422 and empty.json()["detail"] == "Type a message"
    assert send(client, conversation_id, "a" * 2_001).status_code == 422
    assert client.post(f"{BASE}/{conversation_id}/messages", json={}).status_code == 422


def test_unknown_conversation_is_404(client: TestClient) -> None:
    assert send(client, "00000000-0000-0000-0000-000000000000", "hello").status_code == 404


def test_markup_is_stored_as_text_and_returned_as_json(client: TestClient, session: Session) -> None:
    conversation_id = start(client)
    response = send(client, conversation_id, "<script>alert('hi')</script> my postcode is WX1 2AB")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "<script>" not in " ".join(part["text"] for part in response.json()["replies"])
    stored = session.scalars(
        select(Message.text).where(Message.conversation_id == conversation_id, Message.sender == "resident")
    ).one()
    assert stored == "<script>alert('hi')</script> my postcode is [postcode]"


def test_safeguarding_over_the_api(client: TestClient) -> None:
    conversation_id = start(client)
    reply = send(client, conversation_id, "a child on my street is being neglected and left alone all night").json()
    assert reply["intent"] == "safeguarding.concern" and "999" in reply["replies"][0]["text"]


def test_a_residents_conversation_is_theirs(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    conversation_id = start(client)
    assert send(client, conversation_id, "hello").status_code == 200
    client.cookies.clear()
    assert send(client, conversation_id, "hello").status_code == 404
    signed_in(client, session, role="resident")
    assert send(client, conversation_id, "hello").status_code == 404


def test_a_knowledge_answer_has_links_beside_text_and_options(client: TestClient) -> None:
    conversation_id = start(client)
    reply = send(client, conversation_id, "how do I appeal a parking ticket").json()
    assert reply["intent"] == "parking.fine"
    part = reply["replies"][0]
    assert set(part) == {"text", "options", "links"} and "14 days" in part["text"] and part["options"] == []
    assert all(set(link) == {"label", "url"} for link in part["links"])


def test_every_reply_part_has_a_links_list(client: TestClient) -> None:
    conversation_id = start(client)
    reply = send(client, conversation_id, "hello").json()
    assert all(part["links"] == [] for part in reply["replies"])


def test_a_signed_in_resident_reports_a_pothole_over_the_api_and_sees_it_among_theirs(
    client: TestClient, session: Session, sample_property: dict[str, Any]
) -> None:
    signed_in(client, session, role="resident")
    conversation_id = start(client)
    send(client, conversation_id, "there is a pothole outside my house")
    offered = send(client, conversation_id, str(sample_property["postcode"])).json()
    chosen = next(o["value"] for o in offered["replies"][0]["options"] if o["label"] == sample_property["address"])
    send(client, conversation_id, chosen)
    send(client, conversation_id, "road")
    send(client, conversation_id, "skip")
    sent = send(client, conversation_id, "1").json()
    reference = sent["replies"][0]["text"].split("reference is ")[1][:11]
    own = [link["url"] for link in sent["replies"][1]["links"] if link["url"].startswith("/your-reports/")]
    assert own and client.get(own[0]).status_code == 200
    assert reference in client.get("/your-reports").text
    status = send(client, conversation_id, f"status of {reference}").json()
    assert "Status: Open" in status["replies"][0]["text"]
