"""The residents' chat page without JavaScript, its ownership rules, and the new-messages API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.assistant.test_handoff import TUESDAY_MORNING
from tests.conftest import form_token
from tests.identity.factories import make_user, signed_in
from tests.service_requests.factories import make_request
from townhall.assistant import staff
from townhall.assistant.ownership import COOKIE
from townhall.assistant.transcript_format import linkify, reply_links
from townhall.platform import clock

API = "/api/v1/assistant/conversations"


@pytest.fixture(autouse=True)
def in_office_hours() -> Iterator[None]:
    with clock.frozen_at(TUESDAY_MORNING):
        yield


def start(client: TestClient, text: str) -> str:
    """Send the first message from the start page; returns the conversation's id."""
    response = client.post("/assistant", data={"text": text, "csrf_token": form_token(client, "/assistant")},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/assistant/c/([0-9a-f\-]{36})", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def send(client: TestClient, conversation_id: str, text: str) -> Any:
    token = form_token(client, "/assistant")
    return client.post(f"/assistant/c/{conversation_id}", data={"text": text, "csrf_token": token},
                       follow_redirects=False)  # fmt: skip


def test_the_start_page_works_without_javascript(client: TestClient) -> None:
    page = client.get("/assistant")
    assert page.status_code == 200 and '<form method="post" action="/assistant"' in page.text
    assert 'name="csrf_token"' in page.text and "assistant-chat.js" not in page.text
    assert 'href="/assistant"' in client.get("/").text  # listed among the council's services


def test_a_conversation_by_post_redirect_get(client: TestClient, sample_property: dict[str, Any]) -> None:
    conversation_id = start(client, "when is my bin day")
    assert COOKIE in client.cookies
    page = client.get(f"/assistant/c/{conversation_id}")
    assert page.status_code == 200 and "What is your postcode?" in page.text and "when is my bin day" in page.text
    assert send(client, conversation_id, str(sample_property["postcode"])).status_code == 303
    page = client.get(f"/assistant/c/{conversation_id}")
    assert '<button type="submit" class="th-button th-button--secondary" name="text" value="1">' in page.text
    assert str(sample_property["address"]) in page.text and "assistant-chat.js" in page.text
    chosen = re.search(r'name="text" value="(\d+)">' + re.escape(str(sample_property["address"])), page.text)
    assert chosen is not None
    send(client, conversation_id, chosen.group(1))
    answered = client.get(f"/assistant/c/{conversation_id}").text
    assert f'<a class="th-link" href="/bin-day/{sample_property["uprn"]}">' in answered


@pytest.mark.parametrize(("text", "message"), [("   ", "Type a message"), ("a" * 2_001, "this one has 2,001")])
def test_bad_messages_get_the_error_summary(client: TestClient, text: str, message: str) -> None:
    token = form_token(client, "/assistant")
    first = client.post("/assistant", data={"text": text, "csrf_token": token}, follow_redirects=False)
    assert first.status_code == 422 and "th-error-summary" in first.text and message in first.text
    assert 'href="#message"' in first.text and 'id="message"' in first.text
    conversation_id = start(client, "hello")
    later = send(client, conversation_id, text)
    assert later.status_code == 422 and "There is a problem" in later.text and message in later.text


def test_markup_is_escaped_and_only_safe_links_are_made(client: TestClient) -> None:
    conversation_id = start(client, "<script>alert('x')</script><b>hi</b> https://evil.example")
    page = client.get(f"/assistant/c/{conversation_id}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "<b>hi</b>" not in page
    assert 'href="https://evil.example"' not in page  # the resident's own words are never made into links
    assert (
        str(linkify("go to /report-a-problem."))
        == 'go to <a class="th-link" href="/report-a-problem">/report-a-problem</a>.'
    )
    assert "href" not in str(linkify("javascript:alert(1) //evil.example and/or 24/7 </b>"))
    assert (
        str(linkify('https://x.example/"><script>'))
        == '<a class="th-link" href="https://x.example/">https://x.example/</a>&#34;&gt;&lt;script&gt;'
    )


def test_a_replys_links_are_shown_with_it_on_the_page_and_in_the_api(client: TestClient, session: Session) -> None:
    created = make_request(session)
    conversation_id = start(client, f"what is the status of {created.reference}")
    page = client.get(f"/assistant/c/{conversation_id}").text
    assert '<a class="th-link" href="/report-a-problem-track">Follow a report</a>' in page
    messages = client.get(f"{API}/{conversation_id}/messages").json()["messages"]
    assert messages[-1]["links"] == [{"label": "Follow a report", "url": "/report-a-problem-track"}]
    assert messages[0]["links"] == []  # the resident's own message points nowhere


def test_only_safe_link_addresses_become_links() -> None:
    shown = str(reply_links([{"label": "Pay", "url": "/pay?year=2026#now"}, {"label": "GOV.UK", "url": "https://www.gov.uk"},
                             {"label": "Bad", "url": "javascript:alert(1)"}, {"label": "Away", "url": "//evil.example"},
                             {"label": "<b>x</b>", "url": '/a"onclick="x'}]))  # fmt: skip
    assert '<a class="th-link" href="/pay?year=2026#now">Pay</a>' in shown
    assert '<a class="th-link" href="https://www.gov.uk">GOV.UK</a>' in shown
    assert "<li>Bad</li>" in shown and "<li>Away</li>" in shown and "<li>&lt;b&gt;x&lt;/b&gt;</li>" in shown
    assert "javascript" not in shown and "evil" not in shown and "onclick" not in shown
    assert str(reply_links(None)) == ""


def test_an_unknown_conversation_is_404(client: TestClient) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/assistant/c/{unknown}").status_code == 404
    assert send(client, unknown, "hello").status_code == 404
    assert client.get(f"{API}/{unknown}/messages").status_code == 404


def test_another_browser_cannot_open_an_anonymous_conversation(client: TestClient) -> None:
    conversation_id = start(client, "my name is Jo and I need help")
    client.cookies.delete(COOKIE)
    assert client.get(f"/assistant/c/{conversation_id}").status_code == 404
    assert send(client, conversation_id, "hello").status_code == 404
    assert client.get(f"{API}/{conversation_id}/messages").status_code == 404
    assert client.post(f"{API}/{conversation_id}/messages", json={"text": "hello"}).status_code == 404
    client.cookies.set(COOKIE, f"{conversation_id}.{'0' * 64}")  # a forged signature
    assert client.get(f"/assistant/c/{conversation_id}").status_code == 404


def test_another_residents_conversation_is_404(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    conversation_id = start(client, "hello")
    assert client.get(f"/assistant/c/{conversation_id}").status_code == 200
    client.cookies.clear()
    signed_in(client, session, role="resident")
    assert client.get(f"/assistant/c/{conversation_id}").status_code == 404
    assert send(client, conversation_id, "hello").status_code == 404
    assert client.get(f"{API}/{conversation_id}/messages").status_code == 404


def test_new_messages_api_brings_the_officers_reply(client: TestClient, session: Session) -> None:
    conversation_id = start(client, "can i speak to a real person please")
    everything = client.get(f"{API}/{conversation_id}/messages").json()
    assert [m["sender"] for m in everything["messages"]] == ["resident", "assistant"] and everything["handed_off"]
    last_id = everything["messages"][-1]["id"]
    assert client.get(f"{API}/{conversation_id}/messages", params={"after": last_id}).json()["messages"] == []
    olu = make_user(session, role="contact_centre")
    olu.display_name = "Olu Adeyemi"
    staff.reply(session, officer=olu, conversation_id=conversation_id, text="Hello <b>there</b>", now=clock.now())
    new = client.get(f"{API}/{conversation_id}/messages", params={"after": last_id}).json()["messages"]
    assert [(m["sender"], m["text"], m["author"]) for m in new] == [("officer", "Hello <b>there</b>", "Olu")]
    page = client.get(f"/assistant/c/{conversation_id}").text
    assert "Olu (council staff)" in page and "Hello &lt;b&gt;there&lt;/b&gt;" in page
    acknowledged = client.post(f"{API}/{conversation_id}/messages", json={"text": "great, thanks"}).json()
    assert acknowledged["replies"][0]["text"] == "Your message has been passed to Olu."
    assert client.get(f"{API}/{conversation_id}/messages", params={"after": -1}).status_code == 422
    # more than a message id (PostgreSQL's INTEGER) can be: refused, not a database error
    too_big = client.get(f"{API}/{conversation_id}/messages", params={"after": 2**31})
    assert too_big.status_code == 422 and too_big.json()["detail"].startswith("after:")


def test_the_chat_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/assistant")
    assert client.post("/assistant", data={"text": "hello"}, follow_redirects=False).status_code == 403
