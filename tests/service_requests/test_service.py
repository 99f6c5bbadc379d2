"""Creating requests, missed-bin rules, service levels, the queue's workflow and notifications."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.identity.factories import make_user
from tests.service_requests.factories import FixedRules, a_property, make_request
from townhall.platform import clock
from townhall.platform.audit import AuditEntry
from townhall.platform.errors import InvalidInput
from townhall.service_requests import missed_bins, notifications, workflow
from townhall.service_requests.models import OutboxMessage
from townhall.service_requests.service import RequestProblems
from townhall.service_requests.statuses import open311_status
from townhall.service_requests.working_days import add_working_days, expected_by


@pytest.fixture
def rules() -> Iterator[FixedRules]:
    chosen = FixedRules(allowed=False, explanation="It is too late to report this refuse collection as missed.")
    previous = missed_bins.install_missed_collection_rules(chosen)
    yield chosen
    missed_bins.install_missed_collection_rules(previous)


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)  # Christmas, Boxing Day (Mon 28th)
    assert add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Friday -> Monday
    due = expected_by(datetime(2026, 4, 2, 10, tzinfo=clock.LONDON), 2)  # Good Friday and Easter Monday 2026
    assert due.date() == date(2026, 4, 8)


def test_a_new_request_gets_a_reference_and_an_expected_date(session: Session) -> None:
    created = make_request(session)
    assert created.reference == f"SR-{created.id:08d}" and created.status == "open"
    assert created.expected_at > created.requested_at and created.team == "Street Cleansing"


def test_the_same_idempotency_key_returns_the_first_request(session: Session) -> None:
    first = make_request(session, idempotency_key="web:abc")
    again = make_request(session, idempotency_key="web:abc", description="different")
    assert again.id == first.id


def test_missed_bin_refused_with_the_rules_explanation(session: Session, rules: FixedRules) -> None:
    home = a_property(session)
    with pytest.raises(RequestProblems) as refused:
        make_request(session, service_code="missed_bin", uprn=home.uprn,
                     answers={"bin_stream": ["refuse"], "collection_date": ["2026-10-30"]})  # fmt: skip
    assert "too late" in str(refused.value)
    assert rules.asked == [(home.uprn, "refuse", date(2026, 10, 30))]


def test_missed_bin_accepted_when_the_rules_allow(session: Session, rules: FixedRules) -> None:
    rules.allowed = True
    created = make_request(session, service_code="missed_bin", uprn=a_property(session).uprn,
                           answers={"bin_stream": ["garden"], "collection_date": ["2026-10-30"]})  # fmt: skip
    assert created.answers == {"bin_stream": "garden", "collection_date": "2026-10-30"}


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_no_report_can_be_about_is_refused_before_any_check(
    session: Session, rules: FixedRules, day: str
) -> None:
    with pytest.raises(RequestProblems) as refused:
        make_request(session, service_code="missed_bin", uprn=a_property(session).uprn,
                     answers={"bin_stream": ["refuse"], "collection_date": [day]})  # fmt: skip
    assert "must be a date between 1900 and 2199" in str(refused.value) and rules.asked == []


def test_without_the_bins_module_missed_bins_are_refused_not_accepted(session: Session) -> None:
    absent = missed_bins.BinsModuleRules("townhall.no_such_module:missed_collection_window")
    previous = missed_bins.install_missed_collection_rules(absent)
    try:
        with pytest.raises(RequestProblems) as refused:
            make_request(session, service_code="missed_bin", uprn=a_property(session).uprn,
                         answers={"bin_stream": ["refuse"], "collection_date": ["2026-10-30"]})  # fmt: skip
    finally:
        missed_bins.install_missed_collection_rules(previous)
    assert "cannot be checked yet" in str(refused.value)


def test_status_change_queues_a_notification_and_maps_to_open311(session: Session) -> None:
    officer = make_user(session, role="officer")
    created = make_request(session, email="someone@example.com")
    workflow.change_status(session, officer=officer, request_id=created.id, status="fixed", public_note="Painted over")
    assert open311_status(created.status) == "closed" and created.closed_at is not None
    queued = session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == created.id)).one()
    assert "Fixed" in queued.subject and "Painted over" in queued.body and queued.sent_at is None


class FailingNotifier:
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        raise smtplib.SMTPServerDisconnected("mail server went away")


def test_a_failed_send_is_kept_and_retried_later(session: Session) -> None:
    officer = make_user(session, role="officer")
    created = make_request(session, email="someone@example.com")
    workflow.change_status(session, officer=officer, request_id=created.id, status="in_progress")
    _sent, failed = notifications.send_due_notifications(session, notifier=FailingNotifier())
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == created.id)).one()
    assert failed >= 1 and message.sent_at is None and message.attempts == 1 and "went away" in message.last_error
    assert message.next_attempt_at > clock.now() and created.status == "in_progress"
    notifications.send_due_notifications(session, notifier=notifications.OutboxOnly())
    assert message.sent_at is None  # not due yet


@pytest.mark.parametrize("email", ["a@example.com\r\nBcc: victim@example.org", "two words@example.com", "no-at-sign"])
def test_a_reporter_email_that_is_not_one_address_is_refused_by_name(session: Session, email: str) -> None:
    with pytest.raises(RequestProblems) as refused:
        make_request(session, email=email)
    assert ("email", "Enter an email address in the correct format, like name@example.com") in refused.value.problems


class BrokenMessageNotifier:
    """Refuses one recipient the way the email library refuses a header it cannot write; sends the rest."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        if recipient.startswith("broken"):
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        self.sent.append(recipient)


