"""The email outbox every module may queue messages in: written in the caller's transaction, sent after it.

Queuing never waits for, or fails because of, a mail server: `queue_email` only writes a row.
`townhall notifications send` (service_requests.notifications) hands due rows to the notifier in force and
retries failures. The table was service requests' own; it lives here so identity (password reset links) can use
it without reaching into another module.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, delete, or_
from sqlalchemy.orm import Mapped, Session, mapped_column

from townhall.db import Base, UtcDateTime
from townhall.platform import clock

# One address: no spaces or line breaks (a line break in a recipient would end the email's To header and start
# another), one @, a dot in the domain. Every module checks addresses with it before they are stored.
EMAIL_ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
WRONG_EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def is_email_address(text: str) -> bool:
    return len(text) <= 254 and EMAIL_ADDRESS.match(text) is not None


class OutboxMessage(Base):
    """A notification waiting to be sent (or sent): queued in the transaction of the change, sent after it."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The service request a message is about, if any (named by table: platform imports no business module).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_requests.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))


def queue_email(
    session: Session, *, recipient: str, subject: str, body: str, request_id: int | None = None
) -> OutboxMessage:
    """Queue one plain-text email, due now, in the caller's transaction (nothing is sent if it rolls back).
    ValueError for a recipient that is not one email address: callers check addresses as they are given."""
    if not is_email_address(recipient):
        raise ValueError("the recipient is not one email address")
    now = clock.now()
    message = OutboxMessage(
        recipient=recipient, subject=subject, body=body, request_id=request_id, created_at=now, attempts=0,
        next_attempt_at=now,
    )  # fmt: skip
    session.add(message)
    return message


def purge_old_messages(session: Session, *, before: datetime, given_up_after: int) -> int:
    """Delete messages queued before ``before`` that are done with: sent, or given up after ``given_up_after``
    attempts. They hold an email address and what was said to it, which the outbox needs only until it is sent;
    a message still being tried is kept whatever its age. Returns how many were deleted."""
    finished = or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.attempts >= given_up_after)
    deleted = session.execute(delete(OutboxMessage).where(OutboxMessage.created_at < before, finished))
    return int(getattr(deleted, "rowcount", 0) or 0)
