"""Officers' labels: the right intent for a message the assistant failed on, kept as a training example.

The redacted text is copied into the example when it is labelled, so the model can be rebuilt after the
conversation itself has been purged at the end of its retention period (the message link then becomes empty).
That is a deliberate retention choice, documented in docs/assistant-engine.md: a labelled example is a short,
already-redacted sentence kept to train the assistant, not a transcript. One label per message; labelling it
again replaces the label.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from townhall.assistant.intents import INTENTS
from townhall.assistant.models import Message
from townhall.db import Base
from townhall.platform import clock
from townhall.platform.errors import InvalidInput, NotFound
from townhall.service_requests.models import UtcDateTime


class LabelledExample(Base):
    __tablename__ = "assistant_labelled_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Empty once the conversation has been purged; the example stays (see the module docstring).
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("assistant_messages.id", ondelete="SET NULL"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)  # the message's redacted text
    intent: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(20))  # why it was on the review list when labelled
    labelled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    labelled_at: Mapped[datetime] = mapped_column(UtcDateTime)


def check_intent(intent: str) -> str:
    """The intent, or InvalidInput naming the problem."""
    if not intent:
        raise InvalidInput("Choose the intent the message expresses")
    if intent not in INTENTS:
        raise InvalidInput(f"{intent!r} is not one of the assistant's intents")
    return intent


def label_message(
    session: Session, *, message_id: int, intent: str, labelled_by: int | None, reason: str | None = None
) -> LabelledExample:
    """Record (or replace) the right intent for a resident's message."""
    check_intent(intent)
    message = session.get(Message, message_id)
    if message is None or message.sender != "resident":
        raise NotFound("There is no such resident message")
    example = session.scalar(select(LabelledExample).where(LabelledExample.message_id == message_id))
    if example is None:
        example = LabelledExample(message_id=message_id, text=message.text)
        session.add(example)
    example.intent, example.labelled_by, example.labelled_at = intent, labelled_by, clock.now()
    example.reason = reason or example.reason
    session.flush()
    return example


def labels_for(session: Session, message_ids: list[int]) -> dict[int, str]:
    """The current label of each of these messages that has one."""
    if not message_ids:
        return {}
    rows = session.execute(
        select(LabelledExample.message_id, LabelledExample.intent).where(LabelledExample.message_id.in_(message_ids))
    )
    return {int(message_id): intent for message_id, intent in rows if message_id is not None}


def labelled_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(LabelledExample)) or 0)


def training_examples(session: Session) -> list[dict[str, str]]:
    """Every labelled example as {"text", "intent"}, oldest first, for training."""
    rows = session.execute(select(LabelledExample.text, LabelledExample.intent).order_by(LabelledExample.id))
    return [{"text": text, "intent": intent} for text, intent in rows]