def test_a_message_that_cannot_be_sent_does_not_stop_the_others(session: Session) -> None:
    officer = make_user(session, role="officer")
    first = make_request(session, email="broken@example.com")
    second = make_request(session, email="fine@example.com", offset=310)
    for created in (first, second):
        workflow.change_status(session, officer=officer, request_id=created.id, status="in_progress")
    notifier = BrokenMessageNotifier()
    sent, failed = notifications.send_due_notifications(session, notifier=notifier)
    assert (sent, failed) == (1, 1) and notifier.sent == ["fine@example.com"]
    kept = session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == first.id)).one()
    assert kept.attempts == 1 and "linefeed" in kept.last_error and kept.sent_at is None


def test_duplicates_within_50_metres_are_suggested_and_merged(session: Session) -> None:
    officer = make_user(session, role="officer")
    original = make_request(session, offset=500)
    near = make_request(session, offset=500, latitude=original.latitude + 0.0002)  # about 22 m north
    far = make_request(session, offset=500, latitude=original.latitude + 0.001)  # about 111 m
    suggested = [r.id for r, _ in workflow.likely_duplicates(session, officer=officer, request_id=near.id)]
    assert original.id in suggested and far.id not in suggested
    workflow.merge_duplicate(session, officer=officer, duplicate_id=near.id, original_id=original.id)
    assert near.status == "duplicate" and near.duplicate_of_id == original.id and original.status == "open"


def test_contact_details_need_a_purpose_and_are_audited(session: Session) -> None:
    officer = make_user(session, role="officer")
    created = make_request(session, email="someone@example.com", first_name="Ann")
    with pytest.raises(InvalidInput):
        workflow.reporter_contact(session, officer=officer, request_id=created.id, purpose=" ", client=None)
    contact = workflow.reporter_contact(
        session, officer=officer, request_id=created.id, purpose="call back about access", client="127.0.0.1"
    )
    assert contact.email == "someone@example.com"
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.action == "view_reporter_contact" and entry.purpose == "call back about access"


def test_queue_filters_overdue(session: Session) -> None:
    officer = make_user(session, role="officer")
    overdue = workflow.queue(session, officer=officer, filters=workflow.QueueFilter(overdue_only=True))
    assert overdue and all(workflow.is_overdue(r) for r in overdue)


def test_an_update_with_only_an_internal_note_is_not_published_to_open311(session: Session) -> None:
    from townhall.service_requests.open311_queries import updates_between

    officer = make_user(session, role="officer")
    created = make_request(session)
    start = clock.now()
    moved = workflow.change_status(session, officer=officer, request_id=created.id, status="in_progress")
    staff_only = workflow.change_status(session, officer=officer, request_id=created.id, status="in_progress",
                                        internal_note="Called the contractor")  # fmt: skip
    told = workflow.change_status(session, officer=officer, request_id=created.id, status="in_progress",
                                  public_note="The contractor comes on Tuesday")  # fmt: skip
    session.flush()
    published = [u.id for u in updates_between(session, start=start, end=None) if u.request_id == created.id]
    assert moved.id in published and told.id in published and staff_only.id not in published
