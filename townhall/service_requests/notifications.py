"""Telling reporters what happened: messages are queued in the change's own transaction, and sent after it.

A status change never waits for, or fails because of, email: `queue_status_notification` only writes an outbox
row. `send_due_notifications` (run by `townhall notifications send`) hands due rows to the `Notifier` in force
and, when a send fails, tries again later (1, 5, 30 minutes, then every 2 hours, up to 10 attempts).
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from datetime import timedelta
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.config import Settings, get_settings
from townhall.platform import clock
from townhall.platform.outbox import OutboxMessage, queue_email
from townhall.service_requests.models import ServiceRequest
from townhall.service_requests.statuses import STATUS_NAMES

MAX_ATTEMPTS = 10
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


class Notifier(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        """Deliver one message, or raise (OSError, smtplib.SMTPException) so it is tried again later."""
        ...


class OutboxOnly:
    """The local notifier: the outbox row is the message (demo and tests); admins read it on a page."""

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        return None


class SmtpNotifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.settings.smtp_from, recipient, subject
        message.set_content(body)
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=20) as connection:
            if self.settings.smtp_starttls:
                connection.starttls()
            if self.settings.smtp_user:
                connection.login(self.settings.smtp_user, self.settings.smtp_password)
            connection.send_message(message)


def notifier_for(settings: Settings) -> Notifier:
    """The notifier chosen in settings (TOWNHALL_NOTIFIER)."""
    return SmtpNotifier(settings) if settings.notifier == "smtp" else OutboxOnly()


def queue_status_notification(
    session: Session, *, request: ServiceRequest, note: str, public_url: str | None = None
) -> OutboxMessage | None:
    """Queue "your report's status changed" for the reporter, if they gave an email address. The link to follow it
    is on ``public_url`` (TOWNHALL_PUBLIC_URL by default): an email has no page to be relative to."""
    if not request.contact_email:
        return None
    site = public_url if public_url is not None else get_settings().public_url
    status = STATUS_NAMES.get(request.status, request.status)
    body = (
        f"Your report {request.reference} ({request.service.name}) is now: {status}.\n\n"
        + (f"{note}\n\n" if note else "")
        + f"Follow it at {site}/report-a-problem-track with the reference {request.reference}.\n"
    )
    subject = f"Your report {request.reference}: {status}"
    return queue_email(session, recipient=request.contact_email, subject=subject, body=body, request_id=request.id)


def due_messages(session: Session, *, limit: int = 100) -> Sequence[OutboxMessage]:
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= clock.now())
        .where(OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return session.scalars(statement).all()


def send_due_notifications(session: Session, *, notifier: Notifier, limit: int = 100) -> tuple[int, int]:
    """Send what is due; returns (sent, failed). Failures are kept with their error and a later attempt time."""
    sent = failed = 0
    for message in due_messages(session, limit=limit):
        message.attempts += 1
        try:
            notifier.send(recipient=message.recipient, subject=message.subject, body=message.body)
        except Exception as error:  # any: one message that cannot be sent must not stop the rest
            failed += 1
            message.last_error = f"{type(error).__name__}: {error}"[:500]
            wait = RETRY_AFTER[min(message.attempts - 1, len(RETRY_AFTER) - 1)]
            message.next_attempt_at = clock.now() + wait
            continue
        message.sent_at = clock.now()
        message.last_error = None
        sent += 1
    session.flush()
    return sent, failed


def recent_messages(session: Session, *, limit: int = 200) -> Sequence[OutboxMessage]:
    return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)).all()


def hidden_address(recipient: str) -> str:
    """`•••@example.com`: the outbox is read by admins, whose role sees no personal data; the domain is enough to
    tell why sending fails."""
    return "•••@" + recipient.rpartition("@")[2]


def error_without_address(message: OutboxMessage) -> str:
    """The last sending error, with the recipient's address (mail servers often quote it) hidden."""
    return (message.last_error or "").replace(message.recipient, hidden_address(message.recipient))
