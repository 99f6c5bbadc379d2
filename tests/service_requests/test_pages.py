"""Residents' report pages, following a report, and the officers' queue pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import signed_in
from tests.service_requests.factories import a_property, make_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def photo_folder(client: TestClient, tmp_path: Path) -> Path:
    client.app.state.settings.photo_folder = str(tmp_path)  # type: ignore[attr-defined]
    return tmp_path


def _report(client: TestClient, session: Session, **changes: object) -> dict[str, object]:
    home = a_property(session)
    token = form_token(client, "/report-a-problem/graffiti")
    form: dict[str, object] = {"csrf_token": token, "lat": str(home.latitude), "long": str(home.longitude),
                               "attribute[offensive]": "no", "description": "Tags on the bus shelter",
                               "action": "check", "submission": "s1"}  # fmt: skip
    form.update(changes)
    return form


def test_report_check_send_and_track(client: TestClient, session: Session) -> None:
    check = client.post("/report-a-problem/graffiti", data=_report(client, session))
    assert check.status_code == 200 and "Check your answers" in check.text and "Tags on the bus shelter" in check.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text))
    sent = client.post("/report-a-problem/graffiti/send", data=hidden)
    reference = re.search(r"SR-\d{8}", sent.text)
    assert sent.status_code == 200 and reference
    again = client.post("/report-a-problem/graffiti/send", data=hidden)  # a double click: the same report
    assert reference.group(0) in again.text
    track = client.post(
        "/report-a-problem-track", data={"reference": reference.group(0), "csrf_token": hidden["csrf_token"]}
    )
    assert track.status_code == 200 and "Open" in track.text and "Tags on the bus shelter" not in track.text


def test_missing_answers_are_shown_against_the_question(client: TestClient, session: Session) -> None:
    response = client.post("/report-a-problem/graffiti", data=_report(client, session, **{"attribute[offensive]": ""}))
    assert (
        response.status_code == 422
        and "There is a problem" in response.text
        and "#attribute-offensive" in response.text
    )


def test_html_in_a_description_is_escaped(client: TestClient, session: Session) -> None:
    response = client.post(
        "/report-a-problem/graffiti", data=_report(client, session, description="<script>x</script>")
    )
    assert "<script>x</script>" not in response.text and "&lt;script&gt;" in response.text


def test_a_photo_is_checked_by_its_content(client: TestClient, session: Session, photo_folder: Path) -> None:
    fake = client.post("/report-a-problem/graffiti", data=_report(client, session),
                       files={"photo": ("holiday.jpg", b"%PDF-1.4 not an image", "image/jpeg")})  # fmt: skip
    assert fake.status_code == 422 and "JPEG, PNG or WebP" in fake.text
    real = client.post("/report-a-problem/graffiti", data=_report(client, session),
                       files={"photo": ("x.bin", PNG, "application/octet-stream")})  # fmt: skip
    assert real.status_code == 200 and len(list(photo_folder.iterdir())) == 1


def test_a_photo_that_is_too_big_is_refused(client: TestClient, session: Session) -> None:
    client.app.state.settings.photo_max_bytes = 100  # type: ignore[attr-defined]
    try:
        big = client.post(
            "/report-a-problem/graffiti",
            data=_report(client, session),
            files={"photo": ("b.png", PNG * 3, "image/png")},
        )
    finally:
        client.app.state.settings.photo_max_bytes = 10 * 1024 * 1024  # type: ignore[attr-defined]
    assert big.status_code == 422 and "smaller than" in big.text


def test_a_signed_in_resident_sees_their_own_reports(client: TestClient, session: Session) -> None:
    me = signed_in(client, session, role="resident")
    mine = make_request(session, reporter_user_id=me.id, description="My own report")
    listing = client.get("/your-reports")
    assert mine.reference in listing.text
    assert "My own report" in client.get(f"/your-reports/{mine.id}").text


def test_officer_queue_and_status_change(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="officer")
    created = make_request(session, email="someone@example.com")
    queue = client.get("/officer/requests", params={"service": "graffiti"})
    assert queue.status_code == 200 and created.reference in queue.text
    overdue = client.get("/officer/requests", params={"overdue": "yes"})
    assert "Overdue" in overdue.text
    token = form_token(client, f"/officer/requests/{created.id}")
    changed = client.post(
        f"/officer/requests/{created.id}/status",
        data={"status": "in_progress", "public_note": "On our list", "csrf_token": token},
    )
    assert changed.status_code == 200 and "On our list" in changed.text and created.status == "in_progress"
    assert "someone@example.com" not in changed.text
    contact = client.post(f"/officer/requests/{created.id}/contact", data={"purpose": "", "csrf_token": token})
    assert contact.status_code == 422
    contact = client.post(
        f"/officer/requests/{created.id}/contact", data={"purpose": "arrange access", "csrf_token": token}
    )
    assert "someone@example.com" in contact.text


def test_officers_read_answers_in_words_not_codes(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="officer")
    created = make_request(session, answers={"offensive": ["yes"]})
    created.answers = {**created.answers, "retired_question": "kept"}  # as if the service stopped asking it
    session.flush()
    page = client.get(f"/officer/requests/{created.id}")
    assert "Is it offensive or racist? <strong>Yes</strong>" in page.text
    assert "offensive:" not in page.text
    assert "retired_question <strong>kept</strong>" in page.text  # a question no longer asked is still shown


def test_officers_are_told_a_public_note_is_published_for_anyone_to_read(client: TestClient, session: Session) -> None:
    # public notes go out in Open311's servicerequestupdates and on the follow-a-report page, not only to the reporter
    signed_in(client, session, role="officer")
    page = client.get(f"/officer/requests/{make_request(session).id}").text
    assert "Anyone can read it" in page and 'aria-describedby="public_note-hint"' in page
    assert "Note for the reporter (they will see this)" not in page


def test_residents_cannot_open_the_queue(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="resident")
    assert client.get("/officer/requests").status_code == 403


def test_admins_read_the_outbox(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="admin")
    assert client.get("/admin/notifications").status_code == 200


def test_the_outbox_never_shows_admins_a_reporters_email_address(client: TestClient, session: Session) -> None:
    # admin is not a role that sees personal data: the domain is enough to tell why sending fails
    from townhall.service_requests.notifications import queue_status_notification

    created = make_request(session, email="jo.bloggs@example.com")
    message = queue_status_notification(session, request=created, note="")
    assert message is not None
    message.last_error = "550 mailbox jo.bloggs@example.com unavailable"
    session.flush()
    signed_in(client, session, role="admin")
    page = client.get("/admin/notifications").text
    assert created.reference in page and "@example.com" in page
    assert "jo.bloggs" not in page


def test_the_address_is_chosen_in_the_shared_picker(client: TestClient, session: Session) -> None:
    home = a_property(session)
    token = form_token(client, "/report-a-problem/noise")
    listed = client.post("/report-a-problem/noise/address", data={"postcode": home.postcode, "csrf_token": token})
    assert listed.status_code == 200
    assert f'name="uprn" type="radio" value="{home.uprn}"' in listed.text
    assert 'action="/report-a-problem/noise/details"' in listed.text
    details = client.post("/report-a-problem/noise/details",
                          data={"uprn": str(home.uprn), "postcode": home.postcode, "csrf_token": token})  # fmt: skip
    assert details.status_code == 200
    assert home.address in details.text
    assert f'name="uprn" value="{home.uprn}"' in details.text
    assert 'name="lat"' not in details.text  # an address was chosen: no map position asked for


def test_continuing_without_choosing_an_address_says_so(client: TestClient, session: Session) -> None:
    home = a_property(session)
    token = form_token(client, "/report-a-problem/noise")
    again = client.post("/report-a-problem/noise/details", data={"postcode": home.postcode, "csrf_token": token})
    assert again.status_code == 422
    assert "Choose the address" in again.text
    assert home.address in again.text


def test_a_problem_not_at_an_address_asks_for_the_map_position(client: TestClient) -> None:
    page = client.get("/report-a-problem/pothole/details")
    assert page.status_code == 200
    assert 'name="lat"' in page.text


def test_numbers_in_other_digits_are_refused_on_the_page_not_a_500(client: TestClient, session: Session) -> None:
    # "²" is a digit to str.isdigit() but not to int()
    token = form_token(client, "/report-a-problem-track")
    track = client.post("/report-a-problem-track", data={"reference": "SR-²²²²²²²²", "csrf_token": token})
    assert track.status_code == 404 and "SR-²²²²²²²²" in track.text
    picked = client.post("/report-a-problem/graffiti/details", data={"uprn": "²", "csrf_token": token})
    assert picked.status_code == 422 and "Choose the address" in picked.text
    check = client.post("/report-a-problem/graffiti", data=_report(client, session, uprn="²", lat="", long=""))
    assert check.status_code == 422 and "give the location" in check.text


def test_an_assignee_that_is_not_an_officer_on_the_list_is_refused_and_the_assignment_kept(
    client: TestClient, session: Session
) -> None:
    officer = signed_in(client, session, role="officer")
    created = make_request(session)
    created.assignee_user_id = officer.id
    token = form_token(client, f"/officer/requests/{created.id}")
    for number in ("²", "999999999999"):  # the second more than PostgreSQL's INTEGER holds
        assert client.get("/officer/requests", params={"assignee": number}).status_code == 200
    for bad in ("²", "abc", "99999999", "999999999999"):
        refused = client.post(f"/officer/requests/{created.id}/assign", data={"assignee": bad, "csrf_token": token})
        assert refused.status_code == 422 and "Choose an officer from the list" in refused.text, bad
        assert created.assignee_user_id == officer.id
    cleared = client.post(f"/officer/requests/{created.id}/assign", data={"assignee": "", "csrf_token": token})
    assert cleared.status_code == 200 and created.assignee_user_id is None  # "Nobody" still unassigns


def test_a_note_too_long_is_refused_on_the_page_with_what_was_typed(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="officer")
    created = make_request(session)
    token = form_token(client, f"/officer/requests/{created.id}")
    note = "Crew booked for Tuesday. " * 170  # 4,250 characters: more than a note may hold
    refused = client.post(
        f"/officer/requests/{created.id}/status",
        data={"status": "in_progress", "public_note": note, "internal_note": "gate code 1234", "csrf_token": token},
    )
    assert refused.status_code == 422 and "th-error-summary" in refused.text
    assert "Notes must be 4,000 characters or fewer" in refused.text
    assert note.strip() in refused.text and "gate code 1234" in refused.text  # nothing typed is lost
    assert created.status != "in_progress"
    unknown = client.post(f"/officer/requests/{created.id}/status", data={"status": "lost", "csrf_token": token})
    assert unknown.status_code == 422 and "Choose a status from the list" in unknown.text


def test_an_assignment_is_kept_in_the_history_and_each_showing_of_a_request_is_audited(
    client: TestClient, session: Session
) -> None:
    from sqlalchemy import select

    from townhall.platform.audit import AuditEntry
    from townhall.service_requests.models import RequestUpdate

    officer = signed_in(client, session, role="officer")
    created = make_request(session)
    token = form_token(client, f"/officer/requests/{created.id}")
    viewed = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "view_service_request", AuditEntry.actor_id == officer.id)
    ).all()
    assert [(e.subject_type, e.subject_id, e.purpose) for e in viewed] == [
        ("service_request", str(created.id), "Casework: handle the report")
    ]
    client.post(f"/officer/requests/{created.id}/assign", data={"assignee": str(officer.id), "csrf_token": token})
    client.post(f"/officer/requests/{created.id}/assign", data={"assignee": str(officer.id), "csrf_token": token})
    notes = session.scalars(select(RequestUpdate.internal_note).where(RequestUpdate.request_id == created.id)).all()
    moved = [note for note in notes if note.startswith("Assigned to")]
    assert len(moved) == 1 and moved[0].endswith("(was nobody)")  # the second changed nothing
    assert all(u.public_note == "" for u in session.scalars(select(RequestUpdate).where(
        RequestUpdate.request_id == created.id)))  # fmt: skip
