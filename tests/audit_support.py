"""Reading the audit log in tests: the entries an action wrote, as plain tuples, and whether the chain verifies."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from townhall.platform.audit import AuditEntry, verify_chain

# (actor type, actor id, action, subject type, subject id, purpose, client)
Entry = tuple[str, int | None, str, str | None, str | None, str | None, str | None]
_COLUMNS = (AuditEntry.actor_type, AuditEntry.actor_id, AuditEntry.action, AuditEntry.subject_type,
            AuditEntry.subject_id, AuditEntry.purpose, AuditEntry.client)  # fmt: skip


def last_entry_id(session: Session) -> int:
    return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


def entries_after(session: Session, last_id: int) -> list[Entry]:
    """The entries written after `last_id`, oldest first."""
    rows = session.execute(select(*_COLUMNS).where(AuditEntry.id > last_id).order_by(AuditEntry.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def chain_intact(session: Session) -> bool:
    return verify_chain(session.connection()).intact


def audit_log_of(url: str) -> tuple[list[Entry], bool]:
    """Every entry in the database at `url` (one that `townhall` commands use), and whether the chain verifies."""
    engine = create_engine(url)
    with Session(engine) as session:
        found = entries_after(session, 0), chain_intact(session)
    engine.dispose()
    return found
