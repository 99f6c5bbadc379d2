"""The audit log's tables: append-only entries, hash-chained, and the single-row head of the chain."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base

GENESIS_HASH = "0" * 64  # the "previous hash" of the first entry


class AuditEntry(Base):
    """Who did what to which person's data, why, when and from where. Ids only: never a name or an address.

    `occurred_at_us` is microseconds since the Unix epoch in UTC: the same integer on every database, so the
    hash of an entry never depends on how a driver renders a timestamp.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_subject", "subject_type", "subject_id"),
        Index("ix_audit_entries_actor", "actor_type", "actor_id"),
        Index("ix_audit_entries_occurred_at_us", "occurred_at_us"),
    )

    # Assigned from the chain head, not by the database: the id is part of the hashed record.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at_us: Mapped[int] = mapped_column(BigInteger)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str | None] = mapped_column(String(60))
    subject_id: Mapped[str | None] = mapped_column(String(80))
    purpose: Mapped[str | None] = mapped_column(String(300))
    client: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """One row (id 1): the newest entry and its hash. Writers lock it, so the chain can never fork."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_entry_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
