"""What counts as a failure, from the stored messages alone, and the review page that labels them."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.learning_factories import make_conversation
from tests.conftest import form_token
from tests.identity.factories import signed_in
from townhall.assistant import replies
from townhall.assistant.labels import LabelledExample
from townhall.assistant.models import Message
from townhall.assistant.review import HAND_OFF_OPENING, failure_reason, failures
from townhall.platform.audit.models import AuditEntry

NOT_UNDERSTOOD = "Sorry, I did not understand that."


def _messages(*lines: tuple[str, str, str | None, float | None]) -> list[Message]:
    return [
        Message(id=number, sender=sender, text=text, intent=intent, confidence=confidence)
        for number, (sender, text, intent, confidence) in enumerate(lines, start=1)
    ]


def test_the_hand_off_opening_matches_the_replies() -> None:
    for moment in (datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 22, 23, 0)):
        assert replies.hand_off(moment)[0]["text"].startswith(HAND_OFF_OPENING)


def test_reasons_follow_the_documented_rule() -> None:
    corrected = _messages(("resident", "blue thing not emptied", "out_of_scope", 0.7),
                          ("assistant", NOT_UNDERSTOOD, None, None),
                          ("resident", "my recycling bin was missed", "bins.missed", 0.95))  # fmt: skip
    assert failure_reason(corrected, 0) == ("corrected", "bins.missed")
    assert failure_reason(corrected, 2) is None
    not_corrected = _messages(("resident", "blue thing", "bins.missed", 0.2),
                              ("assistant", NOT_UNDERSTOOD, None, None),
                              ("resident", "what about passports", "out_of_scope", 0.9))  # fmt: skip
    assert failure_reason(not_corrected, 0) == ("low_confidence", None)
    assert failure_reason(not_corrected, 2) == ("out_of_scope", None)
    handed = _messages(("resident", "can I speak to someone", "contact.human", 0.9),
                       ("assistant", HAND_OFF_OPENING + ". A person will reply here shortly.", None, None))  # fmt: skip
    assert failure_reason(handed, 0) == ("handed_off", None)
    concern = _messages(("resident", "my neighbour's child is left alone", "safeguarding.concern", 0.5))
    assert failure_reason(concern, 0) == ("handed_off", None)


def _seed(session: Session) -> dict[str, Message]:
    _, corrected = make_conversation(session, [
        ("resident", "the blue thing was not emptied", "out_of_scope", 0.7),
        ("assistant", NOT_UNDERSTOOD, None, None),
        ("resident", "my recycling bin was missed", "bins.missed", 0.95),
        ("assistant", "Sorry about that.", None, None),
    ])  # fmt: skip
    _, low = make_conversation(session, [("resident", "lamp thingy broke", "report.streetlight", 0.2),
                                         ("assistant", NOT_UNDERSTOOD, None, None)])  # fmt: skip
    _, fine = make_conversation(session, [("resident", "when is my bin day", "bins.next_collection", 0.99)])
    return {"corrected": corrected[0], "low": low[0], "fine": fine[0]}


def test_failures_lists_the_newest_first_with_context(session: Session) -> None:
    seeded = _seed(session)
    page = failures(session)
    ids = [f.message.id for f in page.failures]
    assert seeded["corrected"].id in ids and seeded["low"].id in ids and seeded["fine"].id not in ids
    assert ids.index(seeded["low"].id) < ids.index(seeded["corrected"].id)
    corrected = next(f for f in page.failures if f.message.id == seeded["corrected"].id)
    assert corrected.reason == "corrected" and corrected.suggested == "bins.missed" and len(corrected.context) == 4
    only_low = failures(session, reason="low_confidence").failures
    assert seeded["low"].id in [f.message.id for f in only_low] and all(f.reason == "low_confidence" for f in only_low)


def _review_token(client: TestClient) -> str:
    return form_token(client, "/assistant/review?show=all")


def test_an_officer_labels_a_failure_and_the_reading_is_audited(client: TestClient, session: Session) -> None:
    seeded = _seed(session)
    officer = signed_in(client, session, role="contact_centre")
    page = client.get("/assistant/review")
    assert page.status_code == 200
    assert "the blue thing was not emptied" in page.text and "lamp thingy broke" in page.text
    assert "when is my bin day" not in page.text and "Misunderstood, then rephrased" in page.text
    audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "assistant.review",
                                                       AuditEntry.actor_id == officer.id)).all()  # fmt: skip
    assert {entry.subject_id for entry in audited} >= {seeded["low"].conversation_id}
    assert all(entry.purpose == "improving the assistant" for entry in audited)

    message_id = seeded["low"].id
    saved = client.post(f"/assistant/review/{message_id}", follow_redirects=False,
                        data={"intent": "report.streetlight", "csrf_token": _review_token(client)})  # fmt: skip
    assert saved.status_code == 303 and f"labelled={message_id}" in saved.headers["location"]
    example = session.scalar(select(LabelledExample).where(LabelledExample.message_id == message_id))
    assert example is not None and (example.intent, example.labelled_by, example.reason) == (
        "report.streetlight",
        officer.id,
        "low_confidence",
    )
    assert "lamp thingy broke" not in client.get("/assistant/review").text  # labelled: off the default list
    everything = client.get("/assistant/review?show=all").text
    assert "Labelled report.streetlight" in everything
    assert re.search(r"<strong>\d+</strong> messages? labelled so far", everything)


def test_a_label_that_is_not_an_intent_is_refused_on_the_page(client: TestClient, session: Session) -> None:
    seeded = _seed(session)
    signed_in(client, session, role="contact_centre")
    message_id = seeded["low"].id
    refused = client.post(f"/assistant/review/{message_id}",
                          data={"intent": "bins.stolen", "csrf_token": _review_token(client)})  # fmt: skip
    assert refused.status_code == 422 and "There is a problem" in refused.text
    assert f'href="#intent-{message_id}"' in refused.text and "not one of the assistant&#39;s intents" in refused.text
    empty = client.post(f"/assistant/review/{message_id}", data={"intent": "", "csrf_token": _review_token(client)})
    assert empty.status_code == 422 and "Choose the intent" in empty.text
    token = _review_token(client)
    missing = client.post("/assistant/review/2147483000", data={"intent": "greeting", "csrf_token": token})
    assert missing.status_code == 404
    assert session.scalar(select(LabelledExample).where(LabelledExample.message_id == message_id)) is None


def test_staff_without_the_role_and_visitors_cannot_review(client: TestClient, session: Session) -> None:
    anonymous = client.get("/assistant/review", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/sign-in?next=/assistant/review"
    signed_in(client, session, role="officer")
    assert client.get("/assistant/review").status_code == 403
    token = form_token(client, "/find-address")
    assert client.post("/assistant/review/1", data={"intent": "greeting", "csrf_token": token}).status_code == 403


def test_a_page_number_in_other_digits_shows_the_first_page(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="contact_centre")
    assert client.get("/assistant/review", params={"page": "²"}).status_code == 200  # int("²") fails
