"""The hand-off's tables: a conversation passed to a person, and call-back requests taken out of hours.

A conversation may be handed off more than once (returned to the assistant, then handed off again): each time is a
`Handoff` row, open until an officer closes it or returns the conversation to the assistant. A `CallbackRequest`
keeps the resident's name and phone number unredacted (the council needs them to call back); `callbacks.purge_callbacks`
deletes it once done, or after `assistant_callback_retention_days`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base
from townhall.service_requests.models import UtcDateTime

HANDOFF_REASONS = ("asked", "not_understood", "safeguarding")
OUTCOMES: dict[str, str] = {
    "answered": "Answered the resident's question",
    "referred": "Passed to a service team",
    "safeguarding": "Referred to the safeguarding team",
    "called_back": "Called the resident back",
    "no_reply": "The resident stopped replying",
    "returned": "Returned to the assistant",
}
CALLBACK_STATUSES = ("open", "done")


class Handoff(Base):
    __tablename__ = "assistant_handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(20))  # one of HANDOFF_REASONS
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(20))  # one of OUTCOMES


class CallbackRequest(Base):
    __tablename__ = "assistant_callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))  # unredacted, normalised ("07700 900123"): needed to call
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    call_from: Mapped[datetime] = mapped_column(UtcDateTime)  # the office's next opening when it was asked for
    status: Mapped[str] = mapped_column(String(10), default="open")  # one of CALLBACK_STATUSES
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
