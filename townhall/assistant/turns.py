"""What the answering flows (reports, status, balance, knowledge) see of one message being answered.

`dialogue._Turn` is the one real implementation; the flows depend on this shape, not on the dialogue module,
so the dialogue can call them without an import cycle.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from townhall.assistant.engine import Prediction
from townhall.assistant.intents import OUT_OF_SCOPE
from townhall.assistant.models import Conversation
from townhall.config import Settings
from townhall.platform.clock import LONDON

# Leaving a question half-way needs a surer guess than starting one: a short answer like "the pavement" is
# easily mistaken for another topic.
MOVE_ON_CONFIDENCE = 0.6
_CANCEL = re.compile(r"^\s*(cancel|stop|quit|exit|never ?mind|forget (it|about it)|no thanks?)\b[\s.!]*$", re.I)


class Turn(Protocol):
    session: Session
    conversation: Conversation
    text: str
    prediction: Prediction
    state: dict[str, Any]
    today: date
    settings: Settings
    user_id: int | None


def wants_to_cancel(text: str) -> bool:
    return bool(_CANCEL.match(text))


def moved_on(turn: Turn, *, same: frozenset[str]) -> bool:
    """Whether the resident is clearly asking about something else than the question the assistant asked."""
    intent = turn.prediction.intent
    return intent not in same and intent != OUT_OF_SCOPE and turn.prediction.confidence >= MOVE_ON_CONFIDENCE


def uk_date(moment: datetime | date) -> str:
    """ "Monday 2 November 2026" (in UK time for a moment)."""
    local = moment.astimezone(LONDON) if isinstance(moment, datetime) else moment
    return f"{local:%A} {local.day} {local:%B %Y}"
