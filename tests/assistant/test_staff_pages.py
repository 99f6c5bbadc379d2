"""The contact centre's pages over HTTP: access, the queue, a transcript, take over, reply, close, return."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.test_handoff import TUESDAY_MORNING
from tests.conftest import form_token
from tests.identity.factories import make_user, signed_in
from townhall.assistant import staff
from townhall.assistant.handoff import open_handoff
from townhall.assistant.handoff_models import CallbackRequest
from townhall.assistant.models import Message
from townhall.platform import clock
from townhall.platform.audit import AuditEntry

API = "/api/v1/assistant/conversations"


@pytest.fixture(autouse=True)
def in_office_hours() -> Iterator[None]:
    with clock.frozen_at(TUESDAY_MORNING):
        yield


def handed_off(client: TestClient, text: str = "can i speak to a real person please") -> str:
    """A conversation started over the API by a program (no cookie), handed off; its id."""
    conversation_id = str(client.post(API, json={}).json()["conversation_id"])
    assert client.post(f"{API}/{conversation_id}/messages", json={"text": text}).status_code == 200
    return conversation_id


def post(client: TestClient, path: str, **data: str) -> Response:
    token = form_token(client, "/assistant")
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_only_the_contact_centre_sees_the_queue(client: TestClient, session: Session) -> None:
    anonymous = client.get("/assistant/queue", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401) or "Sign in" in anonymous.text
    signed_in(client, session, role="resident")
    assert client.get("/assistant/queue").status_code == 403
    client.cookies.clear()
    signed_in(client, session, role="officer")
    assert client.get("/assistant/queue").status_code == 403
    client.cookies.clear()
    signed_in(client, session, role="admin")  # transcripts are personal data: admin alone does not open them
    assert client.get("/assistant/queue").status_code == 403
    assert client.get("/assistant/review").status_code == 403
    client.cookies.clear()
    signed_in(client, session, role="contact_centre")
    assert client.get("/assistant/queue").status_code == 200


def test_the_queue_lists_urgent_first_with_who_took_it(client: TestClient, session: Session) -> None:
    waiting = handed_off(client)
    urgent = handed_off(client, "a child on my street is being neglected and left alone all night")
    taken = handed_off(client)
    kim = make_user(session, role="contact_centre")
    kim.display_name = "Kim Lee"
    staff.take_over(session, officer=kim, conversation_id=taken, now=clock.now())
    signed_in(client, session, role="contact_centre")
    page = client.get("/assistant/queue").text
    assert page.index(urgent) < page.index(waiting) < page.index(taken)
    assert "Urgent" in page and "Kim Lee" in page and "Nobody yet" in page
    waiting_only = client.get("/assistant/queue", params={"view": "waiting"}).text
    assert taken not in waiting_only and waiting in waiting_only and 'aria-current="page"' in waiting_only
    assert taken not in client.get("/assistant/queue", params={"view": "mine"}).text


def test_an_officer_takes_over_replies_and_closes(client: TestClient, session: Session) -> None:
    conversation_id = handed_off(client, "<b>help</b> me please, can i talk to a person")
    officer = signed_in(client, session, role="contact_centre")
    page = client.get(f"/assistant/queue/{conversation_id}")
    assert page.status_code == 200 and "&lt;b&gt;help&lt;/b&gt;" in page.text and "<b>help</b>" not in page.text
    audited = session.scalars(select(AuditEntry).where(AuditEntry.subject_id == conversation_id)).all()
    assert [(a.action, a.actor_id, a.purpose) for a in audited] == [
        ("view_assistant_transcript", officer.id, staff.READ_PURPOSE)
    ]
    assert post(client, f"/assistant/queue/{conversation_id}/take").status_code == 303
    found = open_handoff(session, conversation_id=conversation_id)
    assert found is not None and found.assigned_user_id == officer.id
    empty = post(client, f"/assistant/queue/{conversation_id}/reply", text="  ")
    assert empty.status_code == 422 and "Type your reply" in empty.text
    assert 'href="#reply"' in empty.text
    sent = post(client, f"/assistant/queue/{conversation_id}/reply", text="Hello, how can I help?")
    assert sent.status_code == 303
    stored = session.scalars(select(Message).where(Message.conversation_id == conversation_id,
                                                   Message.sender == "officer")).one()  # fmt: skip
    assert stored.text == "Hello, how can I help?" and stored.author_user_id == officer.id
    no_outcome = post(client, f"/assistant/queue/{conversation_id}/close")
    assert no_outcome.status_code == 422 and "Choose the outcome" in no_outcome.text
    closed = post(client, f"/assistant/queue/{conversation_id}/close", outcome="answered")
    assert closed.status_code == 303 and open_handoff(session, conversation_id=conversation_id) is None
    assert conversation_id not in client.get("/assistant/queue").text
    assert "Answered the resident" in client.get(f"/assistant/queue/{conversation_id}").text


def test_someone_elses_takeover_is_shown_and_can_be_taken(client: TestClient, session: Session) -> None:
    conversation_id = handed_off(client)
    kim = make_user(session, role="contact_centre")
    kim.display_name = "Kim Lee"
    staff.take_over(session, officer=kim, conversation_id=conversation_id, now=clock.now())
    signed_in(client, session, role="contact_centre")
    page = client.get(f"/assistant/queue/{conversation_id}").text
    assert "Take over from Kim Lee" in page
    refused = post(client, f"/assistant/queue/{conversation_id}/reply", text="Hello")
    assert refused.status_code == 409 and "Kim has taken this conversation over" in refused.text
    post(client, f"/assistant/queue/{conversation_id}/take")
    assert "Take over from" not in client.get(f"/assistant/queue/{conversation_id}").text


def test_returning_to_the_assistant(client: TestClient, session: Session) -> None:
    conversation_id = handed_off(client)
    signed_in(client, session, role="contact_centre")
    assert post(client, f"/assistant/queue/{conversation_id}/return").status_code == 303
    reply = client.post(f"{API}/{conversation_id}/messages", json={"text": "there is a pothole on my road"}).json()
    assert "I can report this" in reply["replies"][0]["text"]


def test_unknown_and_never_handed_off_conversations_are_404(client: TestClient, session: Session) -> None:
    conversation_id = str(client.post(API, json={}).json()["conversation_id"])
    signed_in(client, session, role="contact_centre")
    assert client.get(f"/assistant/queue/{conversation_id}").status_code == 404
    assert client.get("/assistant/queue/00000000-0000-0000-0000-000000000000").status_code == 404
    assert post(client, "/assistant/queue/00000000-0000-0000-0000-000000000000/take").status_code == 404


def test_call_backs_are_listed_and_marked_done(client: TestClient, session: Session) -> None:
    conversation_id = handed_off(client)
    session.add(CallbackRequest(conversation_id=conversation_id, name="Jo <i>Bloggs</i>", phone="07700 900123",
                                requested_at=clock.now(), call_from=clock.now(), status="open"))  # fmt: skip
    session.flush()
    signed_in(client, session, role="contact_centre")
    assert "Call backs to make" in (queue := client.get("/assistant/queue").text) and "07700" not in queue
    page = client.get(f"/assistant/queue/{conversation_id}").text
    assert "07700 900123" in page and "Jo &lt;i&gt;Bloggs&lt;/i&gt;" in page
    callback_id = session.scalars(
        select(CallbackRequest.id).where(CallbackRequest.conversation_id == conversation_id)
    ).one()
    assert post(client, f"/assistant/callbacks/{callback_id}/done").status_code == 303
    assert "Mark as called" not in client.get(f"/assistant/queue/{conversation_id}").text
