"""The waste services page for changes to collections: who may open it, CSRF, errors on the page, and a change
showing up at once in the collections API of the worker that saved it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.audit_support import chain_intact, entries_after, last_entry_id
from tests.bins.test_changes import a_property_on, a_round, next_collection
from tests.conftest import form_token
from tests.identity.factories import signed_in
from townhall.bins import changes
from townhall.bins.schedule import ChangeReason
from townhall.platform.audit import SYSTEM

PAGE = "/officer/bins/changes"


@pytest.fixture
def officer(client: TestClient, session: Session) -> TestClient:
    signed_in(client, session, role="officer")
    return client


def add(client: TestClient, **fields: str) -> object:
    data = {"round": "", "original_date": "", "outcome": "moved", "new_date": "", "reason": "strike", **fields}
    return client.post(PAGE, data={**data, "csrf_token": form_token(client, PAGE)}, follow_redirects=False)


def test_the_page_is_for_officers_only(client: TestClient, session: Session) -> None:
    assert client.get(PAGE, follow_redirects=False).headers["location"].startswith("/sign-in")
    signed_in(client, session, role="resident")
    assert client.get(PAGE).status_code == 403


def test_someone_signed_in_without_the_role_cannot_add_or_remove(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="contact_centre")
    token = form_token(client, "/staff")
    assert client.post(PAGE, data={"csrf_token": token}).status_code == 403
    assert client.post(f"{PAGE}/1/remove", data={"csrf_token": token}).status_code == 403


def test_an_officer_sees_the_changes_coming_up(officer: TestClient) -> None:
    page = officer.get(PAGE)
    assert page.status_code == 200
    assert '<h1 class="th-heading-l">Changes to bin collections</h1>' in page.text
    assert '<option value="all">All rounds</option>' in page.text


def test_an_officer_adds_a_change_and_it_is_listed(officer: TestClient, session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    answer = add(officer, round=round_.id, original_date=usual.isoformat(), outcome="cancelled", reason="bad_weather")
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    listed = changes.list_changes(session, start=usual)
    assert [(c.round_id, c.is_cancelled, c.reason) for c in listed if c.original_date == usual] == [
        (round_.id, True, ChangeReason.BAD_WEATHER)
    ]


def test_a_form_without_its_token_is_refused(officer: TestClient, session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_).isoformat()
    answer = officer.post(PAGE, data={"round": round_.id, "original_date": usual, "outcome": "cancelled",
                                      "reason": "strike"})  # fmt: skip
    assert answer.status_code == 403
    assert changes.list_changes(session, start=next_collection(round_)) == []


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({}, "round", "Choose a round, or All rounds"),
        ({"round": "all", "original_date": "25 Dec"}, "original_date", "is not a date"),
        ({"round": "all", "original_date": "2027-02-01"}, "new_date", "Enter the new date"),
        ({"round": "all", "original_date": "2027-02-01", "outcome": "cancelled", "new_date": "2027-02-02"},
         "new_date", "A cancelled collection has no new date"),
        ({"round": "all", "original_date": "2027-02-07", "outcome": "cancelled"}, "original_date",
         "No round collects on Sunday 7 February 2027"),
        ({"round": "all", "original_date": "2027-02-01", "new_date": "2027-03-01"}, "new_date", "within 14 days"),
        ({"round": "all", "original_date": "2027-02-01", "outcome": "cancelled", "reason": "holiday"}, "reason",
         "is not a reason"),
        ({"round": "all", "original_date": "2027-02-01", "outcome": "sideways"}, "outcome-moved",
         "Choose whether the collection is moved or cancelled"),
        ({"round": "nope", "original_date": "2027-02-01", "outcome": "cancelled"}, "round", "There is no round"),
    ],
)  # fmt: skip
def test_a_bad_form_answers_422_with_the_error_summary_and_what_was_typed(
    officer: TestClient, fields: dict[str, str], field_id: str, message: str
) -> None:
    answer = add(officer, **fields)
    assert answer.status_code == 422, answer.text  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert "There is a problem" in text and f'href="#{field_id}"' in text and message in text
    assert "<title>Error: " in text
    if "original_date" in fields:
        assert f'value="{fields["original_date"]}"' in text


def test_a_duplicate_answers_409_on_the_page(officer: TestClient, session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_).isoformat()
    assert add(officer, round=round_.id, original_date=usual, outcome="cancelled").status_code == 303  # type: ignore[attr-defined]
    again = add(officer, round=round_.id, original_date=usual, outcome="cancelled")
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert "There is a problem" in again.text and "There is already a change" in again.text  # type: ignore[attr-defined]


def test_an_officer_removes_a_change(officer: TestClient, session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    recorded = changes.add_change(session, actor=SYSTEM, round_id=round_.id, original_date=usual, new_date=None,
                                  reason=ChangeReason.STRIKE)  # fmt: skip
    page = officer.get(PAGE)
    assert f'action="/officer/bins/changes/{recorded.id}/remove"' in page.text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = officer.post(f"{PAGE}/{recorded.id}/remove", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"{PAGE}?done=removed"
    assert "Change removed" in officer.get(answer.headers["location"]).text
    assert officer.post(f"{PAGE}/{recorded.id}/remove", data={"csrf_token": token}).status_code == 404


def test_a_change_saved_on_the_page_shows_at_once_in_the_collections_api(officer: TestClient, session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    moved_to = usual - timedelta(days=1)
    address = f"/api/v1/properties/{a_property_on(session, round_)}/collections?from={usual - timedelta(days=2)}&days=7"

    def ours(body: dict[str, list[dict[str, str]]]) -> list[dict[str, str]]:
        return [c for c in body["collections"] if c["original_date"] == usual.isoformat()
                and c["stream"] == round_.stream.code.value]  # fmt: skip

    # The API opens its own sessions: here on the test's connection, so they see its rolled-back transaction.
    officer.app.state.session_factory = lambda: Session(
        bind=session.get_bind(), join_transaction_mode="create_savepoint"
    )  # type: ignore[attr-defined]
    before = officer.get(address).json()  # now cached by this worker
    assert [c["date"] for c in ours(before)] == [usual.isoformat()]
    saved = add(officer, round=round_.id, original_date=usual.isoformat(), new_date=moved_to.isoformat(),
                reason="christmas_and_new_year")  # fmt: skip
    assert saved.status_code == 303  # type: ignore[attr-defined]
    after = ours(officer.get(address).json())
    assert after == [{"stream": round_.stream.code.value, "colour": round_.stream.colour, "date": moved_to.isoformat(),
                      "original_date": usual.isoformat(), "reason": "Christmas and New Year arrangements"}]  # fmt: skip


def test_an_officers_change_and_its_removal_are_audited_as_theirs(client: TestClient, session: Session) -> None:
    user = signed_in(client, session, role="officer")
    round_ = a_round(session)
    usual = next_collection(round_)
    before = last_entry_id(session)
    added = add(client, round=round_.id, original_date=usual.isoformat(), outcome="cancelled", reason="bad_weather")
    assert added.status_code == 303  # type: ignore[attr-defined]
    [recorded] = [c for c in changes.list_changes(session, start=usual) if c.original_date == usual]
    details = f"round {round_.id} ({round_.stream.name}): {usual.isoformat()} cancelled; reason: bad weather"
    token = form_token(client, PAGE)
    removed = client.post(f"{PAGE}/{recorded.id}/remove", data={"csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    subject = ("bin_schedule_change", str(recorded.id), details, "testclient")
    assert entries_after(session, before) == [
        ("user", user.id, "bins_change_add", *subject),
        ("user", user.id, "bins_change_remove", *subject),
    ]
    assert chain_intact(session)


def test_a_refused_form_or_duplicate_on_the_page_writes_no_audit_entry(officer: TestClient, session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_).isoformat()
    assert add(officer, round=round_.id, original_date=usual, outcome="cancelled").status_code == 303  # type: ignore[attr-defined]
    before = last_entry_id(session)
    assert add(officer, round=round_.id, original_date=usual, outcome="cancelled").status_code == 409  # type: ignore[attr-defined]
    assert add(officer, round="all", original_date="2027-02-07", outcome="cancelled").status_code == 422  # type: ignore[attr-defined]
    token = form_token(officer, PAGE)
    assert officer.post(f"{PAGE}/{2**31 - 1}/remove", data={"csrf_token": token}).status_code == 404
    assert entries_after(session, before) == []


def test_the_audit_log_page_finds_a_changes_history_by_its_record(client: TestClient, session: Session) -> None:
    officer = signed_in(client, session, role="officer")
    round_ = a_round(session)
    usual = next_collection(round_)
    assert add(client, round=round_.id, original_date=usual.isoformat(), outcome="cancelled").status_code == 303  # type: ignore[attr-defined]
    [recorded] = [c for c in changes.list_changes(session, start=usual) if c.original_date == usual]
    signed_in(client, session, role="ig_officer")
    token = form_token(client, "/audit")
    data = {"subject_type": "bin_schedule_change", "subject_id": str(recorded.id), "purpose": "complaint 123",
            "csrf_token": token}  # fmt: skip
    found = client.post("/audit", data=data)
    # the change's entry, and the search's own (searching by a record is audited with its purpose)
    assert found.status_code == 200 and "2 entries, newest first" in found.text and "search_audit_log" in found.text
    assert f"user {officer.id} ({officer.email})" in found.text and "bins_change_add" in found.text
    assert f"round {round_.id} ({round_.stream.name}): {usual.isoformat()} cancelled; reason: strike" in found.text
