from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.platform import clock
from townhall.platform.outbox import OutboxMessage, purge_old_messages, queue_email

GIVE_UP_AFTER = 10


def _queued(session: Session, subject: str, *, days_ago: int, sent: bool = False, attempts: int = 0) -> None:
    message = queue_email(session, recipient="resident@example.com", subject=subject, body="Hello")
    message.created_at = clock.now() - timedelta(days=days_ago)
    message.sent_at = message.created_at if sent else None
    message.attempts = attempts


def test_only_old_messages_done_with_are_purged(session: Session) -> None:
    _queued(session, "old and sent", days_ago=40, sent=True)
    _queued(session, "old and given up", days_ago=40, attempts=GIVE_UP_AFTER)
    _queued(session, "old and still being tried", days_ago=40, attempts=3)
    _queued(session, "recent and sent", days_ago=2, sent=True)
    session.flush()
    deleted = purge_old_messages(session, before=clock.now() - timedelta(days=30), given_up_after=GIVE_UP_AFTER)
    kept = set(session.scalars(select(OutboxMessage.subject)))
    assert deleted == 2 and {"old and still being tried", "recent and sent"} <= kept
    assert not {"old and sent", "old and given up"} & kept
